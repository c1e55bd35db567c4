"""Benchmark the control page of the journal (/reports/audit/) on the demo school of ``--pupils`` pupils (1000 by
default: 44 classes).

    .venv/bin/python bench/audit.py
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres .venv/bin/python bench/audit.py
    .venv/bin/python bench/audit.py --runs 9 --profile control   # plus the profiles of one page

Builds the demo school (``manage.py seed_demo --pupils N``) on a throwaway database, then, as the school's deputy
head through the Django test Client (the real views, filters and access checks, every registered check), prints for
each HTML page of the audit (``reports/urls.py``: /reports/audit/…) the median wall time and the application CPU
(this process) over ``--runs`` requests, on PostgreSQL the database backend's CPU per request (bench/common.py
DatabaseCpu, read from /proc around a series), its queries and their time, and its size:

- the floor: a plain signed-in page (the profile), measured the same way;
- the whole school's control page for a month (the last whole month before today; target < 2 s) and for the first
  quarter (the thorough check at a period's end: the project's rule is that anything over a second of CPU runs as a
  Celery job, so it is held under 1 s of CPU);
- a teacher's drill-down for the month (the teacher with the most findings; target < 300 ms);
- a class teacher's page for their class for the month;
- the audit's settings, the weekly remarks (the school's table and a teacher's), the справки (the list, a sent one,
  a draft's edit page) and a new справка's page for the month and for the quarter (it runs the same audit);

then each page's (CPU − its database part) over the floor's (issue 14: at most 2× the floor plus the page's own
query time; the audit of a whole school is not a plain page and is far over it: its target is the second); and the
weekly remarks task for the whole school (``record_weekly_remarks`` for last week; target < 10 s), each timed run
rolled back so that it records the week's remarks, and a second run that creates nothing. ``--profile PAGE`` adds
a cProfile and a pyinstrument profile of one page (a prefix of its label: control, teacher, statement, …) or of the
remarks task (remarks).

The database is an SQLite file under /tmp or, with DATABASE_URL, a throwaway PostgreSQL database created and dropped
on that server; the development database is never touched. Settings: ejournal.settings_test (DEBUG off, as in
production). The last line is the figures as JSON.
"""

import argparse
import datetime as dt
import time
from collections import Counter
from io import StringIO

from common import (  # first: sets Django up
    DatabaseCpu,
    Timing,
    floor_ratios,
    measure_page,
    print_figures,
    profile_call,
    pyinstrument_call,
    query_count,
    throwaway_database,
)
from django.core.management import call_command
from django.db import connection, transaction
from django.test import Client
from django.urls import reverse

from accounts.choices import Role
from accounts.models import User
from journal.lock import school_today
from journal.models import SchoolClass, StudyPeriod
from reports.access import report_scope
from reports.models import AuditRemark, AuditStatement
from reports.selectors.audit import base
from reports.selectors.audit.base import AuditContext, run_audit
from reports.selectors.audit.summary import teacher_summary
from reports.services.remarks import record_weekly_remarks
from reports.services.statements import statement_create

TARGETS_MS = {"control_month": 2000, "teacher_month": 300}


def _month(year, today: dt.date) -> str:
    """The last whole month before today within the year; the year's first month if none."""
    first = today.replace(day=1)
    previous = (first - dt.timedelta(days=1)).replace(day=1)
    if year.start_date <= previous <= year.end_date:
        return f"{previous:%Y-%m}"
    return f"{year.start_date:%Y-%m}"


def run(pupils: int, runs: int, profile: str | None) -> dict:
    with throwaway_database(f"audit-{pupils}") as _migrated:
        started = time.perf_counter()
        call_command("seed_demo", pupils=pupils, stdout=StringIO())
        print(f"--pupils {pupils} on {connection.vendor}: seeded in {time.perf_counter() - started:.1f} s")
        deputy = User.objects.filter(role=Role.DEPUTY).first()
        classes = list(SchoolClass.objects.select_related("year", "class_teacher").order_by("grade", "letter"))
        school_class = next((c for c in classes if c.grade == 7 and c.class_teacher_id), classes[0])
        year = school_class.year
        today = school_today(deputy.school)
        month = _month(year, today)
        quarter = StudyPeriod.objects.get(year=year, kind="quarter", number=1)
        scope = report_scope(deputy)

        # The teacher of the drill-down: the one with the most findings in the month (and the run's own figures).
        first_day = dt.date.fromisoformat(f"{month}-01")
        last_day = (first_day + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)
        result = run_audit(AuditContext(scope=scope, start=first_day, end=last_day, today=today))
        per_teacher = Counter(f.teacher_id for f in result.findings if f.teacher_id)
        teacher_id = per_teacher.most_common(1)[0][0] if per_teacher else result.context.assignments[0].teacher_id
        print(
            f"  checks: {len(base.CHECKS)}; classes: {len(classes)}; month {month}: {len(result.context.lessons)} "
            f"lessons, {len(result.findings)} findings; drill-down teacher #{teacher_id} ({per_teacher[teacher_id]})"
        )
        by_check = Counter(f.check for f in result.findings)
        print("  findings by check: " + ", ".join(f"{slug} {count}" for slug, count in sorted(by_check.items())))
        # Where the month's audit spends its time: each check in the registry's order on a fresh context (the
        # first check to use a shared read pays for it), then the page's own summary of the findings.
        context = AuditContext(scope=scope, start=first_day, end=last_day, today=today)
        spent: dict[str, tuple[float, int]] = {}
        for check in base.CHECKS:
            started_cpu = time.process_time()
            count = query_count(lambda check=check: check.run(context))
            spent[check.slug] = ((time.process_time() - started_cpu) * 1000, count)
        started_cpu = time.process_time()
        teacher_summary(result)
        summary_ms = (time.process_time() - started_cpu) * 1000
        slowest = sorted(spent.items(), key=lambda item: -item[1][0])
        print(
            "  CPU per check (ms, queries): "
            + ", ".join(f"{slug} {ms:.0f} ({count})" for slug, (ms, count) in slowest)
            + f"; the page's summary {summary_ms:.0f}"
        )

        client = Client(HTTP_HOST="localhost")
        client.force_login(deputy)
        class_client = Client(HTTP_HOST="localhost")
        class_client.force_login(school_class.class_teacher)
        database = DatabaseCpu()  # the PostgreSQL backend's CPU per request, beside this process's
        figures: dict = {"pupils": pupils, "classes": len(classes), "checks": len(base.CHECKS)}
        figures["month_lessons"] = len(result.context.lessons)
        figures["month_findings"] = len(result.findings)
        figures["summary_cpu_ms"] = round(summary_ms, 1)
        figures.update({f"check_{slug}_cpu_ms": round(ms, 1) for slug, (ms, _count) in spent.items()})
        measure_page(client, database, "floor", reverse("accounts:profile"), {}, runs * 4, figures, width=22, size=True)

        control = reverse("reports:audit")
        remarked = AuditRemark.objects.filter(school=deputy.school).values_list("teacher_id", flat=True).first()
        # A draft справка of the deputy's (the demo's are sent; a sent one is not edited): made by the service.
        draft = statement_create(actor=deputy, start=first_day, end=last_day)
        sent = AuditStatement.objects.filter(school=deputy.school, sent_at__isnull=False).order_by("-number").first()
        pages = {
            "control_month": (client, control, {"month": month}),
            "control_quarter": (client, control, {"period": quarter.pk}),
            "teacher_month": (client, reverse("reports:audit-teacher", args=[teacher_id]), {"month": month}),
            "class_month": (class_client, control, {"month": month}),
            "audit_settings": (client, reverse("reports:audit-settings"), {}),
            "remarks": (client, reverse("reports:audit-remarks"), {}),
            "statements": (client, reverse("reports:audit-statements"), {}),
            "statement_new_month": (client, reverse("reports:audit-statement-new"), {"month": month}),
            "statement_new_quarter": (client, reverse("reports:audit-statement-new"), {"period": quarter.pk}),
            "statement_edit": (client, reverse("reports:audit-statement-edit", args=[draft.pk]), {}),
        }
        if remarked is not None:
            pages["remarks_teacher"] = (client, reverse("reports:audit-remarks-teacher", args=[remarked]), {})
        if sent is not None:
            pages["statement"] = (client, reverse("reports:audit-statement", args=[sent.pk]), {})
        for label, (who, url, query) in pages.items():
            measure_page(
                who, database, label, url, query, runs, figures, target=TARGETS_MS.get(label), width=22, size=True
            )
            if profile and label.startswith(profile):
                profile_call(label, lambda who=who, url=url, query=query: who.get(url, query), "reports|journal")
                pyinstrument_call(label, lambda who=who, url=url, query=query: who.get(url, query), 3)
        floor_ratios(figures, ["floor", *pages], width=22)

        # The weekly remarks task for the whole school (target < 10 s): each timed run is rolled back, so that every
        # one is Monday's first run (it records the week's remarks); then, committed, a second run (creates nothing).
        school = deputy.school
        # The demo has already recorded the last two weeks (reports.demo): the scratch school starts again without them,
        # so that the timed run is the week's first and records what it finds.
        AuditRemark.objects.filter(school=school).delete()

        def record(_n):
            with transaction.atomic():
                done = record_weekly_remarks(school=school, today=today)
                transaction.set_rollback(True)
            return done

        remarks_runs = max(1, min(runs, 3))  # several seconds each
        recorded = record(0)
        timing = Timing(record, remarks_runs)
        count = query_count(lambda: record(0))
        verdict = " ok" if timing.wall < 10_000 else " OVER 10000 ms"
        print(
            f"  remarks_task       median {timing.wall / 1000:.2f} s (CPU {timing.cpu / 1000:.2f} s) "
            f"{count:4d} queries, week of {recorded.week:%d.%m.%Y}: {recorded.created} remarks{verdict}"
        )
        record_weekly_remarks(school=school, today=today)
        again = Timing(lambda _n: record_weekly_remarks(school=school, today=today), 1)
        print(f"  remarks_task again {again.wall / 1000:.2f} s (CPU {again.cpu / 1000:.2f} s): nothing new")
        if profile == "remarks":
            profile_call("remarks", lambda: record(0), "reports|journal")
        figures["remarks_task_s"] = round(timing.wall / 1000, 2)
        figures["remarks_task_cpu_s"] = round(timing.cpu / 1000, 2)
        figures["remarks_task_queries"] = count
        figures["remarks_created"] = recorded.created
        figures["remarks_again_s"] = round(again.wall / 1000, 2)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pupils", type=int, default=1000, help="pupils in the demo school (default 1000)")
    parser.add_argument("--runs", type=int, default=7, help="requests per page (median)")
    parser.add_argument(
        "--profile",
        metavar="PAGE",
        help="profile one page (a prefix of its label: control, teacher, class, statement…) or the task: remarks",
    )
    args = parser.parse_args()
    print_figures("audit", run(args.pupils, args.runs, args.profile))


if __name__ == "__main__":
    main()
