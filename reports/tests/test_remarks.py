"""Weekly remarks (reports/services/remarks.py): a lapse recorded by Monday's run, nothing new on a second run, the
remark closed by the run after the lapse is fixed (across a weekend, the autumn holidays and a public holiday), a
clean week records nothing, the beat task and the school's time zone, the history rows, the pages and who sees
them, and the pinned query counts."""

import datetime as dt
import re

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import School
from conftest import build_foreign_school
from journal.choices import DayKind
from journal.models import CalendarDay, Homework, Lesson, Mark, PlanTopic, Vacation
from journal.services.journal import lesson_record_set
from reports import tasks
from reports.models import AuditRemark
from reports.selectors.remarks import open_remarks, recent_weeks, remarks_table, teacher_remarks
from reports.services.remarks import (
    audited_week,
    close_fixed_remarks,
    record_weekly_remarks,
    remark_checks,
    schools_remarks_record,
)

D = dt.date
MSK = dt.timezone(dt.timedelta(hours=3))


def at(day: dt.date, hour: int = 6) -> dt.datetime:
    """A moment of a day in Moscow (the cast's school)."""
    return dt.datetime.combine(day, dt.time(hour), tzinfo=MSK)


def lesson(assignment, day, number=1, topic="Тема", homework="№ 1"):
    """A lesson of the day (the register taken: ``attendance_taken_at``), with a topic and homework unless told."""
    row = Lesson.objects.create(
        assignment=assignment, date=day, number=number, topic=topic, attendance_taken_at=at(day, 9)
    )
    if homework:
        Homework.objects.create(lesson=row, text=homework, updated_by=assignment.teacher)
    return row


@pytest.fixture
def clean(cast):
    """A school without lapses: every assignment has its КТП, and two marks for each pupil in the first quarter
    (lessons with topics and homework); the autumn holidays (24.10–01.11) and 4 November are in the calendar."""
    for assignment, pupil in ((cast.math_a, cast.pupil), (cast.physics_b, cast.other_pupil),
                              (cast.russian_b, cast.other_pupil)):  # fmt: skip
        PlanTopic.objects.create(assignment=assignment, order=1, title="Раздел 1", hours=60)
        for day in (D(2026, 9, 7), D(2026, 10, 5)):
            row = lesson(assignment, day)
            Mark.objects.create(lesson=row, pupil=pupil, value="5", updated_by=assignment.teacher)
    Vacation.objects.create(
        year=cast.year, name="Осенние каникулы", start_date=D(2026, 10, 24), end_date=D(2026, 11, 1)
    )
    CalendarDay.objects.create(
        year=cast.year, date=D(2026, 11, 4), kind=DayKind.HOLIDAY, name="День народного единства"
    )
    return cast


def run(school: School, day: dt.date):
    """The weekly run as the beat makes it, on a Monday at 06:00 in Moscow."""
    with time_machine.travel(at(day), tick=False):
        return record_weekly_remarks(school=school)


def test_remark_checks_are_the_fixable_lapses():
    slugs = {check.slug for check in remark_checks()}
    assert {"no_topic", "no_homework", "control_unmarked", "few_marks", "plan_missing"} <= slugs
    assert not slugs & {"late_record", "late_homework", "late_marks", "lesson_replaced", "period_mark_late"}


def test_audited_week_is_the_week_before():
    assert audited_week(D(2026, 10, 26)) == (D(2026, 10, 19), D(2026, 10, 25))
    assert audited_week(D(2026, 10, 27)) == (D(2026, 10, 19), D(2026, 10, 25))  # Tuesday: the same week
    assert audited_week(D(2026, 11, 1)) == (D(2026, 10, 19), D(2026, 10, 25))  # Sunday


def test_lapse_recorded_once_then_closed_when_fixed(clean):
    cast = clean
    bare = lesson(cast.math_a, D(2026, 10, 23), topic="")  # Friday, the quarter's last day: no topic

    first = run(cast.school, D(2026, 10, 26))  # Monday of the holidays

    assert (first.week, first.created, first.closed) == (D(2026, 10, 19), 1, 0)
    remark = AuditRemark.objects.get()
    assert (remark.teacher_id, remark.check_slug, remark.key) == (cast.teacher.pk, "no_topic", f"no_topic:l{bare.pk}")
    assert (remark.lesson_id, remark.assignment_id, remark.day, remark.week) == (
        bare.pk, cast.math_a.pk, D(2026, 10, 23), D(2026, 10, 19),
    )  # fmt: skip
    assert remark.text == "23.10.2026, 1 урок: нет темы урока"
    assert remark.url.startswith(f"/journal/grid/lessons/{bare.pk}/")
    assert remark.is_open and remark.opened_at == at(D(2026, 10, 26))
    # The history keeps the creation.
    assert list(remark.history.values_list("history_type", flat=True)) == ["+"]

    again = run(cast.school, D(2026, 10, 26))  # a second run: nothing new
    assert (again.created, again.closed) == (0, 0)
    assert AuditRemark.objects.count() == 1

    # A week of holidays: still open (the topic is still missing), nothing new.
    holidays = run(cast.school, D(2026, 11, 2))
    assert (holidays.week, holidays.created, holidays.closed) == (D(2026, 10, 26), 0, 0)
    assert AuditRemark.objects.get().is_open

    # The teacher enters the topic on Thursday, after the public holiday of 4 November.
    with time_machine.travel(at(D(2026, 11, 5), 15), tick=False):
        lesson_record_set(actor=cast.teacher, lesson=bare, topic="Повторение")

    fixed = run(cast.school, D(2026, 11, 9))  # the next Monday, across the weekend

    assert (fixed.week, fixed.created, fixed.closed) == (D(2026, 11, 2), 0, 1)
    remark.refresh_from_db()
    assert remark.closed_at == at(D(2026, 11, 9))
    assert list(remark.history.order_by("history_date").values_list("history_type", flat=True)) == ["+", "~"]
    assert AuditRemark.objects.count() == 1  # never deleted
    # The same lapse again later is a new remark (the closed one stays as it was).
    Lesson.objects.filter(pk=bare.pk).update(topic="")
    assert run(cast.school, D(2026, 11, 9)).created == 0  # out of the dates audited: the lapse is older
    assert AuditRemark.objects.filter(closed_at__isnull=True).count() == 0


def test_clean_week_records_nothing(clean):
    lesson(clean.math_a, D(2026, 10, 21))
    lesson(clean.russian_b, D(2026, 10, 22))
    result = run(clean.school, D(2026, 10, 26))
    assert (result.created, result.closed) == (0, 0)
    assert not AuditRemark.objects.exists()


def test_several_lapses_per_teacher_and_a_plan_missing(clean):
    cast = clean
    lesson(cast.math_a, D(2026, 10, 20), topic="", homework="")  # no topic, no homework
    lesson(cast.russian_b, D(2026, 10, 21), homework="")  # no homework
    PlanTopic.objects.filter(assignment=cast.physics_b).delete()  # no КТП

    result = run(cast.school, D(2026, 10, 26))

    remarks = {(r.teacher_id, r.check_slug) for r in AuditRemark.objects.all()}
    assert remarks == {
        (cast.teacher.pk, "no_topic"),
        (cast.teacher.pk, "no_homework"),
        (cast.classteacher.pk, "no_homework"),
        (cast.other_teacher.pk, "plan_missing"),
    }
    assert result.created == 4
    # The КТП arrives: that remark closes at the next run; the others stay open.
    PlanTopic.objects.create(assignment=cast.physics_b, order=1, title="Раздел 1", hours=60)
    assert run(cast.school, D(2026, 11, 2)).closed == 1
    assert AuditRemark.objects.filter(closed_at__isnull=True).count() == 3


def test_few_marks_of_an_ended_quarter_closes_when_the_marks_are_added(clean):
    """A period's lapse is checked against its period after the period has ended (the next quarter has begun)."""
    cast = clean
    Mark.objects.filter(pupil=cast.pupil).delete()  # math in 7А: the pupil has no mark in the first quarter
    result = run(cast.school, D(2026, 10, 26))
    (remark,) = AuditRemark.objects.filter(check_slug="few_marks")
    assert result.created == 1 and remark.teacher_id == cast.teacher.pk and remark.day == D(2026, 10, 23)
    assert run(cast.school, D(2026, 11, 9)).closed == 0  # the second quarter: the first one's lapse stands
    for row in Lesson.objects.filter(assignment=cast.math_a, date__lt=D(2026, 10, 24)):
        Mark.objects.create(lesson=row, pupil=cast.pupil, value="4", updated_by=cast.teacher)
    assert run(cast.school, D(2026, 11, 16)).closed == 1


def test_close_fixed_remarks_before_monday(clean):
    cast = clean
    bare = lesson(cast.math_a, D(2026, 10, 22), topic="")
    run(cast.school, D(2026, 10, 26))
    with time_machine.travel(at(D(2026, 10, 28), 12), tick=False):
        assert close_fixed_remarks(school=cast.school) == 0
        lesson_record_set(actor=cast.teacher, lesson=bare, topic="Дроби")
        assert close_fixed_remarks(school=cast.school) == 1
    assert not AuditRemark.objects.filter(closed_at__isnull=True).exists()


# -- the beat task and time zones ---------------------------------------------------------------------------------


def test_beat_task_follows_the_school_time_zone(clean):
    """Sunday 22:00 UTC is Monday 08:00 in Vladivostok (its week is recorded) and Monday 01:00 in Moscow (not yet)."""
    cast = clean
    far = School.objects.create(name="Школа во Владивостоке", short_name="СОШ ДВ", time_zone="Asia/Vladivostok")
    lesson(cast.math_a, D(2026, 10, 23), topic="")
    with time_machine.travel(dt.datetime(2026, 10, 25, 22, 0, tzinfo=dt.UTC), tick=False):
        done = schools_remarks_record()
    assert [(run.school_id, run.week) for run in done] == [(far.pk, D(2026, 10, 19))]  # the far school only
    assert not AuditRemark.objects.exists()
    with time_machine.travel(dt.datetime(2026, 10, 26, 3, 0, tzinfo=dt.UTC), tick=False):  # 06:00 in Moscow
        assert tasks.record_weekly_remarks.delay().get() == 1  # both Moscow schools (the other one has no lapse)
        assert tasks.record_weekly_remarks.delay().get() == 0  # the week is claimed: nothing again
    assert AuditRemark.objects.get().school_id == cast.school.pk
    with time_machine.travel(dt.datetime(2026, 10, 28, 3, 0, tzinfo=dt.UTC), tick=False):  # Wednesday: no run
        assert schools_remarks_record() == []


def test_beat_query_count_is_small_for_schools_not_due(cast):
    with time_machine.travel(dt.datetime(2026, 10, 28, 3, 0, tzinfo=dt.UTC), tick=False):
        with CaptureQueriesContext(connection) as queries:
            schools_remarks_record()
    assert len(queries) == 1  # the schools: nobody's Monday


# -- query counts -------------------------------------------------------------------------------------------------


def _count(school, day) -> int:
    with time_machine.travel(at(day), tick=False):
        with CaptureQueriesContext(connection) as queries:
            record_weekly_remarks(school=school)
    return len(queries)


def test_query_count_does_not_grow_with_lessons(clean):
    cast = clean
    lesson(cast.math_a, D(2026, 10, 20), topic="")
    first = _count(cast.school, D(2026, 10, 26))
    for number, day in enumerate((D(2026, 10, 19), D(2026, 10, 21), D(2026, 10, 22), D(2026, 10, 23)), start=2):
        lesson(cast.math_a, day, number=number, topic="")
        lesson(cast.russian_b, day, number=number, topic="", homework="")
    second = _count(cast.school, D(2026, 10, 26))
    assert AuditRemark.objects.count() == 1 + 4 + 8
    assert second == first
    # The savepoint and its release, the school (locked), the audit settings, the open remarks; the audit's reads
    # (assignments, grades' settings, study periods, kinds of work, marks, exemptions, class lists, lessons, the plan's
    # hours, the lessons with homework); the remarks and their history rows (one INSERT each).
    assert first == 17


# -- the selectors and the pages ----------------------------------------------------------------------------------


@pytest.fixture
def recorded(clean):
    """Remarks of two weeks: math (teacher) one closed and one open; russian (classteacher) one open."""
    cast = clean
    fixed = lesson(cast.math_a, D(2026, 10, 20), topic="")
    lesson(cast.math_a, D(2026, 10, 28), topic="")
    lesson(cast.russian_b, D(2026, 10, 29), homework="")
    run(cast.school, D(2026, 10, 26))
    Lesson.objects.filter(pk=fixed.pk).update(topic="Дроби")
    run(cast.school, D(2026, 11, 2))
    return cast


@pytest.fixture(autouse=False)
def in_november():
    with time_machine.travel(at(D(2026, 11, 5), 12), tick=False):
        yield


def _text(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def test_selectors(recorded, in_november):
    cast = recorded
    mine = open_remarks(cast.teacher)
    assert [r.day for r in mine] == [D(2026, 10, 28)] and mine[0].check_title == "Без темы"
    assert mine[0].place == "7 «А» · Математика"
    everything = teacher_remarks(cast.teacher)
    assert [r.is_open for r in everything] == [True, False]  # open first
    weeks = recent_weeks(D(2026, 11, 5))
    assert weeks[-1] == D(2026, 10, 26) and len(weeks) == 8
    rows = {row.teacher.pk: row for row in remarks_table(cast.school, weeks)}
    assert rows[cast.teacher.pk].weeks == {D(2026, 10, 19): (0, 1), D(2026, 10, 26): (1, 0)}
    assert (rows[cast.teacher.pk].open, rows[cast.teacher.pk].closed) == (1, 1)
    assert rows[cast.classteacher.pk].weeks == {D(2026, 10, 26): (1, 0)}
    assert cast.other_teacher.pk not in rows


def test_teacher_sees_own_remarks(client, recorded, in_november):
    cast = recorded
    client.force_login(cast.teacher)
    response = client.get(reverse("reports:audit-remarks"))
    assert response.status_code == 200
    text = _text(response)
    assert "Мои замечания по ведению журнала" in text
    assert "28.10.2026, 1 урок: нет темы урока" in text and "20.10.2026, 1 урок: нет темы урока" in text
    assert "29.10.2026" not in text  # the class teacher's remark is not theirs
    assert "Открытых: 1 · снятых: 1" in text
    assert "Исправить" in text


def test_home_include_lists_open_remarks(recorded, in_november):
    from django.template.loader import render_to_string

    html = render_to_string("reports/audit/_home_remarks.html", {"open_remarks": open_remarks(recorded.teacher)})
    assert "28.10.2026, 1 урок: нет темы урока" in html and "20.10.2026" not in html
    assert reverse("reports:audit-remarks") in html
    assert "Открытых замечаний нет." in render_to_string("reports/audit/_home_remarks.html", {"open_remarks": []})


def test_deputy_sees_the_table_and_a_teacher(client, recorded, in_november, django_assert_num_queries):
    cast = recorded
    client.force_login(cast.deputy)
    client.get(reverse("reports:audit-remarks"))  # warm the session
    # The session, the user with the school, the counts per teacher and week, the teachers; the menu's unread messages.
    with django_assert_num_queries(5):
        response = client.get(reverse("reports:audit-remarks"))
    assert response.status_code == 200
    text = _text(response)
    assert "19.10" in text and "26.10" in text
    assert "Teacher А. П. — — — — — — 0 / 1 1 / 0 1 / 1" in text  # the weeks 19.10 and 26.10, then in all
    assert "Classteacher А. П. — — — — — — — 1 / 0 1 / 0" in text
    assert "Other_teacher" not in text
    drill = client.get(reverse("reports:audit-remarks-teacher", args=[cast.teacher.pk]))
    assert drill.status_code == 200
    assert "28.10.2026, 1 урок: нет темы урока" in _text(drill)


def test_access(client, recorded, in_november):
    cast = recorded
    foreign = build_foreign_school(cast)
    url = reverse("reports:audit-remarks")
    drill = reverse("reports:audit-remarks-teacher", args=[cast.teacher.pk])
    assert client.get(url).status_code == 302 and client.get(drill).status_code == 302  # anonymous: to log in
    for user in (cast.pupil_user, cast.parent_user):
        client.force_login(user)
        assert client.get(url).status_code == 404 and client.get(drill).status_code == 404
    client.force_login(cast.other_teacher)  # a teacher it does not concern: their own (empty) list; no drill-down
    response = client.get(url)
    assert response.status_code == 200 and "нет темы урока" not in _text(response)
    assert client.get(drill).status_code == 404
    client.force_login(cast.classteacher)
    assert client.get(drill).status_code == 404
    for user in (foreign.deputy, foreign.admin):  # another school's administration: their own table, not ours
        client.force_login(user)
        response = client.get(url)
        assert response.status_code == 200 and "Teacher" not in _text(response)
        assert client.get(drill).status_code == 404
    client.force_login(cast.director)
    assert client.get(drill).status_code == 200
    assert client.get(reverse("reports:audit-remarks-teacher", args=[cast.pupil_user.pk])).status_code == 404


def test_control_page_links_to_remarks(client, cast, in_november):
    client.force_login(cast.deputy)
    response = client.get(reverse("reports:audit"))
    assert reverse("reports:audit-remarks") in response.content.decode()


def test_demo_seed_records_two_weeks(clean):
    """The demo's remarks, over the journal as it is: the week before last as its Monday saw it (a pupil with one
    mark in the quarter), then last week, which closes that remark (a second mark came since) and records a lesson
    without a topic; this week's run is claimed, so the beat records nothing more."""
    from reports.demo.remarks import seed_remarks

    cast = clean
    for day in (D(2026, 11, 5), D(2026, 11, 18)):
        row = lesson(cast.math_a, day)
        Mark.objects.create(lesson=row, pupil=cast.pupil, value="4", updated_by=cast.teacher)
    bare = lesson(cast.math_a, D(2026, 11, 19), number=2, topic="")
    with time_machine.travel(at(D(2026, 11, 25), 12), tick=False):
        runs = seed_remarks(school=cast.school, today=D(2026, 11, 25))
    # 8Б's pupil has no mark in physics or Russian in the second quarter: two remarks stay open.
    assert [(run.week, run.created, run.closed) for run in runs] == [
        (D(2026, 11, 9), 3, 0), (D(2026, 11, 16), 1, 1),
    ]  # fmt: skip
    closed = AuditRemark.objects.get(closed_at__isnull=False)
    assert (closed.teacher_id, closed.check_slug) == (cast.teacher.pk, "few_marks")
    assert closed.opened_at == at(D(2026, 11, 16), 5) and closed.closed_at == at(D(2026, 11, 23), 5)
    assert AuditRemark.objects.get(lesson=bare).week == D(2026, 11, 16)
    with time_machine.travel(dt.datetime(2026, 11, 23, 3, 0, tzinfo=dt.UTC), tick=False):
        assert cast.school.pk not in {run.school_id for run in schools_remarks_record()}  # claimed by the seed


def test_a_failing_school_does_not_stop_the_others(clean, monkeypatch):
    """One school's run fails: it is rolled back (its week stays unclaimed, the next beat tries again); the other
    schools' runs go on."""
    from reports.services import remarks as service

    cast = clean
    lesson(cast.math_a, D(2026, 10, 23), topic="")
    real = service.record_weekly_remarks

    def flaky(*, school, today, now):
        if school.pk == cast.school.pk:
            raise RuntimeError("boom")
        return real(school=school, today=today, now=now)

    monkeypatch.setattr(service, "record_weekly_remarks", flaky)
    with time_machine.travel(dt.datetime(2026, 10, 26, 3, 0, tzinfo=dt.UTC), tick=False):
        done = schools_remarks_record()
        assert [run.school_id for run in done] == [cast.foreign_admin.school_id]
        monkeypatch.setattr(service, "record_weekly_remarks", real)
        assert [(run.school_id, run.created) for run in schools_remarks_record()] == [(cast.school.pk, 1)]


def test_open_remarks_of_a_pupil_are_none(recorded, in_november, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert open_remarks(recorded.pupil_user) == []


def test_teacher_page_query_count(client, recorded, in_november, django_assert_num_queries):
    client.force_login(recorded.teacher)
    client.get(reverse("reports:audit-remarks"))
    # The session, the user with the school, the remarks (with their classes and subjects); the menu's classes and
    # unread messages (base.html).
    with django_assert_num_queries(4):
        assert client.get(reverse("reports:audit-remarks")).status_code == 200


def test_deputy_refreshes_before_monday(client, recorded, in_november):
    """«Снять исправленные сейчас»: the lesson without a topic of 28.10 gets its topic on Thursday; the deputy's
    refresh closes that remark at once and records nothing new; GET is refused, a teacher gets 404."""
    cast = recorded
    url = reverse("reports:audit-remarks-refresh")
    client.force_login(cast.teacher)
    assert client.post(url).status_code == 404
    assert client.get(url).status_code == 405
    client.force_login(cast.deputy)
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert "Исправленных нарушений среди открытых замечаний нет." in _text(response)
    Lesson.objects.filter(assignment=cast.math_a, date=D(2026, 10, 28)).update(topic="Дроби")
    before = AuditRemark.objects.count()
    response = client.post(url, follow=True)
    assert response.redirect_chain[-1][0] == reverse("reports:audit-remarks")
    assert "Снято 1 замечание: нарушение исправлено." in _text(response)
    assert AuditRemark.objects.count() == before
    assert [r.day for r in open_remarks(cast.teacher)] == []
    client.force_login(build_foreign_school(cast).deputy)
    client.post(url)
    assert AuditRemark.objects.filter(closed_at__isnull=True).count() == 1  # another school's refresh: not ours
