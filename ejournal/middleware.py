"""Response headers Django does not set by itself, and django-csp's Content-Security-Policy built once."""

from collections.abc import Callable

from csp.constants import HEADER, HEADER_REPORT_ONLY
from csp.middleware import CheckableLazyObject
from csp.middleware import CSPMiddleware as DjangoCSPMiddleware
from csp.utils import build_policy
from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse, HttpResponseBase


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


class CSPMiddleware(DjangoCSPMiddleware):
    """django-csp's middleware, with the policy of a response that changes nothing of it built once per process.

    django-csp builds both headers' text from the settings on every response: a tenth of the Python calls of a plain
    page. That text is the same for every response without a nonce and without a view's own policy (csp_update,
    csp_replace, csp_exempt and the like): those go through django-csp unchanged, the rest get the text it built
    the first time, with the same exemptions (a DEBUG error page, EXCLUDE_URL_PREFIXES, a header already set).
    """

    _PER_RESPONSE = (
        "_csp_config",
        "_csp_update",
        "_csp_replace",
        "_csp_exempt",
        "_csp_config_ro",
        "_csp_update_ro",
        "_csp_replace_ro",
        "_csp_exempt_ro",
    )
    _built: dict[bool, str] = {}  # report_only → the policy's text, from the settings

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        if getattr(request, "_csp_nonce", None) is not None or any(
            getattr(response, name, None) is not None for name in self._PER_RESPONSE
        ):
            return super().process_response(request, response)
        if response.status_code in (500, 404) and settings.DEBUG:
            return response
        for report_only, header, setting in (
            (False, HEADER, "CONTENT_SECURITY_POLICY"),
            (True, HEADER_REPORT_ONLY, "CONTENT_SECURITY_POLICY_REPORT_ONLY"),
        ):
            policy = self._built.get(report_only)
            if policy is None:
                policy = self._built[report_only] = build_policy(report_only=report_only)
            prefixes = (getattr(settings, setting, None) or {}).get("EXCLUDE_URL_PREFIXES", None) or ()
            if policy and header not in response and not request.path_info.startswith(tuple(prefixes)):
                response[header] = policy
        # As django-csp does: a nonce asked for after the header is written is an error, not a silent gap.
        request.csp_nonce = CheckableLazyObject(self._csp_nonce_post_response)
        return response


def _forget_policy(*, setting: str, **kwargs) -> None:
    if setting.startswith("CONTENT_SECURITY_POLICY"):
        CSPMiddleware._built.clear()


setting_changed.connect(_forget_policy)
