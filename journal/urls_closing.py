"""URL patterns of the closing area, added to the journal namespace by journal/urls.py."""

from django.urls import path

from .views import closing as views

urlpatterns: list = [
    path("movement/", views.movement, name="movement"),
    path("classes/<int:pk>/movement/", views.class_movement, name="class_movement"),
    path("classes/<int:pk>/arrive/", views.pupil_arrive, name="pupil_arrive"),
    path("pupils/<int:pk>/leave/", views.pupil_leave, name="pupil_leave"),
    path("pupils/<int:pk>/move/", views.pupil_move, name="pupil_move"),
    path("promotion/", views.promotion, name="promotion"),
    path("promotion/refresh/", views.promotion_refresh, name="promotion_refresh"),
    path("promotion/classes/<int:pk>/", views.promotion_save, name="promotion_save"),
    path("promotion/apply/", views.promotion_apply, name="promotion_apply"),
    path("year/copy/", views.year_copy, name="year_copy"),
]
