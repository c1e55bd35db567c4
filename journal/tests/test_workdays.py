"""The working-day calendar on the real 2025 and 2026 Russian production calendars."""

import datetime as dt

import pytest

from accounts.tests.factories import SchoolFactory, UserFactory
from journal import services
from journal.choices import DayKind
from journal.models import CalendarDay, GradeSettings
from journal.workdays import add_working_days, grade_calendar, production_calendar

D = dt.date


@pytest.fixture
def school_2025(db):
    """A school with the year 2025/2026: grades 1–9 on a 5-day week, 10–11 on a 6-day week."""
    school = SchoolFactory()
    admin = UserFactory(school=school, role="admin")
    year = services.school_year_create(
        actor=admin,
        school=school,
        name="2025/2026",
        start_date=D(2025, 9, 1),
        end_date=D(2026, 5, 26),
        days_per_week={10: 6, 11: 6},
    )
    return school, admin, year


def test_production_calendar_knows_the_2025_transfer():
    rows = {day: kind for day, kind, _name in production_calendar(2025)}
    assert rows[D(2025, 11, 1)] == DayKind.WORKDAY
    assert rows[D(2025, 11, 3)] == DayKind.TRANSFER
    assert rows[D(2025, 11, 4)] == DayKind.HOLIDAY


def test_year_creation_prefills_holidays_inside_the_year(school_2025):
    _school, _admin, year = school_2025
    days = {row.date: row.kind for row in CalendarDay.objects.filter(year=year)}
    assert days[D(2025, 11, 4)] == DayKind.HOLIDAY
    assert days[D(2025, 11, 1)] == DayKind.WORKDAY
    assert days[D(2026, 1, 9)] == DayKind.TRANSFER
    assert D(2025, 6, 12) not in days  # before the year starts
    assert GradeSettings.objects.filter(year=year, days_per_week=6).count() == 2


def test_2025_november_five_day_week(school_2025):
    school, _admin, _year = school_2025
    calendar = grade_calendar(school, 5)
    assert calendar.is_working_day(D(2025, 11, 1))  # a working Saturday
    assert not calendar.is_working_day(D(2025, 11, 3))  # the Saturday's day off moved to Monday
    assert not calendar.is_working_day(D(2025, 11, 4))  # День народного единства
    assert not calendar.is_working_day(D(2025, 11, 8))  # an ordinary Saturday
    assert add_working_days(D(2025, 10, 31), 1, school, 5) == D(2025, 11, 1)
    assert add_working_days(D(2025, 10, 31), 2, school, 5) == D(2025, 11, 5)
    assert add_working_days(D(2025, 11, 5), -2, school, 5) == D(2025, 10, 31)


def test_2025_november_six_day_week_ignores_the_five_day_transfer(school_2025):
    school, _admin, _year = school_2025
    calendar = grade_calendar(school, 10)
    assert calendar.is_working_day(D(2025, 11, 1))
    assert calendar.is_working_day(D(2025, 11, 3))
    assert not calendar.is_working_day(D(2025, 11, 4))
    assert calendar.is_working_day(D(2025, 11, 8))
    assert not calendar.is_working_day(D(2025, 11, 9))
    assert add_working_days(D(2025, 10, 31), 3, school, 10) == D(2025, 11, 5)


def test_ten_working_days_across_new_year_2026(school_2025):
    school, _admin, _year = school_2025
    # Dec 31 and Jan 9 are transferred days off; Jan 1–8 are holidays.
    assert add_working_days(D(2025, 12, 25), 10, school, 7) == D(2026, 1, 20)


def test_2026_observed_holidays(school_2025):
    school, _admin, _year = school_2025
    five, six = grade_calendar(school, 5), grade_calendar(school, 11)
    # 8 March 2026 is a Sunday: the day off moves to Monday for every week.
    assert not five.is_working_day(D(2026, 3, 9))
    assert not six.is_working_day(D(2026, 3, 9))
    # 9 May 2026 is a Saturday: Monday 11 May is off for the 5-day week only.
    assert not five.is_working_day(D(2026, 5, 11))
    assert six.is_working_day(D(2026, 5, 11))
    assert not six.is_working_day(D(2026, 5, 9))


def test_summer_falls_back_to_the_production_calendar(school_2025):
    school, _admin, _year = school_2025
    # 2026-06-10 is after the year's end: June 12 (День России) still is not a working day.
    assert add_working_days(D(2026, 6, 10), 2, school, 5) == D(2026, 6, 15)


def test_vacations_are_working_days_but_not_school_days(school_2025):
    school, admin, year = school_2025
    services.vacation_add(
        actor=admin, year=year, name="Осенние каникулы", start_date=D(2025, 10, 27), end_date=D(2025, 11, 4)
    )
    calendar = grade_calendar(school, 5)
    assert calendar.is_working_day(D(2025, 10, 28))
    assert not calendar.is_school_day(D(2025, 10, 28))
    assert calendar.is_school_day(D(2025, 11, 5))
    assert not calendar.is_school_day(D(2025, 8, 29))  # before the year


def test_extra_day_off_for_one_grade(school_2025):
    school, _admin, year = school_2025
    CalendarDay.objects.create(
        year=year, date=D(2026, 2, 10), kind=DayKind.DAY_OFF, name="Карантин", grade_from=5, grade_to=5
    )
    assert not grade_calendar(school, 5).is_working_day(D(2026, 2, 10))
    assert grade_calendar(school, 6).is_working_day(D(2026, 2, 10))
    assert add_working_days(D(2026, 2, 9), 1, school, 5) == D(2026, 2, 11)


def test_zero_days_is_the_same_day(school_2025):
    school, _admin, _year = school_2025
    assert add_working_days(D(2025, 11, 3), 0, school, 5) == D(2025, 11, 3)


def test_a_school_without_years_uses_the_production_calendar(db):
    school = SchoolFactory()
    assert add_working_days(D(2025, 10, 31), 2, school, 5) == D(2025, 11, 5)
