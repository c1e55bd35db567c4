"""Reads on the school's structure. Each returns what the page needs in a fixed number of queries."""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from accounts.choices import STAFF_ROLES
from accounts.models import PupilProfile, School, User

from ..access import visible_assignments, visible_classes
from ..choices import YearStatus
from ..models import (
    CalendarDay,
    CurriculumEntry,
    Enrollment,
    GradeSettings,
    SchoolClass,
    SchoolYear,
    StudyPeriod,
    TeachingAssignment,
    Vacation,
)
from ..workdays import grade_calendar


def current_year(school: School | None, today: dt.date | None = None) -> SchoolYear | None:
    """The year running today; between years, the newest one that is not closed, else the newest."""
    if school is None:
        return None
    today = today or timezone.localdate()
    years = list(SchoolYear.objects.filter(school=school).order_by("-start_date")[:5])
    for year in years:
        if year.start_date <= today <= year.end_date:
            return year
    for year in years:
        if year.status != YearStatus.CLOSED:
            return year
    return years[0] if years else None


def active_enrollments(on_date: dt.date) -> Q:
    return Q(date_from__lte=on_date) & (Q(date_to__isnull=True) | Q(date_to__gte=on_date))


def class_list(user: User, year: SchoolYear, on_date: dt.date) -> QuerySet[SchoolClass]:
    """The year's classes the user may see (``journal.access.visible_classes``), with their pupil counts."""
    on_roll = Q(enrollments__date_from__lte=on_date) & (
        Q(enrollments__date_to__isnull=True) | Q(enrollments__date_to__gte=on_date)
    )
    return (
        visible_classes(user)
        .filter(year=year)
        .select_related("class_teacher")
        .annotate(pupil_count=Count("enrollments", filter=on_roll, distinct=True))
        .order_by("grade", "letter")
    )


def class_pupils(school_class: SchoolClass, on_date: dt.date) -> list[PupilProfile]:
    enrollments = (
        Enrollment.objects.filter(active_enrollments(on_date), school_class=school_class)
        .select_related("pupil__user")
        .order_by("pupil__user__last_name", "pupil__user__first_name", "pupil__user__middle_name")
    )
    return [enrollment.pupil for enrollment in enrollments]


def class_assignments(school_class: SchoolClass) -> QuerySet[TeachingAssignment]:
    return TeachingAssignment.objects.filter(school_class=school_class).select_related("subject", "teacher", "subgroup")


def class_curriculum(school_class: SchoolClass) -> tuple[list[CurriculumEntry], Decimal]:
    entries = list(CurriculumEntry.objects.filter(school_class=school_class).select_related("subject"))
    return entries, sum((entry.hours_per_week for entry in entries), Decimal(0))


def assignment_pupils(assignment: TeachingAssignment, on_date: dt.date) -> list[PupilProfile]:
    pupils = class_pupils(assignment.school_class, on_date)
    if assignment.subgroup_id:
        members = set(assignment.subgroup.pupils.values_list("pk", flat=True))
        pupils = [pupil for pupil in pupils if pupil.pk in members]
    return pupils


ASSIGNMENT_ORDER = ("subject__order", "subject__name", "school_class__grade", "school_class__letter", "subgroup__name")


def teacher_assignments(teacher: User, year: SchoolYear) -> QuerySet[TeachingAssignment]:
    """The teacher's own teaching load for the year (the home page and «Мои классы и предметы»)."""
    return (
        visible_assignments(teacher)
        .filter(teacher=teacher, year=year)
        .select_related("school_class", "subject", "subgroup")
        .order_by(*ASSIGNMENT_ORDER)
    )


def assignments_for_user(user: User, year: SchoolYear) -> QuerySet[TeachingAssignment]:
    """The year's assignments the user may see (``journal.access.visible_assignments``, the same set the
    assignment's own pages take it from): the whole school for the management; a teacher's own and, for a class
    teacher, every subject of their class."""
    return (
        visible_assignments(user)
        .filter(year=year)
        .select_related("school_class", "subject", "subgroup", "teacher")
        .order_by("teacher__last_name", "teacher__first_name", *ASSIGNMENT_ORDER)
    )


@dataclass
class StaffRow:
    user: User
    hours: Decimal = Decimal(0)
    classes: set[str] = field(default_factory=set)
    subjects: set[str] = field(default_factory=set)
    led_class: str = ""


def staff_list(school: School, year: SchoolYear) -> list[StaffRow]:
    """Staff with their weekly hours (учебная нагрузка), subjects and classes: three queries. Switched-off accounts
    come last, marked, so that the admin can switch them back on."""
    rows = {
        user.pk: StaffRow(user=user)
        for user in User.objects.filter(school=school, role__in=STAFF_ROLES).order_by(
            "-is_active", "last_name", "first_name"
        )
    }
    for assignment in TeachingAssignment.objects.filter(year=year).select_related("school_class", "subject"):
        row = rows.get(assignment.teacher_id)
        if row is None:
            continue
        row.hours += assignment.hours_per_week
        row.classes.add(str(assignment.school_class))
        row.subjects.add(assignment.subject.name)
    for school_class in SchoolClass.objects.filter(year=year, class_teacher__isnull=False):
        if school_class.class_teacher_id in rows:
            rows[school_class.class_teacher_id].led_class = str(school_class)
    return list(rows.values())


def school_summary(school: School, year: SchoolYear, on_date: dt.date) -> dict:
    classes = SchoolClass.objects.filter(year=year).count()
    pupils = (
        Enrollment.objects.filter(active_enrollments(on_date), school_class__year=year)
        .values("pupil")
        .distinct()
        .count()
    )
    teachers = User.objects.filter(school=school, role__in=STAFF_ROLES, is_active=True).count()
    hours = TeachingAssignment.objects.filter(year=year).aggregate(total=Sum("hours_per_week"))["total"] or 0
    return {"classes": classes, "pupils": pupils, "staff": teachers, "hours": hours}


@dataclass
class YearCalendar:
    year: SchoolYear
    grade_settings: list[GradeSettings]
    periods: dict[str, list[StudyPeriod]]
    vacations: list[Vacation]
    days: list[CalendarDay]


def year_calendar(year: SchoolYear) -> YearCalendar:
    periods: dict[str, list[StudyPeriod]] = defaultdict(list)
    for period in StudyPeriod.objects.filter(year=year).order_by("kind", "number"):
        periods[period.get_kind_display()].append(period)
    return YearCalendar(
        year=year,
        grade_settings=list(GradeSettings.objects.filter(year=year).order_by("grade")),
        periods=dict(periods),
        vacations=list(Vacation.objects.filter(year=year).order_by("start_date")),
        days=list(CalendarDay.objects.filter(year=year).order_by("date")),
    )


def current_period(year: SchoolYear, grade: int, on_date: dt.date) -> StudyPeriod | None:
    settings = GradeSettings.objects.filter(year=year, grade=grade).first()
    if settings is None:
        return None
    periods = StudyPeriod.objects.filter(year=year, kind=settings.period_kind).order_by("number")
    return next((p for p in periods if p.start_date <= on_date <= p.end_date), None)


def led_class_id(user: User) -> int | None:
    """The class a teacher leads in the newest year that has one (for the menu)."""
    return (
        SchoolClass.objects.filter(class_teacher=user, year__status__in=[YearStatus.OPEN, YearStatus.DRAFT])
        .order_by("-year__start_date")
        .values_list("pk", flat=True)
        .first()
    )


def led_class(user: User, year: SchoolYear | None) -> SchoolClass | None:
    if year is None or not user.is_staff_member:
        return None
    return SchoolClass.objects.filter(year=year, class_teacher=user).first()


def pupil_enrollment(pupil: PupilProfile, on_date: dt.date) -> Enrollment | None:
    """The pupil's class on a date; failing that, their latest class."""
    enrollments = list(
        Enrollment.objects.filter(pupil=pupil)
        .select_related("school_class__class_teacher", "school_class__year")
        .order_by("-date_from")
    )
    for enrollment in enrollments:
        if enrollment.date_from <= on_date and (enrollment.date_to is None or enrollment.date_to >= on_date):
            return enrollment
    return enrollments[0] if enrollments else None


def pupil_subjects(pupil: PupilProfile, school_class: SchoolClass) -> list[TeachingAssignment]:
    """The pupil's subjects and teachers: whole-class assignments and those of the pupil's subgroups."""
    return list(
        TeachingAssignment.objects.filter(school_class=school_class)
        .filter(Q(subgroup__isnull=True) | Q(subgroup__pupils=pupil))
        .select_related("subject", "teacher", "subgroup")
        .order_by("subject__order", "subject__name")
    )


MONTH_NAMES = [
    "",
    "Январь",
    "Февраль",
    "Март",
    "Апрель",
    "Май",
    "Июнь",
    "Июль",
    "Август",
    "Сентябрь",
    "Октябрь",
    "Ноябрь",
    "Декабрь",
]


@dataclass
class CalendarCell:
    day: dt.date | None
    css: str = ""
    title: str = ""


@dataclass
class CalendarMonth:
    title: str
    weeks: list[list[CalendarCell]]
    school_days: int


def calendar_months(year: SchoolYear, grade: int) -> list[CalendarMonth]:
    """The year as month grids for one grade: school days, days off, vacations, transferred working days."""
    calendar = grade_calendar(year.school, grade)
    names = {
        row.date: row.name or row.get_kind_display()
        for row in CalendarDay.objects.filter(year=year, grade_from__lte=grade, grade_to__gte=grade)
    }
    months = []
    cursor = year.start_date.replace(day=1)
    while cursor <= year.end_date:
        first = cursor
        next_month = (first + dt.timedelta(days=32)).replace(day=1)
        weeks: list[list[CalendarCell]] = []
        week: list[CalendarCell] = [CalendarCell(None)] * first.weekday()
        school_days = 0
        day = first
        while day < next_month:
            if not year.start_date <= day <= year.end_date:
                cell = CalendarCell(day, "cal-outside")
            elif calendar.is_school_day(day):
                school_days += 1
                saturday_work = day.weekday() >= 5
                cell = CalendarCell(day, "cal-workday" if saturday_work else "", names.get(day, ""))
            elif calendar.is_vacation(day) and calendar.is_working_day(day):
                cell = CalendarCell(day, "cal-vacation", "Каникулы")
            else:
                cell = CalendarCell(day, "cal-off", names.get(day, "Выходной"))
            week.append(cell)
            if len(week) == 7:
                weeks.append(week)
                week = []
            day += dt.timedelta(days=1)
        if week:
            weeks.append(week + [CalendarCell(None)] * (7 - len(week)))
        months.append(CalendarMonth(f"{MONTH_NAMES[first.month]} {first.year}", weeks, school_days))
        cursor = next_month
    return months


__all__ = [
    "MONTH_NAMES",
    "CalendarCell",
    "CalendarMonth",
    "StaffRow",
    "YearCalendar",
    "active_enrollments",
    "assignment_pupils",
    "assignments_for_user",
    "calendar_months",
    "class_assignments",
    "class_curriculum",
    "class_list",
    "class_pupils",
    "current_period",
    "current_year",
    "led_class",
    "led_class_id",
    "pupil_enrollment",
    "pupil_subjects",
    "school_summary",
    "staff_list",
    "teacher_assignments",
    "year_calendar",
]
