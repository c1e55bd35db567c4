"""Benchmark the timetable and the year's lesson layout on a fresh throwaway database.

    DEBUG=true .venv/bin/python bench/year_layout.py                  # --pupils 1000 (44 classes)
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres DEBUG=true .venv/bin/python bench/year_layout.py

Seeds the demo school, builds its timetable (``seed_timetable`` without the layout), then times
``lessons_layout`` for the whole year: cold; again (nothing to do); after a mid-year change (a quarter of
the weekly lessons end at the mid-year date, a few of their later lessons carry a topic) re-run from that
date. Prints the time, the lessons and the query count of each run.

The database is an SQLite file under /tmp, or, with DATABASE_URL set (PostgreSQL), a throwaway database
created on that server and dropped afterwards. The development database is never touched. Settings:
ejournal.settings_test (bench/common.py). The last line is the figures of every size as JSON.
"""

import argparse
import datetime as dt
import time
from collections import Counter
from io import StringIO

from common import print_figures, throwaway_database  # first: sets Django up
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import User
from journal.demo.timetable import seed_timetable
from journal.models import Lesson, SchoolClass, SchoolYear, TimetableEntry
from journal.services.timetable import lessons_layout


def kinds(queries: CaptureQueriesContext) -> str:
    counts = Counter(q["sql"].split(None, 1)[0].upper() for q in queries.captured_queries)
    return ", ".join(f"{kind} {n}" for kind, n in counts.most_common())


def timed_layout(label: str, admin: User, year: SchoolYear, from_date=None) -> dict:
    with CaptureQueriesContext(connection) as queries:
        started = time.perf_counter()
        result = lessons_layout(actor=admin, year=year, from_date=from_date)
        elapsed = time.perf_counter() - started
    total = Lesson.objects.filter(assignment__year=year).count()
    print(
        f"  {label:<34} {elapsed:6.2f} s, {len(queries):4} queries ({kinds(queries)}); "
        f"created {result.created}, removed {result.removed}, kept {result.kept_with_data}, "
        f"updated {result.updated}, unchanged {result.unchanged}; lessons now {total}"
    )
    return {"s": round(elapsed, 2), "queries": len(queries), "created": result.created, "removed": result.removed}


def run(pupils: int) -> dict:
    with throwaway_database(f"layout-{pupils}"):
        started = time.perf_counter()
        call_command("seed_demo", pupils=pupils, no_timetable=True, stdout=StringIO())
        seeded = time.perf_counter() - started
        year = SchoolYear.objects.get()
        admin = User.objects.get(username="admin")
        print(f"--pupils {pupils} on {connection.vendor} ({connection.settings_dict['NAME']})")
        print(f"  seed_demo                          {seeded:6.2f} s, {SchoolClass.objects.count()} classes")
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            summary = seed_timetable(actor=admin, year=year, layout=False)
            elapsed = time.perf_counter() - started
        print(
            f"  seed_timetable (no layout)         {elapsed:6.2f} s, {len(queries):4} queries; "
            f"{summary['entries']} weekly lessons, {summary['rooms_created']} rooms, "
            f"hours not placed: {summary['hours_unplaced']}"
        )
        figures = {
            "pupils": pupils,
            "seed_s": round(seeded, 2),
            "timetable_s": round(elapsed, 2),
            "timetable_queries": len(queries),
            "layout_cold": timed_layout("lessons_layout, cold", admin, year),
            "layout_again": timed_layout("lessons_layout, again", admin, year),
        }
        middle = year.start_date + (year.end_date - year.start_date) // 2
        figures["layout_from_middle"] = timed_layout(f"again from {middle:%d.%m.%Y}", admin, year, from_date=middle)

        # A mid-year change: a quarter of the weekly lessons end the day before ``middle``; teachers already
        # wrote topics into a few of their later lessons, which the layout must keep.
        ended = list(TimetableEntry.objects.filter(year=year).order_by("pk").values_list("pk", flat=True)[::4])
        TimetableEntry.objects.filter(pk__in=ended).update(valid_to=middle - dt.timedelta(days=1))
        planned = Lesson.objects.filter(timetable_entry_id__in=ended, date__gte=middle).values_list("pk", flat=True)
        Lesson.objects.filter(pk__in=list(planned[::20])).update(topic="Тема, записанная заранее")
        figures["layout_after_change"] = timed_layout(
            f"after a change, from {middle:%d.%m.%Y}", admin, year, from_date=middle
        )
        figures["layout_after_change_again"] = timed_layout(
            f"again from {middle:%d.%m.%Y}", admin, year, from_date=middle
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, action="append", help="pupils in the school (repeatable; default 1000)")
    args = parser.parse_args()
    print_figures("year_layout", {"runs": [run(pupils) for pupils in args.pupils or [1000]]})


if __name__ == "__main__":
    main()
