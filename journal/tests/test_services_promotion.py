import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts import services as account_services
from journal import services
from journal.choices import YearStatus
from journal.models import Enrollment, Promotion, PromotionDecision, SchoolClass, SchoolYear
from journal.services.movement import pupil_arrive, pupil_leave
from journal.services.promotion import promotion_apply, promotion_preview, promotion_set, promotion_set_many
from journal.services.year_copy import year_copy_structure
from journal.tests.concurrency import run_at_once, skip_unless_postgres, together

D = dt.date


@pytest.fixture(autouse=True)
def at_the_years_end():
    """Promotion is applied from the day the year's last period ends (26.05.2027 for the cast)."""
    with time_machine.travel(dt.datetime(2027, 5, 27, 10, 0, tzinfo=dt.UTC), tick=False):
        yield


def add_pupil(cast, school_class, username):
    pupil = account_services.pupil_create(
        actor=cast.admin, school=cast.school, username=username, last_name=username.capitalize(), first_name="Иван"
    )
    services.enrollment_create(actor=cast.admin, pupil=pupil, school_class=school_class, date_from=cast.year.start_date)
    return pupil


@pytest.fixture
def school(cast):
    """The cast plus a 9th and an 11th grade, two pupils each."""
    cast.class_9a = services.class_create(actor=cast.admin, year=cast.year, grade=9, letter="А")
    cast.class_11a = services.class_create(actor=cast.admin, year=cast.year, grade=11, letter="А")
    cast.ninth = [add_pupil(cast, cast.class_9a, f"ninth{n}") for n in (1, 2)]
    cast.eleventh = [add_pupil(cast, cast.class_11a, f"eleventh{n}") for n in (1, 2)]
    return cast


def copy_year(cast) -> SchoolYear:
    return year_copy_structure(
        actor=cast.admin, source_year=cast.year, name="2027/2028", start_date=D(2027, 9, 1), end_date=D(2028, 5, 26)
    )


@pytest.fixture
def next_year(school):
    return copy_year(school)


def decisions(year):
    return {
        p.pupil.user.username: (p.decision, str(p.target_class) if p.target_class else None)
        for p in Promotion.objects.filter(year=year).select_related("pupil__user", "target_class")
    }


def row(year, pupil):
    return Promotion.objects.select_related("year__school", "from_class").get(year=year, pupil=pupil)


def test_preview_defaults(school, next_year):
    result = promotion_preview(actor=school.deputy, year=school.year)
    assert result.created == 6
    assert decisions(school.year) == {
        "pupil": ("promote", "8 «А»"),
        "other_pupil": ("promote", "9 «Б»"),
        "ninth1": ("graduate", None),
        "ninth2": ("graduate", None),
        "eleventh1": ("graduate", None),
        "eleventh2": ("graduate", None),
    }
    assert result.counts == {"promote": 2, "graduate": 4}
    assert result.by_target == {"8 «А»": 1, "9 «Б»": 1}
    assert Promotion.objects.get(pupil=school.pupil).target_class.year == next_year


def test_preview_without_the_next_year_says_so_and_apply_refuses(school):
    result = promotion_preview(actor=school.admin, year=school.year)
    assert result.next_year is None
    assert result.without_target == 2
    with pytest.raises(ValidationError, match="Следующий учебный год не создан"):
        promotion_apply(actor=school.admin, year=school.year)
    school.year.refresh_from_db()
    assert school.year.promoted_at is None and school.year.status == YearStatus.DRAFT
    # Once the next year exists, a refresh fills in the targets.
    copy_year(school)
    result = promotion_preview(actor=school.admin, year=school.year)
    assert (result.created, result.updated, result.without_target) == (0, 2, 0)


def test_refresh_keeps_adjustments_and_reset_drops_them(school, next_year):
    promotion_preview(actor=school.deputy, year=school.year)
    promotion_set(actor=school.deputy, promotion=row(school.year, school.pupil), decision=PromotionDecision.LEAVE)
    promotion_preview(actor=school.deputy, year=school.year)
    assert decisions(school.year)["pupil"] == ("leave", None)
    result = promotion_preview(actor=school.deputy, year=school.year, reset=True)
    assert result.updated == 1
    assert decisions(school.year)["pupil"] == ("promote", "8 «А»")


def test_refresh_follows_the_movement(school, next_year):
    promotion_preview(actor=school.deputy, year=school.year)
    pupil_leave(actor=school.admin, pupil=school.ninth[0], date=D(2027, 3, 1), reason="выбыл")
    newcomer = pupil_arrive(
        actor=school.admin,
        school_class=school.class_a,
        date=D(2027, 3, 1),
        reason="прибыл",
        last_name="Новиков",
        first_name="Илья",
    ).pupil
    with pytest.raises(ValidationError, match="Состав классов изменился"):
        promotion_apply(actor=school.deputy, year=school.year)
    result = promotion_preview(actor=school.deputy, year=school.year)
    assert (result.created, result.removed) == (1, 1)
    assert decisions(school.year)[newcomer.user.username] == ("promote", "8 «А»")
    assert "ninth1" not in decisions(school.year)


def test_adjustments_are_validated(school, next_year):
    promotion_preview(actor=school.deputy, year=school.year)
    ten_a = SchoolClass.objects.get(year=next_year, grade=10, letter="А")
    nine_b = SchoolClass.objects.get(year=next_year, grade=9, letter="Б")
    seventh = row(school.year, school.pupil)
    with pytest.raises(ValidationError, match="только учащиеся 9 и 11"):
        promotion_set(actor=school.deputy, promotion=seventh, decision=PromotionDecision.GRADUATE)
    with pytest.raises(ValidationError, match="в 8 класс, а не в 9 «Б»"):
        promotion_set(actor=school.deputy, promotion=seventh, decision=PromotionDecision.PROMOTE, target_class=nine_b)
    with pytest.raises(ValidationError, match="снова в 7 классе"):
        promotion_set(actor=school.deputy, promotion=seventh, decision=PromotionDecision.HOLD_BACK, target_class=nine_b)
    with pytest.raises(ValidationError, match="не относится к следующему"):
        promotion_set(
            actor=school.deputy, promotion=seventh, decision=PromotionDecision.PROMOTE, target_class=school.class_b
        )
    with pytest.raises(ValidationError, match="Выберите класс"):
        promotion_set(actor=school.deputy, promotion=seventh, decision=PromotionDecision.PROMOTE)
    with pytest.raises(ValidationError, match="Из 11 класса не переводят"):
        promotion_set(
            actor=school.deputy,
            promotion=row(school.year, school.eleventh[0]),
            decision=PromotionDecision.PROMOTE,
            target_class=ten_a,
        )
    # Several at once: all or nothing.
    with pytest.raises(ValidationError):
        promotion_set_many(
            actor=school.deputy,
            year=school.year,
            changes=[
                (row(school.year, school.ninth[0]), PromotionDecision.PROMOTE, ten_a),
                (row(school.year, school.pupil), PromotionDecision.GRADUATE, None),
            ],
        )
    assert decisions(school.year)["ninth1"] == ("graduate", None)
    assert decisions(school.year)["pupil"] == ("promote", "8 «А»")


def test_apply_promotes_holds_back_graduates_and_closes_the_year(school, next_year):
    seven_in_next = services.class_create(actor=school.admin, year=next_year, grade=7, letter="А")
    ten_a = SchoolClass.objects.get(year=next_year, grade=10, letter="А")
    eight_a = SchoolClass.objects.get(year=next_year, grade=8, letter="А")
    promotion_preview(actor=school.deputy, year=school.year)
    promotion_set(
        actor=school.deputy,
        promotion=row(school.year, school.pupil),
        decision=PromotionDecision.HOLD_BACK,
        target_class=seven_in_next,
    )
    promotion_set(
        actor=school.deputy,
        promotion=row(school.year, school.ninth[0]),
        decision=PromotionDecision.PROMOTE,
        target_class=ten_a,
    )
    promotion_set(actor=school.deputy, promotion=row(school.year, school.other_pupil), decision=PromotionDecision.LEAVE)

    result = promotion_apply(actor=school.deputy, year=school.year)

    assert result.applied
    assert result.enrolled == 2
    assert "закрыт" in result.message
    year = SchoolYear.objects.get(pk=school.year.pk)
    assert year.status == YearStatus.CLOSED and year.promoted_at is not None
    assert school.year.is_closed  # the caller's object too
    # Every enrolment of the closed year ends on its last day.
    assert set(Enrollment.objects.filter(school_class__year=year).values_list("date_to", flat=True)) == {year.end_date}
    new = {
        e.pupil.user.username: (str(e.school_class), e.date_from)
        for e in Enrollment.objects.filter(school_class__year=next_year).select_related("pupil__user", "school_class")
    }
    # The held-back pupil stays in the 7th grade, the 9th grader who continues goes to 10 «А»;
    # graduates and the pupil who leaves get no enrolment in the new year.
    assert new == {"pupil": ("7 «А»", D(2027, 9, 1)), "ninth1": ("10 «А»", D(2027, 9, 1))}
    assert not Enrollment.objects.filter(school_class=eight_a).exists()
    old = Enrollment.objects.get(pupil=school.ninth[1], school_class__year=year)
    assert old.reason_out == "окончил обучение (выпуск)"
    assert Enrollment.objects.get(pupil=school.ninth[0], school_class=ten_a).reason_in == "переведён из 9 «А»"
    assert not Promotion.objects.filter(year=year, applied_at__isnull=True).exists()
    # History records who did it.
    assert Enrollment.history.filter(history_user=school.deputy).count() == 6 + 2


def test_apply_twice_changes_nothing(school, next_year):
    promotion_preview(actor=school.admin, year=school.year)
    first = promotion_apply(actor=school.admin, year=school.year)
    snapshot = list(Enrollment.objects.order_by("pk").values_list("pk", "date_to", "school_class_id"))
    promoted_at = SchoolYear.objects.get(pk=school.year.pk).promoted_at
    second = promotion_apply(actor=school.admin, year=school.year)
    assert first.applied and not second.applied
    assert "уже проведён" in second.message and "ничего не изменено" in second.message
    assert list(Enrollment.objects.order_by("pk").values_list("pk", "date_to", "school_class_id")) == snapshot
    assert SchoolYear.objects.get(pk=school.year.pk).promoted_at == promoted_at


def test_a_stale_year_object_cannot_apply_twice(school, next_year):
    """Two people press the button: the second run's year object still says «not promoted»; the claim decides."""
    promotion_preview(actor=school.admin, year=school.year)
    stale = SchoolYear.objects.get(pk=school.year.pk)
    promotion_apply(actor=school.admin, year=school.year)
    count = Enrollment.objects.count()
    result = promotion_apply(actor=school.deputy, year=stale)
    assert not result.applied and "уже проведён" in result.message
    assert Enrollment.objects.count() == count


def test_the_closed_year_refuses_writes(school, next_year):
    promotion_preview(actor=school.admin, year=school.year)
    promotion_apply(actor=school.admin, year=school.year)
    year = SchoolYear.objects.get(pk=school.year.pk)
    school_class = SchoolClass.objects.get(pk=school.class_a.pk)
    math = school.math_a.subject
    stranger = account_services.pupil_create(
        actor=school.admin, school=school.school, username="late", last_name="П", first_name="П"
    )
    attempts = [
        lambda: services.class_create(actor=school.admin, year=year, grade=5, letter="В"),
        lambda: services.enrollment_create(
            actor=school.admin, pupil=stranger, school_class=school_class, date_from=D(2027, 5, 1)
        ),
        lambda: services.assignment_create(
            actor=school.admin,
            school_class=school_class,
            subject=math,
            teacher=school.other_teacher,
            hours_per_week=Decimal(1),
        ),
        lambda: services.curriculum_set(
            actor=school.admin, school_class=school_class, subject=math, hours_per_week=Decimal(5)
        ),
        lambda: pupil_leave(actor=school.admin, pupil=school.pupil, date=D(2027, 5, 20), reason="выбыл"),
        lambda: promotion_preview(actor=school.admin, year=year),
        lambda: promotion_set(actor=school.admin, promotion=row(year, school.pupil), decision=PromotionDecision.LEAVE),
    ]
    for attempt in attempts:
        with pytest.raises(ValidationError, match="закрыт|уже проведён"):
            attempt()
    assert not SchoolClass.objects.filter(year=year, grade=5).exists()


def test_promoted_pupils_keep_their_subgroups(school):
    group = services.subgroup_create(
        actor=school.admin, school_class=school.class_a, name="1 подгруппа", pupils=[school.pupil]
    )
    next_year = copy_year(school)
    promotion_preview(actor=school.admin, year=school.year)
    promotion_apply(actor=school.admin, year=school.year)
    new_group = SchoolClass.objects.get(year=next_year, grade=8, letter="А").subgroups.get(name="1 подгруппа")
    assert list(new_group.pupils.all()) == [school.pupil]
    assert list(group.pupils.all()) == [school.pupil]


def test_only_the_deputy_and_the_admin_promote(school, next_year):
    for actor in (school.director, school.teacher, school.classteacher, school.foreign_admin, school.parent_user):
        with pytest.raises(PermissionDenied):
            promotion_preview(actor=actor, year=school.year)
        with pytest.raises(PermissionDenied):
            promotion_apply(actor=actor, year=school.year)
    assert not Promotion.objects.exists()


@pytest.mark.parametrize("extra", [0, 30])
def test_apply_queries_do_not_grow_with_pupils(school, next_year, extra):
    for n in range(extra):
        add_pupil(school, school.class_a if n % 2 else school.class_b, f"extra{n}")
    promotion_preview(actor=school.deputy, year=school.year)
    with CaptureQueriesContext(connection) as queries:
        promotion_apply(actor=school.deputy, year=school.year)
    # SAVEPOINT, the last study period's end (may the year be closed yet), UPDATE the year (the claim), the next year, the promotion rows (with classes), the enrollments ending
    # with the year, one UPDATE of them per decision taken (two here), INSERT their history, the pupils already in the
    # next year, INSERT the new enrollments, INSERT their history, the next year's subgroups, the subgroups to carry,
    # UPDATE the promotion rows (applied), RELEASE
    assert len(queries) == 16, [q["sql"][:80] for q in queries]
    assert Enrollment.objects.filter(school_class__year=next_year).count() == 2 + extra


def test_the_year_is_closed_only_from_its_last_periods_end(school, next_year):
    # Issue 10: the promotion page offered to close the year in December.
    promotion_preview(actor=school.deputy, year=school.year)
    for moment in (dt.datetime(2026, 12, 2, 10, 0, tzinfo=dt.UTC), dt.datetime(2027, 5, 25, 20, 0, tzinfo=dt.UTC)):
        with time_machine.travel(moment, tick=False), pytest.raises(ValidationError, match="можно с 26.05.2027"):
            promotion_apply(actor=school.deputy, year=school.year)
    year = SchoolYear.objects.get(pk=school.year.pk)
    assert (year.promoted_at, year.status) == (None, school.year.status)
    assert not Enrollment.objects.filter(school_class__year=next_year).exists()
    with time_machine.travel(dt.datetime(2027, 5, 26, 8, 0, tzinfo=dt.UTC), tick=False):  # 11:00 in Moscow
        assert promotion_apply(actor=school.deputy, year=school.year).applied


def test_a_year_without_periods_closes_from_its_last_day(cast):
    from journal.services.promotion import year_closing_opens

    year = services.school_year_create(
        actor=cast.admin, school=cast.school, name="2027/2028", start_date=D(2027, 9, 1), end_date=D(2028, 5, 31)
    )
    assert year_closing_opens(year) == D(2028, 5, 31)
    assert year_closing_opens(cast.year) == D(2027, 5, 26)


# Two applies at once (PostgreSQL only) ------------------------------------------------------------------------------


@pytest.mark.races
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_applies_promote_once(school, next_year, monkeypatch):
    """The deputy and the admin press «Провести перевод» at the same moment: both pass the «not applied yet» check
    in their own transaction; the claim (a conditional UPDATE of the year) lets one apply, and the other, after
    waiting for the first's row lock, finds the year claimed and says so. Nothing is enrolled or written twice."""
    from journal.services import promotion as promotion_services

    skip_unless_postgres()
    promotion_preview(actor=school.deputy, year=school.year)
    # Each thread reads the year (promoted_at None in both), is let through the closer check together with the
    # other, and goes on to the «already applied?» check and the claim at the same moment.
    together(monkeypatch, promotion_services, "ensure_year_closer")

    def apply(actor):
        return promotion_apply(actor=actor, year=SchoolYear.objects.get(pk=school.year.pk))

    results, errors = run_at_once(lambda: apply(school.deputy), lambda: apply(school.admin))
    assert errors == []
    assert sorted(result.applied for result in results) == [False, True]
    [second] = [result for result in results if not result.applied]
    assert second.message.startswith("Перевод учащихся за 2026/2027 уже проведён")
    # The pupils promoted once: one enrolment each in the next year, one history row of the year's end each.
    assert Enrollment.objects.filter(school_class__year=next_year).count() == 2
    assert Enrollment.history.filter(history_change_reason="Перевод учащихся 2026/2027").count() == 6 + 2
    year = SchoolYear.objects.get(pk=school.year.pk)
    assert year.status == YearStatus.CLOSED and year.promoted_at is not None
