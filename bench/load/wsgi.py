"""The CPU of a request through the whole WSGI application, as a gunicorn worker calls it, without the network.

    .venv/bin/python bench/load/wsgi.py --database ejournal_load             # profile page, a save, the grid
    .venv/bin/python bench/load/wsgi.py --database ejournal_load --gc freeze --profile save

Production settings (DEBUG off, the database sessions, Redis as the cache), on a database the load test seeded
(``bench/load/run.py --keep-db NAME``; the saves write to it, as the load test does). Each request is a WSGI environ
as gunicorn builds it, passed to ``ejournal.wsgi.application`` with every middleware; the process's CPU time per
request is the median of ``--runs``, the PostgreSQL backend's CPU beside it (its /proc ticks over all the runs).
``--gc`` chooses what the gunicorn config does to the collector (``ejournal/gunicorn.py``): ``default`` (Python's),
``freeze`` (the app frozen after loading; ``--gc-threshold`` then sets the thresholds), and the collector's own
CPU time per request is printed beside, a figure the machine's load hardly moves. ``--profile`` prints a cProfile
of one kind of request. The last line is the figures as JSON.
"""

import argparse
import gc
import io
import json
import os
import secrets
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[2]


def environ(method: str, path: str, cookies: dict, body: bytes = b"", headers: dict | None = None) -> dict:
    env = {
        "REQUEST_METHOD": method,
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "REMOTE_PORT": "50000",
        "HTTP_HOST": "127.0.0.1:8000",
        "HTTP_USER_AGENT": "bench",
        "HTTP_ACCEPT_ENCODING": "gzip, deflate",
        "HTTP_COOKIE": "; ".join(f"{name}={value}" for name, value in cookies.items()),
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(body),
        "wsgi.errors": sys.stderr,
        "wsgi.multithread": False,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "CONTENT_LENGTH": str(len(body)) if body else "",
        "CONTENT_TYPE": "application/x-www-form-urlencoded" if body else "",
    }
    for name, value in (headers or {}).items():
        env["HTTP_" + name.upper().replace("-", "_")] = value
    return env


def call(application, env: dict) -> tuple[str, bytes, list]:
    status_headers = []

    def start_response(status, headers, exc_info=None):
        status_headers[:] = [status, headers]

    result = application(env, start_response)
    try:
        body = b"".join(result)
    finally:
        if hasattr(result, "close"):
            result.close()
    return status_headers[0], body, status_headers[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default="ejournal_load")
    parser.add_argument("--runs", type=int, default=200)
    parser.add_argument("--gc", choices=["default", "freeze"], default="freeze")
    parser.add_argument("--gc-threshold", default="700,10,10", help="with --gc freeze: gc.set_threshold's")
    parser.add_argument("--profile", choices=["profile", "save", "grid"], default="")
    args = parser.parse_args()
    os.environ.update(
        DJANGO_SETTINGS_MODULE="ejournal.settings",
        DEBUG="false",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        DATABASE_URL=f"postgres://postgres@127.0.0.1:5432/{args.database}",
        REDIS_URL=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/6"),
        SECURE_SSL_REDIRECT="false",
        SESSION_COOKIE_SECURE="false",
        CSRF_COOKIE_SECURE="false",
        SECURE_HSTS_SECONDS="0",
        LOG_LEVEL="WARNING",
        STATIC_ROOT=os.environ.get("BENCH_STATIC_ROOT", "/tmp/ejournal-bench-wsgi-static"),
    )
    import subprocess

    python = str(ROOT / ".venv" / "bin" / "python")
    subprocess.run([python, "manage.py", "collectstatic", "--noinput", "-v", "0"], cwd=ROOT, check=True)
    sys.path.insert(0, str(ROOT))
    sys.path.insert(0, str(ROOT / "bench" / "load"))
    from run import build_plan

    from ejournal.wsgi import application

    plan = build_plan(1)
    teacher = plan["teachers"][0]
    cookies = {"sessionid": teacher["session"]}
    status, body, headers = call(application, environ("GET", teacher["grid"], cookies))
    assert status.startswith("200"), status
    for name, value in headers:
        if name.lower() == "set-cookie" and value.strip().startswith("csrftoken="):
            cookies["csrftoken"] = value.strip().split("=", 1)[1].split(";", 1)[0]
    import re

    token = re.search(rb'name="csrfmiddlewaretoken" value="([^"]+)"', body).group(1).decode()
    cells = teacher["cells"]

    def save(n: int) -> dict:
        cell = cells[n % len(cells)]
        value = "4" if cell.get("last") != "4" else "5"
        cell["last"] = value
        data = {"lesson": cell["lesson"], "pupil": cell["pupil"], "field": "mark1", "value": value}
        if teacher["period"]:
            data["period"] = teacher["period"]
        headers = {"X-CSRFToken": token, "X-Requested-With": "fetch", "Accept": "application/json"}
        return environ("POST", "/journal/grid/cell/", cookies, urlencode(data).encode(), headers)

    kinds = {
        "profile": lambda n: environ("GET", "/accounts/profile/", cookies),
        "save": save,
        "grid": lambda n: environ("GET", teacher["grid"], cookies),
    }
    from django.db import connection

    with connection.cursor() as cursor:  # the connection the application uses (one thread)
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]

    def backend_ticks() -> int:
        fields = Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()
        return int(fields[11]) + int(fields[12])

    if args.gc == "freeze":  # as ejournal/gunicorn.py: after the load, before the requests
        gc.freeze()
        gc.set_threshold(*(int(n) for n in args.gc_threshold.split(",")))

    collector = {"ms": 0.0, "runs": 0, "started": 0.0}

    def on_gc(phase: str, info: dict) -> None:  # the collector's own CPU time, whatever the machine's load
        if phase == "start":
            collector["started"] = time.process_time()
        else:
            collector["ms"] += (time.process_time() - collector["started"]) * 1000
            collector["runs"] += 1

    gc.callbacks.append(on_gc)
    figures = {"bench": "wsgi", "database": "postgresql", "gc": args.gc, "runs": args.runs}
    if args.gc == "freeze":
        figures["gc_threshold"] = args.gc_threshold
    for name, build in kinds.items():
        for n in range(5):  # warm
            call(application, build(n))
        cpus = []
        collector.update(ms=0.0, runs=0)
        ticks = backend_ticks()
        for n in range(args.runs):
            env = build(n)
            started = time.process_time()
            status, _body, _headers = call(application, env)
            cpus.append(time.process_time() - started)
            assert status.startswith("200"), (name, status, _body[:300])
        db_ms = (backend_ticks() - ticks) * 1000 / os.sysconf("SC_CLK_TCK") / args.runs
        figures[f"{name}_cpu_ms"] = round(statistics.median(cpus) * 1000, 2)
        figures[f"{name}_cpu_mean_ms"] = round(statistics.mean(cpus) * 1000, 2)
        figures[f"{name}_db_cpu_ms"] = round(db_ms, 2)
        figures[f"{name}_gc_ms"] = round(collector["ms"] / args.runs, 3)
        print(
            f"  {name:<8} app CPU median {figures[f'{name}_cpu_ms']:6.2f} ms, "
            f"mean {figures[f'{name}_cpu_mean_ms']:6.2f} ms (the garbage collector {figures[f'{name}_gc_ms']:.3f} ms of it, {collector['runs']} collections);"
            f" PostgreSQL backend {db_ms:5.2f} ms"
        )
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile(time.process_time)
        for n in range(args.runs):
            env = kinds[args.profile](n)
            profiler.enable()
            call(application, env)
            profiler.disable()
        print(f"--- cProfile of {args.runs} × {args.profile} (CPU time)")
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
