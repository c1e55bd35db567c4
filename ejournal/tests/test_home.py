"""The home pages of the staff: the teacher's day (and the class teacher's class), the administration's dashboard.

Who sees what, the empty states, that the family pages did not change, and the pinned query counts: they do not
grow with the number of lessons and classes.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.tests.factories import TEST_PASSWORD
from journal import services
from journal.models import Bell, EditWindow, Lesson
from journal.services.substitution import substitution_record
from journal.workdays import grade_calendar

pytestmark = pytest.mark.django_db

MSK = ZoneInfo("Europe/Moscow")
TODAY = dt.date(2026, 11, 25)  # a Wednesday of the second quarter
AT = dt.datetime(2026, 11, 25, 10, 0, tzinfo=MSK)  # the 1st lesson is over, the 2nd goes on


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(AT, tick=False):
        yield


def lesson(assignment, day=TODAY, number=1, **fields) -> Lesson:
    return Lesson.objects.create(assignment=assignment, date=day, number=number, **fields)


def lesson_url(target: Lesson) -> str:
    return reverse("journal:grid_lesson", args=[target.pk])


class Planted:
    """A lapse of each kind the pages show."""

    def __init__(self, cast):
        for number, (start, end) in enumerate([(dt.time(8, 30), dt.time(9, 15)), (dt.time(9, 25), dt.time(10, 10))]):
            Bell.objects.create(year=cast.year, number=number + 1, start_time=start, end_time=end)
        self.today = lesson(cast.math_a, number=1)  # over, no topic
        self.unrecorded = lesson(cast.math_a, day=dt.date(2026, 11, 23), topic="Дроби")  # no register taken
        calendar = grade_calendar(cast.school, cast.class_a.grade)
        self.locking = lesson(cast.math_a, day=calendar.add_working_days(TODAY, -9), number=2)  # empty, 1 day left
        # The class teacher's own lessons (Russian in 8 «Б»), of each kind as well.
        lesson(cast.russian_b, number=2)
        lesson(cast.russian_b, day=dt.date(2026, 11, 24))
        lesson(cast.russian_b, day=grade_calendar(cast.school, 8).add_working_days(TODAY, -10), number=3)
        self.window = EditWindow.objects.create(
            assignment=cast.physics_b, reason="Болезнь учителя, справка № 7", valid_until=AT + dt.timedelta(days=1),
            opened_by=cast.deputy,
        )  # fmt: skip


def page(client, user) -> str:
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


# The teacher --------------------------------------------------------------------------------------------------------


def test_the_teacher_sees_the_day(client, cast):
    planted = Planted(cast)
    html = page(client, cast.teacher)
    for heading in (
        "Уроки сегодня",
        "Не записано за две недели",
        "Скоро закроются для отметок",
        "Мои классы и предметы",
    ):
        assert heading in html
    for target in (planted.today, planted.unrecorded, planted.locking):
        assert lesson_url(target) in html
    assert "08:30–09:15" in html and "посещаемость не отмечена" in html
    assert "Учащиеся без отметок" not in html  # not a class teacher
    assert "Уроки сегодня без темы" not in html and planted.window.reason not in html  # the deputy's


def test_another_teacher_does_not_see_them(client, cast):
    planted = Planted(cast)
    html = page(client, cast.other_teacher)
    for target in (planted.today, planted.unrecorded, planted.locking):
        assert lesson_url(target) not in html
    assert "Сегодня у вас нет уроков." in html
    assert "Все уроки за две недели записаны." in html
    assert "Пустых колонок, которые закрываются в ближайшие два рабочих дня, нет." in html


def test_the_substitute_sees_the_lesson_they_give(client, cast):
    given = lesson(cast.math_a, number=3)
    substitution_record(actor=cast.deputy, lesson=given, substitute=cast.other_teacher, reason="болезнь")
    assert lesson_url(given) in page(client, cast.other_teacher)
    assert lesson_url(given) not in page(client, cast.teacher)


def test_the_class_teacher_sees_the_class_missing_marks(client, cast):
    Planted(cast)
    html = page(client, cast.classteacher)
    assert "Классное руководство" in html and "Учащиеся без отметок: 2 четверть" in html
    assert reverse("journal:grid", args=[cast.math_a.pk]) + "?period=" in html
    assert cast.pupil.user.last_name in html


# The administration -------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["deputy", "director", "admin"])
def test_the_administration_sees_the_dashboard(client, cast, role):
    planted = Planted(cast)
    html = page(client, getattr(cast, role))
    assert "Учащихся сегодня" in html  # the summary stays
    assert "Уроки сегодня без темы" in html and cast.teacher.full_name in html
    assert lesson_url(planted.today) in html
    assert "Открытые окна исправлений" in html and planted.window.reason in html
    assert reverse("journal:grid", args=[cast.physics_b.pk]) in html
    assert "Не записано за две недели" not in html  # the teacher's


def test_the_dashboard_empty_states(client, cast):
    html = page(client, cast.deputy)
    assert "У всех прошедших сегодня уроков тема записана." in html
    assert "Открытых окон исправлений нет." in html


def test_another_schools_administration_sees_nothing_of_it(client, cast):
    planted = Planted(cast)
    html = page(client, cast.foreign_admin)
    assert lesson_url(planted.today) not in html and planted.window.reason not in html


# Families and strangers -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["pupil_user", "parent_user"])
def test_the_family_pages_are_unchanged(client, cast, role):
    planted = Planted(cast)
    html = page(client, getattr(cast, role))
    assert "7 «А»" in html
    for block in ("Уроки сегодня без темы", "Не записано за две недели", "Скоро закроются для отметок"):
        assert block not in html
    assert lesson_url(planted.unrecorded) not in html


def test_anonymous_goes_to_login(client, cast):
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


# Query counts ------------------------------------------------------------------------------------------------------
# Every signed-in page: the session, the user with their school; the menu: the class a teacher leads and the unread
# count (one query). The home page: the current year.
#
# A teacher: their assignments, the class they lead, the substitutions of the next two weeks; today's lessons (the
# lessons, the bells, the grades' schemes, the periods for the links); the unrecorded ones (the lessons, the schemes,
# the periods); the columns about to lock (the lessons, the grades' weeks, the special days, the schemes, the
# periods). The class teacher adds the class's missing marks (the period, the subjects, the class list, the
# exemptions, the lessons held, the marks). The audit's: open remarks, справки to acknowledge.
TEACHER_HOME = 3 + 3 + 4 + 3 + 5 + 2 + 1
CLASSTEACHER_HOME = TEACHER_HOME + 6
# The administration: the summary's four counts; today's lessons without a topic (the bells rung, the lessons, the
# schemes, the periods); the open windows; their own lessons today (none: one query); the audit's: the last справка,
# the weekly remarks' counts, the справки awaiting acknowledgement.
MANAGEMENT_HOME = 3 + 4 + 4 + 1 + 1 + 1 + 3


def more_of_everything(cast):
    """More classes, subjects and lessons of every kind the pages list."""
    calendar = grade_calendar(cast.school, 8)
    for n, letter in enumerate("ВГД"):
        school_class = services.class_create(actor=cast.admin, year=cast.year, grade=8, letter=letter)
        subject = services.subject_create(actor=cast.admin, school=cast.school, name=f"Предмет {n}")
        for teacher in (cast.teacher, cast.classteacher):
            assignment = services.assignment_create(
                actor=cast.admin, school_class=school_class, subject=subject, teacher=teacher,
                hours_per_week=Decimal(1), subgroup=None,
            )  # fmt: skip
            lesson(assignment, number=1)
            lesson(assignment, day=dt.date(2026, 11, 20 + n))
            lesson(assignment, day=calendar.add_working_days(TODAY, -10), number=n + 2)
        class_subject = services.subject_create(actor=cast.admin, school=cast.school, name=f"Классный {n}")
        services.assignment_create(
            actor=cast.admin, school_class=cast.class_a, subject=class_subject, teacher=cast.other_teacher,
            hours_per_week=Decimal(1),
        )  # fmt: skip
        EditWindow.objects.create(
            assignment=assignment, reason="ещё", valid_until=AT + dt.timedelta(days=1), opened_by=cast.deputy
        )


def count(client, user) -> int:
    client.force_login(user)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("home")).status_code == 200
    return len(queries)


@pytest.mark.parametrize(
    "role, queries",
    [
        ("teacher", TEACHER_HOME),
        ("classteacher", CLASSTEACHER_HOME),
        ("deputy", MANAGEMENT_HOME),
        ("director", MANAGEMENT_HOME),
        ("admin", MANAGEMENT_HOME),
    ],
)
def test_home_query_counts_do_not_grow(client, cast, django_assert_num_queries, role, queries):
    Planted(cast)
    user = getattr(cast, role)
    client.force_login(user)
    with django_assert_num_queries(queries):
        assert client.get(reverse("home")).status_code == 200
    more_of_everything(cast)
    assert count(client, user) == queries


def test_the_password_login_lands_on_the_day(client, cast):
    Planted(cast)
    response = client.post(
        reverse("accounts:login"), {"username": "teacher", "password": TEST_PASSWORD}, REMOTE_ADDR="10.0.0.1"
    )
    assert response.status_code == 302 and response.url == reverse("home")
    assert "Уроки сегодня" in client.get(reverse("home")).content.decode()


# The deputy's control reaching the teacher --------------------------------------------------------------------------


def test_the_teacher_sees_open_remarks_and_the_справки_to_acknowledge_and_the_deputy_the_figures(client, cast):
    from reports.models import AuditRemark
    from reports.services.remarks import record_weekly_remarks
    from reports.services.statements import statement_acknowledge, statement_create, statement_send

    Planted(cast)
    lesson(cast.math_a, day=dt.date(2026, 11, 17))  # last week, no topic: a remark on Monday
    with time_machine.travel(dt.datetime(2026, 11, 23, 6, 0, tzinfo=MSK), tick=False):
        record_weekly_remarks(school=cast.school)
    remark = AuditRemark.objects.get(teacher=cast.teacher, check_slug="no_topic", day=dt.date(2026, 11, 17))
    statement = statement_create(
        actor=cast.deputy, start=dt.date(2026, 11, 1), end=dt.date(2026, 11, 24), teacher_ids=[cast.teacher.pk],
        class_teacher_ids=[],
    )  # fmt: skip
    statement_send(actor=cast.deputy, statement=statement)

    html = page(client, cast.teacher)
    assert "Замечания по ведению журнала" in html and remark.text in html
    assert f"Справка № {statement.number}" in html and "Ознакомлен(а)" in html
    html = page(client, cast.deputy)
    assert "Итоги последней проверки" in html and f"Справка № {statement.number}" in html
    assert "из 1 не ознакомлены" in html

    statement_acknowledge(actor=cast.teacher, statement=statement)
    assert "Ознакомлен(а)" not in page(client, cast.teacher)
    assert "Все отправленные справки прочитаны." in page(client, cast.deputy)
    # Another teacher sees neither the remark nor the справка.
    html = page(client, cast.other_teacher)
    assert remark.text not in html and f"Справка № {statement.number}" not in html
