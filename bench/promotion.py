"""Benchmark closing the year: the year copy, the promotion preview and the promotion, on a throwaway database.

    DEBUG=true .venv/bin/python bench/promotion.py                 # 1000 pupils (44 classes)
    DEBUG=true .venv/bin/python bench/promotion.py --pupils 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/promotion.py

Seeds the demo school (``seed_demo``) with the demo movement, copies the year to the next one
(``year_copy_structure``), builds the promotion preview, lets half of the 9th graders continue to the 10th grade,
applies the promotion and applies it again (which must change nothing). Prints the time and the number of queries
of each step. Target: the promotion under 5 s for 1000 pupils, with a number of queries that does not grow with
the number of pupils. The database is an SQLite file under /tmp or, with DATABASE_URL, a throwaway PostgreSQL
database created and dropped on that server; the development database is never touched. Settings:
ejournal.settings_test (bench/common.py). The last line is the figures of every size as JSON.
"""

import argparse
import datetime as dt
from io import StringIO

import time_machine
from common import Step, print_figures, throwaway_database  # first: sets Django up
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.models import User
from journal.models import Enrollment, Promotion, PromotionDecision, SchoolClass, SchoolYear
from journal.services.promotion import promotion_apply, promotion_preview, promotion_set_many, year_closing_opens
from journal.services.year_copy import suggested_year, year_copy_structure


def run(pupils: int) -> dict:
    with throwaway_database(f"promotion-{pupils}"):
        print(f"--pupils {pupils} on {connection.vendor}")
        with Step("seed_demo (with its movement)") as seeding:
            call_command("seed_demo", pupils=pupils, no_timetable=True, stdout=StringIO())
            year = SchoolYear.objects.get()
            admin = User.objects.get(username="admin")
            deputy = User.objects.get(username="deputy")
        classes = SchoolClass.objects.filter(year=year).count()
        on_roll = Enrollment.objects.filter(school_class__year=year, date_to__isnull=True).count()
        print(f"  {classes} classes, {on_roll} pupils on the roll at the end of {year.name}")
        figures = {"pupils": pupils, "classes": classes, "on_roll": on_roll, **seeding.figures("seed")}

        name, start, end = suggested_year(year)
        with Step(f"year_copy_structure → {name}") as step:
            following = year_copy_structure(actor=admin, source_year=year, name=name, start_date=start, end_date=end)
        print(
            f"  {following.name}: {following.classes.count()} classes, "
            f"{following.assignments.count()} assignments, {following.periods.count()} periods"
        )
        figures |= step.figures("year_copy")

        with Step("promotion_preview") as step:
            preview = promotion_preview(actor=deputy, year=year)
        figures |= step.figures("preview")
        print(f"  preview: {dict(sorted(preview.counts.items()))}, without a class: {preview.without_target}")
        tenth = {c.letter: c for c in SchoolClass.objects.filter(year=following, grade=10)}
        continuing = [
            (p, PromotionDecision.PROMOTE, tenth.get(p.from_class.letter))
            for p in Promotion.objects.filter(year=year, from_class__grade=9)
            .select_related("year__school", "from_class", "pupil__user")
            .order_by("pk")[::2]
        ]
        with Step(f"promotion_set_many ({len(continuing)} 9th → 10th)") as step:
            promotion_set_many(actor=deputy, year=year, changes=continuing)
        figures |= step.figures("set_many")

        client = Client(HTTP_HOST="localhost")
        client.force_login(deputy)
        with Step("GET the promotion page (editable)") as step:
            page = client.get(reverse("journal:promotion"))
        assert page.status_code == 200
        figures |= step.figures("page") | {"page_kb": len(page.content) // 1024}
        print(f"  page: {len(page.content) // 1024} KB, {page.content.count(b'<select name=')} selects")

        # Promotion is applied from the day the year's last period ends: the seeded year is the running one.
        closing = time_machine.travel(dt.datetime.combine(year_closing_opens(year), dt.time(12)), tick=True)
        with closing, Step("promotion_apply") as step:
            result = promotion_apply(actor=deputy, year=year)
        figures |= step.figures("apply")
        print(f"  {result.message}")
        snapshot = Enrollment.objects.count()
        with Step("promotion_apply again") as step:
            again = promotion_apply(actor=deputy, year=SchoolYear.objects.get(pk=year.pk))
        figures |= step.figures("apply_again")
        assert not again.applied and Enrollment.objects.count() == snapshot
        print(f"  {again.message}")
        with Step("GET the promotion page (applied)") as step:
            page = client.get(reverse("journal:promotion"))
        assert page.status_code == 200
        figures |= step.figures("page_applied")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, action="append", help="pupils in the school (repeatable; default 1000)")
    args = parser.parse_args()
    print_figures("promotion", {"runs": [run(pupils) for pupils in args.pupils or [1000]]})


if __name__ == "__main__":
    main()
