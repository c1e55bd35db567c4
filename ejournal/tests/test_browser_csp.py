"""Headless Chromium under the Content-Security-Policy: the grid (a mark typed and saved), the lesson page, the
diary's week, the home pages and a page with a nonce'd <style> work, and the browser reports no violation.

Every page is watched from its first script on (``securitypolicyviolation`` events, collected by an init script)
and through the console, where Chromium also reports a refused inline script, style or handler.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse

from journal.models import Lesson, Mark
from journal.tests.test_browser_grid import (
    CHROMIUM,
    browser,
    log_in,
    school_days_back,
    wait_saved,
    year_around_today,
)

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    # In CI (CI=true) a missing browser fails the run instead of skipping it.
    pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="needs Debian's chromium"),
]

__all__ = ["browser"]  # the module-scoped Chromium fixture, shared with the grid's browser test

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__violations.push(`${event.violatedDirective} ${event.blockedURI || "inline"} ${event.sourceFile}:${event.lineNumber}`);
});
"""


class Watched:
    """A page whose CSP violations, console complaints about the policy and script errors are collected."""

    def __init__(self, browser):
        self.page = browser.new_page(viewport={"width": 1280, "height": 800})
        self.page.add_init_script(WATCH)
        self.problems: list[str] = []
        self.page.on("pageerror", lambda error: self.problems.append(f"script error: {error}"))
        self.page.on("console", self._console)

    def _console(self, message) -> None:
        if "Content Security Policy" in message.text or "Content-Security-Policy" in message.text:
            self.problems.append(f"console: {message.text}")

    def visit(self, url: str) -> None:
        response = self.page.goto(url)
        assert "script-src 'self'" in response.headers["content-security-policy"]
        self.page.wait_for_load_state("load")
        self.check(url)

    def check(self, where: str) -> None:
        violations = self.page.evaluate("window.__violations")
        self.problems += [f"{where}: {violation}" for violation in violations]
        assert not self.problems, self.problems


def test_the_journal_and_the_diary_work_under_the_policy(browser, live_server, transactional_db, cast):
    today = year_around_today(cast)
    earlier, latest = (
        Lesson.objects.create(assignment=cast.math_a, date=day, number=1) for day in school_days_back(cast, today, 2)
    )
    base = live_server.url

    # The teacher: the home page, the grid with a mark typed and saved by the script, the lesson page.
    teacher = Watched(browser)
    log_in(teacher.page, base, "teacher")
    teacher.check("login and home")
    assert teacher.page.evaluate("getComputedStyle(document.querySelector('.maxw-40')).maxWidth") == "640px"
    teacher.visit(f"{base}{reverse('journal:grid', args=[cast.math_a.pk])}")
    focused = teacher.page.evaluate("document.activeElement.closest('tr').dataset.p")
    assert focused == str(cast.pupil.pk)
    teacher.page.keyboard.type("5")
    teacher.page.keyboard.press("Enter")
    wait_saved(teacher.page)
    assert Mark.objects.get(lesson=latest, pupil=cast.pupil).value == "5"
    teacher.check("grid after saving a mark")
    teacher.visit(f"{base}{reverse('journal:grid_lesson', args=[earlier.pk])}")
    teacher.page.close()

    # The admin: the timetable's nonce'd <style> applies (its grid is a fixed-layout table).
    admin = Watched(browser)
    log_in(admin.page, base, "admin")
    admin.visit(f"{base}{reverse('journal:timetable_index')}")
    layout = admin.page.evaluate(
        "(() => { const t = document.querySelector('.tt-grid'); return t && getComputedStyle(t).tableLayout; })()"
    )
    assert layout in ("fixed", None)  # None: no class chosen yet, so no grid on the page
    admin.page.close()

    # The parent: the home page and the child's week with the new mark.
    parent = Watched(browser)
    log_in(parent.page, base, "parent")
    parent.check("login and home")
    parent.visit(f"{base}{reverse('diary:week', args=[cast.pupil.pk])}?date={latest.date:%Y-%m-%d}")
    assert "5" in parent.page.inner_text("main")
    parent.page.close()
