"""A real Celery worker on Redis runs a task (CI sets REDIS_URL; skipped without it)."""

import datetime as dt
import os

import pytest
from celery.contrib.testing.worker import start_worker
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import clear_expired_sessions
from ejournal.celery import app

pytestmark = [
    pytest.mark.celery_worker,
    # In CI (CI=true) the worker test always runs: .ci/run sets REDIS_URL.
    pytest.mark.skipif(
        not os.environ.get("REDIS_URL") and not os.environ.get("CI"), reason="needs REDIS_URL for a real broker"
    ),
]


@pytest.fixture
def real_worker(transactional_db):
    app.conf.task_always_eager = False
    try:
        with start_worker(app, perform_ping_check=False, pool="solo", loglevel="WARNING"):
            yield
    finally:
        app.conf.task_always_eager = True


def test_worker_runs_the_session_cleanup(real_worker):
    stale = SessionStore()
    stale.create()
    Session.objects.filter(session_key=stale.session_key).update(expire_date=timezone.now() - dt.timedelta(days=1))
    result = clear_expired_sessions.delay()
    assert result.get(timeout=30) == 1
    assert not Session.objects.filter(session_key=stale.session_key).exists()
