"""Response headers Django does not set by itself."""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse


def _origin(origin: str) -> str:
    return origin if origin in ("self", "*") else f'"{origin}"'


def permissions_policy(features: dict[str, list[str]]) -> str:
    """The Permissions-Policy header's value: ``{"camera": []}`` → ``camera=()``, ``["self"]`` → ``(self)``."""
    return ", ".join(
        f"{feature}=({' '.join(_origin(origin) for origin in origins)})" for feature, origins in features.items()
    )


class PermissionsPolicyMiddleware:
    """Send ``Permissions-Policy`` built from settings.PERMISSIONS_POLICY: the browser refuses the camera, the
    microphone, geolocation and the rest to every page, ours and anything they might embed."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        self.header = permissions_policy(getattr(settings, "PERMISSIONS_POLICY", {}))

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.header:
            response.headers.setdefault("Permissions-Policy", self.header)
        return response
