"""The lesson page's «к какому дню» of homework: the field, its bounds, its Russian refusals beside it, and the
homework list saying for which day each is.

The clock stands on Friday 18 December 2026 (the 2nd quarter, 02.11–26.12).
"""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from journal.models import Homework, Lesson

MSK = ZoneInfo("Europe/Moscow")
OPEN_DAY = dt.date(2026, 12, 16)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 18, 10, 0, tzinfo=MSK), tick=False):
        yield


@pytest.fixture
def held(cast):
    return Lesson.objects.create(assignment=cast.math_a, date=OPEN_DAY, number=1)


def post(client, held, **data):
    return client.post(reverse("journal:grid_lesson", args=[held.pk]), {"topic": "Дроби", "homework": "new", **data})


def test_the_field_is_offered_within_the_year_after_the_lesson(client, cast, held):
    client.force_login(cast.teacher)
    page = client.get(reverse("journal:grid_lesson", args=[held.pk])).content.decode()
    assert "К какому дню" in page and 'type="date"' in page
    assert 'min="2026-12-17"' in page and 'max="2027-05-26"' in page
    assert "Пусто — к следующему уроку по расписанию" in page


def test_a_due_date_is_saved_and_shown_in_the_list(client, cast, held):
    client.force_login(cast.teacher)
    response = post(client, held, homework_text="№ 245", homework_due_date="2026-12-21")
    assert response.status_code == 302
    assert Homework.objects.get(lesson=held).due_date == dt.date(2026, 12, 21)
    page = client.get(reverse("journal:grid_lesson", args=[held.pk])).content.decode()
    assert "к 21.12.2026 (пн)" in page and 'value="2026-12-21"' in page


@pytest.mark.parametrize(
    "data, message",
    [
        ({"homework_text": "№ 1", "homework_due_date": "2026-12-16"}, "не раньше следующего дня после урока"),
        ({"homework_text": "№ 1", "homework_due_date": "2026-12-19"}, "19.12.2026 — не учебный день для 7 «А» класса"),
        ({"homework_text": "№ 1", "homework_due_date": "2027-06-01"}, "в пределах учебного года"),
        ({"homework_text": "", "homework_due_date": "2026-12-21"}, "Срок указан, а задания нет"),
        ({"homework_text": "№ 1", "homework_due_date": "21.13.2026"}, "Введите правильную дату"),
    ],
)
def test_a_wrong_due_date_is_refused_beside_the_field(client, cast, held, data, message):
    client.force_login(cast.teacher)
    response = post(client, held, **data)
    assert response.status_code == 200
    page = response.content.decode()
    field = page[page.index('id="div_id_homework_due_date"') :]
    assert message in field[: field.index("</div>", field.index("invalid-feedback"))]
    assert not Homework.objects.exists() and Lesson.objects.get(pk=held.pk).topic == ""
