"""Past years in the diary: the year switcher of the marks pages and a year's page (/diary/pupils/<id>/years/<id>/).

The cast's pupil was in 6 «А» in 2025/2026 (built here through the services), with marks in two quarters, quarter,
year and exam marks, and an applied promotion into the cast's 7 «А». The pupil and the parent see that year read-only;
the class teacher and the management as every other diary page; another family, another school and a year the pupil
did not study at the school get 404. The clock stands on Friday 18 December 2026, as in test_diary_views.py.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import SchoolFactory
from journal import services
from journal.choices import PeriodKind
from journal.models import (
    Enrollment,
    Lesson,
    Mark,
    PeriodMark,
    PeriodMarkKind,
    Promotion,
    PromotionDecision,
    SchoolClass,
    SchoolYear,
    StudyPeriod,
    TeachingAssignment,
)

MSK = ZoneInfo("Europe/Moscow")
START, END = dt.date(2025, 9, 1), dt.date(2026, 5, 26)
QUARTERS = [
    (dt.date(2025, 9, 1), dt.date(2025, 10, 24)),
    (dt.date(2025, 11, 5), dt.date(2025, 12, 27)),
    (dt.date(2026, 1, 12), dt.date(2026, 3, 21)),
    (dt.date(2026, 3, 30), dt.date(2026, 5, 26)),
]


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 18, 10, 0, tzinfo=MSK), tick=False):
        yield


@dataclass
class PastYear:
    year: SchoolYear
    school_class: SchoolClass
    math: TeachingAssignment
    russian: TeachingAssignment
    quarters: list[StudyPeriod]


def build_past_year(cast, *, name: str = "2025/2026", start: dt.date = START, end: dt.date = END) -> PastYear:
    """Last year of the cast's school with 6 «А», mathematics and Russian; the pupil enrolled for the whole year."""
    year = services.school_year_create(actor=cast.admin, school=cast.school, name=name, start_date=start, end_date=end)
    shift = dt.timedelta(days=(start - START).days)
    quarters = services.study_periods_set(
        actor=cast.admin, year=year, kind=PeriodKind.QUARTER, dates=[(a + shift, b + shift) for a, b in QUARTERS]
    )
    six_a = services.class_create(actor=cast.admin, year=year, grade=6, letter="А", class_teacher=cast.other_teacher)
    math = services.assignment_create(
        actor=cast.admin,
        school_class=six_a,
        subject=cast.math_a.subject,
        teacher=cast.teacher,
        hours_per_week=Decimal(5),
    )
    russian = services.assignment_create(
        actor=cast.admin,
        school_class=six_a,
        subject=cast.russian_b.subject,
        teacher=cast.classteacher,
        hours_per_week=Decimal(4),
    )
    return PastYear(year, six_a, math, russian, sorted(quarters, key=lambda p: p.number))


def enrol(cast, past: PastYear, pupil=None) -> Enrollment:
    pupil = pupil or cast.pupil
    enrollment = services.enrollment_create(
        actor=cast.admin, pupil=pupil, school_class=past.school_class, date_from=past.year.start_date
    )
    Enrollment.objects.filter(pk=enrollment.pk).update(date_to=past.year.end_date)
    return enrollment


def marks(cast, assignment, pupil, days_and_values) -> None:
    for number, (day, value) in enumerate(days_and_values, start=1):
        lesson = Lesson.objects.create(assignment=assignment, date=day, number=number)
        Mark.objects.create(lesson=lesson, pupil=pupil, value=value, updated_by=cast.teacher)


def period_mark(cast, past: PastYear, assignment, kind: str, value: str, period=None, proposed: bool = False):
    PeriodMark.objects.create(
        assignment=assignment,
        pupil=cast.pupil,
        kind=kind,
        period=period,
        updated_by=cast.teacher,
        **({"proposed_value": value} if proposed else {"value": value}),
    )


@pytest.fixture
def past(cast) -> PastYear:
    """The pupil's 2025/2026: marks in the 1st and 2nd quarters of mathematics, quarter, year and exam marks, and the
    applied promotion into 7 «А»."""
    past = build_past_year(cast)
    enrol(cast, past)
    q1, q2, q3, _q4 = past.quarters
    marks(cast, past.math, cast.pupil, [(dt.date(2025, 9, 10), "5"), (dt.date(2025, 9, 17), "4")])
    marks(cast, past.math, cast.pupil, [(dt.date(2025, 11, 12), "3")])
    period_mark(cast, past, past.math, PeriodMarkKind.PERIOD, "5", q1)
    period_mark(cast, past, past.math, PeriodMarkKind.PERIOD, "3", q2)
    period_mark(cast, past, past.math, PeriodMarkKind.PERIOD, "2", q3, proposed=True)  # a proposal: not shown
    period_mark(cast, past, past.math, PeriodMarkKind.YEAR, "4")
    period_mark(cast, past, past.math, PeriodMarkKind.EXAM, "5")
    Promotion.objects.create(
        year=past.year,
        pupil=cast.pupil,
        from_class=past.school_class,
        decision=PromotionDecision.PROMOTE,
        target_class=cast.class_a,
        applied_at=timezone.now(),
    )
    return past


def year_url(pupil, year) -> str:
    return reverse("diary:year", args=[pupil.pk, year.pk])


def marks_url(pupil) -> str:
    return reverse("diary:marks", args=[pupil.pk])


def content(page: str) -> str:
    """The diary's part of the page (the menu around it is the site's)."""
    return page[page.index('<div class="dy">') :]


# What the year shows ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["pupil_user", "parent_user"])
def test_the_pupil_and_the_parent_see_the_past_year(client, cast, past, role):
    client.force_login(getattr(cast, role))
    response = client.get(year_url(cast.pupil, past.year))
    assert response.status_code == 200
    page = content(response.content.decode())
    assert "2025/2026 учебный год" in page
    assert "6 «А» класс: 01.09.2025–26.05.2026" in page
    # Mathematics by quarter: the marks with their dates, the quarter's average, the set quarter mark.
    assert "1 четверть</th>" in page and "10.09" in page and "17.09" in page and ">4,50<" in page
    assert '<b class="mk m5">5</b>' in page and '<b class="mk m3">3</b>' in page
    assert "12.11" in page and ">3,00<" in page
    # The year and exam marks; the year's average; a proposed mark is not a mark.
    assert 'Год: <b class="mk m4">4</b>' in page and 'Экзамен: <b class="mk m5">5</b>' in page
    assert ">4,00<" in page and 'class="mk m2"' not in page
    # Russian without marks is listed too; the current year's marks are not.
    assert "Русский язык" in page
    assert "Решение по итогам года: <b>переведён в следующий класс</b> (7 «А» класс, 2026/2027)" in page


def test_a_preview_of_the_promotion_is_not_shown(client, cast, past):
    Promotion.objects.filter(pupil=cast.pupil).update(applied_at=None)
    client.force_login(cast.parent_user)
    assert "Решение по итогам года" not in client.get(year_url(cast.pupil, past.year)).content.decode()


def test_current_year_marks_stay_out_of_the_past_year(client, cast, past):
    marks(cast, cast.math_a, cast.pupil, [(dt.date(2026, 12, 14), "2")])
    client.force_login(cast.parent_user)
    page = content(client.get(year_url(cast.pupil, past.year)).content.decode())
    assert "14.12" not in page and 'class="mk m2"' not in page
    page = content(client.get(marks_url(cast.pupil) + "?period=year").content.decode())
    assert "14.12" in page and "10.09" not in page


def test_a_pupil_who_moved_class_sees_both_classes(client, cast, past):
    six_b = services.class_create(actor=cast.admin, year=past.year, grade=6, letter="Б")
    Enrollment.objects.filter(pupil=cast.pupil, school_class=past.school_class).update(date_to=dt.date(2026, 1, 15))
    Enrollment.objects.create(pupil=cast.pupil, school_class=six_b, date_from=dt.date(2026, 1, 16), date_to=END)
    client.force_login(cast.pupil_user)
    page = content(client.get(year_url(cast.pupil, past.year)).content.decode())
    assert "6 «А» класс: 01.09.2025–15.01.2026" in page and "6 «Б» класс: 16.01.2026–26.05.2026" in page
    assert page.index("6 «А» класс") < page.index("6 «Б» класс")


def test_a_year_of_half_years_shows_its_halves(client, cast, past):
    services.study_periods_set(
        actor=cast.admin,
        year=past.year,
        kind=PeriodKind.HALF,
        dates=[(START, dt.date(2025, 12, 27)), (dt.date(2026, 1, 12), END)],
    )
    past.year.grades.filter(grade=6).update(period_kind=PeriodKind.HALF)
    client.force_login(cast.parent_user)
    page = content(client.get(year_url(cast.pupil, past.year)).content.decode())
    assert "1 полугодие</th>" in page and "2 полугодие</th>" in page and "четверть</th>" not in page
    assert ">4,00<" in page  # the three autumn marks, one half-year


# Who sees it --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["classteacher", "other_teacher", "deputy", "director", "admin"])
def test_staff_see_it_as_every_other_diary_page(client, cast, past, role):
    """The management and the class teachers see the whole diary, its past years too: the current class teacher
    (classteacher) and last year's (other_teacher, 6 «А»), by the rule of every diary page (``visible_pupils``: the
    pupils who are or were on the roll of their class)."""
    client.force_login(getattr(cast, role))
    assert client.get(year_url(cast.pupil, past.year)).status_code == 200


@pytest.mark.parametrize("role", ["parent2_user", "teacher", "foreign_admin"])
def test_everyone_else_gets_404(client, cast, past, role):
    """Another family, another school, and a subject teacher (who taught the pupil last year too): as every diary
    page."""
    client.force_login(getattr(cast, role))
    assert client.get(year_url(cast.pupil, past.year)).status_code == 404


def test_another_familys_past_year_is_404(client, cast, past):
    enrol(cast, past, cast.other_pupil)
    for user in (cast.parent_user, cast.pupil_user):
        client.force_login(user)
        assert client.get(year_url(cast.other_pupil, past.year)).status_code == 404
    client.force_login(cast.parent2_user)
    assert client.get(year_url(cast.other_pupil, past.year)).status_code == 200


def test_a_year_the_pupil_did_not_study_at_the_school_is_404(client, cast, past):
    earlier = build_past_year(cast, name="2024/2025", start=dt.date(2024, 9, 2), end=dt.date(2025, 5, 27))
    enrol(cast, earlier, cast.other_pupil)  # the school's year, someone else's
    other_school = SchoolFactory(short_name="СОШ № 3")
    foreign = SchoolYear.objects.create(school=other_school, name="2023/2024", start_date=START, end_date=END)
    client.force_login(cast.parent_user)
    assert client.get(year_url(cast.pupil, earlier.year)).status_code == 404
    assert client.get(year_url(cast.pupil, foreign)).status_code == 404
    assert client.get(year_url(cast.pupil, SchoolYear(pk=999999))).status_code == 404
    assert client.get(year_url(cast.pupil, past.year)).status_code == 200


def test_a_year_at_another_school_is_not_offered(client, cast, past):
    """A pupil who came from another school (their old enrolment kept there): that school's year is not theirs here."""
    other_school = SchoolFactory(short_name="СОШ № 3")
    foreign = SchoolYear.objects.create(
        school=other_school, name="2024/2025", start_date=dt.date(2024, 9, 2), end_date=dt.date(2025, 5, 27)
    )
    foreign_class = SchoolClass.objects.create(year=foreign, grade=5, letter="В")
    Enrollment.objects.create(pupil=cast.pupil, school_class=foreign_class, date_from=foreign.start_date)
    client.force_login(cast.parent_user)
    assert client.get(year_url(cast.pupil, foreign)).status_code == 404
    assert "2024/2025" not in client.get(marks_url(cast.pupil)).content.decode()
    assert client.get(year_url(cast.pupil, past.year)).status_code == 200


def test_a_year_not_begun_is_not_offered(client, cast, past):
    """Next year's class, once the pupil is enrolled in it ahead, opens with that year, not before."""
    following = build_past_year(cast, name="2027/2028", start=dt.date(2027, 9, 1), end=dt.date(2028, 5, 26))
    enrol(cast, following)
    client.force_login(cast.parent_user)
    assert client.get(year_url(cast.pupil, following.year)).status_code == 404
    assert "2027/2028" not in client.get(marks_url(cast.pupil)).content.decode()


def test_anonymous_goes_to_the_login_page(client, cast, past):
    response = client.get(year_url(cast.pupil, past.year))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))


def test_nothing_is_editable(client, cast, past):
    client.force_login(cast.parent_user)
    url = year_url(cast.pupil, past.year)
    for method in (client.post, client.put, client.patch, client.delete):
        assert method(url).status_code == 405
    page = content(client.get(url).content.decode())
    assert not any(tag in page for tag in ("<form", "<input", "<select", "<textarea", "hx-post", "hx-put"))


# The year switcher --------------------------------------------------------------------------------------------------


def test_the_switcher_lists_exactly_the_pupils_years_newest_first(client, cast, past):
    earlier = build_past_year(cast, name="2024/2025", start=dt.date(2024, 9, 2), end=dt.date(2025, 5, 27))
    enrol(cast, earlier, cast.other_pupil)  # not the pupil's year
    client.force_login(cast.parent_user)
    for url in (marks_url(cast.pupil), reverse("diary:subject", args=[cast.pupil.pk, cast.math_a.pk])):
        page = content(client.get(url).content.decode())
        nav = page[page.index('aria-label="Учебный год"') :].split("</nav>")[0]
        assert nav.count("<a ") == 2 and "2024/2025" not in nav
        assert nav.index("2026/2027") < nav.index("2025/2026")
        assert f'href="{marks_url(cast.pupil)}" aria-current="true">2026/2027<' in nav
        assert f'href="{year_url(cast.pupil, past.year)}">2025/2026<' in nav
    page = content(client.get(year_url(cast.pupil, past.year)).content.decode())
    nav = page[page.index('aria-label="Учебный год"') :].split("</nav>")[0]
    assert f'href="{year_url(cast.pupil, past.year)}" aria-current="true">2025/2026<' in nav
    assert f'href="{marks_url(cast.pupil)}">2026/2027<' in nav


def test_no_switcher_for_a_single_year(client, cast, past):
    client.force_login(cast.parent2_user)
    assert 'aria-label="Учебный год"' not in client.get(marks_url(cast.other_pupil)).content.decode()


def test_the_child_switcher_on_a_past_year_goes_to_the_other_childs_marks(client, cast, past):
    from diary.tests.test_diary_views import second_child

    sister = second_child(cast)
    client.force_login(cast.parent_user)
    page = client.get(year_url(cast.pupil, past.year)).content.decode()
    assert f'href="{marks_url(sister)}"' in page


# Queries ------------------------------------------------------------------------------------------------------------


def test_query_count_is_pinned_and_does_not_grow(client, cast, past, django_assert_num_queries):
    client.force_login(cast.parent_user)
    # session, user+school, pupil, children, enrolments (class and years), the grade's study periods,
    # subject_summaries (enrolments+subgroups, assignments, marks, period marks), the promotion, menu: unread
    with django_assert_num_queries(12):
        client.get(year_url(cast.pupil, past.year))
    for name in ("Литература", "История", "География"):
        subject = services.subject_create(actor=cast.admin, school=cast.school, name=name)
        assignment = services.assignment_create(
            actor=cast.admin, school_class=past.school_class, subject=subject, teacher=cast.teacher, hours_per_week=2
        )
        marks(cast, assignment, cast.pupil, [(START + dt.timedelta(days=7 * week), "4") for week in range(30)])
        period_mark(cast, past, assignment, PeriodMarkKind.YEAR, "4")
    with django_assert_num_queries(12):
        page = client.get(year_url(cast.pupil, past.year)).content.decode()
    assert "География" in page


def test_the_switcher_costs_no_query(client, cast, past, django_assert_num_queries):
    """The years come with the diary's head (the same read of the enrolments): the marks page reads as before."""
    client.force_login(cast.parent_user)
    with django_assert_num_queries(11):
        page = client.get(marks_url(cast.pupil)).content.decode()
    assert 'aria-label="Учебный год"' in page
