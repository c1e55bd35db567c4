"""The reports' machinery, tried on the reference report «Наполняемость классов»: the figures on a date (movement,
boys and girls, subgroups), the index per role, the three formats, bad filters, the settings page and the jobs."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from accounts import services as account_services
from accounts.tests.factories import TEST_PASSWORD
from journal import services
from journal.services.movement import pupil_leave
from reports.access import report_scope
from reports.choices import JobStatus
from reports.models import ReportJob, ReportSettings
from reports.selectors.class_sizes import class_sizes
from reports.services.jobs import report_job_run

pytestmark = pytest.mark.django_db


def _pupil(cast, username: str, sex: str, school_class, date_from: dt.date):
    profile = account_services.pupil_create(
        actor=cast.admin,
        school=cast.school,
        username=username,
        last_name=username.capitalize(),
        first_name="Мария" if sex == "f" else "Пётр",
        date_of_birth=dt.date(2013, 5, 1),
        sex=sex,
        password=TEST_PASSWORD,
    )
    services.enrollment_create(actor=cast.admin, pupil=profile, school_class=school_class, date_from=date_from)
    return profile


@pytest.fixture
def school(cast):
    """7 «А» on 1 December: the cast's pupil (a boy), two girls, a boy who left on 20 November and a girl who
    arrives on 10 December; a subgroup holding a girl and the boy who left."""
    girl = _pupil(cast, "girl", "f", cast.class_a, cast.year.start_date)
    _pupil(cast, "girl2", "f", cast.class_a, cast.year.start_date)
    left = _pupil(cast, "left", "m", cast.class_a, cast.year.start_date)
    pupil_leave(actor=cast.admin, pupil=left, date=dt.date(2026, 11, 20), reason="переезд")
    _pupil(cast, "late", "f", cast.class_a, dt.date(2026, 12, 10))
    services.subgroup_create(actor=cast.admin, school_class=cast.class_a, name="Английский 1", pupils=[girl, left])
    return cast


def test_class_sizes_follow_movement_sex_and_subgroups(school):
    figures = class_sizes(report_scope(school.admin), {"year": school.year, "on_date": dt.date(2026, 12, 1)})
    rows = {row.name: row for row in figures.classes}
    seventh = rows[str(school.class_a)]
    # pupil (m), girl, girl2; "left" is gone after 20.11, "late" comes on 10.12.
    assert (seventh.boys, seventh.girls, seventh.total) == (1, 2, 3)
    assert seventh.subgroups == [("Английский 1", 1)]  # the girl; the boy who left no longer counts
    assert rows[str(school.class_b)].total == 1
    later = class_sizes(report_scope(school.admin), {"year": school.year, "on_date": dt.date(2026, 12, 15)})
    assert {row.name: row.total for row in later.classes}[str(school.class_a)] == 4


def test_class_teacher_sees_only_their_class(school):
    figures = class_sizes(report_scope(school.classteacher), {"year": school.year, "on_date": dt.date(2026, 12, 1)})
    assert [row.name for row in figures.classes] == [str(school.class_a)]


def test_class_sizes_query_count_does_not_grow(school, django_assert_num_queries):
    scope = report_scope(school.admin)
    data = {"year": school.year, "on_date": dt.date(2026, 12, 1)}
    with django_assert_num_queries(3):
        class_sizes(scope, data)
    for number in range(5):
        _pupil(school, f"more{number}", "f", school.class_b, school.year.start_date)
    services.class_create(actor=school.admin, year=school.year, grade=9, letter="В")
    with django_assert_num_queries(3):
        class_sizes(scope, data)


def test_screen_xlsx_and_pdf(school, client):
    client.force_login(school.deputy)
    url = reverse("reports:class-sizes")
    query = {"year": school.year.pk, "on_date": "2026-12-01"}
    page = client.get(url, query)
    assert page.status_code == 200
    assert "Наполняемость классов" in page.content.decode()
    xlsx = client.get(url, {**query, "format": "xlsx"})
    assert xlsx.status_code == 200
    assert xlsx["Content-Disposition"].startswith("attachment")
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [row for row in sheet.iter_rows(values_only=True) if row and row[0] == str(school.class_a)]
    assert values[0][2:5] == (1, 2, 3)  # numbers, not text
    assert sheet.freeze_panes is not None
    pdf = client.get(url, {**query, "format": "pdf"})
    assert pdf.status_code == 200
    assert pdf.content.startswith(b"%PDF")


def test_bad_filters_are_a_russian_message(school, client):
    client.force_login(school.deputy)
    url = reverse("reports:class-sizes")
    response = client.get(url, {"on_date": "32.13.2026"})
    assert response.status_code == 400
    assert "дату" in response.content.decode().lower()
    download = client.get(url, {"on_date": "nonsense", "format": "pdf"})
    assert download.status_code == 302 and "format" not in download["Location"]


def test_index_lists_what_each_role_may_see(school, client):
    client.force_login(school.deputy)
    page = client.get(reverse("reports:index")).content.decode()
    assert reverse("reports:class-sizes") in page and reverse("reports:settings") in page
    client.force_login(school.teacher)  # a subject teacher: no class, no school report
    page = client.get(reverse("reports:index")).content.decode()
    assert reverse("reports:class-sizes") not in page
    assert client.get(reverse("reports:class-sizes")).status_code == 404
    client.force_login(school.pupil_user)
    assert client.get(reverse("reports:index")).status_code == 404


def test_settings_change_and_read_only(school, client):
    client.force_login(school.deputy)
    url = reverse("reports:settings")
    response = client.post(url, {"quality_basis": "marks", "sou_one_weight": "0", "divergence_threshold": "0.75"})
    assert response.status_code == 302
    saved = ReportSettings.objects.get(school=school.school)
    assert (saved.quality_basis, saved.sou_one_weight, saved.divergence_threshold) == ("marks", 0, Decimal("0.75"))
    bad = client.post(url, {"quality_basis": "marks", "sou_one_weight": "5", "divergence_threshold": "abc"})
    assert bad.status_code == 200
    assert ReportSettings.objects.get(school=school.school).divergence_threshold == Decimal("0.75")
    client.force_login(school.director)  # reads, may not change
    assert client.get(url).status_code == 200
    assert client.post(url, {"quality_basis": "pupils", "sou_one_weight": "7"}).status_code == 403
    assert ReportSettings.objects.get(school=school.school).quality_basis == "marks"


def test_a_job_makes_the_file_once(school):
    job = ReportJob.objects.create(
        school=school.school,
        report="class-sizes",
        params={"year": str(school.year.pk), "on_date": "2026-12-01"},
        fmt="xlsx",
        title="Наполняемость классов",
        requested_by=school.admin,
    )
    assert report_job_run(job.pk) == "ready"
    assert report_job_run(job.pk) == "skipped"  # a second delivery changes nothing
    job.refresh_from_db()
    assert job.status == JobStatus.READY and bytes(job.file).startswith(b"PK")
    broken = ReportJob.objects.create(
        school=school.school,
        report="class-sizes",
        params={"on_date": "2026-02-31"},
        fmt="pdf",
        title="Наполняемость классов",
        requested_by=school.admin,
    )
    assert report_job_run(broken.pk) == "failed"
    broken.refresh_from_db()
    assert broken.status == JobStatus.FAILED and "заново" in broken.error


def test_a_job_is_downloaded_by_its_requester_only(school, client):
    job = ReportJob.objects.create(
        school=school.school,
        report="class-sizes",
        params={"year": str(school.year.pk)},
        fmt="pdf",
        title="Наполняемость классов",
        requested_by=school.deputy,
    )
    report_job_run(job.pk)
    client.force_login(school.deputy)
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    assert download.status_code == 200 and download.content.startswith(b"%PDF")
    assert client.get(reverse("reports:job", args=[job.pk])).status_code == 200
    client.force_login(school.director)
    assert client.get(reverse("reports:job_download", args=[job.pk])).status_code == 404


@pytest.mark.parametrize("slug", ["preliminary", "attendance-months", "final-data", "mark-divergence"])
def test_a_school_wide_export_over_many_classes_is_a_job(
    school, client, monkeypatch, slug, django_capture_on_commit_callbacks
):
    from reports.selectors import results

    monkeypatch.setattr(results, "RESULTS_BACKGROUND_CLASSES", 1)  # the cast's school has two classes
    client.force_login(school.deputy)
    url = reverse(f"reports:{slug}")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, {"year": school.year.pk, "format": "xlsx"})
    assert response.status_code == 302
    job = ReportJob.objects.get(requested_by=school.deputy, report=slug)
    assert response["Location"] == reverse("reports:job", args=[job.pk])
    assert job.status == JobStatus.READY  # Celery runs eagerly in the tests
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    assert download.status_code == 200 and download.content.startswith(b"PK")
    # One class chosen, or a class teacher's export: made in the request.
    client.force_login(school.classteacher)
    direct = client.get(url, {"year": school.year.pk, "school_class": school.class_a.pk, "format": "xlsx"})
    assert direct.status_code == 200 and direct.content.startswith(b"PK")
