"""Printing the class journal: one subject, a whole class or the whole school, for a study period, a half-year or
the year.

``journal_print_check`` holds every rule (who may print what, the dates inside the year); the page calls it before a
single subject is rendered in the request, and ``journal_print_request`` before it queues a bigger print as a
``JournalPrint`` row for the Celery task ``archive.tasks.render_journal_print``. ``journal_print_run`` renders class
by class and keeps each finished class's PDF in the storage (``parts``): a run that stops (a lost worker, a failure)
continues where it stopped and never renders a finished class again. One class gives one PDF; the whole school gives
a ZIP of one PDF per class (a school's year is hundreds of pages: a single PDF would be laid out in one process's
memory, and the archive keeps one journal per class anyway).
"""

import datetime as dt
import io
import logging
import zipfile
from dataclasses import dataclass
from functools import partial

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import is_school_management
from accounts.models import User
from journal.models import SchoolClass, SchoolYear, TeachingAssignment
from journal.services.queue import delay_or_fail

from ..access import own_assignments, prints_whole_class, require_journal_printer
from ..choices import ArchiveStatus
from ..models import JournalPrint
from ..render.journal import class_journal_pdf

logger = logging.getLogger(__name__)

TASK = "archive.tasks.render_journal_print"
STALL_AFTER = dt.timedelta(minutes=40)  # a running print this old lost its worker: another run may take it over
ROOT = "archive/prints"


@dataclass(frozen=True)
class PrintRequest:
    """A checked print: what to print and its title."""

    year: SchoolYear
    school_class: SchoolClass | None
    assignment: TeachingAssignment | None
    start: dt.date
    end: dt.date
    title: str


def _d(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def journal_print_check(
    *,
    actor: User,
    year: SchoolYear,
    school_class: SchoolClass | None,
    assignment: TeachingAssignment | None,
    start: dt.date,
    end: dt.date,
) -> PrintRequest:
    """Every rule of a print in one place; Russian ValidationError for bad input, PermissionDenied for a print the
    user may not make (the view answers 404 for objects they cannot see before it gets here)."""
    require_journal_printer(actor)
    if year.school_id != actor.school_id:
        raise ValidationError(_("Учебный год относится к другой школе."))
    if school_class is not None and school_class.year_id != year.pk:
        raise ValidationError(_("Класс относится к другому учебному году или к другой школе."))
    if assignment is not None and (school_class is None or assignment.school_class_id != school_class.pk):
        raise ValidationError(_("Предмет выбран не из нагрузки этого класса."))
    if start > end:
        raise ValidationError(_("Дата начала позже даты окончания: укажите период по порядку."))
    if start < year.start_date or end > year.end_date:
        raise ValidationError(
            _("Период должен лежать внутри учебного года %(year)s (%(start)s–%(end)s).")
            % {"year": year.name, "start": _d(year.start_date), "end": _d(year.end_date)}
        )
    if school_class is None:
        if not is_school_management(actor):
            raise PermissionDenied(_("Журналы всей школы печатает администрация."))
    elif not prints_whole_class(actor, school_class):
        if assignment is None:
            raise ValidationError(
                _("Журнал всего класса печатают классный руководитель и администрация: выберите свой предмет.")
            )
        if not own_assignments(actor).filter(pk=assignment.pk).exists():
            raise PermissionDenied(_("Учитель печатает журнал только своих предметов."))
    what = _("все классы") if school_class is None else str(school_class)
    if assignment is not None:
        what = f"{what}, {assignment.subject.name}" + (
            f" ({assignment.subgroup.name})" if assignment.subgroup_id else ""
        )
    title = _("Классный журнал: %(what)s, %(start)s–%(end)s") % {"what": what, "start": _d(start), "end": _d(end)}
    return PrintRequest(year, school_class, assignment, start, end, title)


def print_classes(journal_print: JournalPrint) -> list[SchoolClass]:
    """The classes of a print, in order (one query)."""
    if journal_print.school_class_id:
        classes = SchoolClass.objects.filter(pk=journal_print.school_class_id)
    else:
        classes = SchoolClass.objects.filter(year_id=journal_print.year_id)
    return list(classes.select_related("year__school", "class_teacher").order_by("grade", "letter"))


@transaction.atomic
def journal_print_request(
    *,
    actor: User,
    year: SchoolYear,
    school_class: SchoolClass | None,
    assignment: TeachingAssignment | None,
    start: dt.date,
    end: dt.date,
) -> JournalPrint:
    """Queue a print (checked as ``journal_print_check``); the task is sent after the commit."""
    checked = journal_print_check(
        actor=actor, year=year, school_class=school_class, assignment=assignment, start=start, end=end
    )
    journal_print = JournalPrint(
        school_id=actor.school_id,
        year=year,
        school_class=school_class,
        assignment=assignment,
        start=start,
        end=end,
        title=checked.title[:300],
        requested_by=actor,
    )
    journal_print.full_clean(exclude=["parts"])  # the model's JSONField lacks blank=True: {} is "empty"
    journal_print.progress_total = 1 if school_class is not None else SchoolClass.objects.filter(year=year).count()
    journal_print.save()
    transaction.on_commit(partial(delay_or_fail, TASK, JournalPrint, journal_print.pk))
    return journal_print


@transaction.atomic
def journal_print_resume(*, actor: User, journal_print: JournalPrint) -> JournalPrint:
    """Queue a failed print again: the classes already finished are kept and not rendered again."""
    if journal_print.requested_by_id != actor.pk:
        raise PermissionDenied
    if journal_print.status != ArchiveStatus.FAILED:
        raise ValidationError(_("Продолжить можно только печать, которая прервалась с ошибкой."))
    JournalPrint.objects.filter(pk=journal_print.pk, status=ArchiveStatus.FAILED).update(
        status=ArchiveStatus.QUEUED, error="", finished_at=None
    )
    transaction.on_commit(partial(delay_or_fail, TASK, JournalPrint, journal_print.pk))
    journal_print.refresh_from_db()
    return journal_print


def _part_path(journal_print: JournalPrint, school_class: SchoolClass) -> str:
    return f"{ROOT}/{journal_print.pk}/{school_class.grade}{school_class.letter}-{school_class.pk}.pdf"


def _claim(print_id: int) -> bool:
    """Take the print: a queued one, or a running one whose worker was lost (older than STALL_AFTER)."""
    now = timezone.now()
    if JournalPrint.objects.filter(pk=print_id, status=ArchiveStatus.QUEUED).update(
        status=ArchiveStatus.RUNNING, started_at=now
    ):
        return True
    return bool(
        JournalPrint.objects.filter(pk=print_id, status=ArchiveStatus.RUNNING, started_at__lt=now - STALL_AFTER).update(
            started_at=now
        )
    )


def journal_print_run(print_id: int) -> str:
    """Render the print's classes not rendered yet, then its file; "skipped" when another worker has it."""
    if not _claim(print_id):
        return "skipped"
    journal_print = JournalPrint.objects.select_related("assignment__subject", "year").get(pk=print_id)
    mine = JournalPrint.objects.filter(pk=print_id, status=ArchiveStatus.RUNNING)
    try:
        classes = print_classes(journal_print)
        parts = dict(journal_print.parts)
        done = sum(1 for c in classes if parts.get(str(c.pk)) and default_storage.exists(parts[str(c.pk)]))
        mine.update(progress_total=len(classes), progress_done=done)
        for school_class in classes:
            key = str(school_class.pk)
            if parts.get(key) and default_storage.exists(parts[key]):
                continue  # finished by an earlier run
            content = class_journal_pdf(
                school_class, start=journal_print.start, end=journal_print.end, assignment=journal_print.assignment
            )
            path = default_storage.save(_part_path(journal_print, school_class), ContentFile(content))
            parts[key] = path
            done += 1
            mine.update(parts=parts, progress_done=done)
        path = _final_file(journal_print, classes, parts)
    except Exception as error:
        logger.exception("journal print %s failed", print_id)
        mine.update(status=ArchiveStatus.FAILED, error=str(error)[:2000], finished_at=timezone.now())
        return "failed"
    mine.update(status=ArchiveStatus.DONE, path=path, size=default_storage.size(path), finished_at=timezone.now())
    return "done"


def _final_file(journal_print: JournalPrint, classes: list[SchoolClass], parts: dict[str, str]) -> str:
    """One class: its PDF is the file. The whole school: a ZIP of the classes' PDFs (stored, not compressed again)."""
    if journal_print.school_class_id:
        return parts[str(journal_print.school_class_id)]
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for school_class in classes:
            with default_storage.open(parts[str(school_class.pk)], "rb") as part:
                archive.writestr(f"{school_class.grade}{school_class.letter}.pdf", part.read())
    name = f"{ROOT}/{journal_print.pk}/journal-{journal_print.year.name.replace('/', '-')}.zip"
    return default_storage.save(name, ContentFile(buffer.getvalue()))


def download_name(journal_print: JournalPrint) -> str:
    """The file's name for the browser: «journal-7А-2026-09-01-2027-05-26.pdf» or «...zip» for the whole school."""
    what = "school"
    if journal_print.school_class_id:
        school_class = journal_print.school_class
        what = f"{school_class.grade}{school_class.letter}"
    suffix = "zip" if journal_print.path.endswith(".zip") else "pdf"
    return f"journal-{what}-{journal_print.start:%Y-%m-%d}-{journal_print.end:%Y-%m-%d}.{suffix}"
