"""Benchmark the daily lock task (and the warning task) over the demo school, on a throwaway database.

    DEBUG=true .venv/bin/python bench/lock_task.py                       # 1000 pupils, «today» = 01.03 of the year
    DEBUG=true .venv/bin/python bench/lock_task.py --pupils 550 --today 2027-05-20
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/lock_task.py

Seeds the demo school with its timetable (``seed_demo``: ~44k lessons for 1000 pupils), travels to a day late in
the year and runs ``lock_expired_lessons`` twice (the second run must stamp nothing), then ``warn_locking_soon``,
then times ``mark_set`` on an open lesson of the demo teacher. Prints time and queries of each step. The database
is an SQLite file under /tmp or, with DATABASE_URL, a throwaway PostgreSQL database created and dropped on that
server; the development database is never touched.
"""

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
import zoneinfo
from io import StringIO
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DEBUG", "true")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ejournal.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.gettempdir()}/ejournal-bench-main.sqlite3")
os.environ.setdefault("EMAIL_URL", "dummymail://")

import django

django.setup()

import time_machine  # noqa: E402
from django.contrib.contenttypes.models import ContentType  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Value  # noqa: E402
from django.db.models.functions import Concat  # noqa: E402

from accounts.choices import Role  # noqa: E402
from accounts.models import PupilProfile, User  # noqa: E402
from journal.lock import lock_deadline  # noqa: E402
from journal.models import Enrollment, Lesson, SchoolYear  # noqa: E402
from journal.services.journal import mark_set  # noqa: E402
from journal.tasks import lock_expired_lessons, warn_locking_soon  # noqa: E402


def throwaway_name(pupils: int) -> str:
    if connection.vendor == "sqlite":
        return str(Path(tempfile.gettempdir()) / f"ejournal-bench-lock-{os.getpid()}-{pupils}.sqlite3")
    return f"ejournal_bench_lock_{os.getpid()}_{pupils}"


class Step:
    """Time and count the queries of one step (a wrapper counts them: Django's query log keeps only 9000)."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.count = 0
        self.updates = 0

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
        if exc[0] is None:
            print(f"  {self.label:<40} {self.elapsed * 1000:9.1f} ms, {self.count:4d} queries ({self.updates} UPDATE)")


def travel(day: dt.date, hour: int):
    moscow = zoneinfo.ZoneInfo("Europe/Moscow")
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 30, tzinfo=moscow), tick=False)


def run(pupils: int, today: dt.date | None) -> None:
    old_name = connection.settings_dict["NAME"]
    connection.settings_dict.setdefault("TEST", {})["NAME"] = throwaway_name(pupils)
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    ContentType.objects.clear_cache()
    cache.clear()
    try:
        print(f"--pupils {pupils} on {connection.vendor}")
        with Step("seed_demo (with the timetable)"):
            call_command("seed_demo", pupils=pupils, stdout=StringIO())
        year = SchoolYear.objects.get()
        today = today or dt.date(year.end_date.year, 3, 1)
        total = Lesson.objects.count()
        print(f"  {total} lessons in {year.name}; «today» is {today:%d.%m.%Y}")

        with travel(today, 0):
            with Step("lock_expired_lessons"):
                locked = lock_expired_lessons()
            with Step("lock_expired_lessons again"):
                again = lock_expired_lessons()
        print(f"  stamped {locked} lessons, then {again}; {total - locked} lessons still open or ahead")
        assert again == 0
        with travel(today + dt.timedelta(days=1), 0):
            with Step("lock_expired_lessons the next day"):
                daily = lock_expired_lessons()
        print(f"  the next day stamps one day's columns: {daily} lessons")

        # Demo teachers have no e-mail and no demo lesson has a mark: give them addresses, and every column whose
        # deadline is 2 working days ahead is a warning (the worst case). E-mail goes to the dummy backend.
        User.objects.filter(role=Role.TEACHER).update(email=Concat("username", Value("@school.example")))
        with travel(today, 7):
            with Step("warn_locking_soon"):
                sent = warn_locking_soon()
            with Step("warn_locking_soon again"):
                assert warn_locking_soon() == 0
        print(f"  {sent} warning e-mails, then none")

        teacher = User.objects.get(username="teacher")
        lesson = (
            Lesson.objects.filter(assignment__teacher=teacher, date__lte=today, locked_at__isnull=True)
            .select_related(
                "assignment__year__school", "assignment__school_class", "assignment__subject", "substitution"
            )
            .order_by("-date")
            .first()
        )
        pupil_ids = list(
            Enrollment.objects.filter(school_class=lesson.assignment.school_class, date_to__isnull=True).values_list(
                "pupil_id", flat=True
            )
        )
        roster = list(PupilProfile.objects.filter(pk__in=pupil_ids).select_related("user"))
        print(f"  mark_set on {lesson} (deadline {lock_deadline(lesson):%d.%m.%Y}), {len(roster)} pupils")
        timings = []
        counts = []
        with travel(today, 10):
            for value in ("5", "4"):
                for pupil in roster:
                    step = Step("mark")
                    step.wrapper = connection.execute_wrapper(step._count)
                    step.wrapper.__enter__()
                    started = time.perf_counter()
                    mark_set(actor=teacher, lesson=lesson, pupil=pupil, value=value)
                    timings.append(time.perf_counter() - started)
                    step.wrapper.__exit__(None, None, None)
                    counts.append(step.count)
        print(
            f"  mark_set median {statistics.median(timings) * 1000:.1f} ms "
            f"(new mark {statistics.median(timings[: len(roster)]) * 1000:.1f} ms, "
            f"change {statistics.median(timings[len(roster) :]) * 1000:.1f} ms), "
            f"queries {min(counts)}–{max(counts)}"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, action="append", help="pupils in the school (repeatable; default 1000)")
    parser.add_argument("--today", type=dt.date.fromisoformat, help="the day the tasks run (default: 1 March)")
    args = parser.parse_args()
    for pupils in args.pupils or [1000]:
        run(pupils, args.today)


if __name__ == "__main__":
    main()
