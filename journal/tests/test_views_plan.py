import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from journal.models import Lesson, PlanTopic
from journal.services.plan import plan_import_check
from journal.tests import test_imports_hostile as hostile


def url(name, cast, *args):
    return reverse(f"journal:{name}", args=[cast.math_a.pk, *args])


def topic(cast, order, title, hours=1):
    return PlanTopic.objects.create(assignment=cast.math_a, order=order, title=title, hours=hours)


def titles(cast):
    return list(PlanTopic.objects.filter(assignment=cast.math_a).order_by("order").values_list("title", flat=True))


def upload(text: str, name="ktp.csv"):
    return SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")


def test_the_teacher_sees_the_plan_with_its_forms(client, cast):
    topic(cast, 1, "Делители", 2)
    client.force_login(cast.teacher)
    response = client.get(url("plan", cast))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Делители" in html and "Добавить тему" in html and "Назначить темы урокам" in html
    assert "Часов в КТП: 2, а по учебному плану 170" in html


@pytest.mark.parametrize("who", ["deputy", "director", "admin"])
def test_management_reads_the_plan(client, cast, who):
    topic(cast, 1, "Делители")
    client.force_login(getattr(cast, who))
    html = client.get(url("plan", cast)).content.decode()
    assert "Делители" in html and "только просмотр" in html and "Добавить тему" not in html


def test_plan_page_queries_are_fixed(client, cast, django_assert_num_queries):
    client.force_login(cast.teacher)
    for i in range(30):
        topic(cast, i + 1, f"Тема {i}")
        Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 9, 1) + dt.timedelta(days=i), number=1)
    # session, user+school, assignment (visibility and editor role in one), КТП topics, the lessons (held or not),
    # plans to copy from (the subject's other assignments with their topic counts), menu: led class and unread (one query)
    with django_assert_num_queries(7):
        client.get(url("plan", cast))


def test_add_edit_move_remove(client, cast):
    client.force_login(cast.teacher)
    client.post(url("plan_topic_add", cast), {"title": "Кратные", "hours": 1, "section": "Числа"})
    client.post(url("plan_topic_add", cast), {"title": "Делители", "hours": 2, "section": "Числа", "position": 1})
    assert titles(cast) == ["Делители", "Кратные"]
    first = PlanTopic.objects.get(title="Делители")
    client.post(url("plan_topic_edit", cast, first.pk), {"title": "Делители числа", "hours": 3, "section": "Числа"})
    client.post(url("plan_topic_move", cast, first.pk), {"direction": "down"})
    assert titles(cast) == ["Кратные", "Делители числа"]
    response = client.post(url("plan_topic_remove", cast, first.pk))
    assert response.status_code == 302 and titles(cast) == ["Кратные"]
    edit_page = client.get(url("plan", cast) + f"?edit={PlanTopic.objects.get().pk}").content.decode()
    assert "Сохранить" in edit_page


def test_a_bad_topic_is_refused_with_a_message(client, cast):
    client.force_login(cast.teacher)
    response = client.post(url("plan_topic_add", cast), {"title": "Тема", "hours": 0}, follow=True)
    assert "больше либо равно 1" in response.content.decode() and not PlanTopic.objects.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("deputy", 403), ("admin", 403), ("other_teacher", 404), ("pupil_user", 404)]
)
def test_readers_and_outsiders_cannot_write(client, cast, who, status):
    existing = topic(cast, 1, "Делители")
    client.force_login(getattr(cast, who))
    for response in (
        client.post(url("plan_topic_add", cast), {"title": "Кратные", "hours": 1}),
        client.post(url("plan_topic_edit", cast, existing.pk), {"title": "X", "hours": 1}),
        client.post(url("plan_topic_remove", cast, existing.pk)),
        client.post(url("plan_import", cast), {"file": upload("Тема;Часы\nX;1\n")}),
        client.post(url("plan_copy", cast), {"source": cast.physics_b.pk}),
        client.post(url("plan_apply", cast)),
        client.post(url("plan_import_confirm", cast)),
    ):
        assert response.status_code == status
    assert titles(cast) == ["Делители"]


def test_writes_need_post(client, cast):
    client.force_login(cast.teacher)
    assert client.get(url("plan_topic_add", cast)).status_code == 405
    assert client.get(url("plan_apply", cast)).status_code == 405


def test_import_with_bad_rows_previews_and_writes_nothing(client, cast):
    topic(cast, 1, "Старая")
    client.force_login(cast.teacher)
    response = client.post(url("plan_import", cast), {"file": upload("№ п/п;Тема;Часы\n1;Делители;1\n1;;x\n")})
    assert response.status_code == 302 and response.url == url("plan_import_preview", cast)
    html = client.get(response.url).content.decode()
    assert "Не указана тема" in html and "повторяется" in html and "КТП не изменён" in html
    assert "Заменить КТП этим планом" not in html
    response = client.post(url("plan_import_confirm", cast), follow=True)
    assert "В файле есть ошибки" in response.content.decode()
    assert titles(cast) == ["Старая"]


def test_clean_import_previews_then_replaces(client, cast):
    topic(cast, 1, "Старая")
    client.force_login(cast.teacher)
    client.post(
        url("plan_import", cast), {"file": upload("№ п/п;Раздел;Тема;Часы\n1;Числа;Делители;2\n2;Числа;Кратные;1\n")}
    )
    html = client.get(url("plan_import_preview", cast)).content.decode()
    assert "ошибок нет" in html and "Заменить КТП этим планом" in html
    assert titles(cast) == ["Старая"]  # nothing written before the confirmation
    response = client.post(url("plan_import_confirm", cast))
    assert response.status_code == 302
    assert titles(cast) == ["Делители", "Кратные"]
    assert client.get(url("plan_import_preview", cast)).status_code == 302  # the file left the session


def test_an_unreadable_file_is_refused_at_upload(client, cast):
    client.force_login(cast.teacher)
    response = client.post(url("plan_import", cast), {"file": upload("x", name="ktp.pdf")}, follow=True)
    assert "CSV или XLSX" in response.content.decode()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("ktp.xlsx", hostile.with_doctype(hostile.SHEET), "объявление DTD"),
        ("ktp.xlsx", hostile.xlsx([hostile.row(["Тема"], 1), hostile.row(["Дроби"], 2_000_000)]), "больше 1000 строк"),
        ("ktp.csv", "Тема;Часы\n".encode() + b"x" * 300_000 + b";1\n", "длиннее 4000 символов"),
        ("ktp.csv", b"x" * (1024 * 1024 + 1), "Файл слишком большой: можно не больше 1 МБ."),
    ],
    ids=["dtd", "2M-rows", "long-cell", "size"],
)
def test_a_hostile_file_is_refused_with_a_message(client, cast, name, content, message):
    """Before: a DTD was a 500 and two million declared rows held the worker; now a message on the plan page."""
    topic(cast, 1, "Старая")
    client.force_login(cast.teacher)
    response = client.post(url("plan_import", cast), {"file": SimpleUploadedFile(name, content)})
    assert response.status_code == 302 and response.url == url("plan", cast)
    assert message in client.get(response.url).content.decode()
    assert titles(cast) == ["Старая"] and not client.session.get(f"plan_import_{cast.math_a.pk}")


def test_the_import_form_states_the_caps(client, cast):
    client.force_login(cast.teacher)
    html = client.get(url("plan", cast)).content.decode()
    assert "Файл до 1 МБ: до 500 тем и 1000 строк, до 30 столбцов, до 4000 символов в ячейке." in html


def test_copy_and_apply(client, cast):
    PlanTopic.objects.create(assignment=cast.russian_b, order=1, title="Причастие", hours=2)
    Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 9, 1), number=1)
    Lesson.objects.create(assignment=cast.math_a, date=dt.date(2026, 9, 2), number=1)
    client.force_login(cast.classteacher)  # copies from their own Russian in 8 «Б»
    html = client.get(url("plan", cast)).content.decode()
    assert "Причастие" not in html and "Русский язык" in html
    client.post(url("plan_copy", cast), {"source": cast.russian_b.pk})
    assert titles(cast) == ["Причастие"]
    response = client.post(url("plan_apply", cast), {"from_date": ""}, follow=True)
    assert "Темы назначены урокам: 2" in response.content.decode()
    assert set(Lesson.objects.values_list("topic", flat=True)) == {"Причастие"}


def test_copy_from_a_plan_not_allowed(client, cast):
    PlanTopic.objects.create(assignment=cast.physics_b, order=1, title="Механика", hours=1)
    client.force_login(cast.teacher)
    response = client.post(url("plan_copy", cast), {"source": cast.physics_b.pk}, follow=True)
    assert "скопировать нельзя" in response.content.decode() and not titles(cast)


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_sample_files(client, cast, fmt):
    client.force_login(cast.teacher)
    response = client.get(reverse("journal:plan_sample", args=[fmt]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert len(plan_import_check(f"sample.{fmt}", response.content).topics) == 3
