"""Benchmark the admin's year for the `--pupils 1000` demo school (44 classes), start to end, on a throwaway DB.

    DEBUG=true .venv/bin/python bench/year_open.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/year_open.py

Seeds the school without a timetable, builds the demo timetable, lays out all the year's lessons (timed, with its
query count), re-runs the layout (nothing to do), copies the year's structure to the next year, builds the
promotion preview and applies it (timed). Targets on this machine: layout under 15 s, promotion under 5 s, with
query counts that do not grow with the number of lessons or pupils. bench/year_layout.py and bench/promotion.py
time the two halves in more detail. Settings: ejournal.settings_test (bench/common.py). The last line is the
figures as JSON.
"""

import argparse
import datetime as dt
from io import StringIO

import time_machine
from common import Step, print_figures, throwaway_database  # first: sets Django up
from django.core.management import call_command
from django.db import connection

from accounts.models import User
from journal.demo.timetable import seed_timetable
from journal.models import Lesson, SchoolClass, SchoolYear
from journal.services.promotion import promotion_apply, promotion_preview, year_closing_opens
from journal.services.timetable import lessons_layout
from journal.services.year_copy import suggested_year, year_copy_structure


def run(pupils: int) -> dict:
    with throwaway_database(f"open-{pupils}"):
        print(f"--pupils {pupils} on {connection.vendor}")
        with Step("seed_demo (no timetable)") as step:
            call_command("seed_demo", pupils=pupils, no_timetable=True, stdout=StringIO())
        figures = {"pupils": pupils, **step.figures("seed")}
        year = SchoolYear.objects.get()
        admin, deputy = User.objects.get(username="admin"), User.objects.get(username="deputy")
        print(f"  {SchoolClass.objects.filter(year=year).count()} classes")
        with Step("timetable (rooms, bells, weekly grid)") as step:
            summary = seed_timetable(actor=admin, year=year, layout=False)
        figures |= step.figures("timetable")
        print(f"  {summary['entries']} weekly lessons, {summary['hours_unplaced']} hours not placed")
        with Step("lessons_layout, whole year") as step:
            result = lessons_layout(actor=deputy, year=year)
        figures |= step.figures("layout") | {"lessons": result.created}
        print(f"  {result.created} lessons created; {Lesson.objects.count()} in the journal")
        with Step("lessons_layout again") as step:
            again = lessons_layout(actor=deputy, year=year)
        figures |= step.figures("layout_again")
        print(f"  created {again.created}, removed {again.removed}")
        name, start, end = suggested_year(year)
        with Step(f"year_copy_structure → {name}") as step:
            year_copy_structure(actor=admin, source_year=year, name=name, start_date=start, end_date=end)
        figures |= step.figures("year_copy")
        with Step("promotion_preview") as step:
            preview = promotion_preview(actor=deputy, year=year)
        figures |= step.figures("preview")
        print(f"  {dict(sorted(preview.counts.items()))}")
        # Promotion is applied from the day the year's last period ends: the seeded year is the running one.
        closing = time_machine.travel(dt.datetime.combine(year_closing_opens(year), dt.time(12)), tick=True)
        with closing, Step("promotion_apply") as step:
            applied = promotion_apply(actor=deputy, year=year)
        figures |= step.figures("apply")
        print(f"  {applied.message}")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=1000)
    print_figures("year_open", run(parser.parse_args().pupils))


if __name__ == "__main__":
    main()
