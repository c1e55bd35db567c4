"""The project's URLs: the role home page, each app's URLs, the Django admin, the health endpoint for monitoring,
old addresses of moved pages, and the error pages' handlers (ejournal/errors.py)."""

from django.contrib import admin
from django.urls import include, path

from diary import urls as diary_urls

from . import views
from .health import HealthView
from .redirects import moved

admin.site.site_header = "Электронный журнал: администрирование"
admin.site.site_title = "Электронный журнал"
admin.site.index_title = "Администрирование"

urlpatterns = [
    path("", views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("journal/", include("journal.urls")),
    path("diary/", include("diary.urls")),
    path("messages/", include((diary_urls.messaging_urlpatterns, "messaging"))),
    path("reports/", include("reports.urls")),
    path("archive/", include("archive.urls")),
    path("admin/", admin.site.urls),
    # For monitoring: open, or behind HEALTH_CHECK_TOKEN; nothing personal (ejournal/health.py, docs/operations.md).
    path("health/", HealthView.as_view(), name="health"),
    # People administration moved from accounts to journal with its code (issue 9).
    *moved("accounts/people/", "journal/people/"),
]

handler400 = "ejournal.errors.bad_request"
handler403 = "ejournal.errors.permission_denied"
handler404 = "ejournal.errors.page_not_found"
handler500 = "ejournal.errors.server_error"
