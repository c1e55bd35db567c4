"""Another school, pointed at this school's objects: every URL that takes an object, for every role of a second
school (its admin, director, deputy, a teacher with an assignment, a class teacher, a pupil, a parent), is refused.

The URLs and their objects come from the access matrix (ejournal/tests/test_access_matrix.py), so a new URL is
covered as soon as it has its matrix entry. A GET is refused with 403, 404 or 405 (POST only); a POST with 400,
403, 404 or 405 — never a redirect, which is how a write that went through answers.
"""

import pytest
from django.urls import reverse

from conftest import build_foreign_school

from .test_access_matrix import MATRIX

OBJECT_URLS = sorted(name for name, (args_of, _expected) in MATRIX.items() if args_of is not None)


@pytest.mark.parametrize("name", OBJECT_URLS)
def test_a_second_school_is_refused_everywhere(client, cast, name):
    args = MATRIX[name][0](cast)
    if not any(isinstance(arg, int) for arg in args):
        pytest.skip("no object in the URL (a sample file's name)")
    url = reverse(name, args=args)
    foreign = build_foreign_school(cast)
    failures = []
    for role, user in foreign.users().items():
        client.force_login(user)
        get = client.get(url).status_code
        if get not in (403, 404, 405):
            failures.append(f"{role}: GET {get}")
        post = client.post(url, {"pk": args[0], "value": "5", "text": "чужой"}).status_code
        if post not in (400, 403, 404, 405):
            failures.append(f"{role}: POST {post}")
    assert not failures, f"{url}: " + "; ".join(failures)
