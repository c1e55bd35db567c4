"""Сводная ведомость учёта посещаемости and Посещаемость по месяцам, on a class built by hand: lessons and days
missed by reason, the movement of pupils, a subgroup lesson; the formats, bad filters, access, query counts."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts import services as account_services
from accounts.tests.factories import TEST_PASSWORD, PupilFactory
from journal import services
from journal.models import Attendance, Enrollment, Lesson, StudyPeriod
from journal.services.movement import pupil_leave
from reports.access import report_scope
from reports.forms.base import YEAR_RESULT
from reports.selectors.attendance import attendance_months, attendance_sheet

pytestmark = pytest.mark.django_db

D1 = dt.date(2026, 11, 10)  # math 1, math 2 (whole class), English 3 (the subgroup)
D2 = dt.date(2026, 11, 25)  # math 1; «left» left on 20.11
D3 = dt.date(2026, 12, 1)  # English only (the subgroup)


def _pupil(cast, username: str):
    profile = account_services.pupil_create(
        actor=cast.admin, school=cast.school, username=username, last_name=username.capitalize(),
        first_name="Мария", date_of_birth=dt.date(2013, 5, 1), sex="f", password=TEST_PASSWORD,
    )  # fmt: skip
    services.enrollment_create(
        actor=cast.admin, pupil=profile, school_class=cast.class_a, date_from=cast.year.start_date
    )
    return profile


def _mark(cast, lesson, pupil, code):
    Attendance.objects.create(lesson=lesson, pupil=pupil, code=code, updated_by=cast.teacher)


@pytest.fixture
def school(cast):
    """7 «А»: the cast's pupil; «girl» in the English subgroup; «left» who left on 20.11. See the module's dates."""
    girl, left = _pupil(cast, "girl"), _pupil(cast, "left")
    pupil_leave(actor=cast.admin, pupil=left, date=dt.date(2026, 11, 20), reason="переезд")
    group = services.subgroup_create(actor=cast.admin, school_class=cast.class_a, name="Английский 1", pupils=[girl])
    english = services.assignment_create(
        actor=cast.admin, school_class=cast.class_a, subject=cast.russian_b.subject, teacher=cast.other_teacher,
        hours_per_week=2, subgroup=group,
    )  # fmt: skip
    math1 = Lesson.objects.create(assignment=cast.math_a, date=D1, number=1)
    math2 = Lesson.objects.create(assignment=cast.math_a, date=D1, number=2)
    eng1 = Lesson.objects.create(assignment=english, date=D1, number=3)
    math3 = Lesson.objects.create(assignment=cast.math_a, date=D2, number=1)
    eng2 = Lesson.objects.create(assignment=english, date=D3, number=1)
    # The pupil: ill at both lessons of D1 (English is not theirs) = a whole day; late on D2.
    _mark(cast, math1, cast.pupil, "б")
    _mark(cast, math2, cast.pupil, "б")
    _mark(cast, math3, cast.pupil, "оп")
    # The girl: away from mathematics on D1 but at her English = no day; D2 excused = a day; D3 ill = a day.
    _mark(cast, math1, girl, "н")
    _mark(cast, math2, girl, "п")
    _mark(cast, math3, girl, "у")
    _mark(cast, eng2, girl, "б")
    # «left»: one lesson of D1 (a part of the day); the mark after leaving does not count.
    _mark(cast, math1, left, "у")
    _mark(cast, math3, left, "п")
    assert eng1.pk
    # Another class: a miss in 8 «Б» in November.
    physics = Lesson.objects.create(assignment=cast.physics_b, date=D1, number=1)
    _mark(cast, physics, cast.other_pupil, "н")
    cast.girl, cast.left = girl, left
    return cast


def _q2(cast):
    return StudyPeriod.objects.get(year=cast.year, number=2)


def _figures(t):
    return (t.missed, t.ill, t.excused, t.unexcused, t.late, t.days, t.ill_days)


def test_sheet_counts_lessons_and_days_by_hand(school):
    data = {"year": school.year, "period": _q2(school), "school_class": school.class_a}
    figures = attendance_sheet(report_scope(school.classteacher), data)
    (block,) = figures.classes
    rows = {row.pupil.pk: row for row in block.pupils}
    assert _figures(rows[school.pupil.pk].totals) == (2, 2, 0, 0, 1, 1, 1)
    assert _figures(rows[school.girl.pk].totals) == (4, 1, 1, 2, 0, 2, 1)
    assert _figures(rows[school.left.pk].totals) == (1, 0, 1, 0, 0, 0, 0)
    assert rows[school.left.pk].note == "выбыл 20.11.2026"
    assert _figures(block.totals) == (7, 3, 2, 2, 1, 3, 2)


def test_dates_instead_of_the_period(school):
    data = {"year": school.year, "period": YEAR_RESULT, "school_class": school.class_a, "date_to": D2}
    (block,) = attendance_sheet(report_scope(school.admin), data).classes
    assert _figures(block.totals) == (6, 2, 2, 2, 1, 2, 1)  # without D3


def test_months_of_a_class_and_of_the_school(school):
    data = {"year": school.year, "period": YEAR_RESULT, "school_class": school.class_a}
    figures = attendance_months(report_scope(school.classteacher), data)
    assert not figures.whole_school
    (block,) = figures.classes
    assert _figures(block.month((2026, 11))) == (6, 2, 2, 2, 1, 2, 1)
    assert _figures(block.month((2026, 12))) == (1, 1, 0, 0, 0, 1, 1)
    assert figures.months[0] == (2026, 9) and figures.months[-1] == (2027, 5)
    school_wide = attendance_months(report_scope(school.deputy), {"year": school.year, "period": YEAR_RESULT})
    assert school_wide.whole_school
    by_class = {b.school_class.pk: b for b in school_wide.classes}
    assert _figures(by_class[school.class_b.pk].month((2026, 11))) == (1, 0, 0, 1, 0, 1, 0)
    # A class teacher without a class chosen gets their class, not the school.
    own = attendance_months(report_scope(school.classteacher), {"year": school.year, "period": YEAR_RESULT})
    assert not own.whole_school and [b.school_class for b in own.classes] == [school.class_a]


def test_query_count_does_not_grow(school, django_assert_num_queries):
    scope = report_scope(school.admin)
    sheet = {"year": school.year, "period": YEAR_RESULT, "school_class": school.class_a}
    whole = {"year": school.year, "period": YEAR_RESULT}
    # roster, subgroups, lessons, attendance; the whole school: + the classes
    with django_assert_num_queries(4):
        attendance_sheet(scope, sheet)
    with django_assert_num_queries(5):
        attendance_months(scope, whole)
    pupils = [PupilFactory(user__school=school.school, user__username=f"p{i}") for i in range(10)]
    Enrollment.objects.bulk_create(
        Enrollment(pupil=p, school_class=school.class_a, date_from=school.year.start_date) for p in pupils
    )
    lessons = [
        Lesson.objects.create(assignment=school.math_a, date=dt.date(2026, 10, 5 + i), number=1) for i in range(5)
    ]
    Attendance.objects.bulk_create(
        Attendance(lesson=lesson, pupil=p, code="б", updated_by=school.teacher) for p in pupils for lesson in lessons
    )
    services.class_create(actor=school.admin, year=school.year, grade=9, letter="В")
    with django_assert_num_queries(4):
        figures = attendance_sheet(scope, sheet)
    assert figures.classes[0].totals.days == 3 + 50
    with django_assert_num_queries(5):
        attendance_months(scope, whole)


def test_screen_xlsx_and_pdf(school, client):
    client.force_login(school.classteacher)
    url = reverse("reports:attendance")
    query = {"year": school.year.pk, "period": _q2(school).pk, "school_class": school.class_a.pk}
    page = client.get(url, query)
    assert page.status_code == 200
    assert "Сводная ведомость учёта посещаемости" in page.content.decode()
    xlsx = client.get(url, {**query, "format": "xlsx"})
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    girl = [row for row in sheet.iter_rows(values_only=True) if row and row[1] == school.girl.user.full_name]
    assert girl[0][2:9] == (4, 1, 1, 2, 0, 2, 1)
    pdf = client.get(url, {**query, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    client.force_login(school.deputy)
    months = reverse("reports:attendance-months")
    page = client.get(months, {"year": school.year.pk})
    assert page.status_code == 200 and "8-е классы" in page.content.decode()
    xlsx = client.get(months, {"year": school.year.pk, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    row_b = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == str(school.class_b)]
    # September, October, then November: 1 lesson, 1 day.
    assert row_b[0][1:7] == (0, 0, 0, 0, 1, 1)
    pdf = client.get(months, {"year": school.year.pk, "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")


@pytest.mark.parametrize(
    "query",
    [
        {"period": "999999"},
        {"period": "abc"},
        {"date_from": "2026-12-10", "date_to": "2026-12-01"},
        {"date_from": "2025-01-01"},
        {"school_class": "nonsense"},
    ],
)
def test_bad_filters_are_a_russian_400(school, client, query):
    client.force_login(school.deputy)
    response = client.get(reverse("reports:attendance"), query)
    assert response.status_code == 400
    text = response.content.decode()
    assert any(word in text for word in ("Выберите", "Дата", "дат", "год")), text[:2000]


def test_access(school, client):
    url = reverse("reports:attendance")
    client.force_login(school.classteacher)
    assert client.get(url, {"school_class": school.class_b.pk}).status_code == 400  # not their class: not offered
    for user in (school.teacher, school.pupil_user, school.parent_user):
        client.force_login(user)
        assert client.get(url).status_code == 404
        assert client.get(reverse("reports:attendance-months")).status_code == 404
    client.force_login(school.foreign_admin)
    assert client.get(url).status_code == 200
