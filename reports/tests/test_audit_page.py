"""The control page of the journal (/reports/audit/) and a teacher's drill-down: who sees what, the filters, the
counts per check and the score, sorting, the findings with their links, and the pinned query counts.

The page is tested against throwaway checks registered here (``base.CHECKS`` monkeypatched), so that it does not
depend on the real checks; one test runs with whatever checks are registered.
"""

import datetime as dt
import re
from html import escape

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from conftest import build_foreign_school
from journal.models import Lesson, StudyPeriod
from reports.access import report_scope
from reports.selectors.audit import base
from reports.selectors.audit.base import PLAN, RECORDS, AuditContext, Check, Finding, run_audit
from reports.selectors.audit.summary import AuditRow, score, sort_rows, teacher_summary

D = dt.date
URL = reverse("reports:audit")


@pytest.fixture(autouse=True)
def on_20_november():
    with time_machine.travel(dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC), tick=False):
        yield


def _no_topic(ctx: AuditContext) -> list[Finding]:
    return [ctx.lesson_finding("t_no_topic", lesson, "нет темы урока") for lesson in ctx.lessons if not lesson.topic]


def _no_plan(ctx: AuditContext) -> list[Finding]:
    """Every assignment of 8Б «has no КТП» (a finding without a lesson and without a link)."""
    return [
        Finding(
            check="t_no_plan",
            teacher_id=assignment.teacher_id,
            assignment_id=assignment.pk,
            class_id=assignment.school_class_id,
            text="нет КТП",
        )
        for assignment in ctx.assignments
        if assignment.school_class.letter == "Б"
    ]


NO_TOPIC = Check("t_no_topic", "Без темы (тест)", RECORDS, "002 §4.4.1", _no_topic, "Урок без темы.", weight=1)
NO_PLAN = Check("t_no_plan", "Нет КТП (тест)", PLAN, "001 §3.4.4", _no_plan, "Нет КТП.", weight=2)


@pytest.fixture
def test_checks(monkeypatch):
    from reports.selectors.audit import checks  # noqa: F401 - the real checks register first, into the real list

    monkeypatch.setattr(base, "CHECKS", [NO_PLAN, NO_TOPIC])  # registered out of the page's order on purpose
    return base.CHECKS


@pytest.fixture
def lessons(cast):
    """math_a (teacher, 7А): 4 lessons in November, 1 without a topic; russian_b (classteacher, 8Б): 2 lessons,
    both with a topic; a lesson of December (after today) without a topic is not due."""
    made = [
        Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 9), number=1, topic=""),
        Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 10), number=1, topic="Дроби"),
        Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 11), number=2, topic="Дроби"),
        Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 12), number=1, topic="Дроби"),
        Lesson.objects.create(assignment=cast.russian_b, date=D(2026, 11, 9), number=3, topic="Причастие"),
        Lesson.objects.create(assignment=cast.russian_b, date=D(2026, 11, 10), number=3, topic="Причастие"),
        Lesson.objects.create(assignment=cast.math_a, date=D(2026, 12, 1), number=1, topic=""),
        Lesson.objects.create(assignment=cast.math_a, date=D(2026, 10, 20), number=1, topic=""),  # October
    ]
    return made


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def _rows(response) -> list[str]:
    """The control table's body rows as text."""
    html = response.content.decode()
    body = html.split('class="table table-sm table-bordered table-hover')[1].split("<tbody>")[1].split("</tbody>")[0]
    return [" ".join(re.sub(r"<[^>]+>", " ", row).split()) for row in body.split("</tr>") if row.strip()]


# -- the summary --------------------------------------------------------------------------------------------------


def test_score_definition():
    assert score(0, 0) is None
    assert score(0, 10) == 100
    assert score(1, 4) == 75
    assert score(9, 4) == 0  # clamped
    assert score(2, 0) == 0  # no lesson, a lapse: the divisor is 1


def test_a_check_of_weight_0_is_shown_but_not_a_lapse():
    row = AuditRow(key=1, title="Teacher", lessons=4)
    finding = Finding(check="info", teacher_id=1, assignment_id=None, class_id=None, text="замена")
    row.add(finding, {"info": 0})
    assert (row.counts["info"], row.findings, row.weighted, row.score) == (1, 0, 0, 100)


def test_teacher_summary_counts_lessons_and_weighs_lapses(cast, lessons, test_checks):
    context = AuditContext(scope=report_scope(cast.deputy), start=D(2026, 11, 1), end=D(2026, 11, 30))
    summary = teacher_summary(run_audit(context))
    assert [check.slug for check in summary.checks] == ["t_no_topic", "t_no_plan"]  # the groups' order
    rows = {row.key: row for row in summary.rows}
    assert set(rows) == {cast.teacher.pk, cast.other_teacher.pk, cast.classteacher.pk}
    math = rows[cast.teacher.pk]
    assert (math.lessons, dict(math.counts), math.weighted, math.score) == (4, {"t_no_topic": 1}, 1, 75)
    russian = rows[cast.classteacher.pk]  # 2 lessons, a missing КТП weighing 2: 100 − 100 × 2 / 2
    assert (russian.lessons, dict(russian.counts), russian.score) == (2, {"t_no_plan": 1}, 0)
    physics = rows[cast.other_teacher.pk]  # no lesson, a missing КТП: the divisor is 1
    assert (physics.lessons, physics.score) == (0, 0)
    assert summary.totals.findings == 3 and summary.totals.lessons == 6
    assert [row.key for row in sort_rows(summary.rows, "score", descending=True)][0] == cast.teacher.pk
    assert [row.title for row in sort_rows(summary.rows, "teacher")] == sorted(row.title for row in summary.rows)


def test_substitute_is_charged(cast, lessons, test_checks):
    lesson = lessons[0]
    lesson.taught_by = cast.other_teacher
    lesson.save(update_fields=["taught_by"])
    context = AuditContext(scope=report_scope(cast.deputy), start=D(2026, 11, 1), end=D(2026, 11, 30))
    rows = {row.key: row for row in teacher_summary(run_audit(context)).rows}
    assert rows[cast.other_teacher.pk].lessons == 1 and rows[cast.other_teacher.pk].counts["t_no_topic"] == 1
    assert rows[cast.teacher.pk].lessons == 3 and rows[cast.teacher.pk].score == 100


# -- the control page ---------------------------------------------------------------------------------------------


def test_deputy_sees_the_school_for_the_current_month(client, cast, lessons, test_checks):
    client.force_login(cast.deputy)
    response = client.get(URL)
    assert response.status_code == 200
    text = _text(response)
    assert "ноябрь 2026" in text and "01.11.2026 – 30.11.2026" in text
    assert "Записи об уроках" in text and "КТП и выполнение программы" in text  # the groups
    assert "Без темы (тест)" in text and "Нет КТП (тест)" in text
    assert "Оценка состояния журнала = 100 − 100" in text  # the definition is printed
    rows = _rows(response)
    assert len(rows) == 3
    # Sorted by score, the worst first; ties by name.
    assert rows[0].startswith("Classteacher") and rows[0].endswith("2 0 1 1 0")
    assert rows[1].startswith("Other_teacher") and rows[1].endswith("0 0 1 1 0")
    assert rows[2].startswith("Teacher") and rows[2].endswith("4 1 0 1 75")
    assert 'aria-sort="ascending"' in response.content.decode()
    # Each teacher links to their drill-down with the same filters.
    assert reverse("reports:audit-teacher", args=[cast.teacher.pk]) in response.content.decode()


def test_sorting_by_any_column(client, cast, lessons, test_checks):
    client.force_login(cast.deputy)
    response = client.get(URL, {"sort": "-t_no_topic"})
    html = response.content.decode()
    assert _rows(response)[0].startswith("Teacher")
    assert html.count("aria-sort=") == 1 and 'aria-sort="descending"' in html
    # The sorted column's link sorts the other way; the others sort ascending.
    assert "sort=t_no_topic" in html and "sort=lessons" in html
    by_name = _rows(client.get(URL, {"sort": "teacher"}))
    assert [row.split()[0] for row in by_name] == ["Classteacher", "Other_teacher", "Teacher"]
    assert client.get(URL, {"sort": "no-such-column"}).status_code == 200  # falls back to the default


def test_filters_period_dates_and_errors(client, cast, lessons, test_checks):
    client.force_login(cast.deputy)
    first_quarter = StudyPeriod.objects.get(year=cast.year, kind="quarter", number=1)
    response = client.get(URL, {"period": first_quarter.pk})
    assert response.status_code == 200
    assert _rows(response)[-1].startswith("Teacher") and _rows(response)[-1].endswith("1 1 0 1 0")  # the October lesson
    response = client.get(URL, {"date_from": "2026-11-10", "date_to": "2026-11-12"})
    assert response.status_code == 200 and "с 10.11.2026 по 12.11.2026" in _text(response)
    teacher_row = next(row for row in _rows(response) if row.startswith("Teacher"))
    assert teacher_row.endswith("3 0 0 0 100")
    for bad in (
        {"date_from": "2026-11-10"},
        {"date_from": "2026-11-12", "date_to": "2026-11-10"},
        {"date_from": "вчера", "date_to": "2026-11-10"},
        {"month": "2031-13"},
        {"period": "999999"},
        {"school_class": "x"},
    ):
        response = client.get(URL, bad)
        assert response.status_code == 400, bad
        assert "Проверьте условия проверки" in _text(response)


def test_class_teacher_sees_their_class_only(client, cast, lessons, test_checks):
    client.force_login(cast.classteacher)
    response = client.get(URL)
    assert response.status_code == 200
    rows = _rows(response)
    assert [row.split()[0] for row in rows] == ["Teacher"]  # 7А: only the mathematics teacher
    assert f"Класс: {cast.class_a}" in _text(response)
    # Another class in the query is not theirs: a form error, not the other class.
    assert client.get(URL, {"school_class": cast.class_b.pk}).status_code == 400


def test_the_administration_narrows_to_a_class(client, cast, lessons, test_checks):
    client.force_login(cast.director)
    rows = _rows(client.get(URL, {"school_class": cast.class_b.pk}))
    assert sorted(row.split()[0] for row in rows) == ["Classteacher", "Other_teacher"]


@pytest.mark.parametrize("role", ["teacher", "other_teacher", "pupil_user", "parent_user"])
def test_others_get_404(client, cast, role):
    client.force_login(getattr(cast, role))
    assert client.get(URL).status_code == 404
    assert client.get(reverse("reports:audit-teacher", args=[cast.teacher.pk])).status_code == 404


# -- the drill-down -----------------------------------------------------------------------------------------------


def test_drill_down_lists_every_finding_with_its_link(client, cast, lessons, test_checks):
    client.force_login(cast.deputy)
    response = client.get(reverse("reports:audit-teacher", args=[cast.teacher.pk]))
    assert response.status_code == 200
    text, html = _text(response), response.content.decode()
    assert "Контроль ведения журнала: Teacher А. П." in text
    assert "09.11.2026, 1 урок: нет темы урока" in text
    context = AuditContext(scope=report_scope(cast.deputy), start=D(2026, 11, 1), end=D(2026, 11, 30))
    (finding,) = [f for f in run_audit(context).findings if f.teacher_id == cast.teacher.pk]
    assert finding.url and f'href="{escape(finding.url)}"' in html  # the link into the journal the finding gives
    assert f"{cast.class_a} · {cast.math_a.subject}:" in text
    assert "Открыть в журнале" in text
    assert "20.10.2026" not in text and "01.12.2026" not in text  # outside the month, not yet due
    assert "Оценка: 75" in text


def test_drill_down_without_links_and_for_a_class_teacher(client, cast, lessons, test_checks):
    client.force_login(cast.deputy)
    response = client.get(reverse("reports:audit-teacher", args=[cast.other_teacher.pk]))
    assert f"{cast.class_b} · {cast.physics_b.subject}: нет КТП" in _text(response)
    client.force_login(cast.classteacher)
    assert client.get(reverse("reports:audit-teacher", args=[cast.teacher.pk])).status_code == 200
    # A teacher who does not teach in the class teacher's class: 404.
    assert client.get(reverse("reports:audit-teacher", args=[cast.other_teacher.pk])).status_code == 404


def test_drill_down_404s(client, cast):
    foreign_school = build_foreign_school(cast)
    client.force_login(cast.deputy)
    assert client.get(reverse("reports:audit-teacher", args=[cast.pupil_user.pk])).status_code == 404
    assert client.get(reverse("reports:audit-teacher", args=[foreign_school.teacher.pk])).status_code == 404
    assert client.get(reverse("reports:audit-teacher", args=[999999])).status_code == 404


# -- with the real checks, and the query counts -------------------------------------------------------------------


def test_page_runs_with_every_registered_check(client, cast, lessons):
    """Whatever checks are registered, the pages answer 200 and name every check."""
    from reports.selectors.audit import checks  # noqa: F401

    client.force_login(cast.deputy)
    response = client.get(URL)
    assert response.status_code == 200
    for check in base.CHECKS:
        assert check.title in response.content.decode()
    assert client.get(URL, {"sort": "-score"}).status_code == 200
    response = client.get(reverse("reports:audit-teacher", args=[cast.teacher.pk]))
    assert response.status_code == 200


def _count(client, url, query=None) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, query or {}).status_code == 200
    return len(queries)


# The page's own queries (session, user, the form's selects, the scope), with the throwaway checks reading only
# the assignments and the lessons: the count does not grow with the school.
CONTROL_QUERIES = 11
TEACHER_QUERIES = 12


def test_query_counts_are_pinned(client, cast, lessons, test_checks):
    client.force_login(cast.deputy)
    control = _count(client, URL)
    teacher = _count(client, reverse("reports:audit-teacher", args=[cast.teacher.pk]))
    # More teachers, classes and lessons: the same count.
    for day in range(16, 20):
        Lesson.objects.create(assignment=cast.physics_b, date=D(2026, 11, day), number=2, topic="")
        Lesson.objects.create(assignment=cast.russian_b, date=D(2026, 11, day), number=4, topic="")
    assert _count(client, URL) == control
    assert _count(client, reverse("reports:audit-teacher", args=[cast.teacher.pk])) == teacher
    assert (control, teacher) == (CONTROL_QUERIES, TEACHER_QUERIES)


def test_links_to_the_control_page(client, cast):
    client.force_login(cast.deputy)
    assert f'href="{URL}"' in client.get(reverse("reports:index")).content.decode()
    client.force_login(cast.classteacher)  # the menu's «Мой класс»
    assert f'href="{URL}"' in client.get(reverse("reports:index")).content.decode()
    client.force_login(cast.teacher)
    assert f'href="{URL}"' not in client.get(reverse("reports:index")).content.decode()
