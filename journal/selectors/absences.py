"""The class teacher's weekly absences view: pupils × days with the absences of all subjects, and totals.

A fixed number of queries whatever the number of pupils, lessons or absences.
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils.translation import gettext as _

from accounts.models import PupilProfile

from ..models import Attendance, AttendanceCode, Enrollment, GradeSettings, Lesson, SchoolClass, Subgroup
from ..workdays import grade_calendar

DAY_NAMES = ["пн", "вт", "ср", "чт", "пт", "сб", "вс"]
ABSENT = (AttendanceCode.ABSENT, AttendanceCode.ILL, AttendanceCode.EXCUSED, AttendanceCode.UNEXCUSED)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


@dataclass
class Day:
    date: dt.date
    school_day: bool
    lessons: int = 0

    @property
    def name(self) -> str:
        return DAY_NAMES[self.date.weekday()]


@dataclass
class Cell:
    """A pupil's day: the absences (lesson number, code, subject) in lesson order."""

    day: dt.date
    items: list[tuple[int, str, str]] = field(default_factory=list)
    enrolled: bool = True

    @property
    def missed(self) -> int:
        return sum(1 for _n, code, _s in self.items if code in ABSENT)

    @property
    def late(self) -> int:
        return sum(1 for _n, code, _s in self.items if code == AttendanceCode.LATE)

    @property
    def codes(self) -> str:
        """«б» when every absence of the day has the same code, else the codes in lesson order: «н н б»."""
        codes = [code for _n, code, _s in self.items if code in ABSENT]
        if not codes:
            return ""
        return codes[0] if len(set(codes)) == 1 else " ".join(codes)

    @property
    def title(self) -> str:
        return "; ".join(f"{n} {_('урок')} — {subject}: {code}" for n, code, subject in self.items)


def absence_kind(code: str) -> str:
    """How an attendance code counts: «late» (опоздал), «ill» (по болезни), «excused» (по уважительной причине) or
    «unexcused» («п» and «н» whose reason is not given yet). The one classifier of the journal's absence counts and
    the reports' attendance figures."""
    if code == AttendanceCode.LATE:
        return "late"
    if code == AttendanceCode.ILL:
        return "ill"
    if code == AttendanceCode.EXCUSED:
        return "excused"
    return "unexcused"


@dataclass
class Totals:
    missed: int = 0
    ill: int = 0
    excused: int = 0
    unexcused: int = 0  # «п» and «н» whose reason is not given yet
    without_reason: int = 0  # «н» among the unexcused
    late: int = 0

    def add(self, code: str) -> None:
        kind = absence_kind(code)
        setattr(self, kind, getattr(self, kind) + 1)
        if kind != "late":
            self.missed += 1
        if code == AttendanceCode.ABSENT:
            self.without_reason += 1


@dataclass
class PupilWeek:
    pupil: PupilProfile
    number: int
    cells: list[Cell]
    totals: Totals
    note: str = ""


@dataclass
class AbsenceWeek:
    school_class: SchoolClass
    start: dt.date
    end: dt.date
    days: list[Day]
    rows: list[PupilWeek]
    totals: Totals
    previous: dt.date | None
    following: dt.date | None

    @property
    def with_absences(self) -> int:
        return sum(1 for row in self.rows if row.totals.missed)


@dataclass
class LessonLine:
    lesson: Lesson
    code: str


def clamp_week(school_class: SchoolClass, day: dt.date) -> dt.date:
    year = school_class.year
    day = min(max(day, year.start_date), year.end_date)
    return week_start(day)


def absence_week(school_class: SchoolClass, monday: dt.date) -> AbsenceWeek:
    year = school_class.year
    days_per_week = (
        GradeSettings.objects.filter(year=year, grade=school_class.grade)
        .values_list("days_per_week", flat=True)
        .first()
        or 5
    )
    calendar = grade_calendar(year.school, school_class.grade)
    dates = [monday + dt.timedelta(days=i) for i in range(6)]
    lessons = list(
        Lesson.objects.filter(assignment__school_class=school_class, date__gte=dates[0], date__lte=dates[-1])
        .values_list("date", flat=True)
        .order_by()
    )
    per_day = Counter(lessons)
    # A Saturday is shown when the grade studies six days, or when it has lessons (a transferred working day).
    days = [
        Day(d, calendar.is_school_day(d), per_day.get(d, 0))
        for d in dates
        if d.weekday() < days_per_week or per_day.get(d)
    ]
    start, end = days[0].date, days[-1].date

    enrollments = (
        Enrollment.objects.filter(school_class=school_class, date_from__lte=end)
        .exclude(date_to__lt=start)
        .select_related("pupil__user")
        .order_by("pupil__user__last_name", "pupil__user__first_name", "pupil__user__middle_name", "date_from")
    )
    spans: dict[int, list[tuple[dt.date, dt.date | None]]] = defaultdict(list)
    pupils: dict[int, PupilProfile] = {}
    for enrollment in enrollments:
        pupils.setdefault(enrollment.pupil_id, enrollment.pupil)
        spans[enrollment.pupil_id].append((enrollment.date_from, enrollment.date_to))

    marks = (
        Attendance.objects.filter(
            lesson__assignment__school_class=school_class, lesson__date__gte=start, lesson__date__lte=end
        )
        .exclude(code="")
        .values_list("pupil_id", "lesson__date", "lesson__number", "code", "lesson__assignment__subject__name")
        .order_by("lesson__date", "lesson__number")
    )
    items: dict[tuple[int, dt.date], list[tuple[int, str, str]]] = defaultdict(list)
    for pupil_id, date, number, code, subject in marks:
        items[(pupil_id, date)].append((number, code, subject))

    class_totals = Totals()
    rows = []
    for number, (pupil_id, pupil) in enumerate(pupils.items(), start=1):
        totals = Totals()
        cells = []
        for day in days:
            enrolled = any(a <= day.date and (b is None or b >= day.date) for a, b in spans[pupil_id])
            cell = Cell(day.date, items.get((pupil_id, day.date), []), enrolled)
            for _n, code, _s in cell.items:
                totals.add(code)
                class_totals.add(code)
            cells.append(cell)
        first = min(a for a, _b in spans[pupil_id])
        last = max((b for _a, b in spans[pupil_id]), key=lambda b: b or dt.date.max)
        note = ""
        if first > start:
            note = _("прибыл %(d)s") % {"d": f"{first:%d.%m}"}
        if last is not None and last < end:
            note = _("выбыл %(d)s") % {"d": f"{last:%d.%m}"}
        rows.append(PupilWeek(pupil, number, cells, totals, note))

    previous = start - dt.timedelta(days=7)
    following = start + dt.timedelta(days=7)
    return AbsenceWeek(
        school_class=school_class,
        start=start,
        end=end,
        days=days,
        rows=rows,
        totals=class_totals,
        previous=previous if previous + dt.timedelta(days=6) >= year.start_date else None,
        following=following if following <= year.end_date else None,
    )


def pupil_day(school_class: SchoolClass, pupil: PupilProfile, day: dt.date) -> list[LessonLine]:
    """The class's lessons of the day that the pupil attends (whole class, or the pupil's subgroups), with codes."""
    groups = Subgroup.objects.filter(school_class=school_class, pupils=pupil).values("pk")
    lessons = list(
        Lesson.objects.filter(assignment__school_class=school_class, date=day)
        .filter(Q(assignment__subgroup__isnull=True) | Q(assignment__subgroup__in=groups))
        .select_related("assignment__subject", "assignment__teacher", "assignment__subgroup")
        .order_by("number")
    )
    codes = dict(
        Attendance.objects.filter(lesson__in=[lesson.pk for lesson in lessons], pupil=pupil).values_list(
            "lesson_id", "code"
        )
    )
    return [LessonLine(lesson, codes.get(lesson.pk, "")) for lesson in lessons]
