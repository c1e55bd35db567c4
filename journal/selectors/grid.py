"""The class journal grid: pupils in rows, the lessons of a study period in columns, marks and absences in cells.

``journal_grid`` reads the whole page in four queries whatever the number of pupils, lessons and marks:

1. the grade's study periods with the grade's working week (the period to show is chosen in Python) and, in a
   ``UNION ALL``, the grade's special days of the year (holidays, transfers), for ONE working-day calendar of the
   edit lock;
2. the lessons of the period with their КТП topic, kind of work, substitute, homework flag and the latest open
   edit window (so journal.lock.edit_states needs no query per lesson: the lock boundary is worked out once);
3. the roster: enrolments of the class (and subgroup) overlapping the period, with the pupil's name and period
   mark;
4. every cell's marks and attendance, with the school's kinds of work (their weights), in one ``UNION ALL``.

They are written in plain SQL (see "Plain SQL" below). Everything a cell shows is prepared here as plain
strings; journal.render.grid joins the rows into HTML.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import PupilProfile, User

from ..choices import PeriodKind
from ..lock import edit_states
from ..models import (
    Attendance,
    CalendarDay,
    EditWindow,
    Enrollment,
    GradeSettings,
    Homework,
    Lesson,
    Mark,
    PeriodMark,
    PeriodMarkKind,
    PlanTopic,
    StudyPeriod,
    Subgroup,
    TeachingAssignment,
    WorkType,
)
from ..workdays import GradeCalendar, single_year_calendar
from .averages import (
    NUMERIC_VALUES,
    average_of_sums,
    forecast,
    period_mark_minimum,
    weight_scale,
    weighted_average,
)
from .sql import as_date, as_datetime, fetch, light, sql_date, table

# Attendance codes that mean the pupil was not in the lesson (опоздание «оп» is present, only late).
ABSENT_CODES = frozenset({"н", "б", "у", "п"})
ATTENDANCE_SLOT = 0  # the slot of the attendance code in a cell; marks use their position (1, 2)
KIND_SLOT = -1  # a row that is a kind of work with its weight, not a cell entry
ONE = Decimal(1)  # the weight of a mark without a kind of work (as on the period marks page)


# Cells, columns, rows ------------------------------------------------------------------------------------------


@dataclass(slots=True)
class Cell:
    """What a cell holds: up to two marks and an attendance code ("" when empty)."""

    mark1: str = ""
    mark2: str = ""
    attendance: str = ""

    def set(self, slot: int, value: str) -> None:
        if slot == ATTENDANCE_SLOT:
            self.attendance = value
        elif slot == 1:
            self.mark1 = value
        else:
            self.mark2 = value

    @property
    def marks(self) -> list[str]:
        return [value for value in (self.mark1, self.mark2) if value]

    @property
    def absent(self) -> bool:
        return self.attendance in ABSENT_CODES


EMPTY = Cell()


class ColumnState:
    OPEN = "open"  # marks may be entered
    UNLOCKED = "unlocked"  # past the deadline, open through an edit window
    LOCKED = "locked"  # past the deadline (or a closed year)
    FUTURE = "future"  # the lesson has not taken place yet


@dataclass
class GridColumn:
    """A lesson of the period: a column of the grid with its header data and edit state."""

    lesson: Lesson
    editable: bool
    state: str
    reason: str  # why it is not editable (Russian), or when an unlock window closes
    topic: str = ""  # the lesson's topic, else its КТП topic
    work_type: str = ""  # the kind of work done
    taught_by: str = ""  # the substitute who taught it, if any
    has_homework: bool = False
    missing: int | None = None  # a control work: present pupils still without a mark
    attendance_taken: bool = False  # Lesson.attendance_taken_at is set: the register was taken

    @property
    def topic_short(self) -> str:
        return self.topic if len(self.topic) <= 40 else self.topic[:38].rstrip() + "…"


@dataclass
class RosterPupil:
    """A pupil of the class (or subgroup) within the period: the days they belonged to it and the period mark."""

    pupil: PupilProfile
    spans: list[tuple[dt.date, dt.date]] = field(default_factory=list)
    arrived_on: dt.date | None = None  # first day in the class, if after the period's start
    left_on: dt.date | None = None  # last day in the class, if before the period's end
    period_value: str = ""
    period_proposed: str = ""

    def is_enrolled(self, day: dt.date) -> bool:
        return any(start <= day <= end for start, end in self.spans)


@dataclass
class GridRow:
    """A pupil: the cells (None where the pupil was not in the class or group that day) and the period figures."""

    pupil: PupilProfile
    number: int
    roster: RosterPupil
    cells: list[Cell | None]
    marks_count: int = 0
    average: Decimal | None = None
    forecast: str = ""
    enough: bool = False
    period_value: str = ""
    period_proposed: str = ""


@dataclass
class Grid:
    assignment: TeachingAssignment
    period: StudyPeriod | None
    periods: list[StudyPeriod]
    date_from: dt.date
    date_to: dt.date
    today: dt.date
    columns: list[GridColumn]
    rows: list[GridRow]
    minimum: int  # current marks needed for a period mark
    with_stats: bool = True
    notes: list[str] = field(default_factory=list)

    @property
    def editable_columns(self) -> int:
        return sum(1 for column in self.columns if column.editable)


# Pupil figures -------------------------------------------------------------------------------------------------


@dataclass
class PupilStats:
    marks_count: int
    average: Decimal | None
    forecast: str
    enough: bool


def pupil_stats(marks: list[tuple[str, Decimal]], minimum: int) -> PupilStats:
    """The figures at the right of a pupil's row from their (value, weight) marks of the period."""
    average = weighted_average(marks)
    return PupilStats(len(marks), average, forecast(average), len(marks) >= minimum)


class MarkScores(dict):
    """(value, kind of work id) → the mark's (value × weight, weight) in whole units (the weights times their
    weight_scale); (0, 0) for a mark that enters no average (зч/нз, a weight ≤ 0). A kind without a weight counts 1.

    A grid's rows sum these per pupil: weighted_average's Decimal arithmetic on each of ~1,200 marks cost ~0.6 ms a
    page; a grid holds a few dozen distinct (value, kind) pairs, each worked out once.
    """

    def __init__(self, weights: dict[int | None, Decimal]) -> None:
        super().__init__()
        self.weights = weights
        self.scale = weight_scale(weights.values())

    def __missing__(self, pair: tuple[str, int | None]) -> tuple[int, int]:
        value, kind = pair
        weight = self.weights.get(kind, ONE) * self.scale
        score = (int(value) * int(weight), int(weight)) if value in NUMERIC_VALUES and weight > 0 else (0, 0)
        self[pair] = score
        return score


def scored_stats(marks: list[tuple[str, int | None]], scores: MarkScores, minimum: int) -> PupilStats:
    """pupil_stats of (value, kind of work id) marks through their MarkScores: the same figures."""
    total = weights = 0
    for pair in marks:
        score, weight = scores[pair]
        total += score
        weights += weight
    average = average_of_sums(total, weights)
    return PupilStats(len(marks), average, forecast(average), len(marks) >= minimum)


def pupil_period_stats(assignment: TeachingAssignment, pupil_id: int, period_id: int) -> PupilStats:
    """One pupil's figures for a study period of the assignment's year (1 query): a row refreshed after a save.

    The period's dates are read in the same query; a period of another year gives no marks.
    """
    rows = fetch(
        f"SELECT m.value, CAST(w.weight AS TEXT) FROM {table(Mark)} m JOIN {table(Lesson)} l ON l.id = m.lesson_id"
        f" JOIN {table(StudyPeriod)} p ON p.id = %s AND p.year_id = %s"
        f" LEFT JOIN {table(WorkType)} w ON w.id = m.work_type_id"
        " WHERE l.assignment_id = %s AND m.pupil_id = %s AND m.value <> ''"
        ' AND l."date" >= p.start_date AND l."date" <= p.end_date',
        [period_id, assignment.year_id, assignment.pk, pupil_id],
    )
    marks = [(value, Decimal(weight) if weight is not None else ONE) for value, weight in rows]
    return pupil_stats(marks, period_mark_minimum(assignment.hours_per_week))


# The page's reads are in plain SQL (journal.selectors.sql says why).


# The period and the calendar ---------------------------------------------------------------------------------------


def periods_and_calendar(assignment: TeachingAssignment) -> tuple[list[StudyPeriod], GradeCalendar]:
    """The study periods of the grade's kind, in order, and the grade's working-day calendar of the assignment's year
    for the edit lock of its lessons, in one query (the year's calendar days come in a ``UNION ALL``).

    The calendar has the grade's working week. journal.workdays.grade_calendar loads every year of the school (4
    queries); a grid only needs the lessons' year: dates after it (a May lesson's deadline in June) fall back to the
    production calendar there as well.
    """
    year = assignment.year
    grade = assignment.school_class.grade
    rows = fetch(
        f"SELECT p.id, p.kind, p.number, p.start_date, p.end_date, g.days_per_week FROM {table(StudyPeriod)} p"
        f" LEFT JOIN {table(GradeSettings)} g ON g.year_id = p.year_id AND g.grade = %s"
        " WHERE p.year_id = %s AND p.kind = COALESCE(g.period_kind, %s)"
        f' UNION ALL SELECT NULL, kind, NULL, "date", NULL, NULL FROM {table(CalendarDay)}'
        " WHERE year_id = %s AND grade_from <= %s AND grade_to >= %s",
        [grade, year.pk, PeriodKind.QUARTER.value, year.pk, grade, grade],
    )
    periods, days, days_per_week = [], [], 0
    for pk, kind, number, start, end, week in rows:
        if pk is None:  # a calendar day: its date comes as the start
            days.append((as_date(start), kind))
            continue
        periods.append(
            light(
                StudyPeriod,
                pk=pk,
                year_id=year.pk,
                kind=kind,
                number=number,
                start_date=as_date(start),
                end_date=as_date(end),
            )
        )
        days_per_week = days_per_week or week
    periods.sort(key=lambda period: period.number)
    calendar = single_year_calendar(year.start_date, year.end_date, days_per_week or 5, days)
    return periods, calendar


def choose_period(periods: list[StudyPeriod], pk: str | int | None, today: dt.date) -> StudyPeriod | None:
    """The period asked for; by default the one containing today, else the last finished one, else the first."""
    by_pk = {str(period.pk): period for period in periods}
    if pk is not None and str(pk) in by_pk:
        return by_pk[str(pk)]
    current = next((p for p in periods if p.start_date <= today <= p.end_date), None)
    if current is None:
        finished = [p for p in periods if p.end_date < today]
        current = finished[-1] if finished else (periods[0] if periods else None)
    return current


# The page's queries ------------------------------------------------------------------------------------------------


def roster(
    assignment: TeachingAssignment, date_from: dt.date, date_to: dt.date, period: StudyPeriod | None
) -> list[RosterPupil]:
    """Pupils of the class (and subgroup) on some day of [date_from, date_to] with their days in it (1 query).

    As journal.selectors.closing.class_roster (same order), with the subgroup and the pupil's period mark for
    ``period`` in the same query.
    """
    mark_columns, mark_join, params = "NULL, NULL", "", []
    if period is not None:
        mark_columns = "pm.value, pm.proposed_value"
        mark_join = (
            f" LEFT JOIN {table(PeriodMark)} pm ON pm.pupil_id = e.pupil_id AND pm.assignment_id = %s"
            " AND pm.kind = %s AND pm.period_id = %s"
        )
        params = [assignment.pk, PeriodMarkKind.PERIOD.value, period.pk]
    sql = (
        f"SELECT e.pupil_id, p.user_id, u.username, u.last_name, u.first_name, u.middle_name, e.date_from,"
        f" e.date_to, {mark_columns} FROM {table(Enrollment)} e"
        f" JOIN {table(PupilProfile)} p ON p.id = e.pupil_id JOIN {table(User)} u ON u.id = p.user_id{mark_join}"
        " WHERE e.school_class_id = %s AND e.date_from <= %s AND (e.date_to IS NULL OR e.date_to >= %s)"
    )
    params += [assignment.school_class_id, sql_date(date_to), sql_date(date_from)]
    if assignment.subgroup_id:
        sql += (
            f" AND EXISTS (SELECT 1 FROM {table(Subgroup.pupils.through)} sp"
            " WHERE sp.subgroup_id = %s AND sp.pupilprofile_id = e.pupil_id)"
        )
        params.append(assignment.subgroup_id)
    sql += " ORDER BY u.last_name, u.first_name, u.middle_name, e.pupil_id, e.date_from"
    rows: dict[int, RosterPupil] = {}
    for pupil_id, user_id, username, last, first, middle, start, end, value, proposed in fetch(sql, params):
        row = rows.get(pupil_id)
        if row is None:
            user = light(User, pk=user_id, username=username, last_name=last, first_name=first, middle_name=middle)
            row = rows[pupil_id] = RosterPupil(
                light(PupilProfile, pk=pupil_id, user=user), period_value=value or "", period_proposed=proposed or ""
            )
        start, end = as_date(start), as_date(end)
        row.spans.append((max(start, date_from), end if end is not None and end < date_to else date_to))
    for row in rows.values():
        first_day, last_day = row.spans[0][0], row.spans[-1][1]
        row.arrived_on = first_day if first_day > date_from else None
        row.left_on = last_day if last_day < date_to else None
    return list(rows.values())


@dataclass
class LessonHead:
    """A lesson read for a column header: a light Lesson (for journal.lock.edit_states) and the texts shown."""

    lesson: Lesson
    topic: str
    work_type: str
    taught_by: str
    has_homework: bool
    window_until: dt.datetime | None
    attendance_taken: bool = False


def _short_name(username: str, last: str, first: str, middle: str) -> str:
    """«Иванова А. П.», as User.short_name writes it."""
    return light(User, username=username, last_name=last, first_name=first, middle_name=middle).short_name


_NAMES = ("username", "last_name", "first_name", "middle_name")


def _substitute_name(column: str) -> str:
    """A column of the substitute who taught the lesson, read only for a lesson with one (a few in a period): a join
    of the users made PostgreSQL hash the whole table of users for every grid (0.5 ms with 1,400 users)."""
    return (
        f"CASE WHEN l.taught_by_id IS NULL THEN NULL"
        f" ELSE (SELECT u.{column} FROM {table(User)} u WHERE u.id = l.taught_by_id) END"
    )


def period_lessons(assignment: TeachingAssignment, date_from: dt.date, date_to: dt.date) -> list[LessonHead]:
    """The assignment's lessons between the dates in date order, with what their column headers show (1 query).

    Each comes with its КТП topic, kind of work, substitute, whether homework was given and until when an edit
    window keeps it open (for journal.lock.edit_states, so that no lesson costs a query). The substitute and the
    homework are scalar subqueries that PostgreSQL answers from an index per lesson: as a join and an EXISTS it
    hashed the whole table of users and of homework for every grid (the demo school: 4.4 ms of the query's 4.7).
    """
    rows = fetch(
        f'SELECT l.id, l."date", l.number, l.is_control, l.topic, pt.title, wt.name, l.taught_by_id,'
        f" {', '.join(_substitute_name(name) for name in _NAMES)},"
        f" (SELECT 1 FROM {table(Homework)} h WHERE h.lesson_id = l.id AND h.text <> '' LIMIT 1),"
        f" (SELECT MAX(w.valid_until) FROM {table(EditWindow)} w WHERE w.assignment_id = l.assignment_id"
        "  AND w.valid_until > %s AND (w.lesson_id IS NULL OR w.lesson_id = l.id)),"
        " l.attendance_taken_at"
        f" FROM {table(Lesson)} l LEFT JOIN {table(PlanTopic)} pt ON pt.id = l.plan_topic_id"
        f" LEFT JOIN {table(WorkType)} wt ON wt.id = l.work_type_id"
        ' WHERE l.assignment_id = %s AND l."date" >= %s AND l."date" <= %s ORDER BY l."date", l.number',
        [
            connection.ops.adapt_datetimefield_value(timezone.now()),
            assignment.pk,
            sql_date(date_from),
            sql_date(date_to),
        ],
    )
    heads = []
    for pk, day, number, control, topic, plan_title, work, taught_id, *names, homework, window, taken in rows:
        lesson = light(
            Lesson,
            pk=pk,
            assignment=assignment,
            date=as_date(day),
            number=number,
            is_control=bool(control),
            topic=topic,
        )
        heads.append(
            LessonHead(
                lesson=lesson,
                topic=topic or plan_title or "",
                work_type=work or "",
                taught_by=_short_name(*names) if taught_id else "",
                has_homework=bool(homework),
                window_until=as_datetime(window),
                attendance_taken=taken is not None,
            )
        )
    return heads


def cell_entries(lesson_ids: list[int], pupil_id: int | None = None, school_id: int | None = None) -> list[tuple]:
    """Every non-empty mark and attendance code of the lessons as (lesson_id, pupil_id, value, slot, kind) (1 query).

    Slot 0 is the attendance code (kind None), 1 and 2 the marks (kind: the work type's id). With ``school_id`` the
    school's kinds of work come in the same UNION ALL as (None, None, weight as text, -1, id): the weights reach
    Python once per kind rather than once per mark.

    Plain SQL on purpose: this is the page's one big read (a cell per pupil and lesson, ~1,300 rows) and the ORM
    spent more time building the three-part union and wrapping its rows than the database spent answering it.
    """
    if not lesson_ids:
        return []
    lessons = ", ".join(["%s"] * len(lesson_ids))
    pupil = " AND pupil_id = %s" if pupil_id is not None else ""
    only = [pupil_id] if pupil_id is not None else []
    sql = (
        f"SELECT lesson_id, pupil_id, value, position, work_type_id FROM {table(Mark)}"
        f" WHERE lesson_id IN ({lessons}){pupil} AND value <> ''"
        f" UNION ALL SELECT lesson_id, pupil_id, code, {ATTENDANCE_SLOT}, NULL FROM {table(Attendance)}"
        f" WHERE lesson_id IN ({lessons}){pupil} AND code <> ''"
    )
    params = [*lesson_ids, *only, *lesson_ids, *only]
    if school_id is not None:
        sql += f" UNION ALL SELECT NULL, NULL, CAST(weight AS TEXT), {KIND_SLOT}, id FROM {table(WorkType)}"
        sql += " WHERE school_id = %s"
        params.append(school_id)
    return fetch(sql, params)


# The grid ----------------------------------------------------------------------------------------------------------


def _columns(heads: list[LessonHead], today: dt.date, calendar: GradeCalendar | None) -> list[GridColumn]:
    states = edit_states(
        [head.lesson for head in heads],
        today=today,
        calendar=calendar,
        windowed={head.lesson.pk for head in heads if head.window_until},
    )
    columns = []
    for head, (editable, reason, unlocked) in zip(heads, states, strict=True):
        if head.lesson.date > today:
            state = ColumnState.FUTURE
        elif not editable:
            state = ColumnState.LOCKED
        elif unlocked:
            state = ColumnState.UNLOCKED
            reason = f"{timezone.localtime(head.window_until):%d.%m.%Y %H:%M}"
        else:
            state = ColumnState.OPEN
        columns.append(
            GridColumn(
                lesson=head.lesson,
                editable=editable,
                state=state,
                reason=reason,
                topic=head.topic,
                work_type=head.work_type,
                taught_by=head.taught_by,
                has_homework=head.has_homework,
                attendance_taken=head.attendance_taken,
            )
        )
    return columns


def build_grid(
    assignment: TeachingAssignment,
    *,
    heads: list[LessonHead],
    date_from: dt.date,
    date_to: dt.date,
    period: StudyPeriod | None,
    periods: list[StudyPeriod],
    calendar: GradeCalendar | None,
    today: dt.date,
    with_stats: bool = True,
) -> Grid:
    """Assemble the grid from the lessons: the roster and the cells take one query each."""
    columns = _columns(heads, today, calendar)
    lessons = [column.lesson for column in columns]
    people = roster(assignment, date_from, date_to, period if with_stats else None)
    # Each pupil's cells as a row in the columns' order, filled from the entries: no lookup per pupil and lesson.
    width = len(lessons)
    column_of = {lesson.pk: index for index, lesson in enumerate(lessons)}
    cells_by_pupil: dict[int, list[Cell]] = {}
    marks_by_pupil: dict[int, list[tuple[str, int | None]]] = {}
    weights: dict[int | None, Decimal] = {}
    if lessons:
        school_id = assignment.year.school_id
        for lesson_id, pupil_id, value, slot, kind in cell_entries(list(column_of), None, school_id):
            if slot == KIND_SLOT:
                weights[kind] = Decimal(value)
                continue
            row_cells = cells_by_pupil.get(pupil_id)
            if row_cells is None:
                row_cells = cells_by_pupil[pupil_id] = [EMPTY] * width
                marks_by_pupil[pupil_id] = []
            index = column_of[lesson_id]
            cell = row_cells[index]
            if cell is EMPTY:
                cell = row_cells[index] = Cell()
            if slot == ATTENDANCE_SLOT:
                cell.attendance = value
                continue
            if slot == 1:
                cell.mark1 = value
            else:
                cell.mark2 = value
            marks_by_pupil[pupil_id].append((value, kind))

    minimum = period_mark_minimum(assignment.hours_per_week)
    scores = MarkScores(weights)
    days = [lesson.date for lesson in lessons]
    rows = []
    for number, roster_row in enumerate(people, start=1):
        pupil_id = roster_row.pupil.pk
        spans = roster_row.spans
        row_cells = cells_by_pupil.get(pupil_id) or [EMPTY] * width
        if len(spans) != 1 or spans[0] != (date_from, date_to):  # not on the roll all period (the usual case is)
            row_cells = [
                cell if any(start <= day <= end for start, end in spans) else None
                for cell, day in zip(row_cells, days, strict=True)
            ]
        stats = scored_stats(marks_by_pupil.get(pupil_id, ()), scores, minimum)
        rows.append(
            GridRow(
                pupil=roster_row.pupil,
                number=number,
                roster=roster_row,
                cells=row_cells,
                marks_count=stats.marks_count,
                average=stats.average,
                forecast=stats.forecast,
                enough=stats.enough,
                period_value=roster_row.period_value,
                period_proposed=roster_row.period_proposed,
            )
        )
    for index, column in enumerate(columns):
        if column.lesson.is_control and column.state != ColumnState.FUTURE:
            column.missing = sum(
                1 for row in rows if (cell := row.cells[index]) is not None and not cell.absent and not cell.marks
            )
    return Grid(
        assignment=assignment,
        period=period,
        periods=periods,
        date_from=date_from,
        date_to=date_to,
        today=today,
        columns=columns,
        rows=rows,
        minimum=minimum,
        with_stats=with_stats,
    )


def journal_grid(
    assignment: TeachingAssignment, period_pk: str | int | None = None, *, today: dt.date | None = None
) -> Grid:
    """The grid of an assignment for a study period (by default the current one) in 4 queries.

    The access check is the caller's (journal.access.assignment_for_user); the assignment comes with its year,
    school and class loaded.
    """
    today = today or timezone.localdate()
    periods, calendar = periods_and_calendar(assignment)
    period = choose_period(periods, period_pk, today)
    year = assignment.year
    date_from, date_to = (period.start_date, period.end_date) if period else (year.start_date, year.end_date)
    heads = period_lessons(assignment, date_from, date_to)
    return build_grid(
        assignment,
        heads=heads,
        date_from=date_from,
        date_to=date_to,
        period=period,
        periods=periods,
        calendar=calendar,
        today=today,
    )


def lesson_grid(lesson: Lesson, *, today: dt.date | None = None) -> Grid:
    """One lesson as a one-column grid (the lesson page, the substitute's way in): pupils enrolled that day."""
    assignment = lesson.assignment
    today = today or timezone.localdate()
    heads = [head for head in period_lessons(assignment, lesson.date, lesson.date) if head.lesson.pk == lesson.pk]
    return build_grid(
        assignment,
        heads=heads,
        date_from=lesson.date,
        date_to=lesson.date,
        period=None,
        periods=[],
        calendar=None,  # edit_states loads the calendar for the one lesson if it needs it
        today=today,
        with_stats=False,
    )


def pupil_cell(lesson: Lesson, pupil_id: int) -> Cell:
    """A cell as stored now (1 query): what the grid shows after a save, or after a refused one."""
    cell = Cell()
    for _lesson_id, _pupil_id, value, slot, _kind in cell_entries([lesson.pk], pupil_id):
        cell.set(slot, value)
    return cell


def cell_pupil(pupil_id: int) -> PupilProfile:
    """The pupil of a cell being saved, by id only (no query): a light instance (journal.selectors.sql.light).

    The services of a cell (mark_set, attendance_set) read whether the pupil exists and their names for a refusal in
    the same query as the cell's rows; the user's names here are empty.
    """
    return light(PupilProfile, pk=pupil_id, user=light(User, username=""))


STATS_SLOT = -2  # a row of pupil_cell_and_stats that is one of the pupil's marks of the period, not a cell entry


def pupil_cell_and_stats(lesson: Lesson, pupil_id: int, period_id: int | None) -> tuple[Cell, PupilStats | None]:
    """After a save, in one query: the cell as stored now (pupil_cell) and, with a period, the pupil's figures for
    it (pupil_period_stats; a period of another year gives no marks). None for the figures without a period."""
    assignment = lesson.assignment
    sql = (
        f"SELECT position, value, NULL FROM {table(Mark)} WHERE lesson_id = %s AND pupil_id = %s AND value <> ''"
        f" UNION ALL SELECT {ATTENDANCE_SLOT}, code, NULL FROM {table(Attendance)}"
        " WHERE lesson_id = %s AND pupil_id = %s AND code <> ''"
    )
    params: list = [lesson.pk, pupil_id, lesson.pk, pupil_id]
    if period_id is not None:
        sql += (
            f" UNION ALL SELECT {STATS_SLOT}, m.value, CAST(w.weight AS TEXT) FROM {table(Mark)} m"
            f" JOIN {table(Lesson)} l ON l.id = m.lesson_id"
            f" JOIN {table(StudyPeriod)} p ON p.id = %s AND p.year_id = %s"
            f" LEFT JOIN {table(WorkType)} w ON w.id = m.work_type_id"
            " WHERE l.assignment_id = %s AND m.pupil_id = %s AND m.value <> ''"
            ' AND l."date" >= p.start_date AND l."date" <= p.end_date'
        )
        params += [period_id, assignment.year_id, assignment.pk, pupil_id]
    cell, marks = Cell(), []
    for slot, value, weight in fetch(sql, params):
        if slot == STATS_SLOT:
            marks.append((value, Decimal(weight) if weight is not None else ONE))
        else:
            cell.set(slot, value)
    if period_id is None:
        return cell, None
    return cell, pupil_stats(marks, period_mark_minimum(assignment.hours_per_week))


# A cell's history --------------------------------------------------------------------------------------------------


@dataclass
class HistoryEntry:
    """One change of a cell: who, when, which part (a mark or the attendance), old → new."""

    when: dt.datetime
    who: str
    what: str
    old: str
    new: str
    work_type: str = ""


def cell_history(lesson: Lesson, pupil: PupilProfile) -> list[HistoryEntry]:
    """Every change to the pupil's marks and attendance at the lesson, newest first (2 queries)."""
    entries: list[HistoryEntry] = []

    def who(record) -> str:
        user = record.history_user or getattr(record, "updated_by", None)
        return user.short_name if user is not None else _("система")

    previous: dict[int, tuple[str, int | None]] = {}
    for record in (
        Mark.history.filter(lesson_id=lesson.pk, pupil_id=pupil.pk)
        .select_related("history_user", "updated_by", "work_type")
        .order_by("history_date", "history_id")
    ):
        old_value, old_kind = previous.get(record.position, ("", None))
        if (record.value, record.work_type_id) != (old_value, old_kind):
            entries.append(
                HistoryEntry(
                    when=record.history_date,
                    who=who(record),
                    what=_("отметка %(n)s") % {"n": record.position},
                    old=old_value,
                    new=record.value,
                    work_type=record.work_type.name if record.work_type_id and record.work_type else "",
                )
            )
        previous[record.position] = (record.value, record.work_type_id)
    old_code = ""
    for record in (
        Attendance.history.filter(lesson_id=lesson.pk, pupil_id=pupil.pk)
        .select_related("history_user", "updated_by")
        .order_by("history_date", "history_id")
    ):
        if record.code != old_code:
            entries.append(
                HistoryEntry(
                    when=record.history_date, who=who(record), what=_("посещаемость"), old=old_code, new=record.code
                )
            )
        old_code = record.code
    entries.sort(key=lambda entry: entry.when, reverse=True)
    return entries


def lesson_homework(lesson: Lesson) -> list[Homework]:
    """The lesson's homework with text (general and individual), with the pupils each one is for (2 queries)."""
    return list(Homework.objects.filter(lesson=lesson).exclude(text="").prefetch_related("pupils__user").order_by("pk"))
