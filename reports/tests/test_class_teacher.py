"""Отчёт классного руководителя: movement, results, attendance and the pupils at risk of a class counted by hand
(the class of test_results), its three formats, access and a pinned query count."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from journal.models import Attendance, AttendanceCode, Lesson
from reports.access import report_scope
from reports.selectors.class_teacher import UNEXCUSED_RISK, class_teacher_report
from reports.tests.test_results import build_class, make_pupil

pytestmark = pytest.mark.django_db


def _absent(cast, assignment, pupil, days: int, code=AttendanceCode.UNEXCUSED):
    for number in range(days):
        day = dt.date(2026, 9, 14) + dt.timedelta(days=number)
        lesson, _created = Lesson.objects.get_or_create(assignment=assignment, date=day, number=2)
        Attendance.objects.create(lesson=lesson, pupil=pupil, code=code, updated_by=cast.admin)


@pytest.fixture
def built(cast):
    built = build_class(cast)
    # Жуков skipped UNEXCUSED_RISK math lessons without a reason; Алексеев was ill for three.
    _absent(cast, built["math"], built["pupils"]["Алексеев"], 3, AttendanceCode.ILL)
    _absent(cast, built["math"], built["pupils"]["Борисов"], UNEXCUSED_RISK)
    return built


def test_the_report_counted_by_hand(cast, built):
    data = {"year": cast.year, "period": str(built["q1"].pk), "school_class": cast.class_a}
    report = class_teacher_report(report_scope(cast.classteacher), data)
    # 1 September: the cast's pupil, the seven, and Зайцев (left 10.10); Иванов arrived 12.10.
    assert (report.at_start, report.at_end) == (9, 9)
    assert [(line.name.split()[0], line.event, line.day) for line in report.movement] == [
        ("Зайцев", "выбыл(а)", dt.date(2026, 10, 10)),
        ("Иванов", "прибыл(а)", dt.date(2026, 10, 12)),
    ]
    assert report.results.totals.n == 9
    pupils = {row.pupil.user.last_name: row.totals for row in report.attendance.pupils}
    assert (pupils["Алексеев"].missed, pupils["Алексеев"].ill, pupils["Алексеев"].unexcused) == (3, 3, 0)
    assert pupils["Борисов"].unexcused == UNEXCUSED_RISK
    risk = {line.name.split()[0]: line for line in report.risk}
    # Григорьев («1» in math), Жуков (незачёт), Дмитриев (no russian mark), Борисов (unexcused lessons).
    assert set(risk) == {"Григорьев", "Жуков", "Дмитриев", "Борисов"}
    assert risk["Григорьев"].failing == ["Математика"]
    assert risk["Дмитриев"].missing == ["Русский язык"]
    assert (risk["Борисов"].failing, risk["Борисов"].unexcused) == ([], UNEXCUSED_RISK)


def test_another_class_is_not_the_class_teachers(cast, built):
    data = {"year": cast.year, "period": str(built["q1"].pk), "school_class": cast.class_b}
    assert class_teacher_report(report_scope(cast.classteacher), data).school_class is None


def test_query_count_does_not_grow(cast, built, django_assert_num_queries):
    scope = report_scope(cast.deputy)
    data = {"year": cast.year, "period": str(built["q1"].pk), "school_class": cast.class_a}
    with django_assert_num_queries(16):
        class_teacher_report(scope, data)
    for number in range(4):
        pupil = make_pupil(cast, f"Новиков{number}", cast.class_a)
        _absent(cast, built["rus"], pupil, 2)
    with django_assert_num_queries(16):
        class_teacher_report(scope, data)


def test_screen_xlsx_pdf_and_access(cast, built, client):
    url = reverse("reports:class-teacher")
    query = {"year": cast.year.pk, "period": built["q1"].pk, "school_class": cast.class_a.pk}
    client.force_login(cast.classteacher)
    page = client.get(url, query).content.decode()
    for heading in ("1. Движение учащихся", "3. Посещаемость", "4. Учащиеся группы риска", "Григорьев"):
        assert heading in page
    xlsx = client.get(url, {**query, "format": "xlsx"})
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert any("Движение" in name for name in workbook.sheetnames)
    pdf = client.get(url, {**query, "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    assert client.get(url, {**query, "period": "abc"}).status_code == 400
    client.force_login(cast.teacher)  # a subject teacher of the class: not their report
    assert client.get(url, query).status_code == 404
    client.force_login(cast.deputy)
    assert client.get(url, query).status_code == 200
