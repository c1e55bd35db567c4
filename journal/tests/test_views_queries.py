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


# Each pin is exact and names its queries: when the number moves, the comment says which query came or went. Every
# signed-in page reads the session and the user with their school (one query) first and the menu's unread count last;
# a teacher's menu reads the class they lead before it.


@pytest.mark.parametrize("extra", [0, 10])
def test_class_page_queries_do_not_grow_with_pupils(client, cast, django_assert_num_queries, extra):
    add_pupils(cast, cast.class_a, extra)
    client.force_login(cast.classteacher)
    # session, user+school, class (visibility and manage right in one, with year, school, class teacher), pupils on
    # the roll, their parents, curriculum, may print paper diaries, assignments, menu: led class and unread (one query)
    with django_assert_num_queries(9):
        response = client.get(reverse("journal:class_detail", args=[cast.class_a.pk]))
    assert response.status_code == 200
    assert response.content.decode().count("Новиков Илья") == extra


@pytest.mark.parametrize(
    "view, queries",
    [
        # session, user+school, current year, classes (with pupil counts and class teachers), menu: unread
        ("journal:class_list", 5),
        # session, user+school, current year, staff, the year's assignments, class teachers, menu: unread
        ("journal:staff_list", 7),
        # session, user+school, current year, assignments (visibility, with teacher, class, subgroup, subject),
        # menu: unread
        ("journal:assignment_list", 5),
    ],
)
def test_school_lists_have_fixed_queries(client, cast, django_assert_num_queries, view, queries):
    add_pupils(cast, cast.class_b, 5)
    client.force_login(cast.deputy)
    with django_assert_num_queries(queries):
        assert client.get(reverse(view)).status_code == 200


def test_a_teachers_assignment_list_queries(client, cast, django_assert_num_queries):
    client.force_login(cast.classteacher)
    # session, user+school, current year, assignments (their own and their class's, with teacher, class, subgroup,
    # subject), menu: led class and unread (one query)
    with django_assert_num_queries(5):
        assert client.get(reverse("journal:assignment_list")).status_code == 200


def test_pupil_page_queries(client, cast, django_assert_num_queries):
    client.force_login(cast.parent_user)
    # session, user+school, pupil (visibility), the parent's children (switcher), the pupil's class (diary header);
    # the card: enrollments (with class, year, class teacher: the header's class read again), subjects with teachers,
    # grade settings, study periods, parents; menu: unread
    with django_assert_num_queries(11):
        assert client.get(reverse("diary:pupil", args=[cast.pupil.pk])).status_code == 200
