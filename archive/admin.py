"""The archive registers nothing in the Django admin (the platform operator's tool)."""
