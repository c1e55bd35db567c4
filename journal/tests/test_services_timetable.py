"""The timetable services: bells, rooms, conflicts, validity ranges, and laying out the year's lessons."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.models import User
from journal import demo, services
from journal.choices import YearStatus
from journal.demo.timetable import bell_times, seed_timetable
from journal.models import Bell, GradeSettings, Lesson, Room, SchoolYear, TimetableEntry
from journal.selectors import timetable as tt
from journal.services import timetable as timetable_services
from journal.services.timetable import (
    bells_set,
    lesson_has_records,
    lessons_layout,
    room_create,
    timetable_entry_add,
    timetable_entry_remove,
)
from journal.workdays import grade_calendar

T = dt.time
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY, SATURDAY = range(6)
WORKING_SATURDAY = dt.date(2027, 2, 20)  # the production calendar's transfer: a day off moved to Monday 22.02


@pytest.fixture
def tt_cast(cast):
    """The cast plus bells, two rooms, an autumn vacation and an English class split into two subgroups."""
    bells_set(actor=cast.deputy, year=cast.year, bells=bell_times())
    cast.room1 = room_create(actor=cast.deputy, school=cast.school, name="101", capacity=30)
    cast.room2 = room_create(actor=cast.deputy, school=cast.school, name="102")
    services.vacation_add(
        actor=cast.admin,
        year=cast.year,
        name="Осенние каникулы",
        start_date=dt.date(2026, 10, 24),
        end_date=dt.date(2026, 11, 1),
    )
    english = services.subject_create(actor=cast.admin, school=cast.school, name="Английский язык")
    informatics = services.subject_create(actor=cast.admin, school=cast.school, name="Информатика")
    group1 = services.subgroup_create(actor=cast.admin, school_class=cast.class_b, name="1 подгруппа", pupils=[])
    group2 = services.subgroup_create(actor=cast.admin, school_class=cast.class_b, name="2 подгруппа", pupils=[])
    cast.english1 = services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_b,
        subject=english,
        teacher=cast.teacher,
        hours_per_week=Decimal(3),
        subgroup=group1,
    )
    cast.english2 = services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_b,
        subject=english,
        teacher=cast.other_teacher,
        hours_per_week=Decimal(3),
        subgroup=group2,
    )
    cast.informatics1 = services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_b,
        subject=informatics,
        teacher=cast.deputy,
        hours_per_week=Decimal(1),
        subgroup=group1,
    )
    return cast


def add(cast, assignment, weekday, number, **kwargs):
    kwargs.setdefault("valid_from", cast.year.start_date)
    return timetable_entry_add(actor=cast.deputy, assignment=assignment, weekday=weekday, number=number, **kwargs)


# Bells and rooms ------------------------------------------------------------------------------------------------


def test_bells_replace_the_schedule(tt_cast):
    bells_set(actor=tt_cast.admin, year=tt_cast.year, bells=[(1, T(9, 0), T(9, 45)), (2, T(9, 55), T(10, 40))])
    assert list(Bell.objects.filter(year=tt_cast.year).values_list("number", "start_time")) == [
        (1, T(9, 0)),
        (2, T(9, 55)),
    ]


@pytest.mark.parametrize(
    "bells, message",
    [
        ([(1, T(8, 30), T(9, 15)), (2, T(9, 10), T(9, 55))], "раньше, чем заканчивается"),
        ([(1, T(8, 30), T(8, 30))], "окончание"),
        ([(1, T(8, 30), T(9, 15)), (1, T(9, 25), T(10, 10))], "указан дважды"),
        ([(13, T(8, 30), T(9, 15))], "от 0 до 12"),
    ],
)
def test_bad_bells_are_refused_and_nothing_changes(tt_cast, bells, message):
    before = list(Bell.objects.filter(year=tt_cast.year).values_list("number", "start_time", "end_time"))
    with pytest.raises(ValidationError, match=message):
        bells_set(actor=tt_cast.deputy, year=tt_cast.year, bells=bells)
    assert list(Bell.objects.filter(year=tt_cast.year).values_list("number", "start_time", "end_time")) == before


def test_bells_cannot_drop_a_number_the_timetable_uses(tt_cast):
    add(tt_cast, tt_cast.math_a, MONDAY, 7)
    with pytest.raises(ValidationError, match="№ 7"):
        bells_set(actor=tt_cast.deputy, year=tt_cast.year, bells=bell_times()[:6])
    assert Bell.objects.filter(year=tt_cast.year).count() == 7


def test_room_names_are_unique_in_a_school(tt_cast):
    with pytest.raises(ValidationError, match="уже есть"):
        room_create(actor=tt_cast.admin, school=tt_cast.school, name=" 101 ")
    with pytest.raises(ValidationError, match="Укажите"):
        room_create(actor=tt_cast.admin, school=tt_cast.school, name="  ")


@pytest.mark.parametrize("role", ["teacher", "classteacher", "director", "pupil_user", "parent_user", "foreign_admin"])
def test_only_the_deputy_and_the_admin_edit_the_timetable(tt_cast, role):
    actor = getattr(tt_cast, role)
    entry = add(tt_cast, tt_cast.math_a, MONDAY, 1)
    calls = [
        lambda: room_create(actor=actor, school=tt_cast.school, name="999"),
        lambda: bells_set(actor=actor, year=tt_cast.year, bells=[]),
        lambda: timetable_entry_add(actor=actor, assignment=tt_cast.physics_b, weekday=TUESDAY, number=1),
        lambda: timetable_entry_remove(actor=actor, entry=entry),
        lambda: lessons_layout(actor=actor, year=tt_cast.year),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert TimetableEntry.objects.count() == 1
    assert Bell.objects.count() == 7
    assert Room.objects.count() == 2
    assert not Lesson.objects.exists()


def test_a_closed_year_refuses_timetable_writes(tt_cast):
    entry = add(tt_cast, tt_cast.math_a, MONDAY, 1)
    SchoolYear.objects.filter(pk=tt_cast.year.pk).update(status=YearStatus.CLOSED)
    tt_cast.year.refresh_from_db()
    entry.refresh_from_db()
    tt_cast.physics_b.refresh_from_db()
    for call in (
        lambda: bells_set(actor=tt_cast.deputy, year=tt_cast.year, bells=bell_times()),
        lambda: add(tt_cast, tt_cast.physics_b, TUESDAY, 1),
        lambda: timetable_entry_remove(actor=tt_cast.deputy, entry=entry),
        lambda: lessons_layout(actor=tt_cast.deputy, year=tt_cast.year),
    ):
        with pytest.raises(ValidationError, match="закрыт"):
            call()


# Conflicts ------------------------------------------------------------------------------------------------------


def test_a_teacher_cannot_be_in_two_places(tt_cast):
    add(tt_cast, tt_cast.math_a, MONDAY, 1)  # the teacher in 7 «А»
    with pytest.raises(ValidationError, match=r"Учитель Teacher А\. П\. в это время уже ведёт урок: .*7 «А»"):
        add(tt_cast, tt_cast.english1, MONDAY, 1)  # the same teacher in 8 «Б»
    assert TimetableEntry.objects.count() == 1


def test_a_room_cannot_hold_two_lessons(tt_cast):
    add(tt_cast, tt_cast.math_a, MONDAY, 1, room=tt_cast.room1)
    with pytest.raises(ValidationError, match="Кабинет 101 в это время занят"):
        add(tt_cast, tt_cast.physics_b, MONDAY, 1, room=tt_cast.room1)
    add(tt_cast, tt_cast.physics_b, MONDAY, 1, room=tt_cast.room2)


def test_a_class_cannot_have_two_lessons_at_once(tt_cast):
    add(tt_cast, tt_cast.physics_b, MONDAY, 2)
    with pytest.raises(ValidationError, match="У класса 8 «Б» в это время уже есть урок: .*Физика"):
        add(tt_cast, tt_cast.russian_b, MONDAY, 2)


def test_two_subgroups_of_a_class_may_sit_at_the_same_time(tt_cast):
    add(tt_cast, tt_cast.english1, TUESDAY, 1, room=tt_cast.room1)
    add(tt_cast, tt_cast.english2, TUESDAY, 1, room=tt_cast.room2)
    assert TimetableEntry.objects.filter(weekday=TUESDAY, number=1).count() == 2


def test_a_whole_class_lesson_cannot_overlap_a_subgroup(tt_cast):
    add(tt_cast, tt_cast.english1, TUESDAY, 1)
    with pytest.raises(ValidationError, match="Урок всего класса 8 «Б» пересекается с уроком подгруппы"):
        add(tt_cast, tt_cast.russian_b, TUESDAY, 1)


def test_a_subgroup_lesson_cannot_overlap_the_whole_class(tt_cast):
    add(tt_cast, tt_cast.russian_b, WEDNESDAY, 1)
    with pytest.raises(ValidationError, match="Урок подгруппы «2 подгруппа» пересекается с уроком всего класса"):
        add(tt_cast, tt_cast.english2, WEDNESDAY, 1)


def test_a_subgroup_cannot_have_two_lessons_at_once(tt_cast):
    add(tt_cast, tt_cast.english1, THURSDAY, 1)
    with pytest.raises(ValidationError, match="У подгруппы «1 подгруппа» в это время уже есть урок"):
        add(tt_cast, tt_cast.informatics1, THURSDAY, 1)


def test_saturday_only_for_a_six_day_week(tt_cast):
    with pytest.raises(ValidationError, match="пятидневная"):
        add(tt_cast, tt_cast.physics_b, SATURDAY, 1)
    GradeSettings.objects.filter(year=tt_cast.year, grade=8).update(days_per_week=6)
    add(tt_cast, tt_cast.physics_b, SATURDAY, 1)


def test_a_lesson_number_needs_a_bell(tt_cast):
    with pytest.raises(ValidationError, match="Для 8 урока нет звонка"):
        add(tt_cast, tt_cast.physics_b, MONDAY, 8)


def test_a_room_of_another_school_is_refused(tt_cast):
    foreign = Room.objects.create(school=tt_cast.foreign_admin.school, name="101")
    with pytest.raises(ValidationError, match="другой школе"):
        add(tt_cast, tt_cast.physics_b, MONDAY, 1, room=foreign)


def test_entries_conflict_only_where_their_dates_overlap(tt_cast):
    old = add(tt_cast, tt_cast.physics_b, FRIDAY, 3)
    lessons_layout(actor=tt_cast.deputy, year=tt_cast.year)
    timetable_entry_remove(actor=tt_cast.deputy, entry=old, from_date=dt.date(2026, 12, 1))
    old.refresh_from_db()
    assert old.valid_to == dt.date(2026, 11, 30)
    with pytest.raises(ValidationError, match="по 30.11.2026"):
        add(tt_cast, tt_cast.russian_b, FRIDAY, 3, valid_from=dt.date(2026, 11, 20))
    add(tt_cast, tt_cast.russian_b, FRIDAY, 3, valid_from=dt.date(2026, 12, 1))


def test_removing_an_entry_without_lessons_deletes_it(tt_cast):
    entry = add(tt_cast, tt_cast.physics_b, FRIDAY, 3)
    assert timetable_entry_remove(actor=tt_cast.deputy, entry=entry, from_date=dt.date(2026, 12, 1)) is None
    assert not TimetableEntry.objects.exists()


def test_an_entry_cannot_be_removed_twice_from_a_later_date(tt_cast):
    entry = add(tt_cast, tt_cast.physics_b, FRIDAY, 3)
    lessons_layout(actor=tt_cast.deputy, year=tt_cast.year)
    timetable_entry_remove(actor=tt_cast.deputy, entry=entry, from_date=dt.date(2026, 12, 1))
    with pytest.raises(ValidationError, match="уже убран"):
        timetable_entry_remove(actor=tt_cast.deputy, entry=entry, from_date=dt.date(2027, 1, 15))


# Laying out the lessons -----------------------------------------------------------------------------------------


def school_days(cast, grade, weekday):
    """The days a weekly lesson on ``weekday`` takes place: school days of that weekday, and working Saturdays."""
    calendar = grade_calendar(cast.school, grade)
    day, days = cast.year.start_date, set()
    while day <= cast.year.end_date:
        if calendar.is_school_day(day) and (day.weekday() == weekday or (day == WORKING_SATURDAY and weekday == 0)):
            days.add(day)
        day += dt.timedelta(days=1)
    return days


def test_layout_follows_the_calendar(tt_cast):
    add(tt_cast, tt_cast.math_a, MONDAY, 1, room=tt_cast.room1)
    add(tt_cast, tt_cast.math_a, WEDNESDAY, 2)
    add(tt_cast, tt_cast.physics_b, WEDNESDAY, 1)
    result = lessons_layout(actor=tt_cast.deputy, year=tt_cast.year)

    mondays, wednesdays = school_days(tt_cast, 7, MONDAY), school_days(tt_cast, 7, WEDNESDAY)
    assert result.created == len(mondays) + 2 * len(wednesdays) == Lesson.objects.count()
    math = Lesson.objects.filter(assignment=tt_cast.math_a)
    assert set(math.filter(number=1).values_list("date", flat=True)) == mondays
    assert set(math.filter(number=2).values_list("date", flat=True)) == wednesdays
    assert set(math.filter(number=1).values_list("room__name", flat=True)) == {"101"}
    dates = set(Lesson.objects.values_list("date", flat=True))
    assert dt.date(2026, 11, 4) not in dates  # День народного единства, a Wednesday
    assert not dates & {dt.date(2026, 10, 26), dt.date(2026, 10, 28)}  # the autumn vacation
    assert all(day.weekday() < 5 or day == WORKING_SATURDAY for day in dates)
    # Saturday 20.02.2027 is a working day of the five-day week, taught by Monday's timetable.
    assert math.filter(date=WORKING_SATURDAY, number=1).exists()
    assert result.transferred_days == {WORKING_SATURDAY: MONDAY}
    assert not math.filter(date=dt.date(2027, 2, 22)).exists()  # the Monday it became a day off
    assert Lesson.objects.filter(timetable_entry__isnull=True).count() == 0


def test_a_six_day_grade_uses_its_own_saturday(tt_cast):
    GradeSettings.objects.filter(year=tt_cast.year, grade=8).update(days_per_week=6)
    add(tt_cast, tt_cast.physics_b, SATURDAY, 1)
    add(tt_cast, tt_cast.russian_b, MONDAY, 1)
    lessons_layout(actor=tt_cast.deputy, year=tt_cast.year)
    assert Lesson.objects.filter(assignment=tt_cast.physics_b, date=WORKING_SATURDAY).exists()
    assert not Lesson.objects.filter(assignment=tt_cast.russian_b, date=WORKING_SATURDAY).exists()


def test_a_second_layout_changes_nothing(tt_cast):
    add(tt_cast, tt_cast.math_a, MONDAY, 1)
    add(tt_cast, tt_cast.english1, TUESDAY, 2)
    add(tt_cast, tt_cast.english2, TUESDAY, 2)
    first = lessons_layout(actor=tt_cast.deputy, year=tt_cast.year)
    second = lessons_layout(actor=tt_cast.deputy, year=tt_cast.year)
    assert first.created > 0
    assert (second.created, second.removed, second.updated, second.kept_with_data) == (0, 0, 0, 0)
    assert second.unchanged == first.created == Lesson.objects.count()


def test_relayout_after_a_move_keeps_lessons_with_records(tt_cast):
    monday = add(tt_cast, tt_cast.math_a, MONDAY, 1)
    lessons_layout(actor=tt_cast.deputy, year=tt_cast.year)
    change = dt.date(2026, 12, 1)
    with_topic = dt.date(2026, 12, 7)
    Lesson.objects.filter(assignment=tt_cast.math_a, date=with_topic).update(topic="Дроби")
    before_change = set(Lesson.objects.filter(date__lt=change).values_list("pk", flat=True))
    later_mondays = Lesson.objects.filter(date__gte=change).count()

    timetable_entry_remove(actor=tt_cast.deputy, entry=monday, from_date=change)
    add(tt_cast, tt_cast.math_a, TUESDAY, 2, valid_from=change)
    result = lessons_layout(actor=tt_cast.deputy, year=tt_cast.year, from_date=change)

    assert result.kept_with_data == 1
    assert result.removed == later_mondays - 1
    tuesdays = {day for day in school_days(tt_cast, 7, TUESDAY) if day >= change}
    assert result.created == len(tuesdays)
    assert set(Lesson.objects.filter(date__lt=change).values_list("pk", flat=True)) == before_change
    assert Lesson.objects.get(date=with_topic).topic == "Дроби"
    later = Lesson.objects.filter(date__gte=change).exclude(date=with_topic)
    assert set(later.values_list("date", flat=True)) == tuesdays
    assert set(later.values_list("number", flat=True)) == {2}
    assert lessons_layout(actor=tt_cast.deputy, year=tt_cast.year, from_date=change).changed is False


def test_relayout_from_a_date_leaves_earlier_lessons_alone(tt_cast):
    entry = add(tt_cast, tt_cast.math_a, MONDAY, 1)
    lessons_layout(actor=tt_cast.deputy, year=tt_cast.year)
    entry.delete()  # even a timetable emptied behind the services' back
    result = lessons_layout(actor=tt_cast.deputy, year=tt_cast.year, from_date=dt.date(2027, 1, 1))
    assert Lesson.objects.filter(date__lt=dt.date(2027, 1, 1)).count() > 0
    assert not Lesson.objects.filter(date__gte=dt.date(2027, 1, 1)).exists()
    assert result.removed > 0 and result.created == 0


def test_a_room_change_moves_the_lessons(tt_cast):
    entry = add(tt_cast, tt_cast.math_a, MONDAY, 1, room=tt_cast.room1)
    first = lessons_layout(actor=tt_cast.deputy, year=tt_cast.year)
    entry.delete()
    add(tt_cast, tt_cast.math_a, MONDAY, 1, room=tt_cast.room2)
    result = lessons_layout(actor=tt_cast.deputy, year=tt_cast.year)
    assert (result.updated, result.created, result.removed) == (first.created, 0, 0)
    assert set(Lesson.objects.values_list("room__name", flat=True)) == {"102"}


def test_lesson_has_records_is_the_topic_today(tt_cast):
    add(tt_cast, tt_cast.math_a, MONDAY, 1)
    lessons_layout(actor=tt_cast.deputy, year=tt_cast.year)
    Lesson.objects.filter(date=dt.date(2026, 9, 7)).update(topic="Повторение")
    with_records = lesson_has_records(Lesson.objects.all()).filter(has_records=True)
    assert list(with_records.values_list("date", flat=True)) == [dt.date(2026, 9, 7)]


def layout_queries(cast, entries):
    Lesson.objects.all().delete()
    TimetableEntry.objects.all().delete()
    for weekday, number in entries:
        add(cast, cast.math_a, weekday, number)
    with CaptureQueriesContext(connection) as cold:
        created = lessons_layout(actor=cast.deputy, year=cast.year).created
    TimetableEntry.objects.all().delete()
    with CaptureQueriesContext(connection) as removal:
        lessons_layout(actor=cast.deputy, year=cast.year)
    return created, len(cold), len(removal)


def test_layout_queries_do_not_grow_with_the_lessons(tt_cast):
    small = layout_queries(tt_cast, [(MONDAY, 1)])
    # Laying out: SAVEPOINT, the year FOR UPDATE (with school), the year's entries, grade settings, extra workdays, the
    # grade's calendar (years, grade settings, calendar days, vacations), the lessons already there, INSERT the lessons,
    # RELEASE. Taking them back: SAVEPOINT, the year FOR UPDATE, entries, grade settings, the lessons, DELETE, RELEASE.
    assert small[1:] == (12, 7)
    large = layout_queries(tt_cast, [(day, number) for day in range(5) for number in (1, 2, 3)])
    assert large[0] == pytest.approx(15 * small[0], rel=0.1)
    # A ceiling on SQLite, where Django splits the INSERT of the lessons by 999 variables; exact on PostgreSQL.
    if connection.vendor == "sqlite":
        per_batch = 999 // len([f for f in Lesson._meta.concrete_fields if not f.primary_key])
        slack = large[0] // per_batch - small[0] // per_batch + 1
        assert large[1] - small[1] <= slack
    else:
        assert large[1] == small[1]
    assert large[2] == small[2]


# The demo timetable ---------------------------------------------------------------------------------------------


def test_demo_timetable_places_every_hour_without_conflicts(db):
    demo.seed(pupils=60, today=timezone.localdate(), timetable=False)
    year = SchoolYear.objects.get()
    admin = User.objects.get(username="admin")
    result = seed_timetable(actor=admin, year=year)

    assert result["hours_unplaced"] == 0, result["unplaced"]
    total_hours = sum(int(a.hours_per_week) for a in year.assignments.all())
    assert result["entries"] == TimetableEntry.objects.filter(year=year).count() == total_hours
    assert Room.objects.filter(school=year.school, name="Спортзал").exists()
    assert Bell.objects.filter(year=year).count() == 7
    overview = tt.timetable_overview(year, year.start_date)
    assert overview.mismatched_classes == 0
    assert all(row.ok for row in overview.teachers)
    # The services agree that the timetable has no conflict: re-adding any entry's twin is refused.
    entry = TimetableEntry.objects.filter(year=year, room__isnull=False).select_related("assignment").first()
    with pytest.raises(ValidationError):
        timetable_services.timetable_entry_add(
            actor=admin, assignment=entry.assignment, weekday=entry.weekday, number=entry.number
        )
    layout = result["layout"]
    assert layout.created == Lesson.objects.filter(assignment__year=year).count() > 0
    assert not Lesson.objects.filter(date=dt.date(2026, 11, 4)).exists()
    # Pupils' days: from the first lesson, without gaps, within the daily maximum.
    by_day: dict = {}
    for class_id, weekday, number in TimetableEntry.objects.values_list(
        "assignment__school_class_id", "weekday", "number"
    ):
        by_day.setdefault((class_id, weekday), set()).add(number)
    assert all(numbers == set(range(1, max(numbers) + 1)) for numbers in by_day.values())
    assert max(len(numbers) for numbers in by_day.values()) <= 7
