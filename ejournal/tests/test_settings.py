"""Production settings: strict, and loud when a secret is missing."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]


def run_manage(*args, **env_overrides):
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "ejournal.settings"
    env.update(env_overrides)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_is_clean_with_production_values():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DEBUG="false",
        SECRET_KEY="k8#2vQ!x9zLr5^tWm0pN7sE3yB6uH1cJ4fA8dG2iK5oP9qR3sT6vX0wZ",
        ALLOWED_HOSTS="journal.school.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_production_without_a_secret_fails_loudly():
    result = run_manage("check", DEBUG="false", ALLOWED_HOSTS="journal.school.example")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_production_without_allowed_hosts_fails_loudly():
    result = run_manage("check", DEBUG="false", SECRET_KEY="x" * 60)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "k8#2vQ!x9zLr5^tWm0pN7sE3yB6uH1cJ4fA8dG2iK5oP9qR3sT6vX0wZ",
    "ALLOWED_HOSTS": "journal.school.example",
}

SHOW_SETTINGS = """
import json
import django
from django.conf import settings
django.setup()
names = [
    "SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SECURE_REFERRER_POLICY", "STORAGES",
]
print(json.dumps({name: getattr(settings, name) for name in names}))
"""


def settings_with(**env_overrides) -> dict:
    """The settings a process started with this environment gets (production values unless overridden)."""
    env = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", *env_overrides}}
    env.update(DJANGO_SETTINGS_MODULE="ejournal.settings", **{**PRODUCTION, **env_overrides})
    result = subprocess.run(
        [sys.executable, "-c", SHOW_SETTINGS], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_security_flags_default_to_production_values():
    values = settings_with()
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"] and values["CSRF_COOKIE_SECURE"]
    assert values["SECURE_HSTS_SECONDS"] == 31536000 and values["SECURE_HSTS_INCLUDE_SUBDOMAINS"]
    assert values["SECURE_HSTS_PRELOAD"] is False
    assert values["SECURE_REFERRER_POLICY"] == "strict-origin-when-cross-origin"


def test_each_security_flag_is_read_from_the_environment():
    """A site behind a proxy on plain HTTP inside the network, on a shared parent domain (no HSTS for subdomains)."""
    values = settings_with(
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        SECURE_HSTS_PRELOAD="true",
        SECURE_REFERRER_POLICY="same-origin",
    )
    assert not values["SECURE_SSL_REDIRECT"] and not values["SESSION_COOKIE_SECURE"]
    assert not values["CSRF_COOKIE_SECURE"] and values["SECURE_HSTS_SECONDS"] == 0
    assert not values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] and values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_REFERRER_POLICY"] == "same-origin"


def test_development_relaxes_the_flags():
    values = settings_with(DEBUG="true")
    assert not values["SECURE_SSL_REDIRECT"] and not values["SESSION_COOKIE_SECURE"]
    assert not values["CSRF_COOKIE_SECURE"] and values["SECURE_HSTS_SECONDS"] == 0
    # The development server serves static/ as it is; production serves collectstatic's hashed, compressed files.
    assert values["STORAGES"]["staticfiles"]["BACKEND"] == "django.contrib.staticfiles.storage.StaticFilesStorage"
    production = settings_with()["STORAGES"]["staticfiles"]["BACKEND"]
    assert production == "whitenoise.storage.CompressedManifestStaticFilesStorage"


SERVE_STATIC = """
import django
from django.conf import settings
from django.templatetags.static import static
from django.test import Client
django.setup()
url = static("css/ejournal.css")
assert url != "/static/css/ejournal.css", url  # the manifest's hashed name
response = Client(HTTP_ACCEPT_ENCODING="gzip").get(url, secure=True)
body = b"".join(response.streaming_content)
print(response.status_code, response["Content-Encoding"], response["Cache-Control"], len(body), sep="|")
"""


def test_whitenoise_serves_collected_static_files_compressed(tmp_path):
    """gunicorn alone serves the static files after collectstatic: WhiteNoise, from STATIC_ROOT, gzipped, cached for
    a year under the hashed name (the README's production steps)."""
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    env.update(
        PRODUCTION, DJANGO_SETTINGS_MODULE="ejournal.settings", ALLOWED_HOSTS="testserver", STATIC_ROOT=str(tmp_path)
    )
    collected = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert collected.returncode == 0, collected.stderr
    assert list(tmp_path.glob("css/ejournal.*.css.gz")), "no compressed copy beside the hashed file"
    served = subprocess.run(
        [sys.executable, "-c", SERVE_STATIC], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )
    assert served.returncode == 0, served.stderr
    status, encoding, cache_control, _size = served.stdout.strip().split("|")
    assert (status, encoding) == ("200", "gzip")
    assert "max-age=315360000" in cache_control and "immutable" in cache_control
