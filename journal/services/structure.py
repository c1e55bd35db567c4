"""Writes on the school's structure: years and calendars, classes, curriculum, assignments, enrolment."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.choices import STAFF_ROLES
from accounts.models import PupilProfile, School, User
from accounts.permissions import grant, revoke
from accounts.services import ensure_school_admin

from ..choices import GRADES, PeriodKind, YearStatus
from ..models import (
    CalendarDay,
    CurriculumEntry,
    Enrollment,
    GradeSettings,
    SchoolClass,
    SchoolClassUserObjectPermission,
    SchoolYear,
    StudyPeriod,
    Subgroup,
    Subject,
    TeachingAssignment,
    TeachingAssignmentUserObjectPermission,
    Vacation,
)
from ..workdays import production_calendar
from .work_types import work_types_ensure


def ensure_year_writable(year: SchoolYear) -> None:
    if year.is_closed:
        raise ValidationError(_("Учебный год %(year)s закрыт: изменения в нём невозможны.") % {"year": year.name})


def default_period_kind(grade: int) -> str:
    """Четверти for grades 1–9, полугодия for 10–11, as most schools do."""
    return PeriodKind.HALF if grade >= 10 else PeriodKind.QUARTER


def calendar_rows_from_production_calendar(year: SchoolYear) -> list[CalendarDay]:
    """Unsaved calendar rows: the Russian public holidays and transfers falling inside the year."""
    rows = []
    for calendar_year in range(year.start_date.year, year.end_date.year + 1):
        for day, kind, name in production_calendar(calendar_year):
            if year.start_date <= day <= year.end_date:
                rows.append(CalendarDay(year=year, date=day, kind=kind, name=name))
    return rows


@transaction.atomic
def school_year_create(
    *,
    actor: User,
    school: School,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    days_per_week: dict[int, int] | None = None,
) -> SchoolYear:
    """Create a year with settings for grades 1–11 and the production calendar's holidays pre-filled; the school's
    first year also gives it the standard kinds of work."""
    ensure_school_admin(actor, school)
    year = SchoolYear(school=school, name=name, start_date=start_date, end_date=end_date)
    year.full_clean()
    if SchoolYear.objects.filter(school=school, start_date__lte=end_date, end_date__gte=start_date).exists():
        raise ValidationError(_("Даты учебного года пересекаются с другим учебным годом школы."))
    year.save()
    days_per_week = days_per_week or {}
    GradeSettings.objects.bulk_create(
        GradeSettings(
            year=year, grade=grade, days_per_week=days_per_week.get(grade, 5), period_kind=default_period_kind(grade)
        )
        for grade in GRADES
    )
    CalendarDay.objects.bulk_create(calendar_rows_from_production_calendar(year))
    work_types_ensure(school)  # a new school starts with the standard kinds of work and their weights
    return year


@transaction.atomic
def school_year_set_status(*, actor: User, year: SchoolYear, status: str) -> SchoolYear:
    ensure_school_admin(actor, year.school)
    if year.is_closed:
        raise ValidationError(_("Закрытый учебный год нельзя открыть снова."))
    year.status = status
    year.save(update_fields=["status"])
    return year


@transaction.atomic
def study_periods_set(
    *, actor: User, year: SchoolYear, kind: str, dates: list[tuple[dt.date, dt.date]]
) -> list[StudyPeriod]:
    """Replace the periods of one kind (e.g. the four четверти) with the given dates, in order."""
    ensure_school_admin(actor, year.school)
    ensure_year_writable(year)
    previous_end = None
    for start, end in dates:
        if end < start:
            raise ValidationError(_("Окончание периода не может быть раньше его начала."))
        if start < year.start_date or end > year.end_date:
            raise ValidationError(_("Учебный период должен лежать внутри учебного года."))
        if previous_end and start <= previous_end:
            raise ValidationError(_("Учебные периоды не должны пересекаться."))
        previous_end = end
    StudyPeriod.objects.filter(year=year, kind=kind).delete()
    return StudyPeriod.objects.bulk_create(
        StudyPeriod(year=year, kind=kind, number=number, start_date=start, end_date=end)
        for number, (start, end) in enumerate(dates, start=1)
    )


@transaction.atomic
def vacation_add(
    *,
    actor: User,
    year: SchoolYear,
    name: str,
    start_date: dt.date,
    end_date: dt.date,
    grade_from: int = 1,
    grade_to: int = 11,
) -> Vacation:
    ensure_school_admin(actor, year.school)
    ensure_year_writable(year)
    vacation = Vacation(
        year=year, name=name, start_date=start_date, end_date=end_date, grade_from=grade_from, grade_to=grade_to
    )
    vacation.full_clean()
    if grade_from > grade_to:
        raise ValidationError(_("Диапазон параллелей задан неверно."))
    if start_date < year.start_date or end_date > year.end_date:
        raise ValidationError(_("Каникулы должны лежать внутри учебного года."))
    vacation.save()
    return vacation


@transaction.atomic
def subject_create(*, actor: User, school: School, name: str, short_name: str = "", order: int = 100) -> Subject:
    ensure_school_admin(actor, school)
    subject = Subject(school=school, name=name, short_name=short_name, order=order)
    subject.full_clean()
    subject.save()
    return subject


@transaction.atomic
def class_create(
    *, actor: User, year: SchoolYear, grade: int, letter: str, class_teacher: User | None = None
) -> SchoolClass:
    ensure_school_admin(actor, year.school)
    ensure_year_writable(year)
    school_class = SchoolClass(year=year, grade=grade, letter=letter.strip().upper())
    school_class.full_clean()
    school_class.save()
    if class_teacher is not None:
        class_teacher_set(actor=actor, school_class=school_class, teacher=class_teacher)
    return school_class


def _ensure_teacher_of(teacher: User, school: School) -> None:
    if teacher.school_id != school.pk or teacher.role not in STAFF_ROLES:
        raise ValidationError(_("%(name)s не является сотрудником этой школы.") % {"name": teacher})


@transaction.atomic
def class_teacher_set(*, actor: User, school_class: SchoolClass, teacher: User | None) -> SchoolClass:
    """Appoint (or remove) the class teacher and move the class permissions with the appointment."""
    year = school_class.year
    ensure_school_admin(actor, year.school)
    ensure_year_writable(year)
    if teacher is not None:
        _ensure_teacher_of(teacher, year.school)
    if school_class.class_teacher_id:
        revoke(SchoolClassUserObjectPermission, "class_teacher", school_class.class_teacher_id, school_class.pk)
    school_class.class_teacher = teacher
    school_class.save(update_fields=["class_teacher"])
    if teacher is not None:
        grant(SchoolClassUserObjectPermission, "class_teacher", teacher.pk, school_class.pk)
    return school_class


@transaction.atomic
def subgroup_create(*, actor: User, school_class: SchoolClass, name: str, pupils: list[PupilProfile]) -> Subgroup:
    ensure_school_admin(actor, school_class.year.school)
    ensure_year_writable(school_class.year)
    enrolled = set(Enrollment.objects.filter(school_class=school_class).values_list("pupil_id", flat=True))
    strangers = [pupil for pupil in pupils if pupil.pk not in enrolled]
    if strangers:
        raise ValidationError(
            _("В подгруппу можно включить только учащихся класса: %(names)s — не из %(cls)s.")
            % {"names": ", ".join(str(p) for p in strangers), "cls": school_class}
        )
    subgroup = Subgroup(school_class=school_class, name=name)
    subgroup.full_clean()
    subgroup.save()
    subgroup.pupils.set(pupils)
    return subgroup


@transaction.atomic
def curriculum_set(
    *,
    actor: User,
    school_class: SchoolClass,
    subject: Subject,
    hours_per_week: Decimal,
    is_pass_fail: bool = False,
    split_into_subgroups: bool = False,
) -> CurriculumEntry:
    ensure_school_admin(actor, school_class.year.school)
    ensure_year_writable(school_class.year)
    if subject.school_id != school_class.year.school_id:
        raise ValidationError(_("Предмет относится к другой школе."))
    entry = CurriculumEntry.objects.filter(school_class=school_class, subject=subject).first() or CurriculumEntry(
        school_class=school_class, subject=subject
    )
    entry.hours_per_week = hours_per_week
    entry.is_pass_fail = is_pass_fail
    entry.split_into_subgroups = split_into_subgroups
    entry.full_clean()
    entry.save()
    return entry


@transaction.atomic
def assignment_create(
    *,
    actor: User,
    school_class: SchoolClass,
    subject: Subject,
    teacher: User,
    hours_per_week: Decimal,
    subgroup: Subgroup | None = None,
) -> TeachingAssignment:
    """Give a teacher a subject in a class (or subgroup), with the right to keep that journal."""
    year = school_class.year
    ensure_school_admin(actor, year.school)
    ensure_year_writable(year)
    _ensure_teacher_of(teacher, year.school)
    if subject.school_id != year.school_id:
        raise ValidationError(_("Предмет относится к другой школе."))
    assignment = TeachingAssignment(
        year=year,
        school_class=school_class,
        subject=subject,
        teacher=teacher,
        hours_per_week=hours_per_week,
        subgroup=subgroup,
    )
    assignment.full_clean()
    assignment.save()
    grant(TeachingAssignmentUserObjectPermission, "assignment_teacher", teacher.pk, assignment.pk)
    return assignment


@transaction.atomic
def assignment_teacher_change(*, actor: User, assignment: TeachingAssignment, teacher: User) -> TeachingAssignment:
    """Hand an assignment to another teacher (a teacher leaves mid-year); access moves with it."""
    ensure_school_admin(actor, assignment.year.school)
    ensure_year_writable(assignment.year)
    _ensure_teacher_of(teacher, assignment.year.school)
    revoke(TeachingAssignmentUserObjectPermission, "assignment_teacher", assignment.teacher_id, assignment.pk)
    assignment.teacher = teacher
    assignment.full_clean()
    assignment.save(update_fields=["teacher"])
    grant(TeachingAssignmentUserObjectPermission, "assignment_teacher", teacher.pk, assignment.pk)
    return assignment


@transaction.atomic
def enrollment_create(*, actor: User, pupil: PupilProfile, school_class: SchoolClass, date_from: dt.date) -> Enrollment:
    """Enrol a pupil in a class from a date; a pupil is in at most one class on any day."""
    year = school_class.year
    ensure_school_admin(actor, year.school)
    ensure_year_writable(year)
    if pupil.user.school_id != year.school_id:
        raise ValidationError(_("Учащийся относится к другой школе."))
    if not year.start_date <= date_from <= year.end_date:
        raise ValidationError(_("Дата зачисления должна лежать внутри учебного года."))
    overlapping = Enrollment.objects.filter(pupil=pupil, date_from__lte=year.end_date).exclude(date_to__lt=date_from)
    if overlapping.filter(school_class__year=year).exists():
        raise ValidationError(_("Учащийся уже числится в классе на эту дату."))
    enrollment = Enrollment(pupil=pupil, school_class=school_class, date_from=date_from)
    enrollment.full_clean()
    enrollment.save()
    return enrollment


@transaction.atomic
def year_open(*, actor: User, year: SchoolYear) -> SchoolYear:
    return school_year_set_status(actor=actor, year=year, status=YearStatus.OPEN)
