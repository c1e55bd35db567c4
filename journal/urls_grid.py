"""URL patterns of the class journal (grid), added to the journal namespace by journal/urls.py."""

from django.urls import path

from .views import grid as views

urlpatterns: list = [
    path("assignments/<int:pk>/grid/", views.grid, name="grid"),
    path("grid/cell/", views.grid_cell, name="grid_cell"),
    path("grid/lessons/<int:pk>/", views.grid_lesson, name="grid_lesson"),
    path(
        "grid/lessons/<int:lesson_pk>/pupils/<int:pupil_pk>/history/",
        views.grid_cell_history,
        name="grid_cell_history",
    ),
]
