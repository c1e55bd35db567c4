"""Sign-ins and daily visits for the activity report: written on login, once a day per user, purged after a year."""

import datetime as dt

import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import LoginRecord, UserVisit
from accounts.tasks import purge_activity_records
from accounts.tests.factories import TEST_PASSWORD
from accounts.visits import SESSION_KEY

NOON = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)  # 12:00 in Moscow
LATE_EVENING = dt.datetime(2026, 11, 20, 20, 50, tzinfo=dt.UTC)  # 23:50 in Moscow


def test_login_writes_a_record_and_the_days_visit(client, cast):
    with time_machine.travel(NOON, tick=False):
        response = client.post(reverse("accounts:login"), {"username": "teacher", "password": TEST_PASSWORD})
        assert response.status_code == 302
        client.get(reverse("home"))
        client.get(reverse("home"))
        assert client.session[SESSION_KEY] == "2026-11-20"
    logins = list(LoginRecord.objects.filter(user=cast.teacher).values_list("school_id", "at"))
    assert logins == [(cast.school.pk, NOON)]
    visits = list(UserVisit.objects.filter(user=cast.teacher).values_list("school_id", "day"))
    assert visits == [(cast.school.pk, dt.date(2026, 11, 20))]


def test_a_second_login_the_same_day_adds_a_login_not_a_visit(client, cast):
    with time_machine.travel(NOON, tick=False):
        client.force_login(cast.pupil_user)
        client.logout()
        client.force_login(cast.pupil_user)
    assert LoginRecord.objects.filter(user=cast.pupil_user).count() == 2
    assert UserVisit.objects.filter(user=cast.pupil_user).count() == 1


def test_visit_is_recorded_once_a_day_and_costs_no_query_otherwise(client, cast):
    with time_machine.travel(LATE_EVENING, tick=False):
        client.force_login(cast.parent_user)
    assert UserVisit.objects.filter(user=cast.parent_user).count() == 1
    # After midnight, the same session: the first request records the day, the following ones write nothing.
    with time_machine.travel(LATE_EVENING + dt.timedelta(minutes=20), tick=False):
        client.get(reverse("accounts:profile"))
        assert UserVisit.objects.filter(user=cast.parent_user).count() == 2
        assert client.session[SESSION_KEY] == "2026-11-21"
        with CaptureQueriesContext(connection) as queries:
            client.get(reverse("accounts:profile"))
        assert not any("uservisit" in q["sql"].lower() for q in queries.captured_queries)
    assert UserVisit.objects.filter(user=cast.parent_user).count() == 2
    assert LoginRecord.objects.filter(user=cast.parent_user).count() == 1


def test_visit_day_is_the_schools_day(client, cast):
    # 22:30 UTC on the 20th is already the 21st in Moscow.
    with time_machine.travel(dt.datetime(2026, 11, 20, 22, 30, tzinfo=dt.UTC), tick=False):
        client.force_login(cast.teacher)
    assert list(UserVisit.objects.filter(user=cast.teacher).values_list("day", flat=True)) == [dt.date(2026, 11, 21)]


def test_operator_without_school_is_not_recorded(operator):
    assert not LoginRecord.objects.exists()
    assert not UserVisit.objects.exists()


def test_purge_keeps_a_year_and_is_idempotent(cast):
    now = timezone.now()
    old = LoginRecord.objects.create(user=cast.teacher, school=cast.school, at=now - dt.timedelta(days=400))
    recent = LoginRecord.objects.create(user=cast.teacher, school=cast.school, at=now - dt.timedelta(days=300))
    UserVisit.objects.create(user=cast.teacher, school=cast.school, day=(now - dt.timedelta(days=400)).date())
    kept = UserVisit.objects.create(user=cast.teacher, school=cast.school, day=(now - dt.timedelta(days=10)).date())
    assert purge_activity_records.delay().get() == 2
    assert purge_activity_records.delay().get() == 0
    assert not LoginRecord.objects.filter(pk=old.pk).exists()
    assert LoginRecord.objects.filter(pk=recent.pk).exists()
    assert list(UserVisit.objects.values_list("pk", flat=True)) == [kept.pk]


def test_purge_is_scheduled_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["accounts-purge-activity-records"]
    assert entry["task"] == "accounts.tasks.purge_activity_records"
