"""«Что нового» remembers the previous look: a reload within 30 minutes shows the same list, a later visit shows
what came since the previous one, the first visit ever shows the last 7 days."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from diary.access import diary_pupil_for_user, may_read_diary
from diary.models import DiaryVisit
from diary.services.visits import diary_visit_record, news_since
from journal.models import Lesson
from journal.services.journal import mark_set

MSK = ZoneInfo("Europe/Moscow")
START = dt.datetime(2026, 12, 14, 18, 0, tzinfo=MSK)


def test_first_visit_shows_the_last_week(cast):
    visit = diary_visit_record(user=cast.parent_user, pupil=cast.pupil, now=START)
    assert visit.seen_at == START and visit.shown_since is None
    assert news_since(visit) == START - dt.timedelta(days=7)


def test_reload_keeps_the_list_and_a_later_visit_moves_on(cast):
    diary_visit_record(user=cast.parent_user, pupil=cast.pupil, now=START)
    reload = diary_visit_record(user=cast.parent_user, pupil=cast.pupil, now=START + dt.timedelta(minutes=20))
    assert reload.shown_since is None and news_since(reload) == START + dt.timedelta(minutes=20) - dt.timedelta(days=7)

    evening = START + dt.timedelta(hours=3)
    later = diary_visit_record(user=cast.parent_user, pupil=cast.pupil, now=evening)
    assert later.shown_since == START + dt.timedelta(minutes=20) and later.seen_at == evening

    again = diary_visit_record(user=cast.parent_user, pupil=cast.pupil, now=evening + dt.timedelta(minutes=5))
    assert again.shown_since == later.shown_since  # the same list on a reload
    next_day = diary_visit_record(user=cast.parent_user, pupil=cast.pupil, now=evening + dt.timedelta(days=1))
    assert next_day.shown_since == evening + dt.timedelta(minutes=5)
    assert DiaryVisit.objects.filter(user=cast.parent_user, pupil=cast.pupil).count() == 1


def test_visits_are_per_user(cast):
    diary_visit_record(user=cast.parent_user, pupil=cast.pupil, now=START)
    pupil_visit = diary_visit_record(user=cast.pupil_user, pupil=cast.pupil, now=START + dt.timedelta(hours=2))
    assert pupil_visit.shown_since is None


@pytest.mark.parametrize("stranger", ["parent2_user", "teacher", "foreign_admin"])
def test_only_those_who_see_the_diary(cast, stranger):
    with pytest.raises(PermissionDenied):
        diary_visit_record(user=getattr(cast, stranger), pupil=cast.pupil, now=START)
    assert not DiaryVisit.objects.exists()


@pytest.mark.parametrize("stranger", ["parent2_user", "teacher", "foreign_admin"])
def test_the_answer_kept_on_the_pupil_is_for_its_user_only(cast, stranger, django_assert_num_queries):
    """The page's pupil carries its reader's answer: the re-check costs that user no query, and anyone else is
    still asked (and refused)."""
    pupil = diary_pupil_for_user(cast.parent_user, cast.pupil.pk)
    assert may_read_diary(cast.parent_user, pupil)
    with django_assert_num_queries(0):
        assert may_read_diary(cast.parent_user, pupil)
    assert not may_read_diary(getattr(cast, stranger), pupil)
    with pytest.raises(PermissionDenied):
        diary_visit_record(user=getattr(cast, stranger), pupil=pupil, now=START)
    assert not DiaryVisit.objects.exists()
    with pytest.raises(Http404):
        diary_pupil_for_user(getattr(cast, stranger), cast.pupil.pk)


def test_news_page_shows_marks_since_the_previous_visit(client, cast):
    url = reverse("diary:news", args=[cast.pupil.pk])
    with time_machine.travel(dt.datetime(2026, 12, 14, 9, 0, tzinfo=MSK), tick=False):
        early = Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 12, 14), number=1)
        mark_set(actor=cast.teacher, lesson=early, pupil=cast.pupil, value="3")
    with time_machine.travel(dt.datetime(2026, 12, 14, 18, 0, tzinfo=MSK), tick=False):
        client.force_login(cast.parent_user)
        page = client.get(url).content.decode()  # the first visit: the last 7 days
        assert "показано за последние 7 дней" in page and 'class="mk m3"' in page
    with time_machine.travel(dt.datetime(2026, 12, 15, 12, 0, tzinfo=MSK), tick=False):
        later = Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 12, 15), number=1)
        mark_set(actor=cast.teacher, lesson=later, pupil=cast.pupil, value="5")
        mark_set(actor=cast.teacher, lesson=early, pupil=cast.pupil, value="4")  # corrected
    with time_machine.travel(dt.datetime(2026, 12, 15, 19, 0, tzinfo=MSK), tick=False):
        client.force_login(cast.parent_user)
        page = client.get(url).content.decode()
        assert "С вашего прошлого просмотра" in page
        assert 'class="mk m5"' in page and 'class="mk m4"' in page and 'class="mk m3"' not in page
        assert "исправлена" in page
        reload = client.get(url).content.decode()  # within 30 minutes: the same list
        assert 'class="mk m5"' in reload and "исправлена" in reload
    visit = DiaryVisit.objects.get(user=cast.parent_user, pupil=cast.pupil)
    assert timezone.localtime(visit.shown_since, MSK).hour == 18
