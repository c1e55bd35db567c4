"""The reads of the staff's home pages (journal.selectors.teacher_day): a teacher's day, the class teacher's missing
marks, the deputy's lessons without a topic and open correction windows.

Each read: what was planted is found, a clean case is not flagged, another teacher's lessons are not shown, and a
lesson given as a substitute belongs to the substitute.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.tests.factories import TEST_PASSWORD
from conftest import build_foreign_school
from journal import services
from journal.lock import lessons_locking_soon, lock_deadline
from journal.models import (
    Attendance,
    Bell,
    EditWindow,
    Lesson,
    Mark,
    StudyPeriod,
    Subgroup,
    SubjectExemption,
    TeachingAssignment,
)
from journal.selectors.teacher_day import (
    class_missing_marks,
    locking_soon,
    open_edit_windows,
    todays_lessons,
    todays_unrecorded_lessons,
    unrecorded_lessons,
)
from journal.services.substitution import substitution_record
from journal.workdays import grade_calendar

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")
TODAY = dt.date(2026, 11, 25)  # a Wednesday of the second quarter (02.11–26.12)
AT = dt.datetime(2026, 11, 25, 10, 0, tzinfo=MSK)  # after the 1st lesson's bell, before the 2nd's


def lesson(assignment, day=TODAY, number=1, **fields) -> Lesson:
    return Lesson.objects.create(assignment=assignment, date=day, number=number, **fields)


def bells(year):
    Bell.objects.create(year=year, number=1, start_time=dt.time(8, 30), end_time=dt.time(9, 15))
    Bell.objects.create(year=year, number=2, start_time=dt.time(9, 25), end_time=dt.time(10, 10))


def quarter(cast, number: int) -> StudyPeriod:
    return StudyPeriod.objects.get(year=cast.year, kind="quarter", number=number)


def substitute(cast, target: Lesson, who):
    substitution_record(actor=cast.deputy, lesson=target, substitute=who, reason="болезнь")


def mark(cast, target: Lesson, pupil, value="5") -> Mark:
    return Mark.objects.create(lesson=target, pupil=pupil, value=value, updated_by=cast.teacher)


def pks(items) -> list[int]:
    return [item.lesson.pk for item in items]


# Today's lessons ---------------------------------------------------------------------------------------------------


def test_todays_lessons_in_bell_order_with_bell_room_record_and_link(cast):
    bells(cast.year)
    second = lesson(cast.math_a, number=2, topic="Дроби", attendance_taken_at=timezone.now())
    first = lesson(cast.math_a, number=1)
    lesson(cast.math_a, day=TODAY - dt.timedelta(days=1))  # yesterday
    lesson(cast.math_a, day=TODAY + dt.timedelta(days=1))  # tomorrow
    lesson(cast.physics_b, number=3)  # another teacher's

    items = todays_lessons(cast.teacher, TODAY)

    assert pks(items) == [first.pk, second.pk]
    assert [(i.bell.start_time, i.bell.end_time) for i in items] == [
        (dt.time(8, 30), dt.time(9, 15)),
        (dt.time(9, 25), dt.time(10, 10)),
    ]
    assert (items[0].has_topic, items[0].attendance_taken) == (False, False)
    assert (items[1].has_topic, items[1].attendance_taken) == (True, True)
    # The link into the lesson's column, at its study period, as the audit links its findings.
    assert items[0].url == reverse("journal:grid_lesson", args=[first.pk]) + f"?period={quarter(cast, 2).pk}"
    assert items[0].substitute_for is None
    assert todays_lessons(cast.other_teacher, TODAY)[0].lesson.assignment == cast.physics_b


def test_a_substituted_lesson_is_the_substitutes(cast):
    given = lesson(cast.math_a, number=2)
    substitute(cast, given, cast.other_teacher)

    assert todays_lessons(cast.teacher, TODAY) == []
    items = todays_lessons(cast.other_teacher, TODAY)
    assert pks(items) == [given.pk] and items[0].substitute_for == cast.teacher


def test_todays_lessons_keep_their_query_count(cast, django_assert_num_queries):
    bells(cast.year)
    lesson(cast.math_a, number=1)
    # the lessons, the bells, the grades' schemes, the periods
    with django_assert_num_queries(4):
        assert len(todays_lessons(cast.teacher, TODAY)) == 1
    for number in range(2, 7):
        lesson(cast.math_a, number=number)
    with django_assert_num_queries(4):
        assert len(todays_lessons(cast.teacher, TODAY)) == 6
    with django_assert_num_queries(1):
        assert todays_lessons(cast.director, TODAY) == []


# Lessons of the last two weeks not recorded ------------------------------------------------------------------------


def test_unrecorded_lessons_without_topic_or_attendance(cast):
    taken = timezone.now()
    no_topic = lesson(cast.math_a, day=dt.date(2026, 11, 23), attendance_taken_at=taken)
    no_register = lesson(cast.math_a, day=dt.date(2026, 11, 20), topic="Дроби")
    neither = lesson(cast.math_a, day=dt.date(2026, 11, 12))
    lesson(cast.math_a, day=dt.date(2026, 11, 24), topic="Дроби", attendance_taken_at=taken)  # recorded
    lesson(cast.math_a, day=dt.date(2026, 11, 10))  # more than two weeks ago
    lesson(cast.math_a)  # today: not due yet
    theirs = lesson(cast.physics_b, day=dt.date(2026, 11, 23))  # another teacher's

    items = unrecorded_lessons(cast.teacher, TODAY)

    assert pks(items) == [neither.pk, no_register.pk, no_topic.pk]
    assert [(i.has_topic, i.attendance_taken) for i in items] == [(False, False), (True, False), (False, True)]
    assert pks(unrecorded_lessons(cast.other_teacher, TODAY)) == [theirs.pk]


def test_unrecorded_lessons_clean_case(cast):
    lesson(cast.math_a, day=dt.date(2026, 11, 24), topic="Дроби", attendance_taken_at=timezone.now())
    assert unrecorded_lessons(cast.teacher, TODAY) == []


def test_an_unrecorded_substituted_lesson_is_the_substitutes(cast):
    given = lesson(cast.math_a, day=dt.date(2026, 11, 23))
    substitute(cast, given, cast.classteacher)
    assert unrecorded_lessons(cast.teacher, TODAY) == []
    assert pks(unrecorded_lessons(cast.classteacher, TODAY)) == [given.pk]


# Columns about to lock ---------------------------------------------------------------------------------------------


def days_back(cast, grade: int, n: int) -> dt.date:
    return grade_calendar(cast.school, grade).add_working_days(TODAY, -n)


def test_locking_soon_lists_the_empty_columns_locking_within_two_working_days(cast):
    calendar = grade_calendar(cast.school, cast.class_a.grade)
    tonight = lesson(cast.math_a, day=days_back(cast, 7, 10))  # its last day is today
    in_two = lesson(cast.math_a, day=days_back(cast, 7, 8))  # its last day is 2 working days from today
    lesson(cast.math_a, day=days_back(cast, 7, 7))  # 3 working days left
    lesson(cast.math_a, day=days_back(cast, 7, 11))  # locked yesterday
    with_mark = lesson(cast.math_a, day=days_back(cast, 7, 9), number=2)
    mark(cast, with_mark, cast.pupil)
    with_absence = lesson(cast.math_a, day=days_back(cast, 7, 9), number=3)
    Attendance.objects.create(lesson=with_absence, pupil=cast.pupil, code="н", updated_by=cast.teacher)
    lesson(cast.math_a, day=days_back(cast, 7, 9), number=4, attendance_taken_at=timezone.now())  # register taken
    lesson(cast.physics_b, day=days_back(cast, 8, 10))  # another teacher's

    items = locking_soon(cast.teacher, TODAY)

    assert pks(items) == [tonight.pk, in_two.pk]
    assert [i.deadline for i in items] == [TODAY, calendar.add_working_days(TODAY, 2)]
    assert items[0].deadline == lock_deadline(tonight, calendar)
    assert items[0].url.startswith(reverse("journal:grid_lesson", args=[tonight.pk]))


def test_locking_soon_holds_the_columns_the_email_warns_about(cast):
    # journal.tasks.warn_locking_soon e-mails the empty columns of the day 2 working days before their deadline:
    # the home page lists them too (and on the days between).
    warned = lesson(cast.math_a, day=days_back(cast, 7, 8))
    assert [lesson.pk for lesson in lessons_locking_soon(school=cast.school, today=TODAY)] == [warned.pk]
    assert warned.pk in pks(locking_soon(cast.teacher, TODAY))


def test_locking_soon_clean_case_and_the_substitute(cast):
    assert locking_soon(cast.teacher, TODAY) == []
    given = lesson(cast.math_a, day=days_back(cast, 7, 9))
    substitute(cast, given, cast.other_teacher)
    assert locking_soon(cast.teacher, TODAY) == []
    assert pks(locking_soon(cast.other_teacher, TODAY)) == [given.pk]


# The class teacher: pupils without marks across the class's subjects --------------------------------------------


def pupil(cast, username: str, school_class):
    profile = account_services.pupil_create(
        actor=cast.admin, school=cast.school, username=username, last_name=username.capitalize(), first_name="Иван",
        password=TEST_PASSWORD,
    )  # fmt: skip
    services.enrollment_create(
        actor=cast.admin, pupil=profile, school_class=school_class, date_from=cast.year.start_date
    )
    return profile


def test_class_missing_marks_per_subject(cast):
    second = pupil(cast, "borisov", cast.class_a)
    physics = services.subject_create(actor=cast.admin, school=cast.school, name="Физика-7")
    physics_a = services.assignment_create(
        actor=cast.admin, school_class=cast.class_a, subject=physics, teacher=cast.other_teacher,
        hours_per_week=Decimal(2),
    )  # fmt: skip
    held = lesson(cast.math_a, day=dt.date(2026, 11, 10))
    lesson(cast.math_a, day=dt.date(2026, 11, 11))
    mark(cast, held, cast.pupil)
    mark(cast, held, second, value="")  # a cleared mark is no mark
    mark(cast, lesson(cast.math_a, day=dt.date(2026, 10, 20)), second)  # the first quarter's
    lesson(cast.math_a, day=dt.date(2026, 11, 30))  # after today
    lesson(physics_a, day=dt.date(2026, 11, 12))
    # Another class's pupil and marks stay out.
    mark(cast, lesson(cast.physics_b, day=dt.date(2026, 11, 12)), cast.other_pupil)

    result = class_missing_marks(cast.class_a, TODAY)

    assert result.period == quarter(cast, 2) and result.until == TODAY
    rows = {row.assignment.pk: row for row in result.subjects}
    assert rows[cast.math_a.pk].pupils == ["Borisov Иван"] and rows[cast.math_a.pk].lessons_held == 2
    assert rows[physics_a.pk].pupils == ["Borisov Иван", "Pupil Иван"] and rows[physics_a.pk].roster == 2
    assert rows[cast.math_a.pk].url == reverse("journal:grid", args=[cast.math_a.pk]) + f"?period={result.period.pk}"
    assert result.pupils_missing == 3


def test_class_missing_marks_leaves_out_exempt_pupils_and_other_subgroups(cast):
    second = pupil(cast, "borisov", cast.class_a)
    english = services.subject_create(actor=cast.admin, school=cast.school, name="Английский язык")
    group = Subgroup.objects.create(school_class=cast.class_a, name="1 группа")
    group.pupils.add(cast.pupil)
    english_1 = services.assignment_create(
        actor=cast.admin, school_class=cast.class_a, subject=english, subgroup=group, teacher=cast.other_teacher,
        hours_per_week=Decimal(2),
    )  # fmt: skip
    SubjectExemption.objects.create(
        pupil=second, subject=cast.math_a.subject, year=cast.year, reason="справка", created_by=cast.admin
    )
    mark(cast, lesson(cast.math_a, day=dt.date(2026, 11, 10)), cast.pupil)

    rows = {row.assignment.pk: row.pupils for row in class_missing_marks(cast.class_a, TODAY).subjects}

    assert rows == {english_1.pk: ["Pupil Иван"]}


def test_class_missing_marks_clean_case_and_query_count(cast, django_assert_num_queries):
    held = lesson(cast.math_a, day=dt.date(2026, 11, 10))
    mark(cast, held, cast.pupil)
    # the period, the subjects, the class list, the exemptions, the lessons held, the marks (no subgroups)
    with django_assert_num_queries(6):
        result = class_missing_marks(cast.class_a, TODAY)
    assert result.subjects == []
    for n in range(5):
        subject = services.subject_create(actor=cast.admin, school=cast.school, name=f"Предмет {n}")
        services.assignment_create(
            actor=cast.admin, school_class=cast.class_a, subject=subject, teacher=cast.teacher,
            hours_per_week=Decimal(1),
        )  # fmt: skip
        pupil(cast, f"pupil{n}", cast.class_a)
    with django_assert_num_queries(6):
        assert len(class_missing_marks(cast.class_a, TODAY).subjects) == 6


def test_class_missing_marks_before_the_year(cast):
    assert class_missing_marks(cast.class_a, dt.date(2026, 8, 20)) is None


# The deputy: today's lessons without a topic, open correction windows --------------------------------------------


def test_todays_unrecorded_lessons_per_teacher(cast):
    bells(cast.year)
    ended = lesson(cast.math_a, number=1)
    lesson(cast.math_a, number=2)  # its bell has not rung yet
    lesson(cast.math_a, number=3)  # no bell for it: when it ends is unknown
    lesson(cast.physics_b, number=1, topic="Сила тока")  # recorded
    lesson(cast.math_a, day=TODAY - dt.timedelta(days=1))  # yesterday's
    replaced = lesson(cast.russian_b, number=1)
    substitute(cast, replaced, cast.director)

    rows = todays_unrecorded_lessons(cast.school, TODAY, dt.time(10, 0))

    assert [(row.teacher, pks(row.lessons)) for row in rows] == [
        (cast.director, [replaced.pk]),
        (cast.teacher, [ended.pk]),
    ]
    assert rows[0].lessons[0].substitute_for == cast.classteacher
    assert rows[1].lessons[0].bell.number == 1
    assert todays_unrecorded_lessons(cast.school, TODAY, dt.time(9, 0)) == []


def test_todays_unrecorded_lessons_of_another_school_stay_out(cast):
    bells(cast.year)
    lesson(cast.math_a, number=1)
    foreign = build_foreign_school(cast)
    foreign_assignment = TeachingAssignment.objects.get(teacher=foreign.teacher)
    bells(foreign_assignment.year)
    theirs = lesson(foreign_assignment, number=1)

    rows = todays_unrecorded_lessons(cast.school, TODAY, dt.time(12, 0))
    assert [row.teacher for row in rows] == [cast.teacher]
    assert [
        (row.teacher, pks(row.lessons))
        for row in todays_unrecorded_lessons(foreign.admin.school, TODAY, dt.time(12, 0))
    ] == [(foreign.teacher, [theirs.pk])]


def test_open_edit_windows(cast):
    old = lesson(cast.math_a, day=dt.date(2026, 10, 1))
    open_one = EditWindow.objects.create(
        assignment=cast.math_a, lesson=old, reason="болезнь учителя", valid_until=AT + dt.timedelta(days=2),
        opened_by=cast.deputy,
    )  # fmt: skip
    whole = EditWindow.objects.create(
        assignment=cast.physics_b, reason="перенос", valid_until=AT + dt.timedelta(hours=1), opened_by=cast.deputy
    )
    EditWindow.objects.create(
        assignment=cast.russian_b, reason="закрыто", valid_until=AT - dt.timedelta(minutes=1), opened_by=cast.deputy
    )
    foreign = build_foreign_school(cast)

    assert open_edit_windows(cast.school, AT) == [whole, open_one]  # closing soonest first
    assert open_edit_windows(foreign.admin.school, AT) == []
