"""Backups of the whole site: the database and the media folder in one dated ``.tar.gz``, rotated grandfather-father-son.

One file, ``ejournal-YYYY-MM-DD-HHMMSS.tar.gz`` (local time), holds:

- ``database.dump`` (PostgreSQL, ``pg_dump -Fc``) or ``database.sqlite3`` (SQLite, the online backup API);
- ``media/``: the media folder (``MEDIA_ROOT``) as it is, the year archive's files among them;
- ``backup.json``: when, which database, the applied migrations, the row count of every table in the dump, the app's
  version (``git describe``).

On PostgreSQL the counts and the dump see the same moment: the counts are read in a repeatable-read transaction whose
snapshot ``pg_dump --snapshot`` reuses. On SQLite they are read from the copy itself.

Plain ``pg_dump``/``pg_restore`` and ``sqlite3.Connection.backup`` rather than django-dbbackup: the drill needs the raw
dump to restore it elsewhere anyway, the two tools are what an operator restores with by hand, and one dependency
fewer. Rotation is a pure function over the file names (``rotation_keep``).
"""

import datetime as dt
import io
import json
import os
import re
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

BACKUP_PREFIX = "ejournal-"
BACKUP_SUFFIX = ".tar.gz"
BACKUP_NAME_RE = re.compile(r"^ejournal-(\d{4})-(\d{2})-(\d{2})-(\d{2})(\d{2})(\d{2})\.tar\.gz$")
BACKUP_FORMAT = 1
KEEP_DAILY, KEEP_MONTHLY, KEEP_YEARLY = 30, 12, 5


def backup_dir(directory: Path | str | None = None) -> Path:
    """The folder of the backups: the one given, or ``settings.BACKUP_DIR``."""
    return Path(directory) if directory else Path(settings.BACKUP_DIR)


def backup_name_date(name: str) -> dt.datetime | None:
    """The local time a backup's file name carries, or None for a file that is not a backup."""
    match = BACKUP_NAME_RE.match(name)
    if not match:
        return None
    try:
        return dt.datetime(*(int(part) for part in match.groups()))
    except ValueError:
        return None


def backup_latest(directory: Path | str | None = None) -> Path | None:
    """The newest backup in the folder, by the date in its name."""
    folder = backup_dir(directory)
    if not folder.is_dir():
        return None
    names = sorted((p.name for p in folder.iterdir() if backup_name_date(p.name)), key=backup_name_date)
    return folder / names[-1] if names else None


def pg_environment(settings_dict: dict) -> dict[str, str]:
    """libpq's environment for the PostgreSQL client tools: the connection of ``settings_dict``, the password in
    PGPASSWORD (never on the command line, where ``ps`` shows it)."""
    env = dict(os.environ)
    for key, var in (("HOST", "PGHOST"), ("PORT", "PGPORT"), ("USER", "PGUSER"), ("PASSWORD", "PGPASSWORD")):
        if settings_dict.get(key):
            env[var] = str(settings_dict[key])
    options = settings_dict.get("OPTIONS") or {}
    for option, var in (
        ("sslmode", "PGSSLMODE"),
        ("sslrootcert", "PGSSLROOTCERT"),
        ("sslcert", "PGSSLCERT"),
        ("sslkey", "PGSSLKEY"),
    ):
        if options.get(option):
            env[var] = str(options[option])
    return env


def database_tables(connection: BaseDatabaseWrapper, cursor) -> list[str]:
    """The tables of a database (no views, no SQLite internals), the same way for the backup and the drill."""
    if connection.vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
        return [row[0] for row in cursor.fetchall()]
    return connection.introspection.table_names(cursor)


def run_tool(command: list[str], *, env: dict[str, str]) -> None:
    """Run a PostgreSQL client tool; its own message on failure."""
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode:
        raise RuntimeError(f"{command[0]} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def table_counts(cursor, tables: Iterable[str], quote: Callable[[str], str]) -> dict[str, int]:
    """The row count of each table."""
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def migrations_state(cursor, tables: Iterable[str]) -> dict[str, list[str]]:
    """The applied migrations, by app (none in a database that was never migrated)."""
    if "django_migrations" not in tables:
        return {}
    cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
    state: dict[str, list[str]] = {}
    for app, name in cursor.fetchall():
        state.setdefault(app, []).append(name)
    return state


def app_version() -> str:
    """``git describe`` of the working copy the code runs from, or "" where there is no git."""
    try:
        result = subprocess.run(
            ["git", "describe", "--always", "--tags", "--dirty"],
            cwd=settings.BASE_DIR,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def dump_postgresql(connection: BaseDatabaseWrapper, target: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """``pg_dump -Fc`` of the database into ``target``; the row counts and migrations of the same snapshot."""
    # A connection of our own: Django's may be inside a transaction of its caller.
    wrapper = connection.__class__(connection.settings_dict, alias=f"{connection.alias}_backup")
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = table_counts(cursor, database_tables(wrapper, cursor), wrapper.ops.quote_name)
            migrations = migrations_state(cursor, counts)
            run_tool(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={target}",
                    connection.settings_dict["NAME"],
                ],
                env=pg_environment(connection.settings_dict),
            )
            cursor.execute("COMMIT")
    finally:
        wrapper.close()
    return counts, migrations


def dump_sqlite(connection: BaseDatabaseWrapper, target: Path) -> tuple[dict[str, int], dict[str, list[str]]]:
    """SQLite's online backup of the database into ``target`` (works for a file and for an in-memory test database);
    the row counts and migrations read from the copy."""
    connection.ensure_connection()
    copy = sqlite3.connect(target)
    try:
        connection.connection.backup(copy)
        cursor = copy.cursor()
        counts = table_counts(cursor, database_tables(connection, cursor), connection.ops.quote_name)
        migrations = migrations_state(cursor, counts)
    finally:
        copy.close()
    return counts, migrations


def media_root_if_local() -> Path | None:
    """The media folder when the default storage is the file system; None for S3-compatible storage, which the bucket's
    own versioning backs up."""
    if not isinstance(default_storage, FileSystemStorage):
        return None
    return Path(settings.MEDIA_ROOT)


def backup_create(
    *, directory: Path | str | None = None, now: dt.datetime | None = None, using: str = "default"
) -> Path:
    """Write one backup file into ``directory`` (``settings.BACKUP_DIR``) and return its path.

    The file appears under its final name only when complete (written as ``.partial`` and renamed), so the drill and
    the rotation never see half a backup.
    """
    connection = connections[using]
    folder = backup_dir(directory)
    folder.mkdir(parents=True, exist_ok=True)
    local = timezone.localtime(now or timezone.now())
    path = folder / f"{BACKUP_PREFIX}{local:%Y-%m-%d-%H%M%S}{BACKUP_SUFFIX}"
    partial = path.with_name(path.name + ".partial")
    with tempfile.TemporaryDirectory(prefix="ejournal-backup-") as tmp:
        if connection.vendor == "postgresql":
            dump = Path(tmp) / "database.dump"
            counts, migrations = dump_postgresql(connection, dump)
        elif connection.vendor == "sqlite":
            dump = Path(tmp) / "database.sqlite3"
            counts, migrations = dump_sqlite(connection, dump)
        else:
            raise NotImplementedError(f"no backup for the {connection.vendor} database")
        # The media after the database: a file the dump refers to was there before it (archive files are written
        # once and never changed in place), so the drill finds it.
        media = media_root_if_local()
        # A backup folder inside MEDIA_ROOT is not backed up into itself.
        folder_resolved = folder.resolve()
        inside_media = media is not None and media.resolve() in folder_resolved.parents
        media_files = media_bytes = 0
        try:
            with tarfile.open(partial, "w:gz", compresslevel=6) as tar:
                tar.add(dump, arcname=dump.name)
                if media is not None and media.is_dir():
                    for file in sorted(media.rglob("*")):
                        if not file.is_file() or (inside_media and folder_resolved in file.resolve().parents):
                            continue
                        try:
                            size = file.stat().st_size
                            tar.add(file, arcname=f"media/{file.relative_to(media).as_posix()}")
                        except FileNotFoundError:  # deleted while the backup runs
                            continue
                        media_files += 1
                        media_bytes += size
                meta = {
                    "format": BACKUP_FORMAT,
                    "created_at": local.isoformat(),
                    "vendor": connection.vendor,
                    "database_file": dump.name,
                    "database_name": str(connection.settings_dict["NAME"]),
                    "media": "included" if media is not None else f"not included: {default_storage.__class__.__name__}",
                    "media_files": media_files,
                    "media_bytes": media_bytes,
                    "app_version": app_version(),
                    "migrations": migrations,
                    "row_counts": counts,
                }
                data = json.dumps(meta, ensure_ascii=False, indent=1).encode()
                info = tarfile.TarInfo("backup.json")
                info.size = len(data)
                info.mtime = int(local.timestamp())
                tar.addfile(info, io.BytesIO(data))
            partial.replace(path)
        finally:
            partial.unlink(missing_ok=True)
    return path


def rotation_keep(
    names: Iterable[str],
    *,
    now: dt.datetime,
    daily: int = KEEP_DAILY,
    monthly: int = KEEP_MONTHLY,
    yearly: int = KEEP_YEARLY,
) -> set[str]:
    """Which backups to keep (grandfather-father-son): the newest of each of the last ``daily`` days, of each of the
    last ``monthly`` months and of each of the last ``yearly`` years, counting today, this month and this year. A name
    that is not a backup's, or dated after ``now`` (a clock set back), is kept: the rotation deletes only what it
    understands. ``now`` is local time, as in the names."""
    today = now.date()
    dated = {}
    keep = set()
    for name in names:
        when = backup_name_date(name)
        if when is None or when > now.replace(tzinfo=None):
            keep.add(name)
        else:
            dated[name] = when
    first_day = today - dt.timedelta(days=daily - 1)
    months_back = today.year * 12 + today.month - 1
    buckets: dict[tuple, tuple[dt.datetime, str]] = {}
    for name, when in dated.items():
        keys = []
        if when.date() >= first_day:
            keys.append(("day", when.date()))
        if months_back - (when.year * 12 + when.month - 1) < monthly:
            keys.append(("month", when.year, when.month))
        if today.year - when.year < yearly:
            keys.append(("year", when.year))
        for key in keys:
            if key not in buckets or buckets[key][0] < when:
                buckets[key] = (when, name)
    keep.update(name for _when, name in buckets.values())
    return keep


def backup_rotate(
    directory: Path | str | None = None,
    *,
    now: dt.datetime | None = None,
    delete: Callable[[Path], None] = Path.unlink,
) -> list[str]:
    """Delete the backups the rotation does not keep; return their names."""
    folder = backup_dir(directory)
    if not folder.is_dir():
        return []
    names = [p.name for p in folder.iterdir() if p.is_file()]
    local = timezone.localtime(now or timezone.now())
    keep = rotation_keep(names, now=local)
    removed = sorted(name for name in names if name not in keep)
    for name in removed:
        delete(folder / name)
    return removed
