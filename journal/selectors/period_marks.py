"""The period marks page of an assignment: each pupil with their current marks, average, forecast and marks.

A fixed number of queries whatever the number of pupils or marks.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import PupilProfile

from ..models import (
    CurriculumEntry,
    Enrollment,
    GradeSettings,
    Mark,
    MarkValue,
    PeriodMark,
    PeriodMarkKind,
    StudyPeriod,
    SubjectExemption,
    TeachingAssignment,
)
from .averages import forecast, period_mark_minimum, weighted_average

KIND_ORDER = [PeriodMarkKind.PERIOD, PeriodMarkKind.YEAR, PeriodMarkKind.EXAM, PeriodMarkKind.FINAL]


@dataclass
class Choice:
    """A tab of the page: a study period, or the year/exam/final mark."""

    label: str
    kind: str
    period: StudyPeriod | None = None
    active: bool = False

    @property
    def query(self) -> str:
        return f"?kind={self.kind}" + (f"&period={self.period.pk}" if self.period else "")


@dataclass
class PupilRow:
    pupil: PupilProfile
    number: int
    left_on: dt.date | None = None
    marks_count: int = 0
    average: Decimal | None = None
    forecast: str = ""
    enough: bool = True
    mark: PeriodMark | None = None
    other_marks: list[str] = field(default_factory=list)  # the other kinds' values, for the year/final tabs
    error: str = ""
    typed_value: str | None = None  # a refused entry shown again
    typed_proposed: str | None = None
    exemption: SubjectExemption | None = None  # released from the subject for this period or the year

    @property
    def value(self) -> str:
        if self.typed_value is not None:
            return self.typed_value
        return self.mark.value if self.mark else ""

    @property
    def proposed(self) -> str:
        if self.typed_proposed is not None:
            return self.typed_proposed
        return self.mark.proposed_value if self.mark else ""

    @property
    def overridden(self) -> bool:
        return bool(self.mark and self.mark.overridden_by_id)


@dataclass
class PeriodMarksPage:
    assignment: TeachingAssignment
    kind: str
    period: StudyPeriod | None
    start: dt.date
    end: dt.date
    choices: list[Choice]
    rows: list[PupilRow]
    minimum: int
    pass_fail: bool
    other_titles: list[str]

    @property
    def title(self) -> str:
        return next((choice.label for choice in self.choices if choice.active), "")

    @property
    def value_choices(self) -> list[str]:
        if self.pass_fail:
            return [MarkValue.PASS.value, MarkValue.FAIL.value]
        return ["5", "4", "3", "2", "1"]

    @property
    def checks_minimum(self) -> bool:
        return self.kind in (PeriodMarkKind.PERIOD, PeriodMarkKind.YEAR)

    @property
    def below_minimum(self) -> int:
        return sum(1 for row in self.rows if not row.enough and not row.overridden)


def subject_exemptions(
    assignment: TeachingAssignment, pupil_ids: list[int], period: StudyPeriod | None
) -> dict[int, SubjectExemption]:
    """The pupils released from the assignment's subject for the whole year or, on a period's tab, for that period
    (one query); a pupil exempt is never «below the minimum»."""
    exemptions = SubjectExemption.objects.filter(
        year_id=assignment.year_id, subject_id=assignment.subject_id, pupil_id__in=pupil_ids
    ).order_by("period_id")
    found: dict[int, SubjectExemption] = {}
    for exemption in exemptions:
        if exemption.period_id is None or (period is not None and exemption.period_id == period.pk):
            found.setdefault(exemption.pupil_id, exemption)
    return found


def grade_periods(assignment: TeachingAssignment) -> list[StudyPeriod]:
    """The study periods the assignment's grade uses (четверти, триместры or полугодия), in order."""
    kind = (
        GradeSettings.objects.filter(year_id=assignment.year_id, grade=assignment.school_class.grade)
        .values_list("period_kind", flat=True)
        .first()
    )
    return list(StudyPeriod.objects.filter(year_id=assignment.year_id, kind=kind).order_by("number"))


def kind_label(kind: str, period: StudyPeriod | None = None) -> str:
    if kind == PeriodMarkKind.PERIOD and period is not None:
        return str(period)
    return {
        PeriodMarkKind.YEAR: _("Год"),
        PeriodMarkKind.EXAM: _("Экзамен"),
        PeriodMarkKind.FINAL: _("Итоговая"),
    }.get(kind, _("Учебный период"))


def resolve_choice(
    periods: list[StudyPeriod], kind: str | None, period_id: str | None, today: dt.date
) -> tuple[str, StudyPeriod | None]:
    """The tab asked for in the query string; by default the current (or the last finished) period."""
    if kind in (PeriodMarkKind.YEAR, PeriodMarkKind.EXAM, PeriodMarkKind.FINAL):
        return kind, None
    by_id = {str(period.pk): period for period in periods}
    if period_id in by_id:
        return PeriodMarkKind.PERIOD, by_id[period_id]
    if not periods:
        return PeriodMarkKind.YEAR, None
    current = next((p for p in periods if p.start_date <= today <= p.end_date), None)
    if current is None:
        finished = [p for p in periods if p.end_date < today]
        current = finished[-1] if finished else periods[0]
    return PeriodMarkKind.PERIOD, current


Span = tuple[dt.date, dt.date | None]  # an enrolment in the class: (date_from, date_to or None)


def periods_studied(periods: list[StudyPeriod], spans: list[Span]) -> list[StudyPeriod]:
    """The periods during which the pupil belonged to the class: those overlapping one of their enrolments.

    The year mark needs a set mark for each of them (journal.services.period_marks); a pupil who arrived in the
    third quarter is not asked for marks of the first two, which another school gave.
    """
    return [
        period
        for period in periods
        if any(start <= period.end_date and (end is None or end >= period.start_date) for start, end in spans)
    ]


def assignment_pupils_between(
    assignment: TeachingAssignment, start: dt.date, end: dt.date
) -> list[tuple[PupilProfile, dt.date | None, list[Span]]]:
    """Pupils of the class (or subgroup) at any time between the dates, with the day they left if before ``end``
    and their enrolments in the class between the dates."""
    enrollments = (
        Enrollment.objects.filter(school_class_id=assignment.school_class_id, date_from__lte=end)
        .exclude(date_to__lt=start)
        .select_related("pupil__user")
        .order_by("pupil__user__last_name", "pupil__user__first_name", "pupil__user__middle_name", "date_from")
    )
    if assignment.subgroup_id:
        enrollments = enrollments.filter(pupil__subgroups=assignment.subgroup_id)
    pupils: dict[int, tuple[PupilProfile, dt.date | None, list[Span]]] = {}
    for enrollment in enrollments:
        left = enrollment.date_to if enrollment.date_to and enrollment.date_to < end else None
        previous = pupils.get(enrollment.pupil_id)
        spans = [*(previous[2] if previous else []), (enrollment.date_from, enrollment.date_to)]
        if previous is not None and previous[1] is None:
            left = None
        pupils[enrollment.pupil_id] = (enrollment.pupil, left, spans)
    return list(pupils.values())


def pupil_marks(assignment: TeachingAssignment, start: dt.date, end: dt.date) -> dict[int, list[tuple[str, Decimal]]]:
    """Each pupil's current marks in the assignment between the dates as (value, weight); no kind of work weighs 1."""
    marks: dict[int, list[tuple[str, Decimal]]] = defaultdict(list)
    rows = (
        Mark.objects.filter(lesson__assignment=assignment, lesson__date__gte=start, lesson__date__lte=end)
        .exclude(value="")
        .values_list("pupil_id", "value", "work_type__weight")
    )
    for pupil_id, value, weight in rows:
        marks[pupil_id].append((value, weight if weight is not None else Decimal(1)))
    return marks


def period_marks_page(assignment: TeachingAssignment, kind: str | None, period_id: str | None, today: dt.date):
    periods = grade_periods(assignment)
    kind, period = resolve_choice(periods, kind, period_id, today)
    year = assignment.year
    start, end = (period.start_date, period.end_date) if period else (year.start_date, year.end_date)

    choices = [
        Choice(str(p), PeriodMarkKind.PERIOD, p, active=period is not None and p.pk == period.pk) for p in periods
    ]
    choices += [
        Choice(kind_label(k), k, active=kind == k)
        for k in (PeriodMarkKind.YEAR, PeriodMarkKind.EXAM, PeriodMarkKind.FINAL)
    ]

    pass_fail = CurriculumEntry.objects.filter(
        school_class_id=assignment.school_class_id, subject_id=assignment.subject_id, is_pass_fail=True
    ).exists()
    marks = pupil_marks(assignment, start, end)
    # The other columns beside a year/exam/final mark: the periods, then the other year-level kinds.
    other_keys: list[tuple[str, int | None]] = []
    other_titles: list[str] = []
    if kind != PeriodMarkKind.PERIOD:
        other_keys = [(PeriodMarkKind.PERIOD, p.pk) for p in periods]
        other_titles = [str(p) for p in periods]
        for other in (PeriodMarkKind.YEAR, PeriodMarkKind.EXAM):
            if other != kind:
                other_keys.append((other, None))
                other_titles.append(kind_label(other))
    existing = PeriodMark.objects.filter(assignment=assignment).select_related("overridden_by")
    if kind == PeriodMarkKind.PERIOD:
        existing = existing.filter(kind=kind, period=period)
    mine: dict[int, PeriodMark] = {}
    others: dict[tuple[int, str, int | None], str] = {}
    for mark in existing:
        if mark.kind == kind and mark.period_id == (period.pk if period else None):
            mine[mark.pupil_id] = mark
        else:
            others[(mark.pupil_id, mark.kind, mark.period_id)] = mark.value

    minimum = period_mark_minimum(assignment.hours_per_week)
    rows = []
    pupils = assignment_pupils_between(assignment, start, end)
    exempt = subject_exemptions(assignment, [pupil.pk for pupil, _left_on, _spans in pupils], period)
    for number, (pupil, left_on, spans) in enumerate(pupils, start=1):
        pupil_list = marks.get(pupil.pk, [])
        average = weighted_average(pupil_list)
        other_marks = [others.get((pupil.pk, k, p), "") for k, p in other_keys]
        if kind == PeriodMarkKind.PERIOD:
            enough = len(pupil_list) >= minimum
        elif kind == PeriodMarkKind.YEAR:
            # The rule of journal.services.period_marks: a set mark for every period the pupil studied in.
            period_values = dict(zip([p.pk for p in periods], other_marks, strict=False))
            studied = periods_studied(periods, spans)
            enough = any(period_values.values()) and all(period_values[p.pk] for p in studied)
        else:
            enough = True
        exemption = exempt.get(pupil.pk)
        if exemption is not None:
            enough = True
        rows.append(
            PupilRow(
                pupil=pupil,
                number=number,
                left_on=left_on,
                marks_count=len(pupil_list),
                average=average,
                forecast=forecast(average),
                enough=enough,
                mark=mine.get(pupil.pk),
                other_marks=other_marks,
                exemption=exemption,
            )
        )
    return PeriodMarksPage(
        assignment=assignment,
        kind=kind,
        period=period,
        start=start,
        end=end,
        choices=choices,
        rows=rows,
        minimum=minimum,
        pass_fail=pass_fail,
        other_titles=other_titles,
    )
