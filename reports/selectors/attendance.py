"""Сводная ведомость учёта посещаемости and Посещаемость по месяцам: lessons and days missed (4 queries).

A pupil counts for a class only on the days they belonged to it (the movement of pupils), and only for the lessons
they were due at: the whole class's, or their own subgroup's. A lesson is missed for «н», «б», «у», «п»; «оп» is
a lateness, not a miss. A day is missed when the pupil missed every lesson they were due at that day.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Q

from accounts.models import PupilProfile
from journal.models import Attendance, AttendanceCode, Enrollment, Lesson, SchoolClass, SchoolYear, Subgroup
from journal.selectors.absences import absence_kind
from journal.selectors.closing import PUPIL_ORDER

from ..access import ReportScope
from ..forms.base import YEAR_RESULT

MISSED = frozenset({AttendanceCode.ABSENT, AttendanceCode.ILL, AttendanceCode.EXCUSED, AttendanceCode.UNEXCUSED})


@dataclass
class Totals:
    """Lessons missed, of them for illness, excused, unexcused («п» and «н» whose reason is not given), late; days
    missed, of them wholly for illness."""

    missed: int = 0
    ill: int = 0
    excused: int = 0
    unexcused: int = 0
    late: int = 0
    days: int = 0
    ill_days: int = 0

    def add_code(self, code: str) -> None:
        kind = absence_kind(code)  # the journal's classifier, as its absences page counts
        setattr(self, kind, getattr(self, kind) + 1)
        if kind != "late":
            self.missed += 1

    def add(self, other: "Totals") -> None:
        # Field by field (not a loop over the dataclass's fields): a whole school's months add up tens of thousands.
        self.missed += other.missed
        self.ill += other.ill
        self.excused += other.excused
        self.unexcused += other.unexcused
        self.late += other.late
        self.days += other.days
        self.ill_days += other.ill_days


def summed(items) -> Totals:
    total = Totals()
    for item in items:
        total.add(item)
    return total


@dataclass
class PupilAttendance:
    pupil: PupilProfile
    number: int
    totals: Totals
    months: dict[tuple[int, int], Totals]
    note: str = ""


@dataclass
class ClassAttendance:
    school_class: SchoolClass
    pupils: list[PupilAttendance] = field(default_factory=list)

    @property
    def totals(self) -> Totals:
        return summed(row.totals for row in self.pupils)

    def month(self, key: tuple[int, int]) -> Totals:
        return summed(row.months.get(key, Totals()) for row in self.pupils)


@dataclass
class AttendanceFigures:
    year: SchoolYear | None
    start: dt.date | None
    end: dt.date | None
    classes: list[ClassAttendance]
    months: list[tuple[int, int]]  # (year, month) from start to end
    whole_school: bool = False


def report_range(data: dict) -> tuple[dt.date, dt.date] | None:
    """The dates the filters ask for: the dates given, else the period (or the year)."""
    year: SchoolYear | None = data.get("year")
    if year is None:
        return None
    period = data.get("period")
    start, end = year.start_date, year.end_date
    if period is not None and period != YEAR_RESULT:
        start, end = period.start_date, period.end_date
    return data.get("date_from") or start, data.get("date_to") or end


def month_keys(start: dt.date, end: dt.date) -> list[tuple[int, int]]:
    keys, day = [], start.replace(day=1)
    while day <= end:
        keys.append((day.year, day.month))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return keys


def class_attendance(classes: list[SchoolClass], start: dt.date, end: dt.date) -> list[ClassAttendance]:
    """Every pupil's lessons and days missed in the classes, by month (4 queries whatever the size)."""
    by_class = {c.pk: ClassAttendance(c) for c in classes}
    if not by_class:
        return []
    enrollments = (
        Enrollment.objects.filter(school_class_id__in=by_class, date_from__lte=end)
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=start))
        .select_related("pupil__user")
        .order_by("school_class_id", *PUPIL_ORDER, "pupil_id", "date_from")
    )
    spans: dict[tuple[int, int], list[tuple[dt.date, dt.date]]] = defaultdict(list)
    pupils: dict[tuple[int, int], PupilProfile] = {}
    for enrollment in enrollments:
        key = (enrollment.school_class_id, enrollment.pupil_id)
        pupils.setdefault(key, enrollment.pupil)
        last = enrollment.date_to if enrollment.date_to is not None and enrollment.date_to < end else end
        spans[key].append((max(enrollment.date_from, start), last))
    groups: dict[tuple[int, int], set[int]] = defaultdict(set)
    for subgroup_id, class_id, pupil_id in Subgroup.objects.filter(
        school_class_id__in=by_class, pupils__isnull=False
    ).values_list("pk", "school_class_id", "pupils"):
        groups[(class_id, pupil_id)].add(subgroup_id)
    codes: dict[tuple[int, int], str] = {}
    first_coded = last_coded = None
    for pupil_id, lesson_id, code, date in (
        Attendance.objects.filter(
            lesson__assignment__school_class_id__in=by_class, lesson__date__gte=start, lesson__date__lte=end
        )
        .exclude(code="")
        .values_list("pupil_id", "lesson_id", "code", "lesson__date")
        .order_by()
    ):
        codes[(pupil_id, lesson_id)] = code
        if first_coded is None or date < first_coded:
            first_coded = date
        if last_coded is None or date > last_coded:
            last_coded = date
    # Only the days with a code count (below): the lessons between the first and the last of them, not the year's
    # lessons still to come (an empty range, still one query, when nothing is coded).
    lessons = list(
        Lesson.objects.filter(
            assignment__school_class_id__in=by_class,
            date__gte=first_coded or start,
            date__lte=last_coded or start - dt.timedelta(days=1),
        )
        .values_list("pk", "assignment__school_class_id", "date", "assignment__subgroup_id")
        .order_by()
    )
    # Only the days a pupil has a code on can count (a day with no code is a day present): walk those days, not
    # every lesson of the year for every pupil.
    lessons_by_day: dict[tuple[int, dt.date], list[tuple[int, int | None]]] = defaultdict(list)
    lesson_day: dict[int, tuple[int, dt.date]] = {}
    for pk, class_id, date, subgroup_id in lessons:
        lessons_by_day[(class_id, date)].append((pk, subgroup_id))
        lesson_day[pk] = (class_id, date)
    coded_days: dict[tuple[int, int], set[dt.date]] = defaultdict(set)  # (class, pupil) -> days with a code
    for pupil_id, lesson_id in codes:
        class_id, date = lesson_day.get(lesson_id, (None, None))
        if class_id is not None:
            coded_days[(class_id, pupil_id)].add(date)

    numbers: dict[int, int] = defaultdict(int)
    for (class_id, pupil_id), pupil in pupils.items():
        pupil_spans, own_groups = spans[(class_id, pupil_id)], groups[(class_id, pupil_id)]
        months: dict[tuple[int, int], Totals] = defaultdict(Totals)
        for date in sorted(coded_days.get((class_id, pupil_id), ())):
            if not any(a <= date <= b for a, b in pupil_spans):
                continue
            # The day's codes of the lessons the pupil was due at: the class's, and their own subgroups'.
            day_codes = [
                codes.get((pupil_id, pk), "")
                for pk, subgroup_id in lessons_by_day[(class_id, date)]
                if subgroup_id is None or subgroup_id in own_groups
            ]
            if not day_codes:
                continue
            month = months[(date.year, date.month)]
            for code in day_codes:
                if code:
                    month.add_code(code)
            if all(code in MISSED for code in day_codes):
                month.days += 1
                month.ill_days += all(code == AttendanceCode.ILL for code in day_codes)
        first = min(a for a, _b in pupil_spans)
        last = max(b for _a, b in pupil_spans)
        note = []
        if first > start:
            note.append(f"прибыл {first:%d.%m.%Y}")
        if last < end:
            note.append(f"выбыл {last:%d.%m.%Y}")
        numbers[class_id] += 1
        by_class[class_id].pupils.append(
            PupilAttendance(pupil, numbers[class_id], summed(months.values()), dict(months), ", ".join(note))
        )
    return list(by_class.values())


def _classes(scope: ReportScope, data: dict, *, whole_school_allowed: bool) -> tuple[list[SchoolClass], bool]:
    year = data.get("year")
    chosen = data.get("school_class")
    if chosen is not None:
        return [chosen], False
    classes = scope.classes.filter(year=year).select_related("year").order_by("grade", "letter")
    if whole_school_allowed and scope.management:
        return list(classes), True
    first = classes.first()
    return ([first] if first is not None else []), False


def attendance_sheet(scope: ReportScope, data: dict, *, progress=None) -> AttendanceFigures:
    """Сводная ведомость учёта посещаемости: a class's pupils for a period or dates (5 queries)."""
    dates = report_range(data)
    if dates is None:
        return AttendanceFigures(year=None, start=None, end=None, classes=[], months=[])
    classes, _whole = _classes(scope, data, whole_school_allowed=False)
    start, end = dates
    return AttendanceFigures(
        year=data["year"], start=start, end=end, classes=class_attendance(classes, start, end),
        months=month_keys(start, end),
    )  # fmt: skip


def attendance_months(scope: ReportScope, data: dict, *, progress=None) -> AttendanceFigures:
    """Посещаемость по месяцам: a class (or, for the administration without a class chosen, every class)."""
    dates = report_range(data)
    if dates is None:
        return AttendanceFigures(year=None, start=None, end=None, classes=[], months=[])
    classes, whole = _classes(scope, data, whole_school_allowed=True)
    start, end = dates
    return AttendanceFigures(
        year=data["year"], start=start, end=end, classes=class_attendance(classes, start, end),
        months=month_keys(start, end), whole_school=whole,
    )  # fmt: skip
