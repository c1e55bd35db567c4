"""A past year in the diary: what the pupil got in each subject in a year they studied at the school, read-only.

Per subject: the current marks of each study period of the year (the periods of the grade's scheme: четверти,
триместры or полугодия) with their weighted average and the period mark, then the year, exam and final marks, and
the promotion decision the year ended with. The same reads as the marks page (``subject_summaries`` over the year's
dates, ``grade_periods``), so the numbers are the ones the pupil saw that year: 6 queries however many subjects and
marks.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import PupilProfile
from journal.models import PeriodMarkKind, Promotion, SchoolYear, StudyPeriod
from journal.selectors.averages import weighted_average

from .marks import SetMark, SubjectMark, SubjectSummary, grade_periods, subject_summaries
from .pupils import ClassStay, PupilYear


@dataclass
class PeriodMarks:
    """A subject's current marks in one study period, their weighted average and the period mark once set."""

    label: str
    start: dt.date
    end: dt.date
    marks: list[SubjectMark]
    average: Decimal | None
    mark: str


@dataclass
class YearSubject:
    """A subject of the year: its marks by period, and its year, exam and final marks (only those set)."""

    summary: SubjectSummary
    periods: list[PeriodMarks]
    finals: list[SetMark]


@dataclass
class YearRecord:
    """The pupil's year: its classes (by date), study periods, subjects and the promotion decision, if applied."""

    year: SchoolYear
    stays: list[ClassStay]
    periods: list[StudyPeriod]
    subjects: list[YearSubject] = field(default_factory=list)
    promotion: Promotion | None = None


def year_record(pupil: PupilProfile, pupil_year: PupilYear) -> YearRecord:
    """The pupil's marks of one of their years (``DiaryHeader.pupil_year``), in 6 queries: the grade's study periods,
    the four of ``subject_summaries`` for the whole year, the promotion."""
    year = pupil_year.year
    periods = grade_periods(year.pk, pupil_year.school_class.grade)
    summaries = subject_summaries([pupil], year.start_date, year.end_date)[pupil.pk]
    subjects = [
        YearSubject(
            summary=summary,
            periods=_by_period(summary, periods, year),
            finals=[mark for mark in summary.period_marks if mark.kind != PeriodMarkKind.PERIOD],
        )
        for summary in summaries
    ]
    # Only an applied decision is the year's: a preview may still change (as a proposed period mark is not shown).
    promotion = (
        Promotion.objects.filter(year_id=year.pk, pupil_id=pupil.pk, applied_at__isnull=False)
        .select_related("from_class", "target_class__year")
        .first()
    )
    return YearRecord(year=year, stays=pupil_year.stays, periods=periods, subjects=subjects, promotion=promotion)


def _by_period(summary: SubjectSummary, periods: list[StudyPeriod], year: SchoolYear) -> list[PeriodMarks]:
    """The subject's marks split by the periods' dates; a year without periods is one row «Весь год», and marks
    outside every period (a lesson in the holidays) get a row of their own rather than vanish."""
    rows = []
    placed: set[int] = set()
    for period in periods:
        marks = [mark for mark in summary.marks if period.start_date <= mark.date <= period.end_date]
        placed.update(id(mark) for mark in marks)
        rows.append(_row(str(period), period.start_date, period.end_date, marks, summary.period_mark(period.pk)))
    outside = [mark for mark in summary.marks if id(mark) not in placed]
    if not periods:
        rows.append(_row(_("Весь год"), year.start_date, year.end_date, outside, ""))
    elif outside:
        rows.append(_row(_("Вне учебных периодов"), year.start_date, year.end_date, outside, ""))
    return rows


def _row(label: str, start: dt.date, end: dt.date, marks: list[SubjectMark], mark: str) -> PeriodMarks:
    average = weighted_average((m.value, m.weight) for m in marks)
    return PeriodMarks(label=label, start=start, end=end, marks=marks, average=average, mark=mark)
