"""Итоговые данные по обучающимся on a class built by hand: year marks (a pass/fail subject, a subject taught in
subgroups, an exemption), unsatisfactory marks, subjects without a year mark, the promotion decisions and their
totals; the three formats, bad filters, who sees what, the fixed query count."""

import datetime as dt
import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from journal import services
from journal.models import PeriodMark, PeriodMarkKind, Promotion, PromotionDecision
from reports.access import report_scope
from reports.forms.final_data import FinalDataForm
from reports.render.document import cell_value
from reports.render.final_data import final_data_document
from reports.selectors.final_data import final_data

from .seventh_grade import make_pupil, seventh_grade

pytestmark = pytest.mark.django_db


def _year_mark(cast, assignment, pupil, value: str) -> None:
    PeriodMark.objects.create(
        assignment=assignment, pupil=pupil, kind=PeriodMarkKind.YEAR, value=value, updated_by=cast.admin
    )


@pytest.fixture
def final(cast):
    """7 «А» at the year's end: Математика, Физическая культура (зачёт), Английский язык in two subgroups.

    Алексеев 4/5/зч, promoted; Борисова left in November (not on the list); Волков arrived in January, «2» in
    English, promoted (conditionally); Григорьев exempt from PE for the year, promoted; Дмитриева no year marks,
    held back; the cast's pupil (in no English subgroup) has no marks and no decision. 8 «Б»: the other pupil, «5»
    in Russian, leaving.
    """
    admin = cast.admin
    c = seventh_grade(cast)
    english1, english2, pe_a = c.english1, c.english2, c.pe_a
    alekseev, borisova, volkov, grigoriev, dmitrieva = c.alekseev, c.borisova, c.volkov, c.grigoriev, c.dmitrieva
    for assignment, pupil, value in [
        (english1, alekseev, "4"), (cast.math_a, alekseev, "5"), (pe_a, alekseev, "зч"),
        (english1, borisova, "3"),
        (english2, volkov, "2"), (cast.math_a, volkov, "4"), (pe_a, volkov, "зч"),
        (english2, grigoriev, "3"), (cast.math_a, grigoriev, "3"),
        (cast.russian_b, cast.other_pupil, "5"),
    ]:  # fmt: skip
        _year_mark(cast, assignment, pupil, value)
    following = services.school_year_create(
        actor=admin, school=cast.school, name="2027/2028", start_date=dt.date(2027, 9, 1), end_date=dt.date(2028, 5, 26)
    )
    eighth = services.class_create(actor=admin, year=following, grade=8, letter="А")
    for pupil, decision, target in [
        (alekseev, PromotionDecision.PROMOTE, eighth),
        (volkov, PromotionDecision.PROMOTE, eighth),
        (grigoriev, PromotionDecision.PROMOTE, eighth),
        (dmitrieva, PromotionDecision.HOLD_BACK, None),
    ]:
        Promotion.objects.create(
            year=cast.year, pupil=pupil, from_class=cast.class_a, decision=decision, target_class=target
        )
    Promotion.objects.create(
        year=cast.year, pupil=cast.other_pupil, from_class=cast.class_b, decision=PromotionDecision.LEAVE
    )
    return cast


def _document(cast, user=None, **data):
    scope = report_scope(user or cast.admin)
    form = FinalDataForm({"year": cast.year.pk, **data}, scope=scope)
    assert form.is_valid(), form.errors
    return final_data_document(final_data(scope, form.cleaned_data), form)


def _values(row) -> list:
    return [cell_value(value) for value in row]


def test_each_pupil_and_the_totals_of_the_class(final):
    document = _document(final, school_class=final.class_a.pk)
    pupils, totals = (section.tables[0] for section in document.sections)
    assert [column.title for column in pupils.columns] == [
        "№", "Учащийся", "Английский язык", "Математика", "Физическая культура", "Неуд.", "Не атт.", "Решение",
    ]  # fmt: skip
    rows = {row[1]: _values(row) for row in pupils.rows}
    assert "Борисова Белла" not in rows  # left in November: not on the list at the year's end
    assert rows["Алексеев Андрей"][2:] == [4, 5, "зч", 0, 0, "перевод в 8 «А»"]
    assert rows["Волков Виктор"][2:] == [2, 4, "зч", 1, 0, "перевод в 8 «А»"]
    assert rows["Григорьев Глеб"][2:] == [3, 3, "осв.", 0, 0, "перевод в 8 «А»"]
    assert rows["Дмитриева Дарья"][2:] == [None, None, None, 0, 3, "повторное обучение: класс не выбран"]
    # In no English subgroup: English is not due; Математика and Физическая культура are.
    assert rows["Pupil Иван"][2:] == [None, None, None, 0, 2, "решение не принято"]
    assert [row[0] for row in pupils.rows] == [1, 2, 3, 4, 5]
    # Класс, учащихся, переведены, из них условно, повторное обучение, выпуск, выбывают, не принято, неуд., не атт.
    assert totals.rows == [["7 «А»", 5, 3, 1, 1, 0, 0, 1, 1, 2]]
    assert totals.totals == ["Всего", 5, 3, 1, 1, 0, 0, 1, 1, 2]


def test_the_whole_school_and_a_grade(final):
    document = _document(final)
    pupils, totals = (section.tables[0] for section in document.sections)
    titles = [column.title for column in pupils.columns]
    assert titles[:3] == ["№", "Класс", "Учащийся"]
    assert titles[3:8] == ["Английский язык", "Математика", "Русский язык", "Физика", "Физическая культура"]
    other = next(_values(row) for row in pupils.rows if row[2] == "Other_pupil Иван")
    assert other[1] == "8 «Б»" and other[3:] == [None, None, 5, None, None, 0, 1, "выбывает"]  # no year mark in Физика
    assert totals.rows[1] == ["8 «Б»", 1, 0, 0, 0, 0, 1, 0, 0, 1]
    assert totals.totals == ["Всего", 6, 3, 1, 1, 0, 1, 1, 1, 3]
    grade = _document(final, grade=8)
    assert [row[0] for row in grade.sections[1].tables[0].rows] == ["8 «Б»"]


def test_a_decided_pupil_who_moved_away_is_marked(final):
    Promotion.objects.filter(pupil__user__last_name="Алексеев").update(from_class=final.class_b)
    document = _document(final, school_class=final.class_b.pk)
    names = [cell_value(row[1]) for row in document.sections[0].tables[0].rows]
    assert "Алексеев Андрей" in names
    row = next(row for row in document.sections[0].tables[0].rows if cell_value(row[1]) == "Алексеев Андрей")
    assert row[1].note == "не в списке класса на конец года"


def test_screen_xlsx_and_pdf(final, client):
    client.force_login(final.classteacher)
    url = reverse("reports:final-data")
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert "Итоговые данные по обучающимся" in html and "повторное обучение: класс не выбран" in html
    assert "8 «Б»" not in html  # not the class teacher's class
    xlsx = client.get(url, {"year": final.year.pk, "format": "xlsx"})
    assert xlsx.status_code == 200
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == ["Учащиеся", "Итоги по решениям"]
    sheet = workbook["Учащиеся"]
    row = next(r for r in sheet.iter_rows(values_only=True) if r[1] == "Волков Виктор")
    assert row[2:7] == (2, 4, "зч", 1, 0)  # numbers are numbers
    assert sheet.freeze_panes is not None
    pdf = client.get(url, {"year": final.year.pk, "format": "pdf"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_bad_filters_are_a_russian_message(final, client):
    client.force_login(final.deputy)
    url = reverse("reports:final-data")
    response = client.get(url, {"school_class": final.class_a.pk, "grade": 8})
    assert response.status_code == 400
    assert "не из 8-й параллели" in response.content.decode()
    assert client.get(url, {"grade": "abc"}).status_code == 400
    assert client.get(url, {"school_class": "1e9"}).status_code == 400


def test_who_sees_what(final, client):
    url = reverse("reports:final-data")
    client.force_login(final.classteacher)
    assert client.get(url, {"school_class": final.class_b.pk}).status_code == 400
    for user in (final.teacher, final.pupil_user, final.parent_user):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(final.foreign_admin)
    page = client.get(url)
    assert page.status_code == 200 and "Алексеев" not in page.content.decode()
    client.force_login(final.director)
    assert "Other_pupil Иван" in client.get(url).content.decode()


QUERIES = 8  # classes, list, promotions, curriculum, assignments, year marks, exemptions, subgroup members


def test_query_count_does_not_grow(final, django_assert_num_queries):
    scope = report_scope(final.admin)
    data = {"year": final.year, "school_class": None, "grade": None}
    with django_assert_num_queries(QUERIES):
        final_data(scope, data)
    for number in range(5):
        pupil = make_pupil(final, f"Новиков{number}", "Николай", "m", final.class_a, final.year.start_date)
        _year_mark(final, final.math_a, pupil, "4")
        make_pupil(final, f"Осипов{number}", "Олег", "m", final.class_b, final.year.start_date)
    ninth = services.class_create(actor=final.admin, year=final.year, grade=9, letter="В")
    make_pupil(final, "Павлов", "Пётр", "m", ninth, final.year.start_date)
    with django_assert_num_queries(QUERIES):
        figures = final_data(scope, data)
    assert figures.total.pupils == 17
