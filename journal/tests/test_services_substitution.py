import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404

from accounts.tests.factories import SchoolFactory, UserFactory
from journal.access import lesson_for_user
from journal.choices import YearStatus
from journal.models import Lesson, Mark, SchoolYear, Substitution
from journal.services.substitution import substitution_cancel, substitution_record

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
    Lesson.objects.create(assignment=cast.physics_b, date=DAY, number=3)
    Lesson.objects.create(assignment=cast.physics_b, date=DAY + dt.timedelta(days=1), number=2)
    record(cast, lesson)


def test_a_substitute_whose_own_lesson_is_replaced_is_free(cast, lesson):
    own = Lesson.objects.create(assignment=cast.physics_b, date=DAY, number=2)
    record(cast, own, substitute=cast.classteacher)
    record(cast, lesson)  # other_teacher's own lesson is taken by the class teacher


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
