"""The health endpoint (/health/): each check passes or names what is wrong, the token keeps it from strangers when
set, and it never shows anything about users or schools."""

import datetime as dt
import time
from contextlib import contextmanager

import pytest
from django.urls import reverse
from django.utils import timezone

from diary.choices import EmailStatus
from diary.models import NotificationCursor
from diary.services.notifications import RECORDS_CURSOR, RECORDS_LAG
from diary.tests.test_notifications_support import outgoing
from ejournal.celery import app as celery_app

CHECKS = {"Database(alias='default')", "Cache(alias='default')", "Storage(alias='default')", "Broker()", "Outbox()"}


@pytest.fixture
def health(client, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path  # the storage probe writes and deletes a file there

    def get(**extra):
        return client.get(reverse("health"), **extra)

    return get


@contextmanager
def celery_conf(**values):
    saved = {name: celery_app.conf[name] for name in values}
    celery_app.conf.update(values)
    try:
        yield
    finally:
        celery_app.conf.update(saved)


@pytest.fixture
def with_beat():
    """Celery with a broker, as in production (the tests run tasks eagerly, where there is no beat to watch)."""
    with celery_conf(task_always_eager=False):
        yield


def test_all_checks_pass(health, db):
    response = health()
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    assert response.json() == dict.fromkeys(CHECKS, "OK")
    assert "no-cache" in response["Cache-Control"]  # a monitor always gets a fresh answer


def test_text_for_a_terminal(health, db):
    response = health(data={"format": "text"})
    assert response.status_code == 200 and "Outbox(): OK" in response.content.decode()


def test_an_email_stuck_in_the_outbox_fails_the_check_and_names_no_one(health, cast, settings):
    email = outgoing(cast.parent_user, to="olga@example.ru", subject="Новое сообщение: Экскурсия")
    email.send_after = timezone.now() - dt.timedelta(minutes=settings.HEALTH_OUTBOX_MAX_MINUTES + 5)
    email.save(update_fields=["send_after"])
    response = health()
    assert response.status_code == 500
    assert response.json()["Outbox()"] == "Unavailable: the oldest due e-mail has waited 35 min"
    body = response.content.decode()
    for personal in ("olga@example.ru", "Экскурсия", cast.parent_user.last_name, cast.school.short_name):
        assert personal not in body


def test_quiet_hours_and_fresh_emails_are_not_stuck(health, cast):
    outgoing(cast.parent_user, send_after=timezone.now() + dt.timedelta(hours=10))  # held for quiet hours
    outgoing(cast.parent_user, send_after=timezone.now() - dt.timedelta(minutes=3))  # the sweep has 5 minutes
    outgoing(cast.parent_user, status=EmailStatus.FAILED, send_after=timezone.now() - dt.timedelta(days=3))
    assert health().json()["Outbox()"] == "OK"


def test_the_beat_is_watched_where_celery_has_a_broker(health, db, with_beat):
    response = health()
    assert response.status_code == 500
    assert response.json()["Beat()"] == "Unavailable: the beat has not run yet"
    # The beat's scan ran 5 minutes ago: its cursor stands RECORDS_LAG before that.
    NotificationCursor.objects.create(
        name=RECORDS_CURSOR, position=timezone.now() - dt.timedelta(minutes=5) - RECORDS_LAG
    )
    response = health()
    assert response.status_code == 200 and response.json()["Beat()"] == "OK"


def test_a_beat_that_stopped_fails_the_check(health, db, with_beat, settings):
    NotificationCursor.objects.create(
        name=RECORDS_CURSOR, position=timezone.now() - dt.timedelta(minutes=settings.HEALTH_BEAT_MAX_MINUTES + 30)
    )
    response = health()
    assert response.status_code == 500 and response.json()["Beat()"].startswith("Unavailable: the beat last ran")


def test_a_broker_that_is_down_fails_the_check_within_seconds(health, db):
    with celery_conf(broker_url="redis://127.0.0.1:6390/15"):  # nothing listens there
        started = time.perf_counter()
        response = health()
        assert time.perf_counter() - started < 5  # the broker's timeouts, not a monitor's
    assert response.status_code == 500
    assert response.json()["Broker()"].startswith("Unavailable: broker unreachable")
    assert all(response.json()[name] == "OK" for name in CHECKS - {"Broker()"})


def test_with_a_token_only_who_carries_it_sees_the_checks(health, db, settings, client, cast):
    settings.HEALTH_CHECK_TOKEN = "s3cret-token"
    assert health().status_code == 404
    assert health(HTTP_AUTHORIZATION="Bearer wrong").status_code == 404
    client.force_login(cast.admin)  # a school's admin is no monitor either
    assert health().status_code == 404
    assert health(HTTP_AUTHORIZATION="Bearer s3cret-token").status_code == 200
    assert health(data={"token": "s3cret-token"}).status_code == 200
