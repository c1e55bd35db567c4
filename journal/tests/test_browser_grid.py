"""Headless Chromium fills a lesson's column of the class journal from the keyboard and finds it saved after a reload.

Runs on the real date: the browser's clock cannot be stood still with the server's, so the cast's year is moved
around today (``year_around_today``, autouse here and in the diary's browser tests) and the lessons are put on the
last school days up to today (inside the 10-working-day window), an older one past the lock. Skipped only where
Chromium is not installed (fails instead in CI): never for the date.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import PupilProfile
from journal import services
from journal.choices import PeriodKind
from journal.lock import school_today
from journal.models import (
    Attendance,
    CalendarDay,
    Enrollment,
    Lesson,
    Mark,
    SchoolClass,
    SchoolYear,
    StudyPeriod,
    Substitution,
    TeachingAssignment,
    Vacation,
)
from journal.workdays import grade_calendar

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"

pytestmark = [
    pytest.mark.browser,
    # In CI (CI=true) a missing browser fails the run instead of skipping it.
    pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="needs Debian's chromium"),
]


def year_around_today(cast, days_before: int = 70, days_after: int = 30) -> dt.date:
    """Move the cast's school year so that it holds today; today (the school's) is returned.

    The cast's 2026/2027 year has fixed dates, and after May 2027 every browser test would skip. Here the year
    runs from ``days_before`` days before today to ``days_after`` after, in one study period, every weekday a
    school day: no public holidays and no vacations, so that a week of New Year or May holidays still has the
    school days around today the tests put their lessons on (the holidays have tests of their own:
    journal/tests/test_lock.py). The classes' enrolments start on the year's first day.
    """
    today = school_today(cast.school)
    start, end = today - dt.timedelta(days=days_before), today + dt.timedelta(days=days_after)
    year = cast.year
    SchoolYear.objects.filter(pk=year.pk).update(start_date=start, end_date=end)
    year.refresh_from_db()
    CalendarDay.objects.filter(year=year).delete()
    Vacation.objects.filter(year=year).delete()
    StudyPeriod.objects.filter(year=year).delete()
    services.study_periods_set(actor=cast.admin, year=year, kind=PeriodKind.QUARTER, dates=[(start, end)])
    Enrollment.objects.filter(school_class__year=year).update(date_from=start)
    # Objects of the cast that hold the year with its old dates are read again.
    for name in ("class_a", "class_b"):
        setattr(cast, name, SchoolClass.objects.select_related("year").get(pk=getattr(cast, name).pk))
    for name in ("math_a", "physics_b", "russian_b"):
        assignment = getattr(cast, name)
        setattr(cast, name, TeachingAssignment.objects.select_related("year", "school_class").get(pk=assignment.pk))
    return today


@pytest.fixture(autouse=True)
def _year_around_today(request):
    """Every browser test with the cast runs in a year around today."""
    if "cast" in request.fixturenames:
        year_around_today(request.getfixturevalue("cast"))


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield browser
        browser.close()


def school_days_back(cast, today: dt.date, count: int) -> list[dt.date]:
    """The last ``count`` school days up to today (today included), oldest first."""
    calendar = grade_calendar(cast.school, cast.class_a.grade)
    days: list[dt.date] = []
    day = today
    while len(days) < count and day >= cast.year.start_date:
        if calendar.is_school_day(day):
            days.append(day)
        day -= dt.timedelta(days=1)
    return sorted(days)


def add_pupils(cast, names: list[str]) -> None:
    for n, last_name in enumerate(names):
        pupil = account_services.pupil_create(
            actor=cast.admin, school=cast.school, username=f"kb{n}", last_name=last_name, first_name="Ученик"
        )
        services.enrollment_create(
            actor=cast.admin, pupil=pupil, school_class=cast.class_a, date_from=cast.year.start_date
        )


# The physical keys of the Russian ЙЦУКЕН layout: what a Russian keyboard reports as KeyboardEvent.code.
RUSSIAN_KEYS = {"н": "KeyY", "о": "KeyJ", "п": "KeyG", "б": "Comma", "у": "KeyE", "в": "KeyD"}


def type_russian(page, text: str) -> None:
    """Type on a Russian layout: keydown with key «н» and code KeyY, as Chromium gets them from a real keyboard.

    Playwright's keyboard knows only the US layout (it would insert Cyrillic text without a keydown).
    """
    cdp = page.context.new_cdp_session(page)
    for char in text:
        code = RUSSIAN_KEYS[char]
        key = {"key": char, "code": code, "windowsVirtualKeyCode": ord(code[-1]) if code.startswith("Key") else 188}
        cdp.send("Input.dispatchKeyEvent", {"type": "keyDown", "text": char, "unmodifiedText": char, **key})
        cdp.send("Input.dispatchKeyEvent", {"type": "keyUp", **key})
    cdp.detach()


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}{reverse('accounts:login')}")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo12345")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/")


def wait_saved(page) -> None:
    page.wait_for_function("() => !document.querySelector('#grid td.sv')")


def column_cells(page, lesson: Lesson) -> list[tuple[int, str]]:
    """(pupil pk, inner HTML) of the lesson's column, in row order."""
    return page.evaluate(
        """(id) => {
            const heads = Array.from(document.querySelectorAll('#grid thead tr:first-child th'));
            const index = heads.findIndex((th) => th.dataset.l === String(id));
            return Array.from(document.querySelectorAll('#grid tbody tr')).map(
                (tr) => [Number(tr.dataset.p), tr.cells[index].innerHTML]);
        }""",
        lesson.pk,
    )


def test_teacher_fills_a_column_by_keyboard_and_it_is_saved(browser, live_server, transactional_db, cast):
    today = timezone.localdate()
    days = school_days_back(cast, today, 3)
    add_pupils(cast, ["Абрамов", "Борисова", "Васильев", "Григорьева"])
    older, yesterday, latest = (Lesson.objects.create(assignment=cast.math_a, date=day, number=1) for day in days)
    # Past the lock: 11 working days before today (it shows in the grid if the period began before it).
    calendar = grade_calendar(cast.school, cast.class_a.grade)
    locked = Lesson.objects.create(assignment=cast.math_a, date=calendar.add_working_days(today, -11), number=1)

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, "teacher")
    page.goto(f"{live_server.url}{reverse('journal:grid', args=[cast.math_a.pk])}")

    # The grid opens on the latest lesson that takes marks, first pupil, with the focus in the cell.
    focused = page.evaluate("document.activeElement.closest('tr').dataset.p")
    rows = [pk for pk, _html in column_cells(page, latest)]
    assert focused == str(rows[0])

    keyboard = page.keyboard
    keyboard.type("5")
    keyboard.type("4")  # a second digit in the same cell: the second mark
    keyboard.press("Enter")
    keyboard.type("4")
    keyboard.press("Enter")
    type_russian(page, "н")
    keyboard.press("Enter")
    keyboard.type("3")
    keyboard.press("Shift+Digit2")  # Shift + digit: the second mark
    keyboard.press("Tab")
    type_russian(page, "оп")  # «о», then «п»: late, present
    keyboard.type("5")
    wait_saved(page)

    # A mark for the absent pupil is refused in place, with the reason; nothing is written.
    keyboard.press("ArrowUp")
    keyboard.press("ArrowUp")
    keyboard.type("2")
    page.wait_for_selector("#grid td.err")
    assert "отмечен пропуск" in page.inner_text("#grid-status")
    assert "отмечен пропуск" in page.get_attribute("#grid td.err", "title")

    # A locked column takes nothing: the browser says why without asking the server.
    if page.query_selector(f'#grid th[data-l="{locked.pk}"].locked'):
        keyboard.press("Home")
        keyboard.type("5")
        assert "Срок исправления" in page.inner_text("#grid-status")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "grid-teacher-keyboard.png"))

    page.reload()
    cells = dict(column_cells(page, latest))
    expected = {
        rows[0]: "<b>5</b><b>4</b>",
        rows[1]: "<b>4</b>",
        rows[2]: "<i>н</i>",
        rows[3]: '<b>3</b><b class="lo">2</b>',
        rows[4]: "<i>оп</i><b>5</b>",
    }
    assert cells == expected
    assert errors == []
    page.close()

    marks = {
        (pupil, position): value
        for pupil, position, value in Mark.objects.filter(lesson=latest).values_list("pupil_id", "position", "value")
    }
    assert marks == {
        (rows[0], 1): "5",
        (rows[0], 2): "4",
        (rows[1], 1): "4",
        (rows[3], 1): "3",
        (rows[3], 2): "2",
        (rows[4], 1): "5",
    }
    attendance = dict(Attendance.objects.filter(lesson=latest).values_list("pupil_id", "code"))
    assert attendance == {rows[2]: "н", rows[4]: "оп"}
    assert not Mark.objects.filter(lesson__in=[older, yesterday, locked]).exists()


def cell_state(page) -> dict:
    """The focused cell's classes and title, the status line and the info line."""
    return page.evaluate(
        """() => {
            const td = document.activeElement;
            return {cls: td.className, title: td.title, html: td.innerHTML,
                    status: document.getElementById('grid-status').textContent,
                    info: document.getElementById('grid-info').textContent};
        }"""
    )


def test_keys_that_are_no_entry_are_refused_in_place_and_nothing_is_sent(browser, live_server, transactional_db, cast):
    """Issue 10: «abc» in an empty cell saved «б»; «n», «u», «p», «o p» likewise; 0 and 6–9 did nothing at all."""
    today = timezone.localdate()
    days = school_days_back(cast, today, 1)
    add_pupils(cast, ["Абрамов", "Борисова", "Васильев", "Григорьева"])
    latest = Lesson.objects.create(assignment=cast.math_a, date=days[-1], number=1)

    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    sent: list[str] = []
    cell_url = reverse("journal:grid_cell")
    page.on("request", lambda request: sent.append(request.post_data or "") if cell_url in request.url else None)
    log_in(page, live_server.url, "teacher")
    page.goto(f"{live_server.url}{reverse('journal:grid', args=[cast.math_a.pk])}")
    rows = [pk for pk, _html in column_cells(page, latest)]
    keyboard = page.keyboard

    # The info line: the lesson's link is its own item, not glued to the date or the topic.
    assert cell_state(page)["info"].endswith(" · открыть урок (L)")

    # Latin letters, a space, «o p», 0 and 6–9: each refused in the cell with a Russian message; nothing sent.
    for typed, shown in [
        ("a", "«a» — не отметка"),
        ("b", "«b» — не отметка"),
        ("c", "«c» — не отметка"),
        ("n", "«n» — не отметка"),
        ("u", "«u» — не отметка"),
        ("p", "«p» — не отметка"),
        ("o", "«o» — не отметка"),
        (" ", "«пробел» — не отметка"),
        ("0", "«0» — такой отметки нет"),
        ("6", "«6» — такой отметки нет"),
        ("9", "«9» — такой отметки нет"),
    ]:
        keyboard.type(typed)
        state = cell_state(page)
        assert "err" in state["cls"] and shown in state["title"], (typed, state)
        assert shown in state["status"] and shown not in state["info"], (typed, state)  # the reason once
        assert "не записано: причина — в строке выше" in state["info"]
        assert state["html"] == "", typed
    # Shift + digit in an empty cell: a second mark without a first is refused too.
    keyboard.press("Shift+Digit2")
    assert "Вторая отметка ставится только после первой" in cell_state(page)["status"]
    # «о» (J) and then not «п»: refused; «о» and leaving the cell: said so.
    keyboard.type("j")
    keyboard.type("x")
    assert "После «о» нужна «п»" in cell_state(page)["status"]
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "grid-refused-key.png"))
    keyboard.type("j")
    keyboard.press("Enter")
    assert "«о» без «п» не записано" in page.inner_text("#grid-status")
    assert page.evaluate("document.querySelectorAll('#grid td.err, #grid td.pend').length") == 0  # left behind clean
    assert sent == []
    assert not Mark.objects.exists() and not Attendance.objects.exists()

    # The Latin layout by physical key: Y is «н», J then G is «оп», the comma key «б», E «у».
    keyboard.type("y")
    keyboard.press("Enter")
    keyboard.type("j")
    keyboard.type("g")
    keyboard.press("Enter")
    keyboard.type(",")
    keyboard.press("Enter")
    keyboard.type("e")
    wait_saved(page)
    attendance = dict(Attendance.objects.filter(lesson=latest).values_list("pupil_id", "code"))
    assert attendance == {rows[1]: "н", rows[2]: "оп", rows[3]: "б", rows[4]: "у"}

    # A mark for the absent pupil: refused in place; the pupil is named once (the info line), not in every box.
    keyboard.press("ArrowUp")
    keyboard.press("ArrowUp")
    keyboard.press("ArrowUp")
    keyboard.type("5")
    page.wait_for_selector("#grid td.err")
    state = cell_state(page)
    assert state["status"].startswith("На уроке отмечен пропуск («н»)")
    last_name = PupilProfile.objects.select_related("user").get(pk=rows[1]).user.last_name
    assert (state["status"] + state["info"]).count(last_name) == 1
    page.screenshot(path=str(SCREENSHOTS / "grid-refused-absent.png"))
    assert errors == []
    page.close()
    assert not Mark.objects.filter(lesson=latest).exists()


def test_a_long_picker_filters_as_the_user_types(browser, live_server, transactional_db, cast):
    """Issue 10: the deputy's edit-window form offered one <select> of 323 assignments with no search."""
    from decimal import Decimal

    subjects = [
        services.subject_create(actor=cast.admin, school=cast.school, name=f"Предмет {n:02}") for n in range(24)
    ]
    for subject in subjects:
        services.assignment_create(
            actor=cast.admin,
            school_class=cast.class_a,
            subject=subject,
            teacher=cast.teacher,
            hours_per_week=Decimal(1),
        )
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, "deputy")
    page.goto(f"{live_server.url}{reverse('journal:unlock_list')}")

    # The <select> is enhanced; its label now names the combobox the keyboard reaches.
    combobox = page.locator("#id_assignment-ts-control")
    assert combobox.get_attribute("role") == "combobox"
    assert page.get_attribute("label[for='id_assignment-ts-control']", "for") == "id_assignment-ts-control"
    options = page.evaluate("document.getElementById('id_assignment').options.length")
    assert options == 28  # «—» and 27 assignments: more than the page could show at once

    # Keyboard only: Tab into the field, type, the list narrows; Enter picks; the form's <select> holds the value.
    page.focus("#id_assignment-ts-control")
    page.keyboard.type("физ")
    page.wait_for_function("() => document.querySelectorAll('.ts-dropdown .option').length === 1")
    assert "Физика" in page.inner_text(".ts-dropdown .option")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "picker-filtered.png"))
    page.keyboard.press("Enter")
    assert page.evaluate("document.getElementById('id_assignment').value") == str(cast.physics_b.pk)

    # Nothing matches: said in Russian.
    page.focus("#id_assignment-ts-control")
    page.keyboard.type("яяя")
    page.wait_for_selector(".ts-dropdown .no-results", timeout=5000)
    assert page.inner_text(".ts-dropdown .no-results") == "Ничего не найдено"
    page.keyboard.press("Escape")

    # The promotion page's many short selects stay native (data-filter="off"); the setup's teacher pickers do not.
    assert page.evaluate("document.querySelectorAll('.ts-wrapper').length") == 1
    assert errors == []
    page.close()


def test_the_deputy_replaces_a_teachers_lessons_with_the_conflicts_shown_first(
    browser, live_server, transactional_db, cast
):
    """Issue 10: substitutions were entered one lesson at a time."""
    calendar = grade_calendar(cast.school, cast.class_a.grade)
    today = timezone.localdate()
    days, day = [], today + dt.timedelta(days=1)
    while len(days) < 2:
        if calendar.is_school_day(day):
            days.append(day)
        day += dt.timedelta(days=1)
    lessons = [Lesson.objects.create(assignment=cast.math_a, date=d, number=n) for d in days for n in (1, 3)]
    Lesson.objects.create(assignment=cast.physics_b, date=days[0], number=3)  # other_teacher is busy then

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, "deputy")
    query = (
        f"?teacher={cast.teacher.pk}&date_from={days[0]}&date_to={days[-1]}&substitute={cast.other_teacher.pk}"
        "&reason=курсы"
    )
    page.goto(f"{live_server.url}{reverse('journal:substitution_bulk')}{query}")
    assert page.locator("tbody tr").count() == 4
    assert "ведёт свой урок" in page.inner_text("tbody tr.table-danger")
    assert page.locator("button[value=save]").count() == 0
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "substitution-preview.png"), full_page=True)

    # The busy lesson goes to someone free, «Проверить ещё раз», then confirm (POST, redirect to the log).
    busy = lessons[1]
    page.select_option(f"select[name=s_{busy.pk}]", str(cast.classteacher.pk))
    page.click("button[value=check]")
    page.wait_for_selector("button[value=save]")
    assert page.locator("tr.table-danger").count() == 0
    page.screenshot(path=str(SCREENSHOTS / "substitution-preview-clean.png"), full_page=True)
    page.click("button[value=save]")
    page.wait_for_url(f"{live_server.url}{reverse('journal:substitutions')}*")
    assert "Оформлено замен: 4." in page.inner_text("main")
    assert errors == []
    page.close()
    assert dict(Substitution.objects.values_list("lesson_id", "substitute_id")) == {
        lessons[0].pk: cast.other_teacher.pk,
        lessons[1].pk: cast.classteacher.pk,
        lessons[2].pk: cast.other_teacher.pk,
        lessons[3].pk: cast.other_teacher.pk,
    }


class KeyCounter:
    """Every key the teacher presses, counted: a press, each character typed, each Russian letter."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def press(self, key: str) -> None:
        self.count += 1
        self.page.keyboard.press(key)

    def type(self, text: str) -> None:
        self.count += len(text)
        self.page.keyboard.type(text)

    def russian(self, text: str) -> None:
        self.count += len(text)
        type_russian(self.page, text)


def test_a_planned_lesson_is_recorded_from_the_grid_in_at_most_45_keys(browser, live_server, transactional_db, cast):
    """Issue 12: a planned lesson for 25 pupils — 3 absences, 8 marks, topic and homework — from the grid without the
    mouse took 123 keys, 79 of them typing the topic and homework. The КТП line carries the topic, the kind of work
    and the homework; the lesson opens with them filled in and one Enter records it."""
    from journal.models import Homework, PlanTopic, WorkType
    from journal.services.work_types import work_types_ensure

    today = timezone.localdate()
    (day,) = school_days_back(cast, today, 1)
    add_pupils(cast, [f"Ученик{n:02}" for n in range(24)])  # and the cast's pupil: 25 in 7А
    work_types_ensure(cast.school)
    kind = WorkType.objects.get(school=cast.school, name="самостоятельная работа")
    planned = PlanTopic.objects.create(
        assignment=cast.math_a,
        order=1,
        title="Сложение и вычитание десятичных дробей",
        hours=1,
        homework="§ 12, № 341, 343 (а, б), 347; повторить правила округления",
        work_type=kind,
    )
    held = Lesson.objects.create(assignment=cast.math_a, date=day, number=1, plan_topic=planned)

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, "teacher")
    page.goto(f"{live_server.url}{reverse('journal:grid', args=[cast.math_a.pk])}")
    rows = [pk for pk, _html in column_cells(page, held)]
    assert len(rows) == 25
    assert page.evaluate("document.activeElement.closest('tr').dataset.p") == str(rows[0])

    # From here on every key counts.
    keys = KeyCounter(page)
    absent = {2, 11, 19}
    marks = {0: "5", 4: "4", 6: "3", 9: "5", 13: "4", 16: "2", 21: "5", 24: "4"}
    for r in range(25):
        if r in absent:
            keys.russian("н")
        elif r in marks:
            keys.type(marks[r])
        if r < 24:
            keys.press("Enter")
    wait_saved(page)
    keys.type("l")  # «L» / «Д»: open the lesson
    page.wait_for_url(f"{live_server.url}{reverse('journal:grid_lesson', args=[held.pk])}*")
    assert page.evaluate("document.activeElement.id") == "id_topic"
    assert page.input_value("#id_topic") == planned.title
    assert page.input_value("#id_homework_text") == planned.homework
    assert page.is_checked("#id_attendance_taken")  # stamped by the absences
    keys.press("Enter")  # records the prefilled lesson
    page.wait_for_selector(".alert-success")
    assert "Запись об уроке сохранена." in page.inner_text("main")
    print(f"\nplanned lesson recorded from the grid in {keys.count} keys (limit 45)")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "planned-lesson-recorded.png"), full_page=True)
    assert errors == []
    page.close()

    assert keys.count <= 45
    held.refresh_from_db()
    assert held.topic == planned.title and held.work_type_id == kind.pk and held.recorded_at is not None
    assert held.attendance_taken_at is not None
    assert list(Homework.objects.filter(lesson=held).values_list("text", flat=True)) == [planned.homework]
    assert dict(Attendance.objects.filter(lesson=held).values_list("pupil_id", "code")) == {
        rows[r]: "н" for r in absent
    }
    assert dict(Mark.objects.filter(lesson=held).values_list("pupil_id", "value")) == {
        rows[r]: value for r, value in marks.items()
    }


def test_all_present_is_one_key_in_the_column(browser, live_server, transactional_db, cast):
    """«в» (D on a Latin layout) in any cell of a lesson takes its register: all present; the header shows ✓."""
    today = timezone.localdate()
    (day,) = school_days_back(cast, today, 1)
    add_pupils(cast, ["Абрамов", "Борисова"])
    held = Lesson.objects.create(assignment=cast.math_a, date=day, number=1)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, "teacher")
    page.goto(f"{live_server.url}{reverse('journal:grid', args=[cast.math_a.pk])}")
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    type_russian(page, "в")
    page.wait_for_selector(f'#grid th[data-l="{held.pk}"] .at')
    assert "Посещаемость урока отмечена" in page.inner_text("#grid-status")
    assert errors == []
    page.close()
    held.refresh_from_db()
    assert held.attendance_taken_at is not None
    assert not Attendance.objects.filter(lesson=held).exists()
    assert Mark.objects.filter(lesson=held).count() == 1
