"""URL patterns of people management (import, credentials, personal cards), in the accounts namespace."""

urlpatterns: list = []
