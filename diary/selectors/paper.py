"""Reads for paper diaries: who gets a printout, the class's consents and forms of information, the print log, and
the printed pages themselves (built from the diary's batched selectors, never a copy of their logic).

Each returns what its page or PDF shows in a fixed number of queries, whatever the size of the class.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import BooleanField, ExpressionWrapper, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import InfoForm, ParentKind
from accounts.models import ParentChild, PupilProfile
from journal.models import Enrollment, SchoolClass, StudyPeriod
from journal.selectors.people import class_on_date, roll_from

from ..models import PaperDiaryPrint
from .days import DiaryDay, pupil_days, short_name
from .marks import grade_periods, pick_period, subject_summaries

# The regulations ask for a printout at least twice a month [001 §3.3.5]: warn after this many days.
PRINT_EVERY_DAYS = 15
DEFAULT_DAYS = 14  # the default interval: two weeks ending today
LOG_LENGTH = 10
# A print still queued or rendering this long after the request is shown as stalled (a lost worker or message):
# the page stops waiting for it and offers to print again. A class of 30 takes under a minute.
STALL_AFTER = dt.timedelta(minutes=10)
PENDING = (PaperDiaryPrint.Status.QUEUED, PaperDiaryPrint.Status.RENDERING)


@dataclass
class PaperParent:
    """A parent who chose paper, with the date of the choice."""

    name: str
    kind: str
    chosen_on: dt.date | None


@dataclass
class PaperPupil:
    """A pupil whose diary is printed: at least one of the parents chose paper."""

    pupil: PupilProfile
    parents: list[PaperParent]

    @property
    def name(self) -> str:
        return self.pupil.user.full_name


def default_interval(today: dt.date, school_class: SchoolClass) -> tuple[dt.date, dt.date]:
    """The last two weeks ending today, kept inside the class's school year."""
    year = school_class.year
    date_to = min(max(today, year.start_date), year.end_date)
    date_from = max(date_to - dt.timedelta(days=DEFAULT_DAYS - 1), year.start_date)
    return date_from, date_to


def paper_pupils(school_class: SchoolClass, date_from: dt.date, date_to: dt.date) -> list[PaperPupil]:
    """Pupils on the class's roll at some day of the interval with a parent who chose paper: two queries."""
    enrollments = (
        Enrollment.objects.filter(school_class=school_class, date_from__lte=date_to)
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=date_from))
        .select_related("pupil__user")
        .order_by("pupil__user__last_name", "pupil__user__first_name", "pupil__user__middle_name", "date_from")
    )
    pupils: dict[int, PupilProfile] = {}
    for enrollment in enrollments:
        pupils.setdefault(enrollment.pupil_id, enrollment.pupil)
    parents: dict[int, list[PaperParent]] = defaultdict(list)
    links = (
        ParentChild.objects.filter(pupil_id__in=pupils, parent__info_form=InfoForm.PAPER)
        .select_related("parent__user")
        .order_by("parent__user__last_name", "parent__user__first_name")
    )
    for link in links:
        parents[link.pupil_id].append(
            PaperParent(
                name=link.parent.user.full_name,
                kind=str(link.get_kind_display()),
                chosen_on=link.parent.info_form_chosen_on,
            )
        )
    return [PaperPupil(pupil=pupil, parents=parents[pk]) for pk, pupil in pupils.items() if pk in parents]


@dataclass
class ConsentRow:
    """A line of the class's consents table, ready to print (the page's biggest table: no logic in the template)."""

    pupil: str
    card_url: str
    rowspan: int  # on the pupil's first line: how many lines the pupil spans; 0 on the others
    parent: str  # «Иванова А. П.»; "" when the pupil has no parent recorded
    kind: str
    consent: str  # «01.09.2026», "" when missing
    form: str  # «электронная», «бумажная», "" when not chosen
    form_date: str
    paper: bool


def consent_rows(school_class: SchoolClass) -> list[ConsentRow]:
    """Each parent of the pupils on the class's roll (as the class's list of cards has it) with the consent date
    and the chosen form: two queries of plain values (the page's biggest table, ~50 lines).
    """
    roll = (
        Enrollment.objects.filter(roll_from(class_on_date(school_class)), school_class=school_class)
        .order_by("pupil__user__last_name", "pupil__user__first_name", "pupil__user__middle_name", "date_from")
        .values_list("pupil_id", "pupil__user__last_name", "pupil__user__first_name", "pupil__user__middle_name")
    )
    pupils: dict[int, str] = {}
    for pupil_id, *names in roll:
        pupils.setdefault(pupil_id, " ".join(name for name in names if name))
    links: dict[int, list[tuple]] = defaultdict(list)
    for pupil_id, *row in (
        ParentChild.objects.filter(pupil_id__in=pupils)
        .order_by("parent__user__last_name", "parent__user__first_name")
        .values_list(
            "pupil_id",
            "kind",
            "parent__user__last_name",
            "parent__user__first_name",
            "parent__user__middle_name",
            "parent__consent_given_on",
            "parent__info_form",
            "parent__info_form_chosen_on",
        )
    ):
        links[pupil_id].append(row)
    kinds = dict(ParentKind.choices)
    rows = []
    for pupil_id, name in pupils.items():
        url = reverse("journal:pupil_card", args=[pupil_id])
        if not links[pupil_id]:
            rows.append(ConsentRow(name, url, 1, "", "", "", "", "", False))
        for index, (kind, last, first, middle, consent, info_form, chosen) in enumerate(links[pupil_id]):
            paper = info_form == InfoForm.PAPER
            rows.append(
                ConsentRow(
                    pupil=name,
                    card_url=url,
                    rowspan=len(links[pupil_id]) if index == 0 else 0,
                    parent=short_name(last, first, middle),
                    kind=str(kinds.get(kind, kind)),
                    consent=f"{consent:%d.%m.%Y}" if consent else "",
                    form=_("бумажная") if paper else (_("электронная") if chosen else ""),
                    form_date=f"{chosen:%d.%m.%Y}" if chosen else "",
                    paper=paper,
                )
            )
    return rows


@dataclass
class PrintLogEntry:
    """A line of the print log: the print (without its PDF) and what the page shows for it.

    ``state``: "pending" (queued or rendering: a spinner), "ready" (a download link), "failed", "stalled" (pending
    for longer than STALL_AFTER) or "no_pdf" (a printout made before PDFs were kept); the last three offer to print
    the same batch again.
    """

    record: PaperDiaryPrint
    state: str

    @property
    def reprint(self) -> bool:
        return self.state in ("failed", "stalled", "no_pdf")


@dataclass
class PrintLog:
    """The class's latest printouts and whether the next one is due."""

    entries: list[PrintLogEntry]
    last_printed_on: dt.date | None
    days_since: int | None
    overdue: bool
    pending: bool  # a print is being made: the page refreshes itself


def _entry_state(record: PaperDiaryPrint, now: dt.datetime) -> str:
    if record.status in PENDING:
        return "pending" if now - record.printed_at <= STALL_AFTER else "stalled"
    if record.status == PaperDiaryPrint.Status.FAILED:
        return "failed"
    return "ready" if record.has_pdf else "no_pdf"


def print_log(
    school_class: SchoolClass, today: dt.date, *, needed: bool = True, prints: QuerySet[PaperDiaryPrint] | None = None
) -> PrintLog:
    """The last prints with their state (one query, without the PDFs; a second one only when none of them is
    ready); overdue when printouts are needed and none was made in 15 days. Only a ready print counts as made.

    ``prints``: those the viewer sees (``diary.access.visible_paper_prints``), as the page passes them, so the log
    lists exactly the prints whose PDF opens; all prints when omitted (the overdue check does not depend on a viewer).
    """
    prints = PaperDiaryPrint.objects.all() if prints is None else prints
    records = list(
        prints.filter(school_class=school_class)
        .select_related("printed_by")
        .defer("pdf")
        .annotate(has_pdf=ExpressionWrapper(Q(pdf__isnull=False), output_field=BooleanField()))[:LOG_LENGTH]
    )
    now = timezone.now()
    entries = [PrintLogEntry(record=record, state=_entry_state(record, now)) for record in records]
    ready = PaperDiaryPrint.Status.READY
    last_at = next((record.printed_at for record in records if record.status == ready), None)
    if last_at is None and len(records) == LOG_LENGTH:
        last_at = prints.filter(school_class=school_class, status=ready).values_list("printed_at", flat=True).first()
    last = timezone.localtime(last_at).date() if last_at else None
    days_since = (today - last).days if last else None
    overdue = needed and (days_since is None or days_since > PRINT_EVERY_DAYS)
    return PrintLog(
        entries=entries,
        last_printed_on=last,
        days_since=days_since,
        overdue=overdue,
        pending=any(entry.state == "pending" for entry in entries),
    )


def pending_print(
    school_class: SchoolClass, date_from: dt.date, date_to: dt.date, layout: str, *, now: dt.datetime
) -> PaperDiaryPrint | None:
    """The same batch, queued or rendering and not stalled, if there is one."""
    return (
        PaperDiaryPrint.objects.filter(
            school_class=school_class,
            date_from=date_from,
            date_to=date_to,
            layout=layout,
            status__in=PENDING,
            printed_at__gte=now - STALL_AFTER,
        )
        .defer("pdf")
        .first()
    )


# --- the printed pages ------------------------------------------------------------------------


def summary_period(school_class: SchoolClass, on_date: dt.date) -> StudyPeriod | None:
    """The study period of the class's grade holding ``on_date``; else the last finished one, else the first."""
    return pick_period(grade_periods(school_class.year_id, school_class.grade), None, on_date)


@dataclass
class PaperDayRow:
    """A day of the printed diary: the date and its lessons (rowspan for the date cell)."""

    day: DiaryDay
    rows: int


@dataclass
class PaperDiaryPage:
    """One pupil's printed diary: days with lessons, the period's averages, the kinds of work used (a legend)."""

    pupil: PaperPupil
    days: list[PaperDayRow]
    summaries: list
    legend: list[tuple[str, str]] = field(default_factory=list)


def paper_diary_pages(
    school_class: SchoolClass, pupils: list[PaperPupil], date_from: dt.date, date_to: dt.date, *, today: dt.date
) -> tuple[list[PaperDiaryPage], StudyPeriod | None]:
    """Every chosen pupil's pages for the interval and the averages of the current period, in a fixed number of
    queries (the diary's batched selectors read all pupils at once).
    """
    profiles = [entry.pupil for entry in pupils]
    days = pupil_days(profiles, date_from, date_to, today=today)
    period = summary_period(school_class, date_to)
    # The averages as they stood at the end of the interval: a printout of past weeks is not changed by later marks.
    summaries = {}
    if period is not None and period.start_date <= date_to:
        summaries = subject_summaries(profiles, period.start_date, min(period.end_date, date_to))
    pages = []
    for entry in pupils:
        pupil_days_ = days.get(entry.pupil.pk, [])
        legend: dict[str, str] = {}
        for day in pupil_days_:
            for lesson in day.lessons:
                for mark in lesson.marks:
                    if mark.work_type_short:
                        legend.setdefault(mark.work_type_short, mark.work_type)
        pages.append(
            PaperDiaryPage(
                pupil=entry,
                days=[PaperDayRow(day=day, rows=max(1, len(day.lessons))) for day in pupil_days_],
                summaries=summaries.get(entry.pupil.pk, []),
                legend=sorted(legend.items()),
            )
        )
    return pages, period
