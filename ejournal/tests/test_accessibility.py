"""axe-core in headless Chromium over every page of each demo role's menu: no critical or serious WCAG 2.1 A/AA
violation (ГОСТ Р 52872-2019 follows WCAG 2.1).

The demo school is seeded once for the module (60 pupils) and committed, so that the live server sees it; the scan
runs once, in a module fixture, and each role's test reads its part (the first test's transactional_db empties the
database afterwards, the fixture's end again). Each role signs in, collects the links of its menus (the main menu,
the user's menu, «Сообщения») and a few pages one click deeper (the class journal, a diary week), and axe-core 4
(vendored in static/vendor/axe-core/, injected by the test, never served in a page) checks each; a page another
role of the same group has checked is not checked twice (GROUPS). See docs/accessibility.md.
"""

import os
import time
from io import StringIO
from pathlib import Path
from urllib.parse import unquote, urlparse

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command

from journal.tests.test_browser_grid import CHROMIUM

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

AXE = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe-core" / "axe.min.js"
TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
BLOCKING = ("critical", "serious")
TIMES: list[tuple[float, float, str]] = []  # (seconds in all, seconds loading, «role path»): the slowest are reported
ROLES = ["admin", "director", "deputy", "teacher", "classteacher", "pupil", "parent"]
# Roles that share their menu's pages: a page the admin has checked (the admin sees the most: every form) is not
# checked again for the director and the deputy, nor the teacher's for the class teacher. A role's home page, and
# the pages only it reaches (the deputy's read-only grid, the class teacher's class), are checked for it.
# A11Y_EVERY_ROLE=1 checks every role's every page (about twice the pages; the figures in docs/accessibility.md).
EVERY_ROLE = bool(os.environ.get("A11Y_EVERY_ROLE"))
GROUPS = {role: "management" for role in ("admin", "director", "deputy")} | {
    "teacher": "teaching",
    "classteacher": "teaching",
}

pytestmark = [
    pytest.mark.browser,
    pytest.mark.xdist_group("accessibility"),
    # In CI (CI=true) a missing browser fails the run instead of skipping it.
    pytest.mark.skipif(not Path(CHROMIUM).exists() and not os.environ.get("CI"), reason="needs Debian's chromium"),
]

# The links of the menus (the brand, the main menu and its drop-downs, «Сообщения», the user's menu).
MENU_LINKS = """
() => [...document.querySelectorAll('nav.navbar a[href]')]
  .map((a) => a.getAttribute('href'))
  .filter((href) => href && href.startsWith('/'))
"""

RUN_AXE = """
async (tags) => {
  // The WCAG tags decide; a few best practices (headings in order, one h1, the skip link) are reported beside them.
  const rules = {'heading-order': {enabled: true}, 'page-has-heading-one': {enabled: true}, 'skip-link': {enabled: true}};
  const result = await axe.run(document, {runOnly: {type: 'tag', values: tags}, rules, resultTypes: ['violations']});
  return result.violations.map((v) => ({
    id: v.id, impact: v.impact, count: v.nodes.length,
    targets: v.nodes.slice(0, 3).map((n) => n.target.join(' ')),
    // For contrast: the distinct colour pairs, «#fg on #bg 3.2:1 ×n», so a failure names the colours to fix.
    colours: Object.entries(v.nodes.reduce((pairs, n) => {
      const d = (n.any[0] || {}).data || {};
      if (d.fgColor) { const key = `${d.fgColor} on ${d.bgColor} ${d.contrastRatio}:1`; pairs[key] = (pairs[key] || 0) + 1; }
      return pairs;
    }, {})).map(([pair, n]) => `${pair} ×${n}`),
  }));
}
"""

# Pages one click below the menu, reached by the first link that matches on a menu page: (menu page, link selector).
DEEPER = {
    "deputy": [("/journal/assignments/", "a[href$='/grid/']")],
    # The grid, then the page of the lesson it opens on (topic, homework, its column): "^" is the page found before.
    "teacher": [("/journal/assignments/", "a[href$='/grid/']"), ("^", "#grid-info a")],
    "classteacher": [("/journal/assignments/", "a[href$='/grid/']")],
    "pupil": [("/diary/", "main a[href*='/week/']"), ("/diary/", "main a[href*='/marks/']")],
    "parent": [("/diary/", "main a[href*='/week/']"), ("/diary/", "main a[href*='/marks/']")],
}


def serve_static(route) -> None:
    """The stylesheets and scripts straight from the disk: the live server's WhiteNoise looks files up per request."""
    path = unquote(urlparse(route.request.url).path).removeprefix("/").removeprefix(settings.STATIC_URL.lstrip("/"))
    found = finders.find(path)
    if found:
        route.fulfill(path=found)
    else:
        route.continue_()


def log_in(page, base: str, username: str) -> None:
    page.goto(f"{base}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", "demo12345")
    page.click("input[type=submit]")
    page.wait_for_url(f"{base}/")


def check(page) -> list[dict]:
    page.add_script_tag(path=str(AXE))
    return page.evaluate(RUN_AXE, TAGS)


def scan_role(browser, base: str, username: str, checked: set[str]) -> dict[str, list[dict]]:
    """{path: [violation, ...]} over the role's menu pages and the pages just below them, but those another role of
    its group has checked already (``checked``, added to); the home page is each role's own."""
    # The policy's script-src 'self' would refuse the injected axe script: the test's page bypasses it.
    context = browser.new_context(viewport={"width": 1280, "height": 800}, bypass_csp=True)
    context.route("**/static/**", serve_static)
    page = context.new_page()
    log_in(page, base, username)
    paths = list(dict.fromkeys(page.evaluate(MENU_LINKS)))
    for menu_page, selector in DEEPER.get(username, []):
        page.goto(f"{base}{paths[-1] if menu_page == '^' else menu_page}")
        link = page.locator(selector).first
        assert link.count(), f"{username}: no {selector} on {menu_page}"
        paths.append(urlparse(link.get_attribute("href")).path)
    results = {}
    for path in dict.fromkeys(paths):
        if path in checked and path != "/":
            continue
        checked.add(path)
        started = time.perf_counter()
        response = page.goto(f"{base}{path}")
        assert response.ok, f"{username} {path}: {response.status}"  # axe finds nothing wrong on an error page
        loaded = time.perf_counter()
        results[path] = check(page)
        TIMES.append((time.perf_counter() - started, loaded - started, f"{username} {path}"))
    context.close()
    return results


@pytest.fixture(scope="module")
def scans(django_db_setup, django_db_blocker, live_server):
    """{role: {path: violations}}, the demo school seeded once and every role's pages checked."""
    from playwright.sync_api import sync_playwright

    with django_db_blocker.unblock():
        try:
            started = time.perf_counter()
            call_command("seed_demo", pupils=60, stdout=StringIO())
            seeded = time.perf_counter() - started
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM,
                    args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
                )
                checked: dict[str, set[str]] = {}  # by group of roles
                results = {
                    role: scan_role(
                        browser,
                        live_server.url,
                        role,
                        checked.setdefault(GROUPS.get(role, role) if not EVERY_ROLE else role, set()),
                    )
                    for role in ROLES
                }
                browser.close()
            report(results, seeded=seeded, scanned=time.perf_counter() - started - seeded)
            yield results
        finally:  # the seeded school is committed: gone again before the next module, whatever happened
            call_command("flush", interactive=False, verbosity=0)


def report(results: dict[str, dict[str, list[dict]]], *, seeded: float, scanned: float) -> None:
    """The figures and every violation found, in the test's output (-s), worst first."""
    pages = sum(len(r) for r in results.values())
    distinct = len({path for r in results.values() for path in r})
    found = [v for r in results.values() for vs in r.values() for v in vs]
    blocking = [v for v in found if v["impact"] in BLOCKING]
    print(
        f"\naxe-core over {pages} pages ({distinct} distinct paths) of {len(results)} roles (seeded in {seeded:.0f} s, checked in {scanned:.0f} s): "
        f"{sum(v['count'] for v in blocking)} critical/serious elements "
        f"({sum(v['count'] for v in blocking if v['impact'] == 'critical')} critical), "
        f"{sum(v['count'] for v in found)} elements in all"
    )
    slowest = ", ".join(f"{what} {total:.1f} s ({load:.1f} s loading)" for total, load, what in sorted(TIMES)[-3:])
    print(f"  slowest pages: {slowest}")
    for role, pages_of_role in results.items():
        for path, violations in pages_of_role.items():
            for v in violations:
                print(f"  {role:<12} {path:<45} {v['impact']:<9} {v['id']:<28} {v['count']:>4}  {v['targets'][:1]}")
                for pair in v["colours"]:
                    print(f"{'':<72}{pair}")


@pytest.mark.parametrize("role", ROLES)
def test_no_serious_violation_on_the_roles_pages(scans, role):
    pages = scans[role]
    assert "/" in pages
    failing = {
        path: [f"{v['impact']} {v['id']} ×{v['count']}: {v['targets']}" for v in vs if v["impact"] in BLOCKING]
        for path, vs in pages.items()
    }
    assert not {path: found for path, found in failing.items() if found}


def test_skip_link_and_a_refused_form_put_the_focus_where_the_keyboard_needs_it(live_server, transactional_db, cast):
    """The first Tab reaches «Перейти к содержанию», which moves the focus into <main>; a form sent back with an
    error puts the focus on the field in error, its message tied to it."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        page = browser.new_page(viewport={"width": 1280, "height": 800})
        log_in(page, live_server.url, "teacher")
        page.keyboard.press("Tab")
        assert page.evaluate("document.activeElement.textContent") == "Перейти к содержанию"
        page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "main"
        page.goto(f"{live_server.url}/accounts/password/")
        page.fill("#id_old_password", "not-the-password")
        page.fill("#id_new_password1", "Zx9-long-enough-pass")
        page.fill("#id_new_password2", "Zx9-long-enough-pass")
        with page.expect_navigation():
            page.keyboard.press("Enter")
        assert page.evaluate("document.activeElement.id") == "id_old_password"
        described = page.get_attribute("#id_old_password", "aria-describedby")
        errors = [ident for ident in (described or "").split() if "error" in ident]
        assert errors and "пароль" in page.inner_text(f"#{errors[0]}").lower()
        browser.close()
