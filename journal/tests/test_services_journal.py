"""Marks, attendance, the lesson record and homework: every rule of journal.services.journal."""

import datetime as dt
import threading
import zoneinfo
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from accounts import services as account_services
from accounts.tests.factories import SchoolFactory
from journal import services
from journal.choices import YearStatus
from journal.models import (
    Attendance,
    EditWindow,
    Enrollment,
    Homework,
    Lesson,
    Mark,
    PlanTopic,
    Substitution,
    WorkType,
)
from journal.services import journal as journal_services
from journal.services.journal import (
    attendance_set,
    homework_remove,
    homework_set,
    lesson_record_and_homework_set,
    lesson_record_set,
    mark_set,
)
from journal.services.work_types import work_types_ensure
from journal.tests.concurrency import run_at_once, skip_unless_postgres, together

D = dt.date
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
LESSON_DAY = D(2026, 11, 10)  # a Tuesday; deadline 24.11.2026


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=MOSCOW), tick=False)


@pytest.fixture
def today():
    with at(D(2026, 11, 12)):
        yield D(2026, 11, 12)


@pytest.fixture
def lesson(cast):
    return Lesson.objects.create(assignment=cast.math_a, date=LESSON_DAY, number=2)


def kind(cast, name: str) -> WorkType:
    return next(k for k in work_types_ensure(cast.school) if k.name == name)


def new_pupil(cast, username: str, school_class, date_from: dt.date):
    profile = account_services.pupil_create(
        actor=cast.admin, school=cast.school, username=username, last_name="Новикова", first_name="Мария"
    )
    services.enrollment_create(actor=cast.admin, pupil=profile, school_class=school_class, date_from=date_from)
    return profile


# Marks ---------------------------------------------------------------------------------------------------------------


def test_a_mark_is_set_changed_and_cleared_with_history(cast, lesson, today):
    mark = mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5")
    assert (mark.value, mark.position, mark.updated_by) == ("5", 1, cast.teacher)
    assert mark.work_type.name == "устный ответ"  # the school's kinds were created on the first mark
    mark_set(actor=cast.classteacher, lesson=lesson, pupil=cast.pupil, value="4")
    cleared = mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="")
    assert cleared.pk == mark.pk and cleared.value == ""
    assert Mark.objects.filter(lesson=lesson, pupil=cast.pupil).count() == 1  # the row stays
    history = list(Mark.history.filter(id=mark.pk).order_by("history_id"))
    assert [(h.value, h.history_type, h.history_user) for h in history] == [
        ("5", "+", cast.teacher),
        ("4", "~", cast.classteacher),
        ("", "~", cast.teacher),
    ]


def _history_as_simple_history_writes_it(model, saved, written) -> None:
    """The history rows of ``written`` (by the service's plain SQL) hold what simple_history wrote for ``saved`` (by
    Model.save()): the same fields, each the row's own value, the date, type, user and reason alike."""
    fields = [field.attname for field in model.history.model._meta.concrete_fields if field.attname != "history_id"]
    for row in (saved, written):
        row.refresh_from_db()
        history = model.history.filter(id=row.pk).latest("history_id")
        got = {name: getattr(history, name) for name in fields}
        expected = {field.attname: getattr(row, field.attname) for field in model._meta.concrete_fields}
        assert {name: got[name] for name in expected} == expected
        assert got["history_date"] == timezone.now() and got["history_change_reason"] is None
        yield got


def test_the_history_rows_of_a_cell_are_those_simple_history_writes(cast, lesson, today):
    """mark_set and attendance_set write a cell's history row in plain SQL: it is the row simple_history's post_save
    writes for the same change (the e-mail scan and the cell's history read it)."""
    other = Lesson.objects.create(assignment=cast.math_a, date=LESSON_DAY, number=3)
    oral = kind(cast, "устный ответ")
    for history_type in ("+", "~"):
        if history_type == "+":
            saved = Mark(lesson=other, pupil=cast.pupil, position=1, value="5", work_type=oral, updated_by=cast.teacher)
        else:
            saved.value, saved.updated_by = "4", cast.classteacher
        saved._history_user = saved.updated_by
        saved.save()
        actor = cast.teacher if history_type == "+" else cast.classteacher
        written = mark_set(actor=actor, lesson=lesson, pupil=cast.pupil, value=saved.value)
        simple, ours = _history_as_simple_history_writes_it(Mark, saved, written)
        assert ours["history_type"] == simple["history_type"] == history_type
        assert ours["history_user_id"] == simple["history_user_id"] == actor.pk
        assert written.updated_at == Mark.objects.get(pk=written.pk).updated_at == timezone.now()
    absent, other = (Lesson.objects.create(assignment=cast.math_a, date=LESSON_DAY, number=n) for n in (4, 5))
    for history_type, code in (("+", "н"), ("~", "б")):
        if history_type == "+":
            saved = Attendance(lesson=other, pupil=cast.pupil, code=code, updated_by=cast.teacher)
        else:
            saved.code = code
        saved._history_user = cast.teacher
        saved.save()
        written = attendance_set(actor=cast.teacher, lesson=absent, pupil=cast.pupil, code=code)
        simple, ours = _history_as_simple_history_writes_it(Attendance, saved, written)
        assert ours["history_type"] == simple["history_type"] == history_type
        assert ours["history_user_id"] == simple["history_user_id"] == cast.teacher.pk


def test_a_cell_of_no_such_pupil_is_refused(cast, lesson, today):
    """The cell view passes the pupil by id (cell_pupil): the service reads whether there is one, with the cell."""
    from journal.selectors.grid import cell_pupil

    nobody = cell_pupil(10**9)
    for write in (
        lambda: mark_set(actor=cast.teacher, lesson=lesson, pupil=nobody, value="5"),
        lambda: mark_set(actor=cast.teacher, lesson=lesson, pupil=nobody, value=""),
        lambda: attendance_set(actor=cast.teacher, lesson=lesson, pupil=nobody, code="н"),
    ):
        with pytest.raises(ValidationError, match="Учащийся не найден"):
            write()
    # A pupil by id only is named in a refusal all the same (read with the cell).
    with pytest.raises(ValidationError, match=f"{cast.other_pupil.user.last_name} .* не числится в 7 «А»"):
        mark_set(actor=cast.teacher, lesson=lesson, pupil=cell_pupil(cast.other_pupil.pk), value="5")
    assert not Mark.objects.exists() and not Attendance.objects.exists()


def test_the_same_value_writes_no_history(cast, lesson, today):
    mark = mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5")
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5")
    assert Mark.history.filter(id=mark.pk).count() == 1


def test_clearing_an_empty_cell_writes_nothing(cast, lesson, today):
    mark = mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="")
    assert mark.pk is None and not Mark.objects.exists()


@pytest.mark.parametrize("value", ["6", "0", "отл", "5+", "зч", "нз", "н"])
def test_only_1_to_5_in_an_ordinary_subject(cast, lesson, today, value):
    with pytest.raises(ValidationError) as error:
        mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value=value)
    assert "от 1 до 5" in " ".join(error.value.messages)
    assert not Mark.objects.exists()


# What a stray key or a Latin layout sends: never read as the nearest mark (issue 10: «abc» was saved as «б»).
@pytest.mark.parametrize("value", ["abc", "b", "n", " 5", "5 ", "５", "зачёт", "Зч", "ЗЧ", "нз ", "7", "0"])
def test_a_mark_is_taken_exactly_or_refused(cast, lesson, today, value):
    with pytest.raises(ValidationError, match="не отметка|от 1 до 5"):
        mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value=value)
    assert not Mark.objects.exists()


def test_pass_fail_subject_takes_only_pass_or_fail(cast, lesson, today):
    services.curriculum_set(
        actor=cast.admin,
        school_class=cast.class_a,
        subject=cast.math_a.subject,
        hours_per_week=Decimal(5),
        is_pass_fail=True,
    )
    assert mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="зч").value == "зч"
    assert mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="нз").value == "нз"
    for value in ("5", "2", "отл", "незачёт", "+"):
        with pytest.raises(ValidationError) as error:
            mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value=value)
        assert "«зч»" in " ".join(error.value.messages)
    assert Mark.objects.get().value == "нз"


def test_up_to_two_marks_per_lesson(cast, lesson, today):
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5")
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="3", position=2)
    with pytest.raises(ValidationError, match="не больше двух"):
        mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="4", position=3)
    assert sorted(Mark.objects.values_list("position", "value")) == [(1, "5"), (2, "3")]


def test_a_second_mark_needs_a_first(cast, lesson, today):
    # No first mark: the second would stand alone and read as a first one.
    with pytest.raises(ValidationError, match="только вместе с первой"):
        mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="4", position=2)
    assert not Mark.objects.exists()
    # A cleared first mark (its row kept with "") is no first mark either.
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5")
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="")
    with pytest.raises(ValidationError, match="только вместе с первой"):
        mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="4", position=2)
    assert not Mark.objects.filter(position=2).exists()
    # Clearing a second mark that is not there is allowed (it writes nothing).
    assert mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="", position=2).pk is None


def test_the_first_mark_is_not_cleared_from_under_the_second(cast, lesson, today):
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5")
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="3", position=2)
    with pytest.raises(ValidationError, match="Сначала уберите вторую отметку"):
        mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="")
    assert sorted(Mark.objects.values_list("position", "value")) == [(1, "5"), (2, "3")]
    # Changing the first keeps the second; clearing the second, then the first, empties the cell.
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="4")
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="", position=2)
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="")
    assert sorted(Mark.objects.values_list("position", "value")) == [(1, ""), (2, "")]


def test_kind_of_work_default_given_and_kept(cast, lesson, today):
    dictation, test = kind(cast, "диктант"), kind(cast, "тест")
    lesson_record_set(actor=cast.teacher, lesson=lesson, work_type=dictation)
    mark = mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="4")
    assert mark.work_type == dictation  # the lesson's kind of work
    mark = mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5", position=2, work_type=test)
    assert mark.work_type == test
    mark = mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="3", position=2)
    assert mark.work_type == test  # a changed value keeps its kind


def test_a_kind_of_work_of_another_school_is_refused(cast, lesson, today):
    foreign = work_types_ensure(SchoolFactory())[0]
    with pytest.raises(ValidationError, match="другой школе"):
        mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5", work_type=foreign)


def test_a_mark_only_for_a_pupil_enrolled_on_the_date(cast, lesson, today):
    newcomer = new_pupil(cast, "newcomer", cast.class_a, D(2026, 11, 11))
    with pytest.raises(ValidationError) as error:
        mark_set(actor=cast.teacher, lesson=lesson, pupil=newcomer, value="5")
    assert "не числится в 7 «А» на 10.11.2026" in error.value.messages[0]
    with pytest.raises(ValidationError):
        mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.other_pupil, value="5")  # 8 «Б»
    Enrollment.objects.filter(pupil=cast.pupil).update(date_to=D(2026, 11, 9))  # left the day before
    with pytest.raises(ValidationError):
        mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5")
    later = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 11), number=1)
    assert mark_set(actor=cast.teacher, lesson=later, pupil=newcomer, value="5").pk
    assert not Mark.objects.filter(lesson=lesson).exists()


def test_a_subgroup_lesson_takes_marks_of_its_members_only(cast, today):
    other = new_pupil(cast, "member2", cast.class_a, cast.year.start_date)
    group = services.subgroup_create(actor=cast.admin, school_class=cast.class_a, name="1 группа", pupils=[cast.pupil])
    english = services.subject_create(actor=cast.admin, school=cast.school, name="Английский язык")
    assignment = services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_a,
        subject=english,
        teacher=cast.teacher,
        hours_per_week=Decimal(3),
        subgroup=group,
    )
    lesson = Lesson.objects.create(assignment=assignment, date=LESSON_DAY, number=3)
    assert mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5").pk
    with pytest.raises(ValidationError, match="1 группа"):
        mark_set(actor=cast.teacher, lesson=lesson, pupil=other, value="5")


def test_no_mark_for_an_absent_pupil_unless_the_kind_allows_it(cast, lesson, today):
    attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="н")
    with pytest.raises(ValidationError, match="отмечен пропуск") as error:
        mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="2")
    # The grid names the pupil beside the message; the message itself does not repeat the name.
    assert str(cast.pupil) not in " ".join(error.value.messages)
    homework = kind(cast, "домашняя работа")
    assert mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="4", work_type=homework).pk
    assert Mark.objects.get().value == "4"


@pytest.mark.parametrize("code", ["б", "у", "п"])
def test_every_absence_reason_blocks_a_mark(cast, lesson, today, code):
    attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code=code)
    with pytest.raises(ValidationError):
        mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5")


def test_a_late_pupil_gets_a_mark(cast, lesson, today):
    attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="оп")
    assert mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5").value == "5"


# Access --------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["other_teacher", "deputy", "director", "admin", "pupil_user", "parent_user"])
def test_only_the_journal_keepers_write(cast, lesson, today, who):
    actor = getattr(cast, who)
    calls = [
        lambda: mark_set(actor=actor, lesson=lesson, pupil=cast.pupil, value="5"),
        lambda: attendance_set(actor=actor, lesson=lesson, pupil=cast.pupil, code="н"),
        lambda: lesson_record_set(actor=actor, lesson=lesson, topic="Дроби"),
        lambda: homework_set(actor=actor, lesson=lesson, text="№ 1"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    assert not Mark.objects.exists() and not Attendance.objects.exists() and not Homework.objects.exists()
    assert Lesson.objects.get(pk=lesson.pk).topic == ""


def test_management_is_told_it_reads_only(cast, lesson, today):
    with pytest.raises(PermissionDenied, match="просматривает"):
        mark_set(actor=cast.deputy, lesson=lesson, pupil=cast.pupil, value="5")


def test_the_class_teacher_keeps_every_subject_of_the_class(cast, lesson, today):
    assert mark_set(actor=cast.classteacher, lesson=lesson, pupil=cast.pupil, value="5").pk


def test_the_substitute_keeps_their_lesson_only(cast, lesson, today):
    next_lesson = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 11), number=2)
    Substitution.objects.create(lesson=lesson, substitute=cast.other_teacher, recorded_by=cast.deputy)
    assert mark_set(actor=cast.other_teacher, lesson=lesson, pupil=cast.pupil, value="4").pk
    assert lesson_record_set(actor=cast.other_teacher, lesson=lesson, topic="Дроби").topic == "Дроби"
    with pytest.raises(PermissionDenied):
        mark_set(actor=cast.other_teacher, lesson=next_lesson, pupil=cast.pupil, value="4")
    # the assignment's own teacher keeps the substituted lesson too
    assert mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5").value == "5"


# The lock ------------------------------------------------------------------------------------------------------------


def test_marks_and_attendance_lock_after_10_working_days(cast):
    lesson = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 10, 30), number=1)
    with at(D(2026, 11, 16)):  # the deadline (04.11 is a holiday)
        mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5")
    with at(D(2026, 11, 17)):
        with pytest.raises(ValidationError) as error:
            mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="4")
        assert error.value.messages == [
            "Срок исправления отметок за 30.10.2026 истёк 16.11.2026 (10 рабочих дней). "
            "Исправить можно только через окно исправлений у заместителя директора."
        ]
        with pytest.raises(ValidationError, match="истёк"):
            attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="н")
        with pytest.raises(ValidationError, match="истёк"):
            mark_set(actor=cast.classteacher, lesson=lesson, pupil=cast.pupil, value="")
    assert Mark.objects.get().value == "5" and not Attendance.objects.exists()


def test_an_edit_window_reopens_the_lesson_until_it_expires(cast):
    lesson = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 10, 30), number=1)
    with at(D(2026, 11, 20)):
        EditWindow.objects.create(
            assignment=cast.math_a,
            reason="перенос из бумажного журнала",
            valid_until=timezone.now() + dt.timedelta(days=1),
            opened_by=cast.deputy,
        )
        assert mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="3").value == "3"
    with at(D(2026, 11, 21), 11):
        with pytest.raises(ValidationError, match="истёк"):
            mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="4")
    assert Mark.objects.get().value == "3"


def test_no_marks_for_a_future_lesson(cast):
    lesson = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 13), number=1)
    with at(D(2026, 11, 12)):
        with pytest.raises(ValidationError, match="ещё не состоялся"):
            mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5")
        with pytest.raises(ValidationError, match="ещё не состоялся"):
            attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="н")
        # the lesson record may be written ahead (a topic planned from the КТП)
        assert lesson_record_set(actor=cast.teacher, lesson=lesson, topic="Проценты").topic == "Проценты"


def test_a_closed_year_refuses_everything(cast, lesson, today):
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5")
    homework = homework_set(actor=cast.teacher, lesson=lesson, text="№ 1")
    cast.year.status = YearStatus.CLOSED
    cast.year.save()
    lesson = Lesson.objects.select_related("assignment__year").get(pk=lesson.pk)
    calls = [
        lambda: mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="4"),
        lambda: attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="н"),
        lambda: lesson_record_set(actor=cast.teacher, lesson=lesson, topic="Дроби"),
        lambda: homework_set(actor=cast.teacher, lesson=lesson, text="№ 2"),
        lambda: homework_remove(actor=cast.teacher, homework=homework),
    ]
    for call in calls:
        with pytest.raises(ValidationError, match="закрыт"):
            call()
    assert Mark.objects.get().value == "5" and Homework.objects.get().text == "№ 1"


# Attendance ----------------------------------------------------------------------------------------------------------


def test_attendance_codes_and_clearing_keep_the_row(cast, lesson, today):
    row = attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="н")
    attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="б")
    attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="")
    assert Attendance.objects.get().code == ""
    history = Attendance.history.filter(id=row.pk).order_by("history_id")
    assert [(h.code, h.history_user) for h in history] == [("н", cast.teacher), ("б", cast.teacher), ("", cast.teacher)]


# Latin letters that look or sound like a code, codes in capitals or with spaces, «о п»: refused, never guessed.
@pytest.mark.parametrize(
    "code", ["x", "нн", "ув", "1", "0", "abc", "n", "b", "u", "p", "o", "op", "oп", "о п", "Н", "Б ", " н", "y"]
)
def test_unknown_attendance_codes_are_refused(cast, lesson, today, code):
    with pytest.raises(ValidationError, match="не отметка о посещении"):
        attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code=code)
    assert not Attendance.objects.exists()


def test_attendance_only_for_a_pupil_enrolled_on_the_date(cast, lesson, today):
    with pytest.raises(ValidationError, match="не числится"):
        attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.other_pupil, code="н")


def test_a_pupil_with_a_mark_cannot_be_marked_absent(cast, lesson, today):
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5")
    with pytest.raises(ValidationError, match="есть отметка"):
        attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="н")
    assert attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="оп").code == "оп"
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="")
    assert attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="н").code == "н"


def test_the_class_teacher_corrects_reasons_after_the_lock_for_30_days(cast):
    lesson = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 10, 30), number=1)
    with at(D(2026, 11, 2)):
        attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="н")
    with at(D(2026, 11, 20)):  # locked since 17.11
        with pytest.raises(ValidationError, match="истёк"):
            attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="б")  # not the class teacher
        assert attendance_set(actor=cast.classteacher, lesson=lesson, pupil=cast.pupil, code="б").code == "б"
        assert attendance_set(actor=cast.classteacher, lesson=lesson, pupil=cast.pupil, code="у").code == "у"
        for code in ("", "оп"):  # removing the absence or turning it into lateness is not a reason
            with pytest.raises(ValidationError, match="истёк"):
                attendance_set(actor=cast.classteacher, lesson=lesson, pupil=cast.pupil, code=code)
        with pytest.raises(ValidationError, match="истёк"):  # nor is adding an absence
            attendance_set(actor=cast.classteacher, lesson=lesson, pupil=cast.other_pupil, code="н")
    with at(D(2026, 11, 29)):
        assert attendance_set(actor=cast.classteacher, lesson=lesson, pupil=cast.pupil, code="п").code == "п"
    with at(D(2026, 12, 1)):  # 32 days after the lesson
        with pytest.raises(ValidationError, match="истёк"):
            attendance_set(actor=cast.classteacher, lesson=lesson, pupil=cast.pupil, code="б")
    history = Attendance.history.filter(pupil_id=cast.pupil.pk).order_by("history_id")
    assert [(h.code, h.history_user) for h in history] == [
        ("н", cast.teacher),
        ("б", cast.classteacher),
        ("у", cast.classteacher),
        ("п", cast.classteacher),
    ]


# The lesson record ---------------------------------------------------------------------------------------------------


def test_lesson_record_changes_only_the_given_fields(cast, lesson, today):
    control = kind(cast, "контрольная работа")
    lesson_record_set(actor=cast.teacher, lesson=lesson, topic="  Сложение   дробей ")
    lesson.refresh_from_db()
    assert lesson.topic == "Сложение дробей" and lesson.recorded_at is not None
    first_recorded = lesson.recorded_at
    result = lesson_record_set(actor=cast.classteacher, lesson=lesson, work_type=control)
    assert result.work_type == control and result.is_control  # a control kind marks a control work
    assert result.topic == "Сложение дробей"
    lesson_record_set(actor=cast.teacher, lesson=lesson, is_control=False)
    lesson_record_set(actor=cast.teacher, lesson=lesson, work_type=None)
    lesson.refresh_from_db()
    assert (lesson.topic, lesson.work_type_id, lesson.is_control) == ("Сложение дробей", None, False)
    assert lesson.recorded_at == first_recorded
    history = Lesson.history.filter(id=lesson.pk).order_by("history_id")
    assert [h.history_user for h in history] == [None, cast.teacher, cast.classteacher, cast.teacher, cast.teacher]


def test_a_plan_topic_becomes_the_topic_and_must_be_of_the_assignment(cast, lesson, today):
    topic = PlanTopic.objects.create(assignment=cast.math_a, order=1, title="Обыкновенные дроби")
    foreign = PlanTopic.objects.create(assignment=cast.russian_b, order=1, title="Причастие")
    result = lesson_record_set(actor=cast.teacher, lesson=lesson, plan_topic=topic)
    assert (result.plan_topic, result.topic) == (topic, "Обыкновенные дроби")
    with pytest.raises(ValidationError, match="КТП"):
        lesson_record_set(actor=cast.teacher, lesson=lesson, plan_topic=foreign)
    assert Lesson.objects.get(pk=lesson.pk).plan_topic == topic


def test_a_too_long_topic_is_refused(cast, lesson, today):
    with pytest.raises(ValidationError, match="500"):
        lesson_record_set(actor=cast.teacher, lesson=lesson, topic="а" * 501)


def test_the_lesson_record_and_homework_are_not_under_the_mark_lock(cast):
    lesson = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 10, 30), number=1)
    with at(D(2026, 12, 15)):
        assert lesson_record_set(actor=cast.teacher, lesson=lesson, topic="Дроби").topic == "Дроби"
        assert homework_set(actor=cast.teacher, lesson=lesson, text="№ 5").pk


# Homework ------------------------------------------------------------------------------------------------------------


def test_homework_for_everyone_for_some_and_removed(cast, lesson, today):
    everyone = homework_set(actor=cast.teacher, lesson=lesson, text="  § 12, № 3–5 ")
    assert everyone.text == "§ 12, № 3–5" and not everyone.pupils.exists()
    personal = homework_set(actor=cast.teacher, lesson=lesson, text="Карточка", pupils=[cast.pupil])
    assert list(personal.pupils.all()) == [cast.pupil]
    changed = homework_set(actor=cast.classteacher, lesson=lesson, text="§ 13", homework=everyone)
    assert changed.pk == everyone.pk
    removed = homework_remove(actor=cast.teacher, homework=everyone)
    assert removed.text == "" and Homework.objects.count() == 2  # nothing is deleted
    history = Homework.history.filter(id=everyone.pk).order_by("history_id")
    assert [(h.text, h.history_user) for h in history] == [
        ("§ 12, № 3–5", cast.teacher),
        ("§ 13", cast.classteacher),
        ("", cast.teacher),
    ]


def test_homework_rules(cast, lesson, today):
    with pytest.raises(ValidationError, match="Напишите задание"):
        homework_set(actor=cast.teacher, lesson=lesson, text="   ")
    with pytest.raises(ValidationError, match="только учащимся 7 «А»"):
        homework_set(actor=cast.teacher, lesson=lesson, text="№ 1", pupils=[cast.other_pupil])
    other_lesson = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 11, 11), number=1)
    homework = homework_set(actor=cast.teacher, lesson=other_lesson, text="№ 1")
    with pytest.raises(ValidationError, match="другому уроку"):
        homework_set(actor=cast.teacher, lesson=lesson, text="№ 2", homework=homework)
    with pytest.raises(PermissionDenied):
        homework_remove(actor=cast.other_teacher, homework=homework)
    assert Homework.objects.get().text == "№ 1"


def test_homework_due_date_is_stored_kept_and_cleared_with_history(cast, lesson, today):
    homework = homework_set(actor=cast.teacher, lesson=lesson, text="Проект", due_date=D(2026, 11, 13))
    assert Homework.objects.get().due_date == D(2026, 11, 13)
    homework_set(actor=cast.teacher, lesson=lesson, text="Проект, часть 1", homework=homework)  # not passed: kept
    assert Homework.objects.get().due_date == D(2026, 11, 13)
    homework_set(actor=cast.teacher, lesson=lesson, text="Проект, часть 1", homework=homework, due_date=None)
    assert Homework.objects.get().due_date is None  # the next lesson of the subject
    history = Homework.history.filter(id=homework.pk).order_by("history_id")
    assert [h.due_date for h in history] == [D(2026, 11, 13), D(2026, 11, 13), None]


@pytest.mark.parametrize(
    "due, message",
    [
        (LESSON_DAY, "не раньше следующего дня после урока \\(урок 10.11.2026\\)"),
        (D(2026, 11, 9), "не раньше следующего дня после урока"),
        (D(2027, 5, 27), "в пределах учебного года: 01.09.2026 — 26.05.2027"),
        (D(2026, 11, 14), "14.11.2026 — не учебный день для 7 «А» класса"),  # a Saturday of a five-day week
        (D(2026, 12, 29), "29.12.2026 — не учебный день для 7 «А» класса"),  # the winter vacation
    ],
)
def test_homework_due_date_rules(cast, lesson, today, due, message):
    services.vacation_add(
        actor=cast.admin, year=cast.year, name="Зимние каникулы", start_date=D(2026, 12, 28), end_date=D(2027, 1, 11)
    )
    with pytest.raises(ValidationError, match=message):
        homework_set(actor=cast.teacher, lesson=lesson, text="№ 1", due_date=due)
    assert not Homework.objects.exists()
    homework_set(actor=cast.teacher, lesson=lesson, text="№ 1", due_date=D(2026, 11, 11))  # the next day will do
    assert Homework.objects.get().due_date == D(2026, 11, 11)


# The lesson page: the record and the homework together -------------------------------------------------------------


def save_page(cast, lesson, **given):
    fields = dict(topic="", plan_topic=None, work_type=None, is_control=False, homework_text="", homework=None)
    return lesson_record_and_homework_set(actor=cast.teacher, lesson=lesson, **(fields | given))


def test_the_lesson_page_writes_the_record_and_the_homework(cast, lesson, today):
    lesson.topic = "Повторение"
    lesson.save()
    plan_topic = PlanTopic.objects.create(assignment=cast.math_a, order=1, title="Обыкновенные дроби")
    independent = kind(cast, "самостоятельная работа")
    # An emptied topic with a КТП topic chosen takes the КТП topic's title.
    result = save_page(
        cast,
        lesson,
        topic="  ",
        plan_topic=plan_topic,
        work_type=independent,
        homework_text=" № 245 ",
        homework_pupils=[cast.pupil],
    )
    lesson.refresh_from_db()
    assert result == lesson
    assert (lesson.topic, lesson.plan_topic, lesson.work_type, lesson.is_control) == (
        "Обыкновенные дроби",
        plan_topic,
        independent,
        False,
    )
    homework = Homework.objects.get(lesson=lesson)
    assert homework.text == "№ 245" and list(homework.pupils.all()) == [cast.pupil]
    # The same homework is changed in place, then an empty text takes it back (the row stays).
    save_page(cast, lesson, topic="Дроби", homework_text="№ 246", homework=homework)
    homework.refresh_from_db()
    assert (homework.text, list(homework.pupils.all())) == ("№ 246", [])
    save_page(cast, lesson, topic="Дроби", homework=homework)
    homework.refresh_from_db()
    assert homework.text == "" and Lesson.objects.get(pk=lesson.pk).topic == "Дроби"


def test_a_refused_homework_leaves_the_lesson_record_as_it_was(cast, lesson, today):
    lesson_record_set(actor=cast.teacher, lesson=lesson, topic="Повторение")
    history = Lesson.history.filter(id=lesson.pk).count()
    with pytest.raises(ValidationError, match="только учащимся 7 «А»"):
        save_page(cast, lesson, topic="Дроби", is_control=True, homework_text="№ 1", homework_pupils=[cast.other_pupil])
    fresh = Lesson.objects.get(pk=lesson.pk)
    assert (fresh.topic, fresh.is_control) == ("Повторение", False)  # nothing half-saved
    assert Lesson.history.filter(id=lesson.pk).count() == history
    assert not Homework.objects.exists()


def test_the_lesson_page_sets_the_homework_due_date_all_or_nothing(cast, lesson, today):
    save_page(cast, lesson, topic="Дроби", homework_text="№ 1", homework_due_date=D(2026, 11, 12))
    homework = Homework.objects.get()
    assert homework.due_date == D(2026, 11, 12)
    with pytest.raises(ValidationError, match="не учебный день"):
        save_page(
            cast, lesson, topic="Проценты", homework_text="№ 2", homework=homework, homework_due_date=D(2026, 11, 15)
        )
    homework.refresh_from_db()
    assert (homework.text, homework.due_date) == ("№ 1", D(2026, 11, 12))
    assert Lesson.objects.get(pk=lesson.pk).topic == "Дроби"
    save_page(cast, lesson, topic="Дроби", homework_text="№ 1", homework=homework)  # the page sent an empty date
    homework.refresh_from_db()
    assert homework.due_date is None


def test_the_lesson_page_is_refused_to_a_reader(cast, lesson, today):
    with pytest.raises(PermissionDenied):
        lesson_record_and_homework_set(
            actor=cast.deputy,
            lesson=lesson,
            topic="Дроби",
            plan_topic=None,
            work_type=None,
            is_control=False,
            homework_text="№ 1",
        )
    assert Lesson.objects.get(pk=lesson.pk).topic == "" and not Homework.objects.exists()


# Concurrency (PostgreSQL only: SQLite serialises writers with a database lock) -------------------------------------


def _race(cast, lesson, calls, monkeypatch):
    """Run the calls in threads that all pass the «no row yet» check before any of them inserts."""
    barrier = threading.Barrier(len(calls), timeout=10)
    real_insert = journal_services._insert

    inserted = []

    def insert_after_everyone_looked(*args):
        barrier.wait()
        result = real_insert(*args)
        inserted.append(result is not None)  # None: the other writer's row was there first (ON CONFLICT DO NOTHING)
        return result

    monkeypatch.setattr(journal_services, "_insert", insert_after_everyone_looked)
    errors = []

    def run(call):
        try:
            call()
        except Exception as error:  # noqa: BLE001 — reported below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(inserted) == [False, True]  # the race happened: one insert lost and was turned into an update
    return errors


@pytest.mark.races
@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_mark_cell_end_with_one_row_and_both_histories(cast, monkeypatch):
    skip_unless_postgres()
    lesson = Lesson.objects.create(assignment=cast.math_a, date=LESSON_DAY, number=2)
    work_types_ensure(cast.school)
    with at(D(2026, 11, 12)):
        errors = _race(
            cast,
            lesson,
            [
                lambda: mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5"),
                lambda: mark_set(actor=cast.classteacher, lesson=lesson, pupil=cast.pupil, value="4"),
            ],
            monkeypatch,
        )
    assert errors == []
    mark = Mark.objects.get(lesson=lesson, pupil=cast.pupil)
    history = list(Mark.history.filter(id=mark.pk).order_by("history_id"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert {h.history_user_id for h in history} == {cast.teacher.pk, cast.classteacher.pk}
    assert mark.value == history[-1].value  # the last writer's value is the row's


@pytest.mark.races
@pytest.mark.django_db(transaction=True)
def test_two_writers_of_one_attendance_cell(cast, monkeypatch):
    skip_unless_postgres()
    lesson = Lesson.objects.create(assignment=cast.math_a, date=LESSON_DAY, number=2)
    with at(D(2026, 11, 12)):
        errors = _race(
            cast,
            lesson,
            [
                lambda: attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="н"),
                lambda: attendance_set(actor=cast.classteacher, lesson=lesson, pupil=cast.pupil, code="оп"),
            ],
            monkeypatch,
        )
    assert errors == []
    row = Attendance.objects.get(lesson=lesson, pupil=cast.pupil)
    history = list(Attendance.history.filter(id=row.pk).order_by("history_id"))
    assert [h.history_type for h in history] == ["+", "~"]
    assert row.code == history[-1].code


# journal.access.lesson_for_user ----------------------------------------------------------------------------------


def test_lesson_for_user_says_who_writes_and_who_reads(cast, lesson):
    from django.http import Http404

    from journal.access import lesson_for_user

    substituted = Lesson.objects.create(assignment=cast.russian_b, date=LESSON_DAY, number=5)
    Substitution.objects.create(lesson=substituted, substitute=cast.other_teacher, recorded_by=cast.deputy)
    assert lesson_for_user(cast.teacher, lesson.pk)[1] is True
    assert lesson_for_user(cast.classteacher, lesson.pk)[1] is True  # class teacher of 7 «А»
    for reader in (cast.deputy, cast.director, cast.admin):  # the admin is a superuser and still reads only
        found, can_edit = lesson_for_user(reader, lesson.pk)
        assert found == lesson and can_edit is False
    assert lesson_for_user(cast.other_teacher, substituted.pk)[1] is True  # the substitute, for that lesson
    for outsider in (cast.other_teacher, cast.pupil_user, cast.parent_user, cast.foreign_admin):
        with pytest.raises(Http404):
            lesson_for_user(outsider, lesson.pk)
    with pytest.raises(Http404):
        lesson_for_user(cast.teacher, substituted.pk)  # 8 «Б» Russian is not the maths teacher's


def test_lesson_for_user_costs_a_fixed_number_of_queries(cast, lesson, django_assert_num_queries):
    from journal.access import lesson_for_user

    with django_assert_num_queries(1):  # the lesson, its visibility and the user's editor role together
        lesson_for_user(cast.teacher, lesson.pk)


# Issue 10: rules that a changed line got past (hand mutation testing) ---------------------------------------------


def test_a_homework_kind_mark_does_not_stop_marking_the_pupil_absent(cast, lesson, today):
    """Homework handed in is marked for a pupil who missed the lesson: that mark does not refuse the absence."""
    homework = kind(cast, "домашняя работа")
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="4", work_type=homework)
    assert attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="н").code == "н"
    assert Attendance.objects.get(lesson=lesson, pupil=cast.pupil).code == "н"
    assert Mark.objects.get(lesson=lesson, pupil=cast.pupil).value == "4"  # the homework mark stays


def test_an_oral_mark_beside_a_homework_mark_still_stops_the_absence(cast, lesson, today):
    homework = kind(cast, "домашняя работа")
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="4", work_type=homework)
    mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value="5", position=2)  # «устный ответ»
    with pytest.raises(ValidationError, match=r"есть отметка за этот урок \(5\)"):  # the oral mark only
        attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="н")
    assert not Attendance.objects.exists()


def test_the_reason_correction_closes_after_the_30th_day(cast):
    """30.10 + 30 days = 29.11: the class teacher corrects a reason all that day, and not a minute into 30.11."""
    lesson = Lesson.objects.create(assignment=cast.math_a, date=D(2026, 10, 30), number=1)
    with at(D(2026, 11, 2)):
        attendance_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, code="н")
    with time_machine.travel(dt.datetime(2026, 11, 29, 23, 59, tzinfo=MOSCOW), tick=False):
        assert attendance_set(actor=cast.classteacher, lesson=lesson, pupil=cast.pupil, code="б").code == "б"
    with time_machine.travel(dt.datetime(2026, 11, 30, 0, 1, tzinfo=MOSCOW), tick=False):
        with pytest.raises(ValidationError, match="Срок исправления отметок за 30.10.2026 истёк"):
            attendance_set(actor=cast.classteacher, lesson=lesson, pupil=cast.pupil, code="у")
    assert Attendance.objects.get(lesson=lesson, pupil=cast.pupil).code == "б"


# Concurrency of homework (PostgreSQL only, as above) -----------------------------------------------------------------


@pytest.mark.races
@pytest.mark.django_db(transaction=True)
def test_two_saves_of_a_lessons_homework_end_with_one_homework_and_one_writer(cast, monkeypatch):
    """The teacher and the class teacher save the lesson page at once, over the same homework: one homework row,
    whose text and pupils are one writer's, with the same writer's topic; both changes are in the history."""
    skip_unless_postgres()
    lesson = Lesson.objects.create(assignment=cast.math_a, date=LESSON_DAY, number=2)
    with at(D(2026, 11, 12)):
        homework = homework_set(actor=cast.teacher, lesson=lesson, text="№ 1")
        saves = {
            cast.teacher.pk: ("Дроби", "№ 2, карточка", [cast.pupil]),
            cast.classteacher.pk: ("Проценты", "№ 3", []),
        }

        def page_save(actor):
            topic, text, pupils = saves[actor.pk]
            return lesson_record_and_homework_set(
                actor=actor,
                lesson=Lesson.objects.get(pk=lesson.pk),
                topic=topic,
                plan_topic=None,
                work_type=None,
                is_control=False,
                homework_text=text,
                homework_pupils=pupils,
                homework=homework,
            )

        # Both transactions are open and past their checks before either locks the lesson.
        together(monkeypatch, journal_services, "lesson_record_set")
        _results, errors = run_at_once(lambda: page_save(cast.teacher), lambda: page_save(cast.classteacher))
    assert errors == []
    [row] = Homework.objects.filter(lesson=lesson)
    history = list(Homework.history.filter(id=row.pk).order_by("history_id"))
    assert [h.history_type for h in history] == ["+", "~", "~"]
    assert {h.history_user_id for h in history[1:]} == {cast.teacher.pk, cast.classteacher.pk}
    last = history[-1].history_user_id  # the later writer's save is the whole of what stands
    topic, text, pupils = saves[last]
    assert (row.text, list(row.pupils.all())) == (text, pupils)
    assert Lesson.objects.get(pk=lesson.pk).topic == topic


@pytest.mark.races
@pytest.mark.django_db(transaction=True)
def test_a_double_submitted_new_homework_is_saved_once(cast, monkeypatch):
    """The lesson page sent twice at once (a double click) with a new homework: the second save finds the first's
    homework, identical, and does not add it again."""
    skip_unless_postgres()
    lesson = Lesson.objects.create(assignment=cast.math_a, date=LESSON_DAY, number=2)

    def new_homework():
        return homework_set(
            actor=cast.teacher, lesson=Lesson.objects.get(pk=lesson.pk), text="§ 12, № 3–5", pupils=[cast.pupil]
        )

    with at(D(2026, 11, 12)):
        together(
            monkeypatch, journal_services, "is_enrolled"
        )  # both checked the pupils, neither looked for the homework
        results, errors = run_at_once(new_homework, new_homework)
        assert errors == []
        [row] = Homework.objects.filter(lesson=lesson)
        assert {result.pk for result in results} == {row.pk}
        assert (row.text, list(row.pupils.all())) == ("§ 12, № 3–5", [cast.pupil])
        assert Homework.history.filter(id=row.pk).count() == 1
        # Another homework, or the same text for other pupils, is a homework of its own.
        homework_set(actor=cast.teacher, lesson=lesson, text="§ 12, № 3–5")
        homework_set(actor=cast.teacher, lesson=lesson, text="§ 13")
    assert Homework.objects.filter(lesson=lesson).count() == 3
