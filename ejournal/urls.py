"""The project's URLs: the role home page, each app's URLs, the Django admin, and old addresses of moved pages."""

from django.contrib import admin
from django.urls import include, path

from diary import urls as diary_urls

from . import views
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
    path("admin/", admin.site.urls),
    # People administration moved from accounts to journal with its code (issue 9).
    *moved("accounts/people/", "journal/people/"),
]
