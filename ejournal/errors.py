"""Error pages: 400, 403, 404, 500 and a refused CSRF token, in Russian (handlers in ejournal/urls.py).

403 and 404 are pages of the site, with the menu (the database is up when they happen; if rendering them fails,
Django falls back to the 500 page). 500, 400 and the CSRF page are standalone (templates/error_base.html) and
rendered without the request's context processors: no menu, no query, so the 500 page shows when the database is
down, and 400 when the request never reached the session. A client that asks for JSON (the grid's script sends
``Accept: application/json``) gets ``{"error": "…"}`` with the same status instead.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _


def wants_json(request: HttpRequest) -> bool:
    """The client prefers JSON to HTML (a browser's ``text/html,…,*/*`` or no Accept header means HTML)."""
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def _standalone(request: HttpRequest, status: int, template: str, message: str) -> HttpResponse:
    """A standalone error page (no context processors, no query), or JSON."""
    if wants_json(request):
        return JsonResponse({"error": message}, status=status)
    return HttpResponse(render_to_string(template, {"message": message}), status=status)


def bad_request(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _standalone(request, 400, "400.html", _("Неверный запрос."))


def permission_denied(request: HttpRequest, exception: Exception) -> HttpResponse:
    # A service's PermissionDenied carries a Russian sentence for the user; a bare one gets the general words.
    reason = str(exception) if exception is not None else ""
    if wants_json(request):
        return JsonResponse({"error": reason or _("Недостаточно прав для этого действия.")}, status=403)
    return render(request, "403.html", {"reason": reason}, status=403)


def page_not_found(request: HttpRequest, exception: Exception) -> HttpResponse:
    # The exception's text is Django's English ("No Lesson matches the given query."): not shown.
    if wants_json(request):
        return JsonResponse({"error": _("Не найдено.")}, status=404)
    return render(request, "404.html", status=404)


def server_error(request: HttpRequest) -> HttpResponse:
    return _standalone(request, 500, "500.html", _("Ошибка на сервере. Попробуйте ещё раз через несколько минут."))


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """CSRF_FAILURE_VIEW: a form or a script sent without a valid token, mostly from a page left open too long."""
    return _standalone(request, 403, "403_csrf.html", _("Страница устарела: обновите её и повторите действие."))
