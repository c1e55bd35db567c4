"""The class journal grid: access for every role, saving a cell (accepted, refused, locked), the lesson record,
a cell's history, and the page's fixed number of queries.

The clock stands on Friday 18 December 2026 (the 2nd quarter, 02.11–26.12): lessons up to 4 December are past the
10-working-day lock, later ones are open, those after the 18th have not taken place yet.
"""

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from accounts import services as account_services
from journal import services
from journal.choices import YearStatus
from journal.models import (
    Attendance,
    Enrollment,
    Homework,
    Lesson,
    Mark,
    PeriodMark,
    PeriodMarkKind,
    SchoolYear,
    StudyPeriod,
    Substitution,
)
from journal.services.unlock import edit_window_open
from journal.services.work_types import work_types_ensure
from journal.workdays import grade_calendar

MSK = ZoneInfo("Europe/Moscow")
TODAY = dt.date(2026, 12, 18)
OPEN_DAY = dt.date(2026, 12, 16)  # within 10 working days of TODAY
LOCKED_DAY = dt.date(2026, 11, 9)  # long past the lock
FUTURE_DAY = dt.date(2026, 12, 22)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(dt.datetime(2026, 12, 18, 10, 0, tzinfo=MSK), tick=False):
        yield


def lesson(cast, day: dt.date, number: int = 1, **extra) -> Lesson:
    return Lesson.objects.create(assignment=cast.math_a, date=day, number=number, **extra)


def grid_url(cast) -> str:
    return reverse("journal:grid", args=[cast.math_a.pk])


def post_cell(client, lesson_obj: Lesson, pupil, field: str, value: str, period: StudyPeriod | None = None):
    data = {"lesson": lesson_obj.pk, "pupil": pupil.pk, "field": field, "value": value}
    if period is not None:
        data["period"] = period.pk
    return client.post(reverse("journal:grid_cell"), data)


def second_quarter(cast) -> StudyPeriod:
    return StudyPeriod.objects.get(year=cast.year, number=2)


# Access ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["teacher", "classteacher"])
def test_keepers_see_the_grid_with_entry(client, cast, role):
    lesson(cast, OPEN_DAY)
    client.force_login(getattr(cast, role))
    response = client.get(grid_url(cast))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-cell-url="' in html and 'id="grid-bar"' in html
    assert "Pupil Иван" in html


@pytest.mark.parametrize("role", ["deputy", "director", "admin"])
def test_administration_reads_without_inputs(client, cast, role):
    lesson(cast, OPEN_DAY)
    client.force_login(getattr(cast, role))
    response = client.get(grid_url(cast))
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-cell-url" not in html and 'id="grid-bar"' not in html
    assert "только просмотр" in html


@pytest.mark.parametrize("role", ["other_teacher", "pupil_user", "parent_user", "parent2_user", "foreign_admin"])
def test_outsiders_get_404(client, cast, role):
    held = lesson(cast, OPEN_DAY)
    client.force_login(getattr(cast, role))
    assert client.get(grid_url(cast)).status_code == 404
    assert client.get(reverse("journal:grid_lesson", args=[held.pk])).status_code == 404
    assert client.get(reverse("journal:grid_cell_history", args=[held.pk, cast.pupil.pk])).status_code == 404
    assert post_cell(client, held, cast.pupil, "mark1", "5").status_code == 404
    assert not Mark.objects.exists()


def test_anonymous_is_sent_to_login(client, cast):
    held = lesson(cast, OPEN_DAY)
    response = client.get(grid_url(cast))
    assert response.status_code == 302 and response.url.startswith(reverse("accounts:login"))
    # The cell's endpoint answers the grid's script in JSON, which it shows in the cell, not with a login page.
    response = post_cell(client, held, cast.pupil, "mark1", "5")
    assert response.status_code == 401 and "войдите снова" in response.json()["error"]
    assert not Mark.objects.exists()


@pytest.mark.parametrize("role", ["deputy", "director", "admin"])
def test_read_only_writes_are_refused_and_change_nothing(client, cast, role):
    held = lesson(cast, OPEN_DAY)
    client.force_login(getattr(cast, role))
    for field, value in (("mark1", "5"), ("mark2", "4"), ("att", "н")):
        response = post_cell(client, held, cast.pupil, field, value)
        assert response.status_code == 403
        assert "Только просмотр" in response.json()["error"]
    response = client.post(reverse("journal:grid_lesson", args=[held.pk]), {"topic": "Дроби", "homework": "new"})
    assert response.status_code == 403
    held.refresh_from_db()
    assert held.topic == ""
    assert not Mark.objects.exists() and not Attendance.objects.exists() and not Homework.objects.exists()


def test_closed_year_is_read_only_for_everyone(client, cast):
    held = lesson(cast, OPEN_DAY)
    SchoolYear.objects.filter(pk=cast.year.pk).update(status=YearStatus.CLOSED)
    client.force_login(cast.teacher)
    assert "data-cell-url" not in client.get(grid_url(cast)).content.decode()
    response = post_cell(client, held, cast.pupil, "mark1", "5")
    assert response.status_code == 403 and "закрыт" in response.json()["error"]
    assert not Mark.objects.exists()


def test_cell_is_post_only(client, cast):
    client.force_login(cast.teacher)
    assert client.get(reverse("journal:grid_cell")).status_code == 405


# Saving a cell ---------------------------------------------------------------------------------------------------


def test_teacher_saves_marks_and_sees_the_row_figures(client, cast):
    held = lesson(cast, OPEN_DAY)
    client.force_login(cast.teacher)
    response = post_cell(client, held, cast.pupil, "mark1", "5", second_quarter(cast))
    assert response.status_code == 200
    data = response.json()
    assert data["html"] == "<b>5</b>"
    assert data["stats"] == {"avg": "5,00", "n": 1, "low": True, "fc": "5", "min": 4}
    mark = Mark.objects.get(lesson=held, pupil=cast.pupil, position=1)
    assert mark.value == "5" and mark.updated_by == cast.teacher

    data = post_cell(client, held, cast.pupil, "mark2", "2", second_quarter(cast)).json()
    assert data["html"] == '<b>5</b><b class="lo">2</b>'
    assert data["stats"]["avg"] == "3,50" and data["stats"]["n"] == 2

    data = post_cell(client, held, cast.pupil, "mark2", "").json()  # clearing keeps the row and its history
    assert data["html"] == "<b>5</b>"
    assert Mark.objects.get(lesson=held, pupil=cast.pupil, position=2).value == ""


def test_a_second_mark_without_a_first_is_refused(client, cast):
    # Issue 10: a second mark saved in an empty cell looked like a first one.
    held = lesson(cast, OPEN_DAY)
    client.force_login(cast.teacher)
    response = post_cell(client, held, cast.pupil, "mark2", "4")
    assert response.status_code == 400
    assert "только вместе с первой" in response.json()["error"]
    assert response.json()["html"] == ""
    assert not Mark.objects.filter(lesson=held).exists()
    # Nor is the first cleared from under a second: the answer shows the cell as stored, both marks.
    post_cell(client, held, cast.pupil, "mark1", "5")
    post_cell(client, held, cast.pupil, "mark2", "3")
    response = post_cell(client, held, cast.pupil, "mark1", "")
    assert response.status_code == 400
    assert "Сначала уберите вторую отметку" in response.json()["error"]
    assert response.json()["html"] == "<b>5</b><b>3</b>"


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("att", "b"),
        ("att", "n"),
        ("att", "u"),
        ("att", "p"),
        ("att", "o п"),
        ("att", "Н"),
        ("mark1", "abc"),
        ("mark1", "0"),
        ("mark1", "7"),
        ("mark1", "зачёт"),
    ],
)
def test_anything_but_an_exact_code_or_mark_is_refused(client, cast, field, value):
    # Issue 10: Latin «b» was saved as «б». The server takes the code or the mark as typed, or refuses it.
    held = lesson(cast, OPEN_DAY)
    client.force_login(cast.teacher)
    response = post_cell(client, held, cast.pupil, field, value)
    assert response.status_code == 400
    assert "не отметка" in response.json()["error"] or "от 1 до 5" in response.json()["error"]
    assert not Attendance.objects.filter(lesson=held).exists() and not Mark.objects.filter(lesson=held).exists()


def test_class_teacher_marks_absence(client, cast):
    held = lesson(cast, OPEN_DAY)
    client.force_login(cast.classteacher)
    response = post_cell(client, held, cast.pupil, "att", "н")
    assert response.status_code == 200 and response.json()["html"] == "<i>н</i>"
    assert Attendance.objects.get(lesson=held, pupil=cast.pupil).code == "н"


def test_bad_value_is_refused_in_russian_and_changes_nothing(client, cast):
    held = lesson(cast, OPEN_DAY)
    client.force_login(cast.teacher)
    post_cell(client, held, cast.pupil, "mark1", "4")
    response = post_cell(client, held, cast.pupil, "mark1", "6")
    assert response.status_code == 400
    data = response.json()
    assert "«6» — не отметка" in data["error"]
    assert data["html"] == "<b>4</b>"  # the cell as stored, for the grid to show again
    assert Mark.objects.get(lesson=held, pupil=cast.pupil, position=1).value == "4"


def test_absent_pupil_gets_no_mark(client, cast):
    held = lesson(cast, OPEN_DAY)
    client.force_login(cast.teacher)
    post_cell(client, held, cast.pupil, "att", "б")
    response = post_cell(client, held, cast.pupil, "mark1", "3")
    assert response.status_code == 400
    error = response.json()["error"]
    assert "отмечен пропуск («б»)" in error
    assert cast.pupil.user.last_name not in error  # the grid names the pupil beside it: once is enough
    assert response.json()["html"] == "<i>б</i>"


def test_bad_request_is_400(client, cast):
    held = lesson(cast, OPEN_DAY)
    client.force_login(cast.teacher)
    assert post_cell(client, held, cast.pupil, "colour", "5").status_code == 400
    response = client.post(reverse("journal:grid_cell"), {"lesson": "x", "pupil": cast.pupil.pk, "field": "mark1"})
    assert response.status_code == 400
    assert "Неверный запрос" in response.json()["error"]


def test_locked_lesson_is_refused_with_409(client, cast):
    held = lesson(cast, LOCKED_DAY)
    client.force_login(cast.teacher)
    response = post_cell(client, held, cast.pupil, "mark1", "5")
    assert response.status_code == 409
    assert "Срок исправления отметок за 09.11.2026 истёк" in response.json()["error"]
    assert post_cell(client, held, cast.pupil, "att", "н").status_code == 409
    assert not Mark.objects.exists() and not Attendance.objects.exists()


def test_future_lesson_is_refused(client, cast):
    held = lesson(cast, FUTURE_DAY)
    client.force_login(cast.teacher)
    response = post_cell(client, held, cast.pupil, "mark1", "5")
    assert response.status_code == 409
    assert "ещё не состоялся" in response.json()["error"]
    assert not Mark.objects.exists()


def test_pupil_of_another_class_is_refused(client, cast):
    held = lesson(cast, OPEN_DAY)
    client.force_login(cast.teacher)
    response = post_cell(client, held, cast.other_pupil, "mark1", "5")
    assert response.status_code == 400
    assert "не числится" in response.json()["error"]
    assert not Mark.objects.exists()


def test_no_such_pupil_is_400(client, cast):
    # The view passes the pupil by id: the service finds there is none, with the cell's rows (no query of its own).
    held = lesson(cast, OPEN_DAY)
    client.force_login(cast.teacher)
    for field, value in (("mark1", "5"), ("mark1", ""), ("att", "н")):
        data = {"lesson": held.pk, "pupil": 10**9, "field": field, "value": value}
        response = client.post(reverse("journal:grid_cell"), data)
        assert response.status_code == 400 and response.json()["error"] == "Учащийся не найден."
    assert not Mark.objects.exists() and not Attendance.objects.exists()


# What the grid shows ---------------------------------------------------------------------------------------------


def test_grid_shows_states_enrolment_control_work_and_figures(client, cast):
    locked = lesson(cast, LOCKED_DAY)
    control = lesson(cast, OPEN_DAY, is_control=True, topic="Контрольная работа № 3 «Дроби»")
    future = lesson(cast, FUTURE_DAY)
    newcomer = account_services.pupil_create(
        actor=cast.admin, school=cast.school, username="newcomer", last_name="Новенький", first_name="Пётр"
    )
    services.enrollment_create(
        actor=cast.admin, pupil=newcomer, school_class=cast.class_a, date_from=dt.date(2026, 12, 1)
    )
    for value, day in (("5", locked), ("4", control)):
        Mark.objects.create(lesson=day, pupil=cast.pupil, value=value, updated_by=cast.teacher)
    PeriodMark.objects.create(
        assignment=cast.math_a,
        pupil=cast.pupil,
        kind=PeriodMarkKind.PERIOD,
        period=second_quarter(cast),
        proposed_value="4",
        updated_by=cast.teacher,
    )
    client.force_login(cast.teacher)
    html = client.get(grid_url(cast)).content.decode()

    assert f'data-l="{locked.pk}" class="locked"' in html and "Срок исправления" in html
    assert f'data-l="{control.pk}" class="open ctl"' in html
    assert f'data-l="{future.pk}" class="future"' in html
    assert "Контрольная работа № 3" in html
    # The newcomer has no cell before 1 December and is counted as missing a control-work mark.
    newcomer_row = html[html.index(f'data-p="{newcomer.pk}"') :].split("</tr>")[0]
    assert newcomer_row.count('class="x"') == 1 and "прибыл(а) 01.12" in newcomer_row
    assert '<span class="ms" title="присутствовали, но без отметки: 1">1</span>' in html
    pupil_row = html[html.index(f'data-p="{cast.pupil.pk}"') :].split("</tr>")[0]
    assert '<td class="sa">4,50</td>' in pupil_row  # 5 and 4 without kinds of work weigh 1 each
    assert 'class="sc low"' in pupil_row  # 2 marks, 4 needed at 5 hours a week
    assert '<span class="prop" title="предложена">4?</span>' in pupil_row


def test_edit_window_reopens_a_locked_column(client, cast):
    held = lesson(cast, LOCKED_DAY)
    edit_window_open(
        actor=cast.deputy, assignment=cast.math_a, lesson=held, reason="перенос из бумажного журнала", until=TODAY
    )
    client.force_login(cast.teacher)
    html = client.get(grid_url(cast)).content.decode()
    assert f'data-l="{held.pk}" class="unlocked"' in html and 'data-r="18.12.2026 23:59"' in html
    assert post_cell(client, held, cast.pupil, "mark1", "4").status_code == 200
    assert Mark.objects.get(lesson=held, pupil=cast.pupil).value == "4"


def test_subgroup_journal_shows_its_pupils_only(client, cast):
    member = account_services.pupil_create(
        actor=cast.admin, school=cast.school, username="member", last_name="Группова", first_name="Вера"
    )
    services.enrollment_create(
        actor=cast.admin, pupil=member, school_class=cast.class_a, date_from=cast.year.start_date
    )
    group = services.subgroup_create(actor=cast.admin, school_class=cast.class_a, name="1 группа", pupils=[member])
    english = services.subject_create(actor=cast.admin, school=cast.school, name="Английский язык")
    assignment = services.assignment_create(
        actor=cast.admin,
        school_class=cast.class_a,
        subject=english,
        teacher=cast.teacher,
        hours_per_week=Decimal(3),
        subgroup=group,
    )
    Lesson.objects.create(assignment=assignment, date=OPEN_DAY, number=2)
    client.force_login(cast.teacher)
    html = client.get(reverse("journal:grid", args=[assignment.pk])).content.decode()
    assert f'data-p="{member.pk}"' in html and f'data-p="{cast.pupil.pk}"' not in html
    assert "1 группа" in html


def test_pupil_who_left_has_no_cells_after_leaving(client, cast):
    before, after = lesson(cast, dt.date(2026, 12, 1)), lesson(cast, OPEN_DAY)
    Enrollment.objects.filter(pupil=cast.pupil).update(date_to=dt.date(2026, 12, 10))
    client.force_login(cast.teacher)
    html = client.get(grid_url(cast)).content.decode()
    row = html[html.index(f'data-p="{cast.pupil.pk}"') :].split("</tr>")[0]
    assert row.count('class="x"') == 1 and "выбыл(а) 10.12" in row
    assert before.pk and after.pk


def test_period_is_selectable(client, cast):
    first_quarter = StudyPeriod.objects.get(year=cast.year, number=1)
    september = lesson(cast, dt.date(2026, 9, 15), topic="Повторение")
    lesson(cast, OPEN_DAY, topic="Дроби")
    client.force_login(cast.teacher)
    html = client.get(grid_url(cast) + f"?period={first_quarter.pk}").content.decode()
    assert f'data-l="{september.pk}"' in html and "Повторение" in html and "Дроби" not in html
    default = client.get(grid_url(cast) + "?period=oops").content.decode()
    assert "Дроби" in default and "Повторение" not in default


def test_weights_of_kinds_of_work(client, cast):
    kinds = {kind.name: kind for kind in work_types_ensure(cast.school)}
    oral, test = lesson(cast, dt.date(2026, 12, 14)), lesson(cast, OPEN_DAY)
    Mark.objects.create(
        lesson=oral, pupil=cast.pupil, value="5", work_type=kinds["устный ответ"], updated_by=cast.teacher
    )
    Mark.objects.create(
        lesson=test, pupil=cast.pupil, value="2", work_type=kinds["контрольная работа"], updated_by=cast.teacher
    )
    client.force_login(cast.teacher)
    html = client.get(grid_url(cast)).content.decode()
    assert '<td class="sa">3,00</td>' in html  # (5·1 + 2·2) / 3
    assert '<td class="sf">3</td>' in html


# The lesson page -------------------------------------------------------------------------------------------------


def test_the_grid_and_the_lesson_page_carry_the_cell_history_dialog(client, cast):
    held = lesson(cast, OPEN_DAY)
    client.force_login(cast.teacher)
    for url in (
        reverse("journal:grid", args=[held.assignment_id]),
        reverse("journal:grid_lesson", args=[held.pk]),
    ):
        text = client.get(url).content.decode()
        assert text.count('id="grid-history"') == 1 and 'aria-labelledby="grid-history-title"' in text
        assert "История клетки" in text and 'id="grid-history-body"' in text


def test_teacher_writes_the_lesson_record_and_homework(client, cast):
    held = lesson(cast, OPEN_DAY)
    kinds = {kind.name: kind for kind in work_types_ensure(cast.school)}
    client.force_login(cast.teacher)
    page = client.get(reverse("journal:grid_lesson", args=[held.pk]))
    assert page.status_code == 200 and "Запись об уроке" in page.content.decode()
    response = client.post(
        reverse("journal:grid_lesson", args=[held.pk]),
        {
            "topic": "Сложение дробей",
            "work_type": kinds["самостоятельная работа"].pk,
            "homework_text": "№ 245, 247",
            "homework_pupils": [cast.pupil.pk],
            "homework": "new",
        },
    )
    assert response.status_code == 302
    held.refresh_from_db()
    assert held.topic == "Сложение дробей" and held.work_type == kinds["самостоятельная работа"]
    assert held.recorded_at is not None
    homework = Homework.objects.get(lesson=held)
    assert homework.text == "№ 245, 247" and list(homework.pupils.all()) == [cast.pupil]

    # The one homework is edited in place; an empty text takes it back (the row stays).
    client.post(reverse("journal:grid_lesson", args=[held.pk]), {"topic": "Сложение дробей", "homework": homework.pk})
    homework.refresh_from_db()
    assert homework.text == ""


def test_lesson_record_error_is_shown_in_the_form(client, cast):
    held = lesson(cast, OPEN_DAY)
    client.force_login(cast.teacher)
    response = client.post(
        reverse("journal:grid_lesson", args=[held.pk]),
        {"topic": "Дроби", "homework_text": "", "homework_pupils": [cast.other_pupil.pk], "homework": "new"},
    )
    assert response.status_code == 200  # a pupil of another class is not a choice
    held.refresh_from_db()
    assert held.topic == ""


def test_substitute_fills_their_lesson_only(client, cast):
    held, other = lesson(cast, OPEN_DAY), lesson(cast, dt.date(2026, 12, 17))
    # As journal.services.substitution.substitution_record leaves it (written directly: the test is about access).
    Substitution.objects.create(lesson=held, substitute=cast.other_teacher, recorded_by=cast.deputy)
    Lesson.objects.filter(pk=held.pk).update(taught_by=cast.other_teacher)
    client.force_login(cast.other_teacher)
    page = client.get(reverse("journal:grid_lesson", args=[held.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert "data-cell-url" in html and "Классный журнал:" not in html  # no way to the whole grid
    assert post_cell(client, held, cast.pupil, "mark1", "5").status_code == 200
    assert client.get(grid_url(cast)).status_code == 404
    assert client.get(reverse("journal:grid_lesson", args=[other.pk])).status_code == 404
    assert post_cell(client, other, cast.pupil, "mark1", "5").status_code == 404
    # The grid shows who taught the lesson.
    client.force_login(cast.teacher)
    html = client.get(grid_url(cast)).content.decode()
    assert 'title="замена">з</span>' in html
    assert html.count(f'data-s="{cast.other_teacher.short_name}"') == 1  # the substitute's name, on that column only


def test_the_grid_marks_the_lessons_with_homework(client, cast):
    """«д» on a column whose lesson has homework with text; none for an empty one (taken back) or no homework."""
    given, taken_back, without = (
        lesson(cast, OPEN_DAY),
        lesson(cast, dt.date(2026, 12, 17)),
        lesson(cast, dt.date(2026, 12, 15)),
    )
    Homework.objects.create(lesson=given, text="№ 245", updated_by=cast.teacher)
    Homework.objects.create(lesson=given, text="№ 246 (для одного)", updated_by=cast.teacher)  # two: one marker
    Homework.objects.create(lesson=taken_back, text="", updated_by=cast.teacher)
    client.force_login(cast.teacher)
    html = client.get(grid_url(cast)).content.decode()
    headers = {
        pk: html.split(f'<th data-l="{pk}"', 1)[1].split("</th>", 1)[0] for pk in (given.pk, taken_back.pk, without.pk)
    }
    assert 'class="hw"' in headers[given.pk]
    assert 'class="hw"' not in headers[taken_back.pk] and 'class="hw"' not in headers[without.pk]


# History ---------------------------------------------------------------------------------------------------------


def test_cell_history_shows_who_when_old_and_new(client, cast):
    held = lesson(cast, OPEN_DAY)
    client.force_login(cast.teacher)
    post_cell(client, held, cast.pupil, "mark1", "3")
    post_cell(client, held, cast.pupil, "mark1", "4")
    client.force_login(cast.classteacher)
    post_cell(client, held, cast.pupil, "mark2", "5")
    client.force_login(cast.deputy)
    url = reverse("journal:grid_cell_history", args=[held.pk, cast.pupil.pk])
    html = client.get(url + "?partial=1").content.decode()
    assert "<html" not in html
    assert "3 → <b>4</b>" in html and "— → <b>3</b>" in html and "— → <b>5</b>" in html
    assert "Teacher А. П." in html and "Classteacher А. П." in html
    assert "<html" in client.get(url).content.decode()


def test_history_of_a_pupil_outside_the_class_is_404(client, cast):
    held = lesson(cast, OPEN_DAY)
    client.force_login(cast.teacher)
    assert client.get(reverse("journal:grid_cell_history", args=[held.pk, cast.other_pupil.pk])).status_code == 404


# Queries ---------------------------------------------------------------------------------------------------------


def school_days(cast, count: int) -> list[tuple[dt.date, int]]:
    """``count`` (date, lesson number) slots on the school days of the 2nd quarter up to TODAY, two a day if needed."""
    calendar = grade_calendar(cast.school, cast.class_a.grade)
    days = []
    day = dt.date(2026, 11, 2)
    while day <= TODAY:
        if calendar.is_school_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    slots = [(day, 1) for day in days] + [(day, 2) for day in days]
    return sorted(slots[:count])


def fill(cast, pupils: int, lessons: int) -> None:
    for n in range(pupils - 1):
        pupil = account_services.pupil_create(
            actor=cast.admin, school=cast.school, username=f"p{n}", last_name="Новиков", first_name=f"Илья{n}"
        )
        services.enrollment_create(
            actor=cast.admin, pupil=pupil, school_class=cast.class_a, date_from=cast.year.start_date
        )
    kinds = work_types_ensure(cast.school)
    made = Lesson.objects.bulk_create(
        [
            Lesson(assignment=cast.math_a, date=day, number=number, work_type=kinds[n % 3], is_control=n % 7 == 0)
            for n, (day, number) in enumerate(school_days(cast, lessons))
        ]
    )
    pupil_ids = list(Enrollment.objects.filter(school_class=cast.class_a).values_list("pupil_id", flat=True))
    Mark.objects.bulk_create(
        [
            Mark(lesson=held, pupil_id=pupil_id, value=str(2 + (held.pk + pupil_id) % 4), updated_by=cast.teacher)
            for held in made
            for pupil_id in pupil_ids
            if (held.pk + pupil_id) % 3
        ]
    )
    Attendance.objects.bulk_create(
        [Attendance(lesson=held, pupil_id=pupil_ids[0], code="н", updated_by=cast.teacher) for held in made[::5]]
    )
    Homework.objects.bulk_create([Homework(lesson=held, text="§ 5", updated_by=cast.teacher) for held in made[::2]])


# Each pin is exact and names its queries: when the number moves, the comment says which query came or went.
# Every signed-in request reads the session and the user with their school (one query); the menu adds the class the
# user leads (teachers only) and the unread count, in one query (diary.selectors.menu.menu_facts).


@pytest.mark.parametrize("pupils, lessons", [(5, 10), (30, 45)])
def test_grid_queries_do_not_grow(client, cast, django_assert_num_queries, pupils, lessons):
    fill(cast, pupils, lessons)
    client.force_login(cast.teacher)
    # session, user+school, assignment (visibility and editor role in one), study periods with the calendar days,
    # lessons (with homework, edit window, КТП topic, kind of work, who taught), pupils (with period marks),
    # marks+attendance, menu: led class and unread (one query)
    with django_assert_num_queries(8):
        response = client.get(grid_url(cast))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("<tr data-p=") == pupils
    assert html.count("<th data-l=") == lessons


@pytest.mark.parametrize("role, queries", [("classteacher", 8), ("deputy", 8), ("director", 8), ("admin", 8)])
def test_grid_queries_for_other_readers(client, cast, django_assert_num_queries, role, queries):
    fill(cast, 30, 45)
    client.force_login(getattr(cast, role))
    # The teacher's 8 (test_grid_queries_do_not_grow); the administration's menu asks for no led class (same query).
    with django_assert_num_queries(queries):
        assert client.get(grid_url(cast)).status_code == 200


def test_a_cell_save_queries(client, cast, django_assert_num_queries):
    held, other = lesson(cast, OPEN_DAY), lesson(cast, OPEN_DAY, number=2)
    quarter = second_quarter(cast)
    client.force_login(cast.teacher)
    # A cell's row and its history row are one statement on PostgreSQL (a data-modifying WITH), two on SQLite.
    write = 1 if connection.vendor == "postgresql" else 2
    # session, user+school, lesson (visibility and editor role in one); mark_set's SAVEPOINT, the cell's marks (FOR
    # UPDATE on PostgreSQL) with the rules' facts in one query (the pupil and their names, pass/fail subject, pupil on
    # the roll, attendance for «no mark for the absent», the kind of work: the lesson's or «устный ответ»), INSERT
    # mark (ON CONFLICT DO NOTHING: no savepoint) and its history, RELEASE; the cell and the pupil's figures for the
    # period in one query
    with django_assert_num_queries(7 + write):
        assert post_cell(client, held, cast.pupil, "mark1", "5", quarter).status_code == 200
    # A changed mark keeps its kind of work and is an UPDATE and its history.
    with django_assert_num_queries(7 + write):
        assert post_cell(client, held, cast.pupil, "mark1", "4", quarter).status_code == 200
    # An absence, without a period: session, user+school, lesson; attendance_set's SAVEPOINT, the attendance (FOR
    # UPDATE on PostgreSQL) with the pupil and their names, pupil on the roll and the marks an absence would
    # contradict in one query, INSERT attendance and its history, the lesson's «attendance taken» stamp (UPDATE …
    # WHERE attendance_taken_at IS NULL, only while it is not stamped), RELEASE; the cell
    with django_assert_num_queries(8 + write):
        assert post_cell(client, other, cast.pupil, "att", "н").status_code == 200
    other.refresh_from_db()
    assert other.attendance_taken_at is not None
    # A changed code of the stamped lesson: an UPDATE and its history, and no stamp again.
    with django_assert_num_queries(7 + write):
        assert post_cell(client, other, cast.pupil, "att", "б").status_code == 200


def test_the_lesson_page_queries(client, cast, django_assert_num_queries):
    fill(cast, 30, 45)
    held = Lesson.objects.filter(assignment=cast.math_a, homework__isnull=False).latest("date", "number")
    client.force_login(cast.teacher)
    # session, user+school, lesson (visibility, editor role, subject, teacher and subgroup in one: for_page), homework,
    # its pupils, the lesson's column (lesson, edit window, КТП topic, kind of work), pupils on the day,
    # marks+attendance, menu: led class and unread (one query); the form's choices: КТП topics, kinds of work, pupils
    # for the homework
    with django_assert_num_queries(12):
        assert client.get(reverse("journal:grid_lesson", args=[held.pk])).status_code == 200
