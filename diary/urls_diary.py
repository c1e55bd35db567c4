"""The diary of a pupil (pupils, parents, the class teacher and the management): /diary/pupils/<pk>/…"""

from django.urls import path

from .views import diary as views

urlpatterns = [
    path("", views.diary_home, name="home"),
    path("pupils/<int:pk>/", views.pupil_detail, name="pupil"),
    path("pupils/<int:pk>/week/", views.week, name="week"),
    path("pupils/<int:pk>/marks/", views.marks, name="marks"),
    path("pupils/<int:pk>/marks/<int:assignment_pk>/", views.subject, name="subject"),
    path("pupils/<int:pk>/new/", views.news, name="news"),
    path("pupils/<int:pk>/timetable/", views.timetable, name="timetable"),
]
