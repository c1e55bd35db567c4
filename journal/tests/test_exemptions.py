"""Exemptions from subjects: the service's rules, the page and its access (journal.services.exemptions)."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import build_foreign_school
from journal import services
from journal.choices import PeriodKind
from journal.models import StudyPeriod, SubjectExemption
from journal.services.exemptions import exemption_create, exemption_remove
from journal.services.movement import pupil_leave


@pytest.fixture(autouse=True)
def in_november():
    with time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


@pytest.fixture
def math(cast):
    """Mathematics in 7 «А»'s curriculum (the cast has the assignment only)."""
    services.curriculum_set(
        actor=cast.admin, school_class=cast.class_a, subject=cast.math_a.subject, hours_per_week=Decimal(5)
    )
    return cast.math_a.subject


def q(cast, number: int) -> StudyPeriod:
    return StudyPeriod.objects.get(year=cast.year, kind=PeriodKind.QUARTER, number=number)


def create(cast, actor=None, **kwargs):
    values = {"school_class": cast.class_a, "pupil": cast.pupil, "subject": cast.math_a.subject, "reason": "Справка"}
    return exemption_create(actor=actor or cast.classteacher, **{**values, **kwargs})


# --- the service ----------------------------------------------------------------------------------------


def test_class_teacher_exempts_for_a_period_and_for_the_year(cast, math):
    first = create(cast, period=q(cast, 2), reason="  Справка   № 5 ")
    assert (first.pupil, first.subject, first.year, first.period) == (cast.pupil, math, cast.year, q(cast, 2))
    assert first.reason == "Справка № 5" and first.created_by == cast.classteacher
    assert first.history.get().history_user == cast.classteacher
    create(cast, actor=cast.deputy, period=q(cast, 3))
    assert SubjectExemption.objects.count() == 2


def test_management_exempts_too(cast, math):
    for actor in (cast.admin, cast.director):
        exemption = create(cast, actor=actor)
        exemption_remove(actor=actor, school_class=cast.class_a, exemption=exemption)
    assert not SubjectExemption.objects.exists()
    assert SubjectExemption.history.filter(history_type="-").count() == 2


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"reason": "   "}, "Укажите основание"),
        ({"pupil": "other_pupil"}, "не учится в 7 «А» в это время"),
    ],
)
def test_refused_input(cast, math, kwargs, message):
    if kwargs.get("pupil") == "other_pupil":
        kwargs = {**kwargs, "pupil": cast.other_pupil}
    with pytest.raises(ValidationError, match=message):
        create(cast, **kwargs)
    assert not SubjectExemption.objects.exists()


def test_subject_not_in_the_curriculum(cast, math):
    with pytest.raises(ValidationError, match="нет в учебном плане"):
        create(cast, subject=cast.physics_b.subject)


def test_period_of_another_scheme_or_year(cast, math):
    build_foreign_school(cast)
    foreign = StudyPeriod.objects.exclude(year=cast.year).filter(kind=PeriodKind.QUARTER).first()
    with pytest.raises(ValidationError, match="другому учебному году"):
        create(cast, period=foreign)
    half = StudyPeriod.objects.create(
        year=cast.year, kind=PeriodKind.HALF, number=1, start_date=dt.date(2026, 9, 1), end_date=dt.date(2026, 12, 26)
    )
    with pytest.raises(ValidationError, match="не используется"):
        create(cast, period=half)
    assert not SubjectExemption.objects.exists()


def test_pupil_who_left_before_the_period(cast, math):
    pupil_leave(actor=cast.admin, pupil=cast.pupil, date=dt.date(2026, 10, 30), reason="Переезд")
    create(cast, period=q(cast, 1))  # was in the class then
    with pytest.raises(ValidationError, match="не учится"):
        create(cast, period=q(cast, 3))


def test_duplicates_are_refused_in_russian(cast, math):
    create(cast, period=q(cast, 2))
    with pytest.raises(ValidationError, match="уже освобожд.+за 2 четверть"):
        create(cast, period=q(cast, 2))
    with pytest.raises(ValidationError, match="удалите его, чтобы освободить на весь год"):
        create(cast)
    SubjectExemption.objects.all().delete()
    create(cast)
    for period in (None, q(cast, 1)):
        with pytest.raises(ValidationError, match="на весь учебный год"):
            create(cast, period=period)
    assert SubjectExemption.objects.count() == 1


@pytest.mark.parametrize("who", ["teacher", "other_teacher", "pupil_user", "parent_user", "foreign_admin"])
def test_others_may_not_exempt_or_remove(cast, math, who):
    actor = getattr(cast, who)
    with pytest.raises(PermissionDenied):
        create(cast, actor=actor)
    exemption = create(cast)
    with pytest.raises(PermissionDenied):
        exemption_remove(actor=actor, school_class=cast.class_a, exemption=exemption)
    assert SubjectExemption.objects.count() == 1


def test_another_class_teacher_may_not(cast, math):
    services.class_teacher_set(actor=cast.admin, school_class=cast.class_b, teacher=cast.other_teacher)
    with pytest.raises(PermissionDenied):
        create(cast, actor=cast.other_teacher)


def test_removing_through_another_class_is_refused(cast, math):
    exemption = create(cast)
    with pytest.raises(ValidationError, match="другого класса"):
        exemption_remove(actor=cast.admin, school_class=cast.class_b, exemption=exemption)
    assert SubjectExemption.objects.count() == 1


# --- the page -------------------------------------------------------------------------------------------


def page(cast):
    return reverse("journal:exemptions", args=[cast.class_a.pk])


def test_page_lists_and_adds(client, cast, math):
    client.force_login(cast.classteacher)
    data = {"pupil": cast.pupil.pk, "subject": math.pk, "period": q(cast, 2).pk, "reason": "Справка № 7"}
    response = client.post(page(cast), data)
    assert response.status_code == 302 and response.url == page(cast)
    exemption = SubjectExemption.objects.get()
    assert exemption.period == q(cast, 2) and exemption.created_by == cast.classteacher
    response = client.get(page(cast))
    assert response.status_code == 200
    text = response.content.decode()
    assert "Справка № 7" in text and "2 четверть" in text and "Удалить освобождение?" in text
    # the class page links here
    assert page(cast) in client.get(reverse("journal:class_detail", args=[cast.class_a.pk])).content.decode()


def test_page_adds_for_the_year_and_shows_errors(client, cast, math):
    client.force_login(cast.deputy)
    data = {"pupil": cast.pupil.pk, "subject": math.pk, "period": "", "reason": "Заключение ВК"}
    assert client.post(page(cast), data).status_code == 302
    assert SubjectExemption.objects.get().period is None
    response = client.post(page(cast), data)
    assert response.status_code == 400
    assert "на весь учебный год" in response.content.decode()
    response = client.post(page(cast), {**data, "reason": "", "subject": cast.physics_b.subject.pk})
    assert response.status_code == 400
    assert SubjectExemption.objects.count() == 1
    for bad in ("abc", "99999999999999999999"):
        assert client.post(page(cast), {**data, "pupil": bad}).status_code == 400


def test_remove(client, cast, math):
    exemption = create(cast)
    client.force_login(cast.classteacher)
    url = reverse("journal:exemption_delete", args=[cast.class_a.pk, exemption.pk])
    assert client.get(url).status_code == 405
    response = client.post(url)
    assert response.status_code == 302 and not SubjectExemption.objects.exists()
    assert client.post(url).status_code == 404


def test_anonymous_is_sent_to_login(client, cast, math):
    exemption = create(cast)
    for url in (page(cast), reverse("journal:exemption_delete", args=[cast.class_a.pk, exemption.pk])):
        response = client.post(url, {"pupil": cast.pupil.pk})
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    assert SubjectExemption.objects.count() == 1


@pytest.mark.parametrize("who", ["teacher", "other_teacher", "pupil_user", "parent_user", "foreign_admin"])
def test_outsiders_and_read_only_get_404_and_change_nothing(client, cast, math, who):
    exemption = create(cast)
    client.force_login(getattr(cast, who))
    data = {"pupil": cast.pupil.pk, "subject": math.pk, "period": q(cast, 2).pk, "reason": "x"}
    assert client.get(page(cast)).status_code == 404
    assert client.post(page(cast), data).status_code == 404
    url = reverse("journal:exemption_delete", args=[cast.class_a.pk, exemption.pk])
    assert client.post(url).status_code == 404
    assert list(SubjectExemption.objects.all()) == [exemption]


def test_another_class_teacher_gets_404(client, cast, math):
    services.class_teacher_set(actor=cast.admin, school_class=cast.class_b, teacher=cast.other_teacher)
    exemption = create(cast)
    client.force_login(cast.other_teacher)
    assert client.get(page(cast)).status_code == 404
    # nor through their own class
    url = reverse("journal:exemption_delete", args=[cast.class_b.pk, exemption.pk])
    assert client.post(url).status_code == 404
    assert SubjectExemption.objects.count() == 1


def test_page_queries_do_not_grow(client, cast, math, django_assert_max_num_queries):
    client.force_login(cast.classteacher)
    create(cast)
    with django_assert_max_num_queries(30) as first:
        client.get(page(cast))
    SubjectExemption.objects.all().delete()
    for number in (1, 2, 3):
        create(cast, period=q(cast, number))
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(page(cast))
