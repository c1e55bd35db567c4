"""Error pages in Russian (400, 403, 404, 500, a refused CSRF token), the 500 page without a database, and errors
in JSON for a client that asks for JSON, the grid's cell endpoint first of all. DEBUG is off in the test settings,
as in production."""

import datetime as dt
from unittest import mock

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.test import Client
from django.urls import path, reverse

from ejournal import urls as project_urls
from journal.models import Lesson, Mark

JSON = {"HTTP_ACCEPT": "application/json"}


@pytest.fixture
def no_raise(client):
    """The test client hands the view's exception to the handlers instead of re-raising it, as a server does."""
    client.raise_request_exception = False
    return client


def database_down():
    """Every query fails as it does when PostgreSQL is unreachable."""
    return mock.patch(
        "django.db.backends.utils.CursorWrapper.execute",
        side_effect=OperationalError('connection to server at "db" (10.0.0.5), port 5432 failed: Connection refused'),
    )


def test_the_500_page_shows_with_the_database_down(no_raise, cast):
    """A signed-in user's request fails in the session middleware; the page needs no query to show."""
    no_raise.force_login(cast.parent_user)
    with database_down() as execute:
        response = no_raise.get(reverse("home"))
        assert execute.called  # the outage was hit
    assert response.status_code == 500
    page = response.content.decode()
    assert "Ошибка на сервере" in page and 'lang="ru"' in page
    assert "Server Error" not in page and "connection to server" not in page  # nothing from Django or the driver
    assert "/static/vendor/bootstrap/bootstrap.min.css" in page  # styled, from our own static files


def test_the_500_page_answers_json_to_a_script(no_raise, cast):
    no_raise.force_login(cast.teacher)
    with database_down():
        response = no_raise.get(reverse("home"), **JSON)
    assert response.status_code == 500 and response["Content-Type"] == "application/json"
    assert response.json() == {"error": "Ошибка на сервере. Попробуйте ещё раз через несколько минут."}


def test_a_404_is_russian_with_the_menu(client, cast):
    client.force_login(cast.teacher)
    response = client.get("/no/such/page/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Страница не найдена" in page and "Not Found" not in page
    assert reverse("messaging:inbox") in page  # the site's menu: the page is one of ours


def test_a_404_answers_json_to_a_script(client, cast):
    client.force_login(cast.teacher)
    response = client.get("/no/such/page/", **JSON)
    assert response.status_code == 404 and response.json() == {"error": "Не найдено."}


def raising(request, kind: str):
    raise {
        "service": PermissionDenied("Отправить письмо повторно может только администратор школы."),
        "bare": PermissionDenied(),
        "suspicious": SuspiciousOperation("bad"),
    }[kind]


# This module is the URL conf of the test below: the project's URLs and handlers, and a view that raises.
urlpatterns = [path("raise/<str:kind>/", raising), *project_urls.urlpatterns]
handler400, handler403 = project_urls.handler400, project_urls.handler403
handler404, handler500 = project_urls.handler404, project_urls.handler500


@pytest.mark.urls(__name__)
@pytest.mark.parametrize(
    "kind, status, words",
    [
        ("service", 403, "Отправить письмо повторно может только администратор школы."),  # the service's reason
        ("bare", 403, "Доступ запрещён"),
        ("suspicious", 400, "Неверный запрос"),
    ],
)
def test_403_and_400_are_russian(no_raise, cast, kind, status, words):
    no_raise.force_login(cast.teacher)
    response = no_raise.get(f"/raise/{kind}/")
    assert response.status_code == status
    page = response.content.decode()
    assert words in page and "Forbidden" not in page and "Bad Request" not in page


def test_a_refused_csrf_token_explains_itself(cast):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.parent_user)
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "Страница устарела" in page and "CSRF verification failed" not in page
    response = client.post(reverse("accounts:logout"), **JSON)
    assert response.status_code == 403 and "обновите" in response.json()["error"]


# The grid's cell endpoint: every refusal in JSON, which grid.js shows in the cell ----------------------------------


def a_lesson(cast) -> Lesson:
    return Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 11, 20), number=1)


def post_cell(client, lesson, pupil, **headers):
    data = {"lesson": lesson.pk, "pupil": pupil.pk, "field": "mark1", "value": "5"}
    return client.post(reverse("journal:grid_cell"), data, **headers)


def test_the_cell_endpoint_signed_out_answers_json_not_a_login_page(client, cast):
    response = post_cell(client, a_lesson(cast), cast.pupil)
    assert response.status_code == 401 and response["Content-Type"] == "application/json"
    assert "войдите снова" in response.json()["error"]


def test_the_cell_endpoint_refuses_get_in_json(client, cast):
    client.force_login(cast.teacher)
    response = client.get(reverse("journal:grid_cell"))
    assert response.status_code == 405 and response["Allow"] == "POST"
    assert response.json()["error"]


def test_a_lesson_the_user_may_not_see_is_404_in_json(client, cast):
    client.force_login(cast.other_teacher)
    response = post_cell(client, a_lesson(cast), cast.pupil)
    assert response.status_code == 404 and response.json() == {"error": "Урок не найден или недоступен вам."}
    assert not Mark.objects.exists()


def test_an_expired_csrf_token_on_a_cell_is_json(cast):
    """grid.js sends Accept: application/json: a page left open past the session's token gets words, not HTML."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.teacher)
    response = post_cell(client, a_lesson(cast), cast.pupil, **JSON)
    assert response.status_code == 403 and "Страница устарела" in response.json()["error"]
