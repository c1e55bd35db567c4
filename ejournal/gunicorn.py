"""gunicorn's configuration for production and the load test: ``gunicorn -c ejournal/gunicorn.py``.

Every value can be set from the environment (``GUNICORN_*``, ``WEB_CONCURRENCY``) or overridden on the command line
(``-b``, ``-w``). What it changes from gunicorn's defaults, and why (bench/load/run.py measures it; docs/scale.md):

- **preload**: Django, the URLs, the templates and the code are loaded once in the master before it forks, so the
  workers start ready and share those pages of memory;
- **the garbage collector**: after the load, ``gc.freeze()`` moves every object of the loaded app out of the
  collector's reach (they live as long as the process: scanning them again at each older-generation collection was
  pure cost). Measured in-process (bench/load/wsgi.py, the collector's own CPU time): a grid page's share of
  collections 0.83 ms → 0.48 ms. Python's thresholds are kept: raising the young one (50,000) made a collection
  rare but 35 ms long (a pause in some request) for no less CPU in total; ``GUNICORN_GC_THRESHOLD`` sets them;
- **the gthread worker, two threads each, with keep-alive**: a browser, or the load balancer in front, keeps its
  connection for the next request instead of a new TCP connection each time (the sync worker closes it after every
  response), and while one request of a worker waits for PostgreSQL the other runs its Python. Measured under load
  (bench/load/run.py --threads, docs/scale.md): two threads served 78–95 saves/s where one served 46, at the same
  CPU per save or less; the client's CPU per request 0.9–1.4 ms instead of the sync worker's 1.6–1.7 ms. Django
  keeps a database connection per thread: 2 × workers connections a machine (PgBouncer's clients);
- **no access log** by default (the proxy in front keeps one); ``GUNICORN_ACCESS_LOG=-`` turns it on;
- **no control socket** (gunicorn 27's, at one path per user account) unless ``GUNICORN_CONTROL_SOCKET`` names one.

``GUNICORN_PROFILE=<folder>`` writes a cProfile of each worker's requests (their CPU time, from the request read to
the response written) there when the worker exits, with one thread per worker: a measurement aid for bench/load,
never for production.
"""

import gc
import os

wsgi_app = "ejournal.wsgi:application"
bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "") or 2 * (os.cpu_count() or 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
threads = int(os.environ.get("GUNICORN_THREADS", "2"))
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE", "5"))
# A stuck request is killed after this (docs/paper.md: the longer work goes to Celery for it).
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
preload_app = os.environ.get("GUNICORN_PRELOAD", "true").lower() not in ("0", "false", "no")
# gunicorn 27's control socket lives at one path per user (~/.gunicorn/gunicorn.ctl): two servers of one account
# (the site and a load test, two sites) would take it from each other. Off; GUNICORN_CONTROL_SOCKET=<path> sets one.
control_socket_disable = not os.environ.get("GUNICORN_CONTROL_SOCKET")
if not control_socket_disable:
    control_socket = os.environ["GUNICORN_CONTROL_SOCKET"]
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# gc.set_threshold in the workers, e.g. "700,10,10" (Python's, kept when unset).
GC_THRESHOLD = tuple(int(n) for n in os.environ.get("GUNICORN_GC_THRESHOLD", "").split(",") if n.strip())
PROFILE_DIR = os.environ.get("GUNICORN_PROFILE", "")
if PROFILE_DIR:
    threads = 1  # a cProfile profiles the thread that enables it: one request at a time per worker


def _warm_up() -> None:
    """What every worker would otherwise build on its first requests: the URL resolver and the compiled base
    templates, built once in the master (with preload) and shared by the workers."""
    from django.template.loader import get_template
    from django.urls import get_resolver

    get_resolver()._populate()
    for name in ("base.html", "includes/navbar.html", "includes/navbar_unread.html"):
        try:
            get_template(name)
        except Exception:
            pass


def when_ready(server) -> None:
    if preload_app:
        _warm_up()
        # Nothing connected before the fork may be shared by the workers (Django connects lazily; to be sure).
        from django.db import connections

        connections.close_all()


def pre_fork(server, worker) -> None:
    # Everything the master holds now (the app, with preload) is left out of the workers' collections for good.
    gc.freeze()


def post_fork(server, worker) -> None:
    if GC_THRESHOLD:
        gc.set_threshold(*GC_THRESHOLD)
    if PROFILE_DIR:
        import cProfile
        import time

        worker.profile = cProfile.Profile(time.process_time)


def pre_request(worker, req) -> None:
    profile = getattr(worker, "profile", None)
    if profile is not None:
        profile.enable()


def post_request(worker, req, environ, resp) -> None:
    profile = getattr(worker, "profile", None)
    if profile is not None:
        profile.disable()


def worker_exit(server, worker) -> None:
    profile = getattr(worker, "profile", None)
    if profile is not None:
        profile.dump_stats(os.path.join(PROFILE_DIR, f"worker-{os.getpid()}.prof"))
