"""Движение учащихся as a report: the journal's movement figures in the three formats, for the administration."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts import services as account_services
from accounts.tests.factories import TEST_PASSWORD
from journal import services
from journal.services.movement import pupil_leave, pupil_move
from reports.access import report_scope
from reports.selectors.movement import movement

pytestmark = pytest.mark.django_db


@pytest.fixture
def school(cast):
    """7 «А» and 8 «Б»: a pupil arrives in 7 «А» on 10.11, the cast's pupil moves to 8 «Б» on 16.11, another leaves
    8 «Б» on 20.11."""
    newcomer = account_services.pupil_create(
        actor=cast.admin, school=cast.school, username="newcomer", last_name="Новикова", first_name="Мария",
        date_of_birth=dt.date(2013, 5, 1), sex="f", password=TEST_PASSWORD,
    )  # fmt: skip
    services.enrollment_create(
        actor=cast.admin, pupil=newcomer, school_class=cast.class_a, date_from=dt.date(2026, 11, 10)
    )
    pupil_move(
        actor=cast.admin, pupil=cast.pupil, to_class=cast.class_b, date=dt.date(2026, 11, 16), reason="заявление"
    )
    pupil_leave(actor=cast.admin, pupil=cast.other_pupil, date=dt.date(2026, 11, 20), reason="переезд")
    return cast


def test_figures_are_the_journals(school, django_assert_num_queries):
    scope = report_scope(school.deputy)
    with django_assert_num_queries(2):
        figures = movement(scope, {"year": school.year, "on_date": dt.date(2026, 12, 1)})
    rows = {row.school_class.pk: row for row in figures.report.classes}
    a, b = rows[school.class_a.pk], rows[school.class_b.pk]
    assert (a.at_start, a.arrived, a.moved_in, a.left, a.moved_out, a.now) == (1, 1, 0, 0, 1, 1)
    assert (b.at_start, b.arrived, b.moved_in, b.left, b.moved_out, b.now) == (1, 0, 1, 1, 0, 1)
    assert figures.report.total.now == 2


def test_screen_xlsx_pdf_and_the_journal_page_links_here(school, client):
    client.force_login(school.deputy)
    url = reverse("reports:movement")
    query = {"year": school.year.pk, "on_date": "2026-12-01"}
    page = client.get(url, query)
    assert page.status_code == 200 and "заявление" in page.content.decode()
    xlsx = client.get(url, {**query, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    row_a = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == str(school.class_a)]
    assert row_a[0][1:7] == (1, 1, 0, 0, 1, 1)
    pdf = client.get(url, {**query, "format": "pdf"})
    assert pdf.content.startswith(b"%PDF")
    journal_page = client.get(reverse("journal:movement")).content.decode()
    assert f"{url}?year={school.year.pk}&amp;format=xlsx" in journal_page


def test_bad_date_is_a_russian_400_and_only_the_administration_sees_it(school, client):
    client.force_login(school.director)
    response = client.get(reverse("reports:movement"), {"on_date": "31.02.2026"})
    assert response.status_code == 400 and "дат" in response.content.decode().lower()
    for user in (school.classteacher, school.teacher, school.pupil_user, school.parent_user):
        client.force_login(user)
        assert client.get(reverse("reports:movement")).status_code == 404
