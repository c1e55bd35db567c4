import time
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone


class SchoolTimezoneMiddleware:
    """Show times in the signed-in user's school time zone (one deployment may span regions)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.school_id:
            timezone.activate(zoneinfo.ZoneInfo(user.school.time_zone))
        else:
            timezone.deactivate()
        return self.get_response(request)


class SessionRefreshMiddleware:
    """Renew a signed-in session's idle limit (SESSION_COOKIE_AGE) at most every SESSION_REFRESH_SECONDS.

    Saving the session on every request would cost a transaction and an UPDATE each time; a stamp in the session
    that is rewritten when it is older than a few minutes keeps the 8-hour idle rule to within those minutes.
    """

    KEY = "_refreshed"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    @classmethod
    def stamp(cls, session) -> None:
        session[cls.KEY] = int(time.time())  # a changed session is saved, with a new idle limit

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated and session.session_key:
            if time.time() - session.get(self.KEY, 0) >= settings.SESSION_REFRESH_SECONDS:
                self.stamp(session)
        return response
