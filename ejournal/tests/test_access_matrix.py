"""Every URL in the URL conf, for every demo role and anonymous: allowed or denied as docs/domain.md (roles) says.

A new URL without an entry in MATRIX fails ``test_every_url_has_an_entry``.
"""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from archive.tests import matrix_archive
from diary.tests import matrix_diary, matrix_events, matrix_messages, matrix_notifications, matrix_paper
from journal.tests import matrix_closing, matrix_grid, matrix_journal, matrix_people, matrix_setup, matrix_timetable
from reports.tests import matrix_reports

ROLES = [
    "anonymous",
    "admin",
    "director",
    "deputy",
    "teacher",
    "other_teacher",
    "classteacher",
    "pupil",
    "parent",
    "parent2",
    "foreign_admin",
]

OK, REDIRECT, FORBIDDEN, NOT_FOUND, NOT_ALLOWED = 200, 302, 403, 404, 405
LOGIN = "login"  # anonymous users are sent to the login page

# URL name -> (function giving reverse() args from the cast, {role: expected status}); missing roles use "*".
MATRIX = {
    "home": (None, {"anonymous": LOGIN, "*": OK}),
    "accounts:login": (None, {"anonymous": OK, "*": REDIRECT}),
    "accounts:logout": (None, {"*": NOT_ALLOWED}),  # POST only; see test_views_accounts
    "accounts:password_change": (None, {"anonymous": LOGIN, "*": OK}),
    "accounts:password_change_done": (None, {"anonymous": LOGIN, "*": OK}),
    "accounts:profile": (None, {"anonymous": LOGIN, "*": OK}),
    # The school's own record: its admin (another school's admin edits their own school: 200).
    "accounts:school": (None, {"anonymous": LOGIN, "admin": OK, "foreign_admin": OK, "*": FORBIDDEN}),
    # the foreign admin's school has no year yet
    "journal:year_detail": (None, {"anonymous": LOGIN, "foreign_admin": NOT_FOUND, "*": OK}),
    "journal:class_list": (
        None,
        {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "foreign_admin": NOT_FOUND, "*": FORBIDDEN},
    ),
    "journal:class_detail": (
        lambda c: [c.class_a.pk],
        {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "classteacher": OK, "*": NOT_FOUND},
    ),
    "journal:assignment_list": (
        None,
        {
            "anonymous": LOGIN,
            "pupil": NOT_FOUND,
            "parent": NOT_FOUND,
            "parent2": NOT_FOUND,
            "foreign_admin": NOT_FOUND,
            "*": OK,
        },
    ),
    "journal:assignment_detail": (
        lambda c: [c.math_a.pk],
        {
            "anonymous": LOGIN,
            "admin": OK,
            "director": OK,
            "deputy": OK,
            "teacher": OK,
            "classteacher": OK,
            "*": NOT_FOUND,
        },
    ),
    "journal:staff_list": (
        None,
        {"anonymous": LOGIN, "admin": OK, "director": OK, "deputy": OK, "foreign_admin": NOT_FOUND, "*": FORBIDDEN},
    ),
    # The Django admin, as one entry: the platform operator's only (ejournal/admin.py); no school role reaches it.
    "admin:*": (None, {"*": REDIRECT}),
    # Monitoring: open while HEALTH_CHECK_TOKEN is empty (as here), and it shows nothing personal to anyone
    # (ejournal/tests/test_health.py: the token, the checks, a failure).
    "health": (None, {"*": OK}),
}

# Each area keeps its entries beside its tests; the constants above are the vocabulary they use.
for _module in (
    matrix_setup,
    matrix_timetable,
    matrix_closing,
    matrix_people,
    matrix_grid,
    matrix_journal,
    matrix_diary,
    matrix_events,
    matrix_messages,
    matrix_notifications,
    matrix_paper,
    matrix_reports,
    matrix_archive,
):
    assert not set(_module.MATRIX_ENTRIES) & set(MATRIX), f"{_module.__name__} repeats an entry"
    MATRIX.update(_module.MATRIX_ENTRIES)


def url_names(patterns=None, namespace: str = "") -> set[str]:
    names = set()
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        if isinstance(pattern, URLResolver):
            ns = pattern.namespace or ""
            if ns == "admin":
                names.add("admin:*")
                continue
            inner = f"{namespace}{ns}:" if ns else namespace
            names |= url_names(pattern.url_patterns, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_has_an_entry():
    assert url_names() - set(MATRIX) == set(), "add these URLs to the access matrix"
    assert set(MATRIX) - url_names() == set(), "the matrix names URLs that no longer exist"


def user_for(cast, role):
    return {
        "admin": cast.admin,
        "director": cast.director,
        "deputy": cast.deputy,
        "teacher": cast.teacher,
        "other_teacher": cast.other_teacher,
        "classteacher": cast.classteacher,
        "pupil": cast.pupil_user,
        "parent": cast.parent_user,
        "parent2": cast.parent2_user,
        "foreign_admin": cast.foreign_admin,
    }[role]


@pytest.mark.parametrize("name", sorted(MATRIX))
def test_access(client, cast, name):
    """All roles against one URL (one cast per URL keeps the matrix fast); every mismatch is reported."""
    args_of, expectations = MATRIX[name]
    url = reverse("admin:index") if name == "admin:*" else reverse(name, args=args_of(cast) if args_of else None)
    failures = []
    for role in ROLES:
        expected = expectations.get(role, expectations["*"])
        client.logout()
        if role != "anonymous":
            client.force_login(user_for(cast, role))
        response = client.get(url)
        if isinstance(expected, tuple):  # (status, extra check on the response)
            expected, check = expected
            if not check(response, cast):
                failures.append(f"{role}: extra check failed")
        if expected == LOGIN:
            if response.status_code != 302 or not response.url.startswith(reverse("accounts:login")):
                failures.append(f"{role}: expected a redirect to the login page, got {response.status_code}")
        elif response.status_code != expected:
            failures.append(f"{role}: expected {expected}, got {response.status_code}")
    assert not failures, f"{url}: " + "; ".join(failures)
