"""Benchmark ``manage.py seed_demo``: each size on a fresh throwaway database; time, queries and row counts.

    DEBUG=true .venv/bin/python bench/seed_demo.py               # 550 (the default) and 1000 pupils
    DEBUG=true .venv/bin/python bench/seed_demo.py --pupils 2000

The database is an SQLite file under /tmp, or, with DATABASE_URL set (PostgreSQL), a throwaway
database created on that server and dropped afterwards. The development database is never touched. Settings:
ejournal.settings_test (bench/common.py). The last line is the figures of every size as JSON.
"""

import argparse
from io import StringIO

from common import Step, print_figures, throwaway_database  # first: sets Django up
from django.core.management import call_command
from django.db import connection

from ejournal.management.commands.seed_demo import row_counts
from journal.demo import DEFAULT_PUPILS


def run(pupils: int) -> dict:
    with throwaway_database(f"seed-{pupils}") as migrated:
        with Step("seed_demo", quiet=True) as seeding:
            call_command("seed_demo", pupils=pupils, stdout=StringIO())
        print(f"--pupils {pupils} on {connection.vendor} ({connection.settings_dict['NAME']})")
        print(f"  migrate            {migrated:6.2f} s")
        print(f"  seed_demo          {seeding.elapsed:6.2f} s, {seeding.count} queries")
        rows = row_counts()
        for label, count in rows:
            print(f"  {label:<28} {count:>7}")
    return {"pupils": pupils, "migrate_s": round(migrated, 2), **seeding.figures("seed"), "rows": dict(rows)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--pupils",
        type=int,
        action="append",
        help=f"pupils in the school (repeatable; default {DEFAULT_PUPILS} and 1000)",
    )
    args = parser.parse_args()
    print_figures("seed_demo", {"runs": [run(pupils) for pupils in args.pupils or [DEFAULT_PUPILS, 1000]]})


if __name__ == "__main__":
    main()
