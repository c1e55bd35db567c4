"""A pupil's diary days: each day's lessons with topic, homework, marks and attendance, for many pupils at once.

``pupil_days`` is the batched core of the week page and of the paper diaries (a whole class for two weeks). It
reads everything in five queries, whatever the number of pupils, days, lessons and marks:

1. the pupils' enrolments overlapping the dates, with the class's grade, year and the grade's working week, and
   (a UNION ALL) the pupils' subgroup memberships;
2. the lessons of those classes between the dates, with subject, topic, kind of work, substitute and bell times;
3. the homework given at those lessons or due on those days, one row per pupil it is meant for (none: for everyone),
   with the day it is due (the teacher's date, else the next day with a lesson of the same assignment);
4. the pupils' marks and attendance codes between the dates, with the kind of work and its weight (one UNION ALL);
5. the holidays, days off and vacations of the years between the dates (one UNION ALL).

On PostgreSQL each query costs the database ~0.3 ms of parsing and planning however small its answer (more with
joins): the page's database CPU is mostly that, so small reads ride along with bigger ones.

A pupil sees a lesson only while enrolled in its class on its date, and a subgroup's lesson only as a member of
that subgroup. Homework is shown on the day it is due, «к уроку» at the first lesson of its subject that day (or,
when the teacher chose a day without that subject, under the day), and as a short «задано» line at the lesson
where it was given; each only where the pupil sees that lesson or day (enrolled in the class, a member of the
subgroup). Homework given to chosen pupils only is shown to them alone.

The reads are plain SQL, as in journal.selectors.grid: the ORM spent more time building these joins than the
database spent answering them (the week page's selector went from 18 ms to a few). Tables come from the models'
metadata and values are always parameters; the SQL is plain enough for SQLite and PostgreSQL alike.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from accounts.models import PupilProfile, User
from journal.choices import DayKind
from journal.models import (
    Attendance,
    AttendanceCode,
    Bell,
    CalendarDay,
    Enrollment,
    GradeSettings,
    Homework,
    Lesson,
    Mark,
    PlanTopic,
    SchoolClass,
    Subgroup,
    Subject,
    TeachingAssignment,
    Vacation,
    WorkType,
)
from journal.selectors.sql import as_date, as_time, fetch, placeholders, sql_date, table

ONE = Decimal(1)  # the weight of a mark without a kind of work (as in the journal grid)
SATURDAY, SUNDAY = 5, 6
ATTENDANCE_LABELS = dict(AttendanceCode.choices)
INDIVIDUAL_PREFIX = "Индивидуально: "


@dataclass
class DiaryMark:
    """A pupil's mark at a lesson with its kind of work and the weight it has in the average."""

    value: str
    position: int
    work_type: str
    work_type_short: str
    weight: Decimal


@dataclass
class DiaryHomework:
    """Homework as the diary shows it: where it was given, the day it is due, for everyone or for the pupil alone."""

    homework_id: int
    text: str
    individual: bool  # given to chosen pupils only (the pupil is one of them)
    subject: str
    assignment_id: int
    given_on: dt.date
    due_on: dt.date | None  # the teacher's date, else the next lesson of the subject; None: no later lesson yet
    due_set: bool = False  # the teacher chose the day

    @property
    def label(self) -> str:
        return INDIVIDUAL_PREFIX + self.text if self.individual else self.text


@dataclass
class DiaryLesson:
    """A lesson as the pupil's diary shows it."""

    lesson_id: int
    number: int
    time: str  # «8:30–9:15», "" without a bell schedule
    subject: str
    assignment_id: int
    topic: str
    marks: list[DiaryMark]
    attendance: str  # н, б, у, п, оп or ""
    attendance_label: str  # «по болезни»…
    is_control: bool
    substitute: str  # «Иванова А. П.» when another teacher taught the lesson
    subject_order: int = field(default=0, repr=False)
    # Due at this lesson («к уроку»): the first lesson of the subject on the day the homework is due.
    homework: list[DiaryHomework] = field(default_factory=list)
    # Given at this lesson («задано»), due at a later one.
    homework_given: list[DiaryHomework] = field(default_factory=list)


@dataclass
class DiaryDay:
    """A day of the diary: its lessons, and a note for holidays, days off and vacations."""

    date: dt.date
    is_today: bool
    note: str
    lessons: list[DiaryLesson]
    # Due this day for a subject without a lesson that day (the teacher chose the day).
    homework: list[DiaryHomework] = field(default_factory=list)

    @property
    def weekday(self) -> int:
        return self.date.weekday()


@dataclass
class Span:
    """A pupil's stay in a class within the dates asked for."""

    class_id: int
    start: dt.date
    end: dt.date | None
    grade: int
    year_id: int
    days_per_week: int

    def covers(self, day: dt.date) -> bool:
        return self.start <= day and (self.end is None or day <= self.end)


def bell_time(start: dt.time | None, end: dt.time | None) -> str:
    if start is None or end is None:
        return ""
    return f"{start.hour}:{start.minute:02d}–{end.hour}:{end.minute:02d}"


def short_name(last: str | None, first: str | None, middle: str | None) -> str:
    return User(last_name=last or "", first_name=first or "", middle_name=middle or "").short_name


# The reads are in plain SQL (journal.selectors.sql says why).


# The reads -----------------------------------------------------------------------------------------------------


def enrolments(pupil_ids: list[int], start: dt.date, end: dt.date) -> tuple[dict[int, list[Span]], dict[int, set[int]]]:
    """Each pupil's stays in classes overlapping the dates, in date order, with grade, year and week, and every
    subgroup each pupil belongs to, in one query (a UNION ALL): a subgroup of another class is never matched
    (lessons and assignments are read for the stays' classes only), so it needs no join to the classes."""
    pupils = placeholders(pupil_ids)
    rows = fetch(
        "SELECT 'e', e.pupil_id, e.school_class_id, e.date_from, e.date_to, c.grade, c.year_id, g.days_per_week"
        f" FROM {table(Enrollment)} e JOIN {table(SchoolClass)} c ON c.id = e.school_class_id"
        f" LEFT JOIN {table(GradeSettings)} g ON g.year_id = c.year_id AND g.grade = c.grade"
        f" WHERE e.pupil_id IN ({pupils}) AND e.date_from <= %s AND (e.date_to IS NULL OR e.date_to >= %s)"
        " UNION ALL SELECT 'g', sp.pupilprofile_id, sp.subgroup_id, NULL, NULL, NULL, NULL, NULL"
        f" FROM {table(Subgroup.pupils.through)} sp WHERE sp.pupilprofile_id IN ({pupils}) ORDER BY 1, 2, 4",
        [*pupil_ids, sql_date(end), sql_date(start), *pupil_ids],
    )
    spans: dict[int, list[Span]] = defaultdict(list)
    memberships: dict[int, set[int]] = defaultdict(set)
    for kind, pupil_id, object_id, date_from, date_to, grade, year_id, week_days in rows:
        if kind == "g":
            memberships[pupil_id].add(object_id)
        else:
            spans[pupil_id].append(
                Span(object_id, as_date(date_from), as_date(date_to), grade, year_id, week_days or 5)
            )
    return spans, memberships


def _class_lessons(class_ids: list[int], start: dt.date, end: dt.date) -> list[tuple]:
    return fetch(
        'SELECT l.id, l."date", l.number, l.assignment_id, a.school_class_id, a.subgroup_id, s.name, s."order",'
        " l.topic, pt.title, l.is_control, w.is_control, a.teacher_id, l.taught_by_id, u.last_name, u.first_name,"
        " u.middle_name, b.start_time, b.end_time"
        f" FROM {table(Lesson)} l JOIN {table(TeachingAssignment)} a ON a.id = l.assignment_id"
        f" JOIN {table(Subject)} s ON s.id = a.subject_id LEFT JOIN {table(PlanTopic)} pt ON pt.id = l.plan_topic_id"
        f" LEFT JOIN {table(WorkType)} w ON w.id = l.work_type_id LEFT JOIN {table(User)} u ON u.id = l.taught_by_id"
        f" LEFT JOIN {table(Bell)} b ON b.year_id = a.year_id AND b.number = l.number"
        f' WHERE a.school_class_id IN ({placeholders(class_ids)}) AND l."date" >= %s AND l."date" <= %s',
        [*class_ids, sql_date(start), sql_date(end)],
    )


def _homework(class_ids: list[int], start: dt.date, end: dt.date) -> list[tuple]:
    """The homework given at the classes' lessons between the dates or due on those days, one row per pupil it is
    meant for: (homework id, lesson id, given on, due on, due set, assignment id, class id, subgroup id, subject,
    text, pupil id or None), by the day and lesson it was given.

    The day it is due is the teacher's date, else the next day with a lesson of the same assignment (a second lesson
    the same day is the same sitting: a double lesson). The candidates are three disjoint reads (a UNION ALL of ids):

    1. given at the classes' lessons between the dates (the lessons by (assignment, date): uniq_lesson);
    2. given without a date at each assignment's last lesson day before the dates: due at its next lesson, the only
       homework without a date that can be due between the dates, however long the gap (a vacation);
    3. with a date set between the dates, given earlier (the only read by the homework's own columns: without an
       index on ``due_date`` a scan of the homework table, ~0.6 ms on the demo school).

    The outer select joins what the diary shows and works out the day each is due (an index lookup per row); of the
    second read only what is due by ``end`` is kept. (It read the homework of every class of the school given over
    60 days before and worked out each one's next lesson before keeping the class's: 28–62 ms of the database for a
    week page on the demo school, now ~1.5 ms, and a gap of more than 60 days no longer hides one.)
    """
    classes = placeholders(class_ids)
    first, last = sql_date(start), sql_date(end)
    lesson, assignment, homework = table(Lesson), table(TeachingAssignment), table(Homework)
    rows = fetch(
        'SELECT h.id, h.lesson_id, l."date", COALESCE(h.due_date, (SELECT MIN(n."date") FROM'
        f' {lesson} n WHERE n.assignment_id = l.assignment_id AND n."date" > l."date")), h.due_date IS NOT NULL,'
        " l.assignment_id, a.school_class_id, a.subgroup_id, s.name, h.text, hp.pupilprofile_id FROM ("
        f" SELECT g.id FROM {lesson} gl JOIN {homework} g ON g.lesson_id = gl.id WHERE gl.assignment_id IN"
        f" (SELECT ca.id FROM {assignment} ca WHERE ca.school_class_id IN ({classes}))"
        ' AND gl."date" >= %s AND gl."date" <= %s'
        f" UNION ALL SELECT g.id FROM {assignment} ga JOIN {lesson} gl ON gl.assignment_id = ga.id"
        f' AND gl."date" = (SELECT MAX(p."date") FROM {lesson} p WHERE p.assignment_id = ga.id AND p."date" < %s)'
        f" JOIN {homework} g ON g.lesson_id = gl.id WHERE ga.school_class_id IN ({classes}) AND g.due_date IS NULL"
        f" UNION ALL SELECT d.id FROM {homework} d JOIN {lesson} dl ON dl.id = d.lesson_id"
        ' WHERE d.due_date >= %s AND d.due_date <= %s AND dl."date" < %s'
        f") c JOIN {homework} h ON h.id = c.id JOIN {lesson} l ON l.id = h.lesson_id"
        f" JOIN {assignment} a ON a.id = l.assignment_id JOIN {table(Subject)} s ON s.id = a.subject_id"
        f" LEFT JOIN {table(Homework.pupils.through)} hp ON hp.homework_id = h.id"
        f" WHERE a.school_class_id IN ({classes}) AND h.text <> ''"
        ' ORDER BY l."date", l.number, s."order", h.id',
        [*class_ids, first, last, first, *class_ids, first, last, first, *class_ids],
    )
    # Given before the dates and due after them (the second read's next lesson is past ``end``): not this time's.
    return [row for row in rows if as_date(row[2]) >= start or (row[3] is not None and as_date(row[3]) <= end)]


def _entries(pupil_ids: list[int], start: dt.date, end: dt.date) -> list[tuple]:
    """(lesson id, pupil id, value, position, kind, kind short, weight as text): marks, and codes at position 0."""
    pupils = placeholders(pupil_ids)
    dates = [sql_date(start), sql_date(end)]
    return fetch(
        f"SELECT m.lesson_id, m.pupil_id, m.value, m.position, w.name, w.short_name, CAST(w.weight AS TEXT)"
        f" FROM {table(Mark)} m JOIN {table(Lesson)} l ON l.id = m.lesson_id"
        f" LEFT JOIN {table(WorkType)} w ON w.id = m.work_type_id"
        f' WHERE m.pupil_id IN ({pupils}) AND l."date" >= %s AND l."date" <= %s AND m.value <> \'\''
        f" UNION ALL SELECT t.lesson_id, t.pupil_id, t.code, 0, NULL, NULL, NULL"
        f" FROM {table(Attendance)} t JOIN {table(Lesson)} l ON l.id = t.lesson_id"
        f' WHERE t.pupil_id IN ({pupils}) AND l."date" >= %s AND l."date" <= %s AND t.code <> \'\'',
        [*pupil_ids, *dates, *pupil_ids, *dates],
    )


def _calendar_notes(year_ids: list[int], start: dt.date, end: dt.date) -> list[tuple]:
    """(year_id, first day, last day, kind, name, grade_from, grade_to) of special days and vacations (1 query)."""
    years = placeholders(year_ids)
    rows = fetch(
        f'SELECT year_id, "date", "date", kind, name, grade_from, grade_to FROM {table(CalendarDay)}'
        f' WHERE year_id IN ({years}) AND "date" >= %s AND "date" <= %s'
        f" UNION ALL SELECT year_id, start_date, end_date, 'vacation', name, grade_from, grade_to FROM {table(Vacation)}"
        f" WHERE year_id IN ({years}) AND start_date <= %s AND end_date >= %s",
        [*year_ids, sql_date(start), sql_date(end), *year_ids, sql_date(end), sql_date(start)],
    )
    return [(year_id, as_date(a), as_date(b), *rest) for year_id, a, b, *rest in rows]


def _day_note(day: dt.date, span: Span | None, notes: list[tuple]) -> str:
    """A vacation's or a holiday's name (or a day off's, or a transferred working day's) for the pupil's grade."""
    if span is None:
        return ""
    note, off, working = "", False, False
    for year_id, first, last, kind, name, grade_from, grade_to in notes:
        if year_id != span.year_id or not grade_from <= span.grade <= grade_to or not first <= day <= last:
            continue
        if kind == "vacation":
            return name or _("Каникулы")
        if kind == DayKind.WORKDAY:
            working, note = True, name or _("Рабочий день (перенос)")
        elif kind in (DayKind.HOLIDAY, DayKind.DAY_OFF) or (kind == DayKind.TRANSFER and span.days_per_week == 5):
            off, note = True, name or str(DayKind(kind).label).capitalize()
    return note if off or working else ""


def pupil_days(
    pupils: list[PupilProfile], start: dt.date, end: dt.date, *, today: dt.date, brief: bool = False
) -> dict[int, list[DiaryDay]]:
    """Each pupil's diary days from ``start`` to ``end`` (keys: pupil pk), in a fixed number of queries.

    Days: Monday to Friday always; Saturday when the pupil's grade has a six-day week or there are lessons;
    Sunday only with lessons. A day outside the pupil's enrolment has no lessons. ``brief``: the lessons and their
    homework only, without marks, attendance and the days' notes (two queries fewer: «Что нового» shows the next
    school day's lessons and homework).
    """
    pupil_ids = [pupil.pk for pupil in pupils]
    if not pupil_ids or end < start:
        return {pk: [] for pk in pupil_ids}
    spans, memberships = enrolments(pupil_ids, start, end)
    class_ids = {span.class_id for pupil_spans in spans.values() for span in pupil_spans}
    year_ids = {span.year_id for pupil_spans in spans.values() for span in pupil_spans}

    lessons_by_date: dict[dt.date, list[tuple]] = defaultdict(list)
    homework: list[_Homework] = []
    entries: dict[tuple[int, int], list[tuple]] = defaultdict(list)
    notes: list[tuple] = []
    if class_ids:
        classes, years = sorted(class_ids), sorted(year_ids)
        for row in _class_lessons(classes, start, end):
            lessons_by_date[as_date(row[1])].append(row)
        homework = _homework_items(_homework(classes, start, end))
        if not brief:
            for lesson_id, pupil_id, value, position, kind, kind_short, weight in _entries(pupil_ids, start, end):
                entries[(lesson_id, pupil_id)].append((value, position, kind, kind_short, weight))
            notes = _calendar_notes(years, start, end)

    times: dict[tuple, str] = {}  # «8:30–9:15» per bell, worked out once for a class of 30
    result: dict[int, list[DiaryDay]] = {}
    for pupil_id in pupil_ids:
        pupil_spans = spans.get(pupil_id, [])
        groups = memberships.get(pupil_id, set())
        six_days = any(span.days_per_week == 6 for span in pupil_spans)
        days = []
        day = start
        while day <= end:
            span = next((s for s in pupil_spans if s.covers(day)), None)
            lessons = []
            if span is not None:
                for row in lessons_by_date.get(day, ()):
                    if row[4] == span.class_id and (row[5] is None or row[5] in groups):
                        lessons.append(_lesson(row, pupil_id, entries, times))
            weekday = day.weekday()
            if lessons or weekday < SATURDAY or (weekday == SATURDAY and six_days):
                note = _day_note(day, span, notes)
                lessons.sort(key=lambda lesson: (lesson.number, lesson.subject_order, lesson.subject))
                days.append(DiaryDay(date=day, is_today=day == today, note=note, lessons=lessons))
            day += dt.timedelta(days=1)
        _place_homework(days, homework, pupil_id, pupil_spans, groups)
        result[pupil_id] = days
    return result


@dataclass
class _Homework:
    """One homework read by ``_homework`` (its rows per pupil joined), before it is placed in a pupil's days."""

    item: DiaryHomework
    lesson_id: int
    class_id: int
    subgroup_id: int | None
    only_for: set[int]


def _homework_items(rows: list[tuple]) -> list[_Homework]:
    by_id: dict[int, _Homework] = {}
    for homework_id, lesson_id, given, due, due_set, assignment_id, class_id, subgroup_id, subject, text, pupil in rows:
        entry = by_id.get(homework_id)
        if entry is None:
            item = DiaryHomework(
                homework_id=homework_id,
                text=text,
                individual=False,
                subject=subject,
                assignment_id=assignment_id,
                given_on=as_date(given),
                due_on=as_date(due),
                due_set=bool(due_set),
            )
            entry = by_id[homework_id] = _Homework(item, lesson_id, class_id, subgroup_id, set())
        if pupil is not None:
            entry.only_for.add(pupil)
            entry.item.individual = True
    return list(by_id.values())


def _place_homework(
    days: list[DiaryDay], homework: list[_Homework], pupil_id: int, spans: list[Span], groups: set[int]
) -> None:
    """Put each homework meant for the pupil at the lesson it was given («задано») and on the day it is due: at the
    first lesson of its subject that day («к уроку»), else under the day while the pupil is in the class (and the
    subgroup). Only lessons and days the pupil sees get it."""
    if not homework:
        return
    lessons: dict[int, DiaryLesson] = {}
    first_of_subject: dict[tuple[dt.date, int], DiaryLesson] = {}
    by_date: dict[dt.date, DiaryDay] = {}
    for diary_day in days:
        by_date[diary_day.date] = diary_day
        for lesson in diary_day.lessons:
            lessons[lesson.lesson_id] = lesson
            first_of_subject.setdefault((diary_day.date, lesson.assignment_id), lesson)
    general: list[tuple[_Homework, DiaryHomework]] = []
    individual: list[tuple[_Homework, DiaryHomework]] = []
    for entry in homework:
        if entry.only_for and pupil_id not in entry.only_for:
            continue
        (individual if entry.only_for else general).append((entry, entry.item))
    for entry, item in general + individual:  # the class's homework first, then the pupil's own
        given_at = lessons.get(entry.lesson_id)
        if given_at is not None:
            given_at.homework_given.append(item)
        if item.due_on is None or item.due_on not in by_date:
            continue
        due_at = first_of_subject.get((item.due_on, item.assignment_id))
        if due_at is not None:
            due_at.homework.append(item)
            continue
        span = next((span for span in spans if span.covers(item.due_on)), None)
        if span is not None and span.class_id == entry.class_id and entry.subgroup_id in (None, *groups):
            by_date[item.due_on].homework.append(item)


def _lesson(row: tuple, pupil_id: int, entries: dict, times: dict) -> DiaryLesson:
    (
        lesson_id,
        _day,
        number,
        assignment_id,
        _class_id,
        _subgroup_id,
        subject,
        subject_order,
        topic,
        plan_title,
        is_control,
        kind_is_control,
        teacher_id,
        taught_by_id,
        *substitute_name,
        bell_start,
        bell_end,
    ) = row
    bell = (bell_start, bell_end)
    time = times.get(bell)
    if time is None:
        time = times[bell] = bell_time(as_time(bell_start), as_time(bell_end))
    marks, code = [], ""
    for value, position, kind, kind_short, weight in entries.get((lesson_id, pupil_id), ()):
        if position == 0:
            code = value
        else:
            marks.append(DiaryMark(value, position, kind or "", kind_short or "", Decimal(weight) if weight else ONE))
    marks.sort(key=lambda mark: mark.position)
    return DiaryLesson(
        lesson_id=lesson_id,
        number=number,
        time=time,
        subject=subject,
        assignment_id=assignment_id,
        topic=topic or plan_title or "",
        marks=marks,
        attendance=code,
        attendance_label=str(ATTENDANCE_LABELS.get(code, "")) if code else "",
        is_control=bool(is_control or kind_is_control),
        substitute=short_name(*substitute_name) if taught_by_id and taught_by_id != teacher_id else "",
        subject_order=subject_order,
    )


@dataclass
class DueHomework:
    """Homework to do for a day, per subject and the day it was given."""

    subject: str
    assignment_id: int
    given_on: dt.date
    texts: list[str]


def homework_due(days: list[DiaryDay], day: dt.date) -> list[DueHomework]:
    """The homework due on ``day`` (as ``pupil_days`` placed it): by lesson order, then the subjects without a lesson
    that day; one entry per subject and day given."""
    diary_day = next((d for d in days if d.date == day), None)
    if diary_day is None:
        return []
    due: dict[tuple[int, dt.date], DueHomework] = {}
    items = [item for lesson in diary_day.lessons for item in lesson.homework] + diary_day.homework
    for item in items:
        key = (item.assignment_id, item.given_on)
        if key not in due:
            due[key] = DueHomework(item.subject, item.assignment_id, item.given_on, [])
        due[key].texts.append(item.label)
    return list(due.values())


def next_school_day(days: list[DiaryDay], after: dt.date) -> DiaryDay | None:
    """The first day after ``after`` with lessons."""
    return next((day for day in days if day.date > after and day.lessons), None)
