"""Активность пользователей: staff sign-ins and journal entries, diary visits of pupils and families by class;
the default week, the formats, bad filters, access, the query count."""

import datetime as dt
import io
import zoneinfo

import pytest
import time_machine
from django.urls import reverse
from openpyxl import load_workbook

from accounts import services as account_services
from accounts.models import LoginRecord, UserVisit
from accounts.tests.factories import TEST_PASSWORD, PupilFactory
from journal import services
from journal.models import Enrollment, Lesson
from journal.services.journal import attendance_set, homework_set, lesson_record_set, mark_set
from reports.access import report_scope
from reports.selectors.activity import activity

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
MONDAY, SUNDAY = dt.date(2026, 11, 9), dt.date(2026, 11, 15)
THURSDAY_NOON = dt.datetime(2026, 11, 12, 12, tzinfo=MOSCOW)


def _login(user, when):
    LoginRecord.objects.create(user=user, school=user.school, at=when)


def _visit(user, day):
    UserVisit.objects.create(user=user, school=user.school, day=day)


@pytest.fixture
def school(cast):
    """The week of 9–15 November. The teacher: 2 sign-ins (and one the week before), one mark, one absence, one
    topic, one homework. 7 «А»: the cast's pupil (visited, and their parent too) and «second» (no parent, no visit);
    8 «Б»: its pupil's parent visited only the week before."""
    second = account_services.pupil_create(
        actor=cast.admin, school=cast.school, username="second", last_name="Второва", first_name="Мария",
        date_of_birth=dt.date(2013, 5, 1), sex="f", password=TEST_PASSWORD,
    )  # fmt: skip
    services.enrollment_create(
        actor=cast.admin, pupil=second, school_class=cast.class_a, date_from=cast.year.start_date
    )
    with time_machine.travel(THURSDAY_NOON, tick=False):
        first = Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 11, 10), number=1)
        other = Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 11, 10), number=2)
        mark_set(actor=cast.teacher, lesson=first, pupil=cast.pupil, value="5")
        attendance_set(actor=cast.teacher, lesson=other, pupil=second, code="н")
        lesson_record_set(actor=cast.teacher, lesson=first, topic="Дроби")
        homework_set(actor=cast.teacher, lesson=first, text="№ 5")
    _login(cast.teacher, THURSDAY_NOON)
    _login(cast.teacher, THURSDAY_NOON + dt.timedelta(days=1))
    _login(cast.teacher, THURSDAY_NOON - dt.timedelta(days=7))
    _login(cast.classteacher, THURSDAY_NOON)
    _visit(cast.pupil_user, MONDAY)
    _visit(cast.pupil_user, SUNDAY)
    _visit(cast.parent_user, dt.date(2026, 11, 11))
    _visit(cast.parent2_user, MONDAY - dt.timedelta(days=1))
    cast.second = second
    return cast


def _week():
    return {"start": MONDAY, "end": SUNDAY}


def test_staff_and_visits_by_hand(school):
    scope = report_scope(school.deputy)
    figures = activity(scope, {"year": school.year, **_week()})
    staff = {row.user.pk: row for row in figures.staff}
    teacher = staff[school.teacher.pk]
    assert (teacher.logins, teacher.marks, teacher.attendance, teacher.topics, teacher.homework) == (2, 1, 1, 1, 1)
    assert teacher.entries == 4
    assert (staff[school.classteacher.pk].logins, staff[school.classteacher.pk].entries) == (1, 0)
    assert staff[school.admin.pk].entries == 0  # the lessons were made outside the journal: nobody's entry
    classes = {row.school_class.pk: row for row in figures.classes}
    a, b = classes[school.class_a.pk], classes[school.class_b.pk]
    assert (a.pupils, a.pupils_visited, a.families, a.families_visited) == (2, 1, 1, 1)
    assert a.families_share == 50
    assert (b.pupils, b.pupils_visited, b.families, b.families_visited) == (1, 0, 1, 0)
    # The week before: only the teacher's earlier sign-in and the other parent's visit.
    before = activity(
        scope, {"year": school.year, "start": MONDAY - dt.timedelta(days=7), "end": MONDAY - dt.timedelta(days=1)}
    )
    assert {row.user.pk: row.logins for row in before.staff}[school.teacher.pk] == 1
    assert {row.school_class.pk: row.families_visited for row in before.classes}[school.class_b.pk] == 1


def test_query_count_does_not_grow(school, django_assert_num_queries):
    scope = report_scope(school.admin)
    data = {"year": school.year, **_week()}
    # staff, sign-ins, 4 histories (marks, attendance, topics, homework), classes, roster, parents, visits
    with django_assert_num_queries(10):
        activity(scope, data)
    pupils = [PupilFactory(user__school=school.school, user__username=f"p{i}") for i in range(10)]
    Enrollment.objects.bulk_create(
        Enrollment(pupil=p, school_class=school.class_b, date_from=school.year.start_date) for p in pupils
    )
    UserVisit.objects.bulk_create(UserVisit(user=p.user, school=school.school, day=MONDAY) for p in pupils)
    for i in range(5):
        _login(school.classteacher, THURSDAY_NOON + dt.timedelta(hours=i))
    services.class_create(actor=school.admin, year=school.year, grade=9, letter="В")
    with django_assert_num_queries(10):
        figures = activity(scope, data)
    assert {row.school_class.pk: row.pupils_visited for row in figures.classes}[school.class_b.pk] == 10


def test_default_is_the_current_week_and_the_formats(school, client):
    client.force_login(school.deputy)
    url = reverse("reports:activity")
    with time_machine.travel(THURSDAY_NOON, tick=False):
        page = client.get(url)
        assert page.status_code == 200
        assert "09.11.2026 — 15.11.2026" in page.content.decode()
        xlsx = client.get(url, {"format": "xlsx"})
        pdf = client.get(url, {"format": "pdf"})
        by_dates = client.get(url, {"date_from": "2026-11-02", "date_to": "2026-11-08"})
    staff_sheet, visits_sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets
    teacher = [row for row in staff_sheet.iter_rows(values_only=True) if row and row[0] == school.teacher.full_name]
    assert teacher[0][1:7] == (2, 1, 1, 1, 1, 4)
    seventh = [row for row in visits_sheet.iter_rows(values_only=True) if row and row[0] == str(school.class_a)]
    assert seventh[0][1:3] == (2, 1) and seventh[0][4] == 1
    assert pdf.content.startswith(b"%PDF")
    assert by_dates.status_code == 200 and "02.11.2026 — 08.11.2026" in by_dates.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"date_from": "2026-11-15", "date_to": "2026-11-01"},
        {"period": "0"},
        {"date_to": "вчера"},
        {"date_from": "2020-01-01"},
    ],
)
def test_bad_filters_are_a_russian_400(school, client, query):
    client.force_login(school.director)
    response = client.get(reverse("reports:activity"), query)
    assert response.status_code == 400
    assert any(word in response.content.decode() for word in ("Дата", "дат", "Выберите", "не больше года"))


def test_only_the_administration(school, client):
    for user in (school.classteacher, school.teacher, school.pupil_user, school.parent_user):
        client.force_login(user)
        assert client.get(reverse("reports:activity")).status_code == 404
    client.force_login(school.admin)
    assert client.get(reverse("reports:activity")).status_code == 200
