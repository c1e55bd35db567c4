"""The Django admin is the platform operator's tool, not a school's.

A school's administrator works in the application's own pages, scoped to their school; the Django admin lists every
school's users and links, so it is open only to the platform operator (a Django superuser with no school, created
with ``manage.py createsuperuser``; docs/operations.md). Loaded by the admin's autodiscovery (ejournal is an
installed app).
"""

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.http import Http404, HttpRequest

from journal.dates import safe_id


def operator_only(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and getattr(user, "is_platform_operator", False))


admin.site.has_permission = operator_only


def _known_id(view):
    """A malformed object id in an admin URL («²», 20 digits) is a 404, not a 500 (simple_history's history page
    passes the id straight to the database)."""

    def guarded(request: HttpRequest, object_id: str, *args, **kwargs):
        if safe_id(unquote(object_id)) is None:
            raise Http404
        return view(request, object_id, *args, **kwargs)

    return guarded


# Every model registered so far (ejournal is the last installed app, so all of them) has an integer key.
for _model, _model_admin in admin.site._registry.items():
    for _name in ("change_view", "delete_view", "history_view"):
        if hasattr(_model_admin, _name):
            setattr(_model_admin, _name, _known_id(getattr(_model_admin, _name)))
