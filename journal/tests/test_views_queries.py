"""Pages whose size grows with the school keep a fixed number of queries (no N+1)."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts import services as account_services
from accounts.choices import ParentKind
from journal import services


def add_pupils(cast, school_class, count):
    for n in range(count):
        pupil = account_services.pupil_create(
            actor=cast.admin,
            school=cast.school,
            username=f"extra{school_class.pk}_{n}",
            last_name="Новиков",
            first_name="Илья",
        )
        services.enrollment_create(
            actor=cast.admin, pupil=pupil, school_class=school_class, date_from=dt.date(2026, 9, 1)
        )
        parent = account_services.parent_create(
            actor=cast.admin,
            school=cast.school,
            username=f"extraparent{school_class.pk}_{n}",
            last_name="Новикова",
            first_name="Ольга",
        )
        account_services.parent_link(actor=cast.admin, parent=parent, pupil=pupil, kind=ParentKind.MOTHER)


@pytest.mark.parametrize("extra", [0, 10])
def test_class_page_queries_do_not_grow_with_pupils(client, cast, django_assert_max_num_queries, extra):
    add_pupils(cast, cast.class_a, extra)
    client.force_login(cast.classteacher)
    with django_assert_max_num_queries(14):
        response = client.get(reverse("journal:class_detail", args=[cast.class_a.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("Новиков Илья") == extra


@pytest.mark.parametrize("view", ["journal:class_list", "journal:staff_list", "journal:assignment_list"])
def test_school_lists_have_fixed_queries(client, cast, django_assert_max_num_queries, view):
    add_pupils(cast, cast.class_b, 5)
    client.force_login(cast.deputy)
    with django_assert_max_num_queries(10):
        assert client.get(reverse(view)).status_code == 200


def test_pupil_page_queries(client, cast, django_assert_max_num_queries):
    client.force_login(cast.parent_user)
    # 3 of these are the session's (read, save every request).
    with django_assert_max_num_queries(16):
        assert client.get(reverse("diary:pupil", args=[cast.pupil.pk])).status_code == 200
