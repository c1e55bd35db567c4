"""Benchmark the daily lock task (and the warning task) over the demo school, on a throwaway database.

    DEBUG=true .venv/bin/python bench/lock_task.py                       # 1000 pupils, «today» = 01.03 of the year
    DEBUG=true .venv/bin/python bench/lock_task.py --pupils 550 --today 2027-05-20
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/lock_task.py

Seeds the demo school with its timetable (``seed_demo``: ~44k lessons for 1000 pupils), travels to a day late in
the year and runs ``lock_expired_lessons`` twice (the second run must stamp nothing), then ``warn_locking_soon``,
then times ``mark_set`` on an open lesson of the demo teacher. Prints time and queries of each step. The database
is an SQLite file under /tmp or, with DATABASE_URL, a throwaway PostgreSQL database created and dropped on that
server; the development database is never touched. Settings: ejournal.settings_test (bench/common.py: e-mail
stays in memory). The last line is the figures of every size as JSON.
"""

import argparse
import datetime as dt
import statistics
import zoneinfo
from io import StringIO

import time_machine
from common import Step, print_figures, throwaway_database  # first: sets Django up
from django.core.management import call_command
from django.db import connection
from django.db.models import Value
from django.db.models.functions import Concat

from accounts.choices import Role
from accounts.models import PupilProfile, User
from journal.lock import lock_deadline
from journal.models import Enrollment, Lesson, SchoolYear
from journal.services.journal import mark_set
from journal.tasks import lock_expired_lessons, warn_locking_soon


class MsStep(Step):
    """A step of the tasks: milliseconds, and how many of its queries were UPDATEs."""

    def line(self) -> str:
        return f"  {self.label:<40} {self.elapsed * 1000:9.1f} ms, {self.count:4d} queries ({self.updates} UPDATE)"

    def figures(self, name: str) -> dict:
        return {f"{name}_ms": round(self.elapsed * 1000, 1), f"{name}_queries": self.count}


def travel(day: dt.date, hour: int):
    moscow = zoneinfo.ZoneInfo("Europe/Moscow")
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, 30, tzinfo=moscow), tick=False)


def run(pupils: int, today: dt.date | None) -> dict:
    with throwaway_database(f"lock-{pupils}"):
        print(f"--pupils {pupils} on {connection.vendor}")
        with MsStep("seed_demo (with the timetable)") as seeding:
            call_command("seed_demo", pupils=pupils, stdout=StringIO())
        year = SchoolYear.objects.get()
        today = today or dt.date(year.end_date.year, 3, 1)
        total = Lesson.objects.count()
        print(f"  {total} lessons in {year.name}; «today» is {today:%d.%m.%Y}")
        figures = {"pupils": pupils, "lessons": total, "seed_s": round(seeding.elapsed, 2)}

        with travel(today, 0):
            with MsStep("lock_expired_lessons") as step:
                locked = lock_expired_lessons()
            figures |= step.figures("lock")
            with MsStep("lock_expired_lessons again") as step:
                again = lock_expired_lessons()
            figures |= step.figures("lock_again")
        print(f"  stamped {locked} lessons, then {again}; {total - locked} lessons still open or ahead")
        assert again == 0
        with travel(today + dt.timedelta(days=1), 0):
            with MsStep("lock_expired_lessons the next day") as step:
                daily = lock_expired_lessons()
            figures |= step.figures("lock_next_day")
        print(f"  the next day stamps one day's columns: {daily} lessons")
        figures |= {"locked": locked, "locked_next_day": daily}

        # Demo teachers have no e-mail and no demo lesson has a mark: give them addresses, and every column whose
        # deadline is 2 working days ahead is a warning (the worst case). E-mail stays in memory.
        User.objects.filter(role=Role.TEACHER).update(email=Concat("username", Value("@school.example")))
        with travel(today, 7):
            with MsStep("warn_locking_soon") as step:
                sent = warn_locking_soon()
            figures |= step.figures("warn")
            with MsStep("warn_locking_soon again") as step:
                assert warn_locking_soon() == 0
            figures |= step.figures("warn_again")
        print(f"  {sent} warning e-mails, then none")
        figures["warnings"] = sent

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
                    with Step("mark", quiet=True) as step:
                        mark_set(actor=teacher, lesson=lesson, pupil=pupil, value=value)
                    timings.append(step.elapsed)
                    counts.append(step.count)
        mark_ms = statistics.median(timings) * 1000
        new_ms = statistics.median(timings[: len(roster)]) * 1000
        change_ms = statistics.median(timings[len(roster) :]) * 1000
        print(
            f"  mark_set median {mark_ms:.1f} ms (new mark {new_ms:.1f} ms, change {change_ms:.1f} ms), "
            f"queries {min(counts)}–{max(counts)}"
        )
        figures |= {
            "mark_set_ms": round(mark_ms, 1),
            "new_mark_ms": round(new_ms, 1),
            "changed_mark_ms": round(change_ms, 1),
            "mark_set_queries_min": min(counts),
            "mark_set_queries_max": max(counts),
        }
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, action="append", help="pupils in the school (repeatable; default 1000)")
    parser.add_argument("--today", type=dt.date.fromisoformat, help="the day the tasks run (default: 1 March)")
    args = parser.parse_args()
    print_figures("lock_task", {"runs": [run(pupils, args.today) for pupils in args.pupils or [1000]]})


if __name__ == "__main__":
    main()
