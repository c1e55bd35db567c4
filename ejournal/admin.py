"""The Django admin is the platform operator's tool, not a school's.

A school's administrator works in the application's own pages, scoped to their school; the Django admin lists every
school's users and links, so it is open only to the platform operator (a Django superuser with no school, created
with ``manage.py createsuperuser``; docs/operations.md). Loaded by the admin's autodiscovery (ejournal is an
installed app).
"""

from django.contrib import admin
from django.http import HttpRequest


def operator_only(request: HttpRequest) -> bool:
    user = request.user
    return bool(user.is_active and getattr(user, "is_platform_operator", False))


admin.site.has_permission = operator_only
