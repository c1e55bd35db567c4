"""The demo messages and events (diary.demo.messages) keep the rules of the services."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.db.models import Sum

from accounts import services as account_services
from accounts.choices import ParentKind
from diary.demo.messages import seed_messages
from diary.models import Broadcast, Event, Message, Thread, ThreadParticipant
from diary.selectors.messages import allowed_recipients, is_family

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def seeded(cast):
    moment = dt.datetime(2026, 11, 20, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))
    with time_machine.travel(moment, tick=False):
        account_services.parent_link(
            actor=cast.admin, parent=cast.parent, pupil=cast.other_pupil, kind=ParentKind.MOTHER
        )
        counts = seed_messages(year=cast.year, today=TODAY, actor=cast.admin)
    return counts


def test_the_demo_writes_threads_a_broadcast_and_events(cast, seeded):
    assert seeded == {
        "threads": Thread.objects.count(),
        "messages": Message.objects.count(),
        "broadcasts": 1,
        "events": Event.objects.count(),
    }
    assert seeded["threads"] >= 5 and seeded["events"] >= 15
    broadcast = Broadcast.objects.get()
    assert broadcast.sender == cast.classteacher and broadcast.school_class == cast.class_a
    assert broadcast.recipients == Thread.objects.filter(broadcast=broadcast).count() == 1


def test_the_demo_parent_has_unread_threads(cast, seeded):
    total = ThreadParticipant.objects.filter(user=cast.parent_user).aggregate(s=Sum("unread"))["s"]
    assert total >= 2
    assert Thread.objects.filter(participants__user=cast.parent_user).count() >= 4


def test_every_demo_thread_keeps_the_messaging_rule_and_the_unread_counts(cast, seeded):
    limit = dt.datetime(2026, 11, 20, 8, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))
    for thread in Thread.objects.prefetch_related("participants__user", "messages"):
        people = [p.user for p in thread.participants.all()]
        family = [user for user in people if is_family(user)]
        assert len(family) == 1
        others = {user.pk for user in people} - {family[0].pk}
        assert others <= set(allowed_recipients(family[0], today=TODAY).values_list("pk", flat=True))
        posts = list(thread.messages.all())
        assert all(post.created_at <= limit for post in posts)
        assert thread.last_message_at == posts[-1].created_at and thread.created_at == posts[0].created_at
        for participant in thread.participants.all():
            assert 0 <= participant.unread <= len([p for p in posts if p.sender_id != participant.user_id])


def test_the_demo_events_run_through_the_year(cast, seeded):
    events = list(Event.objects.all())
    assert all(cast.year.start_date - dt.timedelta(days=7) <= e.starts_on <= cast.year.end_date for e in events)
    assert all(e.ends_on is None or e.ends_on >= e.starts_on for e in events)
    assert {e.school_class_id for e in events} >= {None, cast.class_a.pk, cast.class_b.pk}
    assert any(e.title.startswith("День знаний") for e in events)
    assert all(e.history.exists() for e in events[:5])
