"""Headless Chromium: a teacher puts a mark in the class journal from the keyboard, then the parent logs in and
finds it in the child's week and on the subject page with the new average (and its formula).

Runs on the real date, like journal/tests/test_browser_grid.py: the cast's year is moved around today
(``year_around_today``, autouse) and the lessons are put on the last school days up to today (inside the
10-working-day window). Skipped only where Chromium is not installed (fails instead in CI): never for the date.
"""

import datetime as dt
import os
from pathlib import Path

import pytest
from django.urls import reverse
from django.utils import timezone

from diary.models import Thread
from diary.services.messages import broadcast_send, thread_mark_read, thread_start
from journal.models import Lesson, Mark, StudyPeriod
from journal.services.journal import homework_set, mark_set
from journal.tests.test_browser_grid import (
    CHROMIUM,
    SCREENSHOTS,
    _year_around_today,
    browser,
    log_in,
    school_days_back,
    wait_saved,
)
from journal.workdays import grade_calendar

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="needs Debian's chromium"),
]

# The module-scoped Chromium fixture and the year around today (autouse), shared with the grid's browser tests.
__all__ = ["_year_around_today", "browser"]


def test_parent_sees_the_teachers_new_mark_in_the_week_and_the_subject(browser, live_server, transactional_db, cast):
    today = timezone.localdate()
    days = school_days_back(cast, today, 2)
    earlier, latest = (Lesson.objects.create(assignment=cast.math_a, date=day, number=1) for day in days)
    period = StudyPeriod.objects.get(year=cast.year, start_date__lte=earlier.date, end_date__gte=latest.date)
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


# Screens at 360 px: homework on its due day, the broadcast page, the phone's menu bar, the year page -------------


def no_sideways_scroll(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= page.viewport_size["width"]


def test_the_week_shows_homework_on_the_day_it_is_due(browser, live_server, transactional_db, cast):
    today = timezone.localdate()
    monday = today - dt.timedelta(days=today.weekday())
    calendar = grade_calendar(cast.school, cast.class_a.grade)
    week = [monday + dt.timedelta(days=n) for n in range(5) if calendar.is_school_day(monday + dt.timedelta(days=n))]
    assert len(week) == 5  # the year around today has no holidays
    lessons = [Lesson.objects.create(assignment=cast.math_a, date=day, number=2) for day in week]
    homework_set(actor=cast.teacher, lesson=lessons[0], text="§ 14, № 301, 305")
    homework_set(actor=cast.teacher, lesson=lessons[0], text="Доклад о Лобачевском", due_date=week[-1])
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    log_in(page, live_server.url, "parent")
    page.goto(f"{live_server.url}{reverse('diary:week', args=[cast.pupil.pk])}")
    given, due_next, due_set = (
        page.locator("section.dy-day", has=page.locator(f"h2:text-matches('{d.day} ')"))
        for d in (week[0], week[1], week[-1])
    )
    assert "к уроку" not in given.inner_text() and "Задано" in given.inner_text()
    assert "§ 14, № 301, 305" in due_next.locator(".dy-hw").inner_text()
    assert "Доклад о Лобачевском" in due_set.locator(".dy-hw").inner_text()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "diary-week-homework-due-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "diary-week-homework-due-360.png"), full_page=True)
    page.close()


def test_the_broadcast_page_shows_roles_and_who_read_it(browser, live_server, transactional_db, cast):
    broadcast = broadcast_send(
        actor=cast.classteacher,
        school_class=cast.class_a,
        audience="both",
        subject="Родительское собрание",
        text="Собрание в четверг в 18:30, кабинет 204.",
    )
    thread_mark_read(
        actor=cast.parent_user, thread=Thread.objects.get(broadcast=broadcast, participants__user=cast.parent_user)
    )
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    log_in(page, live_server.url, "classteacher")
    page.goto(f"{live_server.url}{reverse('messaging:broadcast_detail', args=[broadcast.pk])}")
    text = page.inner_text("main")
    assert "Родители" in text and "Учащиеся" in text and "ребёнок" not in text
    assert f"родитель: {cast.pupil.user.full_name}" in text and "учащийся" in text
    assert "прочитано" in text and "не прочитано" in text
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "broadcast-desktop.png"), full_page=True)
    page.set_viewport_size({"width": 360, "height": 740})
    page.reload()
    assert no_sideways_scroll(page)
    page.screenshot(path=str(SCREENSHOTS / "broadcast-360.png"), full_page=True)
    page.close()


def test_on_a_phone_the_unread_badge_stands_beside_the_menu_button(browser, live_server, transactional_db, cast):
    for text in ("Вопрос по домашнему заданию", "Ещё вопрос", "И ещё один"):
        thread_start(actor=cast.teacher, recipients=[cast.parent_user], subject=text, text=text, pupil=cast.pupil)
    page = browser.new_page(viewport={"width": 360, "height": 740})
    log_in(page, live_server.url, "parent")
    badge = page.get_by_role("link", name="Сообщения: 3 непрочитанных")
    toggler = page.locator(".navbar-toggler")
    assert badge.is_visible() and toggler.is_visible()
    assert not page.locator("#mainnav").is_visible()  # the menu is collapsed
    badge_box, toggler_box = badge.bounding_box(), toggler.bounding_box()
    assert abs((badge_box["y"] + badge_box["height"] / 2) - (toggler_box["y"] + toggler_box["height"] / 2)) < 8
    assert badge_box["x"] + badge_box["width"] <= toggler_box["x"]
    assert no_sideways_scroll(page)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "navbar-360.png"))
    badge.click()
    page.wait_for_url(f"{live_server.url}{reverse('messaging:inbox')}")
    page.set_viewport_size({"width": 1280, "height": 800})
    assert not page.locator(".nav-unread").is_visible()  # the wide menu shows «Сообщения» with its badge
    assert page.locator("#mainnav .badge", has_text="3").is_visible()
    page.screenshot(path=str(SCREENSHOTS / "navbar-desktop.png"))
    page.close()


def test_the_year_page_fits_a_phone(browser, live_server, transactional_db, cast):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    log_in(page, live_server.url, "parent")
    page.goto(f"{live_server.url}{reverse('journal:year_detail')}")
    assert page.locator("h1", has_text="Учебный год").is_visible()
    assert no_sideways_scroll(page), page.evaluate("document.documentElement.scrollWidth")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "year-360.png"), full_page=True)
    page.set_viewport_size({"width": 1280, "height": 800})
    page.reload()
    page.screenshot(path=str(SCREENSHOTS / "year-desktop.png"), full_page=True)
    page.close()
