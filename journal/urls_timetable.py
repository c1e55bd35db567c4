"""URL patterns of the timetable area, added to the journal namespace by journal/urls.py."""

from django.urls import path

from .views import timetable as views

urlpatterns = [
    path("timetable/", views.timetable_index, name="timetable_index"),
    path("timetable/class/<int:pk>/", views.timetable_class, name="timetable_class"),
    path("timetable/class/<int:pk>/add/", views.timetable_entry_add, name="timetable_entry_add"),
    path("timetable/entry/<int:pk>/remove/", views.timetable_entry_remove, name="timetable_entry_remove"),
    path("timetable/teacher/<int:pk>/", views.timetable_teacher, name="timetable_teacher"),
    path("timetable/room/<int:pk>/", views.timetable_room, name="timetable_room"),
    path("timetable/bells/", views.bell_schedule, name="timetable_bells"),
    path("timetable/rooms/", views.room_list, name="timetable_rooms"),
    path("timetable/layout/", views.lessons_layout, name="lessons_layout"),
]
