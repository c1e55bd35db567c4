"""What the benchmark scripts share: Django on the test settings, a throwaway database, timing and the figures line.

Import it before anything of the project (``from common import ...`` sorts first among the scripts' third-party
imports, and every app import comes after): importing sets Django up. The test settings run with DEBUG off, as
production does (no debug cursor, no template debug info). The database is an SQLite file under /tmp or, with
DATABASE_URL, a throwaway PostgreSQL database created and dropped on that server; the development database is
never touched.

Every script ends its output with one line of JSON (``print_figures``): its figures, for a program to compare runs.
"""

import json
import os
import re
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import django
from django.apps import apps
from django.core.cache import cache
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ejournal.settings_test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/ejournal-bench-main.sqlite3")
django.setup()


@contextmanager
def throwaway_database(tag: str) -> Iterator[float]:
    """Create an empty migrated database for the benchmark, and drop it afterwards; yields the seconds it took."""
    if connection.vendor == "sqlite":
        name = str(Path(tempfile.gettempdir()) / f"ejournal-bench-{tag}-{os.getpid()}.sqlite3")
    else:
        name = f"ejournal_bench_{tag.replace('-', '_')}_{os.getpid()}"
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    migrated = time.perf_counter() - started
    # Content type ids and cached rows belong to the previous database.
    apps.get_model("contenttypes", "ContentType").objects.clear_cache()
    cache.clear()
    try:
        yield migrated
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


class Timing:
    """Median wall time of a call over ``runs``, and the median CPU time of this process beside it.

    The machine is shared: when other processes load it, wall time grows while the process's CPU time (the
    Python side; with SQLite, the database work too) stays close to what an idle machine shows.
    """

    def __init__(self, call: Callable[[int], object], runs: int, check: Callable | None = None) -> None:
        walls, cpus = [], []
        for n in range(runs):
            wall, cpu = time.perf_counter(), time.process_time()
            result = call(n)
            cpus.append(time.process_time() - cpu)
            walls.append(time.perf_counter() - wall)
            if check is not None:
                check(result)
        self.wall = statistics.median(walls) * 1000
        self.cpu = statistics.median(cpus) * 1000
        self.best = min(walls) * 1000

    def __str__(self) -> str:
        return f"median {self.wall:5.1f} ms (best {self.best:.1f}, CPU {self.cpu:.1f})"


class Step:
    """Time and count the queries of one step (a wrapper counts them: Django's query log keeps only 9000).

    Prints a line when the step ends, unless ``quiet``; ``figures(name)`` gives its numbers for the JSON line.
    """

    def __init__(self, label: str, *, quiet: bool = False) -> None:
        self.label = label
        self.quiet = quiet
        self.count = 0
        self.updates = 0
        self.elapsed = 0.0

    def _count(self, execute, sql, params, many, context):
        self.count += 1
        self.updates += sql.lstrip().upper().startswith("UPDATE")
        return execute(sql, params, many, context)

    def __enter__(self) -> "Step":
        self.wrapper = connection.execute_wrapper(self._count)
        self.wrapper.__enter__()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.elapsed = time.perf_counter() - self.started
        self.wrapper.__exit__(*exc)
        if exc[0] is None and not self.quiet:
            print(self.line())

    def line(self) -> str:
        return f"  {self.label:<34} {self.elapsed:6.2f} s, {self.count:5d} queries"

    def figures(self, name: str) -> dict:
        return {f"{name}_s": round(self.elapsed, 3), f"{name}_queries": self.count}


def ok(response) -> None:
    assert response.status_code == 200, (response.status_code, response.content[:300])


def print_figures(bench: str, figures: dict) -> None:
    """The last line of a benchmark's output: its figures as one line of JSON (times in ms or s, as the key says)."""
    print(json.dumps({"bench": bench, "database": connection.vendor, **figures}, ensure_ascii=False))


def profile_call(label: str, call: Callable[[], object], restrict: str, top: int = 40) -> None:
    """A cProfile of one call: cumulative time restricted to ``restrict`` (a regex of paths), then own time."""
    import cProfile
    import pstats

    profiler = cProfile.Profile()
    profiler.enable()
    call()
    profiler.disable()
    print(f"--- profile: {label}")
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(restrict, top)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(20)


def pyinstrument_call(label: str, call: Callable[[], object], repeat: int = 20) -> None:
    """A statistical profile (pyinstrument) of ``repeat`` calls: where the wall time of the call goes, as a tree."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0002)
    profiler.start()
    for _ in range(repeat):
        call()
    profiler.stop()
    print(f"--- pyinstrument: {label} ×{repeat}")
    print(profiler.output_text(unicode=True, color=False, show_all=False, short_mode=False))


class DatabaseCpu:
    """The CPU time of this connection's PostgreSQL backend (it runs on this machine), from /proc/<pid>/stat.

    The kernel counts in clock ticks (10 ms), so it is read around a whole series of requests and divided by their
    number. ``None`` on SQLite (the database work is in this process's CPU time) or when /proc cannot be read.
    """

    def __init__(self) -> None:
        self.pid = None
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]

    def ticks(self) -> int | None:
        if self.pid is None:
            return None
        try:
            fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return None
        return int(fields[11]) + int(fields[12])  # utime + stime (fields 14 and 15 of stat)

    def per_call_ms(self, call: Callable[[int], object], runs: int) -> float | None:
        """Mean milliseconds of backend CPU per call over ``runs`` calls."""
        before = self.ticks()
        if before is None:
            return None
        for n in range(runs):
            call(n)
        return (self.ticks() - before) * 1000 / os.sysconf("SC_CLK_TCK") / runs


# The pages of bench/reports.py and bench/audit.py ---------------------------------------------------------------


def query_count(call) -> int:
    """The queries ``call()`` runs."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


def measure_page(client, database, label, url, query, runs, figures, target=None, *, width=24, size=False) -> None:
    """A page's median wall time and application CPU (this process) over ``runs`` requests, its database CPU (the
    PostgreSQL backend's, bench/common.py DatabaseCpu), its queries and their time, into ``figures``."""
    from django.test.utils import CaptureQueriesContext

    def get(_n):
        return client.get(url, query)

    first = get(0)
    if first.status_code != 200:  # say why (the form's Russian message) before failing
        text = re.sub(r"<[^>]+>", " ", first.content.decode())
        print(f"  {label}: {first.status_code}", " ".join(text.split())[-600:])
    ok(first)
    timing = Timing(get, runs, check=ok)
    with CaptureQueriesContext(connection) as queries:
        ok(get(0))
    count = len(queries)  # now: the next request empties the query log
    query_ms = sum(float(query["time"]) for query in queries.captured_queries) * 1000
    db_cpu = database.per_call_ms(get, runs if timing.cpu > 100 else max(runs, 20))
    # The page's own CPU apart from its database work: on PostgreSQL the backend's CPU is another process's (this
    # process's CPU is the application's); on SQLite the queries run in this process (their time is taken off).
    app_cpu = timing.cpu if db_cpu is not None else max(0.0, timing.cpu - query_ms)
    verdict = "" if target is None else (" ok" if timing.wall < target else f" OVER {target} ms")
    db = f", database CPU {db_cpu:.1f} ms" if db_cpu is not None else ""
    kb = f", {len(first.content) // 1024} KB" if size else ""
    print(f"  {label:<{width}} {timing}{db}, {count:3d} queries ({query_ms:.1f} ms){kb}{verdict}")
    figures[f"{label}_ms"] = round(timing.wall, 1)
    figures[f"{label}_cpu_ms"] = round(timing.cpu, 1)
    figures[f"{label}_app_cpu_ms"] = round(app_cpu, 1)
    figures[f"{label}_db_cpu_ms"] = None if db_cpu is None else round(db_cpu, 1)
    figures[f"{label}_query_ms"] = round(query_ms, 1)
    figures[f"{label}_queries"] = count


def floor_ratios(figures: dict, labels: list[str], *, width=24) -> None:
    """Each page's (CPU − its database part) over the floor's (the profile page's, measured the same way): the
    issue's target is at most 2 (2× the plain page, plus the page's own query time)."""
    floor = figures["floor_app_cpu_ms"]
    print(f"  (page CPU − its database part) / the floor's {floor:.1f} ms (target ≤ 2):")
    for label in labels:
        ratio = round(figures[f"{label}_app_cpu_ms"] / floor, 2) if floor else None
        figures[f"{label}_floor_ratio"] = ratio
        verdict = "" if ratio is None or label == "floor" else (" ok" if ratio <= 2 else " OVER")
        print(f"    {label:<{width}} {ratio}{verdict}")
