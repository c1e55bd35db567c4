"""The archive's URLs (/archive/…), mounted by ejournal/urls.py once the first archive page exists."""

app_name = "archive"
urlpatterns: list = []
