"""URL patterns of the timetable area, added to the journal namespace by journal/urls.py."""

urlpatterns: list = []
