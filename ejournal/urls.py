from django.contrib import admin
from django.urls import include, path

from accounts import views as account_views

admin.site.site_header = "Электронный журнал: администрирование"
admin.site.site_title = "Электронный журнал"
admin.site.index_title = "Администрирование"

urlpatterns = [
    path("", account_views.home, name="home"),
    path("accounts/", include("accounts.urls")),
    path("journal/", include("journal.urls")),
    path("diary/", include("diary.urls")),
    path("messages/", include("diary.urls_messages")),
    path("admin/", admin.site.urls),
]
