"""Every URL of the URL conf, as every role of the cast, GET and POST with malformed values: never a 500.

Generated like the access matrix (``test_access_matrix.py``, whose URL enumeration, roles, users and URL arguments
it reuses): a new URL is fuzzed as soon as it has its matrix entry, without anyone adding it here. The parameters
are a fixed list of the names views read from query strings and forms, the fields of the forms the page renders
(found by GETting it), and those field names with their ids replaced by hostile digits (``proposed_<pupil id>``,
``h_<class id>_<subject id>``). For each URL, on one cast:

- every name gets every malformed value once by GET and once by POST, from the roles that reach the view (those the
  matrix lets in; for a POST-only URL every signed-in role): a Latin square, request k giving name j value j + k
  (a POST carries the next row in its query string, for views that read ``POST.get() or GET.get()``);
- a NUL in every name (refused at the edge, so it goes alone); 1 MB in one name with 10 kB in the others;
- the page's forms as rendered with one field at a time set to a malformed value of its kind (what a lenient field
  would store and a later page trip over);
- the other roles, anonymous included, one GET and one POST each;
- the path arguments replaced by hostile ones their converter lets through: one past the database's bigint for an
  id (GET: the resolver refuses it before any view, see ``test_every_id_in_a_path_is_bounded``); unicode digits, a
  NUL and markup for a ``str`` argument.

The client does not raise: every 500 of the URL is collected with the project's frames of its traceback and reported
at once. About 4,600 requests, some 38 per URL.
"""

import re
import traceback
from urllib.parse import quote, urlencode

import pytest
from django.conf import settings
from django.http import HttpResponse
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from .test_access_matrix import MATRIX, ROLES, user_for

MAX_BIGINT = 2**63 - 1
MALFORMED = [
    "²",  # a superscript digit: str.isdigit() says yes, int() says no
    "٣",  # an Arabic-Indic digit: int() reads it as 3
    "１２",  # full-width digits: int() reads them as 12
    "-1",
    "0",
    "9" * 20,  # beyond SQLite's and PostgreSQL's 64-bit integers
    "31.02.2013",  # a date that does not exist
    "2026-13-45",
    "../",
    "<script>alert(1)</script>",
    "",
]
NUL = "1\x00"  # PostgreSQL refuses NUL in text
ONE_MB, TEN_KB = "x" * 2**20, "x" * 10 * 2**10  # one 1 MB value per request keeps it under the upload limit
# By the kind of input: what a lenient form field might store and a later page trip over (a room named «²» broke the
# timetable), the calendar's first and last days (a day earlier or later overflows), one past the database's bigint.
STORED = {
    "text": ["²", "<script>alert(1)</script>", "１２"],
    "date": ["9999-12-31", "0001-01-01"],
    "time": ["24:60"],
    "number": [str(MAX_BIGINT + 1), "-1"],
    "choice": ["9" * 20, "0"],
}
KIND_OF_INPUT = {"date": "date", "time": "time", "number": "number", "select": "choice", "hidden": "choice"}
KIND_OF_INPUT |= {"checkbox": "choice", "radio": "choice"}
PROBED_FIELDS = 6  # per URL: the first fields of its forms

# Names of query and form parameters the views read; the page's own form fields are added to them.
COMMON_NAMES = [
    "pk",
    "id",
    "lesson",
    "pupil",
    "period",
    "week",
    "date",
    "day",
    "from_date",
    "to_date",
    "date_from",
    "date_to",
    "q",
    "kind",
    "page",
    "homework",
    "remove",
    "users",
    "to",
    "recipients",
    "class",
    "school_class",
    "assignment",
    "teacher",
    "substitute",
    "value",
    "field",
    "code",
    "year",
    "grade",
    "edit",
    "source",
    "direction",
    "action",
    "reason",
    "number",
    "weekday",
    "reset",
    "partial",
    "problems",
    "subject",
    "text",
    "name",
]
HOSTILE_ID = str(MAX_BIGINT + 1)  # the converter's bound (twenty digits go the same way)
HOSTILE_STRINGS = ["²", "\x00", "<script>"]
INT_SENTINEL, STR_SENTINEL = 987654321987, "fuzzsentinel"

FIELD = re.compile(r"<(input|select|textarea|button)\b([^>]*)>", re.IGNORECASE)
ATTRIBUTE = re.compile(r'\b(name|value|type|checked)(?:="([^"]*)")?', re.IGNORECASE)
SELECT = re.compile(r"<select\b[^>]*\bname=\"([^\"]*)\"[^>]*>(.*?)</select>", re.IGNORECASE | re.DOTALL)
OPTION = re.compile(r"<option\b([^>]*)\bvalue=\"([^\"]*)\"", re.IGNORECASE)
DIGITS = re.compile(r"\d+")


def path_kinds() -> dict[str, list[str]]:
    """URL name -> the converter of each path argument ("id", "int", "str", …), from the URL conf."""
    kinds: dict[str, list[str]] = {}

    def walk(patterns, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    ns = pattern.namespace or ""
                    walk(pattern.url_patterns, f"{namespace}{ns}:" if ns else namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                kinds[f"{namespace}{pattern.name}"] = re.findall(r"<(?:(\w+):)?\w+>", str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return kinds


def form_defaults(html: str) -> tuple[dict[str, str], dict[str, str]]:
    """The fields of the forms on a page with the values they are rendered with (the first of repeated names), and
    the kind of each (a key of ``STORED``; buttons have none)."""
    fields: dict[str, str] = {}
    kinds: dict[str, str] = {}
    for tag, attributes in FIELD.findall(html):
        found = {key.lower(): value for key, value in ATTRIBUTE.findall(attributes)}
        name, kind = found.get("name"), (found.get("type") or tag).lower()
        if not name or name == "csrfmiddlewaretoken" or name in fields:
            continue
        unchecked = kind in ("checkbox", "radio") and "checked" not in found
        fields[name] = "" if unchecked or kind == "select" else found.get("value", "")
        if kind not in ("submit", "button", "reset", "file"):
            kinds[name] = KIND_OF_INPUT.get(kind, "text")
    for name, options in SELECT.findall(html):
        values = OPTION.findall(options)
        chosen = [value for attributes, value in values if "selected" in attributes] or [v for _a, v in values[:1]]
        fields[name] = chosen[0] if chosen else ""
    return fields, kinds


def hostile_names(names: list[str]) -> list[str]:
    """Names with ids in them (``proposed_12``, ``h_3_4``, ``p7``) with the id replaced by hostile digits."""
    return [DIGITS.sub(digits, name, count=1) for name in names if DIGITS.search(name) for digits in ("²", "9" * 20)]


def hostile_urls(name: str, args: list, kinds: list[str]) -> list[tuple[str, bool]]:
    """(URL, is an id) with each path argument in turn replaced by hostile values its converter lets through."""
    urls = []
    for position, kind in enumerate(kinds):
        numeric = kind in ("int", "id")
        sentinel, values = (INT_SENTINEL, [HOSTILE_ID]) if numeric else (STR_SENTINEL, HOSTILE_STRINGS)
        probe = list(args)
        probe[position] = sentinel
        base = reverse(name, args=probe)
        urls += [
            (base.replace(str(sentinel), value if numeric else quote(value, safe="")), numeric) for value in values
        ]
    return urls


def reaching_roles(expectations: dict) -> list[str]:
    """The roles that reach the view: those the matrix lets in; for a POST-only URL, every signed-in role."""

    def status(role):
        expected = expectations.get(role, expectations["*"])
        return expected[0] if isinstance(expected, tuple) else expected

    signed_in = [role for role in ROLES if role != "anonymous"]
    return [role for role in signed_in if status(role) in (200, 302)] or signed_in


def describe(data: dict[str, str]) -> str:
    """The request's values, short: one value for all names, else each name with its value (long ones counted)."""
    values = set(data.values())
    if len(values) == 1 and len(data) > 1:
        return f"every parameter = {values.pop()!r}"
    shown = {key: value if len(value) < 30 else f"<{len(value)} chars>" for key, value in data.items()}
    text = repr(shown)
    return text if len(text) < 400 else text[:400] + "…}"


def where(exc_info) -> str:
    """The exception and the frames of the project's own code it went through (not the libraries')."""
    frames = [
        f"    {frame.filename.removeprefix(str(settings.BASE_DIR) + '/')}:{frame.lineno} {frame.line}"
        for frame in traceback.extract_tb(exc_info[2])
        if str(settings.BASE_DIR) in frame.filename and "/.venv/" not in frame.filename
    ]
    return "\n".join([*frames[-3:], f"    {exc_info[0].__name__}: {exc_info[1]}"])


class Fuzzer:
    """Sends the requests of one URL, signed in as one role at a time, and keeps every 500 with where it came from."""

    def __init__(self, cast):
        self.cast = cast
        self.client = Client(raise_request_exception=False)  # collect every failure, not only the first
        self.sessions: dict[str, str] = {}  # role -> session key: one login per role
        self.role = "anonymous"
        self.failures: list[str] = []
        self.sent = 0

    def login(self, role: str) -> None:
        self.role = role
        cookie = settings.SESSION_COOKIE_NAME
        self.client.cookies.pop(cookie, None)
        if role in self.sessions:
            self.client.cookies[cookie] = self.sessions[role]
        elif role != "anonymous":
            self.client.force_login(user_for(self.cast, role))
            self.sessions[role] = self.client.cookies[cookie].value

    def send(self, method: str, url: str, data: dict[str, str], query: dict[str, str] | None = None) -> HttpResponse:
        """GET with ``data`` in the query string, or POST it as a form (with ``query`` in the query string)."""
        if method == "GET":
            response = self.client.get(url, data)
        else:
            url = f"{url}?{urlencode(query)}" if query else url
            response = self.client.post(url, urlencode(data), content_type="application/x-www-form-urlencoded")
        self.sent += 1
        cookie = self.client.cookies.get(settings.SESSION_COOKIE_NAME)
        if self.role != "anonymous" and (cookie is None or cookie.value != self.sessions[self.role]):
            del self.sessions[self.role]  # signed out (the logout URL): sign in again
            self.login(self.role)
        if response.status_code >= 500:
            detail = where(response.exc_info) if response.exc_info else ""
            self.failures.append(f"{self.role} {method} {url} {describe(data)}: {response.status_code}\n{detail}")
        return response

    def both(self, url: str, data: dict[str, str], query: dict[str, str] | None = None) -> None:
        self.send("GET", url, data)
        self.send("POST", url, data, query)


KINDS = path_kinds()


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_no_server_error(cast, name):
    """One URL, one cast: every role, every malformed value in every parameter, GET and POST."""
    args_of, expectations = MATRIX[name]
    args = args_of(cast) if args_of else []
    url = reverse("admin:index") if name == "admin:*" else reverse(name, args=args)
    fuzz = Fuzzer(cast)
    reach = reaching_roles(expectations)

    # The page's forms as the first role that reaches it sees them.
    fuzz.login(reach[0])
    response = fuzz.send("GET", url, {})
    defaults, kinds = {}, {}
    if response.status_code == 200 and response.get("Content-Type", "").startswith("text/html"):
        defaults, kinds = form_defaults(response.content.decode())
    names = list(dict.fromkeys([*COMMON_NAMES, *defaults, *hostile_names(list(defaults))]))

    def row(k: int) -> dict[str, str]:
        return {key: MALFORMED[(j + k) % len(MALFORMED)] for j, key in enumerate(names)}

    # Every name gets every malformed value by GET and by POST, from the roles that reach the view.
    for k in range(len(MALFORMED)):
        fuzz.login(reach[k % len(reach)])
        fuzz.both(url, row(k), query=row(k + 1))  # a POST's query string is read too (POST.get() or GET.get())
    fuzz.both(url, dict.fromkeys(names, NUL))
    for k, method in enumerate(("GET", "POST")):
        fuzz.send(method, url, dict.fromkeys(names, TEN_KB) | {names[k]: ONE_MB})

    # The page's forms as rendered, one field malformed at a time: what a lenient field would store.
    fuzz.login(reach[0])
    seen: dict[str, int] = {}
    for field, kind in list(kinds.items())[:PROBED_FIELDS]:
        seen[kind] = seen.get(kind, -1) + 1  # the first text field gets «²», the next markup, …
        fuzz.send("POST", url, defaults | {field: STORED[kind][seen[kind] % len(STORED[kind])]})

    # The roles that do not reach the view: once each.
    for index, role in enumerate(role for role in ROLES if role not in reach):
        fuzz.login(role)
        fuzz.both(url, row(index))

    # Hostile path arguments; an id is refused by the resolver whatever the method (the test below keeps it so).
    for index, (hostile, numeric) in enumerate(hostile_urls(name, args, KINDS.get(name, []))):
        fuzz.login(reach[index % len(reach)])
        if numeric:
            fuzz.send("GET", hostile, {})
        else:
            fuzz.both(hostile, {})

    assert not fuzz.failures, f"{len(fuzz.failures)} of {fuzz.sent} requests failed:\n" + "\n".join(fuzz.failures)


def test_every_id_in_a_path_is_bounded():
    """Ids in paths use the ``id`` converter: Django's ``int`` lets twenty digits through to the database."""
    assert [name for name, kinds in path_kinds().items() if "int" in kinds] == []
