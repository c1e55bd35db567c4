"""Views of the closing area: happy paths, write-path access (nothing changes), and pinned query counts."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from accounts import services as account_services
from accounts.models import User
from journal import services
from journal.models import Enrollment, Promotion, PromotionDecision, SchoolClass, SchoolYear
from journal.services.promotion import promotion_preview
from journal.services.year_copy import year_copy_structure

D = dt.date


@pytest.fixture(autouse=True)
def in_november():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def class_7b(cast):
    return services.class_create(actor=cast.admin, year=cast.year, grade=7, letter="Б")


@pytest.fixture
def next_year(cast):
    return year_copy_structure(
        actor=cast.admin, source_year=cast.year, name="2027/2028", start_date=D(2027, 9, 1), end_date=D(2028, 5, 26)
    )


def enrollments():
    return list(Enrollment.objects.order_by("pk").values_list("pupil_id", "school_class_id", "date_from", "date_to"))


# Movement -------------------------------------------------------------------------------------------------------------


def test_admin_records_an_arrival(client, cast):
    client.force_login(cast.admin)
    url = reverse("journal:pupil_arrive", args=[cast.class_a.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Прибыл учащийся в 7 «А»" in page.content.decode()
    response = client.post(
        url,
        {"date": "2026-11-16", "reason": "прибыл из МБОУ СОШ № 12", "last_name": "Новикова", "first_name": "Дарья"},
    )
    assert response.status_code == 302
    assert response.url == reverse("journal:class_movement", args=[cast.class_a.pk])
    enrollment = Enrollment.objects.get(pupil__user__last_name="Новикова")
    assert (enrollment.school_class, enrollment.date_from) == (cast.class_a, D(2026, 11, 16))
    page = client.get(response.url).content.decode()
    assert "Новикова Дарья" in page and "прибыл из МБОУ СОШ № 12" in page


def test_arrival_with_a_bad_date_shows_the_reason_and_changes_nothing(client, cast):
    client.force_login(cast.admin)
    before = enrollments()
    response = client.post(
        reverse("journal:pupil_arrive", args=[cast.class_a.pk]),
        {"date": "2027-07-01", "reason": "прибыл", "last_name": "Новикова", "first_name": "Дарья"},
    )
    assert response.status_code == 200
    assert "должна лежать внутри учебного года" in response.content.decode()
    assert enrollments() == before
    assert not User.objects.filter(last_name="Новикова").exists()  # the new pupil's account is rolled back too


@pytest.mark.parametrize(
    ("role", "status"), [("director", 403), ("deputy", 403), ("classteacher", 403), ("teacher", 404)]
)
def test_others_cannot_record_an_arrival(client, cast, role, status):
    client.force_login(getattr(cast, role))
    before = enrollments()
    response = client.post(
        reverse("journal:pupil_arrive", args=[cast.class_a.pk]),
        {"date": "2026-11-16", "reason": "прибыл", "last_name": "Новикова", "first_name": "Дарья"},
    )
    assert response.status_code == status
    assert enrollments() == before


def test_admin_records_a_departure(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("journal:pupil_leave", args=[cast.pupil.pk]), {"date": "2026-11-20", "reason": "выбыл в Лицей № 3"}
    )
    assert response.status_code == 302
    assert Enrollment.objects.get(pupil=cast.pupil).date_to == D(2026, 11, 20)


def test_a_departure_before_the_enrolment_is_refused(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("journal:pupil_leave", args=[cast.pupil.pk]), {"date": "2026-08-20", "reason": "выбыл"}
    )
    assert response.status_code == 200
    assert "только с 01.09.2026" in response.content.decode()
    assert Enrollment.objects.get(pupil=cast.pupil).date_to is None


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("director", 403),
        ("deputy", 403),
        ("classteacher", 403),
        ("pupil_user", 403),
        ("parent_user", 403),
        ("teacher", 404),
        ("parent2_user", 404),
        ("foreign_admin", 404),
    ],
)
def test_others_cannot_record_a_departure_or_a_move(client, cast, class_7b, role, status):
    client.force_login(getattr(cast, role))
    before = enrollments()
    leave = client.post(reverse("journal:pupil_leave", args=[cast.pupil.pk]), {"date": "2026-11-20", "reason": "x"})
    move = client.post(
        reverse("journal:pupil_move", args=[cast.pupil.pk]), {"to_class": class_7b.pk, "date": "2026-11-20"}
    )
    assert (leave.status_code, move.status_code) == (status, status)
    assert enrollments() == before


def test_admin_moves_a_pupil(client, cast, class_7b):
    client.force_login(cast.admin)
    page = client.get(reverse("journal:pupil_move", args=[cast.pupil.pk])).content.decode()
    assert "7 «Б»" in page and "Числится в 7 «А»" in page
    response = client.post(
        reverse("journal:pupil_move", args=[cast.pupil.pk]), {"to_class": class_7b.pk, "date": "2026-11-16"}
    )
    assert response.status_code == 302
    assert response.url == reverse("journal:class_movement", args=[class_7b.pk])
    assert Enrollment.objects.get(pupil=cast.pupil, school_class=cast.class_a).date_to == D(2026, 11, 15)
    report = client.get(reverse("journal:movement")).content.decode()
    assert "переведён" in report and "7 «А» → 7 «Б»" in report


def test_class_movement_shows_buttons_to_the_admin_only(client, cast):
    client.force_login(cast.admin)
    page = client.get(reverse("journal:class_movement", args=[cast.class_a.pk])).content.decode()
    assert reverse("journal:pupil_leave", args=[cast.pupil.pk]) in page
    client.force_login(cast.classteacher)
    page = client.get(reverse("journal:class_movement", args=[cast.class_a.pk])).content.decode()
    assert "Pupil Иван" in page
    assert reverse("journal:pupil_leave", args=[cast.pupil.pk]) not in page


# Promotion ------------------------------------------------------------------------------------------------------------


def test_deputy_builds_adjusts_and_applies_the_promotion(client, cast, next_year):
    client.force_login(cast.deputy)
    page = client.get(reverse("journal:promotion")).content.decode()
    assert "Проект перевода ещё не сформирован" in page
    response = client.post(reverse("journal:promotion_refresh"), {"year": cast.year.pk})
    assert response.status_code == 302
    assert Promotion.objects.filter(year=cast.year).count() == 2
    page = client.get(reverse("journal:promotion")).content.decode()
    assert "→ 8 «А»" in page and "2026/2027 → 2027/2028" in page

    row = Promotion.objects.get(pupil=cast.pupil)
    response = client.post(reverse("journal:promotion_save", args=[cast.class_a.pk]), {f"p{row.pk}": "leave"})
    assert response.status_code == 302
    row.refresh_from_db()
    assert (row.decision, row.target_class) == (PromotionDecision.LEAVE, None)

    # In November the year is running: the page offers no closing, and the service refuses it.
    page = client.get(reverse("journal:promotion")).content.decode()
    assert reverse("journal:promotion_apply") not in page and "можно с 26.05.2027" in page
    confirm = client.get(reverse("journal:promotion_apply")).content.decode()
    assert "ещё идёт" in confirm and '<form method="post">' not in confirm.split("<main", 1)[1]
    response = client.post(reverse("journal:promotion_apply"), {"year": cast.year.pk}, follow=True)
    assert "ещё идёт: провести перевод и закрыть год можно с 26.05.2027" in response.content.decode()
    assert SchoolYear.objects.get(pk=cast.year.pk).promoted_at is None

    with time_machine.travel(dt.datetime(2027, 5, 26, 15, 0, tzinfo=dt.UTC), tick=False):  # the last period's end
        client.force_login(cast.deputy)  # a new session: the November one has expired
        page = client.get(reverse("journal:promotion")).content.decode()
        assert reverse("journal:promotion_apply") in page
        confirm = client.get(reverse("journal:promotion_apply")).content.decode()
        assert "Провести перевод и закрыть 2026/2027" in confirm
        response = client.post(reverse("journal:promotion_apply"), {"year": cast.year.pk})
    assert response.status_code == 302
    year = SchoolYear.objects.get(pk=cast.year.pk)
    assert year.is_closed and year.promoted_at
    page = client.get(response.url).content.decode()
    assert "Перевод учащихся проведён" in page
    assert '<select name="p' not in page  # read-only after applying
    assert "выбывает" in page

    again = client.post(reverse("journal:promotion_apply"), {"year": cast.year.pk}, follow=True).content.decode()
    assert "уже проведён" in again and "ничего не изменено" in again


def test_a_wrong_target_in_a_class_table_changes_nothing(client, cast, next_year):
    promotion_preview(actor=cast.deputy, year=cast.year)
    extra = account_services.pupil_create(
        actor=cast.admin, school=cast.school, username="extra", last_name="Зайцев", first_name="Глеб"
    )
    services.enrollment_create(actor=cast.admin, pupil=extra, school_class=cast.class_a, date_from=D(2026, 9, 1))
    promotion_preview(actor=cast.deputy, year=cast.year)
    nine_b = SchoolClass.objects.get(year=next_year, grade=9, letter="Б")
    first, second = Promotion.objects.filter(from_class=cast.class_a).order_by("pk")
    client.force_login(cast.deputy)
    response = client.post(
        reverse("journal:promotion_save", args=[cast.class_a.pk]),
        {f"p{first.pk}": "leave", f"p{second.pk}": f"promote:{nine_b.pk}"},
        follow=True,
    )
    assert "в 8 класс, а не в 9 «Б»" in response.content.decode()
    assert set(Promotion.objects.filter(from_class=cast.class_a).values_list("decision", flat=True)) == {"promote"}


@pytest.mark.parametrize("role", ["director", "teacher", "classteacher", "pupil_user", "parent_user"])
def test_read_only_users_cannot_promote(client, cast, next_year, role):
    promotion_preview(actor=cast.deputy, year=cast.year)
    row = Promotion.objects.get(pupil=cast.pupil)
    client.force_login(getattr(cast, role))
    responses = [
        client.post(reverse("journal:promotion_refresh"), {"year": cast.year.pk, "reset": "1"}),
        client.post(reverse("journal:promotion_save", args=[cast.class_a.pk]), {f"p{row.pk}": "leave"}),
        client.post(reverse("journal:promotion_apply"), {"year": cast.year.pk}),
    ]
    expected = 403 if role == "director" else (403, 404)
    for response in responses:
        assert response.status_code in (expected if isinstance(expected, tuple) else (expected,))
    row.refresh_from_db()
    assert row.decision == PromotionDecision.PROMOTE
    assert SchoolYear.objects.get(pk=cast.year.pk).promoted_at is None


def test_the_director_sees_the_preview_read_only(client, cast, next_year):
    promotion_preview(actor=cast.deputy, year=cast.year)
    client.force_login(cast.director)
    page = client.get(reverse("journal:promotion")).content.decode()
    assert "перевод в 8 «А»" in page
    assert '<select name="p' not in page and reverse("journal:promotion_apply") not in page


def test_the_preview_says_when_the_next_year_is_missing(client, cast):
    client.force_login(cast.admin)
    page = client.post(reverse("journal:promotion_refresh"), {"year": cast.year.pk}, follow=True).content.decode()
    # Issue 10: the warning was said twice (a message after the refresh, and the page's own).
    assert page.count("Следующий учебный год ещё не создан") == 1
    assert reverse("journal:year_copy") in page
    with time_machine.travel(dt.datetime(2027, 5, 27, 10, 0, tzinfo=dt.UTC), tick=False):
        client.force_login(cast.admin)  # a new session: the November one has expired
        page = client.get(reverse("journal:promotion")).content.decode()
        assert reverse("journal:promotion_apply") not in page  # nothing to close into: no offer
        confirm = client.get(reverse("journal:promotion_apply")).content.decode()
    assert "перевод невозможен" in confirm


def test_another_schools_year_is_not_found(client, cast):
    client.force_login(cast.deputy)
    other = SchoolYear.objects.create(
        school=cast.foreign_admin.school, name="2026/2027", start_date=D(2026, 9, 1), end_date=D(2027, 5, 26)
    )
    assert client.get(reverse("journal:promotion"), {"year": other.pk}).status_code == 404
    assert client.post(reverse("journal:promotion_apply"), {"year": other.pk}).status_code == 404


@pytest.mark.parametrize("extra", [0, 20])
def test_promotion_page_queries_do_not_grow_with_pupils(client, cast, next_year, django_assert_num_queries, extra):
    for n in range(extra):
        pupil = account_services.pupil_create(
            actor=cast.admin, school=cast.school, username=f"extra{n}", last_name="Новиков", first_name="Илья"
        )
        school_class = cast.class_a if n % 2 else cast.class_b
        services.enrollment_create(actor=cast.admin, pupil=pupil, school_class=school_class, date_from=D(2026, 9, 1))
    promotion_preview(actor=cast.deputy, year=cast.year)
    client.force_login(cast.deputy)
    # session, user+school, the year to close, the next year, its classes (the choices), the promotion rows (with
    # pupil and class), pupils on the roll at the year's end, the years (the selector), the last study period's end
    # (may the year be closed yet), menu: unread
    with django_assert_num_queries(10):
        response = client.get(reverse("journal:promotion"))
    assert response.content.decode().count('<select name="p') == 2 + extra


@pytest.mark.parametrize("extra", [0, 20])
def test_movement_report_queries_do_not_grow(client, cast, django_assert_num_queries, extra):
    for n in range(extra):
        pupil = account_services.pupil_create(
            actor=cast.admin, school=cast.school, username=f"extra{n}", last_name="Новиков", first_name="Илья"
        )
        services.enrollment_create(actor=cast.admin, pupil=pupil, school_class=cast.class_a, date_from=D(2026, 10, 1))
    client.force_login(cast.director)
    # session, user+school, the year, its classes, its enrollments (with class and pupil), the years (the selector),
    # menu: unread
    with django_assert_num_queries(7):
        response = client.get(reverse("journal:movement"))
    assert response.content.decode().count("Новиков Илья") == extra


# The year copy ----------------------------------------------------------------------------------------------------------


def test_admin_copies_the_year(client, cast):
    client.force_login(cast.admin)
    page = client.get(reverse("journal:year_copy")).content.decode()
    assert 'value="2027/2028"' in page and 'value="2027-09-01"' in page
    assert "8 «А»" in page
    response = client.post(
        reverse("journal:year_copy"), {"name": "2027/2028", "start_date": "2027-09-01", "end_date": "2028-05-26"}
    )
    assert response.status_code == 302
    year = SchoolYear.objects.get(name="2027/2028")
    assert sorted(str(c) for c in year.classes.all()) == ["8 «А»", "9 «Б»"]
    again = client.post(
        reverse("journal:year_copy"), {"name": "2027/2028", "start_date": "2027-09-01", "end_date": "2028-05-26"}
    )
    assert again.status_code == 200 and "уже есть" in again.content.decode()


@pytest.mark.parametrize("role", ["deputy", "director", "classteacher"])
def test_only_the_admin_copies_the_year(client, cast, role):
    client.force_login(getattr(cast, role))
    response = client.post(
        reverse("journal:year_copy"), {"name": "2027/2028", "start_date": "2027-09-01", "end_date": "2028-05-26"}
    )
    assert response.status_code == 403
    assert SchoolYear.objects.filter(school=cast.school).count() == 1
