"""The pupil's personal card (личная карточка), kept by the class teacher: personal data and the parents' contacts.

The pupil's class teacher and the school admin edit it; the director and deputy only read it.
A parent records consent to personal-data processing and the chosen form of information
(electronic diary or paper printouts) [001 §4.1.1]; the date of the choice is kept.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import InfoForm, Role
from accounts.models import ParentProfile, PupilProfile, User
from journal.lock import school_today
from journal.models import Enrollment, SchoolClassUserObjectPermission
from journal.services.imports.values import NAME_RE, clean_name, normalize_phone


class _Unchanged:
    """The default of an argument that, left out, keeps the stored value (not the same as clearing it)."""

    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED = _Unchanged()


def may_edit_card(actor: User, pupil: PupilProfile) -> bool:
    """The school admin, or the class teacher of a class the pupil is on the roll of (now or from a coming date)."""
    if actor.is_platform_operator:
        return True
    if actor.school_id != pupil.user.school_id:
        return False
    if actor.role == Role.ADMIN:
        return True
    if not actor.is_staff_member:
        return False
    managed = SchoolClassUserObjectPermission.objects.filter(user=actor, permission__codename="manage_class").values(
        "content_object_id"
    )
    return (
        Enrollment.objects.filter(pupil=pupil, school_class_id__in=managed)
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=timezone.localdate()))
        .exists()
    )


def _ensure_card_editor(actor: User, pupils: list[PupilProfile]) -> None:
    if not any(may_edit_card(actor, pupil) for pupil in pupils):
        raise PermissionDenied(_("Личную карточку ведёт классный руководитель учащегося или администратор школы."))


def _clean_names(last_name: str, first_name: str, middle_name: str) -> tuple[str, str, str]:
    names = clean_name(last_name), clean_name(first_name), clean_name(middle_name)
    if not names[0] or not names[1]:
        raise ValidationError(_("Фамилия и имя обязательны."))
    if not all(NAME_RE.match(name) for name in names if name):
        raise ValidationError(_("В ФИО есть недопустимые символы."))
    return names


@transaction.atomic
def pupil_card_update(
    *,
    actor: User,
    pupil: PupilProfile,
    last_name: str,
    first_name: str,
    middle_name: str = "",
    date_of_birth: dt.date | None = None,
    sex: str = "",
    address: str = "",
    notes: str = "",
) -> PupilProfile:
    _ensure_card_editor(actor, [pupil])
    if date_of_birth and date_of_birth > timezone.localdate():
        raise ValidationError(_("Дата рождения не может быть в будущем."))
    user = pupil.user
    user.last_name, user.first_name, user.middle_name = _clean_names(last_name, first_name, middle_name)
    user.full_clean(exclude=["password"])
    user.save(update_fields=["last_name", "first_name", "middle_name"])
    pupil.date_of_birth = date_of_birth
    pupil.sex = sex
    pupil.address = address.strip()
    pupil.notes = notes.strip()
    pupil.full_clean()
    pupil._history_user = actor  # simple_history records who, also outside a request
    pupil.save()
    return pupil


@transaction.atomic
def parent_card_update(
    *,
    actor: User,
    parent: ParentProfile,
    phone: str = "",
    email: str = "",
    work_place: str = "",
    consent_given_on: dt.date | _Unchanged | None = UNCHANGED,
    info_form: str | None = None,
) -> ParentProfile:
    """Contacts, consent and the form of information; choosing a form (or changing it) dates the choice today.

    Consent is the date on the signed paper (None: withdrawn or not given); left out, it stays as it is. The
    form's date is the school's today, set by this service only. Each change is a history row naming the actor.
    """
    _ensure_card_editor(actor, list(parent.children.select_related("user")))
    today = school_today(parent.user.school) if parent.user.school_id else timezone.localdate()
    normalized_phone = normalize_phone(phone)
    if normalized_phone is None:
        raise ValidationError({"phone": _("Неверный номер телефона.")})
    if isinstance(consent_given_on, _Unchanged):
        consent_given_on = parent.consent_given_on
    elif consent_given_on and consent_given_on > today:
        raise ValidationError({"consent_given_on": _("Дата согласия не может быть в будущем.")})
    if info_form is not None and info_form not in InfoForm.values:
        raise ValidationError({"info_form": _("Неизвестная форма информирования.")})
    user = parent.user
    user.phone = normalized_phone
    user.email = email.strip()
    user.full_clean(exclude=["password"])
    user.save(update_fields=["phone", "email"])
    parent.work_place = work_place.strip()
    parent.consent_given_on = consent_given_on
    if info_form and (info_form != parent.info_form or parent.info_form_chosen_on is None):
        parent.info_form = info_form
        parent.info_form_chosen_on = today
    parent.full_clean()
    parent._history_user = actor  # simple_history records who, also outside a request
    parent.save()
    return parent
