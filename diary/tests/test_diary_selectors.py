"""The diary's reads: a pupil's days (enrolment on the date, subgroups, individual homework, marks, attendance,
holidays), marks by subject (average, formula, minimum, forecast, set period marks), the next day's homework,
and the fixed number of queries of the batched selectors.

The clock stands on Friday 18 December 2026 (the 2nd quarter, 02.11–26.12).
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from accounts import services as account_services
from accounts.models import PupilProfile
from accounts.tests.factories import TEST_PASSWORD
from diary.selectors.days import homework_due, next_school_day, pupil_days
from diary.selectors.marks import average_chart, formula, grade_periods, subject_summaries
from journal import services
from journal.models import (
    Enrollment,
    Lesson,
    PeriodMark,
    PeriodMarkKind,
    StudyPeriod,
    WorkType,
)
from journal.services.journal import attendance_set, homework_set, lesson_record_set, mark_set
from journal.services.substitution import substitution_record
from journal.services.timetable import bells_set
from journal.services.work_types import work_types_ensure

MSK = ZoneInfo("Europe/Moscow")
TODAY = dt.date(2026, 12, 18)
MONDAY, SUNDAY = dt.date(2026, 12, 14), dt.date(2026, 12, 20)
Q2 = (dt.date(2026, 11, 2), dt.date(2026, 12, 26))


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 18, 10, 0, tzinfo=MSK), tick=False):
        yield


def lesson(assignment, day: dt.date, number: int = 1, **extra) -> Lesson:
    return Lesson.objects.create(assignment=assignment, date=day, number=number, **extra)


def kind(cast, name: str) -> WorkType:
    work_types_ensure(cast.school)
    return WorkType.objects.get(school=cast.school, name=name)


def extra_pupil(cast, username: str, school_class=None) -> PupilProfile:
    profile = account_services.pupil_create(
        actor=cast.admin,
        school=cast.school,
        username=username,
        last_name=username.capitalize(),
        first_name="Пётр",
        password=TEST_PASSWORD,
    )
    services.enrollment_create(
        actor=cast.admin, pupil=profile, school_class=school_class or cast.class_a, date_from=cast.year.start_date
    )
    return profile


def days_of(cast, pupil=None, start=MONDAY, end=SUNDAY):
    pupil = pupil or cast.pupil
    return pupil_days([pupil], start, end, today=TODAY)[pupil.pk]


def day(days, date):
    return next(d for d in days if d.date == date)


# The days ------------------------------------------------------------------------------------------------------


def test_week_has_weekdays_and_today(cast):
    days = days_of(cast)
    assert [d.date.weekday() for d in days] == [0, 1, 2, 3, 4]  # 5-day week: no Saturday, no Sunday
    assert [d.is_today for d in days] == [False, False, False, False, True]


def test_saturday_with_a_six_day_week_or_with_lessons(cast):
    lesson(cast.math_a, dt.date(2026, 12, 19))
    assert days_of(cast)[-1].date == dt.date(2026, 12, 19)  # a lesson on Saturday shows the day
    assert [d.date.weekday() for d in days_of(cast, cast.other_pupil)] == [0, 1, 2, 3, 4]


def test_lessons_with_topic_bells_marks_attendance_homework(cast):
    bells_set(
        actor=cast.admin,
        year=cast.year,
        bells=[(1, dt.time(8, 30), dt.time(9, 15)), (2, dt.time(9, 25), dt.time(10, 10))],
    )
    first = lesson(cast.math_a, dt.date(2026, 12, 16), 2, topic="Дроби")
    test = kind(cast, "контрольная работа")
    mark_set(actor=cast.teacher, lesson=first, pupil=cast.pupil, value="5", work_type=test)
    mark_set(actor=cast.teacher, lesson=first, pupil=cast.pupil, value="4", position=2)
    homework_set(actor=cast.teacher, lesson=first, text="№ 5")
    second = lesson(cast.math_a, dt.date(2026, 12, 17), 1)
    attendance_set(actor=cast.teacher, lesson=second, pupil=cast.pupil, code="б")

    wednesday = day(days_of(cast), dt.date(2026, 12, 16))
    (row,) = wednesday.lessons
    assert (row.number, row.time, row.subject, row.topic) == (2, "9:25–10:10", "Математика", "Дроби")
    assert row.assignment_id == cast.math_a.pk and row.lesson_id == first.pk
    # Given here, due at the next lesson of the subject (Thursday): «задано» here, «к уроку» there.
    assert row.homework == [] and [(h.label, h.due_on) for h in row.homework_given] == [("№ 5", dt.date(2026, 12, 17))]
    assert [(m.value, m.position, m.work_type_short) for m in row.marks] == [("5", 1, test.short_name), ("4", 2, "уст")]
    assert row.marks[0].weight == test.weight and row.marks[0].work_type == "контрольная работа"
    (absent,) = day(days_of(cast), dt.date(2026, 12, 17)).lessons
    assert (absent.attendance, absent.attendance_label, absent.time) == ("б", "по болезни", "8:30–9:15")
    assert [(h.label, h.given_on) for h in absent.homework] == [("№ 5", dt.date(2026, 12, 16))]


def test_control_work_and_substitute(cast):
    control = lesson(cast.math_a, dt.date(2026, 12, 15))
    lesson_record_set(actor=cast.teacher, lesson=control, is_control=True)
    replaced = lesson(cast.math_a, dt.date(2026, 12, 16))
    substitution_record(actor=cast.deputy, lesson=replaced, substitute=cast.other_teacher)
    days = days_of(cast)
    assert day(days, dt.date(2026, 12, 15)).lessons[0].is_control
    row = day(days, dt.date(2026, 12, 16)).lessons[0]
    assert not row.is_control and row.substitute == cast.other_teacher.short_name


def test_only_the_pupils_own_marks_and_individual_homework(cast):
    classmate = extra_pupil(cast, "classmate")
    given = lesson(cast.math_a, dt.date(2026, 12, 16))
    mark_set(actor=cast.teacher, lesson=given, pupil=classmate, value="2")
    homework_set(actor=cast.teacher, lesson=given, text="Для всех")
    homework_set(actor=cast.teacher, lesson=given, text="Только Петру", pupils=[classmate])
    both = pupil_days([cast.pupil, classmate], MONDAY, SUNDAY, today=TODAY)
    mine = day(both[cast.pupil.pk], given.date).lessons[0]
    theirs = day(both[classmate.pk], given.date).lessons[0]
    assert mine.marks == [] and [h.label for h in mine.homework_given] == ["Для всех"]
    assert [m.value for m in theirs.marks] == ["2"]
    assert [h.label for h in theirs.homework_given] == ["Для всех", "Индивидуально: Только Петру"]


def test_subgroup_lessons_only_for_members(cast):
    classmate = extra_pupil(cast, "classmate")
    group = services.subgroup_create(actor=cast.admin, school_class=cast.class_a, name="1 группа", pupils=[classmate])
    english = services.subject_create(actor=cast.admin, school=cast.school, name="Английский язык")
    english_1 = services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_a,
        subject=english,
        teacher=cast.teacher,
        subgroup=group,
        hours_per_week=Decimal(3),
    )
    lesson(english_1, dt.date(2026, 12, 16), 3)
    both = pupil_days([cast.pupil, classmate], MONDAY, SUNDAY, today=TODAY)
    assert day(both[cast.pupil.pk], dt.date(2026, 12, 16)).lessons == []
    assert [lesson.subject for lesson in day(both[classmate.pk], dt.date(2026, 12, 16)).lessons] == ["Английский язык"]


def test_lessons_only_while_enrolled(cast):
    Enrollment.objects.filter(pupil=cast.pupil).update(date_to=dt.date(2026, 12, 15))
    services.enrollment_create(
        actor=cast.admin, pupil=cast.pupil, school_class=cast.class_b, date_from=dt.date(2026, 12, 16)
    )
    lesson(cast.math_a, dt.date(2026, 12, 15))  # 7 «А», still there
    lesson(cast.math_a, dt.date(2026, 12, 16))  # 7 «А», gone by then
    lesson(cast.physics_b, dt.date(2026, 12, 15))  # 8 «Б», not yet there
    lesson(cast.physics_b, dt.date(2026, 12, 17))  # 8 «Б», arrived
    days = days_of(cast)
    subjects = {d.date: [lesson.subject for lesson in d.lessons] for d in days}
    assert subjects[dt.date(2026, 12, 15)] == ["Математика"]
    assert subjects[dt.date(2026, 12, 16)] == []
    assert subjects[dt.date(2026, 12, 17)] == ["Физика"]


def test_holidays_and_vacations_are_noted(cast):
    services.vacation_add(
        actor=cast.admin,
        year=cast.year,
        name="Зимние каникулы",
        start_date=dt.date(2026, 12, 28),
        end_date=dt.date(2027, 1, 11),
    )
    holiday = day(days_of(cast, start=dt.date(2026, 11, 2), end=dt.date(2026, 11, 8)), dt.date(2026, 11, 4))
    assert "Народного единства" in holiday.note or "народного единства" in holiday.note
    winter = days_of(cast, start=dt.date(2026, 12, 28), end=dt.date(2027, 1, 3))
    assert {d.note for d in winter} == {"Зимние каникулы"}


def test_days_queries_do_not_grow_with_pupils_lessons_or_marks(cast, django_assert_num_queries):
    classmates = [extra_pupil(cast, f"classmate{i}") for i in range(3)]
    pupils = [cast.pupil, *classmates]
    # enrollments (with class and grade settings) + subgroups, lessons (with subject, КТП topic, kind of work,
    # teacher, bells), homework (with its pupils), marks+attendance, calendar days+vacations
    with django_assert_num_queries(5):
        pupil_days(pupils, MONDAY, SUNDAY, today=TODAY)
    for number, date in enumerate([dt.date(2026, 12, 14), dt.date(2026, 12, 15), dt.date(2026, 12, 16)], start=1):
        given = lesson(cast.math_a, date, number)
        homework_set(actor=cast.teacher, lesson=given, text=f"№ {number}", pupils=classmates[:2])
        for pupil in pupils:
            mark_set(actor=cast.teacher, lesson=given, pupil=pupil, value="4")
            mark_set(actor=cast.teacher, lesson=given, pupil=pupil, value="5", position=2)
    with django_assert_num_queries(5):
        result = pupil_days(pupils, MONDAY, SUNDAY, today=TODAY)
    assert sum(len(lesson.marks) for d in result[cast.pupil.pk] for lesson in d.lessons) == 6


def test_no_pupils_no_queries(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        assert pupil_days([], MONDAY, SUNDAY, today=TODAY) == {}


# Homework on the day it is due --------------------------------------------------------------------------------


def texts(items) -> list[str]:
    return [item.label for item in items]


def test_homework_is_shown_on_the_next_lesson_of_the_subject_even_from_an_earlier_week(cast):
    """Given on Friday 11.12, due at Monday's lesson: the week of 14.12 shows it on Monday «к уроку»."""
    friday = lesson(cast.math_a, dt.date(2026, 12, 11))
    homework_set(actor=cast.teacher, lesson=friday, text="№ 100")
    monday = lesson(cast.math_a, dt.date(2026, 12, 14), 3)
    lesson(cast.math_a, dt.date(2026, 12, 14), 4)  # a double lesson: the first of the day carries it
    lesson(cast.math_a, dt.date(2026, 12, 16))
    days = days_of(cast)
    first, second = day(days, MONDAY).lessons
    assert first.lesson_id == monday.pk and texts(first.homework) == ["№ 100"] and second.homework == []
    (item,) = first.homework
    assert (item.given_on, item.due_on, item.due_set) == (dt.date(2026, 12, 11), MONDAY, False)
    assert day(days, dt.date(2026, 12, 16)).lessons[0].homework == []
    # The week it was given shows «задано» at Friday's lesson, for Monday.
    (given,) = day(days_of(cast, start=dt.date(2026, 12, 7), end=dt.date(2026, 12, 13)), friday.date).lessons
    assert texts(given.homework_given) == ["№ 100"] and given.homework_given[0].due_on == MONDAY


def test_homework_with_a_date_set_is_shown_on_that_day_not_at_the_next_lesson(cast):
    given = lesson(cast.math_a, MONDAY)
    homework_set(actor=cast.teacher, lesson=given, text="Проект", due_date=dt.date(2026, 12, 17))
    lesson(cast.math_a, dt.date(2026, 12, 15))
    thursday = lesson(cast.math_a, dt.date(2026, 12, 17), 2)
    days = days_of(cast)
    assert day(days, dt.date(2026, 12, 15)).lessons[0].homework == []
    (row,) = day(days, dt.date(2026, 12, 17)).lessons
    assert row.lesson_id == thursday.pk and texts(row.homework) == ["Проект"] and row.homework[0].due_set
    assert texts(day(days, MONDAY).lessons[0].homework_given) == ["Проект"]


def test_homework_due_on_a_day_without_the_subject_is_shown_under_the_day(cast):
    given = lesson(cast.math_a, MONDAY)
    homework_set(actor=cast.teacher, lesson=given, text="Доклад", due_date=dt.date(2026, 12, 16))
    lesson(cast.physics_b, dt.date(2026, 12, 16))  # another class's lesson that day
    days = days_of(cast)
    assert texts(day(days, dt.date(2026, 12, 16)).homework) == ["Доклад"]
    assert day(days_of(cast, cast.other_pupil), dt.date(2026, 12, 16)).homework == []


def test_a_subgroups_homework_is_due_for_its_members_only(cast):
    member = extra_pupil(cast, "member")
    group = services.subgroup_create(actor=cast.admin, school_class=cast.class_a, name="1 группа", pupils=[member])
    english = services.subject_create(actor=cast.admin, school=cast.school, name="Английский язык")
    english_1 = services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_a,
        subject=english,
        teacher=cast.teacher,
        subgroup=group,
        hours_per_week=Decimal(3),
    )
    homework_set(actor=cast.teacher, lesson=lesson(english_1, MONDAY), text="Words")
    lesson(english_1, dt.date(2026, 12, 15))
    homework_set(actor=cast.teacher, lesson=lesson(english_1, MONDAY, 2), text="Essay", due_date=dt.date(2026, 12, 16))
    both = pupil_days([cast.pupil, member], MONDAY, SUNDAY, today=TODAY)
    assert texts(day(both[member.pk], dt.date(2026, 12, 15)).lessons[0].homework) == ["Words"]
    assert texts(day(both[member.pk], dt.date(2026, 12, 16)).homework) == ["Essay"]
    assert all(not d.homework and not d.lessons for d in both[cast.pupil.pk])


def test_homework_is_due_only_where_the_pupil_is_enrolled_on_the_day(cast):
    """The pupil moves to 8 «Б» on Wednesday: 7 «А»'s homework given on Monday for Wednesday is not theirs to do."""
    given = lesson(cast.math_a, MONDAY)
    homework_set(actor=cast.teacher, lesson=given, text="№ 7")
    homework_set(actor=cast.teacher, lesson=given, text="К среде", due_date=dt.date(2026, 12, 16))
    lesson(cast.math_a, dt.date(2026, 12, 16))
    Enrollment.objects.filter(pupil=cast.pupil).update(date_to=dt.date(2026, 12, 15))
    services.enrollment_create(
        actor=cast.admin, pupil=cast.pupil, school_class=cast.class_b, date_from=dt.date(2026, 12, 16)
    )
    days = days_of(cast)
    assert texts(day(days, MONDAY).lessons[0].homework_given) == ["№ 7", "К среде"]
    assert day(days, dt.date(2026, 12, 16)).lessons == [] and day(days, dt.date(2026, 12, 16)).homework == []


def test_individual_homework_is_due_for_the_chosen_pupil_alone(cast):
    classmate = extra_pupil(cast, "classmate")
    given = lesson(cast.math_a, MONDAY)
    homework_set(actor=cast.teacher, lesson=given, text="Для всех")
    homework_set(actor=cast.teacher, lesson=given, text="Карточка", pupils=[classmate])
    lesson(cast.math_a, dt.date(2026, 12, 15))
    both = pupil_days([cast.pupil, classmate], MONDAY, SUNDAY, today=TODAY)
    assert texts(day(both[cast.pupil.pk], dt.date(2026, 12, 15)).lessons[0].homework) == ["Для всех"]
    assert texts(day(both[classmate.pk], dt.date(2026, 12, 15)).lessons[0].homework) == [
        "Для всех",
        "Индивидуально: Карточка",
    ]


def test_homework_across_the_winter_vacation_and_a_date_set_long_ago(cast):
    services.vacation_add(
        actor=cast.admin,
        year=cast.year,
        name="Зимние каникулы",
        start_date=dt.date(2026, 12, 28),
        end_date=dt.date(2027, 1, 11),
    )
    before = lesson(cast.math_a, dt.date(2026, 12, 23))
    homework_set(actor=cast.teacher, lesson=before, text="Повторить всё")
    september = lesson(cast.math_a, dt.date(2026, 9, 7))
    homework_set(actor=cast.teacher, lesson=september, text="Годовой проект", due_date=dt.date(2027, 1, 14))
    lesson(cast.math_a, dt.date(2027, 1, 12))
    lesson(cast.math_a, dt.date(2027, 1, 14))
    days = days_of(cast, start=dt.date(2027, 1, 11), end=dt.date(2027, 1, 17))
    assert texts(day(days, dt.date(2027, 1, 12)).lessons[0].homework) == ["Повторить всё"]
    assert texts(day(days, dt.date(2027, 1, 14)).lessons[0].homework) == ["Годовой проект"]


def test_homework_due_after_a_gap_of_months_and_only_from_the_last_lesson_before_it(cast):
    """A subject with no lesson for three months (a term-long break): the homework of its last lesson before the
    break is due at the next one, however long the gap; that of an earlier lesson was due at the lesson after it
    (the last one), and homework of the last lesson day not yet due within the dates is left out."""
    earlier = lesson(cast.math_a, dt.date(2026, 9, 8))
    homework_set(actor=cast.teacher, lesson=earlier, text="Было к 10.09")
    last = lesson(cast.math_a, dt.date(2026, 9, 10))
    homework_set(actor=cast.teacher, lesson=last, text="После перерыва")
    lesson(cast.math_a, dt.date(2026, 12, 17))
    days = days_of(cast, start=MONDAY, end=SUNDAY)
    assert texts(day(days, dt.date(2026, 12, 17)).lessons[0].homework) == ["После перерыва"]
    assert [h.text for d in days for h in d.homework] == []
    # The week before the lesson it is due at: not due yet, not shown.
    before = days_of(cast, start=MONDAY - dt.timedelta(days=7), end=SUNDAY - dt.timedelta(days=7))
    assert [h.text for d in before for lesson_ in d.lessons for h in lesson_.homework + lesson_.homework_given] == []
    assert [h.text for d in before for h in d.homework] == []


def test_homework_due_for_the_next_school_day(cast):
    friday = lesson(cast.math_a, dt.date(2026, 12, 18))
    homework_set(actor=cast.teacher, lesson=friday, text="№ 100")
    lesson(cast.math_a, dt.date(2026, 12, 21))
    lesson(cast.physics_b, dt.date(2026, 12, 21))  # another class
    days = days_of(cast, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 25))
    monday = next_school_day(days, TODAY)
    assert monday.date == dt.date(2026, 12, 21)
    (due,) = homework_due(days, monday.date)
    assert (due.subject, due.given_on, due.texts) == ("Математика", TODAY, ["№ 100"])


def test_no_homework_due_when_the_previous_lesson_gave_none(cast):
    older = lesson(cast.math_a, dt.date(2026, 12, 16))
    homework_set(actor=cast.teacher, lesson=older, text="старое задание")
    lesson(cast.math_a, dt.date(2026, 12, 18))  # the previous lesson: no homework given
    lesson(cast.math_a, dt.date(2026, 12, 21))
    days = days_of(cast, start=dt.date(2026, 12, 1), end=dt.date(2026, 12, 25))
    assert homework_due(days, dt.date(2026, 12, 21)) == []


# Marks by subject -----------------------------------------------------------------------------------------------


def marked(cast, values_and_kinds, start_day: dt.date):
    for offset, (value, work_type) in enumerate(values_and_kinds):
        given = lesson(cast.math_a, start_day + dt.timedelta(days=offset))
        mark_set(actor=cast.teacher, lesson=given, pupil=cast.pupil, value=value, work_type=work_type)


def test_summary_average_minimum_forecast_and_formula(cast):
    oral, test = kind(cast, "устный ответ"), kind(cast, "контрольная работа")
    marked(cast, [("5", oral), ("4", test), ("3", oral)], start_day=dt.date(2026, 12, 14))
    (summary,) = subject_summaries([cast.pupil], *Q2)[cast.pupil.pk]
    weight = test.weight
    expected = ((5 + 4 * weight + 3) / (2 + weight)).quantize(Decimal("0.01"))
    assert summary.subject == "Математика" and summary.teacher == cast.teacher.short_name
    assert summary.average == expected and summary.count == 3
    assert summary.minimum == 4 and not summary.enough  # 5 hours a week: at least 4 marks
    assert summary.forecast == ("5" if expected >= Decimal("4.5") else "4" if expected >= Decimal("3.5") else "3")
    w = format(weight.normalize(), "f").replace(".", ",")
    assert formula(summary.marks).startswith(f"(5×1 + 4×{w} + 3×1) / (1 + {w} + 1) = ")
    assert formula(summary.marks).endswith(f"{expected:.2f}".replace(".", ","))


def test_formula_of_equal_weights_and_pass_fail_marks_left_out(cast):
    oral = kind(cast, "устный ответ")
    marked(cast, [("5", oral), ("4", oral), ("4", oral), ("3", oral)], start_day=dt.date(2026, 12, 14))
    (summary,) = subject_summaries([cast.pupil], *Q2)[cast.pupil.pk]
    assert formula(summary.marks) == "(5×1 + 4×1 + 4×1 + 3×1) / (1 + 1 + 1 + 1) = 16 / 4 = 4,00"
    assert summary.enough and summary.forecast == "4"
    assert formula([]) == ""


def test_marks_outside_the_dates_are_left_out(cast):
    oral = kind(cast, "устный ответ")
    with time_machine.travel(dt.datetime(2026, 10, 20, 10, 0, tzinfo=MSK), tick=False):
        marked(cast, [("2", oral)], start_day=dt.date(2026, 10, 19))  # the 1st quarter
    marked(cast, [("5", oral)], start_day=dt.date(2026, 12, 14))
    (summary,) = subject_summaries([cast.pupil], *Q2)[cast.pupil.pk]
    assert [m.value for m in summary.marks] == ["5"] and summary.average == Decimal("5.00")


def test_set_period_marks_shown_proposed_ones_not(cast):
    q1, q2 = StudyPeriod.objects.filter(year=cast.year).order_by("number")[:2]
    common = {"assignment": cast.math_a, "pupil": cast.pupil, "updated_by": cast.teacher}
    PeriodMark.objects.create(kind=PeriodMarkKind.PERIOD, period=q1, value="4", proposed_value="4", **common)
    PeriodMark.objects.create(kind=PeriodMarkKind.PERIOD, period=q2, value="", proposed_value="5", **common)
    PeriodMark.objects.create(kind=PeriodMarkKind.YEAR, value="5", **common)
    (summary,) = subject_summaries([cast.pupil], *Q2)[cast.pupil.pk]
    assert [(m.label, m.value) for m in summary.period_marks] == [("1 четверть", "4"), ("Год", "5")]
    assert summary.period_mark(q1.pk) == "4" and summary.period_mark(q2.pk) == ""


def test_subjects_of_the_pupils_class_and_subgroups(cast):
    classmate = extra_pupil(cast, "classmate")
    group = services.subgroup_create(actor=cast.admin, school_class=cast.class_a, name="1 группа", pupils=[classmate])
    it = services.subject_create(actor=cast.admin, school=cast.school, name="Информатика")
    services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_a,
        subject=it,
        teacher=cast.teacher,
        subgroup=group,
        hours_per_week=Decimal(1),
    )
    result = subject_summaries([cast.pupil, classmate, cast.other_pupil], *Q2)
    assert [s.subject for s in result[cast.pupil.pk]] == ["Математика"]
    assert [s.subject for s in result[classmate.pk]] == ["Информатика", "Математика"]
    assert result[classmate.pk][0].subgroup == "1 группа" and result[classmate.pk][0].minimum == 3
    assert [s.subject for s in result[cast.other_pupil.pk]] == ["Русский язык", "Физика"]


def test_summaries_queries_do_not_grow_with_marks(cast, django_assert_num_queries):
    # enrollments (with class and grade settings) + subgroups, assignments (with subject, teacher, subgroup), marks
    # (with lesson and kind of work), period marks
    with django_assert_num_queries(4):
        subject_summaries([cast.pupil, cast.other_pupil], *Q2)
    marked(cast, [("5", None), ("4", None), ("3", None), ("5", None), ("4", None)], start_day=dt.date(2026, 12, 7))
    with django_assert_num_queries(4):
        result = subject_summaries([cast.pupil, cast.other_pupil], *Q2)
    assert result[cast.pupil.pk][0].count == 5


def test_grade_periods_and_chart(cast):
    periods = grade_periods(cast.year.pk, 7)
    assert [p.number for p in periods] == [1, 2, 3, 4]
    oral = kind(cast, "устный ответ")
    marked(cast, [("5", oral), ("3", oral)], start_day=dt.date(2026, 12, 14))
    (summary,) = subject_summaries([cast.pupil], *Q2)[cast.pupil.pk]
    chart = average_chart(summary.marks, *Q2)
    assert [p.average for p in chart.points] == [Decimal("5.00"), Decimal("4.00")]
    assert chart.points[0].y < chart.points[1].y  # a higher average is drawn higher
    assert len(chart.polyline.split()) == 2
    assert average_chart([], *Q2) is None
