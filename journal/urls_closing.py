"""URL patterns of the closing area, added to the journal namespace by journal/urls.py."""

urlpatterns: list = []
