"""Events and announcements: the staff's list and forms, and a pupil's events in the diary."""

from django.urls import path

from .views import events as views

urlpatterns = [
    path("events/", views.event_list, name="event_list"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/<int:pk>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:pk>/cancel/", views.event_cancel, name="event_cancel"),
    path("pupils/<int:pk>/events/", views.pupil_events, name="events"),
]
