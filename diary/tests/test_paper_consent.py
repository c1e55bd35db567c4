"""Consent to personal-data processing and the chosen form of information: dated by the service, kept in history,
shown to the class teacher on the paper page and to the parent (read-only) on the profile."""

import datetime as dt

from django.urls import reverse

from accounts.choices import InfoForm
from accounts.models import ParentProfile
from diary.tests.test_paper_print import at
from journal.services.cards import parent_card_update


def test_each_change_of_the_form_is_dated_and_kept_in_history_with_its_author(cast):
    with at(dt.date(2026, 9, 3)):
        parent_card_update(actor=cast.classteacher, parent=cast.parent, consent_given_on=dt.date(2026, 9, 1))
        parent_card_update(actor=cast.classteacher, parent=cast.parent, info_form=InfoForm.PAPER)
    with at(dt.date(2026, 12, 7)):
        parent_card_update(actor=cast.admin, parent=cast.parent, info_form=InfoForm.ELECTRONIC)
    parent = ParentProfile.objects.get(pk=cast.parent.pk)
    # consent left out of the later calls stays as it was (it used to be wiped silently)
    assert parent.consent_given_on == dt.date(2026, 9, 1)
    assert (parent.info_form, parent.info_form_chosen_on) == (InfoForm.ELECTRONIC, dt.date(2026, 12, 7))
    rows = list(parent.history.order_by("history_id"))
    changes = [(row.info_form, row.info_form_chosen_on, row.consent_given_on, row.history_user) for row in rows[-3:]]
    assert changes == [
        (InfoForm.ELECTRONIC, None, dt.date(2026, 9, 1), cast.classteacher),
        (InfoForm.PAPER, dt.date(2026, 9, 3), dt.date(2026, 9, 1), cast.classteacher),
        (InfoForm.ELECTRONIC, dt.date(2026, 12, 7), dt.date(2026, 9, 1), cast.admin),
    ]


def test_the_choice_is_dated_by_the_schools_today(cast):
    cast.school.time_zone = "Asia/Vladivostok"  # UTC+10: 22.11 18:00 in Moscow is already 23.11 there
    cast.school.save()
    with at(dt.date(2026, 11, 22), hour=18):
        parent_card_update(actor=cast.classteacher, parent=cast.parent, info_form=InfoForm.PAPER)
    assert ParentProfile.objects.get(pk=cast.parent.pk).info_form_chosen_on == dt.date(2026, 11, 23)


def test_withdrawn_consent_is_cleared_and_remembered(cast):
    with at(dt.date(2026, 9, 3)):
        parent_card_update(actor=cast.classteacher, parent=cast.parent, consent_given_on=dt.date(2026, 9, 1))
        parent_card_update(actor=cast.classteacher, parent=cast.parent, consent_given_on=None)
    parent = ParentProfile.objects.get(pk=cast.parent.pk)
    assert parent.consent_given_on is None
    assert parent.history.filter(consent_given_on=dt.date(2026, 9, 1)).exists()


def test_the_card_form_saves_consent_and_form_through_the_service(client, cast):
    client.force_login(cast.classteacher)
    data = {"phone": "", "email": "", "work_place": "", "consent_given_on": "2026-09-01", "info_form": "paper"}
    with at(dt.date(2026, 9, 4)):
        response = client.post(
            reverse("journal:parent_card", args=[cast.pupil.pk, cast.parent.pk]),
            {f"parent-{cast.parent.pk}-{key}": value for key, value in data.items()},
        )
    assert response.status_code == 302
    parent = ParentProfile.objects.get(pk=cast.parent.pk)
    assert (parent.info_form, parent.info_form_chosen_on) == (InfoForm.PAPER, dt.date(2026, 9, 4))
    assert parent.history.latest("history_id").history_user == cast.classteacher
    with at(dt.date(2026, 9, 4)):
        page = client.get(reverse("diary:paper", args=[cast.class_a.pk])).content.decode()
    assert "бумага с 04.09.2026" in page and "<b>бумажная</b>" in page and "01.09.2026" in page


def test_a_parent_sees_consent_and_form_on_the_profile(client, cast):
    client.force_login(cast.parent_user)
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "Согласие на обработку персональных данных" in page and "не отмечено" in page and "не выбрана" in page
    with at(dt.date(2026, 9, 3)):
        parent_card_update(
            actor=cast.classteacher, parent=cast.parent, consent_given_on=dt.date(2026, 9, 1), info_form=InfoForm.PAPER
        )
    page = client.get(reverse("accounts:profile")).content.decode()
    assert "дано 01.09.2026" in page and "бумажная (распечатка дневника), выбрана 03.09.2026" in page
    assert "через классного руководителя" in page and "<form" not in page.split("<main")[1].split("Сменить пароль")[0]


def test_staff_profiles_have_no_consent_lines(client, cast):
    client.force_login(cast.classteacher)
    assert "Форма информирования" not in client.get(reverse("accounts:profile")).content.decode()
