"""A real Celery worker on Redis sends a queued e-mail, retrying after a failed attempt (the pattern of
ejournal/tests/test_celery_worker.py; CI sets REDIS_URL, skipped without it)."""

import os

import pytest
from celery import current_app
from celery.contrib.testing.worker import start_worker
from celery.result import EagerResult
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend

from diary.choices import EmailStatus
from diary.models import OutgoingEmail
from diary.services import notifications
from diary.services.queue import task_delay
from diary.tasks import send_email

from .test_notifications_support import outgoing

# The project's Celery app (ejournal/celery.py, loaded with Django), reached without importing the project layer.
app = current_app._get_current_object()

pytestmark = [
    pytest.mark.celery_worker,
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") and not os.environ.get("CI"), reason="needs REDIS_URL for a real broker"
    ),
]


class FlakyBackend(EmailBackend):
    """The mail server refuses the first connection, then works (locmem: the test reads mail.outbox)."""

    failures = 1

    def send_messages(self, messages):
        if FlakyBackend.failures:
            FlakyBackend.failures -= 1
            raise ConnectionResetError("соединение сброшено")
        return super().send_messages(messages)


@pytest.fixture
def real_worker(transactional_db):
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            yield
    finally:
        app.conf.task_always_eager = True


def test_a_worker_sends_a_queued_email_after_a_retry(real_worker, cast, settings, monkeypatch):
    settings.EMAIL_BACKEND = "diary.tests.test_notifications_worker.FlakyBackend"
    monkeypatch.setattr(notifications, "RETRY_BASE_SECONDS", 1)  # the first retry in a second, not two minutes
    FlakyBackend.failures = 1
    email = outgoing(cast.parent_user, to="olga@example.ru")
    result = send_email.delay(email.pk)
    assert result.get(timeout=30) == EmailStatus.SENT  # the retry keeps the task id
    email = OutgoingEmail.objects.get(pk=email.pk)
    assert email.status == EmailStatus.SENT and email.attempts == 2
    assert "соединение сброшено" in email.last_error
    assert [m.to for m in mail.outbox] == [["olga@example.ru"]]


def test_a_task_queued_by_name_goes_through_the_broker_to_the_worker(real_worker, cast):
    """The services' path (diary.services.queue): found by name, sent to Redis, run by the worker, not eagerly."""
    email = outgoing(cast.parent_user, to="olga@example.ru")
    result = task_delay("diary.tasks.send_email", email.pk)
    assert not isinstance(result, EagerResult)
    assert result.get(timeout=30) == EmailStatus.SENT
    assert OutgoingEmail.objects.get(pk=email.pk).status == EmailStatus.SENT and len(mail.outbox) == 1
