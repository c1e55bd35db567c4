"""A pupil's marks by subject: every mark with its kind of work, the weighted average and how it is made, the
number of marks against the minimum for a period mark, the forecast, and the period marks once they are set.

``subject_summaries`` is batched (the paper diaries call it for a whole class): four queries for any number of
pupils and marks. The arithmetic is journal.selectors.averages (the grid and the period marks page use the same).
Only *set* period marks are shown (``PeriodMark.value``): a teacher's proposal is not a mark yet.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from accounts.models import PupilProfile, User
from journal.choices import PeriodKind
from journal.models import (
    GradeSettings,
    Lesson,
    Mark,
    PeriodMark,
    PeriodMarkKind,
    StudyPeriod,
    Subgroup,
    Subject,
    TeachingAssignment,
    WorkType,
)
from journal.selectors.averages import forecast, period_mark_minimum, weighted_average
from journal.selectors.grid import choose_period
from journal.selectors.period_marks import kind_label
from journal.selectors.sql import as_date, fetch, placeholders, sql_date, table

from .days import ONE, enrolments, short_name

NUMERIC = frozenset("12345")
KIND_ORDER = {PeriodMarkKind.PERIOD: 0, PeriodMarkKind.YEAR: 1, PeriodMarkKind.EXAM: 2, PeriodMarkKind.FINAL: 3}


@dataclass
class SubjectMark:
    """A current mark as the subject view lists it."""

    date: dt.date
    lesson_id: int
    value: str
    position: int
    work_type: str
    work_type_short: str
    weight: Decimal
    day: str = field(init=False)  # «02.11», prepared here: a page lists a year of marks
    weight_text: str = field(init=False)  # «1», «1,5»

    def __post_init__(self) -> None:
        self.day = f"{self.date.day:02d}.{self.date.month:02d}"
        self.weight_text = number_text(self.weight)

    @property
    def counts(self) -> bool:
        """Whether the mark enters the average (зачёт/незачёт do not)."""
        return self.value in NUMERIC


@dataclass
class SetMark:
    """A period, year, exam or final mark that has been set."""

    kind: str
    label: str  # «1 четверть», «Год», «Экзамен», «Итоговая»
    value: str
    period_id: int | None


@dataclass
class SubjectSummary:
    """A subject of the pupil over some dates: marks, average, minimum, forecast and set period marks."""

    assignment_id: int
    subject: str
    teacher: str
    subgroup: str
    hours_per_week: Decimal
    marks: list[SubjectMark] = field(default_factory=list)
    average: Decimal | None = None
    count: int = 0
    minimum: int = 0
    enough: bool = False
    forecast: str = ""
    period_marks: list[SetMark] = field(default_factory=list)
    order: tuple = field(default=(), repr=False)

    def period_mark(self, period_id: int | None) -> str:
        """The set mark of a study period, "" when not set."""
        return next(
            (m.value for m in self.period_marks if m.kind == PeriodMarkKind.PERIOD and m.period_id == period_id), ""
        )


def subject_summaries(
    pupils: list[PupilProfile], start: dt.date, end: dt.date, *, assignment_id: int | None = None
) -> dict[int, list[SubjectSummary]]:
    """Each pupil's subjects between the dates (keys: pupil pk), in subject order, in four queries.

    A pupil's subjects are the whole-class assignments of the classes they were in between the dates and those
    of their subgroups, plus any assignment in which they have a mark between the dates. With ``assignment_id``
    only that subject (the subject page).
    """
    pupil_ids = [pupil.pk for pupil in pupils]
    result: dict[int, list[SubjectSummary]] = {pk: [] for pk in pupil_ids}
    if not pupil_ids or end < start:
        return result
    spans, memberships = enrolments(pupil_ids, start, end)
    class_ids = {span.class_id for pupil_spans in spans.values() for span in pupil_spans}
    if not class_ids:
        return result
    classes = sorted(class_ids)
    assignments = {
        row[0]: row
        for row in fetch(
            'SELECT a.id, a.school_class_id, a.subgroup_id, g.name, s.name, s."order", a.hours_per_week, u.last_name,'
            f" u.first_name, u.middle_name FROM {table(TeachingAssignment)} a JOIN {table(Subject)} s ON s.id = a.subject_id"
            f" JOIN {table(User)} u ON u.id = a.teacher_id LEFT JOIN {table(Subgroup)} g ON g.id = a.subgroup_id"
            f" WHERE a.school_class_id IN ({placeholders(classes)})",
            classes,
        )
        if assignment_id is None or row[0] == assignment_id
    }
    marks: dict[tuple[int, int], list[SubjectMark]] = defaultdict(list)
    only = " AND l.assignment_id = %s" if assignment_id is not None else ""
    rows = fetch(
        f'SELECT m.pupil_id, l.assignment_id, m.lesson_id, l."date", m.value, m.position, w.name, w.short_name,'
        f" CAST(w.weight AS TEXT) FROM {table(Mark)} m JOIN {table(Lesson)} l ON l.id = m.lesson_id"
        f" JOIN {table(TeachingAssignment)} a ON a.id = l.assignment_id"
        f" LEFT JOIN {table(WorkType)} w ON w.id = m.work_type_id"
        f" WHERE m.pupil_id IN ({placeholders(pupil_ids)}) AND a.school_class_id IN ({placeholders(classes)})"
        f' AND l."date" >= %s AND l."date" <= %s AND m.value <> \'\'{only} ORDER BY l."date", l.number, m.position',
        [*pupil_ids, *classes, sql_date(start), sql_date(end), *([assignment_id] if only else [])],
    )
    for pupil_id, assignment_id, lesson_id, day, value, position, kind, kind_short, weight in rows:
        marks[(pupil_id, assignment_id)].append(
            SubjectMark(
                as_date(day),
                lesson_id,
                value,
                position,
                kind or "",
                kind_short or "",
                Decimal(weight) if weight else ONE,
            )
        )
    set_marks: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    assignment_ids = sorted(assignments)
    if assignment_ids:
        for pupil_id, assignment_id, kind, period_id, number, period_kind, value in fetch(
            f"SELECT pm.pupil_id, pm.assignment_id, pm.kind, pm.period_id, p.number, p.kind, pm.value"
            f" FROM {table(PeriodMark)} pm LEFT JOIN {table(StudyPeriod)} p ON p.id = pm.period_id"
            f" WHERE pm.pupil_id IN ({placeholders(pupil_ids)}) AND pm.assignment_id IN ({placeholders(assignment_ids)})"
            " AND pm.value <> ''",
            [*pupil_ids, *assignment_ids],
        ):
            set_marks[(pupil_id, assignment_id)].append((kind, period_id, number, period_kind, value))

    # Per assignment and per period kind once, not per pupil: a class of 30 has ~300 summaries.
    subjects = {row[0]: _Subject.of(row) for row in assignments.values()}
    labels: dict[tuple, str] = {}
    for pupil_id in pupil_ids:
        mine = {span.class_id for span in spans.get(pupil_id, ())}
        groups = memberships.get(pupil_id, set())
        summaries = [
            _summary(subjects[row[0]], marks.get((pupil_id, row[0]), []), set_marks.get((pupil_id, row[0]), []), labels)
            for row in assignments.values()
            if row[1] in mine and (row[2] is None or row[2] in groups or (pupil_id, row[0]) in marks)
        ]
        summaries.sort(key=lambda summary: summary.order)
        result[pupil_id] = summaries
    return result


@dataclass
class _Subject:
    assignment_id: int
    subject: str
    teacher: str
    subgroup: str
    hours: Decimal
    minimum: int
    order: tuple

    @classmethod
    def of(cls, row: tuple) -> "_Subject":
        assignment_id, _class_id, _subgroup_id, subgroup, subject, order, hours, *teacher = row
        hours = hours if isinstance(hours, Decimal) else Decimal(str(hours))
        return cls(
            assignment_id,
            subject,
            short_name(*teacher),
            subgroup or "",
            hours,
            period_mark_minimum(hours),
            (order, subject, subgroup or "", assignment_id),
        )


def _label(kind: str, period_kind: str | None, number: int | None, labels: dict) -> str:
    key = (kind, period_kind, number)
    if key not in labels:
        period = StudyPeriod(kind=period_kind, number=number) if number is not None else None
        labels[key] = kind_label(kind, period)
    return labels[key]


def _summary(subject: _Subject, marks: list[SubjectMark], set_rows: list[tuple], labels: dict) -> SubjectSummary:
    average = weighted_average((mark.value, mark.weight) for mark in marks)
    set_rows = sorted(set_rows, key=lambda r: (KIND_ORDER.get(r[0], 9), r[2] or 0))
    return SubjectSummary(
        assignment_id=subject.assignment_id,
        subject=subject.subject,
        teacher=subject.teacher,
        subgroup=subject.subgroup,
        hours_per_week=subject.hours,
        marks=marks,
        average=average,
        count=len(marks),
        minimum=subject.minimum,
        enough=len(marks) >= subject.minimum,
        forecast=forecast(average),
        period_marks=[
            SetMark(kind, _label(kind, period_kind, number if period_id else None, labels), value, period_id)
            for kind, period_id, number, period_kind, value in set_rows
        ],
        order=subject.order,
    )


# Study periods -------------------------------------------------------------------------------------------------


def grade_periods(year_id: int, grade: int) -> list[StudyPeriod]:
    """The study periods of the grade's kind (четверти, триместры or полугодия) in order (1 query)."""
    rows = fetch(
        f"SELECT p.id, p.kind, p.number, p.start_date, p.end_date FROM {table(StudyPeriod)} p"
        f" LEFT JOIN {table(GradeSettings)} g ON g.year_id = p.year_id AND g.grade = %s"
        " WHERE p.year_id = %s AND p.kind = COALESCE(g.period_kind, %s) ORDER BY p.number",
        [grade, year_id, PeriodKind.QUARTER.value],
    )
    return [
        StudyPeriod(pk=pk, year_id=year_id, kind=kind, number=number, start_date=as_date(start), end_date=as_date(end))
        for pk, kind, number, start, end in rows
    ]


def pick_period(periods: list[StudyPeriod], requested: str | None, today: dt.date) -> StudyPeriod | None:
    """The period asked for; by default the one containing today, else the last finished one, else the first."""
    return choose_period(periods, requested, today)


# The subject view: the formula and the chart -----------------------------------------------------------------


def number_text(value: Decimal) -> str:
    """A weight or an average the Russian way: «1», «1,5», «4,25»."""
    return format(value.normalize(), "f").replace(".", ",")


def formula(marks: list[SubjectMark]) -> str:
    """«(5×1 + 4×2 + 3×1) / (1 + 2 + 1) = 4,00»: which marks, which weights; "" without a numeric mark."""
    counted = [mark for mark in marks if mark.counts and mark.weight > 0]
    average = weighted_average((mark.value, mark.weight) for mark in counted)
    if average is None:
        return ""
    top = " + ".join(f"{mark.value}×{number_text(mark.weight)}" for mark in counted)
    bottom = " + ".join(number_text(mark.weight) for mark in counted)
    total = sum((int(mark.value) * mark.weight for mark in counted), Decimal(0))
    weights = sum((mark.weight for mark in counted), Decimal(0))
    return (
        f"({top}) / ({bottom}) = {number_text(total)} / {number_text(weights)} = {f'{average:.2f}'.replace('.', ',')}"
    )


@dataclass
class ChartPoint:
    x: float
    y: float
    date: dt.date
    average: Decimal


@dataclass
class AverageChart:
    """A small SVG line chart of the running weighted average over a period, laid out here (no JS)."""

    width: int
    height: int
    points: list[ChartPoint]
    polyline: str
    levels: list[tuple[int, float]]  # (mark, y) of the horizontal guide lines
    start: dt.date
    end: dt.date


CHART_WIDTH, CHART_HEIGHT, CHART_LEFT, CHART_PAD = 320, 120, 22, 8


def average_chart(marks: list[SubjectMark], start: dt.date, end: dt.date) -> AverageChart | None:
    """The running weighted average after each day with marks; None when no mark counts."""
    running: list[tuple[dt.date, Decimal]] = []
    pairs: list[tuple[str, Decimal]] = []
    for mark in marks:
        pairs.append((mark.value, mark.weight))
        average = weighted_average(pairs)
        if average is None:
            continue
        if running and running[-1][0] == mark.date:
            running[-1] = (mark.date, average)
        else:
            running.append((mark.date, average))
    if not running:
        return None
    low = min(2, int(min(avg for _day, avg in running)))
    span_days = max((end - start).days, 1)
    inner_w = CHART_WIDTH - CHART_LEFT - CHART_PAD
    inner_h = CHART_HEIGHT - 2 * CHART_PAD

    def y_of(value: Decimal | int) -> float:
        return round(CHART_PAD + inner_h * (5 - float(value)) / (5 - low), 1)

    points = [
        ChartPoint(
            round(CHART_LEFT + inner_w * min(max((day - start).days, 0), span_days) / span_days, 1), y_of(avg), day, avg
        )
        for day, avg in running
    ]
    polyline = " ".join(f"{p.x},{p.y}" for p in points)
    levels = [(level, y_of(level)) for level in range(low, 6)]
    return AverageChart(CHART_WIDTH, CHART_HEIGHT, points, polyline, levels, start, end)
