"""The archive's URLs (/archive/…), mounted by ejournal/urls.py once the first archive page exists."""

from django.urls import path

from .views import archive, prints

app_name = "archive"
urlpatterns: list = [
    # The year's archive (issue 13): years, a year's files, the check, downloads, starting, removal by act.
    path("", archive.archive_index, name="index"),
    path("year/<id:pk>/start/", archive.archive_start, name="start"),
    path("<id:pk>/", archive.archive_year, name="year"),
    path("<id:pk>/verify/", archive.archive_verify, name="verify"),
    path("<id:pk>/acts/", archive.archive_acts, name="acts"),
    path("file/<id:pk>/", archive.archive_download, name="download"),
    path("file/<id:pk>/remove/", archive.archive_remove, name="remove"),
    # Printing the class journal (issue 13): the form, a background print's page, its file, «Продолжить».
    path("journal/", prints.journal_print, name="journal-print"),
    path("journal/<id:pk>/", prints.journal_print_job, name="journal-print-job"),
    path("journal/<id:pk>/download/", prints.journal_print_download, name="journal-print-download"),
    path("journal/<id:pk>/continue/", prints.journal_print_continue, name="journal-print-continue"),
]
