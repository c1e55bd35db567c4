"""accounts.backends.UserBackend and accounts.sessions.SessionStore: the two reads of every signed-in request, in
plain SQL, answer as the ORM did."""

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from accounts.backends import UserBackend
from accounts.sessions import SessionStore


def test_the_user_comes_with_the_school_and_the_orms_types(cast, django_assert_num_queries):
    user = cast.teacher
    user.last_login = timezone.now()
    user.save(update_fields=["last_login"])
    with django_assert_num_queries(1):
        loaded = UserBackend().get_user(user.pk)
        assert loaded.school.name == cast.school.name  # no second query
    expected = get_user_model().objects.get(pk=user.pk)
    for field in get_user_model()._meta.concrete_fields:
        assert getattr(loaded, field.attname) == getattr(expected, field.attname), field.name
    assert loaded.is_active is True and timezone.is_aware(loaded.last_login)
    assert not loaded._state.adding


def test_nobody_for_a_missing_inactive_or_malformed_id(cast):
    backend = UserBackend()
    assert backend.get_user(10**9) is None
    assert backend.get_user("not a number") is None
    cast.teacher.is_active = False
    cast.teacher.save(update_fields=["is_active"])
    assert backend.get_user(cast.teacher.pk) is None


def test_a_user_of_no_school(cast):
    operator = get_user_model().objects.create_superuser("root", password="x" * 12)
    loaded = UserBackend().get_user(operator.pk)
    assert loaded.school is None and loaded.is_platform_operator


def test_the_session_is_read_until_it_expires(db, django_assert_num_queries):
    store = SessionStore()
    store["answer"] = 42
    store.create()
    with django_assert_num_queries(1):
        assert SessionStore(store.session_key).load() == {"answer": 42, **store._session}
    store.set_expiry(timezone.now() - dt.timedelta(seconds=1))
    store.save()
    expired = SessionStore(store.session_key)
    assert expired.load() == {} and expired.session_key is None
    assert SessionStore("short").load() == {}  # a malformed key: no query, nothing
