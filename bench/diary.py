"""Benchmark the diary: the week and the subject pages of a pupil with a full year of marks.

    .venv/bin/python bench/diary.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/diary.py
    .venv/bin/python bench/diary.py --runs 50 --profile      # plus a cProfile of one week page
    .venv/bin/python bench/diary.py --no-screenshots          # without headless Chromium

Builds the test cast (conftest.build_cast) on a throwaway database and gives 7 «А» 30 pupils, a bell schedule,
nine subjects and six lessons on every school day of the 2026/2027 year (topics, homework on every other lesson,
some control works), and about five marks a day for every pupil (a second mark now and then), with absences and set
period marks of the first three quarters. The clock stands on Thursday 20 May 2027, near the end of the year.

Then, through the Django test Client as the pupil's parent, it prints the median server time over ``--runs``
requests, the queries and the HTML size (raw and gzip) of the week page, the marks page, and the subject page (the
current quarter and the whole year); and the time of the batched selectors the paper diaries use for the whole
class of 30 over two weeks (diary.selectors.days.pupil_days and diary.selectors.marks.subject_summaries).
Targets on this machine: each page under 50 ms, the week under 60 KB. The database is an SQLite file under /tmp or,
with DATABASE_URL, a throwaway PostgreSQL database created and dropped on that server; the development database is
never touched. Settings: ejournal.settings_test (DEBUG off, as in production). The last line is the figures as JSON.

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
from common import ROOT, Timing, ok, print_figures, profile_call, throwaway_database  # first: sets Django up
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


def measure_page(client: Client, label: str, url: str, runs: int, figures: dict, key: str) -> bytes:
    for _ in range(3):  # warm up: templates, URL resolvers, permission caches
        ok(client.get(url))
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        page = client.get(url)
    count = len(queries)
    ok(page)
    html = page.content
    timing = Timing(lambda n: client.get(url), runs, ok)
    print(
        f"  {label:<22} {timing}, {count} queries, {len(html) / 1024:.1f} KB raw, "
        f"{len(gzip.compress(html)) / 1024:.1f} KB gzip"
    )
    figures |= {
        f"{key}_ms": round(timing.wall, 1),
        f"{key}_cpu_ms": round(timing.cpu, 1),
        f"{key}_queries": count,
        f"{key}_kb": round(len(html) / 1024, 1),
    }
    return html


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


def run(runs: int, profile: bool, screenshots: bool) -> dict:
    with throwaway_database("diary"):
        with time_machine.travel(NOW, tick=True):
            started = time.perf_counter()
            cast, pupils, assignments, school_days, lessons = build()
            print(f"diary bench on {connection.vendor}: built in {time.perf_counter() - started:.1f} s")
            own = Mark.objects.filter(pupil=cast.pupil).exclude(value="").count()
            print(
                f"  {len(pupils)} pupils, {len(assignments)} subjects, {school_days} school days, {lessons} lessons, "
                f"{Mark.objects.count()} marks ({own} of the measured pupil: {own / school_days:.1f} a school day)"
            )
            client = Client(HTTP_HOST="localhost")
            client.force_login(cast.parent_user)
            pk = cast.pupil.pk
            figures: dict = {"pupils": len(pupils), "lessons": lessons, "marks": Mark.objects.count()}
            week = measure_page(client, "week", reverse("diary:week", args=[pk]), runs, figures, "week")
            # Where the week's time goes: its selector (one pupil, one week) beside a plain page of the site.
            monday = NOW.date() - dt.timedelta(days=NOW.date().weekday())
            selector = Timing(
                lambda n: pupil_days([cast.pupil], monday, monday + dt.timedelta(days=6), today=NOW.date()), runs
            )
            print(f"    the selector pupil_days {selector}")
            plain = reverse("accounts:profile")
            ok(client.get(plain))
            plain_timing = Timing(lambda n: client.get(plain), runs, ok)
            print(f"    for scale, a plain page of the site (the profile): {plain_timing}")
            figures |= {
                "week_selector_ms": round(selector.wall, 1),
                "week_selector_cpu_ms": round(selector.cpu, 1),
                "plain_page_ms": round(plain_timing.wall, 1),
                "floor_cpu_ms": round(plain_timing.cpu, 1),
            }
            marks_url = reverse("diary:marks", args=[pk])
            subject_url = reverse("diary:subject", args=[pk, cast.math_a.pk])
            marks = measure_page(client, "marks (4th quarter)", marks_url, runs, figures, "marks")
            subject = measure_page(client, "subject (4th quarter)", subject_url, runs, figures, "subject")
            measure_page(client, "subject (whole year)", subject_url + "?period=year", runs, figures, "subject_year")
            measure_page(client, "marks (whole year)", marks_url + "?period=year", runs, figures, "marks_year")
            measure_page(client, "what's new", reverse("diary:news", args=[pk]), runs, figures, "news")
            measure_page(client, "family home", reverse("home"), runs, figures, "home")

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
            if profile:
                url = reverse("diary:week", args=[pk])
                connection.queries_log.clear()
                with CaptureQueriesContext(connection) as queries:
                    client.get(url)
                for query in queries.captured_queries:
                    print(f"    {float(query['time']) * 1000:5.1f} ms  {query['sql'][:110]}")
                profile_call("week page", lambda: client.get(url), r"diary/|journal/|accounts/")
            if screenshots:
                if Path(CHROMIUM).exists():
                    screenshot(week, "/tmp/diary-week-360.png")
                    screenshot(marks, "/tmp/diary-marks-360.png")
                    screenshot(subject, "/tmp/diary-subject-360.png")
                else:
                    print(f"  no screenshots: {CHROMIUM} is not installed")
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20, help="requests per measurement (default 20)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one week page")
    parser.add_argument("--no-screenshots", dest="screenshots", action="store_false", help="skip the screenshots")
    args = parser.parse_args()
    print_figures("diary", run(args.runs, args.profile, args.screenshots))


if __name__ == "__main__":
    main()
