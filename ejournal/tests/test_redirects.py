"""Pages that moved with their code keep their old addresses: a permanent redirect that keeps method and query."""

import pytest
from django.urls import reverse


@pytest.mark.parametrize(
    "old, name, args",
    [
        ("/accounts/people/import/", "journal:import_upload", []),
        ("/accounts/people/credentials/staff/", "journal:staff_credentials", []),
        ("/accounts/people/cards/7/", "journal:pupil_card", [7]),
        ("/accounts/people/cards/class/3/", "journal:class_cards", [3]),
        ("/accounts/people/import/5/apply/", "journal:import_apply", [5]),
    ],
)
def test_old_people_addresses_redirect_to_the_journal(client, old, name, args):
    response = client.get(old)
    assert response.status_code == 308  # permanent, and a POST stays a POST
    assert response["Location"] == reverse(name, args=args)


def test_the_query_and_the_method_survive(client):
    response = client.post("/accounts/people/cards/7/?x=1&y=%D0%B0", {"a": "b"})
    assert response.status_code == 308
    assert response["Location"] == reverse("journal:pupil_card", args=[7]) + "?x=1&y=%D0%B0"


def test_the_redirect_grants_nothing(client, cast):
    """Following the redirect lands on the page's own access check: anonymous users are sent to log in."""
    response = client.get("/accounts/people/import/", follow=True)
    assert response.redirect_chain[0] == (reverse("journal:import_upload"), 308)
    assert response.request["PATH_INFO"] == reverse("accounts:login")


def test_identity_pages_did_not_move(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/accounts/activate/").status_code == 200
