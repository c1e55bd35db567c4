"""Old addresses of pages that moved with their code: a permanent redirect that keeps the method and the query.

A 308 rather than a 301: a form posted to an old address (a page open in a tab since before the move) is posted
again to the new one instead of turning into a GET.
"""

from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.urls import path


class HttpResponsePermanentRedirectKeepMethod(HttpResponsePermanentRedirect):
    status_code = 308


def moved(old_prefix: str, new_prefix: str) -> list:
    """URL patterns sending everything under ``old_prefix`` (no leading slash) to the same path under ``new_prefix``."""

    def redirect_view(request: HttpRequest, rest: str = "") -> HttpResponsePermanentRedirectKeepMethod:
        query = request.META.get("QUERY_STRING", "")
        return HttpResponsePermanentRedirectKeepMethod(f"/{new_prefix}{rest}" + (f"?{query}" if query else ""))

    return [path(old_prefix, redirect_view), path(f"{old_prefix}<path:rest>", redirect_view)]
