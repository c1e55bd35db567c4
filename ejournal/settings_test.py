"""Test settings: fast hashing, locmem cache and e-mail, eager Celery that re-raises."""

import os
import tempfile
from pathlib import Path

os.environ.setdefault("DEBUG", "true")

from .settings import *  # noqa: F403

DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
SECURE_SSL_REDIRECT = False
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
# No collectstatic in tests: plain storage (no manifest), and WhiteNoise finds the files in static/ as in development.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = True
# The health check's storage probe writes and deletes a file: not in the working copy.
MEDIA_ROOT = Path(tempfile.gettempdir()) / "ejournal-test-media"
HEALTH_CHECK_TOKEN = ""
LOGGING = {"version": 1, "disable_existing_loggers": False}
