import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import Workbook

from journal import services
from journal.choices import YearStatus
from journal.models import Lesson, Mark, PlanTopic, SchoolYear
from journal.selectors.plan import copy_sources, plan_page
from journal.services.plan import (
    plan_apply_topics,
    plan_copy_from,
    plan_import,
    plan_import_check,
    plan_topic_add,
    plan_topic_move,
    plan_topic_remove,
    plan_topic_reorder,
    plan_topic_update,
)
from journal.tests import test_imports_hostile as hostile

HEADER = "№ п/п;Раздел;Тема;Часы\n"


def csv_file(lines: str) -> bytes:
    return (HEADER + lines).encode("utf-8")


def titles(assignment) -> list[tuple[int, str, int]]:
    return list(
        PlanTopic.objects.filter(assignment=assignment).order_by("order").values_list("order", "title", "hours")
    )


def add(cast, title, hours=1, **kwargs):
    return plan_topic_add(
        actor=kwargs.pop("actor", cast.teacher), assignment=cast.math_a, title=title, hours=hours, **kwargs
    )


def lessons(cast, n, start=dt.date(2026, 9, 1)):
    return [
        Lesson.objects.create(assignment=cast.math_a, date=start + dt.timedelta(days=i), number=1) for i in range(n)
    ]


# --- by hand ------------------------------------------------------------------------------------------------------


def test_add_update_reorder_remove(cast):
    first = add(cast, "Дроби", 2, section="Числа")
    add(cast, "Проценты")
    add(cast, "  Повторение   темы ", position=1)
    assert titles(cast.math_a) == [(1, "Повторение темы", 1), (2, "Дроби", 2), (3, "Проценты", 1)]
    plan_topic_update(actor=cast.classteacher, topic=first, title="Обыкновенные дроби", hours=3)
    plan_topic_move(actor=cast.teacher, topic=first, step=-1)
    assert titles(cast.math_a) == [(1, "Обыкновенные дроби", 3), (2, "Повторение темы", 1), (3, "Проценты", 1)]
    pks = list(PlanTopic.objects.filter(assignment=cast.math_a).order_by("-order").values_list("pk", flat=True))
    plan_topic_reorder(actor=cast.teacher, assignment=cast.math_a, order=pks)
    assert [t for _n, t, _h in titles(cast.math_a)] == ["Проценты", "Повторение темы", "Обыкновенные дроби"]
    plan_topic_remove(actor=cast.teacher, topic=PlanTopic.objects.get(title="Повторение темы"))
    assert titles(cast.math_a) == [(1, "Проценты", 1), (2, "Обыкновенные дроби", 3)]
    history = PlanTopic.history.filter(id=first.pk).order_by("history_date")
    assert history.first().history_user == cast.teacher
    assert {h.history_user for h in history} == {cast.teacher, cast.classteacher}


def test_reorder_must_name_every_topic(cast):
    add(cast, "А")
    topic = add(cast, "Б")
    with pytest.raises(ValidationError, match="устарел"):
        plan_topic_reorder(actor=cast.teacher, assignment=cast.math_a, order=[topic.pk])


@pytest.mark.parametrize(("title", "hours", "message"), [("", 1, "Укажите тему"), ("Тема", 0, "от 1 до 100")])
def test_bad_topic_is_refused(cast, title, hours, message):
    with pytest.raises(ValidationError, match=message):
        add(cast, title, hours)
    assert not PlanTopic.objects.exists()


def test_a_topic_used_by_a_lesson_is_not_removed(cast):
    topic = add(cast, "Дроби")
    lessons(cast, 1)
    plan_apply_topics(actor=cast.teacher, assignment=cast.math_a)
    with pytest.raises(ValidationError, match="назначена урокам \\(1\\)"):
        plan_topic_remove(actor=cast.teacher, topic=topic)
    assert PlanTopic.objects.filter(pk=topic.pk).exists()


@pytest.mark.parametrize("who", ["other_teacher", "deputy", "director", "admin", "pupil_user"])
def test_only_the_teacher_and_class_teacher_write_the_plan(cast, who):
    with pytest.raises(PermissionDenied):
        add(cast, "Дроби", actor=getattr(cast, who))
    assert not PlanTopic.objects.exists()


def test_a_closed_year_refuses(cast):
    SchoolYear.objects.filter(pk=cast.year.pk).update(status=YearStatus.CLOSED)
    cast.math_a.year.refresh_from_db()
    with pytest.raises(ValidationError, match="закрыт"):
        add(cast, "Дроби")


# --- import ----------------------------------------------------------------------------------------------------------


def test_import_bad_rows_writes_nothing(cast):
    add(cast, "Старая тема")
    content = csv_file("1;Числа;Делители;1\n2;Числа;;1\n3;Числа;Кратные;полтора\n3;Числа;НОД;0\n")
    preview = plan_import_check("ktp.csv", content)
    problems = {row.line: row.errors for row in preview.rows if row.errors}
    assert problems[3] == ["Не указана тема."]
    assert "Часы — целое число" in problems[4][0]
    assert any("повторяется" in e for e in problems[5]) and any("Часы" in e for e in problems[5])
    with pytest.raises(ValidationError, match="В файле есть ошибки"):
        plan_import(actor=cast.teacher, assignment=cast.math_a, file_name="ktp.csv", content=content)
    assert titles(cast.math_a) == [(1, "Старая тема", 1)]


def test_import_without_a_header_is_refused_whole(cast):
    with pytest.raises(ValidationError, match="строка заголовков"):
        plan_import_check("ktp.csv", b"1;2;3\n4;5;6\n")
    with pytest.raises(ValidationError, match="CSV или XLSX"):
        plan_import_check("ktp.docx", b"x")


def test_clean_import_replaces_the_plan(cast):
    add(cast, "Старая тема 1")
    add(cast, "Старая тема 2")
    add(cast, "Старая тема 3")
    content = (
        "КТП по математике, 7 класс\n"  # a title line above the header
        + HEADER
        + "Раздел 1. Числа;;;\n"  # a section heading: the lines below take it
        + "2;;Кратные;1\n1;;Делители;2\n"
        + "3;Дроби;Основное свойство;\n"
    ).encode("cp1251")
    topics = plan_import(actor=cast.teacher, assignment=cast.math_a, file_name="ktp.csv", content=content)
    assert [(t.order, t.section, t.title, t.hours) for t in topics] == [
        (1, "Раздел 1. Числа", "Делители", 2),
        (2, "Раздел 1. Числа", "Кратные", 1),
        (3, "Дроби", "Основное свойство", 1),
    ]


def test_import_does_not_renumber_when_the_file_has_no_numbers(cast):
    content = "Тема;Часы\nВторая по алфавиту;1\nА первая;2\n".encode()
    topics = plan_import(actor=cast.teacher, assignment=cast.math_a, file_name="ktp.csv", content=content)
    assert [t.title for t in topics] == ["Вторая по алфавиту", "А первая"]


def test_import_xlsx(cast):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["№ п/п", "Раздел", "Тема урока", "Кол-во часов"])
    sheet.append([1, "Алгебра", "Степень с натуральным показателем", 2])
    sheet.append([2, "Алгебра", "Одночлены", 1.0])
    buffer = io.BytesIO()
    workbook.save(buffer)
    topics = plan_import(actor=cast.teacher, assignment=cast.math_a, file_name="КТП.xlsx", content=buffer.getvalue())
    assert [(t.title, t.hours) for t in topics] == [("Степень с натуральным показателем", 2), ("Одночлены", 1)]


# The КТП is read by the same reader as the lists of pupils (journal/tests/test_imports_hostile.py has the files),
# within its own caps: 1 MB, 1000 lines, 30 columns, 4000 characters in a cell, 500 topics.


@pytest.mark.parametrize(
    ("file_name", "content", "message"),
    [
        ("ktp.xlsx", hostile.with_doctype(hostile.SHEET), "объявление DTD"),
        ("ktp.xlsx", hostile.with_doctype("xl/workbook.xml"), "объявление DTD"),
        ("ktp.xlsx", hostile.xlsx([hostile.row(["Тема"], 1), hostile.row(["Дроби"], 2_000_000)]), "больше 1000 строк"),
        ("ktp.xlsx", hostile.xlsx(hostile.repeated(b"<row><c><v>1</v></c></row>", 2_000_000, 100_000)), "16 МБ"),
        ("ktp.csv", HEADER.encode() + b"1;;" + b"x" * 5000 + b";1\n", "Ячейка в строке 2 длиннее 4000 символов"),
        ("ktp.csv", HEADER.encode() + b"1;" * 50_000 + b"\n", "В строке 2 больше 30 столбцов"),
        ("ktp.csv", HEADER.encode() + b"\n" * 1500, "больше 1000 строк"),
        ("ktp.csv", HEADER.encode() + b"1;;\x00;1\n", "нулевые байты"),
        ("ktp.csv", HEADER.encode() + b"x" * (2 * 1024 * 1024), "Файл слишком большой (2 МБ): можно не больше 1 МБ."),
    ],
    ids=["dtd-sheet", "dtd-workbook", "2M-rows", "zip-bomb", "long-cell", "columns", "lines", "nul", "size"],
)
def test_hostile_plan_files_are_refused(cast, file_name, content, message):
    add(cast, "Старая тема")
    with pytest.raises(ValidationError) as error:
        plan_import_check(file_name, content)
    assert message in " ".join(error.value.messages)
    with pytest.raises(ValidationError):
        plan_import(actor=cast.teacher, assignment=cast.math_a, file_name=file_name, content=content)
    assert titles(cast.math_a) == [(1, "Старая тема", 1)]


def test_topics_past_the_cap_stop_the_reading(cast, monkeypatch):
    # Counted as the lines are read: the 501st topic refuses the file (the lines cap is checked first, as lines).
    content = csv_file("".join(f"{n};;Тема {n};1\n" for n in range(1, 700)))
    with pytest.raises(ValidationError, match="больше 500 тем"):
        plan_import_check("ktp.csv", content)


def test_replacing_the_plan_keeps_held_lessons_topics(cast):
    add(cast, "Старая 1")
    add(cast, "Старая 2")
    held, ahead, typed = lessons(cast, 3)
    plan_apply_topics(actor=cast.teacher, assignment=cast.math_a)
    Mark.objects.create(lesson=held, pupil=cast.pupil, value="5", updated_by=cast.teacher)  # held
    Lesson.objects.filter(pk=typed.pk).update(topic="Своя тема")
    plan_import(actor=cast.teacher, assignment=cast.math_a, file_name="k.csv", content=csv_file("1;;Новая;3\n"))
    held.refresh_from_db(), ahead.refresh_from_db(), typed.refresh_from_db()
    assert (held.topic, held.plan_topic) == ("Старая 1", None)  # the record of a held lesson stands
    assert (ahead.topic, ahead.plan_topic) == ("", None)  # only from the old plan: cleared for the new one
    assert (typed.topic, typed.plan_topic) == ("Своя тема", None)
    result = plan_apply_topics(actor=cast.teacher, assignment=cast.math_a)
    ahead.refresh_from_db()
    assert ahead.topic == "Новая" and (result.assigned, result.kept) == (1, 2)


# --- copy ------------------------------------------------------------------------------------------------------------


def test_copy_last_years_plan(cast):
    last_year = services.school_year_create(
        actor=cast.admin,
        school=cast.school,
        name="2025/2026",
        start_date=dt.date(2025, 9, 1),
        end_date=dt.date(2026, 5, 26),
    )
    old_class = services.class_create(actor=cast.admin, year=last_year, grade=7, letter="Б")
    old = services.assignment_create(
        actor=cast.admin,
        school_class=old_class,
        subject=cast.math_a.subject,
        teacher=cast.other_teacher,
        hours_per_week=Decimal(5),
    )
    PlanTopic.objects.create(assignment=old, order=1, title="Делители", hours=2, section="Числа")
    PlanTopic.objects.create(assignment=old, order=2, title="Кратные", hours=1, section="Числа")
    sources = copy_sources(cast.math_a, cast.teacher)
    assert [(s.assignment, s.recommended, s.topics, s.hours) for s in sources] == [(old, True, 2, 3)]
    add(cast, "Было")
    plan_copy_from(actor=cast.teacher, assignment=cast.math_a, source_assignment=old)
    assert titles(cast.math_a) == [(1, "Делители", 2), (2, "Кратные", 1)]
    assert PlanTopic.objects.filter(assignment=old).count() == 2  # the source is untouched


def test_copy_from_an_unrelated_assignment_is_refused(cast):
    PlanTopic.objects.create(assignment=cast.physics_b, order=1, title="Механика", hours=1)
    assert copy_sources(cast.math_a, cast.teacher) == []
    with pytest.raises(PermissionDenied):
        plan_copy_from(actor=cast.teacher, assignment=cast.math_a, source_assignment=cast.physics_b)


def test_copy_from_the_teachers_own_assignment(cast):
    # the class teacher teaches Russian in 8 «Б» and keeps the 7 «А» journal: their own plan may be copied
    PlanTopic.objects.create(assignment=cast.russian_b, order=1, title="Причастие", hours=4)
    plan_copy_from(actor=cast.classteacher, assignment=cast.math_a, source_assignment=cast.russian_b)
    assert titles(cast.math_a) == [(1, "Причастие", 4)]
    PlanTopic.objects.filter(assignment=cast.russian_b).delete()
    with pytest.raises(ValidationError, match="пуст"):
        plan_copy_from(actor=cast.classteacher, assignment=cast.math_a, source_assignment=cast.russian_b)


# --- applying to lessons -----------------------------------------------------------------------------------------


def test_apply_topics_in_order_by_hours_and_keeps_typed_topics(cast):
    add(cast, "Делители", 2)
    add(cast, "Кратные", 1)
    add(cast, "НОД", 2)
    rows = lessons(cast, 6)
    Lesson.objects.filter(pk=rows[2].pk).update(topic="Контрольная работа № 1")  # typed by the teacher
    result = plan_apply_topics(actor=cast.teacher, assignment=cast.math_a)
    got = list(Lesson.objects.filter(assignment=cast.math_a).order_by("date").values_list("topic", "plan_topic__title"))
    assert got == [
        ("Делители", "Делители"),
        ("Делители", "Делители"),
        ("Контрольная работа № 1", None),  # kept, and it used the hour of «Кратные»
        ("НОД", "НОД"),
        ("НОД", "НОД"),
        ("", None),  # beyond the plan
    ]
    assert (result.assigned, result.kept, result.beyond_plan, result.hours_not_placed) == (4, 1, 1, 0)
    again = plan_apply_topics(actor=cast.teacher, assignment=cast.math_a)
    assert (again.assigned, again.unchanged) == (0, 4)
    assert Lesson.history.filter(id=rows[0].pk).first().history_user == cast.teacher


def test_apply_from_a_date_continues_the_plan(cast):
    add(cast, "А", 2)
    add(cast, "Б", 1)
    add(cast, "В", 1)
    rows = lessons(cast, 2)
    plan_apply_topics(actor=cast.teacher, assignment=cast.math_a)
    PlanTopic.objects.filter(title="А").update(hours=1)  # the teacher went faster than planned
    later = lessons(cast, 3, start=dt.date(2026, 9, 10))
    Lesson.objects.filter(pk=rows[1].pk).update(topic="А")
    result = plan_apply_topics(actor=cast.teacher, assignment=cast.math_a, from_date=dt.date(2026, 9, 10))
    got = [Lesson.objects.get(pk=lesson.pk).topic for lesson in later]
    assert got == ["Б", "В", ""]
    assert result.beyond_plan == 1
    assert Lesson.objects.get(pk=rows[0].pk).topic == "А"  # before the date: untouched


def test_apply_with_too_few_lessons_reports_the_rest(cast):
    add(cast, "А", 3)
    lessons(cast, 2)
    assert plan_apply_topics(actor=cast.teacher, assignment=cast.math_a).hours_not_placed == 1


def test_apply_refuses_an_empty_plan_and_outsiders(cast):
    with pytest.raises(ValidationError, match="нет ни одной темы"):
        plan_apply_topics(actor=cast.teacher, assignment=cast.math_a)
    add(cast, "А")
    with pytest.raises(PermissionDenied):
        plan_apply_topics(actor=cast.deputy, assignment=cast.math_a)


def test_renaming_a_topic_renames_its_lessons_not_yet_held(cast):
    topic = add(cast, "Дроби", 2)
    held, ahead = lessons(cast, 2)
    plan_apply_topics(actor=cast.teacher, assignment=cast.math_a)
    Lesson.objects.filter(pk=held.pk).update(recorded_at=dt.datetime(2026, 9, 1, 10, tzinfo=dt.UTC))
    plan_topic_update(actor=cast.teacher, topic=topic, title="Обыкновенные дроби")
    assert Lesson.objects.get(pk=held.pk).topic == "Дроби"
    assert Lesson.objects.get(pk=ahead.pk).topic == "Обыкновенные дроби"


# --- plan vs fact --------------------------------------------------------------------------------------------------


def test_plan_vs_fact(cast):
    add(cast, "А", 2)
    add(cast, "Б", 2)
    rows = lessons(cast, 5, start=dt.date(2026, 9, 7))  # 7..11 September
    plan_apply_topics(actor=cast.teacher, assignment=cast.math_a)
    Mark.objects.create(lesson=rows[0], pupil=cast.pupil, value="5", updated_by=cast.teacher)
    Lesson.objects.filter(pk=rows[1].pk).update(recorded_at=dt.datetime(2026, 9, 8, 10, tzinfo=dt.UTC))
    page = plan_page(cast.math_a, today=dt.date(2026, 9, 10))
    assert page.held == 2
    # A register taken with nobody absent is a lesson held too (9 September).
    Lesson.objects.filter(pk=rows[2].pk).update(attendance_taken_at=dt.datetime(2026, 9, 9, 10, tzinfo=dt.UTC))
    page = plan_page(cast.math_a, today=dt.date(2026, 9, 10))
    assert page.held == 3 and page.past_without_record == 0
    Lesson.objects.filter(pk=rows[2].pk).update(attendance_taken_at=None)
    page = plan_page(cast.math_a, today=dt.date(2026, 9, 10))
    assert page.planned_hours == 4
    assert page.curriculum_hours == Decimal(170)  # 5 h × 34 weeks
    assert page.laid_out == 5
    assert page.held == 2
    assert page.past_without_record == 1  # 9 September
    assert [row.topic.title for row in page.behind] == ["Б"]
    assert [row.held for row in page.rows] == [2, 0]
    warnings = " ".join(page.warnings)
    assert "Часов в КТП: 4, а по учебному плану 170" in warnings
    assert "Уроков по расписанию на год: 5" in warnings


@pytest.mark.parametrize("number", ["²", "٣", "１", "0", "-2", "99999999999999999999999"])
def test_a_number_that_is_no_number_is_a_row_error_not_a_500(cast, number):
    """`str.isdigit()` let «²» through to `int()`; the row is refused in Russian instead."""
    preview = plan_import_check("ktp.csv", csv_file(f"№;Тема;Часы\n{number};Дроби;1\n"))
    assert any("№ п/п — целое положительное число" in error for row in preview.rows for error in row.errors)


def test_the_import_says_that_a_day_does_not_exist():
    from journal.services.imports.values import date_problem

    assert date_problem("31.02.2013") == "такой даты нет"
    assert date_problem("1.1.13") == "год нужен четырьмя цифрами: ДД.ММ.ГГГГ"
    assert date_problem("вчера") == "нужна дата вида ДД.ММ.ГГГГ"
