"""Writes of the admin's year-opening flow: week and periods per grade, calendar days, curriculum, assignments."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.services import ensure_school_admin

from ..choices import GRADES, DayKind, PeriodKind
from ..models import (
    CalendarDay,
    CurriculumEntry,
    GradeSettings,
    SchoolClass,
    SchoolYear,
    Subject,
    TeachingAssignment,
    Vacation,
)
from .structure import ensure_year_writable


def _check(actor: User, year: SchoolYear) -> None:
    ensure_school_admin(actor, year.school)
    ensure_year_writable(year)


@transaction.atomic
def grade_settings_set(*, actor: User, year: SchoolYear, settings: dict[int, tuple[int, str]]) -> None:
    """Set each grade's week (5 or 6 days) and its scheme of study periods."""
    _check(actor, year)
    for grade, (days, kind) in settings.items():
        if grade not in GRADES:
            raise ValidationError(_("Нет такой параллели: %(grade)s.") % {"grade": grade})
        if days not in (5, 6):
            raise ValidationError(_("Учебная неделя может быть только пятидневной или шестидневной."))
        if kind not in PeriodKind.values:
            raise ValidationError(_("Неизвестный вид учебных периодов."))
        GradeSettings.objects.update_or_create(
            year=year, grade=grade, defaults={"days_per_week": days, "period_kind": kind}
        )


@transaction.atomic
def calendar_day_add(
    *,
    actor: User,
    year: SchoolYear,
    date: dt.date,
    kind: str,
    name: str = "",
    grade_from: int = 1,
    grade_to: int = 11,
) -> CalendarDay:
    """Add a holiday, a transferred working day, or a school's extra day off (quarantine, weather)."""
    _check(actor, year)
    if not year.start_date <= date <= year.end_date:
        raise ValidationError(_("Дата должна лежать внутри учебного года."))
    if grade_from > grade_to:
        raise ValidationError(_("Диапазон параллелей задан неверно."))
    if CalendarDay.objects.filter(year=year, date=date, grade_from__lte=grade_to, grade_to__gte=grade_from).exists():
        raise ValidationError(
            _("На %(date)s в календаре уже есть особый день для этих параллелей: удалите его сначала.")
            % {"date": date.strftime("%d.%m.%Y")}
        )
    day = CalendarDay(year=year, date=date, kind=kind, name=name, grade_from=grade_from, grade_to=grade_to)
    day.full_clean()
    day.save()
    return day


@transaction.atomic
def calendar_day_remove(*, actor: User, day: CalendarDay) -> None:
    _check(actor, day.year)
    day.delete()


@transaction.atomic
def vacation_remove(*, actor: User, vacation: Vacation) -> None:
    _check(actor, vacation.year)
    vacation.delete()


def parse_hours(raw: str) -> Decimal | None:
    """Hours per week as typed in a cell: «», «3», «1,5», «0.5»; None for an empty cell."""
    raw = (raw or "").strip().replace(",", ".")
    if not raw:
        return None
    try:
        hours = Decimal(raw)
    except InvalidOperation:
        raise ValidationError(_("«%(value)s» — не число часов.") % {"value": raw}) from None
    if hours < 0 or hours > 40 or hours * 2 != int(hours * 2):
        raise ValidationError(_("Часы в неделю — число от 0 до 40, кратное 0,5: «%(value)s».") % {"value": raw})
    return hours


@transaction.atomic
def curriculum_grid_set(
    *, actor: User, year: SchoolYear, cells: dict[tuple[int, int], Decimal | None]
) -> tuple[int, int]:
    """Save the curriculum grid: {(class_id, subject_id): hours or None}. Returns (lines saved, lines removed).

    A line that has teaching assignments cannot be removed (remove the assignments first).
    """
    _check(actor, year)
    classes = {c.pk: c for c in SchoolClass.objects.filter(year=year)}
    subjects = {s.pk: s for s in Subject.objects.filter(school=year.school)}
    existing = {(e.school_class_id, e.subject_id): e for e in CurriculumEntry.objects.filter(school_class__year=year)}
    assigned = set(TeachingAssignment.objects.filter(year=year).values_list("school_class_id", "subject_id").distinct())
    to_create, to_update, to_delete = [], [], []
    for (class_id, subject_id), hours in cells.items():
        if class_id not in classes or subject_id not in subjects:
            raise ValidationError(_("Класс или предмет не относится к этому учебному году."))
        entry = existing.get((class_id, subject_id))
        if hours is None or hours == 0:
            if entry is None:
                continue
            if (class_id, subject_id) in assigned:
                raise ValidationError(
                    _("%(subject)s в %(cls)s: по предмету уже назначена нагрузка, сначала снимите её.")
                    % {"subject": subjects[subject_id], "cls": classes[class_id]}
                )
            to_delete.append(entry.pk)
        elif entry is None:
            to_create.append(CurriculumEntry(school_class_id=class_id, subject_id=subject_id, hours_per_week=hours))
        elif entry.hours_per_week != hours:
            entry.hours_per_week = hours
            to_update.append(entry)
    CurriculumEntry.objects.bulk_create(to_create)
    CurriculumEntry.objects.bulk_update(to_update, ["hours_per_week"])
    CurriculumEntry.objects.filter(pk__in=to_delete).delete()
    return len(to_create) + len(to_update), len(to_delete)


@transaction.atomic
def assignment_hours_set(*, actor: User, assignment: TeachingAssignment, hours_per_week: Decimal) -> None:
    _check(actor, assignment.year)
    assignment.hours_per_week = hours_per_week
    assignment.full_clean()
    assignment.save(update_fields=["hours_per_week"])


@transaction.atomic
def assignment_remove(*, actor: User, assignment: TeachingAssignment) -> None:
    """Remove an assignment made by mistake; one with lessons is part of the journal and stays."""
    _check(actor, assignment.year)
    if assignment.lessons.exists():
        raise ValidationError(
            _("По этой нагрузке уже есть уроки в журнале: её нельзя удалить, можно передать другому учителю.")
        )
    assignment.delete()  # its permission rows go with it (foreign key cascade)


def kind_label(kind: str) -> str:
    return DayKind(kind).label
