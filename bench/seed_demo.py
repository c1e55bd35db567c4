"""Benchmark ``manage.py seed_demo``: each size on a fresh throwaway database; time, queries and row counts.

    DEBUG=true .venv/bin/python bench/seed_demo.py               # 550 (the default) and 1000 pupils
    DEBUG=true .venv/bin/python bench/seed_demo.py --pupils 2000

The database is an SQLite file under /tmp, or, with DATABASE_URL set (PostgreSQL), a throwaway
database created on that server and dropped afterwards. The development database is never touched.
"""

import argparse
import os
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ejournal.settings")
# Without DATABASE_URL the settings would point at the development db.sqlite3; point them at /tmp instead.
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/ejournal-bench-main.sqlite3")

import django

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from ejournal.management.commands.seed_demo import row_counts  # noqa: E402
from journal.demo import DEFAULT_PUPILS  # noqa: E402


def throwaway_name(pupils: int) -> str:
    if connection.vendor == "sqlite":
        return str(Path(tempfile.gettempdir()) / f"ejournal-bench-{os.getpid()}-{pupils}.sqlite3")
    return f"ejournal_bench_{os.getpid()}_{pupils}"


def run(pupils: int) -> None:
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = throwaway_name(pupils)
    started = time.perf_counter()
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    migrated = time.perf_counter() - started
    ContentType.objects.clear_cache()  # content type ids belong to the previous database
    try:
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            call_command("seed_demo", pupils=pupils, stdout=StringIO())
            seeded = time.perf_counter() - started
        print(f"--pupils {pupils} on {connection.vendor} ({connection.settings_dict['NAME']})")
        print(f"  migrate            {migrated:6.2f} s")
        print(f"  seed_demo          {seeded:6.2f} s, {len(queries)} queries")
        for label, count in row_counts():
            print(f"  {label:<28} {count:>7}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pupils",
        type=int,
        action="append",
        help=f"pupils in the school (repeatable; default {DEFAULT_PUPILS} and 1000)",
    )
    args = parser.parse_args()
    for pupils in args.pupils or [DEFAULT_PUPILS, 1000]:
        run(pupils)


if __name__ == "__main__":
    main()
