"""URL patterns of the class journal (journal), added to the journal namespace by journal/urls.py."""

urlpatterns: list = []
