"""Malformed dates and ids in URLs and forms get a page or a message, never a 500."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

D = dt.date
MSK = ZoneInfo("Europe/Moscow")


# Each page, and what it shows by default: a malformed date falls back to exactly that (the page of today).
PAGES = {
    "timetable": (
        lambda cast: reverse("journal:timetable_class", args=[cast.class_a.pk]),
        "journal/timetable/class_grid.html",
        lambda response: response.context["on_date"],
    ),
    "absences": (
        lambda cast: reverse("journal:absences", args=[cast.class_a.pk]),
        "journal/absences/week.html",
        lambda response: response.context["week"].start,
    ),
    "substitutions": (
        lambda cast: reverse("journal:substitutions"),
        "journal/substitution/log.html",
        lambda response: (response.context["start"], response.context["end"], response.context["day"]),
    ),
    "unlock": (
        lambda cast: reverse("journal:unlock_list"),
        "journal/unlock/list.html",
        lambda response: response.context["form"].initial,
    ),
}
TODAY_SHOWN = {
    "timetable": D(2026, 11, 20),
    "absences": D(2026, 11, 16),  # the Monday of the week
    "substitutions": (D(2026, 11, 2), D(2026, 12, 26), D(2026, 11, 20)),  # the 2nd quarter, today
    "unlock": {"until": D(2026, 11, 22)},  # nothing prefilled from the grid; two days ahead
}


@pytest.mark.parametrize("page", PAGES)
@pytest.mark.parametrize("bad", ["2026-13-45", "abc", ""])
def test_malformed_dates_in_queries_show_the_page_of_today(client, cast, page, bad):
    url, template, shown = PAGES[page]
    client.force_login(cast.deputy)
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=MSK), tick=False):
        for param in ("date", "week", "day"):
            response = client.get(url(cast), {param: bad})
            assert response.status_code == 200, f"{page}?{param}={bad}"
            assert response.templates[0].name == template
            assert shown(response) == TODAY_SHOWN[page], f"{page}?{param}={bad}"


@pytest.mark.parametrize("page", PAGES)
def test_a_good_date_is_taken(client, cast, page):
    """The other half of the fallback: a well-formed date is shown, so the test above is not passed by a page that
    ignores its date altogether."""
    url, _template, shown = PAGES[page]
    client.force_login(cast.deputy)
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=MSK), tick=False):
        response = client.get(url(cast), {"date": "2026-11-10", "week": "2026-11-10", "day": "2026-11-10"})
        assert shown(response) != TODAY_SHOWN[page]


def test_transfer_with_a_malformed_assignment_id(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("journal:setup_assignment_transfer", args=[cast.year.pk]),
        {"assignment": "abc", "teacher": cast.teacher.pk},
    )
    assert response.status_code == 404
