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
def test_admin_changelists_open_for_the_admin(client, cast, model):
    client.force_login(cast.admin)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


def test_assignment_added_in_the_admin_grants_access(client, cast):
    client.force_login(cast.admin)
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


def test_non_admin_roles_are_kept_out_of_the_admin(client, cast):
    client.force_login(cast.deputy)
    response = client.get(reverse("admin:journal_schoolclass_changelist"))
    assert response.status_code == 302


def test_pupil_profile_added_in_the_admin_grants_the_own_diary(client, cast):
    from accounts.models import PupilProfile
    from accounts.tests.factories import UserFactory

    user = UserFactory(school=cast.school, role="pupil", username="newpupil")
    client.force_login(cast.admin)
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
