import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone

from accounts.models import PupilProfile
from journal import demo, selectors, services
from journal.choices import YearStatus
from journal.models import Enrollment, SchoolYear
from journal.selectors.closing import class_roster, movement_report
from journal.services.movement import pupil_arrive, pupil_leave, pupil_move

D = dt.date


@pytest.fixture
def class_7b(cast):
    return services.class_create(actor=cast.admin, year=cast.year, grade=7, letter="Б")


def names(school_class, day):
    return [p.user.username for p in selectors.class_pupils(school_class, day)]


def assert_never_in_two_classes(pupil, year):
    enrollments = list(Enrollment.objects.filter(pupil=pupil, school_class__year=year))
    day = year.start_date
    while day <= year.end_date:
        running = [e for e in enrollments if e.date_from <= day and (e.date_to is None or e.date_to >= day)]
        assert len(running) <= 1, f"{pupil} in {len(running)} classes on {day}"
        day += dt.timedelta(days=1)


def test_a_new_pupil_arrives_from_a_date(cast):
    enrollment = pupil_arrive(
        actor=cast.admin,
        school_class=cast.class_a,
        date=D(2026, 11, 16),
        reason="прибыл из МБОУ СОШ № 12",
        last_name="Новикова",
        first_name="Дарья",
        date_of_birth=D(2013, 4, 2),
        sex="f",
    )
    pupil = enrollment.pupil
    assert pupil.user.username == "p0001"
    assert pupil.user.school == cast.school
    assert (enrollment.date_from, enrollment.date_to, enrollment.reason_in) == (
        D(2026, 11, 16),
        None,
        "прибыл из МБОУ СОШ № 12",
    )
    assert "p0001" not in names(cast.class_a, D(2026, 11, 13))
    assert "p0001" in names(cast.class_a, D(2026, 11, 16))
    # The pupil can see their own diary, as every pupil made by the service.
    assert pupil.user.has_perm("view_pupil_diary", pupil)


def test_arrival_needs_a_reason_a_name_and_a_date_in_the_year(cast):
    kwargs = {"actor": cast.admin, "school_class": cast.class_a, "last_name": "Н", "first_name": "Д"}
    with pytest.raises(ValidationError, match="основание"):
        pupil_arrive(date=D(2026, 11, 16), reason="  ", **kwargs)
    with pytest.raises(ValidationError, match="внутри учебного года"):
        pupil_arrive(date=D(2027, 6, 1), reason="прибыл", **kwargs)
    with pytest.raises(ValidationError, match="фамилию и имя"):
        pupil_arrive(actor=cast.admin, school_class=cast.class_a, date=D(2026, 11, 16), reason="прибыл")
    assert not Enrollment.objects.filter(date_from=D(2026, 11, 16)).exists()


def test_a_pupil_on_the_roll_cannot_arrive_again(cast):
    with pytest.raises(ValidationError, match="уже числится"):
        pupil_arrive(
            actor=cast.admin, school_class=cast.class_b, date=D(2026, 11, 16), reason="прибыл", pupil=cast.pupil
        )


def test_a_pupil_leaves_after_their_last_day(cast):
    enrollment = pupil_leave(actor=cast.admin, pupil=cast.pupil, date=D(2026, 11, 20), reason="выбыл в Лицей № 3")
    assert (enrollment.date_to, enrollment.reason_out) == (D(2026, 11, 20), "выбыл в Лицей № 3")
    assert "pupil" in names(cast.class_a, D(2026, 11, 20))
    assert "pupil" not in names(cast.class_a, D(2026, 11, 23))
    assert "pupil" in names(cast.class_a, D(2026, 9, 1))


def test_leaving_refuses_bad_dates(cast):
    with pytest.raises(ValidationError, match="внутри учебного года"):
        pupil_leave(actor=cast.admin, pupil=cast.pupil, date=D(2027, 6, 10), reason="выбыл")
    with pytest.raises(ValidationError, match="основание"):
        pupil_leave(actor=cast.admin, pupil=cast.pupil, date=D(2026, 11, 20), reason="")
    newcomer = pupil_arrive(
        actor=cast.admin,
        school_class=cast.class_a,
        date=D(2026, 11, 16),
        reason="прибыл",
        last_name="Новиков",
        first_name="Илья",
    ).pupil
    with pytest.raises(ValidationError, match="только с 16.11.2026"):
        pupil_leave(actor=cast.admin, pupil=newcomer, date=D(2026, 10, 1), reason="выбыл")
    pupil_leave(actor=cast.admin, pupil=newcomer, date=D(2026, 11, 20), reason="выбыл")
    with pytest.raises(ValidationError, match="выбыл из 7 «А» 20.11.2026"):
        pupil_leave(actor=cast.admin, pupil=newcomer, date=D(2026, 12, 1), reason="выбыл")
    assert Enrollment.objects.get(pupil=newcomer).date_to == D(2026, 11, 20)


def test_a_pupil_who_left_can_come_back(cast):
    pupil_leave(actor=cast.admin, pupil=cast.pupil, date=D(2026, 10, 9), reason="выбыл")
    pupil_arrive(actor=cast.admin, school_class=cast.class_a, date=D(2026, 11, 9), reason="вернулся", pupil=cast.pupil)
    assert "pupil" not in names(cast.class_a, D(2026, 10, 20))
    assert "pupil" in names(cast.class_a, D(2026, 11, 9))
    assert_never_in_two_classes(cast.pupil, cast.year)


def test_a_move_ends_the_old_class_the_day_before(cast, class_7b):
    moved = pupil_move(actor=cast.admin, pupil=cast.pupil, to_class=class_7b, date=D(2026, 11, 16))
    old = Enrollment.objects.get(pupil=cast.pupil, school_class=cast.class_a)
    assert old.date_to == D(2026, 11, 15)
    assert old.reason_out == "переведён в 7 «Б»"
    assert (moved.date_from, moved.date_to, moved.reason_in) == (D(2026, 11, 16), None, "переведён из 7 «А»")
    assert "pupil" in names(cast.class_a, D(2026, 11, 15)) and "pupil" not in names(class_7b, D(2026, 11, 15))
    assert "pupil" in names(class_7b, D(2026, 11, 16)) and "pupil" not in names(cast.class_a, D(2026, 11, 16))
    assert_never_in_two_classes(cast.pupil, cast.year)


def test_a_move_can_put_the_pupil_into_subgroups_of_the_new_class(cast, class_7b):
    group = services.subgroup_create(actor=cast.admin, school_class=class_7b, name="1 подгруппа", pupils=[])
    pupil_move(actor=cast.admin, pupil=cast.pupil, to_class=class_7b, date=D(2026, 11, 16), subgroups=[group])
    assert list(group.pupils.all()) == [cast.pupil]
    foreign = services.subgroup_create(actor=cast.admin, school_class=cast.class_b, name="1 подгруппа", pupils=[])
    with pytest.raises(ValidationError, match="не к 8 «Б»|не к 7 «А»"):
        pupil_move(actor=cast.admin, pupil=cast.pupil, to_class=cast.class_a, date=D(2026, 12, 1), subgroups=[foreign])


def test_moves_refuse_bad_dates_and_classes(cast, class_7b):
    with pytest.raises(ValidationError, match="не раньше следующего дня"):
        pupil_move(actor=cast.admin, pupil=cast.pupil, to_class=class_7b, date=D(2026, 9, 1))
    with pytest.raises(ValidationError, match="внутри учебного года|только с"):
        pupil_move(actor=cast.admin, pupil=cast.pupil, to_class=class_7b, date=D(2026, 8, 20))
    with pytest.raises(ValidationError, match="уже числится в 7 «А»"):
        pupil_move(actor=cast.admin, pupil=cast.pupil, to_class=cast.class_a, date=D(2026, 11, 16))
    later = services.school_year_create(
        actor=cast.admin, school=cast.school, name="2027/2028", start_date=D(2027, 9, 1), end_date=D(2028, 5, 26)
    )
    next_class = services.class_create(actor=cast.admin, year=later, grade=8, letter="А")
    with pytest.raises(ValidationError, match="того же учебного года"):
        pupil_move(actor=cast.admin, pupil=cast.pupil, to_class=next_class, date=D(2026, 11, 16))
    assert Enrollment.objects.get(pupil=cast.pupil).date_to is None


def test_a_failed_move_changes_nothing(cast, class_7b):
    # The pupil will leave 7 «А» on 31.12 and join 8 «Б» on 11.01: a move into 7 «Б» from 16.11 would overlap.
    pupil_leave(actor=cast.admin, pupil=cast.pupil, date=D(2026, 12, 31), reason="перевод")
    pupil_arrive(actor=cast.admin, school_class=cast.class_b, date=D(2027, 1, 11), reason="перевод", pupil=cast.pupil)
    with pytest.raises(ValidationError, match="уже числится"):
        pupil_move(actor=cast.admin, pupil=cast.pupil, to_class=class_7b, date=D(2026, 11, 16))
    assert Enrollment.objects.get(pupil=cast.pupil, school_class=cast.class_a).date_to == D(2026, 12, 31)
    assert not Enrollment.objects.filter(school_class=class_7b).exists()
    assert_never_in_two_classes(cast.pupil, cast.year)


def test_only_the_admin_records_movement(cast, class_7b):
    for actor in (cast.deputy, cast.director, cast.classteacher, cast.foreign_admin):
        with pytest.raises(PermissionDenied):
            pupil_leave(actor=actor, pupil=cast.pupil, date=D(2026, 11, 20), reason="выбыл")
        with pytest.raises(PermissionDenied):
            pupil_move(actor=actor, pupil=cast.pupil, to_class=class_7b, date=D(2026, 11, 16))
        with pytest.raises(PermissionDenied):
            pupil_arrive(
                actor=actor, school_class=cast.class_a, date=D(2026, 11, 16), reason="прибыл", pupil=cast.other_pupil
            )
    assert Enrollment.objects.filter(date_to__isnull=False).count() == 0


def test_a_closed_year_refuses_movement(cast, class_7b):
    SchoolYear.objects.filter(pk=cast.year.pk).update(status=YearStatus.CLOSED)
    cast.year.refresh_from_db()
    cast.class_a.refresh_from_db()
    class_7b.refresh_from_db()
    with pytest.raises(ValidationError, match="закрыт"):
        pupil_leave(actor=cast.admin, pupil=cast.pupil, date=D(2026, 11, 20), reason="выбыл")
    with pytest.raises(ValidationError, match="закрыт"):
        pupil_move(actor=cast.admin, pupil=cast.pupil, to_class=class_7b, date=D(2026, 11, 16))
    with pytest.raises(ValidationError, match="закрыт"):
        pupil_arrive(
            actor=cast.admin,
            school_class=class_7b,
            date=D(2026, 11, 16),
            reason="прибыл",
            last_name="Н",
            first_name="И",
        )


def test_class_roster_gives_each_pupil_their_days(cast, class_7b):
    pupil_move(actor=cast.admin, pupil=cast.pupil, to_class=class_7b, date=D(2026, 11, 16))
    year = cast.year
    roster_a = {row.pupil.user.username: row for row in class_roster(cast.class_a, year.start_date, year.end_date)}
    assert roster_a["pupil"].arrived_on is None
    assert roster_a["pupil"].left_on == D(2026, 11, 15)
    assert roster_a["pupil"].is_enrolled(D(2026, 11, 15)) and not roster_a["pupil"].is_enrolled(D(2026, 11, 16))
    roster_b = class_roster(class_7b, year.start_date, year.end_date)
    assert [(row.pupil.user.username, row.arrived_on, row.left_on) for row in roster_b] == [
        ("pupil", D(2026, 11, 16), None)
    ]
    # An interval before the move: the pupil is in 7 «А» throughout and not in 7 «Б» at all.
    autumn = class_roster(cast.class_a, D(2026, 9, 1), D(2026, 10, 31))
    assert [(row.pupil.user.username, row.arrived_on, row.left_on) for row in autumn] == [("pupil", None, None)]
    assert class_roster(class_7b, D(2026, 9, 1), D(2026, 10, 31)) == []


def test_movement_report_counts_arrivals_departures_and_moves(cast, class_7b):
    pupil_move(actor=cast.admin, pupil=cast.pupil, to_class=class_7b, date=D(2026, 11, 16), reason="приказ № 61")
    pupil_leave(actor=cast.admin, pupil=cast.other_pupil, date=D(2026, 10, 9), reason="выбыл в СОШ № 3")
    pupil_arrive(
        actor=cast.admin,
        school_class=cast.class_b,
        date=D(2026, 10, 12),
        reason="прибыл из СОШ № 12",
        last_name="Новиков",
        first_name="Илья",
    )
    pupil_arrive(
        actor=cast.admin,
        school_class=cast.class_a,
        date=D(2027, 2, 1),  # after the report's date: listed, not yet counted
        reason="прибудет",
        last_name="Зайцев",
        first_name="Глеб",
    )
    report = movement_report(cast.year, D(2026, 11, 20))
    rows = {str(row.school_class): row for row in report.classes}
    assert (rows["7 «А»"].at_start, rows["7 «А»"].moved_out, rows["7 «А»"].arrived, rows["7 «А»"].now) == (1, 1, 0, 0)
    assert (rows["7 «Б»"].at_start, rows["7 «Б»"].moved_in, rows["7 «Б»"].now) == (0, 1, 1)
    assert (rows["8 «Б»"].at_start, rows["8 «Б»"].left, rows["8 «Б»"].arrived, rows["8 «Б»"].now) == (1, 1, 1, 1)
    assert (report.total.at_start, report.total.now) == (2, 2)
    kinds = [(e.kind, e.day, e.effective) for e in report.events]
    assert kinds == [
        ("left", D(2026, 10, 9), True),
        ("arrived", D(2026, 10, 12), True),
        ("moved", D(2026, 11, 16), True),
        ("arrived", D(2027, 2, 1), False),
    ]
    assert report.events[2].reason == "приказ № 61"


def test_a_failed_arrival_leaves_no_account_behind(cast):
    foreign = services.subgroup_create(actor=cast.admin, school_class=cast.class_b, name="1 подгруппа", pupils=[])
    with pytest.raises(ValidationError, match="не к 7 «А»"):
        pupil_arrive(
            actor=cast.admin,
            school_class=cast.class_a,
            date=D(2026, 11, 16),
            reason="прибыл",
            last_name="Новикова",
            first_name="Дарья",
            subgroups=[foreign],
        )
    assert not PupilProfile.objects.filter(user__last_name="Новикова").exists()
    assert not Enrollment.objects.filter(date_from=D(2026, 11, 16)).exists()


def test_demo_movement(db):
    demo.seed(pupils=60, today=timezone.localdate(), timetable=False)  # calls seed_movement itself
    year = SchoolYear.objects.get()
    report = movement_report(year, year.end_date)
    assert (report.total.arrived, report.total.left, report.total.moved_in) == (4, 3, 1)
    assert all(e.reason for e in report.events)
    autumn = (D(year.start_date.year, 10, 1), D(year.start_date.year, 11, 30))
    assert all(autumn[0] <= e.day <= autumn[1] for e in report.events)
    assert report.total.now == report.total.at_start + 4 - 3
    # The fixed demo accounts keep their single enrolment from the first day.
    assert set(
        Enrollment.objects.filter(
            Q(pupil__user__username="pupil") | Q(pupil__parent_links__parent__user__username__in=["parent", "parent2"])
        ).values_list("date_from", "date_to")
    ) == {(year.start_date, None)}
    # The newcomers have a mother with a login, and the demo class 7 «А» has one of them.
    arrived = [e.pupil for e in report.events if e.kind == "arrived"]
    assert all(p.parent_links.count() == 1 for p in arrived)
    assert any(e.school_class.grade == 7 and e.school_class.letter == "А" for e in report.events if e.kind == "arrived")
    for pupil in {e.pupil for e in report.events}:
        assert_never_in_two_classes(pupil, year)
