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
# pytest-xdist (`make test` runs the suite in parallel) names each of its processes (gw0, gw1, …); pytest-django gives
# each its own test database (test_<name>_gw0, …). The rest is per process here: the media folder, and the Celery
# queue on the shared Redis, so that a real worker (-m celery_worker) never takes another process's task, whose rows
# are in the other database.
XDIST_WORKER = os.environ.get("PYTEST_XDIST_WORKER", "")
# The health check's storage probe writes and deletes a file: not in the working copy.
MEDIA_ROOT = Path(tempfile.gettempdir()) / "-".join(filter(None, ["ejournal-test-media", XDIST_WORKER]))
if XDIST_WORKER:
    CELERY_TASK_DEFAULT_QUEUE = f"celery-{XDIST_WORKER}"
HEALTH_CHECK_TOKEN = ""
LOGGING = {"version": 1, "disable_existing_loggers": False}
# A test database is thrown away: PostgreSQL need not wait for the disk at each commit (migrations, the
# transactional tests' and the live servers' autocommit writes). Nothing else changes: a crash loses no test.
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":  # noqa: F405
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"  # noqa: F405
