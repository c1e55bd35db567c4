"""Headless Chromium: a teacher puts a mark in the class journal from the keyboard, then the parent logs in and
finds it in the child's week and on the subject page with the new average (and its formula).

Runs on the real date, like journal/tests/test_browser_grid.py: the lessons are put on the last school days up to
today (inside the 10-working-day window). Skipped where Chromium is not installed (fails instead in CI), and when
today lies outside the cast's school year.
"""

import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from journal.models import Lesson, Mark, StudyPeriod
from journal.services.journal import mark_set
from journal.tests.test_browser_grid import CHROMIUM, SCREENSHOTS, browser, log_in, school_days_back, wait_saved

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="needs Debian's chromium"),
]

__all__ = ["browser"]  # the module-scoped Chromium fixture, shared with the grid's browser test


def test_parent_sees_the_teachers_new_mark_in_the_week_and_the_subject(browser, live_server, transactional_db, cast):
    today = timezone.localdate()
    if not cast.year.start_date <= today <= cast.year.end_date:
        pytest.skip("today is outside the cast's school year")
    days = school_days_back(cast, today, 2)
    if len(days) < 2:
        pytest.skip("not enough school days before today in the cast's year")
    earlier, latest = (Lesson.objects.create(assignment=cast.math_a, date=day, number=1) for day in days)
    period = StudyPeriod.objects.filter(year=cast.year, start_date__lte=latest.date, end_date__gte=latest.date).first()
    if period is None or period.start_date > earlier.date:
        pytest.skip("the last school days are not in one study period")
    mark_set(actor=cast.teacher, lesson=earlier, pupil=cast.pupil, value="3")

    # The teacher: the grid opens on the latest lesson, first pupil, focus in the cell; a digit and Enter save it.
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    log_in(page, live_server.url, "teacher")
    page.goto(f"{live_server.url}{reverse('journal:grid', args=[cast.math_a.pk])}")
    focused = page.evaluate("document.activeElement.closest('tr').dataset.p")
    assert focused == str(cast.pupil.pk)
    page.keyboard.type("5")
    page.keyboard.press("Enter")
    wait_saved(page)
    assert Mark.objects.get(lesson=latest, pupil=cast.pupil).value == "5"
    page.context.clear_cookies()

    # The parent, on a phone: the week of the lesson shows the mark in its lesson.
    page.set_viewport_size({"width": 360, "height": 760})
    log_in(page, live_server.url, "parent")
    week = reverse("diary:week", args=[cast.pupil.pk])
    page.goto(f"{live_server.url}{week}?date={latest.date:%Y-%m-%d}")
    day_heading = page.locator("section.dy-day", has_text=f"{latest.date.day} ")
    lesson_row = page.locator(".dy-l", has=page.locator("a.dy-s", has_text="Математика")).filter(
        has=page.locator(".mk.m5")
    )
    assert day_heading.count() >= 1 and lesson_row.count() == 1
    assert lesson_row.locator(".mk").inner_text().startswith("5")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "diary-parent-week-360.png"))

    # The subject page: both marks, the new average 4,00 with its formula.
    subject = reverse("diary:subject", args=[cast.pupil.pk, cast.math_a.pk])
    page.goto(f"{live_server.url}{subject}?period={period.pk}")
    assert page.inner_text("#average") == "4,00"
    assert page.inner_text("#formula") == "(3×1 + 5×1) / (1 + 1) = 8 / 2 = 4,00"
    assert page.locator(".dy-chart circle").count() == len({earlier.date, latest.date})
    page.screenshot(path=str(SCREENSHOTS / "diary-parent-subject-360.png"), full_page=True)
    assert errors == []
    page.close()
