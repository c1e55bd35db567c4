"""The 10-working-day edit lock on the cast year 2026/2027: deadlines across holidays and transfers, edit_state."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.utils import timezone

from journal.choices import YearStatus
from journal.lock import (
    deadline_range,
    edit_state,
    edit_states,
    has_open_window,
    lock_cutoff,
    lock_deadline,
    school_today,
)
from journal.models import EditWindow, GradeSettings, Lesson
from journal.workdays import grade_calendar

D = dt.date
HOUR = dt.timedelta(hours=1)
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def at(day: dt.date, hour: int = 10, minute: int = 0):
    """Travel to ``day`` at ``hour`` Moscow time (the cast school's zone); the clock stands still."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, minute, tzinfo=MOSCOW), tick=False)


def lesson(cast, day: dt.date, assignment=None, number: int = 1) -> Lesson:
    return Lesson.objects.create(assignment=assignment or cast.math_a, date=day, number=number)


def window(cast, until: dt.datetime, lesson_=None, assignment=None) -> EditWindow:
    return EditWindow.objects.create(
        assignment=assignment or cast.math_a, lesson=lesson_, reason="перенос", valid_until=until, opened_by=cast.deputy
    )


# Deadlines -----------------------------------------------------------------------------------------------------------


def test_deadline_skips_the_4_november_holiday(cast):
    # Fri 30.10: 02, 03, (04 is a holiday) 05, 06, 09–13, 16 → the tenth working day is Monday 16.11.
    assert lock_deadline(lesson(cast, D(2026, 10, 30))) == D(2026, 11, 16)
    # Mon 02.11 (the example of the message): 03, 05, 06, 09–13, 16, 17.
    assert lock_deadline(lesson(cast, D(2026, 11, 2))) == D(2026, 11, 17)


def test_deadline_over_the_february_2027_transfer(cast):
    # Fri 12.02.2027: 15–19 (5), Sat 20.02 is a working day (6), Mon 22.02 is its day off, Tue 23.02 a holiday,
    # 24, 25, 26 (9), Mon 01.03 (10).
    assert lock_deadline(lesson(cast, D(2027, 2, 12))) == D(2027, 3, 1)


def test_deadline_over_the_new_year_holidays(cast):
    # Wed 30.12.2026: 31.12 is a transferred day off, 01–08.01 holidays; 11–15 (5), 18–22 (10).
    assert lock_deadline(lesson(cast, D(2026, 12, 30))) == D(2027, 1, 22)


def test_deadline_follows_the_grade_week(cast):
    """8 «Б» on a 6-day week counts Saturdays: its deadline comes sooner than 7 «А»'s."""
    GradeSettings.objects.filter(year=cast.year, grade=8).update(days_per_week=6)
    # Fri 30.10: Sat 31 (1), 02, 03, 05, 06, Sat 07 (6), 09, 10, 11, 12 (10).
    assert lock_deadline(lesson(cast, D(2026, 10, 30), cast.russian_b)) == D(2026, 11, 12)
    assert lock_deadline(lesson(cast, D(2026, 10, 30), cast.math_a)) == D(2026, 11, 16)


def test_vacation_days_count_as_working_days(cast):
    from journal import services

    services.vacation_add(
        actor=cast.admin, year=cast.year, name="Осенние", start_date=D(2026, 10, 24), end_date=D(2026, 11, 1)
    )
    assert lock_deadline(lesson(cast, D(2026, 10, 23))) == D(2026, 11, 9)  # 26–30 (5), 02, 03, 05, 06, 09


def test_the_passed_calendar_saves_the_queries(cast, django_assert_num_queries):
    the_lesson = lesson(cast, D(2026, 10, 30))
    calendar = grade_calendar(cast.school, 7)
    with django_assert_num_queries(0):
        assert lock_deadline(the_lesson, calendar) == D(2026, 11, 16)


@pytest.mark.parametrize("days_per_week", [5, 6])
def test_the_cutoff_agrees_with_every_deadline_of_the_year(cast, days_per_week):
    """lock_deadline(d) < today ⇔ d < lock_cutoff(today), for every pair of days of the year (holidays included)."""
    GradeSettings.objects.filter(year=cast.year, grade=7).update(days_per_week=days_per_week)
    calendar = grade_calendar(cast.school, 7)
    days = [
        cast.year.start_date + dt.timedelta(days=n) for n in range((cast.year.end_date - cast.year.start_date).days)
    ]
    deadlines = {day: calendar.add_working_days(day, 10) for day in days}
    for today in days[10:]:
        cutoff = lock_cutoff(calendar, today)
        assert {d for d in days if deadlines[d] < today} == {d for d in days if d < cutoff}, today


def test_deadline_range_finds_exactly_the_lessons_with_that_deadline(cast):
    calendar = grade_calendar(cast.school, 7)
    days = [cast.year.start_date + dt.timedelta(days=n) for n in range(200)]
    deadlines = {day: calendar.add_working_days(day, 10) for day in days}
    for deadline in days[20:]:
        first, end = deadline_range(calendar, deadline)
        expected = {d for d in days if deadlines[d] == deadline}
        assert {d for d in days if first <= d < end} == expected, deadline
        assert expected or not calendar.is_working_day(deadline)


# edit_state --------------------------------------------------------------------------------------------------------


def test_editable_until_the_end_of_the_deadline_day(cast):
    the_lesson = lesson(cast, D(2026, 10, 30))
    with at(D(2026, 10, 30)):
        assert edit_state(the_lesson) == (True, "")
    with at(D(2026, 11, 16), 23, 59):
        assert edit_state(the_lesson) == (True, "")
    with at(D(2026, 11, 17), 0, 1):
        editable, reason = edit_state(the_lesson)
    assert not editable
    assert reason == (
        "Срок исправления отметок за 30.10.2026 истёк 16.11.2026 (10 рабочих дней). "
        "Исправить можно только через окно исправлений у заместителя директора."
    )


def test_the_day_is_the_schools_day_not_utc(cast):
    """At 01:00 in Moscow on 17.11 it is still 16.11 in UTC: the school's date decides."""
    the_lesson = lesson(cast, D(2026, 10, 30))
    with at(D(2026, 11, 17), 1, 0):
        assert school_today(cast.school) == D(2026, 11, 17)
        assert not edit_state(the_lesson)[0]


def test_the_rule_holds_without_the_daily_task(cast):
    """locked_at is only the task's stamp: an unstamped expired lesson is locked, a stamped one in a window is not."""
    expired = lesson(cast, D(2026, 10, 30))
    stamped = lesson(cast, D(2026, 10, 30), number=2)
    Lesson.objects.filter(pk=stamped.pk).update(locked_at=timezone.now())
    stamped.refresh_from_db()
    with at(D(2026, 11, 20)):
        assert expired.locked_at is None and not edit_state(expired)[0]
        window(cast, timezone.now() + dt.timedelta(days=1), lesson_=stamped)
        assert edit_state(stamped) == (True, "")


def test_a_future_lesson_takes_no_marks(cast):
    the_lesson = lesson(cast, D(2026, 11, 25))
    with at(D(2026, 11, 24)):
        editable, reason = edit_state(the_lesson)
    assert not editable
    assert "25.11.2026" in reason and "ещё не состоялся" in reason
    with at(D(2026, 11, 25), 8):
        assert edit_state(the_lesson)[0]


def test_a_closed_year_is_read_only_even_in_a_window(cast):
    the_lesson = lesson(cast, D(2026, 11, 20))
    with at(D(2026, 11, 20)):
        window(cast, timezone.now() + dt.timedelta(days=1))
        cast.year.status = YearStatus.CLOSED
        cast.year.save()
        the_lesson = Lesson.objects.select_related("assignment__year").get(pk=the_lesson.pk)
        editable, reason = edit_state(the_lesson)
    assert not editable
    assert "закрыт" in reason


def test_a_window_for_the_assignment_opens_every_lesson_until_it_expires(cast):
    old = lesson(cast, D(2026, 10, 5))
    older = lesson(cast, D(2026, 9, 14))
    with at(
        D(
            2026,
            11,
            20,
        )
    ):
        window(cast, timezone.now() + dt.timedelta(days=2))
        assert edit_state(old)[0] and edit_state(older)[0]
    with at(D(2026, 11, 22), 10, 1):  # two days and a minute later
        assert not edit_state(old)[0]


def test_a_window_for_one_lesson_opens_that_lesson_only(cast):
    first = lesson(cast, D(2026, 10, 5))
    second = lesson(cast, D(2026, 10, 6))
    other_assignment = lesson(cast, D(2026, 10, 5), cast.russian_b)
    with at(D(2026, 11, 20)):
        window(cast, timezone.now() + dt.timedelta(days=1), lesson_=first)
        assert edit_state(first)[0]
        assert not edit_state(second)[0]
        assert not edit_state(other_assignment)[0]


def test_preloaded_windows_cost_no_query(cast, django_assert_num_queries):
    the_lesson = Lesson.objects.select_related("assignment__year__school", "assignment__school_class").get(
        pk=lesson(cast, D(2026, 10, 5)).pk
    )
    calendar = grade_calendar(cast.school, 7)
    with at(D(2026, 11, 20)):
        windows = [window(cast, timezone.now() + dt.timedelta(hours=1))]
        with django_assert_num_queries(0):
            assert edit_state(the_lesson, today=D(2026, 11, 20), calendar=calendar, windows=windows) == (True, "")
            assert not edit_state(the_lesson, today=D(2026, 11, 20), calendar=calendar, windows=[])[0]
        assert has_open_window(the_lesson)


# edit_states: a grid's columns at once ------------------------------------------------------------------------------


@pytest.mark.parametrize("days_per_week", [5, 6])
def test_edit_states_answer_as_edit_state_for_every_day(cast, days_per_week, django_assert_num_queries):
    """Every day of the year as a lesson, seen on days across holidays and the new year: the same (editable, why
    not) as edit_state, a window for some lessons, and «unlocked» exactly when the deadline has passed."""
    GradeSettings.objects.filter(year=cast.year, grade=7).update(days_per_week=days_per_week)
    calendar = grade_calendar(cast.school, 7)
    assignment = Lesson(assignment=cast.math_a).assignment
    start = cast.year.start_date
    lessons = [
        Lesson(pk=n + 1, assignment=assignment, date=start + dt.timedelta(days=n), number=1)
        for n in range((cast.year.end_date - start).days + 1)
    ]
    windowed = {lesson_.pk for lesson_ in lessons if lesson_.pk % 7 == 0}
    for today in (D(2026, 9, 1), D(2026, 11, 9), D(2026, 11, 17), D(2027, 1, 11), D(2027, 1, 22), D(2027, 3, 1)):
        with django_assert_num_queries(0):
            states = edit_states(lessons, today=today, calendar=calendar, windowed=windowed)
        for lesson_, (editable, reason, unlocked) in zip(lessons, states, strict=True):
            windows = [EditWindow(assignment=cast.math_a, lesson_id=lesson_.pk, valid_until=timezone.now() + HOUR)]
            expected = edit_state(
                lesson_, today=today, calendar=calendar, windows=windows if lesson_.pk in windowed else []
            )
            assert (editable, reason) == expected, (today, lesson_.date)
            past = lesson_.date <= today and lock_deadline(lesson_, calendar) < today
            assert unlocked == (editable and past), (today, lesson_.date)


def test_edit_states_load_the_calendar_only_for_an_old_lesson(cast, django_assert_num_queries):
    recent, old = lesson(cast, D(2026, 11, 10)), lesson(cast, D(2026, 10, 30))
    with django_assert_num_queries(0):
        assert edit_states([recent], today=D(2026, 11, 20)) == [(True, "", False)]
    with django_assert_num_queries(4):  # the school's years, the grade's week, calendar days, vacations
        [(editable, reason, unlocked)] = edit_states([old], today=D(2026, 11, 20))
    assert (editable, reason) == edit_state(old, today=D(2026, 11, 20)) and not editable and not unlocked


def test_edit_states_of_a_closed_year(cast):
    the_lesson = lesson(cast, D(2026, 11, 20))
    cast.year.status = YearStatus.CLOSED
    cast.year.save()
    the_lesson = Lesson.objects.select_related("assignment__year").get(pk=the_lesson.pk)
    [(editable, reason, unlocked)] = edit_states([the_lesson], today=D(2026, 11, 20), windowed={the_lesson.pk})
    assert (editable, reason) == edit_state(the_lesson, today=D(2026, 11, 20)) and not editable and not unlocked


# The school's own day (issue 10: «today» taken in the server's zone went unnoticed) --------------------------------

UTC = dt.UTC


def in_zone(cast, zone: str):
    cast.school.time_zone = zone
    cast.school.save(update_fields=["time_zone"])
    return Lesson.objects.select_related("assignment__year__school").get(pk=lesson(cast, D(2026, 10, 30)).pk)


def test_a_school_east_of_the_server_locks_at_its_own_midnight(cast):
    """Vladivostok (UTC+10) is already on 17.11 at 15:30 UTC, while the server (Moscow) is on 16.11 at 18:30."""
    the_lesson = in_zone(cast, "Asia/Vladivostok")  # deadline 16.11
    with time_machine.travel(dt.datetime(2026, 11, 16, 15, 30, tzinfo=UTC), tick=False):
        assert timezone.localdate() == D(2026, 11, 16)  # the server's day
        assert school_today(cast.school) == D(2026, 11, 17)
        editable, reason = edit_state(the_lesson)
    assert not editable and "истёк 16.11.2026" in reason
    with time_machine.travel(dt.datetime(2026, 11, 16, 13, 59, tzinfo=UTC), tick=False):  # 23:59 in Vladivostok
        assert edit_state(the_lesson) == (True, "")


def test_a_school_west_of_the_server_still_edits_after_the_servers_midnight(cast):
    """Kaliningrad (UTC+2) is still on 16.11 at 00:30 Moscow time on 17.11: its teachers may still edit."""
    the_lesson = in_zone(cast, "Europe/Kaliningrad")
    with time_machine.travel(dt.datetime(2026, 11, 17, 0, 30, tzinfo=MOSCOW), tick=False):
        assert timezone.localdate() == D(2026, 11, 17)
        assert school_today(cast.school) == D(2026, 11, 16)
        assert edit_state(the_lesson) == (True, "")


def test_a_worker_in_utc_takes_the_schools_day(cast):
    """A Celery worker runs with UTC active: 22:30 UTC on 16.11 is 01:30 on 17.11 in Moscow, and Moscow's day wins."""
    the_lesson = in_zone(cast, "Europe/Moscow")
    with time_machine.travel(dt.datetime(2026, 11, 16, 22, 30, tzinfo=UTC), tick=False), timezone.override("UTC"):
        assert timezone.localdate() == D(2026, 11, 16)
        assert school_today(cast.school) == D(2026, 11, 17)
        assert not edit_state(the_lesson)[0]


def test_the_request_zone_of_another_school_does_not_move_the_day(cast):
    """The middleware activates the user's school's zone; a lesson of a Moscow school keeps Moscow's day for a
    platform operator browsing from Vladivostok's zone."""
    the_lesson = in_zone(cast, "Europe/Moscow")
    with time_machine.travel(dt.datetime(2026, 11, 16, 15, 30, tzinfo=UTC), tick=False):
        with timezone.override(zoneinfo.ZoneInfo("Asia/Vladivostok")):
            assert timezone.localdate() == D(2026, 11, 17)
            assert edit_state(the_lesson) == (True, "")  # 18:30 on 16.11 in Moscow: the deadline day
