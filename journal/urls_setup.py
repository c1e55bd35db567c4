"""URL patterns of the year-opening flow, added to the journal namespace by journal/urls.py."""

from django.urls import path

from .views import setup as views

urlpatterns = [
    path("setup/", views.setup_index, name="setup"),
    path("setup/new/", views.year_create, name="year_create"),
    path("setup/<int:pk>/calendar/", views.setup_calendar, name="setup_calendar"),
    path("setup/<int:pk>/grades/", views.setup_grades, name="setup_grades"),
    path("setup/<int:pk>/periods/<str:kind>/", views.setup_periods, name="setup_periods"),
    path("setup/<int:pk>/vacations/add/", views.setup_vacation_add, name="setup_vacation_add"),
    path("setup/vacations/<int:pk>/delete/", views.setup_vacation_delete, name="setup_vacation_delete"),
    path("setup/<int:pk>/days/add/", views.setup_day_add, name="setup_day_add"),
    path("setup/days/<int:pk>/delete/", views.setup_day_delete, name="setup_day_delete"),
    path("setup/<int:pk>/open/", views.setup_year_open, name="setup_year_open"),
    path("setup/<int:pk>/classes/", views.setup_classes, name="setup_classes"),
    path("setup/<int:pk>/classes/add/", views.setup_class_add, name="setup_class_add"),
    path("setup/classes/<int:pk>/", views.setup_class, name="setup_class"),
    path("setup/classes/<int:pk>/teacher/", views.setup_class_teacher, name="setup_class_teacher"),
    path("setup/<int:pk>/curriculum/", views.setup_curriculum, name="setup_curriculum"),
    path("setup/<int:pk>/subjects/add/", views.setup_subject_add, name="setup_subject_add"),
    path("setup/<int:pk>/assignments/", views.setup_assignments, name="setup_assignments"),
    path("setup/<int:pk>/assignments/add/", views.setup_assignment_add, name="setup_assignment_add"),
    path("setup/assignments/<int:pk>/remove/", views.setup_assignment_remove, name="setup_assignment_remove"),
    path("setup/<int:pk>/assignments/transfer/", views.setup_assignment_transfer, name="setup_assignment_transfer"),
]
