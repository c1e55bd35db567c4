"""Headless Chromium signs in as each role through the login form (skipped where Chromium is not installed)."""

import os
from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    "username, heading",
    [("deputy", "Учащихся сегодня"), ("teacher", "Мои классы и предметы"), ("parent", "7 «А»")],
)
def test_login_with_the_keyboard_lands_on_the_role_home(
    browser, live_server, transactional_db, cast, username, heading
):
    page = browser.new_page(viewport={"width": 1280, "height": 800})
    page.goto(f"{live_server.url}/")
    assert "/accounts/login/" in page.url
    page.keyboard.type(username)  # the login field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type("demo12345")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/")
    assert heading in page.content()
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"home-{username}.png"), full_page=True)
    page.close()


def test_phone_menu_opens(browser, live_server, transactional_db, cast):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "pupil")
    page.fill("#id_password", "demo12345")
    page.click("input[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    assert not page.is_visible("text=Дневник")
    page.click(".navbar-toggler")
    page.wait_for_selector("text=Дневник", state="visible")
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "home-pupil-phone.png"), full_page=True)
    page.close()
