import zoneinfo
from collections.abc import Callable

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
