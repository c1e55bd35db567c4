import datetime as dt

from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session
from django.utils import timezone

from accounts.tasks import clear_expired_sessions


def test_clear_expired_sessions_is_idempotent(db):
    fresh = SessionStore()
    fresh["x"] = 1
    fresh.create()
    stale = SessionStore()
    stale.create()
    Session.objects.filter(session_key=stale.session_key).update(expire_date=timezone.now() - dt.timedelta(days=1))
    assert clear_expired_sessions.delay().get() == 1
    assert clear_expired_sessions.delay().get() == 0
    assert Session.objects.filter(session_key=fresh.session_key).exists()
