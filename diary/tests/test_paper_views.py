"""The paper diaries page of a class: who sees it, the batch print through the form, messages, the log, the queries."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from accounts.choices import InfoForm
from diary.models import PaperDiaryPrint
from diary.tests.test_paper_print import TODAY, at, build_paper_class, family, pdf_text

PRINT = {"date_from": "2026-11-07", "date_to": "2026-11-20", "layout": "one"}


def url(school_class) -> str:
    return reverse("diary:paper", args=[school_class.pk])


@pytest.fixture
def paper_class(cast):
    return build_paper_class(cast)


@pytest.fixture
def today():
    with at(TODAY):
        yield TODAY


def test_the_class_teacher_sees_who_gets_paper_and_the_consents(client, paper_class, today):
    cast = paper_class
    client.force_login(cast.classteacher)
    response = client.get(url(cast.class_a))
    page = response.content.decode()
    assert response.status_code == 200
    # the paper family with the date of the choice; the electronic family is only in the consents table
    assert "Распечатка для 1 учащегося" in page
    assert f"<b>{cast.pupil.user.full_name}</b> — Родитель Ольга (мать, бумага с 03.09.2026)" in page
    assert "Новикова Мария</a>" in page and "электронная" in page and "03.09.2026" in page
    assert reverse("accounts:pupil_card", args=[cast.pupil.pk]) in page
    # the form: the last two weeks ending today, one pupil per page by default
    assert 'name="date_from" value="2026-11-07"' in page and 'name="date_to" value="2026-11-20"' in page
    assert re.search(r'value="one"[^>]*checked', page) and not re.search(r'value="two"[^>]*checked', page)
    assert "ещё не распечатывались" in page


def test_printing_gives_one_pdf_and_a_log_entry(client, paper_class, today):
    cast = paper_class
    client.force_login(cast.classteacher)
    response = client.post(url(cast.class_a), PRINT)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert "attachment" in response["Content-Disposition"] and "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert cast.pupil.user.full_name in text and "Новикова" not in text
    record = PaperDiaryPrint.objects.get()
    assert (record.date_from, record.date_to, record.pupils, record.printed_by) == (
        dt.date(2026, 11, 7),
        TODAY,
        1,
        cast.classteacher,
    )
    page = client.get(url(cast.class_a)).content.decode()
    assert "Последняя распечатка — 20.11.2026 (сегодня)" in page and "07.11–20.11.2026" in page


@pytest.mark.parametrize("role", ["deputy", "director", "admin"])
def test_the_administration_prints_any_class(client, paper_class, today, role):
    cast = paper_class
    client.force_login(getattr(cast, role))
    assert client.get(url(cast.class_b)).status_code == 200
    response = client.post(url(cast.class_b), PRINT)
    assert response["Content-Type"] == "application/pdf"
    assert "Other_pupil Иван" in pdf_text(response.content)


@pytest.mark.parametrize(
    "data, message",
    [
        ({"date_from": "2026-11-20", "date_to": "2026-11-07"}, "Дата начала позже даты окончания"),
        ({"date_from": "2026-10-01", "date_to": "2026-11-20"}, "Период слишком длинный"),
        ({"date_from": "2026-08-20", "date_to": "2026-09-02"}, "внутри учебного года"),
        ({"date_from": "2026-11-30", "date_to": "2026-12-04"}, "начинается в будущем"),
        ({"date_from": "2026-02-30", "date_to": "2026-11-20"}, "Введите правильную дату"),
        ({"date_from": "вчера", "date_to": "99999-01-01"}, "Введите правильную дату"),
        ({"date_from": "", "date_to": ""}, "Обязательное поле"),
        ({"layout": "four"}, "Выберите корректный вариант"),
    ],
)
def test_bad_input_gets_a_russian_message_and_prints_nothing(client, paper_class, today, data, message):
    cast = paper_class
    client.force_login(cast.classteacher)
    response = client.post(url(cast.class_a), {**PRINT, **data})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert not PaperDiaryPrint.objects.exists()


def test_a_class_without_paper_families_says_so_and_prints_nothing(client, cast, today):
    family(cast, cast.class_a, 1, "Новикова", InfoForm.ELECTRONIC)
    client.force_login(cast.classteacher)
    page = client.get(url(cast.class_a)).content.decode()
    assert "Ни один родитель учащихся класса не выбрал бумажную форму" in page
    assert 'name="date_from"' not in page and "ещё не распечатывались" not in page
    response = client.post(url(cast.class_a), PRINT)
    assert response.status_code == 400 and "распечатывать нечего" in response.content.decode()
    assert not PaperDiaryPrint.objects.exists()


def test_the_page_warns_when_the_last_printout_is_older_than_15_days(client, paper_class):
    cast = paper_class
    client.force_login(cast.classteacher)
    with at(dt.date(2026, 11, 2)):
        client.post(url(cast.class_a), {**PRINT, "date_from": "2026-10-20", "date_to": "2026-11-02"})
    with at(dt.date(2026, 11, 17)):
        assert "Последняя распечатка — 02.11.2026 (15 дн. назад)" in client.get(url(cast.class_a)).content.decode()
    with at(dt.date(2026, 11, 18)):
        page = client.get(url(cast.class_a)).content.decode()
    assert "16 дн. назад (больше 15 дней)" in page and "alert-warning" in page


# --- access -----------------------------------------------------------------------------------


def test_anonymous_goes_to_the_login_page(client, paper_class, today):
    for response in (client.get(url(paper_class.class_a)), client.post(url(paper_class.class_a), PRINT)):
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert not PaperDiaryPrint.objects.exists()


@pytest.mark.parametrize(
    "role, school_class",
    [
        ("classteacher", "class_b"),  # another class's teacher (she teaches there, but does not lead it)
        ("teacher", "class_a"),  # teaches the class, does not lead it
        ("other_teacher", "class_a"),
        ("parent_user", "class_a"),  # a parent who chose paper still does not print
        ("parent2_user", "class_b"),
        ("pupil_user", "class_a"),
        ("foreign_admin", "class_a"),  # another school
    ],
)
def test_outsiders_get_404(client, paper_class, today, role, school_class):
    cast = paper_class
    client.force_login(getattr(cast, role))
    target = url(getattr(cast, school_class))
    assert client.get(target).status_code == 404
    assert client.post(target, PRINT).status_code == 404
    assert not PaperDiaryPrint.objects.exists()


def test_an_unknown_class_is_404(client, paper_class, today):
    client.force_login(paper_class.admin)
    assert client.get(reverse("diary:paper", args=[999999])).status_code == 404


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_method(client, paper_class, today, method):
    client.force_login(paper_class.classteacher)
    assert getattr(client, method)(url(paper_class.class_a)).status_code == 405
    assert not PaperDiaryPrint.objects.exists()


# --- queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 8])
def test_the_page_has_a_fixed_number_of_queries(client, paper_class, today, django_assert_max_num_queries, extra):
    cast = paper_class
    for n in range(extra):
        family(cast, cast.class_a, 10 + n, "Сидорова", InfoForm.PAPER if n % 2 else InfoForm.ELECTRONIC)
    client.force_login(cast.classteacher)
    client.post(url(cast.class_a), PRINT)
    with django_assert_max_num_queries(12):
        response = client.get(url(cast.class_a))
    assert response.content.decode().count("Сидорова Мария</a>") == extra
