import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from accounts.tests.factories import PupilFactory
from journal.models import Enrollment, Lesson, Mark, PeriodMark, StudyPeriod, WorkType


@pytest.fixture
def quarter(cast) -> StudyPeriod:
    return StudyPeriod.objects.get(year=cast.year, kind="quarter", number=1)


def login(client, user):
    client.force_login(user)
    return client


def page_url(cast, quarter):
    return reverse("journal:period_marks", args=[cast.math_a.pk]) + f"?kind=period&period={quarter.pk}"


def save_url(cast):
    return reverse("journal:period_marks_save", args=[cast.math_a.pk])


def marks_for(cast, pupils, values):
    """A lesson per value in September; every pupil gets that mark; the first lesson is a weighted test."""
    test, _created = WorkType.objects.get_or_create(
        school=cast.school, name="Контрольная работа", defaults={"short_name": "К/р", "weight": Decimal(2)}
    )
    for i, value in enumerate(values):
        day = dt.date(2026, 9, 7) + dt.timedelta(days=i)
        lesson, _created = Lesson.objects.get_or_create(assignment=cast.math_a, date=day, number=1)
        Mark.objects.bulk_create(
            Mark(lesson=lesson, pupil=p, value=value, updated_by=cast.teacher, work_type=test if i == 0 else None)
            for p in pupils
        )


def more_pupils(cast, n):
    pupils = [PupilFactory(user__school=cast.school, user__username=f"p{i}") for i in range(n)]
    Enrollment.objects.bulk_create(
        Enrollment(pupil=p, school_class=cast.class_a, date_from=cast.year.start_date) for p in pupils
    )
    return pupils


def test_the_teacher_sees_counts_average_and_forecast(client, cast, quarter):
    marks_for(cast, [cast.pupil], ["5", "3", "4", "4"])  # (5*2 + 3 + 4 + 4) / 5 = 4.2
    response = login(client, cast.teacher).get(page_url(cast, quarter))
    assert response.status_code == 200
    row = next(r for r in response.context["page"].rows if r.pupil == cast.pupil)
    assert (row.marks_count, row.average, row.forecast, row.enough) == (4, Decimal("4.20"), "4", True)
    html = response.content.decode()
    assert f'name="value_{cast.pupil.pk}"' in html
    assert "4,20" in html


def test_management_reads_only_and_the_deputy_may_override(client, cast, quarter):
    marks_for(cast, [cast.pupil], ["5"])
    html = login(client, cast.deputy).get(page_url(cast, quarter)).content.decode()
    assert "pm-form" not in html
    assert reverse("journal:period_mark_override", args=[cast.math_a.pk]) in html
    client.logout()
    html = login(client, cast.director).get(page_url(cast, quarter)).content.decode()
    assert "pm-form" not in html and "period-marks/override" not in html
    client.logout()
    html = login(client, cast.admin).get(page_url(cast, quarter)).content.decode()
    assert "pm-form" not in html and "period-marks/override" in html


def test_page_queries_do_not_grow_with_pupils(client, cast, quarter, django_assert_num_queries):
    login(client, cast.teacher)
    marks_for(cast, [cast.pupil], ["5", "4", "4", "4"])
    # session, user+school, assignment (visibility and editor role in one), grade settings, study periods, pass/fail
    # subject, the period's marks (with kind of work), period marks, pupils on the roll, their exemptions, menu: led
    # class, unread
    with django_assert_num_queries(11) as small:
        client.get(page_url(cast, quarter))
    pupils = more_pupils(cast, 25)
    marks_for(cast, pupils, ["5", "4", "3", "4", "5", "5"])
    with django_assert_num_queries(11) as large:
        response = client.get(page_url(cast, quarter))
    assert len(response.context["page"].rows) == 26
    assert len(large.captured_queries) == len(small.captured_queries)


def test_save_sets_and_refuses_per_row(client, cast, quarter):
    other = more_pupils(cast, 1)[0]
    marks_for(cast, [cast.pupil], ["5", "5", "5", "5"])  # the other pupil has none
    login(client, cast.teacher)
    data = {
        "kind": "period",
        "period": quarter.pk,
        f"proposed_{cast.pupil.pk}": "5",
        f"value_{cast.pupil.pk}": "5",
        f"proposed_{other.pk}": "3",
        f"value_{other.pk}": "3",
    }
    response = client.post(save_url(cast), data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Недостаточно текущих отметок" in html
    assert PeriodMark.objects.get(pupil=cast.pupil).value == "5"
    assert (PeriodMark.objects.get(pupil=other).proposed_value, PeriodMark.objects.get(pupil=other).value) == ("3", "")
    response = client.post(save_url(cast), {**data, f"value_{other.pk}": "н/а"})
    assert "не являются отметками" in response.content.decode()


def test_save_all_good_redirects(client, cast, quarter):
    marks_for(cast, [cast.pupil], ["5", "5", "4", "5"])
    login(client, cast.classteacher)
    response = client.post(save_url(cast), {"kind": "period", "period": quarter.pk, f"value_{cast.pupil.pk}": "5"})
    assert response.status_code == 302 and response.url == page_url(cast, quarter)
    assert PeriodMark.objects.get().updated_by == cast.classteacher


def test_propose_by_forecast_then_set_the_proposed(client, cast, quarter):
    marks_for(cast, [cast.pupil], ["5", "5", "4", "5"])
    login(client, cast.teacher)
    client.post(save_url(cast), {"kind": "period", "period": quarter.pk, "fill_forecast": "1"})
    mark = PeriodMark.objects.get()
    assert (mark.proposed_value, mark.value) == ("5", "")
    client.post(save_url(cast), {"kind": "period", "period": quarter.pk, "confirm_proposed": "1"})
    mark.refresh_from_db()
    assert mark.value == "5"


@pytest.mark.parametrize(
    ("who", "status"), [("deputy", 403), ("admin", 403), ("director", 403), ("other_teacher", 404)]
)
def test_outsiders_and_readers_cannot_save(client, cast, quarter, who, status):
    marks_for(cast, [cast.pupil], ["5", "5", "5", "5"])
    login(client, getattr(cast, who))
    response = client.post(save_url(cast), {"kind": "period", "period": quarter.pk, f"value_{cast.pupil.pk}": "5"})
    assert response.status_code == status
    assert not PeriodMark.objects.exists()


def test_save_needs_post_and_login(client, cast):
    assert client.post(save_url(cast)).status_code == 302
    assert login(client, cast.teacher).get(save_url(cast)).status_code == 405


def test_the_deputy_overrides_then_the_teacher_sets(client, cast, quarter):
    marks_for(cast, [cast.pupil], ["4"])
    url = reverse("journal:period_mark_override", args=[cast.math_a.pk])
    data = {"kind": "period", "period": quarter.pk, "pupil": cast.pupil.pk, "reason": "болел, справка"}
    assert login(client, cast.teacher).post(url, data).status_code == 403
    client.logout()
    response = login(client, cast.deputy).post(url, data)
    assert response.status_code == 302
    mark = PeriodMark.objects.get()
    assert (mark.overridden_by, mark.override_reason) == (cast.deputy, "болел, справка")
    client.logout()
    response = login(client, cast.teacher).post(
        save_url(cast), {"kind": "period", "period": quarter.pk, f"value_{cast.pupil.pk}": "4"}
    )
    assert response.status_code == 302
    mark.refresh_from_db()
    assert mark.value == "4"
    html = client.get(page_url(cast, quarter)).content.decode()
    assert "Разрешено без минимума отметок" in html and "болел, справка" in html


def test_override_without_reason_is_refused(client, cast, quarter):
    url = reverse("journal:period_mark_override", args=[cast.math_a.pk])
    login(client, cast.deputy)
    response = client.post(
        url, {"kind": "period", "period": quarter.pk, "pupil": cast.pupil.pk, "reason": ""}, follow=True
    )
    assert "Укажите основание" in response.content.decode()
    assert not PeriodMark.objects.exists()


def test_year_tab_shows_the_period_marks(client, cast, quarter):
    PeriodMark.objects.create(
        assignment=cast.math_a, pupil=cast.pupil, kind="period", period=quarter, value="4", updated_by=cast.teacher
    )
    response = login(client, cast.teacher).get(reverse("journal:period_marks", args=[cast.math_a.pk]) + "?kind=year")
    page = response.context["page"]
    assert page.kind == "year" and page.other_titles[:4] == ["1 четверть", "2 четверть", "3 четверть", "4 четверть"]
    assert page.rows[0].other_marks[0] == "4"
    assert not page.rows[0].enough  # the year mark needs every quarter set (journal.services.period_marks)
    for period in StudyPeriod.objects.filter(year=cast.year, kind="quarter", number__gt=1):
        PeriodMark.objects.create(
            assignment=cast.math_a, pupil=cast.pupil, kind="period", period=period, value="5", updated_by=cast.teacher
        )
    page = client.get(reverse("journal:period_marks", args=[cast.math_a.pk]) + "?kind=year").context["page"]
    assert page.rows[0].other_marks[:4] == ["4", "5", "5", "5"] and page.rows[0].enough


def test_an_exempt_pupil_is_shown_as_such_and_never_below_the_minimum(client, cast, quarter):
    from journal import services
    from journal.services.exemptions import exemption_create

    services.curriculum_set(
        actor=cast.admin, school_class=cast.class_a, subject=cast.math_a.subject, hours_per_week=Decimal(4)
    )
    other = more_pupils(cast, 1)[0]
    marks_for(cast, [cast.pupil], ["5"])  # one mark: below the minimum
    exemption_create(
        actor=cast.admin, school_class=cast.class_a, pupil=other, subject=cast.math_a.subject, period=quarter,
        reason="справка ЛФК № 3",
    )  # fmt: skip
    response = login(client, cast.teacher).get(page_url(cast, quarter))
    rows = {row.pupil.pk: row for row in response.context["page"].rows}
    assert rows[other.pk].exemption is not None and rows[other.pk].enough
    assert rows[cast.pupil.pk].exemption is None and not rows[cast.pupil.pk].enough
    html = response.content.decode()
    assert "освобождение на период" in html and "справка ЛФК № 3" in html
    # Another period's tab: the period's exemption does not apply there.
    following = StudyPeriod.objects.get(year=cast.year, kind=quarter.kind, number=quarter.number + 1)
    response = client.get(page_url(cast, following))
    assert all(row.exemption is None for row in response.context["page"].rows)
