"""Messages (/messages/): threads between families and staff, class broadcasts."""

app_name = "messaging"
urlpatterns: list = []
