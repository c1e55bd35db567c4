"""The year's archive: started by the school's admin once the year is closed (or from 1 June of its last calendar
year, so that the summary sheets are ready by 30 June), built by Celery tasks, removed file by file only after each
file's retention date, by an act.

For each class of the year the job writes three files — the summary sheet (PDF/A, «Классный руководитель / Директор /
М. П.»), the class journal for the year (PDF) and the class's year as canonical JSON — then the manifest (every file's
path, kind, size, SHA-256, retention date) and a cover sheet that prints the manifest's SHA-256. Each class is read
and written in one transaction (REPEATABLE READ on PostgreSQL: one snapshot of its data); ``snapshot_at`` stamps
when the run began, once for the whole year.

Parallel: the start queues ``ARCHIVE_PARALLEL`` tasks; each claims one class at a time (an ``ArchiveClass`` row,
taken with a conditional UPDATE that one worker only wins) until none is left, and the task that finds every class
done claims the manifest and writes it with the cover, once. Resumable: a class whose files exist is done, a failed
or lost class is taken again on the next start, so a second run writes nothing and the manifest — named by its own
hash — comes out the same.

Files go through Django's default storage and are never overwritten: a name that is taken gets a suffix. The size
and the SHA-256 are those of the bytes written.
"""

import datetime as dt
import hashlib
import logging
import os
import socket
import time
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
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
from ..models import ArchiveClass, ArchiveDownload, ArchiveFile, ArchiveYear
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
# A class claimed this long ago and not done lost its worker (a class takes a minute or two): another task takes it.
CLASS_STALE_AFTER = dt.timedelta(minutes=30)


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
    nothing new). ``ARCHIVE_PARALLEL`` tasks are handed to Celery after the commit: each worker that takes one
    archives classes until none is left (``archive_year_build``)."""
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
        archive.started_at = archive.finished_at = archive.manifest_claimed_at = None
    archive._history_user = actor
    archive.save()
    _prepare_classes(archive, restart=True)
    for _n in range(max(1, settings.ARCHIVE_PARALLEL)):
        transaction.on_commit(partial(delay_or_fail, TASK, ArchiveYear, archive.pk))
    return archive


def _year_classes(year: SchoolYear) -> list[SchoolClass]:
    return list(
        SchoolClass.objects.filter(year=year)
        .select_related("year__school", "class_teacher")
        .order_by("grade", "letter", "pk")
    )


def _recorded_kinds(archive: ArchiveYear) -> dict[int, set[str]]:
    """Class id → the kinds of its files recorded in the archive."""
    have: dict[int, set[str]] = {}
    for class_id, kind in archive.files.filter(school_class__isnull=False).values_list("school_class_id", "kind"):
        have.setdefault(class_id, set()).add(kind)
    return have


def _prepare_classes(archive: ArchiveYear, *, restart: bool) -> None:
    """One ``ArchiveClass`` row per class of the year (the claims of the workers); the totals of the progress.

    A start (``restart``) sets each row from the files recorded: a class with its three files is done, every other
    one is queued again (a run that failed or lost its worker resumes). A task only adds the rows missing (an archive
    queued before the rows existed), never resets one another worker may hold."""
    classes = _year_classes(archive.year)
    have = _recorded_kinds(archive)
    complete = {c.pk for c in classes if have.get(c.pk, set()) >= set(CLASS_KINDS)}
    rows = {row.school_class_id: row for row in ArchiveClass.objects.filter(archive=archive)}
    ArchiveClass.objects.bulk_create(
        [
            ArchiveClass(
                archive=archive,
                school_class=c,
                status=ArchiveStatus.DONE if c.pk in complete else ArchiveStatus.QUEUED,
            )
            for c in classes
            if c.pk not in rows
        ],
        ignore_conflicts=True,
    )
    if restart:
        ArchiveClass.objects.filter(archive=archive, school_class_id__in=complete).exclude(
            status=ArchiveStatus.DONE
        ).update(status=ArchiveStatus.DONE)
        ArchiveClass.objects.filter(archive=archive).exclude(school_class_id__in=complete).exclude(
            status=ArchiveStatus.QUEUED
        ).update(status=ArchiveStatus.QUEUED, started_at=None, finished_at=None, worker="")
    ArchiveYear.objects.filter(pk=archive.pk).update(progress_total=len(classes) + 1)
    _count_progress(archive.pk)


def _count_progress(archive_id: int) -> None:
    """``progress_done``: the classes done, counted in the same statement (two workers never undo each other)."""
    done = (
        ArchiveClass.objects.filter(archive_id=OuterRef("pk"), status=ArchiveStatus.DONE)
        .order_by()
        .values("archive_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    ArchiveYear.objects.filter(pk=archive_id).update(progress_done=Coalesce(Subquery(done), 0))


# --- the job ------------------------------------------------------------------------------------------------------


def _worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def archive_year_build(archive_id: int) -> str:
    """The Celery job, run by ``ARCHIVE_PARALLEL`` tasks at once: join the queued or running archive, archive one
    class after another — each claimed with a conditional UPDATE that only one worker wins — until none is left; the
    task that finds every class done writes the manifest and the cover, once.

    Returns "skipped" (the archive is neither queued nor running: done, failed, or never queued), "done" (this task
    finished the archive), "shared" (it archived what it could claim; another task finishes) or "failed" (a class or
    the manifest failed: the archive is failed with the reason kept, and the other tasks stop after their class)."""
    ArchiveYear.objects.filter(pk=archive_id, status=ArchiveStatus.QUEUED).update(
        status=ArchiveStatus.RUNNING, started_at=timezone.now(), finished_at=None, error=""
    )
    running = ArchiveYear.objects.filter(pk=archive_id, status=ArchiveStatus.RUNNING)
    # One moment for the whole year, whichever task comes first.
    running.filter(snapshot_at__isnull=True).update(snapshot_at=timezone.now())
    archive = ArchiveYear.objects.select_related("year__school", "started_by").filter(pk=archive_id).first()
    if archive is None or archive.status != ArchiveStatus.RUNNING:
        return "skipped"
    try:
        _prepare_classes(archive, restart=False)
        signer = load_signer()
        # The summary sheet as the administration sees it: every class of the year.
        scope = ReportScope(
            user=archive.started_by,
            school=archive.year.school,
            management=True,
            classes=SchoolClass.objects.filter(year=archive.year),
            assignments=TeachingAssignment.objects.filter(school_class__year=archive.year),
        )
        while (claim := _claim_class(archive)) is not None:
            _archive_claimed(archive, claim, scope, signer)
            _count_progress(archive.pk)
            if not running.exists():  # another task failed the archive: stop after the class in hand
                return "failed"
        if not _claim_manifest(archive):
            return "shared"
        _manifest_and_cover(archive, signer)
    except Exception as error:
        logger.exception("archive %s failed", archive_id)
        running.update(status=ArchiveStatus.FAILED, error=str(error)[:2000] or error.__class__.__name__,
                       finished_at=timezone.now())  # fmt: skip
        return "failed"
    running.update(status=ArchiveStatus.DONE, finished_at=timezone.now(), progress_done=F("progress_total"))
    return "done"


def _claim_class(archive: ArchiveYear) -> ArchiveClass | None:
    """Take the next class no worker holds (or whose worker was lost ``CLASS_STALE_AFTER`` ago): a conditional
    UPDATE, which on PostgreSQL and SQLite alike only one of two workers wins; the loser tries the next class."""
    now = timezone.now()
    free = Q(status=ArchiveStatus.QUEUED) | Q(status=ArchiveStatus.RUNNING, started_at__lt=now - CLASS_STALE_AFTER)
    candidates = ArchiveClass.objects.filter(free, archive=archive).order_by(
        "school_class__grade", "school_class__letter", "school_class_id"
    )
    for row in candidates.only("pk", "status", "started_at")[:50]:
        won = ArchiveClass.objects.filter(pk=row.pk, status=row.status, started_at=row.started_at).update(
            status=ArchiveStatus.RUNNING, started_at=now, finished_at=None, worker=_worker_name()
        )
        if won:
            return ArchiveClass.objects.select_related("school_class__year__school", "school_class__class_teacher").get(
                pk=row.pk
            )
    return None


def _claim_manifest(archive: ArchiveYear) -> bool:
    """The manifest is written by one task: the first that finds every class done and marks the archive."""
    unfinished = ArchiveClass.objects.filter(archive_id=OuterRef("pk")).exclude(status=ArchiveStatus.DONE)
    return bool(
        ArchiveYear.objects.filter(pk=archive.pk, status=ArchiveStatus.RUNNING, manifest_claimed_at__isnull=True)
        .exclude(Exists(unfinished))
        .update(manifest_claimed_at=timezone.now())
    )


def _archive_claimed(archive: ArchiveYear, claim: ArchiveClass, scope, signer) -> None:
    """Archive the claimed class (the kinds of file it lacks): render them from one snapshot, then record them and
    mark the class done in one transaction; a failure marks the claim failed and is raised.

    The writes come after the snapshot's transaction, not inside it: on SQLite a read transaction that turns into a
    write fails at once («database is locked») when another connection — the web server — has written meanwhile,
    and a render takes seconds. The files hold only what the snapshot saw either way."""
    wall, cpu = time.perf_counter(), time.process_time()
    school_class = claim.school_class
    missing = [kind for kind in CLASS_KINDS if kind not in _recorded_kinds_of(archive, school_class)]
    mine = ArchiveClass.objects.filter(pk=claim.pk, status=ArchiveStatus.RUNNING, worker=claim.worker)
    try:
        with _snapshot_atomic():
            rendered = _render_class(archive, school_class, missing, scope, signer) if missing else []
        with transaction.atomic():
            for item in rendered:
                _store(archive, school_class, *item)
            mine.update(
                status=ArchiveStatus.DONE,
                finished_at=timezone.now(),
                seconds=round(time.perf_counter() - wall, 3),
                cpu_seconds=round(time.process_time() - cpu, 3),
            )
    except Exception:
        mine.update(status=ArchiveStatus.FAILED, finished_at=timezone.now())
        raise


def _recorded_kinds_of(archive: ArchiveYear, school_class: SchoolClass) -> set[str]:
    return set(archive.files.filter(school_class=school_class).values_list("kind", flat=True))


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


def _render_class(archive: ArchiveYear, school_class: SchoolClass, kinds: list[str], scope, signer) -> list[tuple]:
    """The class's files of ``kinds``, rendered in the caller's snapshot transaction: for each, ``_store``'s
    arguments after the class (kind, name, path, content type, bytes, signed)."""
    from ..render.journal import class_journal_pdf  # helper module of the printed journal, imported when used

    year = archive.year
    folder = f"{_base(archive)}/{_slug(f'{school_class.grade}{school_class.letter}')}"
    label = f"{school_class} {year.name.replace('/', '-')}"
    rendered = []
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
        rendered.append((kind, name, f"{folder}/{stem}", content_type, data, signed))
    return rendered


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
