"""Paper diaries: the class teacher prints, in one batch, the diary pages of the pupils whose parents chose paper.

Parents who decline electronic access get a printout of the diary at least twice a month [001 §3.3.5], weekly on
their written request [003 §2.12].
The class teacher prints for their class; the deputy, the director and the admin for any class of their school.
Each batch is one PDF (WeasyPrint) and one row of the print log (PaperDiaryPrint), which is also the job: a big
class takes WeasyPrint 15–30 s, too long for a web request, so ``paper_diaries_request`` checks the rules and queues
the row, and the Celery task ``diary.tasks.paper_diaries_render`` calls ``paper_print_render``, which makes the PDF
and stores it in the row (the web and Celery machines share only the database).
"""

import datetime as dt
import logging
from dataclasses import dataclass
from functools import cache, partial

from django.contrib.staticfiles import finders
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from journal.lock import school_today
from journal.models import SchoolClass

from ..access import may_print, visible_paper_classes
from ..models import PaperDiaryPrint
from ..selectors.paper import PaperPupil, paper_diary_pages, paper_pupils, pending_print
from .queue import task_delay

logger = logging.getLogger(__name__)

MAX_DAYS = 31  # «at least twice a month»: an interval longer than a month is not a diary printout any more
STYLESHEET = "css/paper-diary.css"
ERROR_LENGTH = 2000

NOT_A_PRINTER = gettext_lazy("Бумажные дневники печатает классный руководитель класса или администрация его школы.")

PaperLayout = PaperDiaryPrint.Layout
PrintStatus = PaperDiaryPrint.Status


def check_interval(school_class: SchoolClass, date_from: dt.date, date_to: dt.date, today: dt.date) -> None:
    """Russian messages for a reversed, too long, future or out-of-year interval."""
    if date_from > date_to:
        raise ValidationError(_("Дата начала позже даты окончания: укажите период по порядку."))
    days = (date_to - date_from).days + 1
    if days > MAX_DAYS:
        raise ValidationError(
            _(
                "Период слишком длинный: %(days)s дн. Распечатка делается не реже двух раз в месяц — не больше %(max)s дн."
            )
            % {"days": days, "max": MAX_DAYS}
        )
    year = school_class.year
    if date_from < year.start_date or date_to > year.end_date:
        raise ValidationError(
            _("Период должен лежать внутри учебного года %(year)s (%(start)s–%(end)s).")
            % {"year": year.name, "start": f"{year.start_date:%d.%m.%Y}", "end": f"{year.end_date:%d.%m.%Y}"}
        )
    if date_from > today:
        raise ValidationError(_("Период начинается в будущем: распечатывать пока нечего."))


def no_paper_families(school_class: SchoolClass) -> ValidationError:
    return ValidationError(
        _("В классе %(cls)s нет родителей, выбравших бумажную форму информирования: распечатывать нечего.")
        % {"cls": school_class}
    )


def paper_print_check(
    *, actor: User, school_class: SchoolClass, date_from: dt.date, date_to: dt.date, layout: str
) -> list[PaperPupil]:
    """Every rule of a batch, in one place: who may print, the layout, the interval, someone to print for.

    Returns the pupils to print; raises PermissionDenied or ValidationError (Russian messages).
    """
    if not may_print(actor, school_class):
        raise PermissionDenied(NOT_A_PRINTER)
    if layout not in PaperLayout.values:
        raise ValidationError(_("Неизвестный вид распечатки."))
    check_interval(school_class, date_from, date_to, school_today(school_class.year.school))
    pupils = paper_pupils(school_class, date_from, date_to)
    if not pupils:
        raise no_paper_families(school_class)
    return pupils


@cache
def _stylesheet():
    """The PDF stylesheet, parsed once per process (WeasyPrint's CSS parsing is not free)."""
    from weasyprint import CSS

    return CSS(filename=finders.find(STYLESHEET))


def render_pdf(html: str) -> tuple[bytes, int]:
    """The PDF of the HTML and its number of pages."""
    from weasyprint import HTML

    document = HTML(string=html).render(stylesheets=[_stylesheet()])
    return document.write_pdf(), len(document.pages)


PDF_TEMPLATE = "diary/paper/pdf.html"


def paper_diaries_context(
    school_class: SchoolClass, pupils: list[PaperPupil], date_from: dt.date, date_to: dt.date, layout: str, *, today
) -> dict:
    """What PDF_TEMPLATE prints: every pupil's pages for the interval, one or two pupils to a sheet (the reads)."""
    pages, period = paper_diary_pages(school_class, pupils, date_from, date_to, today=today)
    per_sheet = 2 if layout == PaperLayout.TWO else 1
    return {
        "school": school_class.year.school,
        "school_class": school_class,
        "date_from": date_from,
        "date_to": date_to,
        "period": period,
        "printed_on": today,
        "layout": layout,
        "sheets": [pages[start : start + per_sheet] for start in range(0, len(pages), per_sheet)],
    }


@dataclass
class PaperBatch:
    """A made PDF: the bytes, its pages and how many pupils it holds."""

    pdf: bytes
    pages: int
    pupils: int


def paper_diaries_pdf(
    *, school_class: SchoolClass, date_from: dt.date, date_to: dt.date, layout: str, today: dt.date
) -> PaperBatch:
    """The batch's PDF, synchronously: what the task runs and bench/paper.py times. Reads only, writes nothing.

    The pupils are read again (a parent may have changed the form since the request); none left is a
    ValidationError. ``school_class`` comes with ``year__school`` and ``class_teacher``.
    """
    pupils = paper_pupils(school_class, date_from, date_to)
    if not pupils:
        raise no_paper_families(school_class)
    context = paper_diaries_context(school_class, pupils, date_from, date_to, layout, today=today)
    pdf, pages = render_pdf(render_to_string(PDF_TEMPLATE, context))
    return PaperBatch(pdf=pdf, pages=pages, pupils=len(pupils))


def paper_diaries_request(
    *, actor: User, school_class: SchoolClass, date_from: dt.date, date_to: dt.date, layout: str
) -> PaperDiaryPrint:
    """Queue a batch: check the rules, write its log row (queued) and hand it to Celery after the commit.

    Nothing is written when a rule says no. The same batch (class, interval, layout) asked again while it is still
    being made is not queued twice: its row is returned (a double click, a second tab). A failed or stalled batch
    may be asked again. Without a broker (development, tests) the task runs eagerly at the commit, so the row is
    ready (or failed) when the caller's transaction ends.
    """
    pupils = paper_print_check(
        actor=actor, school_class=school_class, date_from=date_from, date_to=date_to, layout=layout
    )
    with transaction.atomic():
        # Two requests for the same class wait for each other here, so the second one finds the first one's row.
        # The class is locked from those the actor prints for: a right lost since the check above writes nothing.
        locked = list(
            visible_paper_classes(actor)
            .select_for_update(of=("self",))
            .filter(pk=school_class.pk)
            .order_by()
            .values_list("pk")
        )
        if not locked:
            raise PermissionDenied(NOT_A_PRINTER)
        pending = pending_print(school_class, date_from, date_to, layout, now=timezone.now())
        if pending is not None:
            return pending
        record = PaperDiaryPrint(
            school_class=school_class,
            date_from=date_from,
            date_to=date_to,
            layout=layout,
            pupils=len(pupils),
            printed_by=actor,
            status=PrintStatus.QUEUED,
        )
        record.full_clean(exclude=["school_class", "printed_by"])  # both checked above; no existence queries
        record.save()
        transaction.on_commit(partial(enqueue, record.pk))
    return record


def enqueue(print_id: int) -> None:
    """Hand a queued print to Celery. A broker that is down fails the print at once, with the reason on the page,
    rather than leaving it queued for nobody."""
    try:
        task_delay("diary.tasks.paper_diaries_render", print_id)
    except Exception as error:
        logger.exception("paper print %s not handed to Celery", print_id)
        PaperDiaryPrint.objects.filter(pk=print_id, status=PrintStatus.QUEUED).update(
            status=PrintStatus.FAILED,
            error=_("Не удалось поставить в очередь: %(error)s") % {"error": _error_text(error)},
            finished_at=timezone.now(),
        )


def _error_text(error: Exception) -> str:
    if isinstance(error, ValidationError):
        return " ".join(error.messages)[:ERROR_LENGTH]
    return f"{type(error).__name__}: {error}"[:ERROR_LENGTH]


def paper_print_render(print_id: int) -> str:
    """The task's work: claim a queued print, make its PDF and store it in the row (ready), or store why not
    (failed). Returns the status it left, or "skipped".

    The claim is a conditional UPDATE (queued → rendering): a second run, a second delivery of the message or a
    second worker finds nothing to claim and changes nothing. The PDF is made outside any transaction; each write
    is one UPDATE of this row only, conditional on the claim, so a failure loses nothing but this print's PDF.
    """
    claimed = PaperDiaryPrint.objects.filter(pk=print_id, status=PrintStatus.QUEUED).update(
        status=PrintStatus.RENDERING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    record = (
        PaperDiaryPrint.objects.select_related("school_class__year__school", "school_class__class_teacher")
        .defer("pdf")
        .get(pk=print_id)
    )
    mine = PaperDiaryPrint.objects.filter(pk=print_id, status=PrintStatus.RENDERING)
    school_class = record.school_class
    try:
        batch = paper_diaries_pdf(
            school_class=school_class,
            date_from=record.date_from,
            date_to=record.date_to,
            layout=record.layout or PaperLayout.ONE,
            today=school_today(school_class.year.school),
        )
    except Exception as error:  # WeasyPrint, a time limit, the data: the row says why, the user may ask again
        if not isinstance(error, ValidationError):
            logger.exception("paper print %s failed", print_id)
        mine.update(status=PrintStatus.FAILED, error=_error_text(error), finished_at=timezone.now())
        return PrintStatus.FAILED
    mine.update(
        status=PrintStatus.READY,
        pdf=batch.pdf,
        pages=batch.pages,
        size=len(batch.pdf),
        pupils=batch.pupils,
        error="",
        finished_at=timezone.now(),
    )
    return PrintStatus.READY
