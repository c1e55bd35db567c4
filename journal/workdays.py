"""The school calendar: which days are working days and school days for a grade.

A *working day* follows the Russian production calendar as the school keeps it
(public holidays, days off and working days transferred by decree, for a 5- or
6-day week) plus the school's own extra days off. Vacations (каникулы) are
working days for staff, so they count for deadlines such as the 10-working-day
edit lock, but they are not *school days*: no lessons are laid out on them.

Dates inside a school year use that year's stored calendar (editable by the
admin); dates outside every year (the summer) fall back to the production
calendar from the ``holidays`` package.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

import holidays

from .choices import DayKind
from .models import CalendarDay, GradeSettings, SchoolYear, Vacation

SATURDAY, SUNDAY = 5, 6
MAX_SCAN_DAYS = 3 * 366


@cache
def production_calendar(calendar_year: int) -> list[tuple[dt.date, str, str]]:
    """The Russian production calendar of one year as (date, kind, name): holidays, transfers, working Saturdays."""
    ru = holidays.Russia(years=calendar_year, language="ru")
    rows: list[tuple[dt.date, str, str]] = []
    for day, name in sorted(ru.items()):
        if "перенесено" in name:
            rows.append((day, DayKind.TRANSFER, name))
        elif name.endswith("(выходной)"):
            # A holiday that fell on a weekend moves to a weekday. From a Sunday it moves for every
            # week; from a Saturday only for a 5-day week (Saturday is a working day in a 6-day one).
            base = name.removesuffix("(выходной)").strip()
            original = next(
                (d for d, n in ru.items() if n == base and dt.timedelta(0) < day - d <= dt.timedelta(days=7)), None
            )
            kind = DayKind.TRANSFER if original is not None and original.weekday() == SATURDAY else DayKind.HOLIDAY
            rows.append((day, kind, name))
        else:
            rows.append((day, DayKind.HOLIDAY, name))
    for day in sorted(ru.weekend_workdays):
        rows.append((day, DayKind.WORKDAY, "Рабочий день (перенос выходного)"))
    return rows


@dataclass
class YearRules:
    """One school year's days for one grade: its dates, week, extra days off and working days, vacations."""

    start: dt.date
    end: dt.date
    days_per_week: int
    days_off: set[dt.date] = field(default_factory=set)
    workdays: set[dt.date] = field(default_factory=set)
    vacations: list[tuple[dt.date, dt.date]] = field(default_factory=list)


def apply_calendar_day(
    rules_off: set[dt.date], rules_work: set[dt.date], day: dt.date, kind: str, days_per_week: int
) -> None:
    if kind in (DayKind.HOLIDAY, DayKind.DAY_OFF):
        rules_off.add(day)
    elif kind == DayKind.TRANSFER and days_per_week == 5:
        rules_off.add(day)
    elif kind == DayKind.WORKDAY and (days_per_week == 5 or day.weekday() == SUNDAY):
        rules_work.add(day)


class GradeCalendar:
    """Working days and school days of one grade level of one school, across its years."""

    def __init__(self, years: list[YearRules], fallback_days_per_week: int = 5) -> None:
        self.years = sorted(years, key=lambda y: y.start)
        self.fallback_days_per_week = fallback_days_per_week
        self._fallback: dict[int, tuple[set[dt.date], set[dt.date]]] = {}
        # is_working_day's answers: counting a deadline asks about the same few weeks again and again.
        self._working: dict[dt.date, bool] = {}

    def _rules_for(self, day: dt.date) -> YearRules | None:
        for rules in self.years:
            if rules.start <= day <= rules.end:
                return rules
        return None

    def _fallback_sets(self, calendar_year: int) -> tuple[set[dt.date], set[dt.date]]:
        if calendar_year not in self._fallback:
            off: set[dt.date] = set()
            work: set[dt.date] = set()
            for day, kind, _name in production_calendar(calendar_year):
                apply_calendar_day(off, work, day, kind, self.fallback_days_per_week)
            self._fallback[calendar_year] = (off, work)
        return self._fallback[calendar_year]

    def is_working_day(self, day: dt.date) -> bool:
        known = self._working.get(day)
        if known is not None:
            return known
        rules = self._rules_for(day)
        if rules is not None:
            days_per_week, off, work = rules.days_per_week, rules.days_off, rules.workdays
        else:
            days_per_week = self.fallback_days_per_week
            off, work = self._fallback_sets(day.year)
        if day in work:
            working = True
        elif day in off:
            working = False
        else:
            working = day.weekday() < days_per_week
        self._working[day] = working
        return working

    def is_vacation(self, day: dt.date) -> bool:
        rules = self._rules_for(day)
        return rules is not None and any(start <= day <= end for start, end in rules.vacations)

    def is_school_day(self, day: dt.date) -> bool:
        """A day with lessons: inside a school year, a working day, and not in a vacation."""
        rules = self._rules_for(day)
        return rules is not None and self.is_working_day(day) and not self.is_vacation(day)

    def add_working_days(self, day: dt.date, n: int) -> dt.date:
        """The date ``n`` working days after ``day`` (before it for negative ``n``); ``day`` itself is not counted."""
        step = dt.timedelta(days=1 if n >= 0 else -1)
        remaining = abs(n)
        current = day
        scanned = 0
        known = self._working
        while remaining:
            current += step
            scanned += 1
            if scanned > MAX_SCAN_DAYS:
                raise ValueError("no working days found in the calendar")
            working = known.get(current)
            if working is None:
                working = self.is_working_day(current)
            if working:
                remaining -= 1
        return current

    def working_days_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many working days have passed since ``start`` by ``end``."""
        count = 0
        current = start
        while current < end:
            current += dt.timedelta(days=1)
            if self.is_working_day(current):
                count += 1
        return count


def grade_calendar(school, grade: int) -> GradeCalendar:
    """Load a grade's calendar for a school (3–4 queries); reuse it for many dates."""
    years = list(SchoolYear.objects.filter(school=school).order_by("start_date"))
    settings = {
        gs.year_id: gs.days_per_week
        for gs in GradeSettings.objects.filter(year__school=school, grade=grade).only("year_id", "days_per_week")
    }
    by_year: dict[int, YearRules] = {}
    for year in years:
        by_year[year.pk] = YearRules(year.start_date, year.end_date, settings.get(year.pk, 5))
    for row in CalendarDay.objects.filter(year__school=school, grade_from__lte=grade, grade_to__gte=grade).only(
        "year_id", "date", "kind"
    ):
        rules = by_year[row.year_id]
        apply_calendar_day(rules.days_off, rules.workdays, row.date, row.kind, rules.days_per_week)
    for vac in Vacation.objects.filter(year__school=school, grade_from__lte=grade, grade_to__gte=grade).only(
        "year_id", "start_date", "end_date"
    ):
        by_year[vac.year_id].vacations.append((vac.start_date, vac.end_date))
    fallback = by_year[years[-1].pk].days_per_week if years else 5
    return GradeCalendar(list(by_year.values()), fallback_days_per_week=fallback)


def single_year_calendar(
    start: dt.date, end: dt.date, days_per_week: int, days: Iterable[tuple[dt.date, str]]
) -> GradeCalendar:
    """A working-day calendar from one year's dates and its calendar days (date, kind), loaded by the caller.

    For a page that already knows the year and reads its CalendarDay rows in its own query (the grid). Vacations
    are left out: they are working days for staff, so the working-day arithmetic of the lock does not need them,
    but ``is_school_day`` of such a calendar does not know them either. Dates outside the year fall back to the
    production calendar with the same week.
    """
    rules = YearRules(start, end, days_per_week)
    for day, kind in days:
        apply_calendar_day(rules.days_off, rules.workdays, day, kind, days_per_week)
    return GradeCalendar([rules], fallback_days_per_week=days_per_week)


def add_working_days(date: dt.date, n: int, school, grade: int) -> dt.date:
    """The date ``n`` working days after ``date`` in the school's calendar for ``grade``."""
    return grade_calendar(school, grade).add_working_days(date, n)
