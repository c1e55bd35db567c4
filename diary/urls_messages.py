"""Messages (/messages/): threads between families and staff, class broadcasts."""

from django.urls import path

from .views import messages as views

app_name = "messaging"
urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("new/", views.compose, name="compose"),
    path("<int:pk>/", views.thread_detail, name="thread"),
    path("<int:pk>/reply/", views.thread_reply, name="reply"),
    path("broadcast/", views.broadcast_create, name="broadcast"),
    path("broadcast/<int:pk>/", views.broadcast_detail, name="broadcast_detail"),
]
