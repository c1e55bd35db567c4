"""Сводная ведомость учёта успеваемости on a class built by hand: a pupil who left mid-year, one who arrived, a
pass/fail subject, a subject taught in two subgroups, an exempt pupil and missing marks; every cell checked. Then the
three formats, bad filters, who may see it, the fixed query count and the whole school's workbook made by a job."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.template.loader import render_to_string
from django.urls import reverse
from openpyxl import load_workbook

from journal import services
from journal.choices import PeriodKind
from journal.models import PeriodMark, PeriodMarkKind, StudyPeriod
from journal.services.exemptions import exemption_create
from reports.access import report_scope
from reports.choices import JobStatus
from reports.forms.summary_sheet import SummarySheetForm
from reports.models import ReportJob
from reports.render.document import cell_value
from reports.render.summary_sheet import summary_sheet_document
from reports.selectors.summary_sheet import summary_sheets

from .seventh_grade import make_pupil, seventh_grade

pytestmark = pytest.mark.django_db

Q = PeriodMarkKind.PERIOD
YEAR = PeriodMarkKind.YEAR


def _marks(cast, assignment, pupil, quarters: list[str], year: str = "") -> None:
    periods = list(StudyPeriod.objects.filter(year=cast.year, kind=PeriodKind.QUARTER).order_by("number"))
    for period, value in zip(periods, quarters, strict=False):
        if value:
            PeriodMark.objects.create(
                assignment=assignment, pupil=pupil, kind=Q, period=period, value=value, updated_by=cast.admin
            )
    if year:
        PeriodMark.objects.create(assignment=assignment, pupil=pupil, kind=YEAR, value=year, updated_by=cast.admin)


@pytest.fixture
def sheet(cast):
    """7 «А»: Математика (5 ч), Физическая культура (зачёт/незачёт), Английский язык in two subgroups.

    Алексеев — the whole year; Борисова — left on 20.11.2026 (her first-quarter marks stay); Волков — arrived on
    12.01.2027 (marks from the third quarter); Григорьев — exempt from Физическая культура for the year;
    Дмитриева — no marks at all, exempt from Математика in the first quarter. The cast's pupil has no marks either.
    """
    admin, a = cast.admin, cast.class_a
    c = seventh_grade(cast)
    math, english1, english2, pe_a = c.math, c.english1, c.english2, c.pe_a
    alekseev, borisova, volkov, grigoriev, dmitrieva = c.alekseev, c.borisova, c.volkov, c.grigoriev, c.dmitrieva
    _marks(cast, cast.math_a, alekseev, ["5", "4", "5", "5"], "5")
    _marks(cast, english1, alekseev, ["4", "4", "4", "4"], "4")
    _marks(cast, pe_a, alekseev, ["зч", "зч", "зч", "зч"], "зч")
    _marks(cast, cast.math_a, borisova, ["3"])
    _marks(cast, english1, borisova, ["2"])
    _marks(cast, pe_a, borisova, ["нз"])
    _marks(cast, cast.math_a, volkov, ["", "", "4", "4"], "4")
    _marks(cast, english2, volkov, ["", "", "5", "5"], "5")
    _marks(cast, pe_a, volkov, ["", "", "зч", "зч"], "зч")
    _marks(cast, cast.math_a, grigoriev, ["3", "3", "3", "3"], "3")
    _marks(cast, english2, grigoriev, ["3", "3", "3", "3"], "3")
    first = StudyPeriod.objects.get(year=cast.year, kind=PeriodKind.QUARTER, number=1)
    exemption_create(actor=admin, school_class=a, pupil=dmitrieva, subject=math, period=first, reason="справка № 7")
    # A proposed (not set) mark is not on the sheet.
    PeriodMark.objects.create(
        assignment=cast.math_a, pupil=dmitrieva, kind=Q, period=first, proposed_value="4", updated_by=admin
    )
    return cast


def _document(cast, user=None, **data):
    scope = report_scope(user or cast.admin)
    form = SummarySheetForm({"year": cast.year.pk, **data}, scope=scope)
    assert form.is_valid(), form.errors
    return summary_sheet_document(summary_sheets(scope, form.cleaned_data), form)


def _rows(table) -> dict[str, list]:
    return {row[1]: [cell_value(value) for value in row] for row in table.rows}


def test_every_cell_of_the_class(sheet):
    document = _document(sheet, school_class=sheet.class_a.pk)
    (section,) = document.sections
    table = section.tables[0]
    assert section.subjects == [("Английский язык", 5), ("Математика", 5), ("Физическая культура", 5)]
    assert [column.title for column in table.columns[2:7]] == ["I", "II", "III", "IV", "Г"]  # grade 7: no Э, И
    assert table.columns[2].group == ("Английский язык", 5) and table.columns[3].group is None
    rows = _rows(table)
    n = None
    assert rows["Алексеев Андрей"][2:] == [4, 4, 4, 4, 4, 5, 4, 5, 5, 5, "зч", "зч", "зч", "зч", "зч", ""]
    assert rows["Борисова Белла"][2:] == [2, n, n, n, n, 3, n, n, n, n, "нз", n, n, n, n, "выбыла 20.11.2026"]
    assert rows["Волков Виктор"][2:] == [n, n, 5, 5, 5, n, n, 4, 4, 4, n, n, "зч", "зч", "зч", "прибыл 12.01.2027"]
    assert rows["Григорьев Глеб"][2:] == [3, 3, 3, 3, 3, 3, 3, 3, 3, 3, "осв.", "осв.", "осв.", "осв.", "осв.", ""]
    assert rows["Дмитриева Дарья"][2:] == [n, n, n, n, n, "осв.", n, n, n, n, n, n, n, n, n, ""]
    assert rows["Pupil Иван"][2:] == [n] * 15 + [""]
    # Numbered in the roster's order (by name), the whole year's roster with the pupil who left.
    assert [row[0] for row in table.rows] == list(range(1, 7))
    names = [row[1] for row in table.rows]
    assert names.index("Алексеев Андрей") < names.index("Борисова Белла") < names.index("Дмитриева Дарья")
    assert section.class_teacher == "Classteacher А. П."
    assert document.signatures == ["Классный руководитель", "Директор"]
    assert section.director == "Director А. П."


def test_graduating_grade_with_half_years_has_exam_and_final(cast):
    services.study_periods_set(
        actor=cast.admin,
        year=cast.year,
        kind=PeriodKind.HALF,
        dates=[(dt.date(2026, 9, 1), dt.date(2026, 12, 26)), (dt.date(2027, 1, 12), dt.date(2027, 5, 26))],
    )
    eleventh = services.class_create(actor=cast.admin, year=cast.year, grade=11, letter="А")
    subject = services.subject_create(actor=cast.admin, school=cast.school, name="Химия")
    chemistry = services.assignment_create(
        actor=cast.admin, school_class=eleventh, subject=subject, teacher=cast.teacher, hours_per_week=Decimal(2)
    )
    pupil = make_pupil(cast, "Егоров", "Егор", "m", eleventh, cast.year.start_date)
    halves = list(StudyPeriod.objects.filter(year=cast.year, kind=PeriodKind.HALF).order_by("number"))
    for period, value in zip(halves, ["4", "5"], strict=True):
        PeriodMark.objects.create(
            assignment=chemistry, pupil=pupil, kind=Q, period=period, value=value, updated_by=cast.admin
        )
    for kind, value in ((YEAR, "5"), (PeriodMarkKind.EXAM, "4"), (PeriodMarkKind.FINAL, "5")):
        PeriodMark.objects.create(assignment=chemistry, pupil=pupil, kind=kind, value=value, updated_by=cast.admin)
    (section,) = _document(cast, school_class=eleventh.pk).sections
    assert section.subtitles == ["I", "II", "Г", "Э", "И"]
    assert _rows(section.tables[0])["Егоров Егор"][2:] == [4, 5, 5, 4, 5, ""]


def test_screen_xlsx_and_pdf(sheet, client):
    client.force_login(sheet.classteacher)
    url = reverse("reports:summary-sheet")
    query = {"year": sheet.year.pk, "school_class": sheet.class_a.pk}
    page = client.get(url, query)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Сводная ведомость учёта успеваемости" in html and "выбыла 20.11.2026" in html and "осв." in html
    assert 'colspan="5">Английский язык</th>' in html
    xlsx = client.get(url, {**query, "format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].startswith("attachment")
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["7 «А»"]
    ws = workbook.active
    row = next(r for r in ws.iter_rows(values_only=True) if r[1] == "Алексеев Андрей")
    assert row[2:7] == (4, 4, 4, 4, 4) and row[12] == "зч"  # numbers are numbers, зачёт is text
    assert ws.freeze_panes is not None
    assert any(str(rng).count(":") for rng in ws.merged_cells.ranges)  # the subjects' grouped header
    pdf = client.get(url, {**query, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_bad_filters_are_a_russian_message(sheet, client):
    client.force_login(sheet.deputy)
    url = reverse("reports:summary-sheet")
    response = client.get(url, {"school_class": "abc"})
    assert response.status_code == 400
    assert "Выберите" in response.content.decode()
    assert client.get(url, {"school_class": "999999"}).status_code == 400
    assert client.get(url, {"year": "-1"}).status_code == 400
    download = client.get(url, {"school_class": "abc", "format": "xlsx"})
    assert download.status_code == 302 and "format" not in download["Location"]


def test_who_sees_which_class(sheet, client):
    url = reverse("reports:summary-sheet")
    client.force_login(sheet.classteacher)
    assert client.get(url).status_code == 200  # their class by default
    assert "Алексеев Андрей" in client.get(url).content.decode()
    assert client.get(url, {"school_class": sheet.class_b.pk}).status_code == 400  # not their class
    # A class teacher has no «whole school» choice: the filter is ignored, their class is shown.
    assert "Алексеев Андрей" in client.get(url, {"scope": "school"}).content.decode()
    for user in (sheet.teacher, sheet.pupil_user, sheet.parent_user):
        client.force_login(user)
        assert client.get(url, {"school_class": sheet.class_a.pk}).status_code == 404
    client.force_login(sheet.foreign_admin)
    assert client.get(url, {"school_class": sheet.class_a.pk}).status_code == 400
    client.force_login(sheet.director)
    assert "Алексеев Андрей" in client.get(url, {"school_class": sheet.class_a.pk}).content.decode()


QUERIES = 9  # director, grade settings, periods, classes, rosters, curriculum, assignments, marks, exemptions


def test_query_count_does_not_grow(sheet, django_assert_num_queries):
    scope = report_scope(sheet.admin)
    one = {"year": sheet.year, "school_class": sheet.class_a, "scope": "class"}
    school = {"year": sheet.year, "school_class": None, "scope": "school"}
    with django_assert_num_queries(QUERIES):
        summary_sheets(scope, one)
    with django_assert_num_queries(QUERIES):
        summary_sheets(scope, school, progress=lambda done, total: None)
    for number in range(6):
        pupil = make_pupil(sheet, f"Новиков{number}", "Николай", "m", sheet.class_a, sheet.year.start_date)
        _marks(sheet, sheet.math_a, pupil, ["4", "4", "5", "5"], "5")
        other = make_pupil(sheet, f"Осипов{number}", "Олег", "m", sheet.class_b, sheet.year.start_date)
        _marks(sheet, sheet.russian_b, other, ["3", "4"])
    ninth = services.class_create(actor=sheet.admin, year=sheet.year, grade=9, letter="В")
    make_pupil(sheet, "Павлов", "Пётр", "m", ninth, sheet.year.start_date)
    with django_assert_num_queries(QUERIES):
        summary_sheets(scope, one)
    with django_assert_num_queries(QUERIES):
        figures = summary_sheets(scope, school, progress=lambda done, total: None)
    assert [len(s.pupils) for s in figures.sheets] == [12, 7, 1]


def test_whole_school_on_screen_lists_classes(sheet, client):
    client.force_login(sheet.deputy)
    page = client.get(reverse("reports:summary-sheet"), {"year": sheet.year.pk, "scope": "school"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "7 «А»" in html and "8 «Б»" in html and "одним файлом" in html


def test_whole_school_workbook_is_a_background_job(sheet, client, django_capture_on_commit_callbacks):
    client.force_login(sheet.deputy)
    url = reverse("reports:summary-sheet")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.get(url, {"year": sheet.year.pk, "scope": "school", "format": "xlsx"})
    job = ReportJob.objects.get(report="summary-sheet")
    assert response.status_code == 302 and response["Location"] == reverse("reports:job", args=[job.pk])
    job.refresh_from_db()
    assert job.status == JobStatus.READY, job.error
    assert (job.progress_done, job.progress_total) == (2, 2)
    download = client.get(reverse("reports:job_download", args=[job.pk]))
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(download.content))
    assert workbook.sheetnames == ["7 «А»", "8 «Б»"]  # a sheet per class
    row = next(r for r in workbook["7 «А»"].iter_rows(values_only=True) if r[1] == "Григорьев Глеб")
    assert row[2:7] == (3, 3, 3, 3, 3) and row[12:17] == ("осв.",) * 5
    with django_capture_on_commit_callbacks(execute=True):
        client.get(url, {"year": sheet.year.pk, "scope": "school", "format": "pdf"})
    pdf_job = ReportJob.objects.get(report="summary-sheet", fmt="pdf")
    assert pdf_job.status == JobStatus.READY and bytes(pdf_job.file).startswith(b"%PDF")


def test_the_pdf_page_is_the_paper_sheet(sheet):
    """The PDF's markup: A4 landscape, the class and the year on top, the header repeated on each page, marks,
    movement notes and the signature lines with the names."""
    document = _document(sheet, school_class=sheet.class_a.pk)
    assert document.landscape and document.pdf_template == "reports/pdf/summary_sheet.html"
    html = render_to_string(document.pdf_template, {"document": document})
    assert "size: A4 landscape" in html and "thead { display: table-header-group; }" in html
    assert "7 «А» класс, 2026/2027 учебный год" in html
    assert '<th colspan="5" class="subject">Физическая культура</th>' in html
    assert '<td class="text-danger fw-semibold">нз</td>' in html and "выбыла 20.11.2026" in html
    assert "Классный руководитель ______________________ / Classteacher А. П. /" in html
    assert "Директор ______________________ / Director А. П. /" in html
