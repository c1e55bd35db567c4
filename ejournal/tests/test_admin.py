import re
from decimal import Decimal

import pytest
from django.contrib import admin
from django.urls import reverse
from guardian.shortcuts import get_perms

from journal.models import TeachingAssignment

CYRILLIC = re.compile("[а-яА-ЯёЁ]")


def test_every_admin_model_has_a_russian_name():
    for model in admin.site._registry:
        for name in (model._meta.verbose_name, model._meta.verbose_name_plural):
            assert CYRILLIC.search(str(name)), f"{model.__name__}: {name}"


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m.__name__)
def test_admin_changelists_open_for_the_platform_operator(client, operator, model):
    client.force_login(operator)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


def test_assignment_added_in_the_admin_grants_access(client, cast, operator):
    client.force_login(operator)
    response = client.post(
        reverse("admin:journal_teachingassignment_add"),
        {
            "year": cast.year.pk,
            "teacher": cast.other_teacher.pk,
            "school_class": cast.class_a.pk,
            "subject": cast.russian_b.subject.pk,
            "hours_per_week": "4",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assignment = TeachingAssignment.objects.get(school_class=cast.class_a, subject=cast.russian_b.subject)
    assert assignment.hours_per_week == Decimal(4)
    assert "edit_assignment_journal" in get_perms(cast.other_teacher, assignment)


@pytest.mark.parametrize("role", ["admin", "foreign_admin", "director", "deputy", "teacher", "parent_user"])
def test_every_school_role_is_kept_out_of_the_admin(client, cast, role):
    """A school's admin is not a Django superuser: the Django admin lists every school's people (issue 10)."""
    user = getattr(cast, role)
    assert not user.is_superuser and not user.is_staff
    client.force_login(user)
    for url in (reverse("admin:index"), reverse("admin:accounts_user_changelist")):
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("admin:login")), url


def test_another_schools_admin_cannot_reset_a_parents_password_there(client, cast):
    """The attack the issue found: the second school's admin reset a first-school parent's password in /admin/."""
    client.force_login(cast.foreign_admin)
    url = reverse("admin:auth_user_password_change", args=[cast.parent_user.pk])  # the custom user's page
    response = client.post(url, {"password1": "Zahvat-2026!", "password2": "Zahvat-2026!"})
    assert response.status_code == 302 and response.url.startswith(reverse("admin:login"))
    cast.parent_user.refresh_from_db()
    assert cast.parent_user.check_password("demo12345")


def test_a_superuser_with_a_school_is_not_the_operator(client, cast):
    """Only a superuser without a school is the platform operator; a flag set by hand on a school's account is not."""
    cast.admin.is_superuser = cast.admin.is_staff = True
    cast.admin.save()
    client.force_login(cast.admin)
    assert client.get(reverse("admin:index")).status_code == 302


def test_the_operator_has_the_admin(client, operator):
    assert client.get(reverse("admin:index")).status_code == 200


def test_pupil_profile_added_in_the_admin_grants_the_own_diary(client, cast, operator):
    from accounts.models import PupilProfile
    from accounts.tests.factories import UserFactory

    user = UserFactory(school=cast.school, role="pupil", username="newpupil")
    client.force_login(operator)
    response = client.post(
        reverse("admin:accounts_pupilprofile_add"),
        {
            "user": user.pk,
            "date_of_birth": "01.03.2014",
            "sex": "f",
            "parent_links-TOTAL_FORMS": "0",
            "parent_links-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    pupil = PupilProfile.objects.get(user=user)
    assert get_perms(user, pupil) == ["view_pupil_diary"]


@pytest.mark.parametrize("suffix", ["history/", "change/", "delete/"])
@pytest.mark.parametrize("object_id", ["²", "٣", "99999999999999999999"])
def test_a_malformed_id_in_the_admin_is_a_404(client, operator, suffix, object_id):
    response = client.get(f"/admin/journal/teachingassignment/{object_id}/{suffix}")
    assert response.status_code in (302, 404)  # Django's own change/delete pages redirect with a message
    assert response.status_code != 500
