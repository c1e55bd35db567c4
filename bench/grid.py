"""Benchmark the class journal grid: the page for 30 pupils × 45 lessons with ~1,200 marks, and saving one mark.

    .venv/bin/python bench/grid.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/grid.py
    .venv/bin/python bench/grid.py --runs 50 --profile     # plus a cProfile of one page and of one save

Builds the test cast (conftest.build_cast: a school, the 2026/2027 year with quarters, 7 «А» with its math teacher
at 5 hours a week) on a throwaway database, adds pupils up to 30 and 45 lessons of the 2nd quarter with topics,
kinds of work, homework, ~1,200 marks, absences and proposed period marks, and stands the clock on 24.12.2026 (the
last lessons are open, the older ones locked). Then, through the Django test Client, prints the median server time
of the grid page over ``--runs`` requests, its queries and its HTML size (raw and gzip), and the median time to
save one mark through the cell endpoint (journal:grid_cell → mark_set), and for the floor under every page a plain
signed-in page (the profile). CPU is this process's (the application; with SQLite the database too) and, on
PostgreSQL, the database backend's, read from /proc around a series of requests (bench/common.py: DatabaseCpu). On
PostgreSQL it also counts journal_mark's updates during the saves and how many were in place (HOT,
pg_stat_user_tables.n_tup_hot_upd). Targets (issue 14): the floor ≤ 3 ms CPU and ≤ 3 queries; the page ≤ 12 ms CPU
(application + database) and ≤ 8 queries, under 150 KB; a mark ≤ 6 ms CPU and ≤ 8 queries. ``--profile`` adds a
cProfile and a pyinstrument profile of each; ``--server-gc`` runs the garbage collector as the gunicorn workers do
(ejournal/gunicorn.py: the loaded objects frozen), and a cell is posted urlencoded, as
static/js/grid.js posts it. The database is an SQLite file under /tmp or, with DATABASE_URL, a throwaway
PostgreSQL database created and dropped on that server; the development database is never touched. Settings:
ejournal.settings_test (DEBUG off, as in production). The last line is the figures as JSON (bench/common.py).
"""

import argparse
import datetime as dt
import gc
import gzip
import random
import time
import zoneinfo
from urllib.parse import urlencode

import time_machine
from common import (  # first: sets Django up
    DatabaseCpu,
    Timing,
    ok,
    print_figures,
    profile_call,
    pyinstrument_call,
    throwaway_database,
)
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as account_services
from conftest import build_cast
from journal import services
from journal.access import assignment_for_user
from journal.models import (
    Attendance,
    Enrollment,
    Homework,
    Lesson,
    Mark,
    PeriodMark,
    PeriodMarkKind,
    StudyPeriod,
)
from journal.render.grid import grid_table
from journal.selectors.grid import journal_grid
from journal.services.work_types import work_types_ensure
from journal.workdays import grade_calendar

NOW = dt.datetime(2026, 12, 24, 12, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))
PUPILS, LESSONS = 30, 45
# A cell is posted as static/js/grid.js posts it (URLSearchParams): the test client's default, multipart, cost the
# save ~0.5 ms of parsing that no browser request makes.
FORM = "application/x-www-form-urlencoded"
SURNAMES = ["Иванов", "Смирнова", "Кузнецов", "Попова", "Васильев", "Петрова", "Соколов", "Михайлова", "Новиков"]
TOPICS = ["Сложение и вычитание дробей", "Умножение дробей", "Деление дробей", "Решение задач на дроби"]


def build():
    """The cast plus 29 pupils and a quarter of lessons with marks; returns (cast, period, lessons, pupil ids)."""
    cast = build_cast()
    for n in range(PUPILS - 1):
        pupil = account_services.pupil_create(
            actor=cast.admin,
            school=cast.school,
            username=f"bench{n}",
            last_name=SURNAMES[n % len(SURNAMES)],
            first_name=f"Ученик{n:02d}",
        )
        services.enrollment_create(
            actor=cast.admin, pupil=pupil, school_class=cast.class_a, date_from=cast.year.start_date
        )
    period = StudyPeriod.objects.get(year=cast.year, number=2)
    calendar = grade_calendar(cast.school, cast.class_a.grade)
    days = [
        period.start_date + dt.timedelta(days=n)
        for n in range((NOW.date() - period.start_date).days + 1)
        if calendar.is_school_day(period.start_date + dt.timedelta(days=n))
    ]
    slots = sorted([(day, 1) for day in days] + [(day, 3) for day in days[::3]])[-LESSONS:]
    kinds = work_types_ensure(cast.school)
    rng = random.Random(20261224)
    lessons = Lesson.objects.bulk_create(
        [
            Lesson(
                assignment=cast.math_a,
                date=day,
                number=number,
                topic=f"{TOPICS[n % len(TOPICS)]} (урок {n + 1})",
                work_type=kinds[6] if n % 9 == 8 else kinds[n % 3],
                is_control=n % 9 == 8,
            )
            for n, (day, number) in enumerate(slots)
        ]
    )
    pupil_ids = list(Enrollment.objects.filter(school_class=cast.class_a).values_list("pupil_id", flat=True))
    marks, absences = [], []
    for lesson in lessons[:-1]:  # the last lesson is left empty for the save benchmark
        for pupil_id in pupil_ids:
            roll = rng.random()
            if roll < 0.05:
                absences.append(Attendance(lesson=lesson, pupil_id=pupil_id, code="н", updated_by=cast.teacher))
            elif roll < 0.88:
                value = rng.choice("2334445555")
                marks.append(
                    Mark(
                        lesson=lesson,
                        pupil_id=pupil_id,
                        value=value,
                        work_type=lesson.work_type,
                        updated_by=cast.teacher,
                    )
                )
                if roll < 0.11:
                    marks.append(
                        Mark(
                            lesson=lesson,
                            pupil_id=pupil_id,
                            position=2,
                            value=rng.choice("345"),
                            work_type=kinds[1],
                            updated_by=cast.teacher,
                        )
                    )
    Mark.objects.bulk_create(marks)
    Attendance.objects.bulk_create(absences)
    Homework.objects.bulk_create(
        [Homework(lesson=lesson, text="§ 12, № 345–350", updated_by=cast.teacher) for lesson in lessons[::2]]
    )
    PeriodMark.objects.bulk_create(
        [
            PeriodMark(
                assignment=cast.math_a,
                pupil_id=pupil_id,
                kind=PeriodMarkKind.PERIOD,
                period=period,
                proposed_value="4",
                updated_by=cast.teacher,
            )
            for pupil_id in pupil_ids[::2]
        ]
    )
    return cast, period, lessons, pupil_ids


def table_updates(table: str) -> tuple[int, int] | None:
    """(updates, of them in place: HOT) of a table so far, from pg_stat_user_tables; None on SQLite."""
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_stat_force_next_flush()")  # this backend's counters, now rather than at idle
        cursor.execute("SELECT n_tup_upd, n_tup_hot_upd FROM pg_stat_user_tables WHERE relname = %s", [table])
        row = cursor.fetchone()
    return (row[0], row[1]) if row else None


def index_count(table: str) -> int | None:
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [table])
        return cursor.fetchone()[0]


def server_gc() -> tuple[int, ...]:
    """The garbage collector as the gunicorn workers run it (ejournal/gunicorn.py): what is loaded frozen out of the
    collections (gc.freeze), and its GC_THRESHOLD if it sets one; returns the thresholds in force. The build leaves
    ~200,000 objects in this process; with Python's defaults their full collections cost the page ~1.5–2 ms."""
    try:
        from ejournal.gunicorn import GC_THRESHOLD
    except ImportError:
        GC_THRESHOLD = ()
    gc.collect()
    gc.freeze()
    if GC_THRESHOLD:
        gc.set_threshold(*GC_THRESHOLD)
    return gc.get_threshold()


def run(runs: int, profile: bool, with_server_gc: bool = False) -> dict:
    with throwaway_database("grid"):
        with time_machine.travel(NOW, tick=True):
            started = time.perf_counter()
            cast, period, lessons, pupil_ids = build()
            print(f"grid bench on {connection.vendor}: built in {time.perf_counter() - started:.1f} s")
            print(
                f"  {len(pupil_ids)} pupils, {len(lessons)} lessons ({lessons[0].date:%d.%m}–{lessons[-1].date:%d.%m}), "
                f"{Mark.objects.count()} marks, {Attendance.objects.count()} absences"
            )
            client = Client(HTTP_HOST="localhost")
            client.force_login(cast.teacher)
            url = reverse("journal:grid", args=[cast.math_a.pk]) + f"?period={period.pk}"
            for _ in range(3):  # warm up: templates, URL resolvers, permission caches
                ok(client.get(url))
            if with_server_gc:
                print(f"  the garbage collector as in the gunicorn workers: frozen, thresholds {server_gc()}")
            connection.queries_log.clear()  # the build filled the capped log: counting needs room
            with CaptureQueriesContext(connection) as queries:
                page = client.get(url)
            page_queries = len(queries)  # read now: each request clears the connection's query log
            ok(page)
            html = page.content
            timing = Timing(lambda n: client.get(url), runs, ok)
            database = DatabaseCpu()  # the PostgreSQL backend's CPU, per request, beside this process's
            grid_db_cpu = database.per_call_ms(lambda n: ok(client.get(url)), runs * 2)
            gzipped = len(gzip.compress(html))
            print(
                f"  grid page:   {timing}, {page_queries} queries, {len(html) / 1024:.0f} KB raw, "
                f"{gzipped / 1024:.1f} KB gzip, {html.count(b'<td')} cells"
            )
            if grid_db_cpu is not None:
                print(f"    the database's CPU per page: {grid_db_cpu:.1f} ms (PostgreSQL backend, /proc)")
            figures = {
                "pupils": len(pupil_ids),
                "lessons": len(lessons),
                "marks": Mark.objects.count(),
                "grid_ms": round(timing.wall, 1),
                "grid_cpu_ms": round(timing.cpu, 1),
                "grid_db_cpu_ms": None if grid_db_cpu is None else round(grid_db_cpu, 1),
                "grid_total_cpu_ms": round(timing.cpu + (grid_db_cpu or 0), 1),
                "grid_queries": page_queries,
                "grid_kb": round(len(html) / 1024, 1),
                "grid_gzip_kb": round(gzipped / 1024, 1),
                "cells": html.count(b"<td"),
            }
            # Where the time goes: the selector (5 queries and the Python around them) and the table's HTML.
            assignment, _can_edit = assignment_for_user(cast.teacher, cast.math_a.pk)
            grid = journal_grid(assignment, period.pk)
            selector = Timing(lambda n: journal_grid(assignment, period.pk), runs)
            table = Timing(lambda n: grid_table(grid, can_edit=True), runs)
            print(f"    the selector     {selector}")
            print(f"    the table's HTML {table}")
            plain = reverse("accounts:profile")
            ok(client.get(plain))
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as queries:
                ok(client.get(plain))
            plain_queries = len(queries)
            plain_timing = Timing(lambda n: client.get(plain), runs * 2, ok)
            plain_db_cpu = database.per_call_ms(lambda n: ok(client.get(plain)), runs * 2)
            print(
                f"    the floor, a plain page of the site (the profile): {plain_timing}, {plain_queries} queries"
                + (f", database CPU {plain_db_cpu:.1f} ms" if plain_db_cpu is not None else "")
            )
            figures |= {
                "selector_ms": round(selector.wall, 1),
                "selector_cpu_ms": round(selector.cpu, 1),
                "table_ms": round(table.wall, 1),
                "table_cpu_ms": round(table.cpu, 1),
                "plain_page_ms": round(plain_timing.wall, 1),
                "floor_cpu_ms": round(plain_timing.cpu, 1),
                "floor_db_cpu_ms": None if plain_db_cpu is None else round(plain_db_cpu, 1),
                "floor_queries": plain_queries,
            }
            if profile:
                pyinstrument_call("the floor: the profile page", lambda: client.get(plain), runs * 2)
                pyinstrument_call("grid page", lambda: client.get(url), runs)
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as queries:
                    client.get(url)
                for query in queries.captured_queries:
                    print(f"    {float(query['time']) * 1000:5.1f} ms  {query['sql'][:110]}")
                profile_call(
                    "grid page",
                    lambda: client.get(url),
                    r"journal/|accounts/|simple_history|guardian|axes|sessions|auth/",
                    60,
                )

            open_lesson = lessons[-1]
            cell_url = reverse("journal:grid_cell")

            def save(n: int, value: str | None = None):
                data = {
                    "lesson": open_lesson.pk,
                    "pupil": pupil_ids[n % len(pupil_ids)],
                    "field": "mark1",
                    "value": value or "54"[(n // len(pupil_ids)) % 2],  # a new mark, then a changed one
                    "period": period.pk,
                }
                return client.post(cell_url, urlencode(data), content_type=FORM)

            # Each pupil gets a new mark, then each mark changes (5 ↔ 4): inserts, then updates in place (HOT).
            before = table_updates("journal_mark")
            timing = Timing(save, max(runs, 2 * len(pupil_ids)), ok)
            save_db_cpu = database.per_call_ms(lambda n: ok(save(n)), max(runs, 2 * len(pupil_ids)))
            after = table_updates("journal_mark")
            refused = Timing(lambda n: client.post(cell_url, "lesson=x", content_type=FORM), runs)
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as queries:
                ok(save(0, "3"))
            print(f"  save a mark: {timing}, {len(queries)} queries")
            if save_db_cpu is not None:
                print(f"    the database's CPU per save: {save_db_cpu:.1f} ms")
            print(f"    for scale, the same endpoint refusing a malformed request: {refused}")
            figures |= {
                "save_ms": round(timing.wall, 1),
                "save_cpu_ms": round(timing.cpu, 1),
                "save_db_cpu_ms": None if save_db_cpu is None else round(save_db_cpu, 1),
                "save_queries": len(queries),
                "refused_ms": round(refused.wall, 1),
                "refused_cpu_ms": round(refused.cpu, 1),
            }
            if before is not None and after is not None:
                updates, hot = after[0] - before[0], after[1] - before[1]
                indexes = index_count("journal_mark")
                print(f"    journal_mark: {updates} updates, {hot} of them in place (HOT); {indexes} indexes")
                figures |= {"mark_updates": updates, "mark_hot_updates": hot, "mark_indexes": indexes}
            if profile:
                for query in queries.captured_queries:
                    print(f"    {float(query['time']) * 1000:5.1f} ms  {query['sql'][:110]}")
                profile_call(
                    "save a mark",
                    lambda: save(1, "2"),
                    r"journal/|accounts/|simple_history|guardian|axes|sessions|auth/",
                    60,
                )
                saves = iter(range(10**6))
                pyinstrument_call("save a mark", lambda: save(next(saves)), runs)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="requests per measurement (default 20)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one grid page")
    parser.add_argument(
        "--server-gc", action="store_true", help="run the garbage collector as the gunicorn workers do (gc.freeze)"
    )
    args = parser.parse_args()
    figures = run(args.runs, args.profile, args.server_gc)
    print_figures("grid", {**figures, "server_gc": args.server_gc})


if __name__ == "__main__":
    main()
