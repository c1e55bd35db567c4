"""RefuseNulMiddleware: a NUL in the path, the query, a form field or a cookie is a 400 before any view runs.

PostgreSQL refuses NUL in text: the staff search (``/messages/new/?q=``) gave a 500 there."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

REFUSED = "недопустимый символ (NUL)"


@pytest.fixture
def staff_client(client, cast):
    client.force_login(cast.deputy)
    return client


def refused(response) -> bool:
    return response.status_code == 400 and REFUSED in response.content.decode()


def test_nul_in_the_query_is_refused(staff_client):
    assert refused(staff_client.get(reverse("messaging:compose"), {"q": "Ива\x00нов"}))
    assert refused(staff_client.get(reverse("journal:timetable_index"), {"da\x00te": "2026-10-01"}))


def test_nul_in_the_path_is_refused(staff_client):
    assert refused(staff_client.get("/journal/people/import/sample/pupils%00.csv"))


def test_nul_in_a_form_field_is_refused(client, cast):
    assert refused(client.post(reverse("accounts:login"), {"username": "admin\x00", "password": "x"}))
    client.force_login(cast.deputy)
    form = {"q": "\x00", "find": "1"}
    assert refused(client.post(reverse("messaging:compose"), form))  # multipart, as the test client sends it


def test_nul_in_a_cookie_is_refused(staff_client):
    staff_client.cookies[settings.SESSION_COOKIE_NAME] = "abcdefgh\x00"
    assert refused(staff_client.get(reverse("home")))


def test_a_file_with_nul_bytes_is_the_importers_to_judge(staff_client):
    """Uploaded files are not form fields: a spreadsheet is full of NUL bytes."""
    upload = SimpleUploadedFile("list.xlsx", b"PK\x03\x04\x00\x00binary")
    response = staff_client.post(reverse("accounts:login"), {"file": upload})
    assert not refused(response)


def test_an_ordinary_request_passes(staff_client):
    assert staff_client.get(reverse("journal:timetable_index"), {"date": "2026-10-01"}).status_code == 200
