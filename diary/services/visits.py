"""Diary visits: when a user last opened a pupil's «Что нового», so the next visit shows what came since."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.models import PupilProfile, User

from ..access import may_read_diary
from ..models import DiaryVisit

# A visit within this time of the previous one is the same look (a reload, a back button): it shows the same list.
SAME_VISIT = dt.timedelta(minutes=30)
FIRST_VISIT_DAYS = 7  # the first visit ever shows the last week


@transaction.atomic
def diary_visit_record(*, user: User, pupil: PupilProfile, now: dt.datetime) -> DiaryVisit:
    """Record that ``user`` looks at ``pupil``'s news now; returns the visit with ``shown_since`` to show from.

    Rules: only someone who may see the pupil's diary. The first visit shows the last 7 days (``shown_since`` is
    left empty). A visit more than 30 minutes after the previous one shows what came since that one; a visit
    sooner (a reload) keeps the list it showed. ``seen_at`` always moves to now.
    """
    if not may_read_diary(user, pupil):  # no query for the pupil the page took from diary_pupil_for_user
        raise PermissionDenied(_("Нет доступа к дневнику этого учащегося."))
    visit = DiaryVisit.objects.select_for_update().filter(user=user, pupil=pupil).first()
    if visit is None:
        try:
            with transaction.atomic():
                return DiaryVisit.objects.create(user=user, pupil=pupil, seen_at=now, shown_since=None)
        except IntegrityError:  # a parallel first visit (two tabs) created it: take theirs
            visit = DiaryVisit.objects.select_for_update().get(user=user, pupil=pupil)
    if now - visit.seen_at > SAME_VISIT:
        visit.shown_since = visit.seen_at
    visit.seen_at = max(now, visit.seen_at)
    visit.save(update_fields=["seen_at", "shown_since"])
    return visit


def news_since(visit: DiaryVisit) -> dt.datetime:
    """The moment the news page shows from: the previous visit, or a week before the first one."""
    return visit.shown_since or visit.seen_at - dt.timedelta(days=FIRST_VISIT_DAYS)
