import time
import zoneinfo
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.utils import timezone
from django.utils.functional import LazyObject
from django.utils.translation import gettext as _


class RefuseNulMiddleware:
    """Refuse with 400 a request that carries a NUL character in its path, query string, form fields or cookies.

    Nobody types a NUL, and PostgreSQL refuses it in text: wherever one reached a query it was a 500. Refused here,
    before the session, the login or any view reads the request, rather than stripped: stripping would quietly
    change what was sent. Uploaded files are not looked into (their contents are the importer's to judge).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if has_nul(request):
            message = _("Неверный запрос: в адресе или в полях формы есть недопустимый символ (NUL).")
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)


def has_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path_info or any("\x00" in value for value in request.COOKIES.values()):
        return True
    fields = [request.GET]
    if request.method == "POST":
        fields.append(request.POST)  # multipart: the fields only; the files are in request.FILES
    return any(
        "\x00" in key or any("\x00" in value for value in values) for data in fields for key, values in data.lists()
    )


class SchoolTimezoneMiddleware:
    """Show times in the signed-in user's school time zone (one deployment may span regions).

    It reads the user on every request, so it also puts the user itself in ``request.user`` in place of
    AuthenticationMiddleware's lazy wrapper: through the wrapper every attribute read is a Python call more and, in a
    template, a caught exception, and the rest of a request reads the user a few dozen times (the views, the menu,
    base.html).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if isinstance(user, LazyObject):
            user.is_authenticated  # noqa: B018 (loads the user: the session's and the user's reads)
            user = request.user = user._wrapped
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
