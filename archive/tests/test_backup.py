"""Backups: the rotation (grandfather-father-son over file names), a backup of the test database that the drill
restores faithfully (on whichever database the suite runs: SQLite or PostgreSQL), and the drill's findings when the
backup differs from what it recorded."""

import datetime as dt
import hashlib
import io
import json
import tarfile
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from accounts.models import User
from archive.choices import ArchiveKind, ArchiveStatus
from archive.models import ArchiveFile, ArchiveYear
from archive.services.backup import backup_create, backup_latest, backup_name_date, backup_rotate, rotation_keep
from archive.services.drill import DRILL_SUFFIX, compare_counts, restore_drill
from archive.tasks import backup_daily

MSK = ZoneInfo("Europe/Moscow")


def name(when: dt.datetime) -> str:
    return f"ejournal-{when:%Y-%m-%d-%H%M%S}.tar.gz"


# --- Rotation: a pure function over the names.


def test_a_name_carries_its_date_and_other_names_carry_none():
    assert backup_name_date("ejournal-2026-12-02-023000.tar.gz") == dt.datetime(2026, 12, 2, 2, 30)
    assert backup_name_date("ejournal-2026-12-02-023000.tar.gz.partial") is None
    assert backup_name_date("ejournal-2026-13-02-023000.tar.gz") is None
    assert backup_name_date("notes.txt") is None


def test_seven_years_of_nightly_backups_keep_30_days_12_months_5_years():
    now = dt.datetime(2026, 12, 2, 12, 0)
    day, names = dt.date(2020, 1, 1), []
    while day <= now.date():
        names.append(name(dt.datetime.combine(day, dt.time(2, 30))))
        day += dt.timedelta(days=1)

    keep = rotation_keep(names, now=now)

    days = {name(dt.datetime(2026, 11, 3, 2, 30) + dt.timedelta(days=i)) for i in range(30)}
    month_ends = {name(dt.datetime(2026, m + 1, 1, 2, 30) - dt.timedelta(days=1)) for m in range(1, 11)}
    year_ends = {name(dt.datetime(y, 12, 31, 2, 30)) for y in (2022, 2023, 2024, 2025)}
    assert keep == days | month_ends | year_ends
    assert len(keep) == 30 + 10 + 4
    assert name(dt.datetime(2026, 11, 2, 2, 30)) not in keep  # the 31st day back
    assert name(dt.datetime(2021, 12, 31, 2, 30)) not in keep  # the sixth year back


def test_of_two_backups_of_one_day_the_newer_is_kept():
    now = dt.datetime(2026, 12, 2, 23, 0)
    morning, night = name(dt.datetime(2026, 12, 2, 2, 30)), name(dt.datetime(2026, 12, 2, 14, 0))
    assert rotation_keep([morning, night], now=now) == {night}


def test_the_newest_of_an_old_month_is_kept_not_its_first():
    now = dt.datetime(2026, 12, 2, 12, 0)
    names = [name(dt.datetime(2026, 6, d, 2, 30)) for d in (1, 10, 20)]
    assert rotation_keep(names, now=now) == {name(dt.datetime(2026, 6, 20, 2, 30))}


def test_sparse_backups_each_stand_for_their_year():
    now = dt.datetime(2026, 12, 2, 12, 0)
    names = [name(dt.datetime(y, 3, 1, 2, 30)) for y in range(2015, 2027)]
    assert rotation_keep(names, now=now) == {name(dt.datetime(y, 3, 1, 2, 30)) for y in range(2022, 2027)}


def test_foreign_files_and_backups_from_the_future_are_never_deleted():
    now = dt.datetime(2026, 12, 2, 12, 0)
    names = ["README", "ejournal-2026-12-02-023000.tar.gz.partial", name(dt.datetime(2027, 1, 1, 2, 30))]
    assert rotation_keep(names, now=now) == set(names)


def test_backup_rotate_deletes_what_the_rotation_drops(tmp_path):
    now = dt.datetime(2026, 12, 2, 12, 0, tzinfo=MSK)
    kept, dropped = name(dt.datetime(2026, 12, 1, 2, 30)), name(dt.datetime(2026, 12, 1, 1, 0))
    for file in (kept, dropped, "README"):
        (tmp_path / file).write_text("x")
    deleted = []

    assert backup_rotate(tmp_path, now=now, delete=deleted.append) == [dropped]
    assert deleted == [tmp_path / dropped]

    backup_rotate(tmp_path, now=now)
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([kept, "README"])


def test_compare_counts_names_every_kind_of_difference():
    assert compare_counts({"a": 1, "b": 2, "c": 3}, {"a": 1, "b": 5, "d": 0}) == [
        "таблица b: строк в копии: 2, восстановлено: 5",
        "таблица c: нет в восстановленной базе (строк в копии: 3)",
        "таблица d: есть в восстановленной базе (строк: 0), нет в описи копии",
    ]


# --- A real backup of the test database (committed data: transactional_db), and the drill.


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def store(media: Path, archive: ArchiveYear, kind: str, path: str, content: bytes, school_class=None) -> ArchiveFile:
    (media / path).parent.mkdir(parents=True, exist_ok=True)
    (media / path).write_bytes(content)
    return ArchiveFile.objects.create(
        archive=archive,
        school_class=school_class,
        kind=kind,
        name=Path(path).name,
        path=path,
        content_type="application/octet-stream",
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        created_at=timezone.now(),
        retain_until=dt.date(2052, 8, 31),
    )


@pytest.fixture
def archived(transactional_db, cast, media) -> ArchiveFile:
    """A year archive as the archive service leaves it: a class file in the media folder, and the manifest that lists
    it, whose SHA-256 the archive records."""
    archive = ArchiveYear.objects.create(
        school=cast.school, year=cast.year, status=ArchiveStatus.DONE, started_by=cast.admin
    )
    sheet = store(
        media, archive, ArchiveKind.SUMMARY_SHEET, "archive/2026-2027/5А/summary.pdf", b"%PDF-1.7 sheet", cast.class_a
    )
    listing = {"files": [{"path": sheet.path, "size": sheet.size, "sha256": sheet.sha256}]}
    manifest = store(
        media, archive, ArchiveKind.MANIFEST, "archive/2026-2027/manifest.json", json.dumps(listing).encode()
    )
    ArchiveYear.objects.filter(pk=archive.pk).update(manifest_sha256=manifest.sha256)
    return sheet


def rewrite_backup(path: Path, changes: dict[str, bytes]) -> None:
    """Replace members of a backup file in place (what a damaged or tampered copy looks like)."""
    with tarfile.open(path, "r:gz") as tar:
        members = [(m, tar.extractfile(m).read() if m.isfile() else None) for m in tar.getmembers()]
    with tarfile.open(path, "w:gz") as tar:
        for member, data in members:
            data = changes.get(member.name, data)
            if data is not None:
                member.size = len(data)
            tar.addfile(member, io.BytesIO(data) if data is not None else None)


def test_a_backup_holds_the_database_the_media_and_what_they_were(archived, tmp_path):
    path = backup_create(directory=tmp_path / "backups", now=dt.datetime(2026, 12, 2, 2, 30, tzinfo=dt.UTC))

    assert path.name == "ejournal-2026-12-02-053000.tar.gz"  # local time (Moscow)
    assert backup_latest(tmp_path / "backups") == path
    with tarfile.open(path, "r:gz") as tar:
        members = set(tar.getnames())
        meta = json.load(tar.extractfile("backup.json"))
    database_file = "database.dump" if connection.vendor == "postgresql" else "database.sqlite3"
    assert {database_file, "backup.json", f"media/{archived.path}", "media/archive/2026-2027/manifest.json"} <= members
    assert meta["vendor"] == connection.vendor
    assert meta["database_file"] == database_file
    assert meta["media"] == "included"
    assert meta["media_files"] == 2
    assert meta["row_counts"]["accounts_user"] == User.objects.count()
    assert meta["row_counts"]["archive_archivefile"] == 2
    assert "0001_initial" in meta["migrations"]["archive"]


def test_the_drill_restores_the_backup_faithfully(archived, tmp_path):
    path = backup_create(directory=tmp_path)
    User.objects.filter(pk=archived.archive.started_by_id).update(first_name="Изменён после копии")

    result = restore_drill(backup=path)

    assert result.differences == []
    assert result.ok
    assert result.archive_files == 2
    assert result.tables > 50
    assert result.rows > 0
    assert User.objects.get(pk=archived.archive.started_by_id).first_name == "Изменён после копии"  # live untouched
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            # This process's scratch database is dropped (another test process may be running a drill of its own).
            scratch = f"{connection.settings_dict['NAME']}{DRILL_SUFFIX}"
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [scratch])
            assert cursor.fetchall() == []


def test_the_command_prints_ok_for_the_latest_backup(archived, tmp_path):
    backup_create(directory=tmp_path, now=dt.datetime(2026, 12, 1, 2, 30, tzinfo=MSK))
    latest = backup_create(directory=tmp_path, now=dt.datetime(2026, 12, 2, 2, 30, tzinfo=MSK))
    out = io.StringIO()

    call_command("restore_drill", dir=str(tmp_path), stdout=out)

    assert f"Проверка копии {latest}" in out.getvalue()
    assert "OK (" in out.getvalue()


def test_the_drill_reports_a_count_a_migration_and_an_archived_file_that_differ_and_fails(archived, tmp_path):
    path = backup_create(directory=tmp_path)
    with tarfile.open(path, "r:gz") as tar:
        meta = json.load(tar.extractfile("backup.json"))
    meta["row_counts"]["accounts_user"] += 1
    meta["migrations"]["archive"].append("0099_from_the_future")
    rewrite_backup(path, {"backup.json": json.dumps(meta).encode(), f"media/{archived.path}": b"%PDF-1.7 sheeT"})
    out = io.StringIO()

    with pytest.raises(CommandError, match="расхождений: 3"):
        call_command("restore_drill", file=str(path), stdout=out)

    users = User.objects.count()
    assert f"РАСХОЖДЕНИЕ: таблица accounts_user: строк в копии: {users + 1}, восстановлено: {users}" in out.getvalue()
    assert f"РАСХОЖДЕНИЕ: архив: файл {archived.path}: SHA-256 не совпадает с записанным" in out.getvalue()
    assert "РАСХОЖДЕНИЕ: применённые миграции в восстановленной базе не те, что записаны в копии" in out.getvalue()
    assert "OK" not in out.getvalue()


# The drill reads the restored tables with the same SQL on both databases, and the tests above restore on whichever
# one the suite runs. The rest of its findings are tested on SQLite only: each PostgreSQL restore costs seconds.
sqlite_only = pytest.mark.skipif(connection.vendor != "sqlite", reason="the drill's findings: covered on SQLite")


@sqlite_only
def test_the_drill_names_an_archived_file_that_changed(archived, tmp_path):
    path = backup_create(directory=tmp_path)
    rewrite_backup(path, {f"media/{archived.path}": b"%PDF-1.7 sheeT"})  # same size, other bytes

    result = restore_drill(backup=path)

    assert result.differences == [f"архив: файл {archived.path}: SHA-256 не совпадает с записанным"]


@sqlite_only
def test_the_drill_names_a_missing_archived_file_and_a_missing_manifest(archived, media, tmp_path):
    ArchiveYear.objects.update(manifest_sha256="0" * 64)
    (media / archived.path).unlink()
    path = backup_create(directory=tmp_path)

    result = restore_drill(backup=path)

    assert result.differences == [
        f"архив: файл {archived.path}: нет в восстановленных файлах",
        f"архив №{archived.archive_id}: нет файла описи с SHA-256 {'0' * 64}",
    ]


@sqlite_only
def test_the_drill_checks_the_records_against_the_manifest(archived, media, tmp_path):
    """A file and its row changed together (the row's hash matches the file): the manifest still tells."""
    (media / archived.path).write_bytes(b"%PDF-1.7 forged")
    ArchiveFile.objects.filter(pk=archived.pk).update(
        size=len(b"%PDF-1.7 forged"), sha256=hashlib.sha256(b"%PDF-1.7 forged").hexdigest()
    )
    path = backup_create(directory=tmp_path)

    result = restore_drill(backup=path)

    assert result.differences == [f"архив: файл {archived.path}: запись в базе не совпадает с описью"]


@sqlite_only
def test_with_another_storage_the_media_are_not_in_the_backup_and_the_drill_says_so(
    transactional_db, settings, tmp_path
):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"}}
    path = backup_create(directory=tmp_path)
    with tarfile.open(path, "r:gz") as tar:
        meta = json.load(tar.extractfile("backup.json"))

    result = restore_drill(backup=path)

    assert meta["media"] == "not included: InMemoryStorage"
    assert result.ok
    assert result.notes == ["файлы не в копии (not included: InMemoryStorage): архив не перепроверен"]


def test_the_daily_task_backs_up_into_backup_dir_and_keeps_one_backup_a_day(transactional_db, settings, tmp_path):
    settings.BACKUP_DIR = tmp_path / "nightly"
    settings.MEDIA_ROOT = tmp_path / "media"
    with time_machine.travel(dt.datetime(2026, 12, 2, 2, 30, tzinfo=MSK), tick=False):
        first = backup_daily.delay().get()
    with time_machine.travel(dt.datetime(2026, 12, 2, 2, 31, tzinfo=MSK), tick=False):
        second = backup_daily.delay().get()

    assert Path(first).name == "ejournal-2026-12-02-023000.tar.gz"
    assert [p.name for p in settings.BACKUP_DIR.iterdir()] == [Path(second).name]
