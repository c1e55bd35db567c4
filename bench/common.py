"""What the benchmark scripts share: Django on the test settings, a throwaway database, and timing.

Import it first (``from common import ...``): importing sets Django up. The test settings run with DEBUG off, as
production does (no debug cursor, no template debug info). The database is an SQLite file under /tmp or, with
DATABASE_URL, a throwaway PostgreSQL database created and dropped on that server; the development database is
never touched.
"""

import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ejournal.settings_test")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/ejournal-bench-main.sqlite3")

import django  # noqa: E402

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.db import connection  # noqa: E402


@contextmanager
def throwaway_database(tag: str) -> Iterator[None]:
    """Create an empty migrated database for the benchmark, and drop it afterwards."""
    if connection.vendor == "sqlite":
        name = str(Path(tempfile.gettempdir()) / f"ejournal-bench-{tag}-{os.getpid()}.sqlite3")
    else:
        name = f"ejournal_bench_{tag}_{os.getpid()}"
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = name
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    ContentType.objects.clear_cache()
    try:
        yield
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


def ok(response) -> None:
    assert response.status_code == 200, (response.status_code, response.content[:300])


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
