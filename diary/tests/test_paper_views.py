"""The paper diaries page of a class: who sees it, the batch print through the form (queued, then made by the task:
eager here, so the redirect lands on a ready print), messages, the log with each print's state, the PDF download,
the queries."""

import datetime as dt
import re

import pytest
from django.test import TestCase
from django.urls import reverse

from accounts.choices import InfoForm
from diary.models import PaperDiaryPrint
from diary.tests.test_paper_print import TODAY, at, build_paper_class, family, pdf_text, print_batch, request_batch

Status = PaperDiaryPrint.Status

PRINT = {"date_from": "2026-11-07", "date_to": "2026-11-20", "layout": "one"}


def url(school_class) -> str:
    return reverse("diary:paper", args=[school_class.pk])


def pdf_url(record) -> str:
    return reverse("diary:paper_pdf", args=[record.pk])


def post(client, target: str, data: dict):
    """POST as the browser does, with the commit's callbacks run (eager Celery: the task makes the PDF)."""
    with TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(target, data)


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
    assert reverse("journal:pupil_card", args=[cast.pupil.pk]) in page
    # the form: the last two weeks ending today, one pupil per page by default
    assert 'name="date_from" value="2026-11-07"' in page and 'name="date_to" value="2026-11-20"' in page
    assert re.search(r'value="one"[^>]*checked', page) and not re.search(r'value="two"[^>]*checked', page)
    assert "ещё не распечатывались" in page


def test_printing_queues_the_batch_and_the_page_offers_the_pdf(client, paper_class, today):
    cast = paper_class
    client.force_login(cast.classteacher)
    response = post(client, url(cast.class_a), PRINT)
    assert response.status_code == 302 and response.url == url(cast.class_a) + "#print-log"
    record = PaperDiaryPrint.objects.get()
    assert (record.date_from, record.date_to, record.pupils, record.printed_by, record.status) == (
        dt.date(2026, 11, 7),
        TODAY,
        1,
        cast.classteacher,
        Status.READY,
    )
    page = client.get(url(cast.class_a)).content.decode()
    assert "Последняя распечатка — 20.11.2026 (сегодня)" in page and "07.11–20.11.2026" in page
    assert f'href="{pdf_url(record)}"' in page and "Скачать PDF" in page and f"{record.pages} стр." in page
    assert "hx-trigger" not in page and "http-equiv" not in page  # nothing pending: no refreshing
    response = client.get(pdf_url(record))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == (
        "attachment; filename*=utf-8''%D0%B4%D0%BD%D0%B5%D0%B2%D0%BD%D0%B8%D0%BA%D0%B8_7%D0%90_07.11-20.11.2026.pdf"
    )
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    assert cast.pupil.user.full_name in text and "Новикова" not in text


@pytest.mark.parametrize("role", ["deputy", "director", "admin"])
def test_the_administration_prints_any_class(client, paper_class, today, role):
    cast = paper_class
    client.force_login(getattr(cast, role))
    assert client.get(url(cast.class_b)).status_code == 200
    assert post(client, url(cast.class_b), PRINT).status_code == 302
    record = PaperDiaryPrint.objects.get(school_class=cast.class_b)
    response = client.get(pdf_url(record))
    assert response["Content-Type"] == "application/pdf"
    assert "Other_pupil Иван" in pdf_text(response.content)


def test_a_pending_print_shows_a_spinner_and_the_page_refreshes_itself(client, paper_class, today):
    cast = paper_class
    record, _callbacks = request_batch(cast)  # queued, not handed over yet
    client.force_login(cast.classteacher)
    page = client.get(url(cast.class_a)).content.decode()
    assert "spinner-border" in page and "в очереди…" in page and "Страница обновится сама" in page
    assert 'hx-trigger="every 3s"' in page and 'hx-select="#print-log"' in page
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in page
    assert pdf_url(record) not in page and "ещё не распечатывались" in page
    PaperDiaryPrint.objects.filter(pk=record.pk).update(status=Status.RENDERING)
    page = client.get(url(cast.class_a), headers={"HX-Request": "true"}).content.decode()  # the poll
    assert "готовится…" in page and 'id="print-log"' in page and 'id="paper-status"' in page
    assert client.get(pdf_url(record)).status_code == 404  # no PDF yet


def test_a_failed_print_shows_the_error_and_prints_again(client, paper_class, today, monkeypatch):
    cast = paper_class
    monkeypatch.setattr("diary.services.paper.render_pdf", lambda html: 1 / 0)
    client.force_login(cast.classteacher)
    assert post(client, url(cast.class_a), PRINT).status_code == 302
    failed = PaperDiaryPrint.objects.get()
    assert failed.status == Status.FAILED and client.get(pdf_url(failed)).status_code == 404
    page = client.get(url(cast.class_a)).content.decode()
    assert "не удалась" in page and "ZeroDivisionError: division by zero" in page and "Повторить" in page
    assert 'name="date_from" value="2026-11-07"' in page and "hx-trigger" not in page
    monkeypatch.undo()
    assert post(client, url(cast.class_a), PRINT).status_code == 302  # what the «Повторить» button posts
    again = PaperDiaryPrint.objects.exclude(pk=failed.pk).get()
    assert again.status == Status.READY and client.get(pdf_url(again)).status_code == 200


def test_an_old_print_without_its_pdf_offers_to_print_again(client, paper_class, today):
    cast = paper_class
    record, _callbacks = request_batch(cast)
    PaperDiaryPrint.objects.filter(pk=record.pk).update(status=Status.READY, layout="")  # as the migration leaves it
    client.force_login(cast.classteacher)
    page = client.get(url(cast.class_a)).content.decode()
    assert "PDF не сохранён" in page and "Распечатать снова" in page and 'name="layout" value="one"' in page
    assert pdf_url(record) not in page and client.get(pdf_url(record)).status_code == 404


@pytest.mark.parametrize(
    "data, message",
    [
        ({"date_from": "2026-11-20", "date_to": "2026-11-07"}, "Дата начала позже даты окончания"),
        ({"date_from": "2026-10-01", "date_to": "2026-11-20"}, "Период слишком длинный"),
        ({"date_from": "2026-08-20", "date_to": "2026-09-02"}, "внутри учебного года"),
        ({"date_from": "2026-11-30", "date_to": "2026-12-04"}, "начинается в будущем"),
        ({"date_from": "2026-02-30", "date_to": "2026-11-20"}, "Такой даты нет: 2026-02-30."),
        ({"date_from": "вчера", "date_to": "99999-01-01"}, "Введите правильную дату"),
        ({"date_from": "", "date_to": ""}, "Обязательное поле"),
        ({"layout": "four"}, "Выберите корректный вариант"),
    ],
)
def test_bad_input_gets_a_russian_message_and_prints_nothing(client, paper_class, today, data, message):
    cast = paper_class
    client.force_login(cast.classteacher)
    with TestCase.captureOnCommitCallbacks() as queued:
        response = client.post(url(cast.class_a), {**PRINT, **data})
    assert response.status_code == 400 and response["Content-Type"].startswith("text/html")
    assert message in response.content.decode()
    assert not PaperDiaryPrint.objects.exists() and queued == []


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
        post(client, url(cast.class_a), {**PRINT, "date_from": "2026-10-20", "date_to": "2026-11-02"})
    # Days later the teacher signs in again (a session ends after 8 idle hours; the day's visit renewed it on 2.11).
    with at(dt.date(2026, 11, 17)):
        client.force_login(cast.classteacher)
        assert "Последняя распечатка — 02.11.2026 (15 дн. назад)" in client.get(url(cast.class_a)).content.decode()
    with at(dt.date(2026, 11, 18)):
        client.force_login(cast.classteacher)
        page = client.get(url(cast.class_a)).content.decode()
    assert "16 дн. назад (больше 15 дней)" in page and "alert-warning" in page


# --- access -----------------------------------------------------------------------------------


def test_anonymous_goes_to_the_login_page(client, paper_class, today):
    for response in (client.get(url(paper_class.class_a)), client.post(url(paper_class.class_a), PRINT)):
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert not PaperDiaryPrint.objects.exists()
    _pdf, record = print_batch(paper_class)
    response = client.get(pdf_url(record))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


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
    assert post(client, target, PRINT).status_code == 404
    assert not PaperDiaryPrint.objects.exists()
    _pdf, record = print_batch(cast, actor=cast.admin, school_class=getattr(cast, school_class))
    assert record.status == Status.READY and client.get(pdf_url(record)).status_code == 404


@pytest.mark.parametrize("role", ["classteacher", "deputy", "director", "admin"])
def test_those_who_print_for_the_class_download_its_pdfs(client, paper_class, today, role):
    cast = paper_class
    _pdf, record = print_batch(cast)  # printed by the class teacher
    client.force_login(getattr(cast, role))
    response = client.get(pdf_url(record))
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_an_unknown_class_is_404(client, paper_class, today):
    client.force_login(paper_class.admin)
    assert client.get(reverse("diary:paper", args=[999999])).status_code == 404


def test_an_unknown_print_is_404(client, paper_class, today):
    client.force_login(paper_class.admin)
    assert client.get(reverse("diary:paper_pdf", args=[999999])).status_code == 404


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_wrong_method(client, paper_class, today, method):
    client.force_login(paper_class.classteacher)
    assert getattr(client, method)(url(paper_class.class_a)).status_code == 405
    assert not PaperDiaryPrint.objects.exists()


@pytest.mark.parametrize("method", ["post", "put", "delete"])
def test_the_pdf_is_get_only(client, paper_class, today, method):
    _pdf, record = print_batch(paper_class)
    client.force_login(paper_class.classteacher)
    assert getattr(client, method)(pdf_url(record)).status_code == 405


# --- queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 8])
def test_the_page_has_a_fixed_number_of_queries(client, paper_class, today, django_assert_num_queries, extra):
    cast = paper_class
    for n in range(extra):
        family(cast, cast.class_a, 10 + n, "Сидорова", InfoForm.PAPER if n % 2 else InfoForm.ELECTRONIC)
    client.force_login(cast.classteacher)
    post(client, url(cast.class_a), PRINT)  # ready, with its PDF
    post(client, url(cast.class_a), {**PRINT, "layout": "two"})
    request_batch(cast, dates=(dt.date(2026, 11, 9), TODAY))  # pending
    PaperDiaryPrint.objects.filter(layout="two").update(status=Status.FAILED, error="OSError")
    # session, user+school, class (printable: visibility, with year, school, class teacher), pupils on the roll over
    # the interval, their parents on paper, the class's prints (with author), the consents: pupils on the roll today
    # and all their parents, menu: led class and unread (one query)
    with django_assert_num_queries(9):
        response = client.get(url(cast.class_a))
    page = response.content.decode()
    assert page.count("Сидорова Мария</a>") == extra
    assert "Скачать PDF" in page and "не удалась" in page and "в очереди…" in page


def test_the_download_has_a_fixed_number_of_queries(client, paper_class, today, django_assert_num_queries):
    _pdf, record = print_batch(paper_class)
    client.force_login(paper_class.classteacher)
    client.get(pdf_url(record))
    # session, user+school, the print (visibility, with class, year, school); a file: no menu
    with django_assert_num_queries(3):
        assert client.get(pdf_url(record)).status_code == 200


@pytest.mark.parametrize("role", ["classteacher", "deputy", "admin"])
def test_the_class_page_links_to_paper_diaries(client, cast, role):
    # Everyone who reaches a class's page may print its paper diaries (the administration has no menu entry).
    client.force_login(getattr(cast, role))
    page = client.get(reverse("journal:class_detail", args=[cast.class_a.pk])).content.decode()
    assert reverse("diary:paper", args=[cast.class_a.pk]) in page
