"""Settings for ejournal, read from the environment.

Development defaults (SQLite, eager Celery, console e-mail) need DEBUG=true;
with DEBUG off, SECRET_KEY and ALLOWED_HOSTS must be set or startup fails.
"""

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set SECRET_KEY for production, or DEBUG=true for development."
        )
    SECRET_KEY = "insecure-development-key-do-not-use-in-production"

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS is not set (a comma-separated list of host names).")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
# A refused CSRF token: a Russian page, or JSON for the grid's script (ejournal/errors.py).
CSRF_FAILURE_VIEW = "ejournal.errors.csrf_failure"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "guardian",
    "simple_history",
    "axes",
    "django_htmx",
    "csp",
    "accounts",
    "journal",
    "diary",
    "reports",
    "archive",
    "ejournal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Static files from STATIC_ROOT (compressed, cached for ever under hashed names), before anything else runs.
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "ejournal.middleware.PermissionsPolicyMiddleware",
    "ejournal.middleware.CSPMiddleware",  # django-csp's, its policy's text built once (not per response)
    "accounts.middleware.RefuseNulMiddleware",  # before the session, the login or a view reads the request
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "accounts.middleware.SessionRefreshMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "accounts.middleware.SchoolTimezoneMiddleware",
    # The day's visit for the activity report, once a day per session (after the school's time zone is set).
    "accounts.visits.VisitMiddleware",
    # Last, as django-axes requires.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ejournal.urls"
WSGI_APPLICATION = "ejournal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ejournal.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# The embedded SQLite: write-ahead logging, so a long read (an archive job's snapshot, `make run`'s background
# archive of the demo) never blocks the server's writes, and a writer waits for another rather than failing at once.
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;", "timeout": 20}
    )
# A streaming replica of the primary (docs/scale.md): the reports' and the archive's reads go to it inside their own
# code paths (reports.replica: the views and jobs that enter ``replica_reads``); every write, and every read outside
# those paths or inside a transaction, stays on the primary. Tests mirror it to the primary's test database.
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["reports.replica.ReplicaRouter"]
# Behind PgBouncer in transaction mode (DATABASE_PGBOUNCER=true): a server connection serves one transaction at a
# time, so no server-side cursor may outlive it. The connection to the pooler stays open (CONN_MAX_AGE): a client
# connection costs PgBouncer nothing, and PostgreSQL's backends are its pool, not the number of web processes.
DATABASE_PGBOUNCER = env.bool("DATABASE_PGBOUNCER", default=False)
for _database in DATABASES.values():
    if _database["ENGINE"] == "django.db.backends.postgresql":
        _database["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
        _database["CONN_HEALTH_CHECKS"] = True
        _database["DISABLE_SERVER_SIDE_CURSORS"] = DATABASE_PGBOUNCER
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "accounts.backends.UserBackend",
    "guardian.backends.ObjectPermissionBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Sessions end after a school day of inactivity and when the browser closes (shared school PCs).
# Database sessions, read with one plain query (accounts/sessions.py; the ORM's read cost 1 ms of CPU a request).
SESSION_ENGINE = "accounts.sessions"
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 3600)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
# The 8-hour idle limit is renewed by accounts.middleware.SessionRefreshMiddleware at most every few minutes,
# rather than by a session write on every request (SESSION_SAVE_EVERY_REQUEST costs three queries a request).
SESSION_REFRESH_SECONDS = env.int("SESSION_REFRESH_SECONDS", default=300)

# django-axes: a whole school shares one IP, so lock the (username, IP) pair, not the IP.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/lockout.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)
AXES_IPWARE_META_PRECEDENCE_ORDER = ["HTTP_X_FORWARDED_FOR", "REMOTE_ADDR"]

# django-guardian: no anonymous user; object permissions live in direct foreign-key tables.
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
TIME_ZONE = env.str("TIME_ZONE", default="Europe/Moscow")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
# Backups (archive/services/backup.py, `manage.py backup`, the beat's daily run): dated .tar.gz files of the database
# and the media folder, rotated to 30 daily, 12 monthly and 5 yearly. Put it on another disk, copied off the machine.
BACKUP_DIR = env.path("BACKUP_DIR", default=BASE_DIR / "backups")
# The year's archive signs its PDFs (PAdES, pyHanko) where the school has a certificate: a PKCS#12 file and its
# password. Both empty (the default): the archive is made unsigned (docs/archive.md, «Подпись»).
ARCHIVE_SIGNING_P12 = env.str("ARCHIVE_SIGNING_P12", default="")
ARCHIVE_SIGNING_PASSWORD = env.str("ARCHIVE_SIGNING_PASSWORD", default="")
# The year's archive is shared by this many Celery tasks at once (one class each at a time): one per worker process.
ARCHIVE_PARALLEL = env.int("ARCHIVE_PARALLEL", default=2)
# WhiteNoise serves STATIC_ROOT from the web processes after `collectstatic` (gunicorn alone is enough; a proxy in
# front may serve it too). In production the files carry their hash in the name and are stored gzip- and
# brotli-compressed beside; the development server serves them from static/ as they are.
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

REDIS_URL = env.str("REDIS_URL", default="")
# A Redis that is down or unreachable fails fast instead of holding the caller (the health check among them).
REDIS_TIMEOUT = env.float("REDIS_TIMEOUT", default=0.3)
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": REDIS_TIMEOUT, "socket_timeout": REDIS_TIMEOUT},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Celery: a real broker with REDIS_URL, otherwise tasks run eagerly in the calling process.
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = REDIS_URL or None
CELERY_TASK_ALWAYS_EAGER = not REDIS_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Handing a task to the broker must never hold a web request (issue 10): with Redis down, unreachable or silent a
# publish gives up after one attempt of REDIS_TIMEOUT seconds (the result backend's subscription after two), instead
# of Celery's retries (about 20 s with the redis result backend, for ever on a silent one). The write is committed
# before; the e-mail waits in the outbox for send_due_emails, and journal.services.queue skips the broker for a while
# after a failure. Workers keep retrying their own connection to the broker (broker_connection_max_retries).
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_TIMEOUT
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "socket_connect_timeout": REDIS_TIMEOUT,
    "socket_timeout": REDIS_TIMEOUT,
    "max_retries": 0,
}
CELERY_TASK_PUBLISH_RETRY_POLICY = {"max_retries": 0}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_TIMEOUT
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_TIMEOUT
CELERY_RESULT_BACKEND_TRANSPORT_OPTIONS = {"retry_policy": {"max_retries": 0}}
CELERY_BEAT_SCHEDULE = {
    # Sign-ins and visits (the activity report) are kept a year; idempotent.
    "accounts-purge-activity-records": {
        "task": "accounts.tasks.purge_activity_records",
        "schedule": crontab(hour=3, minute=40),
    },
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": timedelta(hours=6),
    },
    # Hourly, so that schools in every time zone are stamped soon after their midnight; idempotent and cheap.
    "journal-lock-expired-lessons": {
        "task": "journal.tasks.lock_expired_lessons",
        "schedule": crontab(minute=30),
    },
    "journal-warn-locking-soon": {
        "task": "journal.tasks.warn_locking_soon",
        "schedule": crontab(hour=7, minute=0),
    },
    # E-mail notifications (diary/tasks.py): the outbox's due and orphaned e-mails, the scan of new marks and
    # absences, and the weekly digest (hourly: each school gets it on Saturday afternoon in its own time zone).
    "diary-send-due-emails": {
        "task": "diary.tasks.send_due_emails",
        "schedule": timedelta(minutes=5),
    },
    "diary-notify-new-records": {
        "task": "diary.tasks.notify_new_records",
        "schedule": timedelta(minutes=10),
    },
    "diary-send-weekly-digests": {
        "task": "diary.tasks.send_weekly_digests",
        "schedule": crontab(minute=20),
    },
    # The nightly backup of the database and the media folder, then the rotation (archive/tasks.py; docs/operations.md).
    "archive-backup-daily": {
        "task": "archive.tasks.backup_daily",
        "schedule": crontab(hour=2, minute=30),
    },
    # The audit's weekly remarks (reports/tasks.py): hourly, so that each school's are recorded on Monday soon after
    # 05:00 in its own time zone (once a week per school; idempotent).
    "reports-record-weekly-remarks": {
        "task": "reports.tasks.record_weekly_remarks",
        "schedule": crontab(minute=10),
    },
}

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ejournal@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The address of the site as users open it: e-mails carry absolute links built from it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

# Security: strict in production, relaxed for the development server; each flag can be set from the environment
# (e.g. SECURE_SSL_REDIRECT=false where the proxy redirects, SECURE_HSTS_INCLUDE_SUBDOMAINS=false on a shared domain).
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
# Monitoring may poll the health endpoint over plain HTTP from inside the network.
SECURE_REDIRECT_EXEMPT = [r"^health/$"]
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=not DEBUG)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]  # HSTS preload is an operator's decision, not ours.
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Links to other sites get the origin only; our own pages get the full address.
SECURE_REFERRER_POLICY = env.str("SECURE_REFERRER_POLICY", default="strict-origin-when-cross-origin")

# Content-Security-Policy (django-csp): scripts and styles from our own origin only, no inline script or style
# attribute. An inline <script> or <style> block carries nonce="{{ request.csp_nonce }}". Images may be data: URIs
# (Bootstrap draws its icons in CSS with them); nothing may frame the site or post a form elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    },
}
# Permissions-Policy (ejournal.middleware): the journal uses no device or sensor.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "usb",
    )
}

# The health endpoint (/health/, ejournal/health.py) for monitoring. With a token set it answers only requests
# carrying it ("Authorization: Bearer <token>" or ?token=), 404 to anyone else; without one it is open, and shows
# nothing personal either way. The ages past which the outbox and the beat are reported down, in minutes.
HEALTH_CHECK_TOKEN = env.str("HEALTH_CHECK_TOKEN", default="")
HEALTH_OUTBOX_MAX_MINUTES = env.int("HEALTH_OUTBOX_MAX_MINUTES", default=30)
HEALTH_BEAT_MAX_MINUTES = env.int("HEALTH_BEAT_MAX_MINUTES", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs each step of every PDF at INFO: a class's paper diaries would fill a worker's log.
    "loggers": {"axes": {"level": "WARNING"}, "weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
