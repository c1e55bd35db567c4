"""The restore drill: restore a backup into a scratch database and a scratch media folder, and check it.

The live database and media folder are never touched: on PostgreSQL the dump goes into a database of its own
(``<name>_restore_drill``, on the same server, dropped at the end), on SQLite the copy is a temporary file; the media go
to a temporary folder. Then:

- every table's row count in the restored database is compared with the count ``backup.json`` recorded at dump time;
- the year archive's files are re-verified there: each ``archive_archivefile`` row's SHA-256 and size against its file
  in the restored media folder, and each archive's manifest hash against its manifest file's row.

The check reads the restored tables with plain SQL, not the models, so it judges the backup as it is.
"""

import hashlib
import json
import sqlite3
import tarfile
import tempfile
from collections.abc import Callable
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path

from django.db import connections
from django.db.backends.base.base import BaseDatabaseWrapper

from .backup import BACKUP_FORMAT, database_tables, migrations_state, pg_environment, run_tool, table_counts

DRILL_SUFFIX = "_restore_drill"


@dataclass
class DrillResult:
    """What the drill found: the differences (empty when the backup restores faithfully) and what it checked."""

    backup: Path
    differences: list[str] = field(default_factory=list)
    tables: int = 0
    rows: int = 0
    archive_files: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def compare_counts(expected: dict[str, int], restored: dict[str, int]) -> list[str]:
    """The tables whose restored row count differs from the recorded one, or that are missing on one side."""
    differences = []
    for table in sorted(expected.keys() | restored.keys()):
        if table not in restored:
            differences.append(f"таблица {table}: нет в восстановленной базе (строк в копии: {expected[table]})")
        elif table not in expected:
            differences.append(
                f"таблица {table}: есть в восстановленной базе (строк: {restored[table]}), нет в описи копии"
            )
        elif expected[table] != restored[table]:
            differences.append(f"таблица {table}: строк в копии: {expected[table]}, восстановлено: {restored[table]}")
    return differences


def verify_archive_files(cursor, tables: set[str], media: Path) -> tuple[int, list[str]]:
    """Re-check the year archive in the restored database against the restored media folder, the way
    ``archive.services.verify`` checks the live one: every kept file's size and SHA-256; each archive's current
    manifest (the manifest file whose SHA-256 is ``manifest_sha256``) intact, and listing every class file with the
    size and SHA-256 its row records. Returns the number of files checked and the differences."""
    if "archive_archivefile" not in tables:
        return 0, []
    differences = []
    cursor.execute(
        "SELECT archive_id, school_class_id, kind, path, size, sha256, removed_at FROM archive_archivefile ORDER BY id"
    )
    rows = cursor.fetchall()
    intact: dict[str, bytes | None] = {}  # the manifests read back intact, by SHA-256
    checked = 0
    root = media.resolve()
    for _archive_id, _class_id, kind, path, size, sha256, removed_at in rows:
        if removed_at is not None:  # removed by an act: gone on purpose
            continue
        checked += 1
        file = (media / path).resolve()
        if root not in file.parents:
            differences.append(f"архив: файл {path}: путь вне хранилища")
        elif not file.is_file():
            differences.append(f"архив: файл {path}: нет в восстановленных файлах")
        elif file.stat().st_size != size:
            differences.append(f"архив: файл {path}: размер {file.stat().st_size} байт, записано {size}")
        elif file_sha256(file) != sha256:
            differences.append(f"архив: файл {path}: SHA-256 не совпадает с записанным")
        elif kind == "manifest":
            intact[sha256] = file.read_bytes()
    cursor.execute("SELECT id, manifest_sha256 FROM archive_archiveyear WHERE manifest_sha256 <> '' ORDER BY id")
    for archive_id, manifest_sha256 in cursor.fetchall():
        manifests = {r[5] for r in rows if r[0] == archive_id and r[2] == "manifest" and r[6] is None}
        if manifest_sha256 not in manifests:
            differences.append(f"архив №{archive_id}: нет файла описи с SHA-256 {manifest_sha256}")
            continue
        if manifest_sha256 not in intact:  # the manifest itself is damaged: named above
            continue
        try:
            listed = {entry["path"]: entry for entry in json.loads(intact[manifest_sha256])["files"]}
        except (ValueError, KeyError, TypeError):
            differences.append(f"архив №{archive_id}: файл описи не читается как опись архива")
            continue
        recorded = {r[3]: r for r in rows if r[0] == archive_id and r[1] is not None}
        for path, row in recorded.items():
            entry = listed.get(path)
            if entry is None:
                differences.append(f"архив: файл {path}: не внесён в опись")
            elif entry.get("sha256") != row[5] or entry.get("size") != row[4]:
                differences.append(f"архив: файл {path}: запись в базе не совпадает с описью")
        differences += [f"архив: файл {path}: есть в описи, нет в базе" for path in listed if path not in recorded]
    return checked, differences


def extract(backup: Path, target: Path) -> dict:
    """Unpack a backup into ``target`` (no path may leave it) and return its ``backup.json``."""
    with tarfile.open(backup, "r:gz") as tar:
        tar.extractall(target, filter="data")
    return json.loads((target / "backup.json").read_text())


def restore_postgresql(connection: BaseDatabaseWrapper, dump: Path) -> dict:
    """Restore the dump into a fresh ``<name>_restore_drill`` database on the live server; its settings."""
    settings_dict = {**connection.settings_dict, "NAME": f"{connection.settings_dict['NAME']}{DRILL_SUFFIX}"}
    env = pg_environment(connection.settings_dict)
    name = settings_dict["NAME"]
    run_tool(["dropdb", "--if-exists", name], env=env)
    run_tool(["createdb", name], env=env)
    # A scratch database need not wait for the disk at each of pg_restore's commits (twice as fast; a crash loses
    # nothing of value).
    fast = {**env, "PGOPTIONS": f"{env.get('PGOPTIONS', '')} -c synchronous_commit=off".strip()}
    run_tool(
        ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "--jobs=2", f"--dbname={name}", str(dump)],
        env=fast,
    )
    return settings_dict


def drop_postgresql(connection: BaseDatabaseWrapper, name: str) -> None:
    run_tool(["dropdb", "--if-exists", name], env=pg_environment(connection.settings_dict))


def restore_drill(
    *, backup: Path, using: str = "default", log: Callable[[str], None] = lambda _msg: None
) -> DrillResult:
    """Restore ``backup`` into scratch storage and compare it with what it recorded; the live data is only read from
    its server's catalogue (PostgreSQL: to create and drop the scratch database)."""
    connection = connections[using]
    result = DrillResult(backup=backup)
    with tempfile.TemporaryDirectory(prefix="ejournal-drill-") as tmp:
        scratch = Path(tmp)
        meta = extract(backup, scratch)
        log(f"Копия от {meta['created_at']}, база {meta['vendor']}, версия {meta.get('app_version') or '—'}")
        if meta.get("format", 0) > BACKUP_FORMAT:
            result.differences.append(f"копия формата {meta['format']}: этот код читает формат {BACKUP_FORMAT}")
            return result
        if meta["vendor"] != connection.vendor:
            result.differences.append(
                f"копия базы {meta['vendor']}, а настроена {connection.vendor}: восстановить её здесь нельзя"
            )
            return result
        dump = scratch / meta["database_file"]
        drop_name = None
        if meta["vendor"] == "postgresql":
            try:
                settings_dict = restore_postgresql(connection, dump)
            except RuntimeError as error:
                result.differences.append(f"копия не восстанавливается: {error}")
                drop_postgresql(connection, f"{connection.settings_dict['NAME']}{DRILL_SUFFIX}")
                return result
            drop_name = settings_dict["NAME"]
            log(f"Восстановлено в базу {drop_name}")
        else:
            with closing(sqlite3.connect(dump)) as check:
                integrity = check.execute("PRAGMA integrity_check").fetchone()[0]
            if integrity != "ok":
                result.differences.append(f"SQLite: проверка целостности копии: {integrity}")
            settings_dict = {**connection.settings_dict, "NAME": str(dump)}
            log(f"Восстановлено во временный файл {dump}")
        # A connection of its own to the scratch database, under an alias no one else uses.
        restored = connection.__class__(settings_dict, alias=f"{using}{DRILL_SUFFIX}")
        try:
            with restored.cursor() as cursor:
                tables = set(database_tables(restored, cursor))
                counts = table_counts(cursor, tables, restored.ops.quote_name)
                result.tables, result.rows = len(counts), sum(counts.values())
                result.differences += compare_counts(meta["row_counts"], counts)
                if migrations_state(cursor, tables) != meta["migrations"]:
                    result.differences.append("применённые миграции в восстановленной базе не те, что записаны в копии")
                media = scratch / "media"
                if meta.get("media") == "included":
                    result.archive_files, archive_differences = verify_archive_files(cursor, tables, media)
                    result.differences += archive_differences
                else:
                    result.notes.append(f"файлы не в копии ({meta.get('media')}): архив не перепроверен")
        finally:
            restored.close()
            if drop_name:
                drop_postgresql(connection, drop_name)
    return result
