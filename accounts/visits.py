"""Recording sign-ins and daily visits for the «Активность пользователей» report (reports.selectors.activity).

A sign-in writes a ``LoginRecord`` and the day's ``UserVisit``; ``VisitMiddleware`` writes the day's visit of a
session that outlives midnight. The day of the last recorded visit is kept in the session, so every other request
costs no query. Nothing but the user, the school and the time is kept; a year later the rows are deleted
(accounts.tasks.purge_activity_records).
"""

import datetime as dt
import zoneinfo
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from .models import LoginRecord, User, UserVisit

SESSION_KEY = "visit_day"
KEEP_DAYS = 366  # a year of records (a leap year included)


def school_today(user: User) -> dt.date:
    """Today in the user's school's time zone (the day a visit counts for)."""
    try:
        zone = zoneinfo.ZoneInfo(user.school.time_zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, AttributeError):
        return timezone.localdate()
    return timezone.localdate(timezone=zone)


def visit_record(user: User, day: dt.date) -> None:
    """The user's visit on ``day``: one row per user and day, a second call writes nothing."""
    UserVisit.objects.bulk_create(
        [UserVisit(user_id=user.pk, school_id=user.school_id, day=day)], ignore_conflicts=True
    )


def login_record(sender, request, user, **kwargs) -> None:
    """user_logged_in: the sign-in, and the day's visit (remembered in the session). Users of no school (the
    platform operator) are not recorded."""
    if user is None or getattr(user, "school_id", None) is None:
        return
    LoginRecord.objects.create(user_id=user.pk, school_id=user.school_id, at=timezone.now())
    day = school_today(user)
    visit_record(user, day)
    if request is not None and hasattr(request, "session"):
        request.session[SESSION_KEY] = day.isoformat()


class VisitMiddleware:
    """Record the day's visit of a signed-in user once a day (after SchoolTimezoneMiddleware: the school's day)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        session = getattr(request, "session", None)
        if session is not None and user is not None and user.is_authenticated and user.school_id is not None:
            today = timezone.localdate().isoformat()
            if session.get(SESSION_KEY) != today:
                visit_record(user, dt.date.fromisoformat(today))
                session[SESSION_KEY] = today
        return self.get_response(request)
