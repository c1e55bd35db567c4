"""Headless Chromium: the deputy opens the control page, makes a справка from it and sends it; the teacher finds it
on the home page, opens it and clicks «Ознакомлен(а)»; the deputy opens the справка and sees the time of the
acknowledgement.

Runs on the real date, like journal/tests/test_browser_grid.py: the cast's year is moved around today
(``year_around_today``, autouse) and the lessons without a topic are put on the last school days before today, so
the audit of the last two weeks finds them. Skipped only where Chromium is not installed (fails instead in CI).
"""

import datetime as dt
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from journal.lock import school_today
from journal.models import Lesson
from journal.tests.test_browser_grid import CHROMIUM, SCREENSHOTS, _year_around_today, browser, log_in, school_days_back
from reports.models import AuditStatement, AuditStatementRecipient

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="needs Debian's chromium"),
]

# The module-scoped Chromium fixture and the year around today (autouse), shared with the grid's browser tests.
__all__ = ["_year_around_today", "browser"]


def test_deputy_sends_a_statement_the_teacher_acknowledges_it(browser, live_server, transactional_db, cast):
    today = school_today(cast.school)
    days = [day for day in school_days_back(cast, today, 4) if day < today][-3:]
    for number, day in enumerate(days, start=1):  # the teacher's lessons before today, without a topic
        Lesson.objects.create(assignment=cast.math_a, date=day, number=number, topic="")
    start = today - dt.timedelta(days=14)
    errors: list[str] = []

    # The deputy: the control page for the last two weeks, «Составить справку», the draft, «Отправить».
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("dialog", lambda dialog: dialog.accept())  # «Отправить справку? …»
    log_in(page, live_server.url, "deputy")
    page.goto(f"{live_server.url}{reverse('reports:audit')}?date_from={start:%Y-%m-%d}&date_to={today:%Y-%m-%d}")
    page.get_by_role("link", name="Составить справку", exact=True).click()
    page.wait_for_url(re.compile(r"/reports/audit/statements/new/"))
    teacher_box = page.locator(f'input[name="teachers"][value="{cast.teacher.pk}"]')
    assert teacher_box.is_checked()  # a teacher with lapses is ticked by default
    page.get_by_role("button", name="Составить черновик справки").click()
    page.wait_for_url(re.compile(r"/reports/audit/statements/\d+/edit/"))
    statement = AuditStatement.objects.get()
    assert "Teacher А. П." in page.locator("#id_conclusions").input_value()
    page.get_by_role("button", name="Сохранить черновик").click()
    page.wait_for_url(f"{live_server.url}{reverse('reports:audit-statement', args=[statement.pk])}")
    page.get_by_role("button", name="Отправить", exact=True).click()
    page.locator(".badge", has_text="отправлена").wait_for()
    statement.refresh_from_db()
    assert statement.sent_at is not None
    page.context.clear_cookies()

    # The teacher: the home page shows the справка waiting; its page, «Ознакомлен(а)».
    log_in(page, live_server.url, "teacher")
    page.goto(f"{live_server.url}{reverse('home')}")
    pending = page.locator("#pending-statements")
    assert statement.title in pending.inner_text()
    pending.get_by_role("link", name=f"Справка № {statement.number}", exact=False).click()
    page.wait_for_url(f"{live_server.url}{reverse('reports:audit-statement', args=[statement.pk])}")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "statement-teacher.png"), full_page=True)
    page.locator("#acknowledgement").get_by_role("button", name="Ознакомлен(а)").click()
    page.locator("#acknowledgement", has_text="Вы ознакомлены со справкой").wait_for()
    acknowledged_at = AuditStatementRecipient.objects.get(statement=statement, user=cast.teacher).acknowledged_at
    assert acknowledged_at is not None
    page.goto(f"{live_server.url}{reverse('home')}")  # nothing waits any more; «Мои справки» lists it
    assert page.locator("#pending-statements").count() == 0
    page.goto(f"{live_server.url}{reverse('reports:audit-statements')}")
    assert statement.title in page.locator("#my-statements").inner_text()
    page.context.clear_cookies()

    # The deputy: the справка shows the teacher's time, and the others still «не ознакомлен(а)».
    log_in(page, live_server.url, "deputy")
    page.goto(f"{live_server.url}{reverse('reports:audit-statement', args=[statement.pk])}")
    when = timezone.localtime(acknowledged_at, ZoneInfo(cast.school.time_zone)).strftime("%d.%m.%Y %H:%M")
    name = page.locator("td", has_text=re.compile(r"^Teacher Анна Петровна$"))
    row = page.locator("#recipients tbody tr").filter(has=name)
    assert when in row.inner_text()
    page.screenshot(path=str(SCREENSHOTS / "statement-deputy.png"), full_page=True)
    assert not errors
