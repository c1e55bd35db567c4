"""Benchmark the reports on the demo school of ``--pupils`` pupils (1000 by default: 44 classes).

    .venv/bin/python bench/reports.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/reports.py
    .venv/bin/python bench/reports.py --runs 9 --profile summary-sheet   # plus the profiles of one report

Builds the demo school (``manage.py seed_demo --pupils N``: the first quarter closed, with period marks) on a
throwaway database, then, as the school's deputy head through the Django test Client (the real views, formats and
access checks), prints for each HTML page of the reports (``reports/urls.py``: the list, the settings, a job's page
and every report on screen) the median wall time and the application CPU (this process) over ``--runs`` requests,
on PostgreSQL the database backend's CPU per request (bench/common.py DatabaseCpu, read from /proc around a series),
its queries and their time:

- the floor: a plain signed-in page (the profile), measured the same way;
- the report list, the report settings and a finished export's page;
- a class's results for the first quarter (target < 150 ms) and its summary sheet of marks (< 150 ms);
- the whole school's results for the quarter (< 1 s);
- the class's attendance summary, its class teacher's report and the preliminary report;
- the whole school's preliminary report, average-versus-mark check, attendance by month, final data, class sizes,
  movement and users' activity (their exports are made in the request: each must stay under 1 s);

then each page's (CPU − its database part) over the floor's (issue 14: at most 2× the floor plus the page's own
query time); and the summary sheet as a PDF (< 2 s) and the whole school's summary sheets as one XLSX workbook
(< 3 s: made as the background job makes it, timed here in-process). ``--profile SLUG`` adds a cProfile and a
pyinstrument profile of one page (its report's slug or its label).

The database is an SQLite file under /tmp or, with DATABASE_URL, a throwaway PostgreSQL database created and dropped
on that server; the development database is never touched. Settings: ejournal.settings_test (DEBUG off, as in
production). The last line is the figures as JSON.
"""

import argparse
import time
from io import StringIO

from common import (  # first: sets Django up
    DatabaseCpu,
    Timing,
    floor_ratios,
    measure_page,
    ok,
    print_figures,
    profile_call,
    pyinstrument_call,
    query_count,
    throwaway_database,
)
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from journal.models import SchoolClass, StudyPeriod
from reports.access import report_scope
from reports.catalog import build_document, spec_for
from reports.choices import JobStatus, ReportFormat
from reports.models import ReportJob
from reports.render.files import document_file

TARGETS_MS = {
    "class_results": 150,
    "summary_sheet": 150,
    "school_results": 1000,
    "school_sheets_xlsx": 3000,
    "summary_sheet_pdf": 2000,
    "school_preliminary": 1000,
    "school_divergence": 1000,
    "school_attendance_months": 1000,
    "school_final_data": 1000,
    "school_class_sizes": 1000,
    "school_movement": 1000,
    "school_activity": 1000,
}


def run(pupils: int, runs: int, profile: str | None) -> dict:
    with throwaway_database(f"reports-{pupils}") as _migrated:
        started = time.perf_counter()
        call_command("seed_demo", pupils=pupils, stdout=StringIO())
        print(f"--pupils {pupils} on {connection.vendor}: seeded in {time.perf_counter() - started:.1f} s")
        deputy = User.objects.filter(role=Role.DEPUTY).first()
        classes = list(SchoolClass.objects.order_by("grade", "letter"))
        school_class = next(c for c in classes if c.grade == 7)
        quarter = StudyPeriod.objects.get(year=school_class.year, kind="quarter", number=1)
        print(f"  classes: {len(classes)}; the class: {school_class}; the period: {quarter}")
        client = Client(HTTP_HOST="localhost")
        client.force_login(deputy)
        database = DatabaseCpu()  # the PostgreSQL backend's CPU per request, beside this process's
        figures: dict = {"pupils": pupils, "classes": len(classes)}
        measure_page(client, database, "floor", reverse("accounts:profile"), {}, runs * 4, figures)
        in_class = {"year": school_class.year_id, "school_class": school_class.pk}
        year = {"year": school_class.year_id}
        # A finished export of the deputy's, as the job page shows it once made.
        job = ReportJob.objects.create(
            school=deputy.school, report="summary-sheet", params=year, fmt=ReportFormat.XLSX, title="Сводные ведомости",
            status=JobStatus.READY, file=b"x", file_name="sheets.xlsx", requested_by=deputy,
        )  # fmt: skip
        pages = {
            "index": ("index", {}),
            "settings": ("settings", {}),
            "job": (reverse("reports:job", args=[job.pk]), {}),
            "class_results": ("results", {**in_class, "period": quarter.pk}),
            "summary_sheet": ("summary-sheet", in_class),
            "school_results": ("school-results", {**year, "period": quarter.pk}),
            "attendance": ("attendance", {**in_class, "period": quarter.pk}),
            "class_teacher": ("class-teacher", {**in_class, "period": quarter.pk}),
            "preliminary": ("preliminary", in_class),
            # The whole school on screen (an export of these runs in the request: each must stay under a second).
            "school_preliminary": ("preliminary", year),
            "school_divergence": ("mark-divergence", {**year, "period": quarter.pk}),
            "school_attendance_months": ("attendance-months", year),
            "school_final_data": ("final-data", year),
            "school_class_sizes": ("class-sizes", year),
            "school_movement": ("movement", year),
            "school_activity": ("activity", year),
        }
        for label, (slug, query) in pages.items():
            url = slug if slug.startswith("/") else reverse(f"reports:{slug}")
            measure_page(client, database, label, url, query, runs, figures, target=TARGETS_MS.get(label))
            if profile == slug or profile == label:
                profile_call(label, lambda url=url, query=query: client.get(url, query), "reports|journal")
                pyinstrument_call(label, lambda url=url, query=query: client.get(url, query), 3)
        floor_ratios(figures, ["floor", *pages])

        # The summary sheet as a PDF (made in the request).
        pdf_query = {**in_class, "format": "pdf"}
        url = reverse("reports:summary-sheet")
        timing = Timing(lambda _n: client.get(url, pdf_query), runs, check=ok)
        count = query_count(lambda: client.get(url, pdf_query))
        verdict = " ok" if timing.wall < TARGETS_MS["summary_sheet_pdf"] else " OVER 2000 ms"
        print(f"  {'summary_sheet_pdf':<24} {timing} {count:4d} queries{verdict}")
        figures.update(
            summary_sheet_pdf_ms=round(timing.wall, 1),
            summary_sheet_pdf_cpu_ms=round(timing.cpu, 1),
            summary_sheet_pdf_queries=count,
        )

        scope = report_scope(deputy)
        spec = spec_for("summary-sheet")
        school_query = {"year": str(school_class.year_id), "scope": "school"}

        def workbook(_n):
            document, form = build_document(spec, scope, school_query, progress=lambda done, total: None)
            assert document is not None, form.errors
            return document_file(document, "xlsx")

        timing = Timing(workbook, max(3, runs // 3))
        count = query_count(lambda: workbook(0))
        size = len(workbook(0)[0])
        verdict = " ok" if timing.wall < TARGETS_MS["school_sheets_xlsx"] else " OVER 3000 ms"
        print(f"  {'school_sheets_xlsx':<22} {timing} {count:4d} queries, {size // 1024} KB{verdict}")
        figures.update(
            school_sheets_xlsx_ms=round(timing.wall, 1),
            school_sheets_xlsx_cpu_ms=round(timing.cpu, 1),
            school_sheets_xlsx_queries=count,
            school_sheets_xlsx_kb=size // 1024,
        )
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=1000, help="pupils in the demo school (default 1000)")
    parser.add_argument("--runs", type=int, default=7, help="requests per page (median)")
    parser.add_argument("--profile", metavar="SLUG", help="profile one page: its report's slug or its label")
    args = parser.parse_args()
    print_figures("reports", run(args.pupils, args.runs, args.profile))


if __name__ == "__main__":
    main()
