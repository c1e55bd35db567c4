"""Headless Chromium fills a lesson's column of the class journal from the keyboard and finds it saved after a reload.

Runs on the real date: the lessons are put on the last school days up to today (inside the 10-working-day window)
and an older one past the lock. Skipped where Chromium is not installed (fails instead in CI), and when today lies
outside the cast's school year.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from journal import services
from journal.models import Attendance, Lesson, Mark
from journal.workdays import grade_calendar

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "screenshots"

pytestmark = [
    pytest.mark.browser,
    # In CI (CI=true) a missing browser fails the run instead of skipping it.
    pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="needs Debian's chromium"),
]


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
RUSSIAN_KEYS = {"н": "KeyY", "о": "KeyJ", "п": "KeyG", "б": "Comma", "у": "KeyE"}


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
    page.wait_for_function("!document.querySelector('#grid td.sv')")


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
    if not cast.year.start_date <= today <= cast.year.end_date:
        pytest.skip("today is outside the cast's school year")
    days = school_days_back(cast, today, 3)
    if len(days) < 3:
        pytest.skip("not enough school days before today in the cast's year")
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
    assert "отсутствовал" in page.inner_text("#grid-status")
    assert "отсутствовал" in page.get_attribute("#grid td.err", "title")

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
