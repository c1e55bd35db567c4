"""Writes on the timetable: rooms, the bell schedule, the weekly timetable, and laying out the year's lessons.

The timetable is built by the deputy head [002 §4.6.2] and the admin. A weekly
lesson (``TimetableEntry``) is valid for a range of dates, so a change in the
middle of the year ends one entry and starts another without rewriting the
past. ``lessons_layout`` turns the timetable into dated ``Lesson`` rows, the
columns of the class journal; it never deletes a lesson that holds a record
(see ``lesson_has_records``).
"""

import datetime as dt
import sqlite3
from collections import defaultdict
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import same_school
from accounts.models import School, User
from journal.access import require_timetable_editor

from ..choices import DayKind
from ..models import (
    WEEKDAY_CHOICES,
    Attendance,
    Bell,
    CalendarDay,
    GradeSettings,
    Homework,
    Lesson,
    Mark,
    Room,
    SchoolYear,
    Substitution,
    TeachingAssignment,
    TimetableEntry,
)
from ..workdays import grade_calendar
from .structure import ensure_year_writable

WEEKDAY_NAMES = dict(WEEKDAY_CHOICES)
MAX_BELL_NUMBER = 12
DAY = dt.timedelta(days=1)


def ensure_timetable_editor(actor: User, school: School | int) -> None:
    """The deputy head or the admin of this school (or the platform operator)."""
    require_timetable_editor(actor)
    school_id = school if isinstance(school, int) else school.pk
    if not same_school(actor, school_id):
        raise PermissionDenied(_("Расписание другой школы изменять нельзя."))


def _lock_year(year: SchoolYear) -> None:
    """Serialise timetable writes of one year (two deputies at once): the row lock lasts until the commit."""
    SchoolYear.objects.select_for_update().filter(pk=year.pk).values_list("pk", flat=True).first()


def days_per_week(year: SchoolYear, grade: int) -> int:
    return GradeSettings.objects.filter(year=year, grade=grade).values_list("days_per_week", flat=True).first() or 5


# Rooms and bells ------------------------------------------------------------------------------------------------


@transaction.atomic
def room_create(*, actor: User, school: School, name: str, capacity: int | None = None) -> Room:
    ensure_timetable_editor(actor, school)
    name = " ".join(name.split())
    if not name:
        raise ValidationError(_("Укажите название кабинета."))
    if Room.objects.filter(school=school, name__iexact=name).exists():
        raise ValidationError(_("Кабинет «%(name)s» уже есть.") % {"name": name})
    room = Room(school=school, name=name, capacity=capacity)
    room.full_clean()
    room.save()
    return room


@transaction.atomic
def bells_set(*, actor: User, year: SchoolYear, bells: list[tuple[int, dt.time, dt.time]]) -> list[Bell]:
    """Replace the bell schedule of a year: lesson numbers with start and end times, increasing, not overlapping."""
    ensure_timetable_editor(actor, year.school_id)
    ensure_year_writable(year)
    _lock_year(year)
    rows = sorted(bells, key=lambda row: row[0])
    previous: tuple[int, dt.time, dt.time] | None = None
    for number, start, end in rows:
        if not 0 <= number <= MAX_BELL_NUMBER:
            raise ValidationError(_("Номер урока должен быть от 0 до %(max)s.") % {"max": MAX_BELL_NUMBER})
        if end <= start:
            raise ValidationError(
                _("%(n)s урок: окончание (%(end)s) должно быть позже начала (%(start)s).")
                % {"n": number, "start": f"{start:%H:%M}", "end": f"{end:%H:%M}"}
            )
        if previous is not None:
            if number == previous[0]:
                raise ValidationError(_("%(n)s урок указан дважды.") % {"n": number})
            if start < previous[2]:
                raise ValidationError(
                    _("%(n)s урок начинается в %(start)s, раньше, чем заканчивается %(prev)s урок (%(end)s).")
                    % {"n": number, "start": f"{start:%H:%M}", "prev": previous[0], "end": f"{previous[2]:%H:%M}"}
                )
        previous = (number, start, end)
    numbers = {number for number, _start, _end in rows}
    orphaned = sorted(
        set(TimetableEntry.objects.filter(year=year).exclude(number__in=numbers).values_list("number", flat=True))
    )
    if orphaned:
        raise ValidationError(
            _("В расписании уроков есть уроки № %(numbers)s: для них нужен звонок. Сначала уберите эти уроки.")
            % {"numbers": ", ".join(str(n) for n in orphaned)}
        )
    Bell.objects.filter(year=year).delete()
    created = [Bell(year=year, number=number, start_time=start, end_time=end) for number, start, end in rows]
    for bell in created:
        bell.full_clean(validate_unique=False, validate_constraints=False)
    return Bell.objects.bulk_create(created)


# Conflicts ------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlotLesson:
    """What the conflict rules need of a weekly lesson at one slot (weekday, number)."""

    teacher_id: int
    class_id: int
    subgroup_id: int | None
    room_id: int | None
    valid_from: dt.date
    valid_to: dt.date  # inclusive; the year's end for an open entry


TEACHER, ROOM, CLASS, SUBGROUP_OVER_CLASS, CLASS_OVER_SUBGROUP, SAME_SUBGROUP = (
    "teacher",
    "room",
    "class",
    "subgroup_over_class",
    "class_over_subgroup",
    "same_subgroup",
)


def slot_conflict(new: SlotLesson, other: SlotLesson) -> str | None:
    """The kind of conflict between two lessons at the same slot, or None.

    They conflict only if their validity ranges overlap: the same teacher or the same room in two places,
    or a class with two lessons at once. Two *different* subgroups of a class at the same time are allowed
    (a language split); a subgroup's lesson against a whole-class lesson is not.
    """
    if new.valid_from > other.valid_to or other.valid_from > new.valid_to:
        return None
    if new.teacher_id == other.teacher_id:
        return TEACHER
    if new.class_id == other.class_id:
        if new.subgroup_id is None and other.subgroup_id is None:
            return CLASS
        if new.subgroup_id is None:
            return CLASS_OVER_SUBGROUP
        if other.subgroup_id is None:
            return SUBGROUP_OVER_CLASS
        if new.subgroup_id == other.subgroup_id:
            return SAME_SUBGROUP
    if new.room_id is not None and new.room_id == other.room_id:
        return ROOM
    return None


def slot_lesson(entry: TimetableEntry, assignment: TeachingAssignment, year_end: dt.date) -> SlotLesson:
    return SlotLesson(
        teacher_id=assignment.teacher_id,
        class_id=assignment.school_class_id,
        subgroup_id=assignment.subgroup_id,
        room_id=entry.room_id,
        valid_from=entry.valid_from,
        valid_to=entry.valid_to or year_end,
    )


def _describe(entry: TimetableEntry) -> str:
    assignment = entry.assignment
    group = f", {assignment.subgroup.name}" if assignment.subgroup_id else ""
    text = _("%(day)s, %(n)s урок — %(subject)s, %(cls)s%(group)s (%(teacher)s%(room)s)") % {
        "day": WEEKDAY_NAMES[entry.weekday],
        "n": entry.number,
        "subject": assignment.subject.name,
        "cls": assignment.school_class,
        "group": group,
        "teacher": assignment.teacher.short_name,
        "room": _(", каб. %(room)s") % {"room": entry.room.name} if entry.room_id else "",
    }
    if entry.valid_to:
        text += " " + _("по %(date)s") % {"date": f"{entry.valid_to:%d.%m.%Y}"}
    return text


def _conflict_message(kind: str, assignment: TeachingAssignment, room: Room | None, other: TimetableEntry) -> str:
    context = {"other": _describe(other)}
    if kind == TEACHER:
        return _("Учитель %(teacher)s в это время уже ведёт урок: %(other)s.") % {
            "teacher": assignment.teacher.short_name,
            **context,
        }
    if kind == ROOM:
        return _("Кабинет %(room)s в это время занят: %(other)s.") % {"room": room.name, **context}
    if kind == CLASS:
        return _("У класса %(cls)s в это время уже есть урок: %(other)s.") % {"cls": assignment.school_class, **context}
    if kind == SUBGROUP_OVER_CLASS:
        return _("Урок подгруппы «%(group)s» пересекается с уроком всего класса: %(other)s.") % {
            "group": assignment.subgroup.name,
            **context,
        }
    if kind == CLASS_OVER_SUBGROUP:
        return _("Урок всего класса %(cls)s пересекается с уроком подгруппы: %(other)s.") % {
            "cls": assignment.school_class,
            **context,
        }
    return _("У подгруппы «%(group)s» в это время уже есть урок: %(other)s.") % {
        "group": assignment.subgroup.name,
        **context,
    }


# The weekly timetable -------------------------------------------------------------------------------------------


@transaction.atomic
def timetable_entry_add(
    *,
    actor: User,
    assignment: TeachingAssignment,
    weekday: int,
    number: int,
    room: Room | None = None,
    valid_from: dt.date | None = None,
) -> TimetableEntry:
    """Put an assignment's weekly lesson into the timetable from ``valid_from`` (the year's start by default).

    Refused with a Russian message naming the conflict: the teacher or the room already busy, the class
    (or the subgroup, or the whole class against a subgroup) already having a lesson, a day beyond the
    grade's week, a lesson number without a bell.
    """
    year = assignment.year
    ensure_timetable_editor(actor, year.school_id)
    ensure_year_writable(year)
    _lock_year(year)
    valid_from = valid_from or year.start_date
    if not year.start_date <= valid_from <= year.end_date:
        raise ValidationError(_("Дата начала действия должна лежать внутри учебного года."))
    school_class = assignment.school_class
    week = days_per_week(year, school_class.grade)
    if weekday not in WEEKDAY_NAMES:
        raise ValidationError(_("Неизвестный день недели."))
    if weekday >= week:
        raise ValidationError(
            _("У %(grade)s-х классов пятидневная учебная неделя: уроков в субботу нет.") % {"grade": school_class.grade}
        )
    if not Bell.objects.filter(year=year, number=number).exists():
        raise ValidationError(_("Для %(n)s урока нет звонка: сначала задайте расписание звонков.") % {"n": number})
    if room is not None and room.school_id != year.school_id:
        raise ValidationError(_("Кабинет относится к другой школе."))
    entry = TimetableEntry(
        year=year, assignment=assignment, weekday=weekday, number=number, room=room, valid_from=valid_from
    )
    entry.full_clean()
    candidate = slot_lesson(entry, assignment, year.end_date)
    others = (
        TimetableEntry.objects.filter(year=year, weekday=weekday, number=number)
        .exclude(valid_to__lt=valid_from)
        .select_related(
            "assignment__teacher", "assignment__school_class", "assignment__subject", "assignment__subgroup", "room"
        )
        .order_by("valid_from", "pk")
    )
    for other in others:
        kind = slot_conflict(candidate, slot_lesson(other, other.assignment, year.end_date))
        if kind is not None:
            raise ValidationError(_conflict_message(kind, assignment, room, other))
    entry.save()
    return entry


@transaction.atomic
def timetable_entry_remove(
    *, actor: User, entry: TimetableEntry, from_date: dt.date | None = None
) -> TimetableEntry | None:
    """Take a weekly lesson out of the timetable from ``from_date`` (today, or the entry's start, by default).

    An entry that has no lessons laid out yet, or that is removed from its first day, is deleted; otherwise
    its validity ends the day before ``from_date`` and the lessons before that date stay as they are.
    Lessons are not touched here: ``lessons_layout`` from the same date removes those without records.
    Returns the ended entry, or None when it was deleted.
    """
    year = entry.year
    ensure_timetable_editor(actor, year.school_id)
    ensure_year_writable(year)
    _lock_year(year)
    from_date = from_date or max(timezone.localdate(), entry.valid_from)
    if not year.start_date <= from_date <= year.end_date:
        raise ValidationError(_("Дата должна лежать внутри учебного года."))
    if entry.valid_to is not None and from_date > entry.valid_to:
        raise ValidationError(
            _("Этот урок уже убран из расписания после %(date)s.") % {"date": f"{entry.valid_to:%d.%m.%Y}"}
        )
    if from_date <= entry.valid_from or not entry.lessons.exists():
        entry.delete()
        return None
    entry.valid_to = from_date - DAY
    entry.full_clean()
    entry.save(update_fields=["valid_to"])
    return entry


# Laying out the year's lessons ----------------------------------------------------------------------------------


def lesson_records() -> Q:
    """True for a lesson that holds something a teacher entered, so the layout never deletes it.

    The one place that knows what a lesson's record is: a topic or a КТП topic, a lesson record saved, any mark
    or attendance row (even one cleared later: it has history), homework, a substitution.
    """
    lesson = OuterRef("pk")
    return (
        ~Q(topic="")
        | Q(plan_topic__isnull=False)
        | Q(recorded_at__isnull=False)
        | Q(Exists(Mark.objects.filter(lesson=lesson)))
        | Q(Exists(Attendance.objects.filter(lesson=lesson)))
        | Q(Exists(Homework.objects.filter(lesson=lesson)))
        | Q(Exists(Substitution.objects.filter(lesson=lesson)))
    )


def lesson_has_records(queryset: QuerySet[Lesson]) -> QuerySet[Lesson]:
    """Annotate ``has_records`` (see ``lesson_records``)."""
    return queryset.annotate(has_records=ExpressionWrapper(lesson_records(), output_field=BooleanField()))


@dataclass
class LayoutResult:
    """What ``lessons_layout`` did."""

    created: int = 0
    removed: int = 0
    kept_with_data: int = 0  # no longer in the timetable, but they hold records
    unchanged: int = 0
    updated: int = 0  # still wanted, moved to another room or timetable entry
    from_date: dt.date | None = None
    to_date: dt.date | None = None
    transferred_days: dict[dt.date, int] = field(default_factory=dict)  # working weekend day -> weekday it follows
    skipped_days: list[dt.date] = field(default_factory=list)  # working weekend days whose weekday is unknown

    @property
    def changed(self) -> bool:
        return bool(self.created or self.removed or self.updated)


def transferred_workdays(year: SchoolYear) -> dict[dt.date, int | None]:
    """Working weekend days (рабочая суббота) of the year and the weekday whose timetable each follows.

    The production calendar moves a day off from a Saturday to a weekday: «Выходной (перенесено с
    20.02.2027)» on Monday 22.02 makes Saturday 20.02 a working day, and schools teach that Saturday by
    Monday's timetable. The link is read from the day off's name; failing that, the nearest transferred
    day off on a weekday within a week is taken; failing both, the weekday is None (the day is skipped).
    """
    rows = list(CalendarDay.objects.filter(year=year, kind__in=[DayKind.WORKDAY, DayKind.TRANSFER]).order_by("date"))
    workdays = [row.date for row in rows if row.kind == DayKind.WORKDAY and row.date.weekday() >= 5]
    days_off = [row for row in rows if row.kind == DayKind.TRANSFER and row.date.weekday() < 5]
    result: dict[dt.date, int | None] = {}
    for day in workdays:
        stamp = f"{day:%d.%m.%Y}"
        named = next((row.date for row in days_off if stamp in row.name), None)
        if named is None:
            near = [row.date for row in days_off if abs((row.date - day).days) <= 7]
            named = min(near, key=lambda d: abs((d - day).days)) if near else None
        result[day] = named.weekday() if named else None
    return result


def _chunk_size() -> int:
    """Primary keys per ``IN (…)``: SQLite's real variable limit (Django assumes 999), at most 50,000."""
    limit = connection.features.max_query_params or 50_000
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
    return min(limit, 50_000) - 10


@transaction.atomic
def lessons_layout(*, actor: User, year: SchoolYear, from_date: dt.date | None = None) -> LayoutResult:
    """Lay out the year's lessons from the timetable, from ``from_date`` (the year's start) to its end.

    Every school day of a grade (holidays, days off and vacations skipped) gets a lesson for each entry valid
    that day on that weekday. A working Saturday of a five-day week follows the timetable of the weekday it
    replaces (``transferred_workdays``); if that weekday cannot be determined the day is skipped and listed
    in the result. Existing lessons from ``from_date`` on that the timetable no longer wants are deleted only
    if they hold no record (``lesson_has_records``); the others are kept and counted. Lessons before
    ``from_date`` are never touched. Running it twice changes nothing the second time.

    The query count does not depend on the number of lessons: the entries and the existing lessons are read
    once, the difference is computed in Python, then one bulk insert and one delete by primary keys.
    """
    ensure_timetable_editor(actor, year.school_id)
    ensure_year_writable(year)
    _lock_year(year)
    start = max(from_date or year.start_date, year.start_date)
    end = year.end_date
    result = LayoutResult(from_date=start, to_date=end)
    if start > end:
        return result

    entries = (
        TimetableEntry.objects.filter(year=year, valid_from__lte=end)
        .exclude(valid_to__lt=start)
        .values_list(
            "pk",
            "assignment_id",
            "assignment__school_class__grade",
            "weekday",
            "number",
            "room_id",
            "valid_from",
            "valid_to",
        )
    )
    by_grade: dict[int, dict[int, list[tuple]]] = defaultdict(lambda: defaultdict(list))
    for pk, assignment_id, grade, weekday, number, room_id, valid_from, valid_to in entries:
        by_grade[grade][weekday].append((pk, assignment_id, number, room_id, valid_from, valid_to or end))
    week_of = dict(GradeSettings.objects.filter(year=year).values_list("grade", "days_per_week"))
    transfers = transferred_workdays(year) if by_grade else {}

    wanted: dict[tuple[int, dt.date, int], tuple[int, int | None]] = {}
    skipped: set[dt.date] = set()
    for grade, by_weekday in by_grade.items():
        calendar = grade_calendar(year.school, grade)
        week = week_of.get(grade, 5)
        day = start
        while day <= end:
            if calendar.is_school_day(day):
                weekday = day.weekday()
                if weekday >= week:
                    weekday = transfers.get(day)
                    if weekday is None:
                        skipped.add(day)
                    else:
                        result.transferred_days[day] = weekday
                for pk, assignment_id, number, room_id, valid_from, valid_to in by_weekday.get(weekday, ()):
                    if valid_from <= day <= valid_to:
                        wanted[(assignment_id, day, number)] = (pk, room_id)
            day += DAY
    result.skipped_days = sorted(skipped)

    existing = lesson_has_records(
        Lesson.objects.filter(assignment__year=year, date__gte=start, date__lte=end)
    ).values_list("pk", "assignment_id", "date", "number", "room_id", "timetable_entry_id", "has_records")
    to_delete: list[int] = []
    to_update: dict[tuple[int, int | None], list[int]] = defaultdict(list)
    for pk, assignment_id, date, number, room_id, entry_id, has_records in existing.iterator(chunk_size=5000):
        target = wanted.pop((assignment_id, date, number), None)
        if target is None:
            if has_records:
                result.kept_with_data += 1
            else:
                to_delete.append(pk)
        elif target == (entry_id, room_id):
            result.unchanged += 1
        else:
            to_update[target].append(pk)

    chunk = _chunk_size()
    for offset in range(0, len(to_delete), chunk):
        pks = to_delete[offset : offset + chunk]
        # Re-checked in the DELETE itself: a topic written a moment ago keeps its lesson. A raw delete: these
        # lessons have nothing to cascade to, and a per-object delete would write a history row for each.
        deleted = Lesson.objects.filter(pk__in=pks).exclude(lesson_records())._raw_delete(Lesson.objects.db)
        result.removed += deleted
        result.kept_with_data += len(pks) - deleted
    for (entry_id, room_id), pks in to_update.items():
        for offset in range(0, len(pks), chunk):
            result.updated += Lesson.objects.filter(pk__in=pks[offset : offset + chunk]).update(
                timetable_entry_id=entry_id, room_id=room_id
            )
    Lesson.objects.bulk_create(
        Lesson(assignment_id=assignment_id, date=date, number=number, room_id=room_id, timetable_entry_id=entry_id)
        for (assignment_id, date, number), (entry_id, room_id) in wanted.items()
    )
    result.created = len(wanted)
    return result


__all__ = [
    "LayoutResult",
    "SlotLesson",
    "bells_set",
    "days_per_week",
    "ensure_timetable_editor",
    "lesson_has_records",
    "lessons_layout",
    "room_create",
    "slot_conflict",
    "slot_lesson",
    "timetable_entry_add",
    "timetable_entry_remove",
    "transferred_workdays",
]
