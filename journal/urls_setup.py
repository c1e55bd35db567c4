"""URL patterns of the setup area, added to the journal namespace by journal/urls.py."""

urlpatterns: list = []
