"""Benchmark the year's archive on the demo school of ``--pupils`` pupils (1000 by default: 44 classes), with a whole
year of lessons held.

    .venv/bin/python bench/archive.py --classes 4                      # SQLite: the PDFs, the archive in-process
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/9 \\
        .venv/bin/python bench/archive.py                              # the whole year, two Celery workers
    .venv/bin/python bench/archive.py --quick                          # = --pupils 500 --classes 2 --runs 2

Builds the demo school (``journal.demo.seed``) as it stands the day after its year ended (the clock moved there with
time-machine while seeding: the demo caps its timestamps at now), closes the year, then prints the wall and CPU time
of:

- one class's summary sheet as the archive makes it (PDF/A; target < 2 s), median of ``--runs`` after a first one
  (also printed: it parses the stylesheets and loads the fonts, once per worker process);
- one class's journal for the year (PDF): seconds, pages and seconds per page, beside WeasyPrint's cost of as many
  bare A4-landscape pages (a line of text each) rendered in the same run;
- the year's whole archive (every class's summary sheet, journal and data, the manifest, the cover; target < 15 min
  for 44 classes) — with PostgreSQL and REDIS_URL by ``--workers`` real Celery worker processes (``celery -A ejournal
  worker -P solo``, one task at a time each) started here against the bench's database and media folder, the
  progress printed while they run, their CPU time read when they exit; on SQLite or without REDIS_URL the worker
  part is skipped and the archive is built in this process (one worker: eager Celery);
- ``archive_verify`` of that year (target < 10 s).

``--classes N`` archives the first N classes only (the others are moved to a parked year before the run). Use Redis
database 9 (REDIS_URL=redis://127.0.0.1:6379/9): the bench purges its queue. The database is an SQLite file under /tmp
or, with DATABASE_URL, a throwaway PostgreSQL database created and dropped on that server; the media folder is a
temporary directory. Settings: ejournal.settings_test (DEBUG off). The last line is the figures as JSON.
"""

import argparse
import datetime as dt
import os
import resource
import shutil
import signal
import statistics
import subprocess
import tempfile
import time
from io import StringIO
from pathlib import Path

from common import ROOT, print_figures, throwaway_database  # first: sets Django up
from django.conf import settings
from django.db import connection, transaction

TARGETS_S = {"summary_sheet_pdf": 2.0, "archive": 15 * 60.0, "verify": 10.0}
MEDIA = Path(tempfile.mkdtemp(prefix="ejournal-bench-archive-"))
# Before the storage is first used: the archive's files go to the bench's own folder (the workers: via TMPDIR, which
# ejournal.settings_test's MEDIA_ROOT is under).
settings.MEDIA_ROOT = MEDIA / "ejournal-test-media"
settings.ARCHIVE_SIGNING_P12 = ""


def _timed(call):
    wall, cpu = time.perf_counter(), time.process_time()
    result = call()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def _seed(pupils: int):
    import time_machine

    from journal import demo
    from journal.demo.school import current_start_year, year_calendar

    end = year_calendar(current_start_year(dt.date.today())).end
    today = end + dt.timedelta(days=1)
    with time_machine.travel(dt.datetime.combine(today, dt.time(12, 0), tzinfo=dt.UTC), tick=True):
        with transaction.atomic():
            return demo.seed(pupils=pupils, today=today)


def _park_classes_but(year, keep: int) -> int:
    """Keep the first ``keep`` classes in the year (by grade and letter); move the others to a parked year."""
    from journal.models import SchoolClass, SchoolYear

    classes = list(SchoolClass.objects.filter(year=year).order_by("grade", "letter").values_list("pk", flat=True))
    if keep >= len(classes):
        return len(classes)
    parked = SchoolYear.objects.create(
        school=year.school, name="bench-parked", start_date=dt.date(1990, 9, 1), end_date=dt.date(1991, 5, 31)
    )
    SchoolClass.objects.filter(pk__in=classes[keep:]).update(year=parked)
    return keep


def _bare_pages(pages: int) -> tuple[float, float]:
    """WeasyPrint's cost of ``pages`` bare A4-landscape pages with a line of text each (s a page, wall and CPU)."""
    from weasyprint import CSS, HTML

    html = "".join(f'<p style="break-after: page">Страница {n}</p>' for n in range(pages))
    css = CSS(string='@page { size: A4 landscape; margin: 12mm 10mm } body { font: 8.5pt "PT Sans", sans-serif }')
    _pdf, wall, cpu = _timed(lambda: HTML(string=f"<html><body>{html}</body></html>").write_pdf(stylesheets=[css]))
    return wall / pages, cpu / pages


def _database_url() -> str:
    s = connection.settings_dict
    auth = s["USER"] + (f":{s['PASSWORD']}" if s.get("PASSWORD") else "")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def _start_workers(count: int) -> list[subprocess.Popen]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ejournal.settings_test",
        "DATABASE_URL": _database_url(),
        "TMPDIR": str(MEDIA),  # settings_test: MEDIA_ROOT = $TMPDIR/ejournal-test-media
        "ARCHIVE_SIGNING_P12": "",
    }
    celery = str(ROOT / ".venv" / "bin" / "celery")
    return [
        subprocess.Popen(
            [
                celery,
                "-A",
                "ejournal",
                "worker",
                "-P",
                "solo",
                "-n",
                f"bench-archive-{n}@%h",
                "-l",
                "warning",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=open(MEDIA / f"worker-{n}.log", "w"),
        )
        for n in range(1, count + 1)
    ]


def _wait_ready(app, count: int, timeout: float = 90.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = app.control.ping(timeout=1.0) or []
        if sum(1 for reply in replies for name in reply if name.startswith("bench-archive-")) >= count:
            return
    raise SystemExit(f"the workers did not answer in {timeout:.0f} s: see {MEDIA}/worker-*.log")


def _stop_workers(workers: list[subprocess.Popen]) -> None:
    for worker in workers:
        worker.send_signal(signal.SIGTERM)
    for worker in workers:
        try:
            worker.wait(timeout=60)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _follow(archive_pk: int, timeout: float) -> float:
    """Print the progress every few seconds until the archive is done or failed; returns the wall time."""
    from archive.choices import ArchiveStatus
    from archive.models import ArchiveYear

    started, shown = time.perf_counter(), None
    while True:
        archive = ArchiveYear.objects.get(pk=archive_pk)
        state = (archive.status, archive.progress_done, archive.progress_total)
        elapsed = time.perf_counter() - started
        if state != shown:
            print(
                f"    {elapsed:7.1f} s  {archive.status:<8} {archive.progress_done}/{archive.progress_total}",
                flush=True,
            )
            shown = state
        if archive.status in (ArchiveStatus.DONE, ArchiveStatus.FAILED):
            if archive.status == ArchiveStatus.FAILED:
                raise SystemExit(f"the archive failed: {archive.error}")
            return elapsed
        if elapsed > timeout:
            raise SystemExit(f"the archive was not done in {timeout:.0f} s")
        time.sleep(2.0)


def run(args) -> dict:
    from django.core.management import call_command

    from accounts.choices import Role
    from accounts.models import User
    from archive.models import ArchiveClass, ArchiveYear
    from archive.render.archive import summary_sheet_pdf
    from archive.render.journal import class_journal_document
    from archive.services.archive import archive_year_start
    from journal.choices import YearStatus
    from journal.models import SchoolClass, SchoolYear, TeachingAssignment
    from reports.access import ReportScope

    use_workers = connection.vendor == "postgresql" and bool(settings.REDIS_URL) and args.workers > 0
    figures: dict = {"pupils": args.pupils}
    with throwaway_database(f"archive-{args.pupils}"):
        school, wall, cpu = _timed(lambda: _seed(args.pupils))
        year = school.year
        SchoolYear.objects.filter(pk=year.pk).update(status=YearStatus.CLOSED)
        year.refresh_from_db()
        total = SchoolClass.objects.filter(year=year).count()
        print(f"--pupils {args.pupils} on {connection.vendor}: seeded {year} to {school.today:%d.%m.%Y} in "
              f"{wall:.0f} s (CPU {cpu:.0f} s); {total} classes")  # fmt: skip
        figures.update(classes_in_school=total, seed_s=round(wall, 1))

        # The PDFs of one class: 7 «А» (the demo's main class) whatever --classes says.
        school_class = (
            SchoolClass.objects.filter(year=year, grade=7).select_related("year__school", "class_teacher").first()
            or SchoolClass.objects.filter(year=year).select_related("year__school", "class_teacher").first()
        )
        admin = User.objects.filter(school=school.school, role=Role.ADMIN).first()
        scope = ReportScope(
            user=admin,
            school=year.school,
            management=True,
            classes=SchoolClass.objects.filter(year=year),
            assignments=TeachingAssignment.objects.filter(school_class__year=year),
        )
        # The first in a process also parses the stylesheets and loads the fonts (a worker does it once for its classes).
        _pdf, cold_wall, cold_cpu = _timed(lambda: summary_sheet_pdf(scope, school_class))
        walls, cpus = [], []
        for _n in range(args.runs):
            _pdf, wall, cpu = _timed(lambda: summary_sheet_pdf(scope, school_class))
            walls.append(wall)
            cpus.append(cpu)
        sheet_wall, sheet_cpu = statistics.median(walls), statistics.median(cpus)
        verdict = " ok" if sheet_wall < TARGETS_S["summary_sheet_pdf"] else " OVER 2 s"
        print(f"  summary sheet PDF/A of {school_class}: median {sheet_wall:.2f} s (CPU {sheet_cpu:.2f}){verdict}; "
              f"the first in the process {cold_wall:.2f} s (CPU {cold_cpu:.2f})")  # fmt: skip
        figures.update(
            summary_sheet_pdf_s=round(sheet_wall, 3),
            summary_sheet_pdf_cpu_s=round(sheet_cpu, 3),
            summary_sheet_pdf_first_s=round(cold_wall, 3),
            summary_sheet_pdf_first_cpu_s=round(cold_cpu, 3),
        )

        def journal():
            document = class_journal_document(school_class)
            return document, document.write_pdf()

        (document, content), wall, cpu = _timed(journal)
        pages = len(document.pages)
        bare_wall, bare_cpu = _bare_pages(pages)
        print(f"  class journal of {school_class} for the year: {wall:.1f} s (CPU {cpu:.1f}), {pages} pages, "
              f"{len(content) // 1024} KB: {wall / pages:.3f} s a page (CPU {cpu / pages:.3f}); a bare page of the "
              f"same size: {bare_wall:.4f} s (CPU {bare_cpu:.4f})")  # fmt: skip
        figures.update(
            journal_pdf_s=round(wall, 2),
            journal_pdf_cpu_s=round(cpu, 2),
            journal_pages=pages,
            journal_s_per_page=round(wall / pages, 4),
            journal_cpu_s_per_page=round(cpu / pages, 4),
            bare_page_s=round(bare_wall, 4),
            bare_page_cpu_s=round(bare_cpu, 4),
        )
        del document, content

        classes = _park_classes_but(year, args.classes or total)
        figures["classes"] = classes
        if use_workers:
            from celery import current_app

            settings.CELERY_TASK_ALWAYS_EAGER = False
            current_app.conf.task_always_eager = False
            current_app.control.purge()
            settings.ARCHIVE_PARALLEL = args.workers
            children_before = _children_cpu()
            workers = _start_workers(args.workers)
            try:
                _wait_ready(current_app, args.workers)
                print(f"  the archive, {args.workers} Celery workers (-P solo), progress (classes + the manifest):")
                own = time.process_time()
                archive = archive_year_start(actor=admin, year=year)
                wall = _follow(archive.pk, args.timeout)
                own = time.process_time() - own
            finally:
                _stop_workers(workers)
            workers_cpu = _children_cpu() - children_before
            mode = f"{args.workers} workers"
        else:
            print("  the archive: Celery workers skipped (they need PostgreSQL and REDIS_URL); built in this process")
            own = time.process_time()
            _archive, wall, _cpu = _timed(lambda: archive_year_start(actor=admin, year=year))
            own, workers_cpu = time.process_time() - own, 0.0
            archive = ArchiveYear.objects.get(year=year)
            mode = "in-process"
        archive.refresh_from_db()
        assert archive.status == "done", archive.error
        rows = list(ArchiveClass.objects.filter(archive=archive))
        class_cpu = sum(row.cpu_seconds or 0 for row in rows)
        by_worker: dict[str, int] = {}
        for row in rows:
            by_worker[row.worker] = by_worker.get(row.worker, 0) + 1
        slowest = max((row.seconds or 0 for row in rows), default=0)
        verdict = " ok" if wall < TARGETS_S["archive"] * classes / 44 else " OVER the target (15 min for 44 classes)"
        print(f"  the archive ({mode}): {wall:.0f} s wall for {classes} classes ({wall / max(classes, 1):.1f} s a "
              f"class){verdict}; CPU: the classes {class_cpu:.0f} s (their rows), the workers {workers_cpu:.0f} s, "
              f"this process {own:.0f} s; slowest class {slowest:.0f} s; classes per worker "
              f"{sorted(by_worker.values(), reverse=True)}; {archive.files.count()} files")  # fmt: skip
        figures.update(
            archive_mode=mode,
            archive_s=round(wall, 1),
            archive_classes_cpu_s=round(class_cpu, 1),
            archive_workers_cpu_s=round(workers_cpu, 1),
            archive_own_cpu_s=round(own, 1),
            archive_files=archive.files.count(),
            archive_classes_per_worker=sorted(by_worker.values(), reverse=True),
        )

        out = StringIO()
        _result, wall, cpu = _timed(lambda: call_command("archive_verify", year=year.name, stdout=out))
        verdict = " ok" if wall < TARGETS_S["verify"] else " OVER 10 s"
        print(f"  archive_verify --year {year.name}: {wall:.2f} s (CPU {cpu:.2f}){verdict}: {out.getvalue().strip()}")
        figures.update(verify_s=round(wall, 2), verify_cpu_s=round(cpu, 2))
    shutil.rmtree(MEDIA, ignore_errors=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=1000, help="pupils in the demo school (default 1000: 44 classes)")
    parser.add_argument("--classes", type=int, default=0, help="archive only the first N classes (default: all)")
    parser.add_argument("--runs", type=int, default=3, help="summary sheets rendered (median)")
    parser.add_argument("--workers", type=int, default=2, help="Celery worker processes (PostgreSQL + REDIS_URL)")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds to wait for the archive")
    parser.add_argument("--quick", action="store_true", help="a small run: --pupils 500 --classes 2 --runs 2")
    args = parser.parse_args()
    if args.quick:
        args.pupils, args.classes, args.runs = 500, args.classes or 2, 2
    print_figures("archive", run(args))


if __name__ == "__main__":
    main()
