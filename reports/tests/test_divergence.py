"""«Сравнение среднего балла и итоговой отметки»: the marks far from the weighted average, counted by hand on the class
of test_results (build_class), per role, in XLSX and PDF, with a pinned query count."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from journal import services
from journal.models import Subject
from reports.access import report_scope
from reports.models import ReportSettings
from reports.selectors.divergence import mark_divergence
from reports.tests.test_results import build_class, current_mark, make_pupil, period_mark


@pytest.fixture
def built(cast):
    return build_class(cast)


def rows_for(user, built, **data):
    scope = report_scope(user)
    figures = mark_divergence(scope, {"year": built["year"], "period": str(built["q1"].pk), **data})
    return figures, [(r.pupil, r.subject, r.average, r.mark, r.difference) for r in figures.rows]


# The 1st quarter (threshold 0.60): Алексеев math 5 and 3×2 → 11/3 = 3.67, mark 5: +1.33; Борисов 4, 4×2 → 4.00,
# mark 4: 0; Григорьев 2, 3 → 2.50, mark 1: −1.50; Васильев russian 5, 5 → 5.00, mark 4: −1.00. Зайцев left.
ALEKSEEV = ("Алексеев Иван", "Математика", Decimal("3.67"), 5, Decimal("1.33"))
GRIGORIEV = ("Григорьев Иван", "Математика", Decimal("2.50"), 1, Decimal("-1.50"))
VASILIEV = ("Васильев Иван", "Русский язык", Decimal("5.00"), 4, Decimal("-1.00"))


def test_divergence_counted_by_hand(cast, built):
    figures, rows = rows_for(cast.admin, built)
    assert rows == [ALEKSEEV, GRIGORIEV, VASILIEV]
    assert figures.checked == 4  # Алексеев, Борисов, Григорьев (math), Васильев (russian)
    assert figures.rows[0].marks_count == 2 and figures.rows[0].teacher == "Teacher А. П."


def test_threshold_is_the_school_setting(cast, built):
    ReportSettings.objects.create(school=cast.school, divergence_threshold=Decimal("1.40"))
    _figures, rows = rows_for(cast.admin, built)
    assert rows == [GRIGORIEV]  # 1.50 > 1.40; 1.33 and 1.00 are not


def test_each_role_sees_its_own(cast, built):
    assert rows_for(cast.classteacher, built)[1] == [ALEKSEEV, GRIGORIEV, VASILIEV]  # the whole class
    assert rows_for(cast.teacher, built)[1] == [ALEKSEEV, GRIGORIEV]  # math only
    assert rows_for(cast.other_teacher, built)[1] == [VASILIEV]  # russian only


def test_filters_by_subject(cast, built):
    russian = Subject.objects.get(school=cast.school, name="Русский язык")
    assert rows_for(cast.admin, built, subject=russian)[1] == [VASILIEV]


def test_query_count_does_not_grow(cast, built, django_assert_num_queries):
    # settings, assignments, periods, grade schemes, pass/fail subjects, class lists, period marks, current sums.
    with django_assert_num_queries(8):
        rows_for(cast.admin, built)
    school_class = services.class_create(actor=cast.admin, year=cast.year, grade=7, letter="В")
    math = Subject.objects.get(school=cast.school, name="Математика")
    assignment = services.assignment_create(
        actor=cast.admin, school_class=school_class, subject=math, teacher=cast.teacher, hours_per_week=Decimal(4)
    )
    for number in range(6):
        pupil = make_pupil(cast, f"Петров{number}", school_class)
        period_mark(cast, assignment, pupil, "5", built["q1"])
        current_mark(cast, assignment, pupil, "3", dt.date(2026, 9, 15))
    with django_assert_num_queries(8):
        figures, _rows = rows_for(cast.admin, built)
    assert len(figures.rows) == 3 + 6  # each new pupil: 5 against 3.00


def test_page_xlsx_pdf(client, cast, built):
    client.force_login(cast.deputy)
    url = reverse("reports:mark-divergence")
    response = client.get(url, {"period": built["q1"].pk})
    assert response.status_code == 200
    assert "Григорьев Иван" in response.content.decode()
    response = client.get(url, {"period": built["q1"].pk, "format": "xlsx"})
    assert response.status_code == 200
    values = [c for row in load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True) for c in row]
    assert any(isinstance(v, float) and abs(v - 3.67) < 0.001 for v in values)
    assert -1.5 in values
    response = client.get(url, {"period": built["q1"].pk, "format": "pdf"})
    assert response.content.startswith(b"%PDF")


def test_bad_filter_is_a_russian_error(client, cast):
    client.force_login(cast.admin)
    response = client.get(reverse("reports:mark-divergence"), {"subject": "abc"})
    assert response.status_code == 400
    assert "Выберите корректный вариант" in response.content.decode()


def test_pupils_and_parents_get_404(client, cast):
    for user in (cast.pupil_user, cast.parent_user):
        client.force_login(user)
        assert client.get(reverse("reports:mark-divergence")).status_code == 404
