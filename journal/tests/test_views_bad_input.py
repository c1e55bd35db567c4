"""Malformed dates and ids in URLs and forms get a page or a message, never a 500."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize("bad", ["2026-13-45", "abc", ""])
def test_malformed_dates_in_queries(client, cast, bad):
    client.force_login(cast.deputy)
    for url in (
        reverse("journal:timetable_class", args=[cast.class_a.pk]),
        reverse("journal:absences", args=[cast.class_a.pk]),
        reverse("journal:substitutions"),
        reverse("journal:unlock_list"),
    ):
        for param in ("date", "week", "day"):
            response = client.get(url, {param: bad})
            assert response.status_code < 500, f"{url}?{param}={bad}"


def test_transfer_with_a_malformed_assignment_id(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("journal:setup_assignment_transfer", args=[cast.year.pk]),
        {"assignment": "abc", "teacher": cast.teacher.pk},
    )
    assert response.status_code == 404
