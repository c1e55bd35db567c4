"""The class journal grid's markup for screen readers (docs/accessibility.md): a named grid, date headers read in
full, the pupils as row headers, no Tab stop but the active cell (the browser side: test_grid_keyboard.py)."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from journal.models import Lesson

MSK = ZoneInfo("Europe/Moscow")


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 18, 10, 0, tzinfo=MSK), tick=False):
        yield


def test_the_grid_is_named_and_its_headers_read_in_full(client, cast):
    Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 11, 9), number=1)  # past the lock
    Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 12, 16), number=2, is_control=True, topic="Дроби")
    client.force_login(cast.teacher)
    html = client.get(reverse("journal:grid", args=[cast.math_a.pk])).content.decode()
    assert 'id="grid-title"' in html and 'id="grid-keys"' in html
    assert '<table class="gr" id="grid" role="grid" aria-labelledby="grid-title" aria-describedby="grid-keys"' in html
    # The visible «16 12» is hidden from a screen reader, which reads the header in full instead (WCAG 2.5.3: no
    # aria-label that would not contain the visible text).
    assert '<span class="visually-hidden">ср 16.12.2026, 2 урок: Дроби, контрольная работа</span>' in html
    assert '<span class="visually-hidden">пн 09.11.2026, 1 урок, закрыт для отметок</span>' in html
    assert '<span class="mk" aria-hidden="true">' in html
    # No link inside the table is a Tab stop of its own; each pupil's name heads the row.
    table = html[html.index('<table class="gr"') : html.index("</table>")]
    assert not re.search(r"<a (?![^>]*tabindex=\"-1\")", table)
    assert table.count("<tr data-p=") == table.count('<th class="nm" scope="row"') >= 1
    assert "aria-readonly" not in table


def test_a_read_only_grid_says_so(client, cast):
    Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 12, 16), number=1)
    client.force_login(cast.deputy)
    html = client.get(reverse("journal:grid", args=[cast.math_a.pk])).content.decode()
    assert 'role="grid" aria-labelledby="grid-title" aria-describedby="grid-keys" aria-readonly="true"' in html
    assert "Выйти из таблицы: Tab (вперёд) или Shift+Tab (назад)." in html
