"""Headless Chromium: the class journal grid with the keyboard as a screen-reader user meets it (docs/accessibility.md).

The table has a name; a date header reads in full (weekday, date, lesson number, lock); the active cell announces
the pupil, the lesson and its content; the grid is one Tab stop with the arrows inside (roving tabindex), and
leaving it forward or backward takes two keys (Escape, then Tab or Shift+Tab), said on the page; the status line is
a polite live region. The teachers' keys inside (digits, arrows, Enter and Tab down the column) keep working. A
read-only grid (the deputy's) lets Tab leave at once.
"""

import os
import re
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from journal.models import Lesson, Mark
from journal.tests.test_browser_grid import (
    CHROMIUM,
    SCREENSHOTS,
    _year_around_today,
    add_pupils,
    browser,
    log_in,
    school_days_back,
    wait_saved,
)
from journal.workdays import grade_calendar

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    # In CI (CI=true) a missing browser fails the run instead of skipping it.
    pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="needs Debian's chromium"),
]

__all__ = ["_year_around_today", "browser"]  # the shared Chromium and the year around today (autouse)

FOCUS_PLACE = """() => {
  const grid = document.getElementById('grid'), el = document.activeElement;
  if (grid.contains(el)) return el.tagName === 'TD' ? 'cell' : 'grid:' + el.tagName;
  return grid.compareDocumentPosition(el) & Node.DOCUMENT_POSITION_FOLLOWING ? 'after' : 'before';
}"""


def focus_place(page) -> str:
    """Where the focus is: «cell» (a grid cell), «before» or «after» the grid."""
    return page.evaluate(FOCUS_PLACE)


def focused_name(page) -> str:
    return page.evaluate("document.activeElement.getAttribute('aria-label') || ''")


def test_the_grid_is_one_tab_stop_that_speaks_and_lets_the_keyboard_out(browser, live_server, transactional_db, cast):
    from playwright.sync_api import expect

    today = timezone.localdate()
    add_pupils(cast, ["Абрамов", "Борисова"])
    earlier, latest = (
        Lesson.objects.create(assignment=cast.math_a, date=day, number=2) for day in school_days_back(cast, today, 2)
    )
    calendar = grade_calendar(cast.school, cast.class_a.grade)
    locked = Lesson.objects.create(assignment=cast.math_a, date=calendar.add_working_days(today, -11), number=1)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, "teacher")
    page.goto(f"{live_server.url}{reverse('journal:grid', args=[cast.math_a.pk])}")

    # The table's name is the page's heading; its description says how to leave it.
    grid = page.get_by_role("grid", name=re.compile("Классный журнал: Математика"))
    expect(grid).to_have_count(1)
    expect(grid).to_have_accessible_description(re.compile("Esc, затем Tab"))
    assert "Esc, затем Tab" in page.inner_text("#grid-keys")  # on the page, not only for a screen reader

    # A date header reads in full: weekday, date, lesson number; a locked one says so (JavaScript's \w is Latin only).
    header = page.get_by_role("columnheader", name=re.compile(rf"^\S+ {latest.date:%d\.%m\.%Y}, 2 урок"))
    expect(header).to_have_count(1)
    if page.query_selector(f'#grid th[data-l="{locked.pk}"]'):
        expect(page.get_by_role("columnheader", name=re.compile("закрыт для отметок"))).to_have_count(1)

    # The focus starts in the latest lesson's column, first pupil; the cell names the pupil, the lesson and «пусто».
    assert focus_place(page) == "cell"
    first_name = page.evaluate("document.activeElement.closest('tr').querySelector('th').title")
    assert re.fullmatch(rf"{re.escape(first_name)}, \w\w {latest.date:%d\.%m\.%Y}, 2 урок: пусто", focused_name(page))
    # One Tab stop: only the active cell is in the Tab order, the header links are not.
    assert page.locator("#grid [tabindex='0']").count() == 1
    assert page.locator("#grid a:not([tabindex='-1'])").count() == 0

    # The teachers' keys: a digit saves a mark (the polite status line says so), the cell's name follows it.
    status = page.locator("#grid-status")
    assert status.get_attribute("role") == "status" and status.get_attribute("aria-live") == "polite"
    page.keyboard.type("5")
    wait_saved(page)
    expect(status).to_have_text("Сохранено")
    assert focused_name(page).endswith(": 5")
    # Tab goes down the column (it does not leave the grid), the arrows move, Enter goes down too.
    page.keyboard.press("Tab")
    assert focus_place(page) == "cell" and not focused_name(page).startswith(first_name)
    page.keyboard.press("ArrowUp")
    assert focused_name(page).startswith(first_name)
    page.keyboard.press("ArrowLeft")
    assert f"{earlier.date:%d.%m.%Y}" in focused_name(page)
    page.keyboard.press("ArrowRight")
    assert page.locator("#grid [tabindex='0']").count() == 1  # still one stop after moving about

    # Leaving forward: Escape, then Tab; the status line says how. Shift+Tab comes back to the same cell.
    page.keyboard.press("Escape")
    expect(status).to_contain_text("Tab")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "grid-keyboard-escape.png"))
    page.keyboard.press("Tab")
    assert focus_place(page) == "after"
    page.keyboard.press("Shift+Tab")
    assert focus_place(page) == "cell" and focused_name(page).startswith(first_name)
    # Leaving backward: Escape, then Shift+Tab.
    page.keyboard.press("Escape")
    page.keyboard.press("Shift+Tab")
    assert focus_place(page) == "before"
    page.keyboard.press("Tab")  # and back in, at the same cell
    assert focus_place(page) == "cell" and focused_name(page).startswith(first_name)
    # Escape arms only the next key: a digit in between keeps Tab going down the column.
    page.keyboard.press("Escape")
    page.keyboard.type("4")
    wait_saved(page)
    page.keyboard.press("Tab")
    assert focus_place(page) == "cell"
    assert Mark.objects.get(lesson=latest).value == "4"  # the 5 typed over on coming back to the cell
    assert errors == []
    page.close()


def test_a_read_only_grid_lets_tab_leave_at_once(browser, live_server, transactional_db, cast):
    today = timezone.localdate()
    add_pupils(cast, ["Абрамов"])
    for day in school_days_back(cast, today, 2):
        Lesson.objects.create(assignment=cast.math_a, date=day, number=1)
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    log_in(page, live_server.url, "deputy")
    page.goto(f"{live_server.url}{reverse('journal:grid', args=[cast.math_a.pk])}")
    assert page.get_attribute("#grid", "aria-readonly") == "true"
    assert "Tab (вперёд) или Shift+Tab (назад)" in page.inner_text("#grid-keys")
    page.locator("#grid td[tabindex='0']").focus()
    assert focus_place(page) == "cell" and ": " in focused_name(page)
    page.keyboard.press("ArrowLeft")  # the arrows still move
    assert focus_place(page) == "cell"
    page.keyboard.press("Tab")
    assert focus_place(page) == "after"
    page.keyboard.press("Shift+Tab")
    assert focus_place(page) == "cell"
    page.keyboard.press("Shift+Tab")
    assert focus_place(page) == "before"
    page.close()
