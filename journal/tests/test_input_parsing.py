"""Ids, integers and dates from URLs, query strings and forms (journal.dates, journal.forms.fields): a page or a
Russian message, never a 500. The generated fuzz over every URL is ejournal/tests/test_fuzz.py."""

import datetime as dt

import pytest
from django.urls import reverse

from journal.selectors import timetable as tt
from journal.services.timetable import room_create

TWENTY_DIGITS = "9" * 20


@pytest.fixture
def rooms(cast):
    for name in ("204", "²", "Спортзал", "٣ этаж", "31"):
        room_create(actor=cast.deputy, school=cast.school, name=name)


def test_a_room_named_with_a_superscript_digit_keeps_the_timetable_open(client, cast, rooms):
    """Issue 10: a room named «²» gave 500 on both pages for every staff role (int("²") in the rooms' order)."""
    for user in (cast.deputy, cast.teacher, cast.director):
        client.force_login(user)
        for name in ("journal:timetable_index", "journal:timetable_rooms"):
            assert client.get(reverse(name)).status_code == 200, (user, name)


def test_rooms_in_order_numbered_first_then_by_name(cast, rooms):
    rows = tt.room_list(cast.school, cast.year, dt.date(2026, 10, 1))
    assert [row.room.name for row in rows] == ["31", "204", "²", "Спортзал", "٣ этаж"]


@pytest.mark.parametrize("bad", ["²", "٣", "１２", TWENTY_DIGITS, "-1"])
def test_malformed_ids_in_queries(client, cast, bad):
    """Each of these read an id or a number with ``str.isdigit()`` and ``int()``: «²» was a 500."""
    client.force_login(cast.admin)
    for url, params in (
        (reverse("journal:setup"), {"year": bad}),
        (reverse("journal:unlock_list"), {"assignment": bad}),
        (reverse("journal:timetable_class", args=[cast.class_a.pk]), {"weekday": bad, "number": bad}),
        (reverse("journal:year_detail"), {"grade": bad}),
        (reverse("journal:absences", args=[cast.class_a.pk]), {"pupil": bad, "day": "2026-10-01"}),
        (reverse("journal:plan", args=[cast.math_a.pk]), {"edit": bad}),
    ):
        assert client.get(url, params).status_code == 200, url


@pytest.mark.parametrize("bad", ["²", TWENTY_DIGITS])
def test_malformed_ids_in_forms(client, cast, bad):
    client.force_login(cast.admin)
    transfer = reverse("journal:setup_assignment_transfer", args=[cast.year.pk])
    assert client.post(transfer, {"assignment": bad, "teacher": cast.teacher.pk}).status_code == 404
    client.force_login(cast.deputy)
    override = reverse("journal:period_mark_override", args=[cast.math_a.pk])
    response = client.post(override, {"pupil": bad, "reason": "справка"})
    assert response.status_code == 302  # «Учащийся не найден в этом классе.»


def test_twenty_digits_in_a_path_are_no_id(client, cast):
    """The ``id`` converter: twenty digits overflowed SQLite's integer in the view's query (500)."""
    client.force_login(cast.admin)
    for name in ("journal:class_detail", "journal:grid", "journal:pupil_card"):
        assert client.get(reverse(name, args=[TWENTY_DIGITS])).status_code == 404
    url = reverse("journal:parent_card", args=[cast.pupil.pk, 2**63])
    assert client.post(url).status_code == 404


def test_twenty_digits_in_a_model_choice_field_is_a_form_error(client, cast):
    """A ModelMultipleChoiceField handed the id to the database: an SQLite overflow, a 500."""
    client.force_login(cast.admin)
    url = reverse("journal:setup_class", args=[cast.class_a.pk])
    response = client.post(url, {"name": "1 подгруппа", "pupils": [TWENTY_DIGITS]})
    assert response.status_code == 200
    assert "pupils" in response.context["form"].errors


def test_a_day_that_does_not_exist_is_named(client, cast):
    """«31.02.2013» is a date that does not exist, not a format error."""
    client.force_login(cast.admin)
    response = client.post(
        reverse("journal:year_create"), {"name": "2027/2028", "start_date": "31.02.2027", "end_date": "2028-05-26"}
    )
    assert response.status_code == 200
    assert response.context["form"].errors["start_date"] == ["Такой даты нет: 31.02.2027."]
