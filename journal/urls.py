from django.urls import path

from .views import structure as views

app_name = "journal"
urlpatterns = [
    path("year/", views.year_detail, name="year_detail"),
    path("classes/", views.class_list, name="class_list"),
    path("classes/<int:pk>/", views.class_detail, name="class_detail"),
    path("assignments/", views.assignment_list, name="assignment_list"),
    path("assignments/<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("staff/", views.staff_list, name="staff_list"),
]

from . import urls_closing, urls_grid, urls_journal, urls_setup, urls_timetable  # noqa: E402

urlpatterns += (
    urls_setup.urlpatterns
    + urls_timetable.urlpatterns
    + urls_closing.urlpatterns
    + urls_grid.urlpatterns
    + urls_journal.urlpatterns
)
