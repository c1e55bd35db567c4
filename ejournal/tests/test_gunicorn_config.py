"""ejournal/gunicorn.py, the web processes' configuration: its defaults and its hooks."""

import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

CONFIG = Path(__file__).resolve().parents[1] / "gunicorn.py"

GUNICORN_VARS = (
    "GUNICORN_BIND",
    "WEB_CONCURRENCY",
    "GUNICORN_WORKER_CLASS",
    "GUNICORN_THREADS",
    "GUNICORN_KEEPALIVE",
    "GUNICORN_TIMEOUT",
    "GUNICORN_PRELOAD",
    "GUNICORN_CONTROL_SOCKET",
    "GUNICORN_ACCESS_LOG",
    "GUNICORN_GC_THRESHOLD",
    "GUNICORN_PROFILE",
)


def load(monkeypatch, **env):
    for name in GUNICORN_VARS:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return runpy.run_path(str(CONFIG))


def test_the_defaults_are_production_ones(monkeypatch):
    config = load(monkeypatch)
    assert config["wsgi_app"] == "ejournal.wsgi:application"
    assert config["worker_class"] == "gthread" and config["threads"] == 2
    assert config["keepalive"] == 5 and config["timeout"] == 30
    assert config["preload_app"] is True
    assert config["accesslog"] is None
    assert config["control_socket_disable"] is True
    assert config["workers"] >= 2


def test_the_environment_overrides_them(monkeypatch):
    config = load(
        monkeypatch,
        WEB_CONCURRENCY="3",
        GUNICORN_THREADS="1",
        GUNICORN_PRELOAD="false",
        GUNICORN_GC_THRESHOLD="900,20,20",
        GUNICORN_ACCESS_LOG="-",
    )
    assert config["workers"] == 3 and config["threads"] == 1
    assert config["preload_app"] is False
    assert config["GC_THRESHOLD"] == (900, 20, 20)
    assert config["accesslog"] == "-"


def test_the_workers_collect_without_the_preloaded_app(monkeypatch):
    config = load(monkeypatch, GUNICORN_GC_THRESHOLD="900,20,20")
    before = gc.get_threshold()
    try:
        config["pre_fork"](None, SimpleNamespace())
        assert gc.get_freeze_count() > 0
        config["post_fork"](None, SimpleNamespace())
        assert gc.get_threshold() == (900, 20, 20)
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
