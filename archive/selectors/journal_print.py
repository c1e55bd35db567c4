"""The data of a printed class journal: everything one class's journal shows for an interval, read in a fixed number
of queries whatever the number of pupils, subjects and lessons (about ten per class):

1. the grade's study periods (of the grade's kind) and 2. the director, for the title page and the signatures;
3. the roster with its enrolments (``journal.selectors.closing.class_roster``: arrivals, departures, reasons);
4. the class's assignments with subject, teacher and subgroup; 5. the subgroups' pupils;
6. the lessons of those assignments in the interval, with the КТП topic, who taught (``taught_by``) and the
   substitute (``Substitution``);
7. every mark and attendance code of those lessons, in one ``UNION ALL`` (as the grid reads its cells);
8. the homework with text; 9. the period, year, exam and final marks.

Rows come back as plain tuples and strings: ``archive.render.journal`` lays them out.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from accounts.choices import Role
from accounts.models import User
from journal.choices import PeriodKind
from journal.models import (
    Attendance,
    GradeSettings,
    Homework,
    Lesson,
    Mark,
    PeriodMark,
    PlanTopic,
    SchoolClass,
    StudyPeriod,
    Subgroup,
    Substitution,
    TeachingAssignment,
)
from journal.selectors.closing import RosterRow, class_roster
from journal.selectors.grid import ATTENDANCE_SLOT
from journal.selectors.sql import as_date, fetch, sql_date, table


@dataclass
class PrintLesson:
    """A lesson as the journal prints it: its column of the marks pages and its line of the lesson pages."""

    pk: int
    date: dt.date
    number: int
    topic: str
    substitute: str  # «Иванова А. П.» when another teacher gave it, else ""
    homework: list[str] = field(default_factory=list)


@dataclass
class PrintAssignment:
    """A subject (and subgroup) of the class with its lessons, pupils and period marks."""

    assignment: TeachingAssignment
    lessons: list[PrintLesson] = field(default_factory=list)
    pupil_ids: set[int] | None = None  # a subgroup's pupils; None: the whole class
    # (pupil_id, kind, period_id or None) -> value
    period_marks: dict[tuple[int, str, int | None], str] = field(default_factory=dict)

    @property
    def title(self) -> str:
        subgroup = f" ({self.assignment.subgroup.name})" if self.assignment.subgroup_id else ""
        return f"{self.assignment.subject.name}{subgroup}"


@dataclass
class ClassJournalData:
    school_class: SchoolClass
    start: dt.date
    end: dt.date
    periods: list[StudyPeriod]
    director: str
    roster: list[RosterRow]
    assignments: list[PrintAssignment]
    # (pupil_id, lesson_id) -> (mark1, mark2, attendance code)
    cells: dict[tuple[int, int], list[str]]


def grade_periods(school_class: SchoolClass) -> list[StudyPeriod]:
    """The study periods of the grade's kind (quarters by default), in order (1 query)."""
    kind = (
        GradeSettings.objects.filter(year_id=school_class.year_id, grade=school_class.grade)
        .values_list("period_kind", flat=True)
        .first()
    ) or PeriodKind.QUARTER
    return list(StudyPeriod.objects.filter(year_id=school_class.year_id, kind=kind).order_by("number"))


def director_name(school_id: int) -> str:
    director = (
        User.objects.filter(school_id=school_id, role=Role.DIRECTOR, is_active=True).order_by("last_name").first()
    )
    return director.short_name if director else ""


def _short(last: str | None, first: str | None, middle: str | None, username: str | None) -> str:
    return User(
        username=username or "", last_name=last or "", first_name=first or "", middle_name=middle or ""
    ).short_name


def class_journal_data(
    school_class: SchoolClass,
    start: dt.date,
    end: dt.date,
    assignment: TeachingAssignment | None = None,
    *,
    periods: list[StudyPeriod] | None = None,
    director: str | None = None,
) -> ClassJournalData:
    """One class's journal between ``start`` and ``end`` (all subjects, or ``assignment``'s only)."""
    year = school_class.year
    periods = grade_periods(school_class) if periods is None else periods
    director = director_name(year.school_id) if director is None else director
    roster = class_roster(school_class, start, end)

    assignments_qs = (
        TeachingAssignment.objects.filter(school_class=school_class)
        .select_related("subject", "teacher", "subgroup")
        .order_by("subject__order", "subject__name", "subgroup__name", "pk")
    )
    if assignment is not None:
        assignments_qs = assignments_qs.filter(pk=assignment.pk)
    items = {a.pk: PrintAssignment(a) for a in assignments_qs}
    if not items:
        return ClassJournalData(school_class, start, end, periods, director, roster, [], {})

    members: dict[int, set[int]] = defaultdict(set)
    for subgroup_id, pupil_id in Subgroup.pupils.through.objects.filter(
        subgroup__school_class=school_class
    ).values_list("subgroup_id", "pupilprofile_id"):
        members[subgroup_id].add(pupil_id)
    for item in items.values():
        if item.assignment.subgroup_id:
            item.pupil_ids = members.get(item.assignment.subgroup_id, set())

    ids = list(items)
    marks_in = ", ".join(["%s"] * len(ids))
    lesson_where = f'l.assignment_id IN ({marks_in}) AND l."date" >= %s AND l."date" <= %s'
    lesson_params = [*ids, sql_date(start), sql_date(end)]
    users = table(User)
    rows = fetch(
        f'SELECT l.id, l.assignment_id, l."date", l.number, l.topic, pt.title, l.taught_by_id,'
        " tu.last_name, tu.first_name, tu.middle_name, tu.username,"
        " s.substitute_id, su.last_name, su.first_name, su.middle_name, su.username"
        f" FROM {table(Lesson)} l LEFT JOIN {table(PlanTopic)} pt ON pt.id = l.plan_topic_id"
        f" LEFT JOIN {users} tu ON tu.id = l.taught_by_id"
        f" LEFT JOIN {table(Substitution)} s ON s.lesson_id = l.id LEFT JOIN {users} su ON su.id = s.substitute_id"
        f' WHERE {lesson_where} ORDER BY l."date", l.number, l.id',
        lesson_params,
    )
    lessons: dict[int, PrintLesson] = {}
    for pk, assignment_id, day, number, topic, plan_title, taught_id, *rest in rows:
        taught_names, substitute_id, substitute_names = rest[:4], rest[4], rest[5:]
        item = items[assignment_id]
        substitute = ""
        if substitute_id and substitute_id != item.assignment.teacher_id:
            substitute = _short(*substitute_names)
        elif taught_id and taught_id != item.assignment.teacher_id:
            substitute = _short(*taught_names)
        lesson = PrintLesson(pk, as_date(day), number, topic or plan_title or "", substitute)
        lessons[pk] = lesson
        item.lessons.append(lesson)

    cells: dict[tuple[int, int], list[str]] = {}
    if lessons:
        lesson_join = f"JOIN {table(Lesson)} l ON l.id = x.lesson_id"
        for lesson_id, pupil_id, value, slot in fetch(
            f"SELECT x.lesson_id, x.pupil_id, x.value, x.position FROM {table(Mark)} x {lesson_join}"
            f" WHERE {lesson_where} AND x.value <> ''"
            f" UNION ALL SELECT x.lesson_id, x.pupil_id, x.code, {ATTENDANCE_SLOT} FROM {table(Attendance)} x"
            f" {lesson_join} WHERE {lesson_where} AND x.code <> ''",
            [*lesson_params, *lesson_params],
        ):
            cell = cells.get((pupil_id, lesson_id))
            if cell is None:
                cell = cells[(pupil_id, lesson_id)] = ["", "", ""]
            cell[2 if slot == ATTENDANCE_SLOT else (0 if slot == 1 else 1)] = value

        through = table(Homework.pupils.through)
        for lesson_id, text, individual in fetch(
            f"SELECT h.lesson_id, h.text, EXISTS (SELECT 1 FROM {through} hp WHERE hp.homework_id = h.id)"
            f" FROM {table(Homework)} h JOIN {table(Lesson)} l ON l.id = h.lesson_id"
            f" WHERE {lesson_where} AND h.text <> '' ORDER BY h.id",
            lesson_params,
        ):
            lessons[lesson_id].homework.append(f"{text} (индивидуально)" if individual else text)

    for assignment_id, pupil_id, kind, period_id, value in (
        PeriodMark.objects.filter(assignment_id__in=ids)
        .exclude(value="")
        .values_list("assignment_id", "pupil_id", "kind", "period_id", "value")
    ):
        items[assignment_id].period_marks[(pupil_id, kind, period_id)] = value

    return ClassJournalData(school_class, start, end, periods, director, roster, list(items.values()), cells)
