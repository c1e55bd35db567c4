"""Benchmark closing the year: the year copy, the promotion preview and the promotion, on a throwaway database.

    DEBUG=true .venv/bin/python bench/promotion.py                 # 1000 pupils (44 classes)
    DEBUG=true .venv/bin/python bench/promotion.py --pupils 2000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/promotion.py

Seeds the demo school (``seed_demo``) with the demo movement, copies the year to the next one
(``year_copy_structure``), builds the promotion preview, lets half of the 9th graders continue to the 10th grade,
applies the promotion and applies it again (which must change nothing). Prints the time and the number of queries
of each step. Target: the promotion under 5 s for 1000 pupils, with a number of queries that does not grow with
the number of pupils. The database is an SQLite file under /tmp or, with DATABASE_URL, a throwaway PostgreSQL
database created and dropped on that server; the development database is never touched.
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
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/ejournal-bench-main.sqlite3")

import django

django.setup()

from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402

from accounts.models import User  # noqa: E402
from journal.models import Enrollment, Promotion, PromotionDecision, SchoolClass, SchoolYear  # noqa: E402
from journal.services.promotion import promotion_apply, promotion_preview, promotion_set_many  # noqa: E402
from journal.services.year_copy import suggested_year, year_copy_structure  # noqa: E402


def throwaway_name(pupils: int) -> str:
    if connection.vendor == "sqlite":
        return str(Path(tempfile.gettempdir()) / f"ejournal-bench-promotion-{os.getpid()}-{pupils}.sqlite3")
    return f"ejournal_bench_promotion_{os.getpid()}_{pupils}"


class Step:
    """Time and count the queries of one step (a wrapper counts them: Django's query log keeps only 9000)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.count = 0

    def _count(self, execute, sql, params, many, context):
        self.count += 1
        return execute(sql, params, many, context)

    def __enter__(self) -> "Step":
        self.wrapper = connection.execute_wrapper(self._count)
        self.wrapper.__enter__()
        self.started = time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        elapsed = time.perf_counter() - self.started
        self.wrapper.__exit__(*exc)
        if exc[0] is None:
            print(f"  {self.label:<34} {elapsed:6.2f} s, {self.count:5d} queries")


def run(pupils: int) -> None:
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = throwaway_name(pupils)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    ContentType.objects.clear_cache()
    try:
        print(f"--pupils {pupils} on {connection.vendor}")
        with Step("seed_demo (with its movement)"):
            call_command("seed_demo", pupils=pupils, no_timetable=True, stdout=StringIO())
            year = SchoolYear.objects.get()
            admin = User.objects.get(username="admin")
            deputy = User.objects.get(username="deputy")
        classes = SchoolClass.objects.filter(year=year).count()
        on_roll = Enrollment.objects.filter(school_class__year=year, date_to__isnull=True).count()
        print(f"  {classes} classes, {on_roll} pupils on the roll at the end of {year.name}")

        name, start, end = suggested_year(year)
        with Step(f"year_copy_structure → {name}"):
            following = year_copy_structure(actor=admin, source_year=year, name=name, start_date=start, end_date=end)
        print(
            f"  {following.name}: {following.classes.count()} classes, "
            f"{following.assignments.count()} assignments, {following.periods.count()} periods"
        )

        with Step("promotion_preview"):
            preview = promotion_preview(actor=deputy, year=year)
        print(f"  preview: {dict(sorted(preview.counts.items()))}, without a class: {preview.without_target}")
        tenth = {c.letter: c for c in SchoolClass.objects.filter(year=following, grade=10)}
        continuing = [
            (p, PromotionDecision.PROMOTE, tenth.get(p.from_class.letter))
            for p in Promotion.objects.filter(year=year, from_class__grade=9)
            .select_related("year__school", "from_class", "pupil__user")
            .order_by("pk")[::2]
        ]
        with Step(f"promotion_set_many ({len(continuing)} 9th → 10th)"):
            promotion_set_many(actor=deputy, year=year, changes=continuing)

        client = Client(HTTP_HOST="localhost")
        client.force_login(deputy)
        with Step("GET the promotion page (editable)"):
            page = client.get(reverse("journal:promotion"))
        assert page.status_code == 200
        print(f"  page: {len(page.content) // 1024} KB, {page.content.count(b'<select name=')} selects")

        with Step("promotion_apply"):
            result = promotion_apply(actor=deputy, year=year)
        print(f"  {result.message}")
        snapshot = Enrollment.objects.count()
        with Step("promotion_apply again"):
            again = promotion_apply(actor=deputy, year=SchoolYear.objects.get(pk=year.pk))
        assert not again.applied and Enrollment.objects.count() == snapshot
        print(f"  {again.message}")
        with Step("GET the promotion page (applied)"):
            page = client.get(reverse("journal:promotion"))
        assert page.status_code == 200
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, action="append", help="pupils in the school (repeatable; default 1000)")
    args = parser.parse_args()
    for pupils in args.pupils or [1000]:
        run(pupils)


if __name__ == "__main__":
    main()
