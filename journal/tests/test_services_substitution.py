import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.tests.factories import SchoolFactory, UserFactory
from journal import services
from journal.access import lesson_for_user
from journal.choices import YearStatus
from journal.models import Lesson, Mark, SchoolYear, Substitution
from journal.services.substitution import (
    substitution_cancel,
    substitution_plan,
    substitution_record,
    substitutions_record_many,
)

DAY = dt.date(2026, 9, 14)


@pytest.fixture
def lesson(cast) -> Lesson:
    return Lesson.objects.create(assignment=cast.math_a, date=DAY, number=2)


def record(cast, lesson, substitute=None, actor=None, reason="болезнь учителя"):
    return substitution_record(
        actor=actor or cast.deputy, lesson=lesson, substitute=substitute or cast.other_teacher, reason=reason
    )


def test_the_deputy_records_a_substitution(cast, lesson):
    substitution = record(cast, lesson)
    lesson.refresh_from_db()
    assert (substitution.substitute, substitution.recorded_by, substitution.reason) == (
        cast.other_teacher,
        cast.deputy,
        "болезнь учителя",
    )
    assert lesson.taught_by == cast.other_teacher
    assert Lesson.history.filter(id=lesson.pk).latest("history_date").history_user == cast.deputy
    assert Substitution.history.get(id=substitution.pk).history_user == cast.deputy


def test_recording_again_changes_the_substitute(cast, lesson):
    record(cast, lesson)
    record(cast, lesson, substitute=cast.classteacher, actor=cast.admin)
    assert Substitution.objects.get(lesson=lesson).substitute == cast.classteacher
    lesson.refresh_from_db()
    assert lesson.taught_by == cast.classteacher


@pytest.mark.parametrize("who", ["teacher", "classteacher", "director", "other_teacher", "pupil_user", "foreign_admin"])
def test_only_the_deputy_and_the_admin_record(cast, lesson, who):
    with pytest.raises(PermissionDenied):
        record(cast, lesson, actor=getattr(cast, who))
    assert not Substitution.objects.exists()


def test_the_substitute_is_staff_of_the_school(cast, lesson):
    with pytest.raises(ValidationError, match="не является сотрудником"):
        record(cast, lesson, substitute=cast.pupil_user)
    stranger = UserFactory(school=SchoolFactory(), username="stranger")
    with pytest.raises(ValidationError, match="не является сотрудником"):
        record(cast, lesson, substitute=stranger)
    with pytest.raises(ValidationError, match="замена не нужна"):
        record(cast, lesson, substitute=cast.teacher)
    assert not Substitution.objects.exists()


def test_a_substitute_busy_with_their_own_lesson_is_refused(cast, lesson):
    Lesson.objects.create(assignment=cast.physics_b, date=DAY, number=2)
    with pytest.raises(ValidationError, match="в это время ведёт другой урок: 2 урок 14.09.2026, Физика — 8 «Б»"):
        record(cast, lesson)
    lesson.refresh_from_db()
    assert lesson.taught_by is None and not Substitution.objects.exists()


def test_another_number_or_day_is_no_conflict(cast, lesson):
    """other_teacher teaches the 3rd lesson that day and the 2nd the next day: free for the 2nd on the day."""
    Lesson.objects.create(assignment=cast.physics_b, date=DAY, number=3)
    Lesson.objects.create(assignment=cast.physics_b, date=DAY + dt.timedelta(days=1), number=2)
    substitution = record(cast, lesson)
    assert Substitution.objects.get(lesson=lesson) == substitution
    assert substitution.substitute == cast.other_teacher
    assert Lesson.objects.get(pk=lesson.pk).taught_by == cast.other_teacher


def test_a_substitute_whose_own_lesson_is_replaced_is_free(cast, lesson):
    own = Lesson.objects.create(assignment=cast.physics_b, date=DAY, number=2)
    record(cast, own, substitute=cast.classteacher)
    record(cast, lesson)  # other_teacher's own lesson is taken by the class teacher
    taught = dict(Lesson.objects.filter(date=DAY, number=2).values_list("pk", "taught_by"))
    assert taught == {own.pk: cast.classteacher.pk, lesson.pk: cast.other_teacher.pk}
    assert dict(Substitution.objects.values_list("lesson", "substitute")) == taught


def test_a_substitute_already_replacing_elsewhere_is_refused(cast, lesson):
    other = Lesson.objects.create(assignment=cast.russian_b, date=DAY, number=2)
    record(cast, other, substitute=cast.other_teacher)
    with pytest.raises(ValidationError, match="Русский язык — 8 «Б»"):
        record(cast, lesson)


def test_the_substitute_keeps_that_lesson_only(cast, lesson):
    another = Lesson.objects.create(assignment=cast.math_a, date=DAY + dt.timedelta(days=1), number=2)
    with pytest.raises(Http404):
        lesson_for_user(cast.other_teacher, lesson.pk)
    record(cast, lesson)
    found, can_edit = lesson_for_user(cast.other_teacher, lesson.pk)
    assert found == lesson and can_edit
    with pytest.raises(Http404):
        lesson_for_user(cast.other_teacher, another.pk)


def test_cancel_restores_the_lesson(cast, lesson):
    substitution = record(cast, lesson)
    pk = substitution.pk
    substitution_cancel(actor=cast.deputy, substitution=substitution)
    lesson.refresh_from_db()
    assert lesson.taught_by is None and not Substitution.objects.exists()
    assert Substitution.history.get(id=pk, history_type="-").history_user == cast.deputy
    with pytest.raises(Http404):
        lesson_for_user(cast.other_teacher, lesson.pk)


def test_cancel_is_refused_once_the_substitute_wrote(cast, lesson):
    substitution = record(cast, lesson)
    Mark.objects.create(lesson=lesson, pupil=cast.pupil, value="5", updated_by=cast.other_teacher)
    with pytest.raises(ValidationError, match="уже вносил"):
        substitution_cancel(actor=cast.deputy, substitution=substitution)
    with pytest.raises(PermissionDenied):
        substitution_cancel(actor=cast.teacher, substitution=substitution)
    assert Substitution.objects.filter(pk=substitution.pk).exists()


def test_a_closed_year_refuses(cast, lesson):
    SchoolYear.objects.filter(pk=cast.year.pk).update(status=YearStatus.CLOSED)
    lesson = Lesson.objects.select_related("assignment__year").get(pk=lesson.pk)
    with pytest.raises(ValidationError, match="закрыт"):
        record(cast, lesson)


# All the lessons of an absent teacher over a day or a period -------------------------------------------------------

MSK = dt.timezone(dt.timedelta(hours=3))


@pytest.fixture
def before_the_week():
    """Friday before the week of 14.09.2026: the lessons are ahead, none is locked."""
    with time_machine.travel(dt.datetime(2026, 9, 11, 10, 0, tzinfo=MSK), tick=False):
        yield


@pytest.fixture
def week(cast, before_the_week) -> list[Lesson]:
    """The teacher's (math, 7 «А») lessons: Monday 1st and 3rd, Tuesday 2nd; physics of other_teacher on Monday 3rd."""
    lessons = [
        Lesson.objects.create(assignment=cast.math_a, date=DAY, number=1),
        Lesson.objects.create(assignment=cast.math_a, date=DAY, number=3),
        Lesson.objects.create(assignment=cast.math_a, date=DAY + dt.timedelta(days=1), number=2),
    ]
    Lesson.objects.create(assignment=cast.physics_b, date=DAY, number=3)
    return lessons


def plan(cast, **given):
    arguments = {
        "actor": cast.deputy,
        "year": cast.year,
        "absent": cast.teacher,
        "date_from": DAY,
        "date_to": DAY + dt.timedelta(days=4),
        **given,
    }
    return substitution_plan(**arguments)


def record_all(cast, **given):
    arguments = {
        "actor": cast.deputy,
        "year": cast.year,
        "absent": cast.teacher,
        "date_from": DAY,
        "date_to": DAY + dt.timedelta(days=4),
        "reason": "болезнь учителя",
        **given,
    }
    return substitutions_record_many(**arguments)


def test_every_lesson_of_the_period_is_replaced_at_once(cast, week):
    preview = plan(cast, substitute=cast.classteacher)
    assert [row.lesson for row in preview.rows] == week
    assert preview.conflicts == [] and len(preview.to_record) == 3
    assert not Substitution.objects.exists()  # the plan only reads
    recorded = record_all(cast, substitute=cast.classteacher)
    assert len(recorded) == 3
    assert set(Substitution.objects.values_list("lesson_id", "substitute_id", "reason", "recorded_by_id")) == {
        (lesson.pk, cast.classteacher.pk, "болезнь учителя", cast.deputy.pk) for lesson in week
    }
    assert set(Lesson.objects.filter(pk__in=[w.pk for w in week]).values_list("taught_by_id", flat=True)) == {
        cast.classteacher.pk
    }
    # Recording the same again changes nothing and says there is nothing to record.
    with pytest.raises(ValidationError, match="не выбран заменяющий"):
        record_all(cast, substitute=cast.classteacher)


def test_a_substitute_busy_then_is_a_conflict_and_nothing_is_saved(cast, week):
    preview = plan(cast, substitute=cast.other_teacher)
    conflicts = {row.lesson: row.conflicts for row in preview.rows if row.conflicts}
    assert list(conflicts) == [week[1]]
    assert conflicts[week[1]] == ["Other_teacher А. П. в это время ведёт свой урок: 3 урок 14.09.2026, Физика — 8 «Б»."]
    assert cast.other_teacher not in preview.rows[1].free_staff and cast.other_teacher in preview.rows[0].free_staff
    with pytest.raises(ValidationError, match="конфликтов — 1"):
        record_all(cast, substitute=cast.other_teacher)
    assert not Substitution.objects.exists()  # all or nothing: the free lessons were not saved either
    # Another substitute for that one lesson: the rest keep the common one.
    record_all(cast, substitute=cast.other_teacher, substitutes={week[1].pk: cast.classteacher})
    assert dict(Substitution.objects.values_list("lesson_id", "substitute_id")) == {
        week[0].pk: cast.other_teacher.pk,
        week[1].pk: cast.classteacher.pk,
        week[2].pk: cast.other_teacher.pk,
    }


def test_a_lesson_already_replaced_is_a_conflict_unless_kept(cast, week):
    substitution_record(actor=cast.deputy, lesson=week[0], substitute=cast.other_teacher)
    preview = plan(cast, substitute=cast.classteacher)
    assert "уже оформлена замена: ведёт Other_teacher А. П." in preview.rows[0].conflicts[0]
    with pytest.raises(ValidationError, match="конфликтов — 1"):
        record_all(cast, substitute=cast.classteacher)
    record_all(cast, substitute=cast.classteacher, substitutes={week[0].pk: None})
    assert dict(Substitution.objects.values_list("lesson_id", "substitute_id")) == {
        week[0].pk: cast.other_teacher.pk,  # kept as it was
        week[1].pk: cast.classteacher.pk,
        week[2].pk: cast.classteacher.pk,
    }
    # The same substitute as recorded is no conflict and nothing to record.
    assert plan(cast, substitute=cast.classteacher, substitutes={week[0].pk: cast.other_teacher}).conflicts == []


def test_a_substitute_replacing_elsewhere_then_is_a_conflict(cast, week):
    elsewhere = Lesson.objects.create(assignment=cast.russian_b, date=DAY + dt.timedelta(days=1), number=2)
    substitution_record(actor=cast.deputy, lesson=elsewhere, substitute=cast.other_teacher)
    preview = plan(cast, substitute=cast.other_teacher, substitutes={week[1].pk: None})
    assert [row.conflicts for row in preview.rows] == [
        [],
        [],
        ["Other_teacher А. П. в это время уже заменяет на другом уроке: 2 урок 15.09.2026, Русский язык — 8 «Б»."],
    ]


def test_one_substitute_for_two_lessons_at_the_same_time_is_a_conflict(cast, week):
    second = services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_b,
        subject=cast.math_a.subject,
        teacher=cast.teacher,
        hours_per_week=Decimal(1),
    )
    twin = Lesson.objects.create(assignment=second, date=DAY, number=1)
    preview = plan(cast, substitute=cast.classteacher)
    row = next(row for row in preview.rows if row.lesson == twin)
    assert row.conflicts == [
        "Classteacher А. П. уже выбран(а) в этом списке для урока в то же время: 1 урок 14.09.2026, Математика — 7 «А»."
    ]


def test_a_lesson_on_a_day_off_and_a_locked_lesson_are_conflicts(cast):
    holiday = Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 11, 4), number=1)  # Unity Day
    old = Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 10, 14), number=1)
    with time_machine.travel(dt.datetime(2026, 11, 2, 10, 0, tzinfo=MSK), tick=False):
        preview = plan(
            cast, substitute=cast.classteacher, date_from=dt.date(2026, 10, 14), date_to=dt.date(2026, 11, 6)
        )
    conflicts = {row.lesson: row.conflicts for row in preview.rows}
    assert conflicts[holiday] == ["04.11.2026 — не учебный день для 7 классов (праздник, выходной или каникулы)."]
    assert len(conflicts[old]) == 1 and "Срок исправления отметок за 14.10.2026 истёк" in conflicts[old][0]


def test_the_period_and_the_people_are_checked(cast, week):
    with pytest.raises(ValidationError, match="не больше 31 календарного дня"):
        plan(cast, substitute=cast.classteacher, date_to=DAY + dt.timedelta(days=31))
    with pytest.raises(ValidationError, match="раньше его начала"):
        plan(cast, substitute=cast.classteacher, date_to=DAY - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="внутри учебного года"):
        plan(cast, substitute=cast.classteacher, date_from=dt.date(2026, 8, 31))
    with pytest.raises(ValidationError, match="не является сотрудником"):
        plan(cast, substitute=cast.pupil_user)
    with pytest.raises(ValidationError, match="сам отсутствующий"):
        record_all(cast, substitute=cast.teacher)
    with pytest.raises(ValidationError, match="не выбран заменяющий"):
        record_all(cast)
    assert not Substitution.objects.exists()


@pytest.mark.parametrize("who", ["director", "teacher", "classteacher", "foreign_admin"])
def test_only_the_deputy_and_the_admin_replace_in_bulk(cast, week, who):
    with pytest.raises(PermissionDenied):
        record_all(cast, actor=getattr(cast, who), substitute=cast.classteacher)
    assert not Substitution.objects.exists()
    assert len(record_all(cast, actor=cast.admin, substitute=cast.classteacher)) == 3


def test_bulk_in_a_closed_year_is_refused(cast, week):
    SchoolYear.objects.filter(pk=cast.year.pk).update(status=YearStatus.CLOSED)
    year = SchoolYear.objects.get(pk=cast.year.pk)
    with pytest.raises(ValidationError, match="закрыт"):
        record_all(cast, year=year, substitute=cast.classteacher)
