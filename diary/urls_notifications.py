from django.urls import path

from .views import notifications as views

urlpatterns = [
    path("notifications/", views.notification_settings, name="notifications"),
    path("notifications/outbox/", views.email_outbox, name="email_outbox"),
    path("notifications/outbox/<int:pk>/retry/", views.email_retry, name="email_retry"),
]
