"""The diary pages for each role: the pupil's own, the parent's children (with the switcher), the class teacher
and the management; every other family, teacher and school gets 404 on every diary URL; wrong methods; the week's
pinned query count and size; marks, a subject, what's new, the timetable, and the family home page.

The clock stands on Friday 18 December 2026 (the 2nd quarter, 02.11–26.12).
"""

import datetime as dt
import gzip
import re
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from accounts import services as account_services
from accounts.choices import ParentKind
from accounts.tests.factories import TEST_PASSWORD
from diary.services.events import event_cancel, event_create
from journal import services
from journal.models import Enrollment, Lesson, PeriodMark, PeriodMarkKind, StudyPeriod, WorkType
from journal.services.journal import attendance_set, homework_set, lesson_record_set, mark_set
from journal.services.timetable import bells_set, room_create, timetable_entry_add
from journal.services.work_types import work_types_ensure

MSK = ZoneInfo("Europe/Moscow")
TODAY = dt.date(2026, 12, 18)
PAGES = ["pupil", "week", "marks", "subject", "news", "timetable"]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 18, 10, 0, tzinfo=MSK), tick=False):
        yield


def url(name: str, pupil, assignment=None, query: str = "") -> str:
    args = [pupil.pk] + ([assignment.pk] if name == "subject" else [])
    return reverse(f"diary:{name}", args=args) + (f"?{query}" if query else "")


def page_url(cast, name: str, pupil=None) -> str:
    pupil = pupil or cast.pupil
    return url(name, pupil, cast.math_a if pupil == cast.pupil else cast.physics_b)


def lesson(cast, day: dt.date, number: int = 1, assignment=None) -> Lesson:
    return Lesson.objects.create(assignment=assignment or cast.math_a, date=day, number=number)


def second_child(cast):
    """A second child of the parent, in 8 «Б»."""
    child = account_services.pupil_create(
        actor=cast.admin,
        school=cast.school,
        username="sister",
        last_name="Pupil",
        first_name="Анна",
        password=TEST_PASSWORD,
    )
    services.enrollment_create(actor=cast.admin, pupil=child, school_class=cast.class_b, date_from=cast.year.start_date)
    account_services.parent_link(actor=cast.admin, parent=cast.parent, pupil=child, kind=ParentKind.MOTHER)
    return child


# Who sees what ------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ["pupil_user", "parent_user", "classteacher", "deputy", "director", "admin"])
def test_the_pupil_the_parent_the_class_teacher_and_management_see_every_page(client, cast, name, role):
    client.force_login(getattr(cast, role))
    response = client.get(page_url(cast, name))
    assert response.status_code == 200
    assert cast.pupil.user.full_name in response.content.decode()


@pytest.mark.parametrize("name", PAGES)
@pytest.mark.parametrize("role", ["parent2_user", "teacher", "other_teacher", "foreign_admin"])
def test_everyone_else_gets_404_on_every_page(client, cast, name, role):
    client.force_login(getattr(cast, role))
    assert client.get(page_url(cast, name)).status_code == 404


@pytest.mark.parametrize("name", PAGES)
def test_cross_family_urls_are_404(client, cast, name):
    """The parent and the pupil edit the id in the URL: another family's child gives 404, as does a missing id."""
    for user in (cast.parent_user, cast.pupil_user):
        client.force_login(user)
        assert client.get(page_url(cast, name, cast.other_pupil)).status_code == 404
        assert client.get(url(name, type(cast.pupil)(pk=999999), cast.math_a)).status_code == 404
    client.force_login(cast.parent2_user)
    assert client.get(page_url(cast, name, cast.other_pupil)).status_code == 200


@pytest.mark.parametrize("name", PAGES)
def test_anonymous_goes_to_the_login_page(client, cast, name):
    response = client.get(page_url(cast, name))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


@pytest.mark.parametrize("name", PAGES)
def test_pages_are_read_only(client, cast, name):
    client.force_login(cast.parent_user)
    assert client.post(page_url(cast, name)).status_code == 405
    assert client.delete(page_url(cast, name)).status_code == 405


def test_subject_of_another_class_is_404(client, cast):
    client.force_login(cast.parent_user)
    assert client.get(url("subject", cast.pupil, cast.physics_b)).status_code == 404


def test_home_sends_each_to_a_week(client, cast):
    client.force_login(cast.pupil_user)
    assert client.get(reverse("diary:home")).url == url("week", cast.pupil)
    client.force_login(cast.parent2_user)
    assert client.get(reverse("diary:home")).url == url("week", cast.other_pupil)
    client.force_login(cast.teacher)
    assert client.get(reverse("diary:home")).status_code == 404


def test_switcher_keeps_the_page_kind_and_its_query(client, cast):
    sister = second_child(cast)
    client.force_login(cast.parent_user)
    page = client.get(url("week", cast.pupil, query="date=2026-12-01")).content.decode()
    assert f'href="{url("week", sister)}?date=2026-11-30"' in page
    q1 = StudyPeriod.objects.get(year=cast.year, number=1)
    page = client.get(url("marks", cast.pupil, query=f"period={q1.pk}")).content.decode()
    assert f'href="{url("marks", sister)}?period={q1.pk}"' in page
    page = client.get(url("subject", cast.pupil, cast.math_a)).content.decode()
    assert f'href="{url("marks", sister)}"' in page  # another child has other subjects: their marks
    page = client.get(url("timetable", sister)).content.decode()
    assert f'href="{url("timetable", cast.pupil)}"' in page and 'aria-current="page">Анна<' in page
    client.force_login(cast.pupil_user)
    assert "dy-kids" not in client.get(url("week", cast.pupil)).content.decode()


# The week -----------------------------------------------------------------------------------------------------------


def test_week_shows_lessons_marks_absences_homework_and_today(client, cast):
    work_types_ensure(cast.school)
    bells_set(actor=cast.admin, year=cast.year, bells=[(1, dt.time(8, 30), dt.time(9, 15))])
    monday = lesson(cast, dt.date(2026, 12, 14))
    lesson_record_set(actor=cast.teacher, lesson=monday, topic="Дроби", is_control=True)
    mark_set(
        actor=cast.teacher,
        lesson=monday,
        pupil=cast.pupil,
        value="5",
        work_type=WorkType.objects.get(school=cast.school, name="контрольная работа"),
    )
    homework_set(actor=cast.teacher, lesson=monday, text="№ 12, 14")
    homework_set(actor=cast.teacher, lesson=monday, text="Доклад", pupils=[cast.pupil])
    attendance_set(actor=cast.teacher, lesson=lesson(cast, dt.date(2026, 12, 15)), pupil=cast.pupil, code="у")
    client.force_login(cast.parent_user)
    response = client.get(url("week", cast.pupil))
    page = response.content.decode()
    assert "Дроби" in page and "№ 12, 14" in page and "Индивидуально: Доклад" in page
    assert 'class="mk m5" title="контрольная работа"' in page and "8:30–9:15" in page
    assert "по уважительной причине" in page and "dy-ctrl" in page
    assert page.count("dy-today") == 1 and "Пятница, 18 декабря" in page
    assert "?date=2026-12-07" in page and "?date=2026-12-21" in page
    assert url("subject", cast.pupil, cast.math_a) in page


def test_week_shows_homework_on_the_day_it_is_due_and_given_on_the_day_given(client, cast):
    """Given on Friday 11.12 for the next lesson (Monday 14.12) and on Monday for Thursday (a date set): parents
    find each on the day it is due, «к уроку»; the day it was given keeps a short «Задано» line."""
    homework_set(actor=cast.teacher, lesson=lesson(cast, dt.date(2026, 12, 11)), text="№ 12, 14")
    monday = lesson(cast, dt.date(2026, 12, 14))
    homework_set(actor=cast.teacher, lesson=monday, text="Проект", due_date=dt.date(2026, 12, 17))
    lesson(cast, dt.date(2026, 12, 15))
    lesson(cast, dt.date(2026, 12, 17))
    client.force_login(cast.parent_user)
    page = client.get(url("week", cast.pupil)).content.decode()
    days = {name: page[page.index(name) :] for name in ("Понедельник, 14", "Вторник, 15", "Четверг, 17")}
    monday_html = days["Понедельник, 14"][: days["Понедельник, 14"].index("Вторник, 15")]
    tuesday_html = days["Вторник, 15"][: days["Вторник, 15"].index("Среда, 16")]
    thursday_html = days["Четверг, 17"][: days["Четверг, 17"].index("Пятница, 18")]
    assert "<b>Д/з к уроку:</b> № 12, 14" in monday_html and "(задано пт 11.12)" in monday_html
    assert "<b>Задано</b> к чт 17.12: Проект" in monday_html
    assert "Проект" not in tuesday_html and "Д/з к уроку" not in tuesday_html
    assert "<b>Д/з к уроку:</b> Проект" in thursday_html and "(задано пн 14.12)" in thursday_html
    previous = client.get(url("week", cast.pupil, query="date=2026-12-11")).content.decode()
    assert "<b>Задано</b> к пн 14.12: № 12, 14" in previous


def test_week_shows_the_days_events_of_the_school_and_the_class(client, cast):
    event_create(
        actor=cast.deputy,
        school_class=None,
        title="Новогодний концерт",
        starts_on=dt.date(2026, 12, 16),
        starts_at=dt.time(15, 0),
        place="Актовый зал",
    )
    trip = event_create(
        actor=cast.classteacher, school_class=cast.class_a, title="Экскурсия в музей", starts_on=dt.date(2026, 12, 17)
    )
    event_cancel(actor=cast.classteacher, event=trip)
    event_create(actor=cast.deputy, school_class=cast.class_b, title="Собрание 8 «Б»", starts_on=dt.date(2026, 12, 16))
    client.force_login(cast.parent_user)
    page = client.get(url("week", cast.pupil)).content.decode()
    wednesday = page[page.index("Среда, 16 декабря") : page.index("Четверг, 17 декабря")]
    assert "Новогодний концерт" in wednesday and "15:00 · Актовый зал" in wednesday
    assert "Экскурсия в музей" in page and "(отменено)" in page
    assert "Собрание 8 «Б»" not in page  # another class's event


@pytest.mark.parametrize("value", ["", "garbage", "2026-13-45", "0001-01-01", "9999-12-31"])
def test_week_with_a_malformed_or_extreme_date_shows_this_week(client, cast, value):
    client.force_login(cast.pupil_user)
    response = client.get(url("week", cast.pupil, query=f"date={value}"))
    assert response.status_code == 200
    assert "14 декабря – 20 декабря 2026" in response.content.decode()


def test_another_week_and_back(client, cast):
    client.force_login(cast.pupil_user)
    page = client.get(url("week", cast.pupil, query="date=2026-11-04")).content.decode()
    assert "2 ноября – 8 ноября 2026" in page and "к текущей неделе" in page
    assert "dy-today" not in page


def full_week(cast, pupils: int = 0, marks_per_lesson: int = 1):
    """Six lessons a day Monday to Friday with topic, homework, marks and an absence."""
    work_types_ensure(cast.school)
    classmates = []
    for i in range(pupils):
        classmate = account_services.pupil_create(
            actor=cast.admin,
            school=cast.school,
            username=f"mate{i}",
            last_name="Mate",
            first_name="Иван",
            password=TEST_PASSWORD,
        )
        services.enrollment_create(
            actor=cast.admin, pupil=classmate, school_class=cast.class_a, date_from=cast.year.start_date
        )
        classmates.append(classmate)
    for offset in range(5):
        for number in range(1, 7):
            day = dt.date(2026, 12, 14) + dt.timedelta(days=offset)
            given = lesson(cast, day, number)
            lesson_record_set(actor=cast.teacher, lesson=given, topic=f"Тема урока {number}: довольно длинное название")
            homework_set(actor=cast.teacher, lesson=given, text=f"§ {number}, упражнения 1–5 на странице {number * 7}")
            for pupil in [cast.pupil, *classmates]:
                for position in range(1, marks_per_lesson + 1):
                    mark_set(actor=cast.teacher, lesson=given, pupil=pupil, value="4", position=position)


# Query counts are exact, with the queries named: when the number moves, the comment says which query came or went.
# A diary page for a parent starts with the session, the user with their school (one query), the pupil (visibility),
# the parent's children (the switcher) and the pupil's class (the header), and ends with the menu's unread count.
# pupil_days reads 5: enrollments+subgroups, lessons (with bells), homework, marks+attendance, calendar days+vacations.


def test_week_query_count_is_pinned_and_does_not_grow(client, cast, django_assert_num_queries):
    client.force_login(cast.parent_user)
    # session, user+school, pupil, children, class, pupil_days (5), the week's events, menu: unread
    with django_assert_num_queries(12) as empty:
        client.get(url("week", cast.pupil))
    full_week(cast, pupils=3, marks_per_lesson=2)
    with django_assert_num_queries(12) as full:
        response = client.get(url("week", cast.pupil))
    assert response.content.decode().count('class="mk m4"') == 60
    assert len(full.captured_queries) == len(empty.captured_queries)


def test_week_html_is_small(client, cast):
    full_week(cast, marks_per_lesson=2)
    client.force_login(cast.parent_user)
    body = client.get(url("week", cast.pupil)).content
    assert len(body) < 60_000 and len(gzip.compress(body)) < 10_000


# Marks and a subject ------------------------------------------------------------------------------------------------


def marks_in_q2(cast):
    work_types_ensure(cast.school)
    test = WorkType.objects.get(school=cast.school, name="контрольная работа")
    for offset, (value, work_type) in enumerate([("5", None), ("4", test), ("3", None)]):
        given = lesson(cast, dt.date(2026, 12, 14) + dt.timedelta(days=offset))
        mark_set(actor=cast.teacher, lesson=given, pupil=cast.pupil, value=value, work_type=work_type)
    return test


def test_marks_page_shows_average_count_minimum_and_forecast(client, cast):
    test = marks_in_q2(cast)
    average = ((5 + 4 * test.weight + 3) / (2 + test.weight)).quantize(Decimal("0.01"))
    client.force_login(cast.parent_user)
    page = client.get(url("marks", cast.pupil)).content.decode()
    assert "2 четверть: 02.11.2026–26.12.2026" in page
    assert f"{average:.2f}".replace(".", ",") in page
    assert "отметок: 3 (нужно не меньше 4)" in page and "пока мало для итоговой" in page
    assert "прогноз" in page and "14.12" in page


def test_marks_page_other_period_whole_year_and_bad_period(client, cast):
    marks_in_q2(cast)
    client.force_login(cast.parent_user)
    q1 = StudyPeriod.objects.get(year=cast.year, number=1)
    page = client.get(url("marks", cast.pupil, query=f"period={q1.pk}")).content.decode()
    assert "1 четверть: 01.09.2026–23.10.2026" in page and "Отметок пока нет" in page
    page = client.get(url("marks", cast.pupil, query="period=year")).content.decode()
    assert "01.09.2026–26.05.2027" in page and "14.12" in page
    for bad in ("abc", "999999", "-1"):
        assert "2 четверть: 02.11.2026" in client.get(url("marks", cast.pupil, query=f"period={bad}")).content.decode()


def test_set_period_mark_shown_not_a_proposal(client, cast):
    q1, q2 = StudyPeriod.objects.filter(year=cast.year).order_by("number")[:2]
    common = {"assignment": cast.math_a, "pupil": cast.pupil, "updated_by": cast.teacher, "kind": PeriodMarkKind.PERIOD}
    PeriodMark.objects.create(period=q1, value="4", **common)
    PeriodMark.objects.create(period=q2, proposed_value="2", **common)
    client.force_login(cast.parent_user)
    page = client.get(url("marks", cast.pupil)).content.decode()
    assert '1 четверть: <b class="mk m4">4</b>' in page
    assert "2 четверть: <b" not in page and 'class="mk m2"' not in page


def test_subject_page_shows_formula_and_chart(client, cast):
    test = marks_in_q2(cast)
    client.force_login(cast.parent_user)
    page = client.get(url("subject", cast.pupil, cast.math_a)).content.decode()
    weight = format(test.weight.normalize(), "f").replace(".", ",")
    assert f"(5×1 + 4×{weight} + 3×1) / (1 + {weight} + 1)" in page
    assert "<svg" in page and "<polyline" in page and page.count("<circle") == 3
    # SVG numbers are never localized (a Russian decimal comma breaks the drawing).
    assert re.findall(r'<circle cx="[0-9.]+" cy="[0-9.]+"', page) and not re.search(r'c[xy]="[0-9]+,', page)
    assert "контрольная работа" in page and "Все предметы" in page


def test_marks_pages_query_counts_do_not_grow(client, cast, django_assert_num_queries):
    client.force_login(cast.parent_user)
    counts = {}
    for name in ("marks", "subject"):
        # session, user+school, pupil, children, class, the grade's study periods, subject_summaries (enrollments
        # with subgroups, assignments, marks, period marks), menu: unread; a subject's page reads the same, for one
        # subject
        with django_assert_num_queries(11) as before:
            client.get(url(name, cast.pupil, cast.math_a))
        counts[name] = len(before.captured_queries)
    full_week(cast, marks_per_lesson=2)
    for name in ("marks", "subject"):
        with django_assert_num_queries(11) as after:
            client.get(url(name, cast.pupil, cast.math_a))
        assert len(after.captured_queries) == counts[name]


# What's new, the timetable, the profile, the home page -------------------------------------------------------------


def test_news_lists_marks_absences_homework_and_tomorrow(client, cast):
    given = lesson(cast, TODAY)
    mark_set(actor=cast.teacher, lesson=given, pupil=cast.pupil, value="5")
    homework_set(actor=cast.teacher, lesson=given, text="Выучить таблицу")
    attendance_set(actor=cast.teacher, lesson=lesson(cast, TODAY - dt.timedelta(days=1)), pupil=cast.pupil, code="оп")
    lesson(cast, dt.date(2026, 12, 21))
    client.force_login(cast.parent_user)
    page = client.get(url("news", cast.pupil)).content.decode()
    assert 'class="mk m5"' in page and "опоздание" in page
    assert "Задано на понедельник, 21 декабря" in page and page.count("Выучить таблицу") == 2


def test_news_and_home_take_the_next_days_homework_from_its_due_day(client, cast):
    """Monday's homework is what is due on Monday: given on Wednesday with Monday set, not Friday's for Tuesday."""
    wednesday = lesson(cast, dt.date(2026, 12, 16))
    homework_set(actor=cast.teacher, lesson=wednesday, text="Выучить стихотворение", due_date=dt.date(2026, 12, 21))
    friday = lesson(cast, TODAY)
    homework_set(actor=cast.teacher, lesson=friday, text="Задача к вторнику", due_date=dt.date(2026, 12, 22))
    lesson(cast, dt.date(2026, 12, 21))
    lesson(cast, dt.date(2026, 12, 22))
    client.force_login(cast.parent_user)
    page = client.get(url("news", cast.pupil)).content.decode()
    due = page[page.index("Задано на понедельник, 21 декабря") : page.index("Уроки:")]
    assert "Выучить стихотворение" in due and "(задано 16.12)" in due and "Задача к вторнику" not in due
    new_homework = page[page.index("Новые домашние задания") :]
    assert "к 22 декабря (вт)" in new_homework and "к 21 декабря (пн)" in new_homework
    home = client.get(reverse("home")).content.decode()
    tomorrow = home[home.index("Понедельник, 21 декабря") :]
    assert "Выучить стихотворение" in tomorrow and "Задача к вторнику" not in tomorrow
    assert "<b>Задано</b> к вт 22.12: Задача к вторнику" in home  # today's lesson: what was given


def test_news_lists_only_the_homework_and_marks_meant_for_the_pupil(client, cast):
    """«Что нового» reads in plain SQL, cut in the database: the class's homework and the pupil's own, not another
    pupil's, not a subgroup's the pupil is not in; a mark put and taken back since says nothing."""
    classmate = account_services.pupil_create(
        actor=cast.admin, school=cast.school, username="classmate", last_name="Classmate", first_name="Пётр"
    )
    services.enrollment_create(
        actor=cast.admin, pupil=classmate, school_class=cast.class_a, date_from=cast.year.start_date
    )
    group = services.subgroup_create(actor=cast.admin, school_class=cast.class_a, name="2 группа", pupils=[classmate])
    group_math = services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_a,
        subject=cast.math_a.subject,
        teacher=cast.teacher,
        hours_per_week=Decimal(1),
        subgroup=group,
    )
    given = lesson(cast, TODAY)
    homework_set(actor=cast.teacher, lesson=given, text="Для всего класса")
    homework_set(actor=cast.teacher, lesson=lesson(cast, TODAY, 2), text="Только мне", pupils=[cast.pupil])
    homework_set(actor=cast.teacher, lesson=lesson(cast, TODAY, 3), text="Только соседу", pupils=[classmate])
    homework_set(actor=cast.teacher, lesson=lesson(cast, TODAY, 4, group_math), text="Для второй группы")
    mark_set(actor=cast.teacher, lesson=given, pupil=cast.pupil, value="5")
    mark_set(actor=cast.teacher, lesson=given, pupil=cast.pupil, value="")  # put and taken back
    client.force_login(cast.parent_user)
    page = client.get(url("news", cast.pupil)).content.decode()
    new_homework = page[page.index("Новые домашние задания") :]
    assert "Для всего класса" in new_homework and "Только мне" in new_homework
    assert "Только соседу" not in page and "Для второй группы" not in page
    assert new_homework.count('<span class="badge text-bg-info">индивидуально</span>') == 1
    assert "Отметки</h2>" not in page and "отметка снята" not in page


def test_news_of_a_quiet_week(client, cast):
    client.force_login(cast.pupil_user)
    page = client.get(url("news", cast.pupil)).content.decode()
    assert "Нового нет." in page


def test_timetable_shows_the_class_and_own_subgroups_with_bells_and_rooms(client, cast):
    bells_set(
        actor=cast.admin,
        year=cast.year,
        bells=[(1, dt.time(8, 30), dt.time(9, 15)), (2, dt.time(9, 25), dt.time(10, 10))],
    )
    room = room_create(actor=cast.admin, school=cast.school, name="204")
    timetable_entry_add(actor=cast.admin, assignment=cast.math_a, weekday=0, number=1, room=room)
    group = services.subgroup_create(actor=cast.admin, school_class=cast.class_a, name="2 группа", pupils=[])
    english = services.subject_create(actor=cast.admin, school=cast.school, name="Английский язык")
    english_2 = services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_a,
        subject=english,
        teacher=cast.other_teacher,
        subgroup=group,
        hours_per_week=Decimal(3),
    )
    timetable_entry_add(actor=cast.admin, assignment=english_2, weekday=1, number=2)
    client.force_login(cast.pupil_user)
    page = client.get(url("timetable", cast.pupil)).content.decode()
    assert "Понедельник" in page and "Математика" in page and "каб. 204" in page and "8:30–9:15" in page
    assert "Английский язык" not in page  # not in that subgroup
    group.pupils.add(cast.pupil)
    assert "Английский язык" in client.get(url("timetable", cast.pupil)).content.decode()


def test_profile_tab_keeps_the_card(client, cast):
    client.force_login(cast.parent_user)
    page = client.get(url("pupil", cast.pupil)).content.decode()
    assert "7 «А»" in page and "Родители (законные представители)" in page and "Математика" in page


def test_family_home_shows_today_tomorrow_and_latest_marks(client, cast):
    given = lesson(cast, TODAY)
    mark_set(actor=cast.teacher, lesson=given, pupil=cast.pupil, value="5")
    homework_set(actor=cast.teacher, lesson=given, text="Повторить дроби")
    lesson(cast, dt.date(2026, 12, 21))
    client.force_login(cast.parent_user)
    page = client.get(reverse("home")).content.decode()
    assert "Сегодня, 18 декабря" in page and "Понедельник, 21 декабря" in page
    assert page.count("Повторить дроби") == 2  # given today, due on Monday
    assert "Последние отметки" in page and url("week", cast.pupil) in page


def test_family_home_queries_do_not_grow_with_children(client, cast, django_assert_num_queries):
    client.force_login(cast.parent_user)
    # session, user+school, current year (unused by the family page), the children, their classes today, pupil_days
    # (5), menu: unread
    with django_assert_num_queries(11) as one:
        client.get(reverse("home"))
    second_child(cast)
    full_week(cast)
    with django_assert_num_queries(11) as two:
        page = client.get(reverse("home")).content.decode()
    assert "Pupil Анна" in page
    assert len(two.captured_queries) == len(one.captured_queries)


NEWS_AND_TIMETABLE = {
    # session, user+school, pupil, children, class; the visit: SAVEPOINT, the visit (FOR UPDATE on PostgreSQL),
    # UPDATE, RELEASE (the write's re-check reads the answer diary_pupil_for_user kept on the pupil); the news: new marks (with whether each was first
    # set since) and absences in one query, new homework (whose: the enrolments and subgroups inside it); the next
    # school day's lessons and homework: pupil_days (3: no marks, no calendar); menu: unread
    "news": 15,
    # session, user+school, pupil, children, class, the class's entries (with subgroups and their pupils, teacher,
    # subject, room), bells, grade settings, menu: unread
    "timetable": 9,
}


def test_news_and_timetable_query_counts_do_not_grow(client, cast, django_assert_num_queries):
    mark_set(actor=cast.teacher, lesson=lesson(cast, dt.date(2026, 12, 11)), pupil=cast.pupil, value="4")
    client.force_login(cast.parent_user)
    for name, queries in NEWS_AND_TIMETABLE.items():
        client.get(url(name, cast.pupil))  # the first look creates the visit
        with django_assert_num_queries(queries):
            client.get(url(name, cast.pupil))
    full_week(cast, marks_per_lesson=2)
    for name, queries in NEWS_AND_TIMETABLE.items():
        with django_assert_num_queries(queries):
            client.get(url(name, cast.pupil))


def test_pages_of_a_pupil_without_a_class(client, cast):
    Enrollment.objects.filter(pupil=cast.pupil).delete()
    client.force_login(cast.parent_user)
    for name in ("week", "marks", "news", "timetable", "pupil"):
        assert client.get(url(name, cast.pupil)).status_code == 200
    assert client.get(url("subject", cast.pupil, cast.math_a)).status_code == 404
    assert "не зачислен" in client.get(reverse("home")).content.decode()
