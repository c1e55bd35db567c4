"""People by hand, in the application: what a school's admin once did in the Django admin (staff, passwords by codes,
parents and their links, the school's record), now scoped to their school (issue 10)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.models import ParentChild, ParentProfile, School, User
from journal.access import pupil_for_user, visible_pupils
from journal.services import staff as services

pytestmark = pytest.mark.django_db


# Staff -----------------------------------------------------------------------------------------------------------


def test_the_admin_adds_a_staff_member_with_a_login_and_no_password(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("journal:staff_add"),
        {"last_name": "Жукова", "first_name": "Елена", "middle_name": "Павловна", "role": "teacher"},
    )
    assert response.status_code == 302 and response.url == reverse("journal:staff_credentials")
    user = User.objects.get(last_name="Жукова")
    assert (user.username, user.school, user.role) == ("zhukova.ep", cast.school, "teacher")
    assert not user.has_usable_password() and not user.is_superuser and not user.is_staff
    # A namesake gets the next free login, whatever the case of the taken one.
    second = services.staff_add(
        actor=cast.admin, school=cast.school, last_name="Жуков", first_name="Егор", middle_name="П"
    )
    assert second.username == "zhukov.ep"
    third = services.staff_add(
        actor=cast.admin, school=cast.school, last_name="Жукова", first_name="Ева", middle_name="П"
    )
    assert third.username == "zhukova.ep2"


def test_a_taken_login_and_a_bad_phone_are_refused_in_russian(cast):
    with pytest.raises(ValidationError, match="Логин «TEACHER» уже занят"):
        services.staff_add(actor=cast.admin, school=cast.school, last_name="А", first_name="Б", username="TEACHER")
    with pytest.raises(ValidationError, match="не похож на номер"):
        services.staff_add(actor=cast.admin, school=cast.school, last_name="А", first_name="Б", phone="позвонить")
    assert not User.objects.filter(last_name="А").exists()


@pytest.mark.parametrize("actor", ["deputy", "director", "teacher", "foreign_admin"])
def test_only_the_schools_admin_adds_staff(cast, actor):
    with pytest.raises(PermissionDenied):
        services.staff_add(actor=getattr(cast, actor), school=cast.school, last_name="Новая", first_name="Учительница")
    assert not User.objects.filter(last_name="Новая").exists()


def test_the_admin_edits_and_switches_off_a_teacher_who_is_then_logged_out(client, cast):
    teacher_client = client.__class__()
    teacher_client.force_login(cast.teacher)
    assert teacher_client.get(reverse("home")).status_code == 200
    client.force_login(cast.admin)
    response = client.post(
        reverse("journal:staff_edit", args=[cast.teacher.pk]),
        {"last_name": "Teacher", "first_name": "Анна", "middle_name": "", "role": "deputy", "email": "t@x.ru"},
    )  # is_active unticked: the account is switched off
    assert response.status_code == 302
    cast.teacher.refresh_from_db()
    assert (cast.teacher.role, cast.teacher.email, cast.teacher.is_active) == ("deputy", "t@x.ru", False)
    # The open session ends with its next request; the records stay.
    assert teacher_client.get(reverse("home")).url.startswith(reverse("accounts:login"))
    assert User.objects.filter(pk=cast.teacher.pk).exists()
    # Switched off, the teacher stays on the list, marked, for the admin to switch back on.
    page = client.get(reverse("journal:staff_list")).content.decode()
    assert reverse("journal:staff_edit", args=[cast.teacher.pk]) in page and "отключён" in page


def test_the_admin_cannot_switch_off_or_demote_themself(cast):
    with pytest.raises(ValidationError, match="Свою учётную запись отключить нельзя"):
        services.staff_update(
            actor=cast.admin, user=cast.admin, last_name="A", first_name="B", role="admin", active=False
        )
    with pytest.raises(ValidationError, match="Свою должность изменить нельзя"):
        services.staff_update(actor=cast.admin, user=cast.admin, last_name="A", first_name="B", role="teacher")
    cast.admin.refresh_from_db()
    assert cast.admin.is_active and cast.admin.role == "admin"


def test_a_pupil_keeps_their_role(cast):
    with pytest.raises(ValidationError, match="свою роль сохраняют"):
        services.staff_update(actor=cast.admin, user=cast.pupil_user, last_name="П", first_name="И", role="teacher")


def test_another_schools_admin_gets_404_on_this_schools_staff(client, cast):
    client.force_login(cast.foreign_admin)
    assert client.get(reverse("journal:staff_edit", args=[cast.teacher.pk])).status_code == 404
    response = client.post(reverse("journal:staff_edit", args=[cast.teacher.pk]), {"last_name": "X", "role": "admin"})
    assert response.status_code == 404
    cast.teacher.refresh_from_db()
    assert cast.teacher.role == "teacher"


# A pupil's parents -----------------------------------------------------------------------------------------------


def test_the_admin_adds_a_parent_who_then_sees_the_childs_diary(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("journal:parent_add", args=[cast.pupil.pk]),
        {"new-kind": "father", "new-last_name": "Иванов", "new-first_name": "Пётр", "new-phone": "8 912 345 67 89"},
    )
    assert response.status_code == 302
    link = ParentChild.objects.get(pupil=cast.pupil, parent__user__last_name="Иванов")
    assert (link.kind, link.parent.user.username, link.parent.user.phone) == ("father", "ivanov.p", "+7 912 345-67-89")
    assert pupil_for_user(link.parent.user, cast.pupil.pk) == cast.pupil


def test_the_admin_links_a_siblings_parent_and_unlinks_them(client, cast):
    client.force_login(cast.admin)
    parent2 = ParentProfile.objects.get(user=cast.parent2_user)
    assert cast.pupil not in visible_pupils(cast.parent2_user)
    response = client.post(
        reverse("journal:parent_link", args=[cast.pupil.pk]), {"link-parent": parent2.pk, "link-kind": "guardian"}
    )
    assert response.status_code == 302
    assert cast.pupil in visible_pupils(cast.parent2_user)
    response = client.post(reverse("journal:parent_unlink", args=[cast.pupil.pk, parent2.pk]))
    assert response.status_code == 302
    assert cast.pupil not in visible_pupils(cast.parent2_user)
    assert ParentProfile.objects.filter(pk=parent2.pk).exists()  # the account stays
    # The card shows the forms to the admin only; the class teacher keeps the card without them.
    add_url = reverse("journal:parent_add", args=[cast.pupil.pk])
    assert add_url in client.get(reverse("journal:pupil_card", args=[cast.pupil.pk])).content.decode()
    client.force_login(cast.classteacher)
    assert add_url not in client.get(reverse("journal:pupil_card", args=[cast.pupil.pk])).content.decode()


@pytest.mark.parametrize("role", ["classteacher", "deputy", "director"])
def test_linking_parents_is_the_admins(client, cast, role):
    """Linking opens a child's diary: the class teacher keeps the card but does not link or unlink (403)."""
    client.force_login(getattr(cast, role))
    response = client.post(
        reverse("journal:parent_add", args=[cast.pupil.pk]),
        {"new-kind": "father", "new-last_name": "Чужой", "new-first_name": "Человек"},
    )
    assert response.status_code == 403
    assert client.post(reverse("journal:parent_unlink", args=[cast.pupil.pk, cast.parent.pk])).status_code == 403
    assert not User.objects.filter(last_name="Чужой").exists()
    assert ParentChild.objects.filter(parent=cast.parent, pupil=cast.pupil).exists()


def test_a_parent_of_another_school_cannot_be_linked(cast):
    from conftest import build_foreign_school

    foreign = build_foreign_school(cast)
    with pytest.raises((ValidationError, PermissionDenied)):
        services.parent_link_existing(
            actor=cast.admin, pupil=cast.pupil, parent=foreign.parent_user.parent, kind="mother"
        )
    assert cast.pupil not in visible_pupils(foreign.parent_user)


# The school's record ---------------------------------------------------------------------------------------------


def test_the_admin_sets_the_schools_name_and_time_zone(client, cast):
    client.force_login(cast.admin)
    page = client.get(reverse("accounts:school")).content.decode()
    assert "Москва — московское время (UTC+3)" in page and "Europe/Moscow</option>" not in page
    response = client.post(
        reverse("accounts:school"),
        {"name": "МБОУ СОШ № 1", "short_name": "СОШ № 1", "address": "ул. Ленина, 1", "time_zone": "Asia/Vladivostok"},
    )
    assert response.status_code == 302
    school = School.objects.get(pk=cast.school.pk)
    assert (school.name, school.time_zone) == ("МБОУ СОШ № 1", "Asia/Vladivostok")


def test_a_wrong_time_zone_changes_nothing(client, cast):
    client.force_login(cast.admin)
    response = client.post(
        reverse("accounts:school"), {"name": "X", "short_name": "X", "address": "", "time_zone": "Mars/Olympus"}
    )
    assert response.status_code == 200 and "Выберите корректный вариант" in response.content.decode()
    assert School.objects.get(pk=cast.school.pk).time_zone == "Europe/Moscow"
