"""Benchmark the paper diaries: printing a class of 30 (every family chose paper) for two weeks as one PDF.

    .venv/bin/python bench/paper.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/paper.py
    .venv/bin/python bench/paper.py --runs 5 --profile     # plus a cProfile of one batch

Builds the test cast (conftest.build_cast) on a throwaway database, fills 7 «А» up to 30 pupils, each with a
mother who chose paper, gives the class 9 subjects and six lessons a day from the start of the 2nd quarter to
Friday 04.12.2026 (topics, homework on most lessons, ~5 marks per lesson, a few absences), and stands the clock
on that Friday. Then, in both layouts, requests the batch for the two weeks 21.11–04.12 and runs the Celery task's
work on it (diary.services.paper: paper_diaries_request, then paper_print_render, timed, with their queries), and
makes the PDF ``--runs`` times more with the same steps the task runs (paper_diaries_pdf), reporting the median
time split into the reads (selectors), the HTML (template) and WeasyPrint, the pages and the PDF size; and the
time of the page's POST (it only queues the batch now; the hand-over to Celery after the commit is not timed) and
of the class teacher's page (GET). The database is an SQLite file under /tmp or, with DATABASE_URL, a throwaway
PostgreSQL database created and dropped on that server; the development database is never touched. Settings:
ejournal.settings_test (DEBUG off, as in production). The last line is the figures as JSON.
"""

import argparse
import datetime as dt
import random
import shutil
import statistics
import subprocess
import tempfile
import time
import zoneinfo
from decimal import Decimal
from pathlib import Path

import time_machine
from common import Timing, print_figures, profile_call, throwaway_database  # first: sets Django up
from django.db import connection, transaction
from django.template.loader import render_to_string
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts import services as account_services
from accounts.choices import InfoForm, ParentKind
from accounts.models import ParentProfile
from conftest import build_cast
from diary.models import PaperDiaryPrint
from diary.selectors.paper import paper_pupils
from diary.services import paper as paper_services
from journal import services
from journal.models import Attendance, Enrollment, Homework, Lesson, Mark, StudyPeriod, Subject
from journal.services.cards import parent_card_update
from journal.services.work_types import work_types_ensure
from journal.workdays import grade_calendar

NOW = dt.datetime(2026, 12, 4, 16, 0, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))  # a Friday
INTERVAL = (dt.date(2026, 11, 21), dt.date(2026, 12, 4))
PUPILS, LESSONS_A_DAY = 30, 6
SURNAMES = ["Иванов", "Смирнова", "Кузнецов", "Попова", "Васильев", "Петрова", "Соколов", "Михайлова", "Новиков"]
SUBJECTS = [
    ("Русский язык", 4),
    ("Литература", 2),
    ("Иностранный язык (английский)", 3),
    ("История", 2),
    ("Обществознание", 1),
    ("География", 2),
    ("Биология", 1),
    ("Физика", 2),
    ("Информатика", 1),
]
TOPICS = [
    "Синтаксис и пунктуация простого предложения",
    "Формулы сокращённого умножения",
    "Контрольная работа по теме «Дроби»",
    "Сила. Сила тяжести",
    "Русь в IX — начале XII века",
    "И. С. Тургенев. «Муму»",
]
HOMEWORK = [
    "§ 12, № 345–350",
    "Выучить правило, § 18",
    "§ 10, вопросы 1–3",
    "№ 274, 2 (учебник)",
    "Сочинение-миниатюра",
]


def build():
    """The cast, 7 «А» filled to 30 paper families, 9 more subjects and the quarter's lessons up to NOW."""
    cast = build_cast()
    with time_machine.travel(dt.datetime(2026, 9, 3, 12, tzinfo=NOW.tzinfo), tick=False):
        parent_card_update(actor=cast.classteacher, parent=cast.parent, info_form=InfoForm.PAPER)
        for n in range(PUPILS - 1):
            surname = SURNAMES[n % len(SURNAMES)]
            pupil = account_services.pupil_create(
                actor=cast.admin,
                school=cast.school,
                username=f"bench{n}",
                last_name=surname,
                first_name=f"Ученик{n:02d}",
            )
            services.enrollment_create(
                actor=cast.admin, pupil=pupil, school_class=cast.class_a, date_from=cast.year.start_date
            )
            parent = account_services.parent_create(
                actor=cast.admin, school=cast.school, username=f"benchparent{n}", last_name=surname, first_name="Мама"
            )
            account_services.parent_link(actor=cast.admin, parent=parent, pupil=pupil, kind=ParentKind.MOTHER)
        ParentProfile.objects.filter(user__username__startswith="benchparent").update(
            info_form=InfoForm.PAPER, info_form_chosen_on=dt.date(2026, 9, 3)
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
    period = StudyPeriod.objects.get(year=cast.year, number=2)
    calendar = grade_calendar(cast.school, cast.class_a.grade)
    days = [
        period.start_date + dt.timedelta(days=n)
        for n in range((NOW.date() - period.start_date).days + 1)
        if calendar.is_school_day(period.start_date + dt.timedelta(days=n))
    ]
    kinds = work_types_ensure(cast.school)
    rng = random.Random(20261204)
    lessons = Lesson.objects.bulk_create(
        [
            Lesson(
                assignment=assignments[(day.toordinal() * 7 + number) % len(assignments)],
                date=day,
                number=number,
                topic=TOPICS[(day.toordinal() + number) % len(TOPICS)],
                work_type=kinds[(day.toordinal() + number) % 3],
            )
            for day in days
            for number in range(1, LESSONS_A_DAY + 1)
        ]
    )
    pupil_ids = list(Enrollment.objects.filter(school_class=cast.class_a).values_list("pupil_id", flat=True))
    marks, absences = [], []
    for lesson in lessons:
        for pupil_id in pupil_ids:
            roll = rng.random()
            if roll < 0.03:
                absences.append(Attendance(lesson=lesson, pupil_id=pupil_id, code="б", updated_by=cast.teacher))
            elif roll < 0.2:
                marks.append(
                    Mark(
                        lesson=lesson,
                        pupil_id=pupil_id,
                        value=rng.choice("2334445555"),
                        work_type=lesson.work_type,
                        updated_by=cast.teacher,
                    )
                )
    Mark.objects.bulk_create(marks)
    Attendance.objects.bulk_create(absences)
    Homework.objects.bulk_create(
        [
            Homework(lesson=lesson, text=HOMEWORK[n % len(HOMEWORK)], updated_by=cast.teacher)
            for n, lesson in enumerate(lessons)
            if n % 5 != 4
        ]
    )
    return cast, lessons, pupil_ids


def pdf_pages(pdf: bytes) -> str:
    """The page count by poppler's pdfinfo when it is installed (WeasyPrint compresses the page tree)."""
    if shutil.which("pdfinfo") is None:
        return "?"
    info = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True).stdout.decode()
    return next((line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")), "?")


def ms(value: float) -> str:
    """«12 345 ms» from milliseconds: thousands apart with a space, the Russian way."""
    return f"{value:,.0f} ms".replace(",", "\u202f")


def print_batch(cast, layout: str) -> dict:
    """One batch, as the task makes it (paper_diaries_pdf), with the time of each step (the same calls, one by one)."""
    school_class = cast.class_a
    today = NOW.date()
    started = time.perf_counter()
    pupils = paper_pupils(school_class, *INTERVAL)
    context = paper_services.paper_diaries_context(school_class, pupils, *INTERVAL, layout, today=today)
    reads = time.perf_counter()
    html = render_to_string(paper_services.PDF_TEMPLATE, context)
    rendered = time.perf_counter()
    pdf, _pages = paper_services.render_pdf(html)
    done = time.perf_counter()
    return {
        "reads": reads - started,
        "html": rendered - reads,
        "pdf": done - rendered,
        "html_size": len(html),
        "pdf_bytes": pdf,
        "pupils": len(pupils),
    }


def redirected(response) -> None:
    assert response.status_code == 302, response.status_code


def request_and_render(cast, layout: str) -> tuple[PaperDiaryPrint, int, int, float]:
    """The page's request and the task's work on one batch, rolled back: the row, the queries of each, the task's
    time. Inside the transaction the commit's hand-over to Celery never runs; the task's work is called directly."""
    with transaction.atomic():
        with CaptureQueriesContext(connection) as request_queries:
            record = paper_services.paper_diaries_request(
                actor=cast.classteacher,
                school_class=cast.class_a,
                date_from=INTERVAL[0],
                date_to=INTERVAL[1],
                layout=layout,
            )
        started = time.perf_counter()
        with CaptureQueriesContext(connection) as task_queries:
            status = paper_services.paper_print_render(record.pk)
        took = time.perf_counter() - started
        assert status == PaperDiaryPrint.Status.READY, status
        record = PaperDiaryPrint.objects.get(pk=record.pk)
        record.pdf = bytes(record.pdf)
        transaction.set_rollback(True)
    return record, len(request_queries), len(task_queries), took


def run(runs: int, profile: bool) -> dict:
    with throwaway_database("paper"):
        with time_machine.travel(NOW, tick=True):
            started = time.perf_counter()
            cast, lessons, pupil_ids = build()
            print(f"paper bench on {connection.vendor}: built in {time.perf_counter() - started:.1f} s")
            print(
                f"  7 «А»: {len(pupil_ids)} pupils (all with paper), {len(lessons)} lessons of the 2nd quarter "
                f"({lessons[0].date:%d.%m}–{lessons[-1].date:%d.%m}), {Mark.objects.count()} marks, "
                f"{Attendance.objects.count()} absences; printed for {INTERVAL[0]:%d.%m}–{INTERVAL[1]:%d.%m.%Y}"
            )
            figures: dict = {"pupils": len(pupil_ids), "lessons": len(lessons), "marks": Mark.objects.count()}
            paper_services.render_pdf("<p>warm-up: fonts and the stylesheet</p>")
            for layout in ("one", "two"):
                record, request_queries, task_queries, task_time = request_and_render(cast, layout)
                pdf = record.pdf
                steps: list[dict] = []
                batch = Timing(lambda n, layout=layout: print_batch(cast, layout), runs, steps.append)
                reads, html, weasyprint = (
                    statistics.median(s[key] for s in steps) * 1000 for key in ("reads", "html", "pdf")
                )
                print(
                    f"  layout {layout!r}: median {ms(batch.wall)} for {record.pupils} pupils "
                    f"(best {ms(batch.best)}, CPU {ms(batch.cpu)}; reads {ms(reads)}, "
                    f"HTML {ms(html)}, WeasyPrint {ms(weasyprint)}); "
                    f"{record.pages} pages (pdfinfo: {pdf_pages(pdf)}), PDF {len(pdf) / 1024:.0f} KB, "
                    f"HTML {steps[0]['html_size'] / 1024:.0f} KB"
                )
                print(
                    f"    the task (claim, make, store): {ms(task_time * 1000)}, {task_queries} queries; "
                    f"the request: {request_queries} queries"
                )
                figures |= {
                    f"{layout}_ms": round(batch.wall),
                    f"{layout}_cpu_ms": round(batch.cpu),
                    f"{layout}_reads_ms": round(reads, 1),
                    f"{layout}_html_ms": round(html, 1),
                    f"{layout}_weasyprint_ms": round(weasyprint),
                    f"{layout}_pages": record.pages,
                    f"{layout}_pdf_kb": round(len(pdf) / 1024),
                    f"{layout}_task_ms": round(task_time * 1000),
                    f"{layout}_task_queries": task_queries,
                    f"{layout}_request_queries": request_queries,
                }
                out = Path(tempfile.gettempdir()) / f"ejournal-bench-paper-{layout}.pdf"
                out.write_bytes(pdf)
                print(f"    written to {out}")
            client = Client(HTTP_HOST="localhost")
            client.force_login(cast.classteacher)
            url = reverse("diary:paper", args=[cast.class_a.pk])
            client.get(url)
            connection.queries_log.clear()
            with CaptureQueriesContext(connection) as queries:
                page = client.get(url)
            page_queries = len(queries)  # read now: each request clears the connection's query log
            page_timing = Timing(lambda n: client.get(url), 20)
            print(
                f"  the class teacher's page: median {page_timing.wall:.1f} ms, {page_queries} queries, "
                f"{len(page.content) / 1024:.0f} KB"
            )
            data = {"date_from": f"{INTERVAL[0]:%Y-%m-%d}", "date_to": f"{INTERVAL[1]:%Y-%m-%d}", "layout": "one"}

            def post(n: int):
                with transaction.atomic():  # rolled back: the commit's hand-over to Celery (eager here) never runs
                    response = client.post(url, data)
                    transaction.set_rollback(True)
                return response

            post_timing = Timing(post, 20, redirected)
            print(f"  the print request (POST, queues the batch): median {post_timing.wall:.1f} ms")
            assert not PaperDiaryPrint.objects.exists()  # the timed batches were rolled back
            figures |= {
                "page_ms": round(page_timing.wall, 1),
                "page_queries": page_queries,
                "page_kb": round(len(page.content) / 1024),
                "post_ms": round(post_timing.wall, 1),
            }
            if profile:
                profile_call("one batch", lambda: print_batch(cast, "one"), "", 40)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="batches per layout (default 3; each takes seconds)")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one batch")
    args = parser.parse_args()
    print_figures("paper", run(args.runs, args.profile))


if __name__ == "__main__":
    main()
