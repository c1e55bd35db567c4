"""Every HTML page of the reports and the audit (each GET of ``reports/urls.py`` that answers with a page) with its
query count pinned, as the deputy opens it on the 7 «А» of ``build_class`` (issue 14: «pin every query count»).

The counts are exact (the number, not a ceiling): a page that gains a query fails here, whatever its size. The
audit's pages run every registered check over November, so their counts include each check's one read for the whole
scope (see docs/audit.md, «Speed and queries»). Downloads (XLSX, PDF) and the POST-only URLs are not pages.
"""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from journal.models import StudyPeriod
from reports.choices import JobStatus
from reports.models import ReportJob

from .matrix_reports import _statement
from .test_results import build_class

# The URL names of the reports that are not an HTML page: a download, or POST only.
NOT_PAGES = {
    "reports:job_download",
    "reports:audit-statement-pdf",
    "reports:audit-remarks-refresh",
    "reports:audit-statement-send",
    "reports:audit-statement-ack",
    "reports:audit-statement-correct",
}

# name → the queries of one request as the deputy (the session, the user with the school and the menu's badge are
# in each: the floor's own).
PAGE_QUERIES = {
    "reports:index": 4,
    "reports:settings": 4,
    "reports:job": 4,
    "reports:results": 19,
    "reports:school-results": 17,
    "reports:summary-sheet": 15,
    "reports:class-teacher": 25,
    "reports:preliminary": 15,
    "reports:mark-divergence": 16,
    "reports:final-data": 14,
    "reports:attendance": 11,
    "reports:attendance-months": 12,
    "reports:class-sizes": 8,
    "reports:movement": 7,
    "reports:activity": 16,
    "reports:audit": 29,
    "reports:audit-teacher": 29,
    "reports:audit-settings": 4,
    "reports:audit-remarks": 4,
    "reports:audit-remarks-teacher": 5,
    "reports:audit-statements": 5,
    "reports:audit-statement-new": 29,
    "reports:audit-statement": 6,
    "reports:audit-statement-edit": 5,
}


def _deputys_job(cast) -> ReportJob:
    return ReportJob.objects.create(
        school=cast.school, report="results", fmt="xlsx", title="Итоги успеваемости", requested_by=cast.deputy,
        status=JobStatus.RUNNING, progress_done=3, progress_total=10,
    )  # fmt: skip


@pytest.fixture
def on_2_december():
    with time_machine.travel(dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def pages(cast, on_2_december):
    """name → (the URL, its query) of every page, on the data of ``build_class`` (7 «А» in the 1st quarter)."""
    built = build_class(cast)
    q1 = StudyPeriod.objects.get(year=cast.year, kind="quarter", number=1)
    in_class = {"year": cast.year.pk, "school_class": cast.class_a.pk}
    in_quarter = {**in_class, "period": q1.pk}
    year = {"year": cast.year.pk}
    november = {"month": "2026-11"}
    assert built
    return {
        "reports:index": ({}, []),
        "reports:settings": ({}, []),
        "reports:job": ({}, [_deputys_job(cast).pk]),
        "reports:results": (in_quarter, []),
        "reports:school-results": ({**year, "period": q1.pk}, []),
        "reports:summary-sheet": (in_class, []),
        "reports:class-teacher": (in_quarter, []),
        "reports:preliminary": (in_class, []),
        "reports:mark-divergence": ({**year, "period": q1.pk}, []),
        "reports:final-data": (year, []),
        "reports:attendance": (in_quarter, []),
        "reports:attendance-months": (year, []),
        "reports:class-sizes": (year, []),
        "reports:movement": (year, []),
        "reports:activity": (year, []),
        "reports:audit": (november, []),
        "reports:audit-teacher": (november, [cast.teacher.pk]),
        "reports:audit-settings": ({}, []),
        "reports:audit-remarks": ({}, []),
        "reports:audit-remarks-teacher": ({}, [cast.teacher.pk]),
        "reports:audit-statements": ({}, []),
        "reports:audit-statement-new": (november, []),
        "reports:audit-statement": ({}, [_statement(cast).pk]),
        "reports:audit-statement-edit": ({}, [_statement(cast, sent=False).pk]),
    }


def test_every_page_is_pinned():
    """Each URL name of the reports is a pinned page or one of the downloads and POST-only URLs."""
    assert _report_names() - NOT_PAGES == set(PAGE_QUERIES)


def _report_names() -> set[str]:
    from reports import urls

    names: set[str] = set()

    def walk(patterns, prefix):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns, prefix)
            elif pattern.name:
                names.add(f"{prefix}:{pattern.name}")

    walk(urls.urlpatterns, urls.app_name)
    return names


def test_page_query_counts(client, cast, pages):
    """Each page's queries on its second request (the first warms the session and the caches), all at once so
    that a change shows every page it moves."""
    client.force_login(cast.deputy)
    counts = {}
    for name, (query, args) in pages.items():
        url = reverse(name, args=args)
        assert client.get(url, query).status_code == 200, name
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, query)
        assert response.status_code == 200, (name, response.content[-600:])
        counts[name] = len(queries)
    assert counts == PAGE_QUERIES
