"""URL patterns of the class journal (grid), added to the journal namespace by journal/urls.py."""

urlpatterns: list = []
