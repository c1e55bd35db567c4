"""Benchmark the admin's year for the `--pupils 1000` demo school (44 classes), start to end, on a throwaway DB.

    DEBUG=true .venv/bin/python bench/year_open.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/year_open.py

Seeds the school without a timetable, builds the demo timetable, lays out all the year's lessons (timed, with its
query count), re-runs the layout (nothing to do), copies the year's structure to the next year, builds the
promotion preview and applies it (timed). Targets on this machine: layout under 15 s, promotion under 5 s, with
query counts that do not grow with the number of lessons or pupils. bench/year_layout.py and bench/promotion.py
time the two halves in more detail.
"""

import argparse
from io import StringIO

from django.core.management import call_command
from promotion import Step, connection, throwaway_name  # sets Django up on a throwaway database name

from accounts.models import User
from journal.demo.timetable import seed_timetable
from journal.models import Lesson, SchoolClass, SchoolYear
from journal.services.promotion import promotion_apply, promotion_preview
from journal.services.timetable import lessons_layout
from journal.services.year_copy import suggested_year, year_copy_structure


def run(pupils: int) -> None:
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = throwaway_name(pupils) + "-open"
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        print(f"--pupils {pupils} on {connection.vendor}")
        with Step("seed_demo (no timetable)"):
            call_command("seed_demo", pupils=pupils, no_timetable=True, stdout=StringIO())
        year = SchoolYear.objects.get()
        admin, deputy = User.objects.get(username="admin"), User.objects.get(username="deputy")
        print(f"  {SchoolClass.objects.filter(year=year).count()} classes")
        with Step("timetable (rooms, bells, weekly grid)"):
            summary = seed_timetable(actor=admin, year=year, layout=False)
        print(f"  {summary['entries']} weekly lessons, {summary['hours_unplaced']} hours not placed")
        with Step("lessons_layout, whole year"):
            result = lessons_layout(actor=deputy, year=year)
        print(f"  {result.created} lessons created; {Lesson.objects.count()} in the journal")
        with Step("lessons_layout again"):
            again = lessons_layout(actor=deputy, year=year)
        print(f"  created {again.created}, removed {again.removed}")
        name, start, end = suggested_year(year)
        with Step(f"year_copy_structure → {name}"):
            year_copy_structure(actor=admin, source_year=year, name=name, start_date=start, end_date=end)
        with Step("promotion_preview"):
            preview = promotion_preview(actor=deputy, year=year)
        print(f"  {dict(sorted(preview.counts.items()))}")
        with Step("promotion_apply"):
            applied = promotion_apply(actor=deputy, year=year)
        print(f"  {applied.message}")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=1000)
    run(parser.parse_args().pupils)


if __name__ == "__main__":
    main()
