"""Benchmark ``manage.py seed_demo``: each size on a fresh throwaway database; time, queries and row counts.

    DEBUG=true .venv/bin/python bench/seed_demo.py               # 550 (the default) and 1000 pupils
    DEBUG=true .venv/bin/python bench/seed_demo.py --pupils 2000
    DEBUG=true .venv/bin/python bench/seed_demo.py --pupils 550 --past-year   # and last year (seed_demo_past)

The current year is what ``make run`` waits for before it serves; last year is built in the background meanwhile
(without its archive here: bench/archive.py measures that). CPU time is printed beside wall time.

The database is an SQLite file under /tmp, or, with DATABASE_URL set (PostgreSQL), a throwaway
database created on that server and dropped afterwards. The development database is never touched. Settings:
ejournal.settings_test (bench/common.py). The last line is the figures of every size as JSON.
"""

import argparse
import time
from io import StringIO

from common import Step, print_figures, throwaway_database  # first: sets Django up
from django.core.management import call_command
from django.db import connection

from ejournal.management.commands.seed_demo import row_counts
from journal.demo import DEFAULT_PUPILS


def run(pupils: int, past_year: bool) -> dict:
    figures: dict = {"pupils": pupils}
    with throwaway_database(f"seed-{pupils}") as migrated:
        cpu = time.process_time()
        with Step("seed_demo", quiet=True) as seeding:
            call_command("seed_demo", pupils=pupils, stdout=StringIO())
        figures["seed_cpu_s"] = round(time.process_time() - cpu, 2)
        print(f"--pupils {pupils} on {connection.vendor} ({connection.settings_dict['NAME']})")
        print(f"  migrate            {migrated:6.2f} s")
        print(
            f"  seed_demo          {seeding.elapsed:6.2f} s wall, {figures['seed_cpu_s']:6.2f} s CPU, {seeding.count} queries"
        )
        if past_year:
            cpu = time.process_time()
            with Step("seed_demo_past", quiet=True) as past:
                call_command("seed_demo_past", no_archive=True, stdout=StringIO())
            figures.update(past.figures("past_year"), past_year_cpu_s=round(time.process_time() - cpu, 2))
            print(
                f"  seed_demo_past     {past.elapsed:6.2f} s wall, {figures['past_year_cpu_s']:6.2f} s CPU, "
                f"{past.count} queries (last year, in the background of make run)"
            )
        rows = row_counts()
        for label, count in rows:
            print(f"  {label:<28} {count:>7}")
    return {**figures, "migrate_s": round(migrated, 2), **seeding.figures("seed"), "rows": dict(rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pupils",
        type=int,
        action="append",
        help=f"pupils in the school (repeatable; default {DEFAULT_PUPILS} and 1000)",
    )
    parser.add_argument("--past-year", action="store_true", help="and last year (seed_demo_past, without the archive)")
    args = parser.parse_args()
    runs = [run(pupils, args.past_year) for pupils in args.pupils or [DEFAULT_PUPILS, 1000]]
    print_figures("seed_demo", {"runs": runs})


if __name__ == "__main__":
    main()
