"""The class teacher's weekly absences view and the correction of reasons (journal.services.absences)."""

import datetime as dt
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.tests.factories import PupilFactory
from journal import services
from journal.models import Attendance, Enrollment, Lesson
from journal.selectors.absences import absence_week
from journal.services.absences import absences_reason_set_day

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
MONDAY = dt.date(2026, 11, 9)
TUESDAY = MONDAY + dt.timedelta(days=1)


def at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 12, tzinfo=MOSCOW), tick=False)


@pytest.fixture
def today():
    with at(dt.date(2026, 11, 12)):
        yield


@pytest.fixture
def week(cast):
    """Tuesday: three lessons of 7 «А» (two of mathematics, one of another teacher's subject)."""
    other = cast.russian_b.subject
    literature = services.assignment_create(
        actor=cast.admin, school_class=cast.class_a, subject=other, teacher=cast.other_teacher, hours_per_week=2
    )
    lessons = [
        Lesson.objects.create(assignment=cast.math_a, date=TUESDAY, number=1),
        Lesson.objects.create(assignment=cast.math_a, date=TUESDAY, number=2),
        Lesson.objects.create(assignment=literature, date=TUESDAY, number=3),
        Lesson.objects.create(assignment=cast.math_a, date=MONDAY + dt.timedelta(days=3), number=1),
    ]
    return lessons


def absent(cast, lesson, code, pupil=None):
    return Attendance.objects.create(lesson=lesson, pupil=pupil or cast.pupil, code=code, updated_by=cast.teacher)


def url(cast, **query):
    base = reverse("journal:absences", args=[cast.class_a.pk])
    return base + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def test_the_week_grid_counts_absences_by_day_and_reason(cast, week):
    absent(cast, week[0], "н")
    absent(cast, week[1], "б")
    absent(cast, week[2], "оп")
    absent(cast, week[3], "у")
    page = absence_week(cast.class_a, MONDAY)
    assert [d.date.weekday() for d in page.days] == [0, 1, 2, 3, 4]
    assert [d.lessons for d in page.days] == [0, 3, 0, 1, 0]
    row = page.rows[0]
    tuesday = row.cells[1]
    assert (tuesday.missed, tuesday.late, tuesday.codes) == (2, 1, "н б")
    assert row.cells[3].codes == "у"
    totals = row.totals
    assert (totals.missed, totals.ill, totals.excused, totals.unexcused, totals.without_reason, totals.late) == (
        3,
        1,
        1,
        1,
        1,
        1,
    )
    assert page.totals.missed == 3


def test_the_class_teacher_sees_the_week(client, cast, week, today):
    absent(cast, week[0], "н")
    client.force_login(cast.classteacher)
    response = client.get(url(cast, week="2026-11-11"))  # any day of the week
    html = response.content.decode()
    assert response.status_code == 200 and response.context["week"].start == MONDAY
    assert cast.pupil.user.full_name in html
    assert "исправление причин" in html and "Без указанной причины" in html


@pytest.mark.parametrize("who", ["deputy", "director", "admin"])
def test_management_reads_only(client, cast, week, today, who):
    absent(cast, week[0], "н")
    client.force_login(getattr(cast, who))
    response = client.get(url(cast, week="2026-11-09", pupil=cast.pupil.pk, day="2026-11-10"))
    html = response.content.decode()
    assert response.status_code == 200 and "только просмотр" in html
    assert "Применить ко всем пропускам дня" not in html
    data = {"pupil": cast.pupil.pk, "day": "2026-11-10", "code": "б"}
    assert client.post(reverse("journal:absences_day_set", args=[cast.class_a.pk]), data).status_code == 403
    assert Attendance.objects.get(lesson=week[0]).code == "н"


@pytest.mark.parametrize("who", ["teacher", "other_teacher", "pupil_user", "parent_user"])
def test_others_get_404(client, cast, week, who):
    client.force_login(getattr(cast, who))
    assert client.get(url(cast)).status_code == 404
    data = {"pupil": cast.pupil.pk, "day": "2026-11-10", "code": "б"}
    assert client.post(reverse("journal:absences_day_set", args=[cast.class_a.pk]), data).status_code == 404


def test_the_day_panel_and_correcting_a_whole_day(client, cast, week, today):
    absent(cast, week[0], "н")
    absent(cast, week[1], "н")
    absent(cast, week[2], "оп")
    client.force_login(cast.classteacher)
    html = client.get(url(cast, week="2026-11-09", pupil=cast.pupil.pk, day="2026-11-10")).content.decode()
    assert "Применить ко всем пропускам дня" in html and html.count('name="lesson"') == 3
    response = client.post(
        reverse("journal:absences_day_set", args=[cast.class_a.pk]),
        {"pupil": cast.pupil.pk, "day": "2026-11-10", "code": "б"},
    )
    assert response.status_code == 302 and "pupil=" in response.url
    codes = dict(Attendance.objects.values_list("lesson__number", "code"))
    assert codes == {1: "б", 2: "б", 3: "оп"}  # lateness is not an absence: untouched
    history = Attendance.history.filter(lesson=week[0]).order_by("-history_id").first()
    assert history.history_user == cast.classteacher


def test_correcting_one_lesson(client, cast, week, today):
    absent(cast, week[0], "н")
    client.force_login(cast.classteacher)
    response = client.post(
        reverse("journal:absences_lesson_set", args=[cast.class_a.pk]),
        {"lesson": week[0].pk, "pupil": cast.pupil.pk, "code": "у"},
    )
    assert response.status_code == 302
    assert Attendance.objects.get(lesson=week[0]).code == "у"
    # a lesson of another class is not found through this class
    foreign = Lesson.objects.create(assignment=cast.physics_b, date=TUESDAY, number=1)
    response = client.post(
        reverse("journal:absences_lesson_set", args=[cast.class_a.pk]),
        {"lesson": foreign.pk, "pupil": cast.pupil.pk, "code": "у"},
    )
    assert response.status_code == 404


def test_the_day_service_is_all_or_nothing_and_checks_the_reason(cast, week, today):
    absent(cast, week[0], "н")
    with pytest.raises(ValidationError, match="Выберите причину"):
        absences_reason_set_day(
            actor=cast.classteacher, school_class=cast.class_a, pupil=cast.pupil, day=TUESDAY, code="оп"
        )
    with pytest.raises(ValidationError, match="нет пропусков"):
        absences_reason_set_day(
            actor=cast.classteacher, school_class=cast.class_a, pupil=cast.pupil, day=MONDAY, code="б"
        )
    with pytest.raises(PermissionDenied):
        absences_reason_set_day(actor=cast.deputy, school_class=cast.class_a, pupil=cast.pupil, day=TUESDAY, code="б")
    assert Attendance.objects.get().code == "н"


def test_after_the_lock_the_class_teacher_still_corrects_reasons(cast, week):
    absent(cast, week[0], "н")
    with at(dt.date(2026, 11, 30)):  # past the 10 working days, within ENGINEER 1's 30-day correction
        absences_reason_set_day(
            actor=cast.classteacher, school_class=cast.class_a, pupil=cast.pupil, day=TUESDAY, code="б"
        )
    assert Attendance.objects.get().code == "б"
    with at(dt.date(2027, 1, 20)), pytest.raises(ValidationError, match="1 урок"):
        absences_reason_set_day(
            actor=cast.classteacher, school_class=cast.class_a, pupil=cast.pupil, day=TUESDAY, code="у"
        )


def test_page_queries_do_not_grow_with_pupils(client, cast, week, today, django_assert_num_queries):
    client.force_login(cast.classteacher)
    absent(cast, week[0], "н")
    # session, user+school, class (visibility and manage right in one), grade settings of the year, the grade's calendar for the lock
    # (years, grade settings, calendar days, vacations), the week's lessons, pupils on the roll, the week's attendance,
    # menu: led class and unread (one query)
    with django_assert_num_queries(12) as small:
        client.get(url(cast, week="2026-11-09"))
    pupils = [PupilFactory(user__school=cast.school, user__username=f"p{i}") for i in range(25)]
    Enrollment.objects.bulk_create(
        Enrollment(pupil=p, school_class=cast.class_a, date_from=cast.year.start_date) for p in pupils
    )
    Attendance.objects.bulk_create(
        Attendance(lesson=lesson, pupil=p, code="б", updated_by=cast.teacher) for p in pupils for lesson in week
    )
    with django_assert_num_queries(12) as large:
        response = client.get(url(cast, week="2026-11-09"))
    assert len(response.context["week"].rows) == 26
    assert len(large.captured_queries) == len(small.captured_queries)


def test_pupils_who_arrive_or_leave_are_marked(cast, week):
    newcomer = PupilFactory(user__school=cast.school, user__username="newcomer")
    Enrollment.objects.create(pupil=newcomer, school_class=cast.class_a, date_from=dt.date(2026, 11, 11))
    page = absence_week(cast.class_a, MONDAY)
    row = next(r for r in page.rows if r.pupil == newcomer)
    assert row.note == "прибыл 11.11" and [c.enrolled for c in row.cells] == [False, False, True, True, True]
