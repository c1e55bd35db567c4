"""Reads on the timetable: weekly grids by class, teacher and room; hours against the curriculum; the layout.

Every function reads a fixed number of queries and hands the template plain rows
whose cells need no further lookups.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Max, Min, Q, QuerySet

from accounts.models import School, User

from ..dates import safe_int
from ..models import (
    WEEKDAY_CHOICES,
    Bell,
    CurriculumEntry,
    GradeSettings,
    Lesson,
    Room,
    SchoolClass,
    SchoolYear,
    TeachingAssignment,
    TimetableEntry,
)
from ..services.timetable import lesson_has_records

WEEKDAY_NAMES = dict(WEEKDAY_CHOICES)
WEEKDAY_SHORT = ["Пн", "Вт", "Ср", "Чт", "Пт", "Сб"]


def on_date_in(year: SchoolYear, day: dt.date) -> dt.date:
    """The date clipped into the year: the timetable shown is the one valid on that date."""
    return min(max(day, year.start_date), year.end_date)


def valid_on(on_date: dt.date) -> Q:
    return Q(valid_from__lte=on_date) & (Q(valid_to__isnull=True) | Q(valid_to__gte=on_date))


def entries_on(year: SchoolYear, on_date: dt.date) -> QuerySet[TimetableEntry]:
    return (
        TimetableEntry.objects.filter(valid_on(on_date), year=year)
        .select_related(
            "assignment__subject", "assignment__teacher", "assignment__school_class", "assignment__subgroup", "room"
        )
        .order_by("weekday", "number", "assignment__subgroup__name", "pk")
    )


def bells_of(year: SchoolYear) -> list[Bell]:
    return list(Bell.objects.filter(year=year).order_by("number"))


@dataclass
class BellRow:
    bell: Bell
    break_after: int | None  # minutes until the next lesson


def bell_rows(bells: list[Bell]) -> list[BellRow]:
    rows = []
    for bell, following in zip(bells, [*bells[1:], None], strict=False):
        minutes = None
        if following is not None:
            day = dt.date.min
            gap = dt.datetime.combine(day, following.start_time) - dt.datetime.combine(day, bell.end_time)
            minutes = int(gap.total_seconds() // 60)
        rows.append(BellRow(bell, minutes))
    return rows


# Grids ----------------------------------------------------------------------------------------------------------


@dataclass
class GridItem:
    entry_id: int
    assignment_id: int
    subject: str
    subject_short: str
    teacher: str
    teacher_id: int
    class_name: str
    class_id: int
    subgroup: str
    room: str
    room_label: str  # «каб. 204» for a numbered room, the name itself for «Спортзал»
    room_id: int | None
    note: str  # a validity limited to part of the year: «с 01.12.2026», «по 30.11.2026»


@dataclass
class GridCell:
    weekday: int
    number: int
    items: list[GridItem] = field(default_factory=list)
    addable: bool = True  # empty, or only subgroup lessons (another subgroup may join)


@dataclass
class GridRow:
    number: int
    time: str
    cells: list[GridCell]


@dataclass
class TimetableGrid:
    weekdays: list[tuple[int, str, str]]  # (index, name, short name)
    rows: list[GridRow]
    on_date: dt.date
    lesson_count: int
    bells: list[Bell]

    @property
    def has_bells(self) -> bool:
        return bool(self.bells)


def _note(entry: TimetableEntry, year: SchoolYear) -> str:
    parts = []
    if entry.valid_from > year.start_date:
        parts.append(f"с {entry.valid_from:%d.%m.%Y}")
    if entry.valid_to:
        parts.append(f"по {entry.valid_to:%d.%m.%Y}")
    return " ".join(parts)


def room_label(room: Room) -> str:
    return f"каб. {room.name}" if room.name[:1].isdigit() else room.name


def _item(entry: TimetableEntry, year: SchoolYear) -> GridItem:
    assignment = entry.assignment
    return GridItem(
        entry_id=entry.pk,
        assignment_id=assignment.pk,
        subject=assignment.subject.name,
        subject_short=assignment.subject.short_name or assignment.subject.name,
        teacher=assignment.teacher.short_name,
        teacher_id=assignment.teacher_id,
        class_name=str(assignment.school_class),
        class_id=assignment.school_class_id,
        subgroup=assignment.subgroup.name if assignment.subgroup_id else "",
        room=entry.room.name if entry.room_id else "",
        room_label=room_label(entry.room) if entry.room_id else "",
        room_id=entry.room_id,
        note=_note(entry, year),
    )


def _grid(year: SchoolYear, entries: list[TimetableEntry], bells: list[Bell], week: int, on_date: dt.date):
    times = {bell.number: f"{bell.start_time:%H:%M}–{bell.end_time:%H:%M}" for bell in bells}
    numbers = sorted(set(times) | {entry.number for entry in entries})
    cells = {(day, number): GridCell(day, number) for number in numbers for day in range(week)}
    for entry in entries:
        cell = cells.get((entry.weekday, entry.number))
        if cell is None:  # a day beyond the week shown (cannot be saved through the services)
            continue
        cell.items.append(_item(entry, year))
        if entry.assignment.subgroup_id is None:
            cell.addable = False
    rows = [GridRow(number, times.get(number, ""), [cells[(day, number)] for day in range(week)]) for number in numbers]
    weekdays = [(day, WEEKDAY_NAMES[day], WEEKDAY_SHORT[day]) for day in range(week)]
    return TimetableGrid(weekdays, rows, on_date, len(entries), bells)


def grade_week(year: SchoolYear, grade: int) -> int:
    return GradeSettings.objects.filter(year=year, grade=grade).values_list("days_per_week", flat=True).first() or 5


def class_grid(school_class: SchoolClass, on_date: dt.date) -> TimetableGrid:
    """The class's week: rows are lesson numbers with bell times, columns the days of the grade's week."""
    year = school_class.year
    entries = list(entries_on(year, on_date).filter(assignment__school_class=school_class))
    return _grid(year, entries, bells_of(year), grade_week(year, school_class.grade), on_date)


def _week_of(entries: list[TimetableEntry]) -> int:
    return max([5] + [entry.weekday + 1 for entry in entries])


def teacher_grid(teacher: User, year: SchoolYear, on_date: dt.date) -> TimetableGrid:
    entries = list(entries_on(year, on_date).filter(assignment__teacher=teacher))
    return _grid(year, entries, bells_of(year), _week_of(entries), on_date)


def room_grid(room: Room, year: SchoolYear, on_date: dt.date) -> TimetableGrid:
    entries = list(entries_on(year, on_date).filter(room=room))
    return _grid(year, entries, bells_of(year), _week_of(entries), on_date)


# Hours against the curriculum and the teaching load --------------------------------------------------------------


@dataclass
class HoursLine:
    """A curriculum line (or a subject taught without one): hours in the timetable against the plan."""

    subject_id: int
    subject: str
    planned: Decimal | None  # None: the subject is not in the curriculum
    scheduled: int
    split: bool = False
    detail: str = ""  # per subgroup: «1 подгруппа: 3, 2 подгруппа: 2»
    ok: bool = True


@dataclass
class AssignmentHours:
    assignment: TeachingAssignment
    scheduled: int
    ok: bool


@dataclass
class ClassHours:
    school_class: SchoolClass
    lines: list[HoursLine]
    assignments: list[AssignmentHours]
    planned: Decimal
    scheduled: int
    mismatches: int  # subjects whose curriculum line or assignments do not match the timetable


def _class_hours(
    school_class: SchoolClass,
    curriculum: list[CurriculumEntry],
    assignments: list[TeachingAssignment],
    counts: dict[int, int],
) -> ClassHours:
    """For a subject split into subgroups, one subgroup's hours count (they sit at the same time)."""
    whole: dict[int, int] = defaultdict(int)
    by_group: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    names: dict[int, str] = {}
    for assignment in assignments:
        names[assignment.subject_id] = assignment.subject.name
        scheduled = counts.get(assignment.pk, 0)
        if assignment.subgroup_id:
            by_group[assignment.subject_id][assignment.subgroup.name] += scheduled
        else:
            whole[assignment.subject_id] += scheduled
    lines = []
    subjects_seen = set()
    for entry in curriculum:
        subjects_seen.add(entry.subject_id)
        lines.append(
            _line(
                entry.subject.name, entry.hours_per_week, entry.split_into_subgroups, entry.subject_id, whole, by_group
            )
        )
    for subject_id, name in names.items():
        if subject_id not in subjects_seen:
            lines.append(_line(name, None, False, subject_id, whole, by_group))
    assignment_rows = [
        AssignmentHours(a, counts.get(a.pk, 0), Decimal(counts.get(a.pk, 0)) == a.hours_per_week) for a in assignments
    ]
    return ClassHours(
        school_class=school_class,
        lines=lines,
        assignments=assignment_rows,
        planned=sum((entry.hours_per_week for entry in curriculum), Decimal(0)),
        scheduled=sum(line.scheduled for line in lines),
        mismatches=len(
            {line.subject_id for line in lines if not line.ok}
            | {row.assignment.subject_id for row in assignment_rows if not row.ok}
        ),
    )


def _line(name, planned, split, subject_id, whole, by_group) -> HoursLine:
    groups = by_group.get(subject_id, {})
    scheduled = whole.get(subject_id, 0) + max(groups.values(), default=0)
    detail = ", ".join(f"{group}: {hours}" for group, hours in sorted(groups.items()))
    if planned is None:
        ok = scheduled == 0
    else:
        ok = Decimal(scheduled) == planned and len(set(groups.values())) <= 1
    return HoursLine(subject_id, name, planned, scheduled, split, detail, ok)


def _scheduled_counts(year: SchoolYear, on_date: dt.date, **filters) -> dict[int, int]:
    rows = (
        TimetableEntry.objects.filter(valid_on(on_date), year=year, **filters)
        .values("assignment_id")
        .annotate(n=Count("id"))
        .values_list("assignment_id", "n")
    )
    return dict(rows)


def class_hours(school_class: SchoolClass, on_date: dt.date) -> ClassHours:
    """The class's timetable hours against its curriculum and its assignments: three queries."""
    curriculum = list(CurriculumEntry.objects.filter(school_class=school_class).select_related("subject"))
    assignments = list(
        TeachingAssignment.objects.filter(school_class=school_class).select_related("subject", "teacher", "subgroup")
    )
    counts = _scheduled_counts(school_class.year, on_date, assignment__school_class=school_class)
    return _class_hours(school_class, curriculum, assignments, counts)


@dataclass
class TeacherHours:
    teacher: User
    load: Decimal
    scheduled: int
    ok: bool


@dataclass
class RoomRow:
    room: Room
    lessons: int


@dataclass
class TimetableOverview:
    classes: list[ClassHours]
    teachers: list[TeacherHours]
    rooms: list[RoomRow]
    bells: list[Bell]
    entries: int
    mismatched_classes: int


def timetable_overview(year: SchoolYear, on_date: dt.date) -> TimetableOverview:
    """Classes with their hours check, teachers with timetable hours against their load, rooms: six queries."""
    classes = list(SchoolClass.objects.filter(year=year).order_by("grade", "letter"))
    curriculum: dict[int, list[CurriculumEntry]] = defaultdict(list)
    for entry in CurriculumEntry.objects.filter(school_class__year=year).select_related("subject"):
        curriculum[entry.school_class_id].append(entry)
    assignments: dict[int, list[TeachingAssignment]] = defaultdict(list)
    teachers: dict[int, TeacherHours] = {}
    counts = _scheduled_counts(year, on_date)
    for assignment in TeachingAssignment.objects.filter(year=year).select_related("subject", "teacher", "subgroup"):
        assignments[assignment.school_class_id].append(assignment)
        row = teachers.setdefault(assignment.teacher_id, TeacherHours(assignment.teacher, Decimal(0), 0, True))
        row.load += assignment.hours_per_week
        row.scheduled += counts.get(assignment.pk, 0)
    for row in teachers.values():
        row.ok = Decimal(row.scheduled) == row.load
    class_rows = [_class_hours(c, curriculum[c.pk], assignments[c.pk], counts) for c in classes]
    room_counts = dict(
        TimetableEntry.objects.filter(valid_on(on_date), year=year, room__isnull=False)
        .values("room_id")
        .annotate(n=Count("id"))
        .values_list("room_id", "n")
    )
    rooms = [RoomRow(room, room_counts.get(room.pk, 0)) for room in Room.objects.filter(school_id=year.school_id)]
    return TimetableOverview(
        classes=class_rows,
        teachers=sorted(teachers.values(), key=lambda r: (r.teacher.last_name, r.teacher.first_name)),
        rooms=sorted(rooms, key=lambda r: _room_key(r.room.name)),
        bells=bells_of(year),
        entries=sum(counts.values()),
        mismatched_classes=sum(1 for row in class_rows if row.mismatches),
    )


def _room_key(name: str) -> tuple:
    """Numbered rooms in numeric order first (101, 102, …, 320), named ones after them."""
    words = name.split()
    number = safe_int(words[0], minimum=0) if words else None  # «²» or «٣» is a name, not a number
    return (0, number, name) if number is not None else (1, 0, name)


def room_list(school: School, year: SchoolYear | None, on_date: dt.date | None) -> list[RoomRow]:
    counts: dict[int, int] = {}
    if year is not None and on_date is not None:
        counts = dict(
            TimetableEntry.objects.filter(valid_on(on_date), year=year, room__isnull=False)
            .values("room_id")
            .annotate(n=Count("id"))
            .values_list("room_id", "n")
        )
    rows = [RoomRow(room, counts.get(room.pk, 0)) for room in Room.objects.filter(school=school)]
    return sorted(rows, key=lambda r: _room_key(r.room.name))


# The laid-out lessons -------------------------------------------------------------------------------------------


@dataclass
class ClassLessons:
    school_class: SchoolClass
    entries: int
    lessons: int
    with_records: int
    first: dt.date | None
    last: dt.date | None


def layout_summary(year: SchoolYear, on_date: dt.date) -> list[ClassLessons]:
    """Per class: weekly lessons in the timetable and the dated lessons laid out (three queries)."""
    lessons = {
        row["assignment__school_class_id"]: row
        for row in lesson_has_records(Lesson.objects.filter(assignment__year=year))
        .values("assignment__school_class_id")
        .annotate(n=Count("id"), records=Count("id", filter=Q(has_records=True)), first=Min("date"), last=Max("date"))
    }
    entries = dict(
        TimetableEntry.objects.filter(valid_on(on_date), year=year)
        .values("assignment__school_class_id")
        .annotate(n=Count("id"))
        .values_list("assignment__school_class_id", "n")
    )
    rows = []
    for school_class in SchoolClass.objects.filter(year=year).order_by("grade", "letter"):
        row = lessons.get(school_class.pk, {})
        rows.append(
            ClassLessons(
                school_class=school_class,
                entries=entries.get(school_class.pk, 0),
                lessons=row.get("n", 0),
                with_records=row.get("records", 0),
                first=row.get("first"),
                last=row.get("last"),
            )
        )
    return rows


def year_has_lessons(year: SchoolYear) -> bool:
    return Lesson.objects.filter(assignment__year=year).exists()


__all__ = [
    "AssignmentHours",
    "BellRow",
    "ClassHours",
    "ClassLessons",
    "GridCell",
    "GridItem",
    "GridRow",
    "HoursLine",
    "RoomRow",
    "TeacherHours",
    "TimetableGrid",
    "TimetableOverview",
    "bell_rows",
    "bells_of",
    "class_grid",
    "class_hours",
    "entries_on",
    "grade_week",
    "layout_summary",
    "on_date_in",
    "room_grid",
    "room_list",
    "teacher_grid",
    "timetable_overview",
    "valid_on",
    "year_has_lessons",
]
