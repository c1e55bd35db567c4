"""Benchmark the diary: the week and the subject pages of a pupil with a full year of marks.

    .venv/bin/python bench/diary.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/diary.py
    .venv/bin/python bench/diary.py --runs 50 --profile      # plus the queries and profiles of the pages
    DATABASE_URL=... .venv/bin/python bench/diary.py --explain  # plus EXPLAIN (ANALYZE, BUFFERS) of their queries
    .venv/bin/python bench/diary.py --no-screenshots          # without headless Chromium
    DATABASE_URL=... .venv/bin/python bench/diary.py --demo      # the demo school (seed_demo), a parent and a pupil
    DATABASE_URL=... .venv/bin/python bench/diary.py --existing h_diary_demo --explain  # one seeded already

Builds the test cast (conftest.build_cast) on a throwaway database and gives 7 «А» 30 pupils, a bell schedule,
nine subjects and six lessons on every school day of the 2026/2027 year (topics, homework on every other lesson,
some control works), and about five marks a day for every pupil (a second mark now and then), with absences and set
period marks of the first three quarters, then ANALYZE (a live database has its statistics: without them
PostgreSQL planned the homework read with sequential scans). The clock stands on Thursday 20 May 2027, near the
end of the year. Every mark and homework is written at build time, so «Что нового» is measured at its worst: the
whole year is new (as after a bulk import), its lists cut at 40 items.

Then, through the Django test Client as the pupil's parent, it prints for the floor (a plain signed-in page, the
profile), the week page, the marks page, the subject page (the current quarter and the whole year), «Что нового»
and the family's home: the median server time and CPU of this process (the application) over ``--runs`` requests,
on PostgreSQL the database backend's CPU per request (bench/common.py: DatabaseCpu, read from /proc around a
series), the queries and the HTML size (raw and gzip); then each page's application CPU over the floor's (issue
14: at most 2× the floor plus the page's own query time); and the time of the batched selectors the paper diaries
use for the whole class of 30 over two weeks (diary.selectors.days.pupil_days and
diary.selectors.marks.subject_summaries). ``--profile`` adds the queries of the week, the subject page and «Что
нового» with their times, a pyinstrument profile of each page and of the floor, and a cProfile of the week and of
«Что нового»; ``--explain`` the EXPLAIN (ANALYZE, BUFFERS) of those queries. Targets on this machine: the week
under 60 KB, each page at most 2× the floor plus its query time. The database is an SQLite file under /tmp or,
with DATABASE_URL, a throwaway PostgreSQL database created and dropped on that server; the development database is
never touched. Settings: ejournal.settings_test (DEBUG off, as in production). The last line is the figures as JSON.

``--demo`` measures instead on the demo school the load test runs on (``manage.py seed_demo`` in a throwaway
database, ~1 minute; or ``--existing NAME``, a database seeded by it, used as it is: the news page records its
visits there), at today's date, as the load test's first parent and as a pupil: the week, «Что нового», the marks,
the first subject's page and the family home, each with the application's and the database backend's CPU, the
queries (``--explain``: their EXPLAIN (ANALYZE, BUFFERS)) and the size; the JSON line's ``bench`` is
``diary_demo``.

With Chromium (Debian's /usr/bin/chromium) it also saves 360 px wide screenshots of the pages, rendered from the
same responses with the project's static files: /tmp/diary-week-360.png, /tmp/diary-marks-360.png,
/tmp/diary-subject-360.png.
"""

import argparse
import datetime as dt
import gzip
import random
import time
import zoneinfo
from decimal import Decimal
from pathlib import Path

import time_machine
from common import (  # first: sets Django up
    ROOT,
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
from accounts.models import PupilProfile
from conftest import build_cast
from diary.selectors.days import pupil_days
from diary.selectors.marks import subject_summaries
from journal import services
from journal.models import (
    Attendance,
    Enrollment,
    Homework,
    Lesson,
    Mark,
    PeriodMark,
    PeriodMarkKind,
    StudyPeriod,
    Subject,
)
from journal.services.timetable import bells_set
from journal.services.work_types import work_types_ensure
from journal.workdays import grade_calendar

NOW = dt.datetime(2027, 5, 20, 16, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))
PUPILS = 30
CHROMIUM = "/usr/bin/chromium"
SUBJECTS = [  # name, hours a week
    ("Русский язык", 4),
    ("Литература", 2),
    ("Иностранный язык (английский)", 3),
    ("Алгебра", 3),
    ("Геометрия", 2),
    ("История", 2),
    ("Биология", 1),
    ("Физика", 2),
    ("География", 2),
]
TOPICS = ["Повторение изученного", "Решение задач", "Практическая работа", "Обобщение и систематизация знаний"]


def build():
    """The cast, 30 pupils in 7 «А», a year of lessons and marks; returns (cast, pupils, assignments)."""
    cast = build_cast()
    for n in range(PUPILS - 1):
        pupil = account_services.pupil_create(
            actor=cast.admin, school=cast.school, username=f"bench{n}", last_name="Ученик", first_name=f"Иван{n:02d}"
        )
        services.enrollment_create(
            actor=cast.admin, pupil=pupil, school_class=cast.class_a, date_from=cast.year.start_date
        )
    starts = [(8, 30), (9, 25), (10, 30), (11, 35), (12, 30), (13, 25)]
    bells_set(
        actor=cast.admin,
        year=cast.year,
        bells=[
            (n, dt.time(h, m), (dt.datetime(2000, 1, 1, h, m) + dt.timedelta(minutes=45)).time())
            for n, (h, m) in enumerate(starts, start=1)
        ],
    )
    assignments = [cast.math_a]
    for name, hours in SUBJECTS:
        subject = Subject.objects.filter(school=cast.school, name=name).first() or services.subject_create(
            actor=cast.admin, school=cast.school, name=name
        )
        assignments.append(
            services.assignment_create(
                actor=cast.admin,
                school_class=cast.class_a,
                subject=subject,
                teacher=cast.teacher,
                hours_per_week=Decimal(hours),
            )
        )
    calendar = grade_calendar(cast.school, cast.class_a.grade)
    days = [
        cast.year.start_date + dt.timedelta(days=n)
        for n in range((cast.year.end_date - cast.year.start_date).days + 1)
        if calendar.is_school_day(cast.year.start_date + dt.timedelta(days=n))
    ]
    kinds = work_types_ensure(cast.school)
    rng = random.Random(20270520)
    lessons = Lesson.objects.bulk_create(
        [
            Lesson(
                assignment=assignments[(day.toordinal() * 7 + number * 3) % len(assignments)],
                date=day,
                number=number,
                topic=f"{TOPICS[(day.toordinal() + number) % len(TOPICS)]}",
                work_type=kinds[6] if (day.toordinal() + number) % 23 == 0 else kinds[number % 3],
                is_control=(day.toordinal() + number) % 23 == 0,
            )
            for day in days
            for number in range(1, 7)
        ]
    )
    pupil_ids = list(Enrollment.objects.filter(school_class=cast.class_a).values_list("pupil_id", flat=True))
    marks, absences = [], []
    past = [lesson for lesson in lessons if lesson.date <= NOW.date()]
    for lesson in past:
        for pupil_id in pupil_ids:
            roll = rng.random()
            if roll < 0.04:
                absences.append(Attendance(lesson=lesson, pupil_id=pupil_id, code="б", updated_by=cast.teacher))
            elif roll < 0.84:  # about five of six lessons a day
                marks.append(
                    Mark(
                        lesson=lesson,
                        pupil_id=pupil_id,
                        value=rng.choice("2334445555"),
                        work_type=lesson.work_type,
                        updated_by=cast.teacher,
                    )
                )
                if roll < 0.08:
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
    Mark.objects.bulk_create(marks, batch_size=2000)
    Attendance.objects.bulk_create(absences, batch_size=2000)
    Homework.objects.bulk_create(
        [
            Homework(lesson=lesson, text="§ 12, упражнения 345–350 (письменно)", updated_by=cast.teacher)
            for lesson in lessons[::2]
        ],
        batch_size=2000,
    )
    periods = list(StudyPeriod.objects.filter(year=cast.year).order_by("number"))[:3]
    PeriodMark.objects.bulk_create(
        [
            PeriodMark(
                assignment=assignment,
                pupil_id=pupil_id,
                kind=PeriodMarkKind.PERIOD,
                period=period,
                value=rng.choice("345"),
                updated_by=cast.teacher,
            )
            for assignment in assignments
            for pupil_id in pupil_ids
            for period in periods
        ],
        batch_size=2000,
    )
    pupils = list(PupilProfile.objects.filter(pk__in=pupil_ids).select_related("user"))
    return cast, pupils, assignments, len(days), len(lessons)


def measure_page(
    client: Client, label: str, url: str, runs: int, figures: dict, key: str, database: DatabaseCpu
) -> bytes:
    """The page's median application CPU and wall time, its database CPU (PostgreSQL), queries and HTML size."""
    for _ in range(3):  # warm up: templates, URL resolvers, permission caches
        ok(client.get(url))
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    count = len(queries)
    ok(page)
    html = page.content
    timing = Timing(lambda n: client.get(url), runs, ok)
    db_cpu = database.per_call_ms(lambda n: ok(client.get(url)), max(runs, 40))
    print(
        f"  {label:<22} {timing}, {count} queries"
        + (f", database CPU {db_cpu:.1f} ms" if db_cpu is not None else "")
        + f", {len(html) / 1024:.1f} KB raw, {len(gzip.compress(html)) / 1024:.1f} KB gzip"
    )
    figures |= {
        f"{key}_ms": round(timing.wall, 1),
        f"{key}_cpu_ms": round(timing.cpu, 1),
        f"{key}_db_cpu_ms": None if db_cpu is None else round(db_cpu, 1),
        f"{key}_total_cpu_ms": round(timing.cpu + (db_cpu or 0), 1),
        f"{key}_queries": count,
        f"{key}_kb": round(len(html) / 1024, 1),
    }
    return html


def floor_ratios(figures: dict, keys: list[str]) -> None:
    """Each page's (CPU − its database part) / the floor's CPU: the issue's target is at most 2 (× the plain page,
    plus the page's own query time). On PostgreSQL the page's CPU is this process's plus the backend's, so the
    ratio is the application CPU over the floor's application CPU; on SQLite the database work is in both."""
    floor = figures["floor_cpu_ms"]
    print(f"  the pages over the floor ({floor:.1f} ms CPU), their database CPU apart (target ≤ 2):")
    for key in keys:
        ratio = round(figures[f"{key}_cpu_ms"] / floor, 2) if floor else None
        figures[f"{key}_floor_ratio"] = ratio
        print(f"    {key:<14} {ratio}")


def print_queries(label: str, client: Client, url: str, explain: bool) -> None:
    """The queries of one request with their times; with ``explain``, each one's EXPLAIN (ANALYZE, BUFFERS)."""
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    print(f"--- queries: {label}")
    for query in queries.captured_queries:
        print(f"    {float(query['time']) * 1000:5.1f} ms  {query['sql'][:150]}")
        sql = query["sql"]
        if explain and connection.vendor == "postgresql" and sql.lstrip().upper().startswith("SELECT"):
            with connection.cursor() as cursor:
                cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
                for (line,) in cursor.fetchall():
                    print(f"        {line}")


def screenshot(html: bytes, path: str) -> None:
    """The page at 360 px in headless Chromium, its static files served from the project (no server needed)."""
    from playwright.sync_api import sync_playwright

    static = ROOT / "static"

    def serve_static(route) -> None:
        relative = route.request.url.split("/static/", 1)[1].split("?", 1)[0]
        file = static / relative
        if file.is_file():
            route.fulfill(path=str(file))
        else:
            route.fulfill(status=404, body="")

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 360, "height": 760})
        page.route("**/static/**", serve_static)
        page.route(
            "http://bench.local/", lambda route: route.fulfill(body=html, content_type="text/html; charset=utf-8")
        )
        page.goto("http://bench.local/")
        page.screenshot(path=path, full_page=True)
        width = page.evaluate("document.documentElement.scrollWidth")
        browser.close()
    print(f"  screenshot {path} (page width {width} px at a 360 px viewport)")


def run(runs: int, profile: bool, explain: bool, screenshots: bool) -> dict:
    with throwaway_database("diary"):
        with time_machine.travel(NOW, tick=True):
            started = time.perf_counter()
            cast, pupils, assignments, school_days, lessons = build()
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # the planner's statistics, as autovacuum keeps them on a live database
            print(f"diary bench on {connection.vendor}: built in {time.perf_counter() - started:.1f} s")
            own = Mark.objects.filter(pupil=cast.pupil).exclude(value="").count()
            print(
                f"  {len(pupils)} pupils, {len(assignments)} subjects, {school_days} school days, {lessons} lessons, "
                f"{Mark.objects.count()} marks ({own} of the measured pupil: {own / school_days:.1f} a school day)"
            )
            client = Client(HTTP_HOST="localhost")
            client.force_login(cast.parent_user)
            database = DatabaseCpu()  # the PostgreSQL backend's CPU per request, beside this process's
            pk = cast.pupil.pk
            figures: dict = {"pupils": len(pupils), "lessons": lessons, "marks": Mark.objects.count()}
            plain = reverse("accounts:profile")
            measure_page(client, "the floor (profile)", plain, runs * 2, figures, "floor", database)
            week_url = reverse("diary:week", args=[pk])
            week = measure_page(client, "week", week_url, runs, figures, "week", database)
            # Where the week's time goes: its selector (one pupil, one week).
            monday = NOW.date() - dt.timedelta(days=NOW.date().weekday())
            selector = Timing(
                lambda n: pupil_days([cast.pupil], monday, monday + dt.timedelta(days=6), today=NOW.date()), runs
            )
            print(f"    the selector pupil_days {selector}")
            figures |= {
                "week_selector_ms": round(selector.wall, 1),
                "week_selector_cpu_ms": round(selector.cpu, 1),
                "plain_page_ms": figures["floor_ms"],
            }
            marks_url = reverse("diary:marks", args=[pk])
            subject_url = reverse("diary:subject", args=[pk, cast.math_a.pk])
            news_url = reverse("diary:news", args=[pk])
            marks = measure_page(client, "marks (4th quarter)", marks_url, runs, figures, "marks", database)
            subject = measure_page(client, "subject (4th quarter)", subject_url, runs, figures, "subject", database)
            measure_page(
                client, "subject (whole year)", subject_url + "?period=year", runs, figures, "subject_year", database
            )
            measure_page(
                client, "marks (whole year)", marks_url + "?period=year", runs, figures, "marks_year", database
            )
            measure_page(client, "what's new", news_url, runs, figures, "news", database)
            measure_page(client, "family home", reverse("home"), runs, figures, "home", database)
            floor_ratios(figures, ["week", "marks", "subject", "subject_year", "marks_year", "news", "home"])

            start = NOW.date() - dt.timedelta(days=NOW.date().weekday() + 7)
            end = start + dt.timedelta(days=13)
            days_timing = Timing(lambda n: pupil_days(pupils, start, end, today=NOW.date()), runs)
            summaries_timing = Timing(lambda n: subject_summaries(pupils, start, end), runs)
            print(f"  class of {len(pupils)}, two weeks ({start:%d.%m}–{end:%d.%m}), the paper diaries' reads:")
            print(f"    pupil_days        {days_timing}")
            print(f"    subject_summaries {summaries_timing}")
            figures |= {
                "class_pupil_days_ms": round(days_timing.wall, 1),
                "class_subject_summaries_ms": round(summaries_timing.wall, 1),
            }
            if profile or explain:
                for label, url in (("week", week_url), ("subject", subject_url), ("what's new", news_url)):
                    print_queries(label, client, url, explain)
            if profile:
                for label, url in (
                    ("the floor: the profile page", plain),
                    ("week page", week_url),
                    ("subject page", subject_url),
                    ("what's new", news_url),
                ):
                    pyinstrument_call(label, lambda url=url: client.get(url), runs)
                profile_call("week page", lambda: client.get(week_url), r"diary/|journal/|accounts/")
                profile_call("what's new", lambda: client.get(news_url), r"diary/|journal/|accounts/")
            if screenshots:
                if Path(CHROMIUM).exists():
                    screenshot(week, "/tmp/diary-week-360.png")
                    screenshot(marks, "/tmp/diary-marks-360.png")
                    screenshot(subject, "/tmp/diary-subject-360.png")
                else:
                    print(f"  no screenshots: {CHROMIUM} is not installed")
    return figures


def demo_families():
    """The load test's first family (bench/load/run.py: parents by username, then pupils): a parent with the first
    child they are linked to, and a pupil signing in themself; each with the pupil's first subject."""
    from accounts.models import ParentChild
    from journal.models import TeachingAssignment

    link = ParentChild.objects.select_related("parent__user", "pupil__user").order_by("parent__user__username").first()
    pupil = (
        PupilProfile.objects.select_related("user")
        .filter(user__is_active=True, enrollments__isnull=False)
        .exclude(pk=link.pupil_id)
        .order_by("user__username")
        .first()
    )
    families = []
    for label, user, child in (("parent", link.parent.user, link.pupil), ("pupil", pupil.user, pupil)):
        class_id = Enrollment.objects.filter(pupil=child).order_by("-date_from").values_list("school_class_id")[:1]
        assignment = (
            TeachingAssignment.objects.filter(school_class_id__in=class_id, subgroup__isnull=True)
            .order_by("-hours_per_week", "pk")
            .first()
        )
        families.append((label, user, child, assignment))
    return families


def run_demo(runs: int, existing: str | None, explain: bool, profile: bool) -> dict:
    """The diary's pages on the demo school (``manage.py seed_demo``, as the load test's database), today's date, as
    a parent and as a pupil: the application's and the database backend's CPU per page, queries, and with
    ``explain`` the EXPLAIN (ANALYZE, BUFFERS) of every query."""
    from contextlib import nullcontext

    from django.core.management import call_command

    if existing:
        connection.close()
        connection.settings_dict["NAME"] = existing
        context = nullcontext(0.0)
    else:
        context = throwaway_database("diary_demo")
    with context:
        if not existing:
            started = time.perf_counter()
            call_command("seed_demo", verbosity=0)
            print(
                f"diary bench on the demo school ({connection.vendor}): seeded in {time.perf_counter() - started:.0f} s"
            )
        else:
            print(f"diary bench on the demo school in {existing} ({connection.vendor})")
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        figures: dict = {
            "demo": True,
            "pupils": PupilProfile.objects.count(),
            "lessons": Lesson.objects.count(),
            "marks": Mark.objects.count(),
            "homework": Homework.objects.count(),
        }
        print(f"  {figures['pupils']} pupils, {figures['lessons']} lessons, {figures['marks']} marks")
        database = DatabaseCpu()
        keys = []
        for label, user, child, assignment in demo_families():
            client = Client(HTTP_HOST="localhost")
            client.force_login(user)
            print(f"  as a {label} ({user.username}), the diary of pupil {child.pk}:")
            if label == "parent":
                measure_page(
                    client, "the floor (profile)", reverse("accounts:profile"), runs * 2, figures, "floor", database
                )
            pages = [
                ("week", reverse("diary:week", args=[child.pk])),
                ("news", reverse("diary:news", args=[child.pk])),
                ("marks", reverse("diary:marks", args=[child.pk])),
                ("subject", reverse("diary:subject", args=[child.pk, assignment.pk])),
                ("home", reverse("home")),
            ]
            for key, url in pages:
                measure_page(client, key, url, runs, figures, f"{label}_{key}", database)
                keys.append(f"{label}_{key}")
            if explain or profile:
                for key, url in pages[:4]:
                    print_queries(f"{label} {key}", client, url, explain)
            if profile:
                for key, url in pages[:4]:
                    pyinstrument_call(f"{label} {key}", lambda url=url, client=client: client.get(url), runs)
        floor_ratios(figures, keys)
        totals = [figures[f"{key}_total_cpu_ms"] for key in keys]
        figures["pages_total_cpu_ms_sum"] = round(sum(totals), 1)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="requests per measurement (default 20)")
    parser.add_argument(
        "--profile", action="store_true", help="print the queries and a pyinstrument profile of each page, a cProfile"
    )
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN (ANALYZE, BUFFERS) of the pages' queries (PostgreSQL)"
    )
    parser.add_argument("--no-screenshots", dest="screenshots", action="store_false", help="skip the screenshots")
    parser.add_argument(
        "--demo",
        action="store_true",
        help="measure on the demo school (seed_demo, ~1,000 pupils) as a parent and a pupil",
    )
    parser.add_argument(
        "--existing",
        metavar="NAME",
        help="with --demo: a database already seeded by seed_demo, used as is (the news page records visits in it)",
    )
    args = parser.parse_args()
    if args.demo or args.existing:
        print_figures("diary_demo", run_demo(args.runs, args.existing, args.explain, args.profile))
    else:
        print_figures("diary", run(args.runs, args.profile, args.explain, args.screenshots))


if __name__ == "__main__":
    main()
