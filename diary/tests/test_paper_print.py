"""Paper diaries: the batch of a class, requested and made (who may, validation, who is printed, the PDF, the log).

``print_batch`` requests a batch and runs the commit's callbacks, as a request does: with eager Celery the task
makes the PDF right away. The job's own life (the claim, failures, a second run) is in test_paper_jobs.py.
"""

import datetime as dt
import re
import shutil
import subprocess
import zoneinfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import TestCase

from accounts import services as account_services
from accounts.choices import InfoForm, ParentKind
from accounts.models import ParentProfile, PupilProfile
from diary.models import PaperDiaryPrint
from diary.selectors.paper import paper_diary_pages, paper_pupils, print_log
from diary.services.paper import PaperLayout, paper_diaries_request
from journal import services as journal_services
from journal.models import Lesson, SchoolClass, WorkType
from journal.services.cards import parent_card_update
from journal.services.journal import attendance_set, homework_set, lesson_record_set, mark_set
from journal.services.movement import pupil_leave
from journal.services.period_marks import period_mark_set
from journal.services.work_types import work_types_ensure

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
TODAY = dt.date(2026, 11, 20)  # a Friday of the 2nd quarter
TWO_WEEKS = (dt.date(2026, 11, 7), TODAY)


def at(day: dt.date, hour: int = 10):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour, tzinfo=MOSCOW), tick=False)


def pdf_text(content: bytes) -> str:
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is not installed")
    result = subprocess.run(["pdftotext", "-layout", "-", "-"], input=content, capture_output=True, check=True)
    return result.stdout.decode()


def pdf_pages(content: bytes) -> int:
    """Pages of the PDF (pdftotext ends each page with a form feed)."""
    return pdf_text(content).count("\f")


def choose(actor, parent: ParentProfile, form: str, day: dt.date = dt.date(2026, 9, 3)) -> None:
    """The class teacher (or the admin) records the parent's consent and chosen form of information on a day."""
    with at(day):
        parent_card_update(
            actor=actor, parent=parent, phone=parent.user.phone, consent_given_on=dt.date(2026, 9, 1), info_form=form
        )


def family(cast, school_class: SchoolClass, n: int, surname: str, form: str | None) -> PupilProfile:
    """A pupil of the class with a mother who chose ``form`` (None: did not choose)."""
    pupil = account_services.pupil_create(
        actor=cast.admin, school=cast.school, username=f"paper{n}", last_name=surname, first_name="Мария"
    )
    journal_services.enrollment_create(
        actor=cast.admin, pupil=pupil, school_class=school_class, date_from=dt.date(2026, 9, 1)
    )
    parent = account_services.parent_create(
        actor=cast.admin, school=cast.school, username=f"paperparent{n}", last_name=surname, first_name="Ольга"
    )
    account_services.parent_link(actor=cast.admin, parent=parent, pupil=pupil, kind=ParentKind.MOTHER)
    if form:
        choose(cast.admin, parent, form)
    return pupil


def kind(cast, name: str) -> WorkType:
    return next(k for k in work_types_ensure(cast.school) if k.name == name)


@pytest.fixture
def paper_class(cast):
    return build_paper_class(cast)


def build_paper_class(cast):
    """7 «А»: the cast's pupil (the mother chose paper) and Новикова (electronic diary); 8 «Б»: parent2 chose paper
    too, in another class. Maths on 16, 18 and 19.11: topics, homework (general and individual), marks, absences.
    """
    electronic = family(cast, cast.class_a, 1, "Новикова", InfoForm.ELECTRONIC)
    choose(cast.classteacher, cast.parent, InfoForm.PAPER)
    choose(cast.admin, cast.parent2_user.parent, InfoForm.PAPER)
    with at(TODAY):
        first = Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 11, 16), number=1)
        second = Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 11, 18), number=3)
        third = Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 11, 19), number=2)
        lesson_record_set(actor=cast.teacher, lesson=first, topic="Сложение обыкновенных дробей")
        lesson_record_set(actor=cast.teacher, lesson=second, topic="Контрольная работа по теме «Дроби»")
        lesson_record_set(actor=cast.teacher, lesson=third, topic="Анализ контрольной работы")
        homework_set(actor=cast.teacher, lesson=first, text="§ 12, № 345, 347")
        homework_set(actor=cast.teacher, lesson=first, text="Карточка 7", pupils=[cast.pupil])
        homework_set(actor=cast.teacher, lesson=second, text="Только Новиковой", pupils=[electronic])
        mark_set(actor=cast.teacher, lesson=first, pupil=cast.pupil, value="4", work_type=kind(cast, "устный ответ"))
        mark_set(
            actor=cast.teacher, lesson=second, pupil=cast.pupil, value="5", work_type=kind(cast, "контрольная работа")
        )
        attendance_set(actor=cast.teacher, lesson=third, pupil=cast.pupil, code="б")
        mark_set(actor=cast.teacher, lesson=first, pupil=electronic, value="2")
    return cast


def request_batch(cast, actor=None, school_class=None, dates=TWO_WEEKS, layout=PaperLayout.ONE, day=TODAY):
    """Request a batch; the commit's callbacks (the task, eager) are only captured: returns the row and them."""
    with at(day), TestCase.captureOnCommitCallbacks() as callbacks:
        record = paper_diaries_request(
            actor=actor or cast.classteacher,
            school_class=school_class or cast.class_a,
            date_from=dates[0],
            date_to=dates[1],
            layout=layout,
        )
    return record, callbacks


def print_batch(cast, actor=None, school_class=None, dates=TWO_WEEKS, layout=PaperLayout.ONE, day=TODAY):
    """Request a batch and run the commit's callbacks (eager Celery: the task makes the PDF): the PDF and the row."""
    with at(day), TestCase.captureOnCommitCallbacks(execute=True):
        record = paper_diaries_request(
            actor=actor or cast.classteacher,
            school_class=school_class or cast.class_a,
            date_from=dates[0],
            date_to=dates[1],
            layout=layout,
        )
    record.refresh_from_db()
    return (bytes(record.pdf) if record.pdf is not None else None), record


# --- who is printed ---------------------------------------------------------------------------


def test_the_pdf_holds_the_paper_families_with_their_diary(paper_class):
    cast = paper_class
    pdf, record = print_batch(cast)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    # the school, the class, the pupil and the interval
    assert cast.school.name in text and "7 «А» класс" in text and "с 07.11.2026 по 20.11.2026" in text
    assert cast.pupil.user.full_name in text
    # each day's lessons: topic, homework (general and the pupil's own), marks with the kind of work, absences
    assert "Сложение обыкновенных дробей" in text and "Контрольная работа по теме «Дроби»" in text
    assert "§ 12, № 345, 347" in text and "Индивидуально: Карточка 7" in text
    assert "4 уст" in text and "5 к/р" in text and "к/р — контрольная работа" in text
    assert re.search(r"2\. Математика · Анализ контрольной работы +б по болезни", text)
    for day in ("Пн 16.11", "Ср 18.11", "Чт 19.11", "Вт 17.11 уроков нет"):
        assert day in text
    # the averages of the current period: (4×1 + 5×2) / 3 = 4,67, 2 marks of the 4 needed, forecast 5
    assert "Средний балл: 2 четверть (на 20.11)" in text
    assert re.search(r"Математика: 4 5 \(2 отм\., нужно 4\) +средний 4,67, прогноз 5", text)
    assert "Ознакомлен(а):" in text
    # only the paper family of this class: not the electronic one, not 8 «Б»'s paper family
    assert "Новикова" not in text and "Только Новиковой" not in text and "Other_pupil" not in text
    assert (record.school_class, record.pupils, record.printed_by) == (cast.class_a, 1, cast.classteacher)
    assert (record.date_from, record.date_to, record.layout) == (*TWO_WEEKS, PaperLayout.ONE)
    assert (record.status, record.pages, record.size, record.error) == ("ready", pdf_pages(pdf), len(pdf), "")
    assert record.printed_at <= record.started_at <= record.finished_at
    assert PaperDiaryPrint.objects.count() == 1


def test_homework_is_printed_on_the_day_it_is_due(paper_class):
    """Given on 16.11 for the next lesson (18.11): «ДЗ» at 18.11's lesson, «задано к 18.11» at 16.11's."""
    cast = paper_class
    pupils = paper_pupils(cast.class_a, *TWO_WEEKS)
    (page,), _period = paper_diary_pages(cast.class_a, pupils, *TWO_WEEKS, today=TODAY)
    lessons = {row.day.date: row.day.lessons for row in page.days if row.day.lessons}
    (given,) = lessons[dt.date(2026, 11, 16)]
    (due,) = lessons[dt.date(2026, 11, 18)]
    assert given.homework == [] and [h.label for h in given.homework_given] == [
        "§ 12, № 345, 347",
        "Индивидуально: Карточка 7",
    ]
    assert [h.label for h in due.homework] == ["§ 12, № 345, 347", "Индивидуально: Карточка 7"]
    text = " ".join(pdf_text(print_batch(cast)[0]).split())
    assert "ДЗ: § 12, № 345, 347; Индивидуально: Карточка 7" in text and "задано к 18.11: § 12, № 345, 347" in text


def test_set_period_marks_are_printed(paper_class):
    cast = paper_class
    first_quarter = cast.year.periods.get(kind="quarter", number=1)
    with at(dt.date(2026, 10, 23)):
        for number, value in enumerate("4453", start=1):
            lesson = Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 10, 19), number=number)
            mark_set(actor=cast.teacher, lesson=lesson, pupil=cast.pupil, value=value)
        period_mark_set(
            actor=cast.teacher, assignment=cast.math_a, pupil=cast.pupil, kind="period", period=first_quarter, value="4"
        )
    text = pdf_text(print_batch(cast, dates=(dt.date(2026, 10, 12), dt.date(2026, 10, 23)))[0])
    assert "1 четверть: 4" in text


def test_a_pupil_with_one_paper_parent_is_printed_and_one_who_left_before_is_not(paper_class):
    cast = paper_class
    both = family(cast, cast.class_a, 2, "Орлова", InfoForm.ELECTRONIC)
    father = account_services.parent_create(
        actor=cast.admin, school=cast.school, username="orlov", last_name="Орлов", first_name="Пётр"
    )
    account_services.parent_link(actor=cast.admin, parent=father, pupil=both, kind=ParentKind.FATHER)
    choose(cast.classteacher, father, InfoForm.PAPER)
    gone = family(cast, cast.class_a, 3, "Зайцева", InfoForm.PAPER)
    with at(dt.date(2026, 11, 2)):
        pupil_leave(actor=cast.admin, pupil=gone, date=dt.date(2026, 11, 3), reason="выбыла в другую школу, приказ № 5")
    names = [entry.name for entry in paper_pupils(cast.class_a, *TWO_WEEKS)]
    assert names == [cast.pupil.user.full_name, "Орлова Мария"]  # in the order of the class list
    assert [(p.name, p.kind) for p in paper_pupils(cast.class_a, *TWO_WEEKS)[1].parents] == [("Орлов Пётр", "отец")]
    text = pdf_text(print_batch(cast)[0])
    assert "Орлова Мария" in text and "Зайцева" not in text
    # the pupil who left is printed for the weeks they were still in the class
    early = pdf_text(print_batch(cast, dates=(dt.date(2026, 10, 19), dt.date(2026, 11, 3)))[0])
    assert "Зайцева Мария" in early


def test_one_or_two_pupils_per_page(paper_class):
    cast = paper_class
    family(cast, cast.class_a, 2, "Орлова", InfoForm.PAPER)
    one, first = print_batch(cast, layout=PaperLayout.ONE)
    two, second = print_batch(cast, layout=PaperLayout.TWO)
    assert pdf_pages(one) == 2 and pdf_pages(two) == 1
    assert (first.layout, first.pages, first.pupils) == (PaperLayout.ONE, 2, 2)
    assert (second.layout, second.pages, second.pupils) == (PaperLayout.TWO, 1, 2)
    for pdf in (one, two):
        text = pdf_text(pdf)
        assert "Орлова Мария" in text and cast.pupil.user.full_name in text
    assert PaperDiaryPrint.objects.count() == 2


# --- who may print ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["deputy", "director", "admin"])
def test_the_administration_prints_any_class_of_its_school(paper_class, role):
    cast = paper_class
    pdf, record = print_batch(cast, actor=getattr(cast, role), school_class=cast.class_b)
    assert (record.pupils, record.printed_by, record.status) == (1, getattr(cast, role), "ready")
    assert "Other_pupil Иван" in pdf_text(pdf)


@pytest.mark.parametrize(
    "role, school_class",
    [
        ("classteacher", "class_b"),  # the class teacher of 7 «А» teaches in 8 «Б», but does not lead it
        ("teacher", "class_a"),
        ("other_teacher", "class_a"),
        ("parent_user", "class_a"),
        ("pupil_user", "class_a"),
        ("foreign_admin", "class_a"),
    ],
)
def test_others_may_not_print(paper_class, role, school_class):
    cast = paper_class
    with pytest.raises(PermissionDenied, match="классный руководитель"), TestCase.captureOnCommitCallbacks() as queued:
        print_batch(cast, actor=getattr(cast, role), school_class=getattr(cast, school_class))
    assert not PaperDiaryPrint.objects.exists() and queued == []


# --- validation: a clear message, nothing printed or logged -----------------------------------


@pytest.mark.parametrize(
    "dates, message",
    [
        ((dt.date(2026, 11, 20), dt.date(2026, 11, 7)), "Дата начала позже даты окончания"),
        ((dt.date(2026, 10, 1), dt.date(2026, 11, 20)), "Период слишком длинный: 51 дн."),
        ((dt.date(2026, 8, 25), dt.date(2026, 9, 4)), "внутри учебного года 2026/2027"),
        ((dt.date(2027, 5, 20), dt.date(2027, 6, 2)), "внутри учебного года"),
        ((dt.date(2026, 11, 23), dt.date(2026, 11, 27)), "начинается в будущем"),
    ],
)
def test_a_wrong_interval_is_refused(paper_class, dates, message):
    with pytest.raises(ValidationError, match=message), TestCase.captureOnCommitCallbacks() as queued:
        print_batch(paper_class, dates=dates)
    assert not PaperDiaryPrint.objects.exists() and queued == []


def test_the_longest_interval_is_31_days(paper_class):
    _pdf, record = print_batch(paper_class, dates=(dt.date(2026, 10, 21), TODAY))
    assert (record.date_to - record.date_from).days + 1 == 31 and record.status == "ready"


def test_an_unknown_layout_is_refused(paper_class):
    with pytest.raises(ValidationError, match="Неизвестный вид"), TestCase.captureOnCommitCallbacks() as queued:
        print_batch(paper_class, layout="four")
    assert not PaperDiaryPrint.objects.exists() and queued == []


def test_nothing_is_printed_when_no_parent_chose_paper(cast):
    family(cast, cast.class_a, 1, "Новикова", InfoForm.ELECTRONIC)
    family(cast, cast.class_a, 2, "Орлова", None)
    with pytest.raises(ValidationError, match="нет родителей, выбравших бумажную форму"):
        print_batch(cast)
    assert not PaperDiaryPrint.objects.exists()


# --- the log and the cost ---------------------------------------------------------------------


def test_the_print_log_warns_after_15_days(paper_class):
    cast = paper_class
    assert print_log(cast.class_a, TODAY).overdue  # never printed
    assert not print_log(cast.class_a, TODAY, needed=False).overdue  # nobody needs a printout
    print_batch(cast, dates=(dt.date(2026, 10, 20), dt.date(2026, 11, 2)), day=dt.date(2026, 11, 2))
    log = print_log(cast.class_a, dt.date(2026, 11, 17))
    assert (log.last_printed_on, log.days_since, log.overdue) == (dt.date(2026, 11, 2), 15, False)
    log = print_log(cast.class_a, dt.date(2026, 11, 18))
    assert (log.days_since, log.overdue) == (16, True)
    assert [entry.record.printed_by for entry in log.entries] == [cast.classteacher]
    assert [entry.state for entry in log.entries] == ["ready"] and not log.pending


def test_only_a_ready_print_counts_as_printed(paper_class, monkeypatch):
    cast = paper_class
    print_batch(cast, dates=(dt.date(2026, 10, 20), dt.date(2026, 11, 2)), day=dt.date(2026, 11, 2))

    def broken(html: str):
        raise OSError("disk full")

    monkeypatch.setattr("diary.services.paper.render_pdf", broken)
    for _n in range(10):  # ten failed prints push the ready one out of the log's ten lines
        print_batch(cast, dates=(dt.date(2026, 11, 7), TODAY), layout=PaperLayout.ONE)
    log = print_log(cast.class_a, TODAY)
    assert [entry.state for entry in log.entries] == ["failed"] * 10
    assert (log.last_printed_on, log.days_since, log.overdue) == (dt.date(2026, 11, 2), 18, True)


# --- the cost ---------------------------------------------------------------------------------


@pytest.mark.parametrize("extra", [0, 6])
def test_the_request_and_the_batch_read_in_a_fixed_number_of_queries(paper_class, django_assert_num_queries, extra):
    cast = paper_class
    for n in range(extra):
        family(cast, cast.class_a, 10 + n, f"Сидорова{'а' * n}", InfoForm.PAPER)
    # class (printable), pupils on the roll over the interval, their parents on paper; the service's SAVEPOINT, the
    # class again FOR UPDATE (the re-check inside the write), the same print already asked for, INSERT print, RELEASE
    with django_assert_num_queries(8):
        record, callbacks = request_batch(cast)
    # The task: UPDATE claims the print, the print (with class, year, school, author), pupils on the roll, their
    # parents on paper, pupil_days (enrollments+subgroups, lessons with bells, homework, marks+attendance, calendar),
    # study periods, subject_summaries (enrollments+subgroups, assignments, marks, period marks), UPDATE stores the PDF
    with at(TODAY), django_assert_num_queries(15):
        callbacks[0]()
    record.refresh_from_db()
    assert record.pupils == 1 + extra and record.status == "ready"
