"""The planned lesson: a КТП line carries the planned homework and kind of work; a lesson of a known КТП topic opens
its record with them filled in, and one confirmation records it (the teacher's changes are the lesson's own).

The clock stands on Friday 18 December 2026 (the 2nd quarter): lessons of 14–18 December are open for entry.
"""

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import Workbook

from journal.demo.plan import WITHOUT_PLAN
from journal.models import Homework, Lesson, PlanTopic, TeachingAssignment, WorkType
from journal.services.plan import (
    HOMEWORK_MAX,
    plan_apply_topics,
    plan_copy_from,
    plan_import,
    plan_import_check,
    plan_topic_add,
    plan_topic_update,
    school_work_types,
)
from journal.services.work_types import work_types_ensure

MSK = ZoneInfo("Europe/Moscow")
DAYS = [dt.date(2026, 12, 14), dt.date(2026, 12, 15), dt.date(2026, 12, 16)]
HEADER = "№ п/п;Раздел;Тема;Часы;Домашнее задание;Вид работы\n"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 18, 10, 0, tzinfo=MSK), tick=False):
        yield


@pytest.fixture
def kinds(cast) -> dict[str, WorkType]:
    return {kind.name: kind for kind in work_types_ensure(cast.school)}


def plan(cast) -> list[tuple]:
    return list(
        PlanTopic.objects.filter(assignment=cast.math_a)
        .order_by("order")
        .values_list("title", "hours", "homework", "work_type__name")
    )


def csv_file(lines: str) -> bytes:
    return (HEADER + lines).encode("utf-8")


def lesson_url(lesson: Lesson) -> str:
    return reverse("journal:grid_lesson", args=[lesson.pk])


def plan_url(name: str, cast, *args) -> str:
    return reverse(f"journal:{name}", args=[cast.math_a.pk, *args])


@pytest.fixture
def planned(cast, kinds) -> list[Lesson]:
    """Three lessons laid out by a КТП of two lines: «Дроби» (2 h, homework, самостоятельная) and a control work."""
    plan_topic_add(
        actor=cast.teacher,
        assignment=cast.math_a,
        title="Дроби",
        hours=2,
        homework="§ 5, № 12–14",
        work_type=kinds["самостоятельная работа"],
    )
    plan_topic_add(
        actor=cast.teacher,
        assignment=cast.math_a,
        title="Контрольная работа № 2",
        work_type=kinds["контрольная работа"],
    )
    lessons = [Lesson.objects.create(assignment=cast.math_a, date=day, number=1) for day in DAYS]
    plan_apply_topics(actor=cast.teacher, assignment=cast.math_a)
    return [Lesson.objects.get(pk=lesson.pk) for lesson in lessons]


def rendered(form) -> dict:
    """What the browser would send back for the form as shown (the teacher only confirms)."""
    data = {"homework": "new"}
    for name in ("topic", "plan_topic", "work_type", "homework_text", "homework_due_date"):
        value = form[name].value()
        data[name] = "" if value is None else value
    if form["is_control"].value():
        data["is_control"] = "on"
    return data


# The КТП line: by hand ----------------------------------------------------------------------------------------------


def test_a_line_keeps_its_homework_and_kind_with_history(cast, kinds):
    topic = plan_topic_add(
        actor=cast.teacher,
        assignment=cast.math_a,
        title="Дроби",
        homework="  § 5,   № 12 \r\n\r\n выучить   правило ",
        work_type=kinds["самостоятельная работа"],
    )
    assert plan(cast) == [("Дроби", 1, "§ 5, № 12\nвыучить правило", "самостоятельная работа")]
    plan_topic_update(actor=cast.classteacher, topic=topic, homework="№ 20", work_type=None)
    assert plan(cast) == [("Дроби", 1, "№ 20", None)]
    plan_topic_update(actor=cast.teacher, topic=topic, title="Обыкновенные дроби")  # the rest is left as it was
    assert plan(cast) == [("Обыкновенные дроби", 1, "№ 20", None)]
    history = PlanTopic.history.filter(id=topic.pk).order_by("history_date")
    assert [(h.homework, h.work_type_id, h.history_user) for h in history] == [
        ("§ 5, № 12\nвыучить правило", kinds["самостоятельная работа"].pk, cast.teacher),
        ("№ 20", None, cast.classteacher),
        ("№ 20", None, cast.teacher),
    ]


def test_a_bad_line_is_refused_and_nothing_changes(cast, kinds):
    topic = plan_topic_add(actor=cast.teacher, assignment=cast.math_a, title="Дроби", homework="§ 5")
    foreign = WorkType.objects.create(school=cast.foreign_admin.school, name="чужая работа", short_name="ч")
    with pytest.raises(ValidationError, match="слишком длинное"):
        plan_topic_update(actor=cast.teacher, topic=topic, homework="x" * (HOMEWORK_MAX + 1))
    with pytest.raises(ValidationError, match="другой школе"):
        plan_topic_update(actor=cast.teacher, topic=topic, work_type=foreign)
    with pytest.raises(ValidationError, match="другой школе"):
        plan_topic_add(actor=cast.teacher, assignment=cast.math_a, title="Проценты", work_type=foreign)
    with pytest.raises(PermissionDenied):
        plan_topic_update(actor=cast.other_teacher, topic=topic, homework="№ 1")
    assert plan(cast) == [("Дроби", 1, "§ 5", None)]


def test_a_copied_plan_keeps_homework_and_kinds(cast, kinds):
    plan_topic_add(actor=cast.teacher, assignment=cast.math_a, title="Дроби", homework="§ 5", work_type=kinds["тест"])
    # the class teacher teaches Russian in 8 «Б» and keeps the 7 «А» journal: their own plan may be copied
    plan_topic_add(
        actor=cast.classteacher,
        assignment=cast.russian_b,
        title="Причастие",
        homework="§ 12",
        work_type=kinds["диктант"],
    )
    plan_copy_from(actor=cast.classteacher, assignment=cast.math_a, source_assignment=cast.russian_b)
    assert plan(cast) == [("Причастие", 1, "§ 12", "диктант")]


# The КТП line: from a file ------------------------------------------------------------------------------------------


def test_import_reads_homework_and_kind_by_name_or_short_name(cast, kinds):
    content = csv_file(
        "1;Дроби;Сложение дробей;2;§ 5, № 12–14;Самостоятельная работа\n"
        "2;Дроби;Вычитание дробей;1;§ 6;к/р\n"
        "3;Дроби;Повторение;1;;\n"
    )
    preview = plan_import_check("ktp.csv", content, work_types=school_work_types(cast.math_a))
    assert preview.ok and preview.with_homework
    plan_import(actor=cast.teacher, assignment=cast.math_a, file_name="ktp.csv", content=content)
    assert plan(cast) == [
        ("Сложение дробей", 2, "§ 5, № 12–14", "самостоятельная работа"),
        ("Вычитание дробей", 1, "§ 6", "контрольная работа"),
        ("Повторение", 1, "", None),
    ]


def test_import_xlsx_with_homework(cast, kinds):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Тема", "Часы", "Д/з", "Вид работы"])
    sheet.append(["Дроби", 2, "§ 5\nвыучить правило", "ТЕСТ"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    plan_import(actor=cast.teacher, assignment=cast.math_a, file_name="КТП.xlsx", content=buffer.getvalue())
    assert plan(cast) == [("Дроби", 2, "§ 5 выучить правило", "тест")]  # the reader joins a cell's lines


def test_an_unknown_kind_of_work_is_that_lines_error_and_nothing_is_imported(cast, kinds):
    plan_topic_add(actor=cast.teacher, assignment=cast.math_a, title="Старая", homework="§ 1")
    content = csv_file("1;Дроби;Сложение;1;§ 5;Самостоятельная\n2;Дроби;Вычитание;1;§ 6;тест\n")
    preview = plan_import_check("ktp.csv", content, work_types=school_work_types(cast.math_a))
    errors = {row.line: row.errors for row in preview.rows}
    assert errors[2] == [
        "Вид работы «Самостоятельная» не найден в списке видов работ школы (укажите название или сокращение)."
    ]
    assert errors[3] == []
    with pytest.raises(ValidationError, match="КТП не изменён"):
        plan_import(actor=cast.teacher, assignment=cast.math_a, file_name="ktp.csv", content=content)
    assert plan(cast) == [("Старая", 1, "§ 1", None)]


def test_another_schools_kind_is_unknown(cast, kinds):
    WorkType.objects.create(school=cast.foreign_admin.school, name="чужая работа", short_name="чр")
    content = csv_file("1;Дроби;Сложение;1;;чужая работа\n")
    with pytest.raises(ValidationError, match="КТП не изменён"):
        plan_import(actor=cast.teacher, assignment=cast.math_a, file_name="ktp.csv", content=content)
    assert plan(cast) == []


def test_import_pages_show_the_new_columns_and_the_error(client, cast, kinds):
    client.force_login(cast.teacher)
    upload = SimpleUploadedFile("ktp.csv", csv_file("1;Дроби;Сложение;1;§ 5;диктовка\n"), content_type="text/csv")
    client.post(plan_url("plan_import", cast), {"file": upload})
    html = client.get(plan_url("plan_import_preview", cast)).content.decode()
    assert "Домашнее задание" in html and "§ 5" in html and "Вид работы «диктовка» не найден" in html
    assert "Заменить КТП этим планом" not in html
    assert "В файле есть ошибки" in client.post(plan_url("plan_import_confirm", cast), follow=True).content.decode()
    assert plan(cast) == []
    sample = client.get(reverse("journal:plan_sample", args=["csv"])).content.decode("utf-8-sig")
    assert sample.splitlines()[0] == "№ п/п;Раздел;Тема;Часы;Домашнее задание;Вид работы"


# The КТП line: the plan page ----------------------------------------------------------------------------------------


def test_the_plan_page_edits_homework_and_kind(client, cast, kinds):
    client.force_login(cast.teacher)
    client.post(plan_url("plan_topic_add", cast), {"title": "Дроби", "hours": 2, "homework": "§ 5"})
    topic = PlanTopic.objects.get()
    edit = client.get(plan_url("plan", cast) + f"?edit={topic.pk}").content.decode()
    assert 'name="work_type"' in edit and "§ 5</textarea>" in edit
    client.post(
        plan_url("plan_topic_edit", cast, topic.pk),
        {"title": "Дроби", "hours": 2, "homework": "§ 5, № 12", "work_type": kinds["тест"].pk},
    )
    assert plan(cast) == [("Дроби", 2, "§ 5, № 12", "тест")]
    page = client.get(plan_url("plan", cast)).content.decode()
    assert "§ 5, № 12" in page and ">тест</span>" in page


def test_a_bad_edit_is_refused_with_a_russian_message(client, cast, kinds):
    topic = plan_topic_add(actor=cast.teacher, assignment=cast.math_a, title="Дроби", homework="§ 5")
    foreign = WorkType.objects.create(school=cast.foreign_admin.school, name="чужая работа", short_name="ч")
    client.force_login(cast.teacher)
    response = client.post(
        plan_url("plan_topic_edit", cast, topic.pk),
        {"title": "Дроби", "hours": 1, "homework": "№ 1", "work_type": foreign.pk},
        follow=True,
    )
    assert "Выберите корректный вариант" in response.content.decode()
    response = client.post(
        plan_url("plan_topic_edit", cast, topic.pk),
        {"title": "Дроби", "hours": 1, "homework": "x" * (HOMEWORK_MAX + 1)},
        follow=True,
    )
    assert "не более" in response.content.decode() or "слишком длинное" in response.content.decode()
    assert plan(cast) == [("Дроби", 1, "§ 5", None)]


@pytest.mark.parametrize(("who", "status"), [("deputy", 403), ("director", 403), ("other_teacher", 404)])
def test_readers_and_outsiders_cannot_edit_the_planned_homework(client, cast, kinds, who, status):
    topic = plan_topic_add(actor=cast.teacher, assignment=cast.math_a, title="Дроби", homework="§ 5")
    client.force_login(getattr(cast, who))
    response = client.post(
        plan_url("plan_topic_edit", cast, topic.pk),
        {"title": "Дроби", "hours": 1, "homework": "№ 1", "work_type": kinds["тест"].pk},
    )
    assert response.status_code == status
    assert plan(cast) == [("Дроби", 1, "§ 5", None)]


def test_the_plan_page_queries_stay_fixed_with_kinds(client, cast, kinds, django_assert_num_queries):
    for i in range(20):
        plan_topic_add(
            actor=cast.teacher,
            assignment=cast.math_a,
            title=f"Тема {i}",
            homework=f"§ {i}",
            work_type=list(kinds.values())[i % 5],
        )
    client.force_login(cast.teacher)
    # As test_views_plan.test_plan_page_queries_are_fixed: the kinds of work come with the topics.
    with django_assert_num_queries(7):
        assert client.get(plan_url("plan", cast)).status_code == 200


# The planned lesson -------------------------------------------------------------------------------------------------


def test_a_planned_lesson_opens_filled_in_and_one_confirmation_records_it(client, cast, kinds, planned):
    first = planned[0]
    client.force_login(cast.teacher)
    response = client.get(lesson_url(first))
    form = response.context["form"]
    assert form["topic"].value() == "Дроби"
    assert form["work_type"].value() == kinds["самостоятельная работа"].pk
    assert form["homework_text"].value() == "§ 5, № 12–14"
    assert "Заполнено по КТП (тема № 1)" in response.content.decode()
    assert client.post(lesson_url(first), rendered(form)).status_code == 302
    first.refresh_from_db()
    assert (first.topic, first.work_type, first.is_control) == ("Дроби", kinds["самостоятельная работа"], False)
    assert first.recorded_at is not None
    homework = Homework.objects.get(lesson=first)
    assert homework.text == "§ 5, № 12–14" and homework.updated_by == cast.teacher
    assert Lesson.history.filter(id=first.pk).order_by("-history_id").first().history_user == cast.teacher
    # Recorded: the page now shows the lesson's own record, without the note.
    again = client.get(lesson_url(first))
    assert "Заполнено по КТП" not in again.content.decode()


def test_a_planned_control_work_is_one(client, cast, kinds, planned):
    control = planned[2]
    client.force_login(cast.teacher)
    form = client.get(lesson_url(control)).context["form"]
    assert form["work_type"].value() == kinds["контрольная работа"].pk and form["is_control"].value() is True
    assert form["homework_text"].value() in (None, "")
    client.post(lesson_url(control), rendered(form))
    control.refresh_from_db()
    assert control.is_control and control.work_type == kinds["контрольная работа"]
    assert not Homework.objects.filter(lesson=control).exists()


def test_what_the_teacher_changes_is_theirs_and_the_plan_stays(client, cast, kinds, planned):
    second = planned[1]
    client.force_login(cast.teacher)
    data = rendered(client.get(lesson_url(second)).context["form"])
    data.update(topic="Дроби: задачи", work_type="", homework_text="№ 40")
    client.post(lesson_url(second), data)
    second.refresh_from_db()
    assert (second.topic, second.work_type) == ("Дроби: задачи", None)
    assert Homework.objects.get(lesson=second).text == "№ 40"
    assert plan(cast)[0] == ("Дроби", 2, "§ 5, № 12–14", "самостоятельная работа")
    form = client.get(lesson_url(second)).context["form"]  # reopened: the teacher's record, not the plan
    assert (form["topic"].value(), form["work_type"].value()) == ("Дроби: задачи", None)
    assert form["homework_text"].value() == "№ 40"
    # Homework taken back by the teacher is not brought back by the plan either.
    data = rendered(form)
    data.update(homework=Homework.objects.get(lesson=second).pk, homework_text="")
    client.post(lesson_url(second), data)
    assert client.get(lesson_url(second)).context["form"]["homework_text"].value() in (None, "")


def test_what_the_lesson_has_already_is_not_replaced(client, cast, kinds, planned):
    first = planned[0]
    Homework.objects.create(lesson=first, text="своё задание", updated_by=cast.teacher)
    Lesson.objects.filter(pk=first.pk).update(work_type=kinds["тест"])
    client.force_login(cast.teacher)
    form = client.get(lesson_url(first)).context["form"]
    assert form["work_type"].value() == kinds["тест"].pk
    assert form["homework_text"].value() == "своё задание"
    new = client.get(lesson_url(first) + "?homework=new").context["form"]
    assert new["homework_text"].value() in (None, "")  # a second homework starts empty


def test_a_lesson_without_a_plan_topic_opens_empty(client, cast, kinds, planned):
    lone = Lesson.objects.create(assignment=cast.math_a, date=DAYS[0], number=2)
    client.force_login(cast.teacher)
    response = client.get(lesson_url(lone))
    form = response.context["form"]
    assert form["topic"].value() == "" and form["work_type"].value() is None
    assert "Заполнено по КТП" not in response.content.decode()


@pytest.mark.parametrize("who", ["deputy", "director"])
def test_readers_see_the_record_as_it_is(client, cast, planned, who):
    client.force_login(getattr(cast, who))
    response = client.get(lesson_url(planned[0]))
    form = response.context["form"]
    assert response.status_code == 200 and form["homework_text"].value() in (None, "")
    assert client.post(lesson_url(planned[0]), rendered(form)).status_code == 403
    assert not Homework.objects.exists()


def test_a_teacher_of_another_assignment_gets_404(client, cast, planned):
    client.force_login(cast.other_teacher)
    assert client.get(lesson_url(planned[0])).status_code == 404
    assert client.post(lesson_url(planned[0]), {"topic": "x", "homework": "new"}).status_code == 404
    assert not Homework.objects.exists()


def test_the_prefill_costs_no_query(client, cast, planned):
    lone = Lesson.objects.create(assignment=cast.math_a, date=DAYS[0], number=2)
    client.force_login(cast.teacher)
    counts = []
    for lesson in (lone, planned[0]):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(lesson_url(lesson)).status_code == 200
        counts.append(len(queries))
    # session, user+school, lesson, homework, the lesson's column, pupils on the day, marks+attendance, the menu (led
    # class and unread, one query); the form's choices: КТП topics (the prefill reads its topic from them), kinds of
    # work (and the planned kind), pupils for the homework
    assert counts == [11, 11]


# The demo ---------------------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_demo_plans_homework_and_leaves_a_few_assignments_without_a_plan():
    """The demo on the fixture's day (18.12.2026): КТП with homework and kinds, a few assignments without one."""
    call_command("seed_demo", pupils=60, stdout=io.StringIO())
    assignments = TeachingAssignment.objects.filter(lessons__isnull=False).distinct()
    without = assignments.exclude(plan_topics__isnull=False)
    assert without.count() == WITHOUT_PLAN
    assert not without.filter(teacher__username__in=["teacher", "classteacher"]).exists()
    topics = PlanTopic.objects.all()
    assert topics.exclude(homework="").count() > topics.count() // 2
    assert not topics.filter(work_type__isnull=True).exists()
    assert PlanTopic.history.count() == topics.count()
    # Every lesson of a planned assignment has its line; the held ones were recorded as planned.
    planned = Lesson.objects.filter(assignment__plan_topics__isnull=False).distinct()
    assert not planned.filter(plan_topic__isnull=True).exists()
    held = planned.filter(recorded_at__isnull=False).select_related("plan_topic")
    assert held.exists() and all(lesson.topic == lesson.plan_topic.title for lesson in held)
    assert all(lesson.work_type_id == lesson.plan_topic.work_type_id for lesson in held)
    ahead = planned.filter(recorded_at__isnull=True).select_related("plan_topic").first()
    assert ahead is not None and ahead.plan_topic.title
