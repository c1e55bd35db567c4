"""The year's archive: started by the school's admin once the year is closed (or from 1 June of its last calendar
year, so that the summary sheets are ready by 30 June), built by a Celery job, removed file by file only after each
file's retention date, by an act.

For each class of the year the job writes three files — the summary sheet (PDF/A, «Классный руководитель / Директор /
М. П.»), the class journal for the year (PDF) and the class's year as canonical JSON — then the manifest (every file's
path, kind, size, SHA-256, retention date) and a cover sheet that prints the manifest's SHA-256. Each class is read
and written in one transaction (REPEATABLE READ on PostgreSQL: one snapshot of its data); ``snapshot_at`` stamps
when the run began. Resumable: a class whose files exist is not done again, so a second run writes nothing and the
manifest — named by its own hash — comes out the same.

Files go through Django's default storage and are never overwritten: a name that is taken gets a suffix. The size
and the SHA-256 are those of the bytes written.
"""

import datetime as dt
import hashlib
import logging
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _

from accounts.access import can_edit_structure, same_school
from accounts.models import User
from journal.lock import school_today
from journal.models import SchoolClass, SchoolYear, TeachingAssignment
from journal.services.queue import delay_or_fail
from reports.access import ReportScope

from ..choices import RETENTION_YEARS, ArchiveKind, ArchiveStatus
from ..models import ArchiveDownload, ArchiveFile, ArchiveYear
from ..render.archive import cover_pdf, summary_sheet_pdf
from ..selectors.class_year import canonical_json, class_year_data
from .signing import load_signer, sign_pdf

logger = logging.getLogger(__name__)

TASK = "archive.tasks.archive_year_build"
CLASS_KINDS = (ArchiveKind.SUMMARY_SHEET, ArchiveKind.CLASS_JOURNAL, ArchiveKind.CLASS_DATA)
MANIFEST_FORMAT = "ejournal-archive-manifest/1"
PDF, JSON = "application/pdf", "application/json"
# A run still "running" this long after it began is taken for a worker that died: the admin may start it again.
STALE_AFTER = dt.timedelta(hours=3)


# --- who, when --------------------------------------------------------------------------------------------------


def archive_opens(year: SchoolYear) -> dt.date:
    """On demand the archive may be made from 1 June of the year's last calendar year (the sheets are due by 30 June);
    a closed year any time."""
    return dt.date(year.end_date.year, 6, 1)


def can_archive(user: User, school_id: int | None) -> bool:
    """Starting the archive and removing its files: the school's administrator."""
    return can_edit_structure(user) and same_school(user, school_id)


def archive_startable(year: SchoolYear, today: dt.date | None = None) -> bool:
    return year.is_closed or (today or school_today(year.school)) >= archive_opens(year)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def retain_until(year: SchoolYear, kind: str) -> dt.date:
    """Kept so many years from the end of the school year [000 §7.6, 002 §6.5]."""
    return add_years(year.end_date, RETENTION_YEARS[kind])


# --- starting -------------------------------------------------------------------------------------------------


@transaction.atomic
def archive_year_start(*, actor: User, year: SchoolYear) -> ArchiveYear:
    """Queue the archive of ``year``: made for the first time, resumed after a failure, or run again (which writes
    nothing new). The job is handed to Celery after the commit."""
    if not can_archive(actor, year.school_id):
        raise PermissionDenied(_("Архивировать учебный год может только администратор школы."))
    year = SchoolYear.objects.select_related("school").get(pk=year.pk)
    if not archive_startable(year):
        raise ValidationError(
            _(
                "Учебный год %(year)s ещё не закрыт: архив можно сформировать после закрытия года или с %(date)s "
                "(сводные ведомости готовят к 30 июня)."
            )
            % {"year": year.name, "date": f"{archive_opens(year):%d.%m.%Y}"}
        )
    archive = ArchiveYear.objects.select_for_update().filter(year=year).first()
    if archive is None:
        archive = ArchiveYear(school=year.school, year=year, started_by=actor, status=ArchiveStatus.QUEUED)
    else:
        stale = archive.started_at is not None and archive.started_at < timezone.now() - STALE_AFTER
        if archive.status == ArchiveStatus.QUEUED or (archive.status == ArchiveStatus.RUNNING and not stale):
            raise ValidationError(_("Архив за %(year)s уже формируется: дождитесь окончания.") % {"year": year.name})
        archive.status, archive.started_by, archive.error = ArchiveStatus.QUEUED, actor, ""
        archive.started_at = archive.finished_at = None
    archive._history_user = actor
    archive.save()
    transaction.on_commit(partial(delay_or_fail, TASK, ArchiveYear, archive.pk))
    return archive


# --- the job ------------------------------------------------------------------------------------------------------


def archive_year_build(archive_id: int) -> str:
    """The Celery job: claim the queued archive, archive every class not yet archived, then the manifest and the
    cover. Returns "skipped" (not queued: another worker has it), "done" or "failed" (with the reason kept)."""
    claimed = ArchiveYear.objects.filter(pk=archive_id, status=ArchiveStatus.QUEUED).update(
        status=ArchiveStatus.RUNNING, started_at=timezone.now(), finished_at=None, error=""
    )
    if not claimed:
        return "skipped"
    archive = ArchiveYear.objects.select_related("year__school", "started_by").get(pk=archive_id)
    mine = ArchiveYear.objects.filter(pk=archive_id, status=ArchiveStatus.RUNNING)
    try:
        _build(archive)
    except Exception as error:
        logger.exception("archive %s failed", archive_id)
        mine.update(status=ArchiveStatus.FAILED, error=str(error)[:2000] or error.__class__.__name__,
                    finished_at=timezone.now())  # fmt: skip
        return "failed"
    mine.update(status=ArchiveStatus.DONE, finished_at=timezone.now())
    return "done"


def _build(archive: ArchiveYear) -> None:
    year = archive.year
    if archive.snapshot_at is None:
        archive.snapshot_at = timezone.now()
        ArchiveYear.objects.filter(pk=archive.pk).update(snapshot_at=archive.snapshot_at)
    classes = list(
        SchoolClass.objects.filter(year=year)
        .select_related("year__school", "class_teacher")
        .order_by("grade", "letter", "pk")
    )
    have: dict[int, set[str]] = {}
    for class_id, kind in archive.files.filter(school_class__isnull=False).values_list("school_class_id", "kind"):
        have.setdefault(class_id, set()).add(kind)
    done = sum(1 for c in classes if have.get(c.pk, set()) >= set(CLASS_KINDS))
    ArchiveYear.objects.filter(pk=archive.pk).update(progress_done=done, progress_total=len(classes) + 1)
    signer = load_signer()
    # The summary sheet as the administration sees it: every class of the year.
    scope = ReportScope(
        user=archive.started_by,
        school=year.school,
        management=True,
        classes=SchoolClass.objects.filter(year=year),
        assignments=TeachingAssignment.objects.filter(school_class__year=year),
    )
    for school_class in classes:
        missing = [kind for kind in CLASS_KINDS if kind not in have.get(school_class.pk, set())]
        if not missing:
            continue
        _archive_class(archive, school_class, missing, scope, signer)
        done += 1
        ArchiveYear.objects.filter(pk=archive.pk).update(progress_done=done)
    _manifest_and_cover(archive, signer)
    ArchiveYear.objects.filter(pk=archive.pk).update(progress_done=len(classes) + 1)


def _snapshot_atomic():
    """A transaction that reads one snapshot: REPEATABLE READ on PostgreSQL when it is the outermost one (SQLite's
    transaction already is a snapshot; inside an outer transaction, e.g. a test's, the outer one decides)."""
    outermost = not connection.in_atomic_block
    atomic = transaction.atomic()

    class _Snapshot:
        def __enter__(self):
            atomic.__enter__()
            if outermost and connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

        def __exit__(self, *exc):
            return atomic.__exit__(*exc)

    return _Snapshot()


def _archive_class(archive: ArchiveYear, school_class: SchoolClass, kinds: list[str], scope, signer) -> None:
    from ..render.journal import class_journal_pdf  # helper module of the printed journal, imported when used

    year = archive.year
    folder = f"{_base(archive)}/{_slug(f'{school_class.grade}{school_class.letter}')}"
    label = f"{school_class} {year.name.replace('/', '-')}"
    with _snapshot_atomic():
        for kind in kinds:
            if kind == ArchiveKind.SUMMARY_SHEET:
                data = summary_sheet_pdf(scope, school_class)
                name, stem, content_type = f"Сводная ведомость {label}.pdf", "summary-sheet.pdf", PDF
            elif kind == ArchiveKind.CLASS_JOURNAL:
                data = class_journal_pdf(school_class, start=None, end=None, assignment=None)
                name, stem, content_type = f"Классный журнал {label}.pdf", "class-journal.pdf", PDF
            else:
                data = canonical_json(class_year_data(school_class, archive.snapshot_at))
                name, stem, content_type = f"Данные класса {label}.json", "class-data.json", JSON
            signed = False
            if signer is not None and content_type == PDF:
                data = sign_pdf(data, signer, reason=_("Архив учебного года"), location=year.school.name[:100])
                signed = True
            _store(archive, school_class, kind, name, f"{folder}/{stem}", content_type, data, signed)


def _store(archive, school_class, kind, name, path, content_type, data: bytes, signed: bool) -> ArchiveFile:
    """Write ``data`` under a free name (never over an existing file) and record it with the size and SHA-256 of
    the bytes written."""
    stored = default_storage.save(_free_name(path), ContentFile(data))
    size = default_storage.size(stored)
    if size != len(data):
        raise OSError(_("Хранилище записало %(size)s байт вместо %(expected)s: %(path)s")
                      % {"size": size, "expected": len(data), "path": stored})  # fmt: skip
    record = ArchiveFile(
        archive=archive,
        school_class=school_class,
        kind=kind,
        name=name[:200],
        path=stored,
        content_type=content_type,
        size=size,
        sha256=hashlib.sha256(data).hexdigest(),
        signed=signed,
        created_at=timezone.now(),
        retain_until=retain_until(archive.year, kind),
    )
    record._history_user = archive.started_by
    record.save()
    return record


def _free_name(path: str) -> str:
    """``path``, or ``path`` with «-2», «-3»… before the extension where it is taken. Storages that overwrite
    (django-storages' S3 by default) are not trusted to refuse."""
    if not default_storage.exists(path):
        return path
    stem, dot, ext = path.rpartition(".")
    number = 2
    while default_storage.exists(f"{stem}-{number}{dot}{ext}"):
        number += 1
    return f"{stem}-{number}{dot}{ext}"


def _slug(text: str) -> str:
    return get_valid_filename(text.replace("/", "-")) or "x"


def _base(archive: ArchiveYear) -> str:
    return f"archive/{archive.school_id}/{_slug(archive.year.name)}"


# --- the manifest and the cover -----------------------------------------------------------------------------------


def manifest_data(archive: ArchiveYear) -> dict:
    """What the manifest says: the year, the school, the snapshot's time and every class file (removed ones too: the
    manifest describes what was archived)."""
    year = archive.year
    files = archive.files.filter(school_class__isnull=False).select_related("school_class").order_by("pk")
    return {
        "format": MANIFEST_FORMAT,
        "school": {"id": year.school.pk, "name": year.school.name},
        "year": {"id": year.pk, "name": year.name, "start_date": year.start_date, "end_date": year.end_date},
        "snapshot_at": archive.snapshot_at,
        "files": [
            {
                "path": f.path,
                "name": f.name,
                "kind": f.kind,
                "class": str(f.school_class),
                "class_id": f.school_class_id,
                "content_type": f.content_type,
                "size": f.size,
                "sha256": f.sha256,
                "retain_until": f.retain_until,
                "signed": f.signed,
            }
            for f in files
        ],
    }


def _manifest_and_cover(archive: ArchiveYear, signer) -> None:
    data = manifest_data(archive)
    content = canonical_json(data)
    sha = hashlib.sha256(content).hexdigest()
    base = _base(archive)
    year = archive.year
    with transaction.atomic():
        # Named by its own hash: a second run that finds the same files makes the same name and writes nothing.
        if not archive.files.filter(kind=ArchiveKind.MANIFEST, sha256=sha).exists():
            _store(archive, None, ArchiveKind.MANIFEST, f"Опись архива {year.name.replace('/', '-')}.json",
                   f"{base}/manifest-{sha[:16]}.json", JSON, content, False)  # fmt: skip
        if not archive.files.filter(kind=ArchiveKind.COVER, path__startswith=f"{base}/cover-{sha[:16]}").exists():
            pdf = cover_pdf(
                school_name=year.school.name,
                year_name=year.name,
                manifest_sha256=sha,
                file_count=len(data["files"]),
                classes=len({f["class_id"] for f in data["files"]}),
                made_on=school_today(year.school),
                snapshot_at=archive.snapshot_at,
                signed=signer is not None,
            )
            signed = signer is not None
            if signed:
                pdf = sign_pdf(pdf, signer, reason=_("Архив учебного года"), location=year.school.name[:100])
            _store(archive, None, ArchiveKind.COVER, f"Титульный лист архива {year.name.replace('/', '-')}.pdf",
                   f"{base}/cover-{sha[:16]}.pdf", PDF, pdf, signed)  # fmt: skip
        if archive.manifest_sha256 != sha:
            ArchiveYear.objects.filter(pk=archive.pk).update(manifest_sha256=sha)
            archive.manifest_sha256 = sha


def current_manifest(archive: ArchiveYear) -> ArchiveFile | None:
    if not archive.manifest_sha256:
        return None
    return archive.files.filter(kind=ArchiveKind.MANIFEST, sha256=archive.manifest_sha256).order_by("-pk").first()


def current_cover(archive: ArchiveYear) -> ArchiveFile | None:
    if not archive.manifest_sha256:
        return None
    base = _base(archive)
    return (
        archive.files.filter(kind=ArchiveKind.COVER, path__startswith=f"{base}/cover-{archive.manifest_sha256[:16]}")
        .order_by("-pk")
        .first()
    )


# --- downloads and removal -------------------------------------------------------------------------------------


def archive_download_log(*, user: User, file: ArchiveFile) -> ArchiveDownload:
    """Every download of an archived file is recorded: who and when."""
    return ArchiveDownload.objects.create(file=file, user=user)


@transaction.atomic
def archive_file_remove(*, actor: User, file: ArchiveFile, act_number: str) -> ArchiveFile:
    """Select a file for destruction by act ``act_number`` once its retention date has passed: the record stays
    (with who, when and the act, in its history); the stored file is deleted after the commit. Never automatic."""
    file = ArchiveFile.objects.select_for_update().select_related("archive__school").get(pk=file.pk)
    if not can_archive(actor, file.archive.school_id):
        raise PermissionDenied(_("Выделять файлы архива к уничтожению может только администратор школы."))
    act_number = (act_number or "").strip()
    if not act_number:
        raise ValidationError(_("Укажите номер акта о выделении к уничтожению."))
    if len(act_number) > 60:
        raise ValidationError(_("Номер акта — не длиннее 60 знаков."))
    if file.removed_at is not None:
        raise ValidationError(
            _("Файл «%(name)s» уже выделен к уничтожению по акту № %(act)s.")
            % {"name": file.name, "act": file.removal_act}
        )
    today = school_today(file.archive.school)
    if today <= file.retain_until:
        raise ValidationError(
            _(
                "Файл «%(name)s» хранится до %(until)s включительно: выделить его к уничтожению можно "
                "не раньше %(after)s."
            )
            % {
                "name": file.name,
                "until": f"{file.retain_until:%d.%m.%Y}",
                "after": f"{file.retain_until + dt.timedelta(days=1):%d.%m.%Y}",
            }
        )
    file.removed_at, file.removed_by, file.removal_act = timezone.now(), actor, act_number
    file._history_user = actor
    file.save(update_fields=["removed_at", "removed_by", "removal_act"])
    logger.info("archive file %s (%s) removed by %s, act %s", file.pk, file.path, actor.pk, act_number)
    transaction.on_commit(partial(default_storage.delete, file.path))
    return file
