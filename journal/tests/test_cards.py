"""Pupils' personal cards: the class teacher and the admin edit, the director and deputy read, families never see them."""

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from accounts.choices import InfoForm
from accounts.models import ParentProfile, PupilProfile
from journal.services.cards import may_edit_card, parent_card_update, pupil_card_update
from journal.tests.test_views_people import add_family

PUPIL_POST = {
    "pupil-last_name": "Pupil",
    "pupil-first_name": "Иван",
    "pupil-middle_name": "Сергеевич",
    "pupil-date_of_birth": "2013-03-01",
    "pupil-sex": "m",
    "pupil-address": "ул. Ленина, 1, кв. 5",
    "pupil-notes": "Аллергия на орехи",
}


def parent_post(parent: ParentProfile, **values) -> dict:
    data = {
        "phone": "+7 900 123-45-67",
        "email": "mama@example.ru",
        "work_place": "Больница № 2",
        "consent_given_on": "2026-09-01",
        "info_form": InfoForm.PAPER,
    }
    data.update(values)
    return {f"parent-{parent.pk}-{key}": value for key, value in data.items()}


# --- services ---------------------------------------------------------------------------------


def test_who_may_edit_a_card(cast):
    assert may_edit_card(cast.classteacher, cast.pupil)
    assert may_edit_card(cast.admin, cast.pupil)
    assert not may_edit_card(cast.classteacher, cast.other_pupil)
    for user in (cast.deputy, cast.director, cast.teacher, cast.parent_user, cast.pupil_user, cast.foreign_admin):
        assert not may_edit_card(user, cast.pupil)


def test_pupil_card_update(cast):
    pupil_card_update(
        actor=cast.classteacher,
        pupil=cast.pupil,
        last_name=" pupil ",
        first_name="иван",
        middle_name="Сергеевич",
        date_of_birth=dt.date(2013, 3, 2),
        sex="m",
        address="ул. Ленина, 1",
        notes="",
    )
    pupil = PupilProfile.objects.select_related("user").get(pk=cast.pupil.pk)
    assert (pupil.user.last_name, pupil.user.first_name, pupil.user.middle_name) == ("Pupil", "Иван", "Сергеевич")
    assert pupil.date_of_birth == dt.date(2013, 3, 2) and pupil.address == "ул. Ленина, 1"
    assert pupil.history.count() >= 2


@pytest.mark.parametrize(
    "values, message",
    [
        ({"last_name": ""}, "Фамилия и имя обязательны"),
        ({"first_name": "Ив4н"}, "недопустимые символы"),
        ({"date_of_birth": dt.date(2030, 1, 1)}, "в будущем"),
        ({"sex": "x"}, "x"),
    ],
)
def test_pupil_card_update_refuses_bad_data(cast, values, message):
    data = {"last_name": "Pupil", "first_name": "Иван", "date_of_birth": dt.date(2013, 3, 1), "sex": "m"}
    data.update(values)
    with pytest.raises(ValidationError, match=message):
        pupil_card_update(actor=cast.classteacher, pupil=cast.pupil, **data)
    pupil = PupilProfile.objects.select_related("user").get(pk=cast.pupil.pk)
    assert (pupil.user.first_name, pupil.date_of_birth, pupil.sex) == ("Иван", dt.date(2013, 3, 1), "m")


@pytest.mark.parametrize("actor", ["deputy", "director", "teacher", "other_teacher", "parent_user", "foreign_admin"])
def test_others_cannot_update_cards(cast, actor):
    with pytest.raises(PermissionDenied):
        pupil_card_update(actor=getattr(cast, actor), pupil=cast.pupil, last_name="X", first_name="Y")
    with pytest.raises(PermissionDenied):
        parent_card_update(actor=getattr(cast, actor), parent=cast.parent, phone="+79001112233")
    assert PupilProfile.objects.get(pk=cast.pupil.pk).user.last_name == "Pupil"


def test_the_info_form_choice_is_dated_when_made_or_changed(cast):
    with time_machine.travel(dt.datetime(2026, 9, 3, 12), tick=False):
        parent_card_update(
            actor=cast.classteacher,
            parent=cast.parent,
            phone="8 900 123 45 67",
            email="mama@example.ru",
            consent_given_on=dt.date(2026, 9, 1),
            info_form=InfoForm.ELECTRONIC,  # the default value, but chosen for the first time
        )
    parent = ParentProfile.objects.select_related("user").get(pk=cast.parent.pk)
    assert parent.info_form_chosen_on == dt.date(2026, 9, 3)
    assert parent.user.phone == "+7 900 123-45-67" and parent.consent_given_on == dt.date(2026, 9, 1)
    with time_machine.travel(dt.datetime(2026, 10, 5, 12), tick=False):
        parent_card_update(actor=cast.classteacher, parent=parent, info_form=InfoForm.ELECTRONIC)
        assert ParentProfile.objects.get(pk=parent.pk).info_form_chosen_on == dt.date(2026, 9, 3)
        parent_card_update(actor=cast.admin, parent=parent, info_form=InfoForm.PAPER)
    parent.refresh_from_db()
    assert (parent.info_form, parent.info_form_chosen_on) == (InfoForm.PAPER, dt.date(2026, 10, 5))


@pytest.mark.parametrize(
    "values, message",
    [
        ({"phone": "звоните"}, "Неверный номер телефона"),
        ({"email": "not-an-email"}, "e-mail|адрес"),
        ({"consent_given_on": dt.date(2031, 1, 1)}, "в будущем"),
        ({"info_form": "pigeon"}, "Неизвестная форма"),
    ],
)
def test_parent_card_update_refuses_bad_data(cast, values, message):
    with pytest.raises(ValidationError, match=message):
        parent_card_update(actor=cast.classteacher, parent=cast.parent, **values)
    parent = ParentProfile.objects.select_related("user").get(pk=cast.parent.pk)
    assert (parent.user.phone, parent.user.email, parent.consent_given_on) == ("", "", None)


# --- views ------------------------------------------------------------------------------------


def test_class_teacher_edits_the_card(client, cast):
    client.force_login(cast.classteacher)
    url = reverse("journal:pupil_card", args=[cast.pupil.pk])
    page = client.get(url).content.decode()
    assert 'name="pupil-address"' in page and f'name="parent-{cast.parent.pk}-phone"' in page
    response = client.post(url, PUPIL_POST)
    assert response.status_code == 302 and response.url == url
    pupil = PupilProfile.objects.select_related("user").get(pk=cast.pupil.pk)
    assert pupil.address == "ул. Ленина, 1, кв. 5" and pupil.user.middle_name == "Сергеевич"
    response = client.post(
        reverse("journal:parent_card", args=[cast.pupil.pk, cast.parent.pk]), parent_post(cast.parent)
    )
    assert response.status_code == 302
    parent = ParentProfile.objects.select_related("user").get(pk=cast.parent.pk)
    assert parent.info_form == InfoForm.PAPER and parent.info_form_chosen_on is not None
    assert parent.user.email == "mama@example.ru" and parent.work_place == "Больница № 2"
    assert "Больница № 2" in client.get(url).content.decode()


def test_bad_card_data_is_shown_on_the_form(client, cast):
    client.force_login(cast.classteacher)
    response = client.post(reverse("journal:pupil_card", args=[cast.pupil.pk]), {**PUPIL_POST, "pupil-first_name": ""})
    assert response.status_code == 200 and "Обязательное поле" in response.content.decode()
    response = client.post(
        reverse("journal:parent_card", args=[cast.pupil.pk, cast.parent.pk]), parent_post(cast.parent, phone="звоните")
    )
    assert response.status_code == 200 and "Неверный номер телефона" in response.content.decode()
    parent = ParentProfile.objects.select_related("user").get(pk=cast.parent.pk)
    assert parent.user.phone == "" and parent.info_form_chosen_on is None


@pytest.mark.parametrize("role", ["deputy", "director"])
def test_director_and_deputy_read_only(client, cast, role):
    client.force_login(getattr(cast, role))
    url = reverse("journal:pupil_card", args=[cast.pupil.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "только просмотр" in page.content.decode() and 'name="pupil-address"' not in page.content.decode()
    assert client.post(url, PUPIL_POST).status_code == 403
    parent_url = reverse("journal:parent_card", args=[cast.pupil.pk, cast.parent.pk])
    assert client.post(parent_url, parent_post(cast.parent)).status_code == 403
    assert PupilProfile.objects.get(pk=cast.pupil.pk).address == ""
    assert ParentProfile.objects.get(pk=cast.parent.pk).info_form_chosen_on is None


@pytest.mark.parametrize(
    "role", ["pupil_user", "parent_user", "parent2_user", "teacher", "other_teacher", "foreign_admin"]
)
def test_families_and_outsiders_get_404(client, cast, role):
    client.force_login(getattr(cast, role))
    url = reverse("journal:pupil_card", args=[cast.pupil.pk])
    assert client.get(url).status_code == 404
    assert client.post(url, PUPIL_POST).status_code == 404
    parent_url = reverse("journal:parent_card", args=[cast.pupil.pk, cast.parent.pk])
    assert client.post(parent_url, parent_post(cast.parent)).status_code == 404
    assert PupilProfile.objects.get(pk=cast.pupil.pk).address == ""


def test_the_class_teacher_of_another_class_gets_404(client, cast):
    client.force_login(cast.classteacher)
    assert client.get(reverse("journal:pupil_card", args=[cast.other_pupil.pk])).status_code == 404
    assert client.get(reverse("journal:class_cards", args=[cast.class_b.pk])).status_code == 404


def test_a_parent_of_another_family_cannot_be_edited_through_this_card(client, cast):
    client.force_login(cast.classteacher)
    other_parent = cast.parent2_user.parent
    url = reverse("journal:parent_card", args=[cast.pupil.pk, other_parent.pk])
    assert client.post(url, parent_post(other_parent)).status_code == 404


def test_parent_card_is_post_only(client, cast):
    client.force_login(cast.classteacher)
    assert client.get(reverse("journal:parent_card", args=[cast.pupil.pk, cast.parent.pk])).status_code == 405


@pytest.mark.parametrize("extra", [0, 8])
def test_class_cards_list_has_fixed_queries(client, cast, django_assert_num_queries, extra):
    for n in range(extra):
        add_family(cast, cast.class_a, n)
    parent_card_update(
        actor=cast.classteacher, parent=cast.parent, phone="+79001234567", consent_given_on=dt.date(2026, 9, 1)
    )
    client.force_login(cast.classteacher)
    # session, user+school, class (visibility and manage right in one), pupils on the roll (with their activation
    # codes), their parents, menu: led class and unread (one query)
    with django_assert_num_queries(6):
        response = client.get(reverse("journal:class_cards", args=[cast.class_a.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("Новиков Илья") == extra
    assert "+7 900 123-45-67" in page
    assert reverse("journal:class_credentials", args=[cast.class_a.pk]) in page


def test_pupil_card_page_has_fixed_queries(client, cast, django_assert_num_queries):
    client.force_login(cast.classteacher)
    # session, user+school, pupil (visibility), may edit (on the roll of a class the user leads), enrollments (with
    # class and year), parents, the parents' children, menu: led class and unread (one query)
    with django_assert_num_queries(8):
        assert client.get(reverse("journal:pupil_card", args=[cast.pupil.pk])).status_code == 200


def test_deputy_sees_the_class_cards_without_the_codes_link(client, cast):
    client.force_login(cast.deputy)
    page = client.get(reverse("journal:class_cards", args=[cast.class_a.pk])).content.decode()
    assert cast.pupil.user.full_name in page
    assert reverse("journal:class_credentials", args=[cast.class_a.pk]) not in page
