"""Benchmark the reports on the demo school of ``--pupils`` pupils (1000 by default: 44 classes).

    .venv/bin/python bench/reports.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/reports.py
    .venv/bin/python bench/reports.py --runs 9 --profile summary-sheet   # plus a cProfile of one report

Builds the demo school (``manage.py seed_demo --pupils N``: the first quarter closed, with period marks) on a
throwaway database, then, as the school's deputy head through the Django test Client (the real views, formats and
access checks), prints the median wall and CPU time over ``--runs`` requests and the queries of:

- a class's results for the first quarter on screen (target < 150 ms);
- a class's summary sheet of marks on screen (< 150 ms) and as a PDF (< 2 s);
- the whole school's results for the quarter on screen (< 1 s);
- the whole school's summary sheets as one XLSX workbook (< 3 s): made as the background job makes it (the page
  queues a Celery job for it), timed here in-process;
- the class's attendance summary, its class teacher's report and the preliminary report, on screen;
- the whole school's preliminary report, average-versus-mark check, attendance by month, final data, class sizes,
  movement and users' activity, on screen (their exports are made in the request: each must stay under 1 s).

The database is an SQLite file under /tmp or, with DATABASE_URL, a throwaway PostgreSQL database created and dropped
on that server; the development database is never touched. Settings: ejournal.settings_test (DEBUG off, as in
production). The last line is the figures as JSON.
"""

import argparse
import re
import time
from io import StringIO

from common import Timing, ok, print_figures, profile_call, throwaway_database  # first: sets Django up
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from journal.models import SchoolClass, StudyPeriod
from reports.access import report_scope
from reports.catalog import build_document, spec_for
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


def _queries(call) -> int:
    with CaptureQueriesContext(connection) as queries:
        call()
    return len(queries)


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
        in_class = {"year": school_class.year_id, "school_class": school_class.pk}
        pages = {
            "class_results": ("results", {**in_class, "period": quarter.pk}),
            "summary_sheet": ("summary-sheet", in_class),
            "summary_sheet_pdf": ("summary-sheet", {**in_class, "format": "pdf"}),
            "school_results": ("school-results", {"year": school_class.year_id, "period": quarter.pk}),
            "attendance": ("attendance", {**in_class, "period": quarter.pk}),
            "class_teacher": ("class-teacher", {**in_class, "period": quarter.pk}),
            "preliminary": ("preliminary", in_class),
            # The whole school on screen (an export of these runs in the request: each must stay under a second).
            "school_preliminary": ("preliminary", {"year": school_class.year_id}),
            "school_divergence": ("mark-divergence", {"year": school_class.year_id, "period": quarter.pk}),
            "school_attendance_months": ("attendance-months", {"year": school_class.year_id}),
            "school_final_data": ("final-data", {"year": school_class.year_id}),
            "school_class_sizes": ("class-sizes", {"year": school_class.year_id}),
            "school_movement": ("movement", {"year": school_class.year_id}),
            "school_activity": ("activity", {"year": school_class.year_id}),
        }
        figures: dict = {"pupils": pupils, "classes": len(classes)}
        for label, (slug, query) in pages.items():
            url = reverse(f"reports:{slug}")

            def get(_n, url=url, query=query):
                return client.get(url, query)

            first = get(0)
            if first.status_code != 200:  # say why (the form's Russian message) before failing
                text = re.sub(r"<[^>]+>", " ", first.content.decode())
                print(f"  {label}: {first.status_code}", " ".join(text.split())[-600:])
            ok(first)
            timing = Timing(get, runs, check=ok)
            count = _queries(lambda url=url, query=query: get(0))
            target = TARGETS_MS.get(label)
            verdict = "" if target is None else (" ok" if timing.wall < target else f" OVER {target} ms")
            print(f"  {label:<22} {timing} {count:4d} queries{verdict}")
            figures[f"{label}_ms"] = round(timing.wall, 1)
            figures[f"{label}_cpu_ms"] = round(timing.cpu, 1)
            figures[f"{label}_queries"] = count
            if profile == slug:
                profile_call(label, lambda: get(0), "reports|journal")

        scope = report_scope(deputy)
        spec = spec_for("summary-sheet")
        school_query = {"year": str(school_class.year_id), "scope": "school"}

        def workbook(_n):
            document, form = build_document(spec, scope, school_query, progress=lambda done, total: None)
            assert document is not None, form.errors
            return document_file(document, "xlsx")

        timing = Timing(workbook, max(3, runs // 3))
        count = _queries(lambda: workbook(0))
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
    parser.add_argument("--profile", metavar="SLUG", help="print a cProfile of one request of this report")
    args = parser.parse_args()
    print_figures("reports", run(args.pupils, args.runs, args.profile))


if __name__ == "__main__":
    main()
