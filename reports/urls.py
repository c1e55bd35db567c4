"""The reports' URLs (/reports/…), mounted by ejournal/urls.py once the first report page exists."""

app_name = "reports"
urlpatterns: list = []
