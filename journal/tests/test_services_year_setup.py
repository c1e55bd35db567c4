import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from journal.choices import DayKind, PeriodKind
from journal.models import CalendarDay, CurriculumEntry, GradeSettings, Lesson
from journal.services import year_setup as setup
from journal.workdays import grade_calendar


def test_grade_settings(cast):
    setup.grade_settings_set(actor=cast.admin, year=cast.year, settings={10: (6, PeriodKind.HALF)})
    gs = GradeSettings.objects.get(year=cast.year, grade=10)
    assert (gs.days_per_week, gs.period_kind) == (6, PeriodKind.HALF)
    with pytest.raises(ValidationError, match="пятидневной или шестидневной"):
        setup.grade_settings_set(actor=cast.admin, year=cast.year, settings={10: (7, PeriodKind.HALF)})
    with pytest.raises(PermissionDenied):
        setup.grade_settings_set(actor=cast.deputy, year=cast.year, settings={10: (5, PeriodKind.HALF)})


def test_extra_day_off_changes_the_calendar(cast):
    day = dt.date(2027, 2, 10)
    assert grade_calendar(cast.school, 7).is_school_day(day)
    setup.calendar_day_add(
        actor=cast.admin, year=cast.year, date=day, kind=DayKind.DAY_OFF, name="Карантин", grade_from=7, grade_to=7
    )
    assert not grade_calendar(cast.school, 7).is_school_day(day)
    assert grade_calendar(cast.school, 8).is_school_day(day)
    with pytest.raises(ValidationError, match="уже есть особый день"):
        setup.calendar_day_add(
            actor=cast.admin, year=cast.year, date=day, kind=DayKind.DAY_OFF, grade_from=5, grade_to=9
        )
    with pytest.raises(ValidationError, match="внутри учебного года"):
        setup.calendar_day_add(actor=cast.admin, year=cast.year, date=dt.date(2027, 7, 1), kind=DayKind.DAY_OFF)


def test_a_holiday_can_be_removed(cast):
    holiday = CalendarDay.objects.get(year=cast.year, date=dt.date(2026, 11, 4))
    setup.calendar_day_remove(actor=cast.admin, day=holiday)
    assert grade_calendar(cast.school, 7).is_working_day(dt.date(2026, 11, 4))


@pytest.mark.parametrize(
    "raw, hours", [("", None), ("3", Decimal(3)), ("1,5", Decimal("1.5")), (" 0.5 ", Decimal("0.5"))]
)
def test_parse_hours(raw, hours):
    assert setup.parse_hours(raw) == hours


@pytest.mark.parametrize("raw", ["abc", "-1", "41", "1,3"])
def test_parse_hours_refuses(raw):
    with pytest.raises(ValidationError):
        setup.parse_hours(raw)


def test_curriculum_grid(cast):
    math, physics = cast.math_a.subject, cast.physics_b.subject
    saved, removed = setup.curriculum_grid_set(
        actor=cast.admin,
        year=cast.year,
        cells={(cast.class_a.pk, math.pk): Decimal(5), (cast.class_a.pk, physics.pk): Decimal(2)},
    )
    assert (saved, removed) == (2, 0)
    setup.curriculum_grid_set(actor=cast.admin, year=cast.year, cells={(cast.class_a.pk, physics.pk): None})
    assert not CurriculumEntry.objects.filter(school_class=cast.class_a, subject=physics).exists()
    # Mathematics in 7 «А» has an assignment: its line cannot be removed.
    with pytest.raises(ValidationError, match="уже назначена нагрузка"):
        setup.curriculum_grid_set(actor=cast.admin, year=cast.year, cells={(cast.class_a.pk, math.pk): None})
    assert CurriculumEntry.objects.get(school_class=cast.class_a, subject=math).hours_per_week == 5


def test_assignment_with_lessons_is_not_removed(cast):
    Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 11, 23), number=1)
    with pytest.raises(ValidationError, match="уже есть уроки"):
        setup.assignment_remove(actor=cast.admin, assignment=cast.math_a)
    setup.assignment_remove(actor=cast.admin, assignment=cast.physics_b)
    assert not type(cast.physics_b).objects.filter(pk=cast.physics_b.pk).exists()
