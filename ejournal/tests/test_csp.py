"""The Content-Security-Policy (django-csp), Referrer-Policy and Permissions-Policy headers, and the templates that
let the policy stay strict: no inline script or handler, no style attribute, inline <style> blocks with the nonce.
The browser's side (no violation on the grid, the lesson page and the diary) is test_browser_csp.py."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

BASE_DIR = Path(settings.BASE_DIR)
# Templates no browser applies the policy to: e-mails (mail clients want inline styles) and PDFs (WeasyPrint).
NOT_PAGES = (
    "templates/diary/emails/",
    "templates/journal/emails/",
    "_pdf.html",
    "templates/diary/paper/pdf.html",
    "templates/reports/pdf/",
)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {name: values for name, *values in (part.split() for part in policy.split(";") if part.strip())}


def test_every_page_carries_the_policy(client, cast):
    response = client.get(reverse("accounts:login"))
    policy = directives(response)
    assert policy["default-src"] == ["'self'"] and policy["object-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]  # no inline script on this page: not even a nonce
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"] and policy["form-action"] == ["'self'"]
    assert policy["img-src"] == ["'self'", "data:"]  # Bootstrap's icons in CSS are data: URIs
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]
    assert "'unsafe-eval'" not in response["Content-Security-Policy"]
    assert response["Referrer-Policy"] == "strict-origin-when-cross-origin"
    features = dict(part.split("=") for part in response["Permissions-Policy"].split(", "))
    assert features["camera"] == features["microphone"] == features["geolocation"] == features["payment"] == "()"


def test_an_inline_style_block_gets_the_requests_nonce(client, cast):
    """The timetable's <style> block: the same nonce in the tag and in the header, new on every request."""
    client.force_login(cast.admin)
    nonces = []
    for _ in range(2):
        response = client.get(reverse("journal:timetable_index"))
        assert response.status_code == 200
        nonce = re.search(r'<style nonce="([^"]+)">', response.content.decode()).group(1)
        assert f"'nonce-{nonce}'" in directives(response)["style-src"]
        nonces.append(nonce)
    assert nonces[0] != nonces[1]


def test_errors_carry_the_policy_too(client, db):
    response = client.get("/no/such/page/")
    assert response.status_code == 404 and "Content-Security-Policy" in response
    assert "Permissions-Policy" in response


def page_templates() -> list[Path]:
    found = sorted((BASE_DIR / "templates").rglob("*.html"))
    return [path for path in found if not any(part in path.as_posix() for part in NOT_PAGES)]


INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)(?![^>]*type=\"application/(?:ld\+)?json\")(?![^>]*\bnonce=)[^>]*>"
)
HANDLER = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[a-z][^>]*\sstyle\s*=", re.IGNORECASE)
STYLE_BLOCK = re.compile(r"<style\b(?![^>]*\bnonce=\"\{\{ request\.csp_nonce \}\}\")[^>]*>")


@pytest.mark.parametrize(
    "pattern, what",
    [
        (INLINE_SCRIPT, "an inline <script> without the nonce: move it to static/js/ (or add the nonce)"),
        (HANDLER, "an inline event handler: use a data attribute (static/js/actions.js, confirm.js)"),
        (STYLE_ATTRIBUTE, "a style attribute: use a class (static/css/ejournal.css)"),
        (STYLE_BLOCK, 'a <style> block without nonce="{{ request.csp_nonce }}"'),
    ],
)
def test_templates_keep_to_the_policy(pattern, what):
    offenders = [
        f"{path.relative_to(BASE_DIR)}:{text[: match.start()].count(chr(10)) + 1}"
        for path in page_templates()
        for text in [path.read_text()]
        for match in pattern.finditer(text)
    ]
    assert not offenders, f"{what}: {offenders}"


def test_markup_built_in_python_keeps_to_the_policy():
    """The grid's and the diary's HTML built in Python, and crispy layouts' HTML, neither."""
    sources = [
        path
        for app in ("accounts", "journal", "diary", "reports", "archive", "ejournal")
        for room in ("render", "forms", "views")
        for path in sorted((BASE_DIR / app / room).rglob("*.py"))
    ]
    offenders = [
        str(path.relative_to(BASE_DIR))
        for path in sources
        for text in [path.read_text()]
        if STYLE_ATTRIBUTE.search(text)
        or re.search(r"<script\b", text)
        or re.search(r"\son(?:click|change|submit|load)=", text)
    ]
    assert not offenders, offenders
