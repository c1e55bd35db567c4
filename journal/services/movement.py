"""The movement of pupils through the year (движение учащихся): arrivals, departures, moves between classes.

Who: the school's administrator, as for every enrolment (``enrollment_create``). Arrivals and departures are
entries of the school's register of pupils, made by order of the head and kept by the administration; the
deputy head's part is the end of the year (promotion and closing, ``journal.services.promotion``
[001 §3.4.8]), not the register during it.

Dates: an enrolment runs from ``date_from`` to ``date_to``, the *last* day in the class. A pupil who leaves on
a date was in the class that day; a pupil moved on a date is in the new class from that date and in the old one
until the day before, so a pupil is never in two classes on one day. Every journal and report shows pupils
only for their dates (``journal.selectors.class_pupils``, ``journal.selectors.closing.class_roster``).
"""

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import PupilProfile, User
from accounts.services import ensure_school_admin, pupil_create

from ..models import Enrollment, SchoolClass, SchoolYear, Subgroup
from .structure import enrollment_create, ensure_year_writable


def _date(day: dt.date) -> str:
    return f"{day:%d.%m.%Y}"


def _ensure_in_year(day: dt.date, year: SchoolYear, what: str) -> None:
    if not year.start_date <= day <= year.end_date:
        raise ValidationError(
            _("%(what)s должна лежать внутри учебного года %(year)s (%(start)s — %(end)s).")
            % {"what": what, "year": year.name, "start": _date(year.start_date), "end": _date(year.end_date)}
        )


def _required_reason(reason: str, message: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(message)
    return reason


def _locked_enrollments(pupil: PupilProfile) -> list[Enrollment]:
    """The pupil's enrolments, locked: two people moving one pupil at once are served one after the other."""
    return list(
        Enrollment.objects.select_for_update()
        .filter(pupil=pupil)
        .select_related("school_class__year__school")
        .order_by("date_from", "pk")
    )


def _enrollment_on(enrollments: list[Enrollment], day: dt.date, what: str) -> Enrollment:
    """The enrolment running on ``day``; otherwise say why there is none."""
    running = [e for e in enrollments if e.date_from <= day and (e.date_to is None or e.date_to >= day)]
    if running:
        return running[-1]
    later = [e for e in enrollments if e.date_from > day]
    if later:
        first = later[0]
        raise ValidationError(
            _("Учащийся зачислен в %(cls)s только с %(from)s: %(what)s не может быть раньше.")
            % {"cls": first.school_class, "from": _date(first.date_from), "what": what}
        )
    if enrollments:
        last = enrollments[-1]
        raise ValidationError(
            _("Учащийся выбыл из %(cls)s %(to)s и с тех пор не числится ни в одном классе.")
            % {"cls": last.school_class, "to": _date(last.date_to)}
        )
    raise ValidationError(_("Учащийся не числится ни в одном классе."))


def _add_to_subgroups(pupil: PupilProfile, school_class: SchoolClass, subgroups: Iterable[Subgroup]) -> None:
    subgroups = list(subgroups)
    strangers = [sg for sg in subgroups if sg.school_class_id != school_class.pk]
    if strangers:
        raise ValidationError(
            _("Подгруппы %(names)s относятся не к %(cls)s.")
            % {"names": ", ".join(str(sg) for sg in strangers), "cls": school_class}
        )
    for subgroup in subgroups:
        subgroup.pupils.add(pupil)


def next_pupil_username() -> str:
    """The next free login of the p0001 series (the demo's and the default for a pupil added by hand)."""
    numbers = [
        int(name[1:]) for name in User.objects.filter(username__regex=r"^p[0-9]+$").values_list("username", flat=True)
    ]
    return f"p{max(numbers, default=0) + 1:04d}"


@transaction.atomic
def pupil_arrive(
    *,
    actor: User,
    school_class: SchoolClass,
    date: dt.date,
    reason: str,
    pupil: PupilProfile | None = None,
    last_name: str = "",
    first_name: str = "",
    middle_name: str = "",
    date_of_birth: dt.date | None = None,
    sex: str = "",
    username: str = "",
    subgroups: Iterable[Subgroup] = (),
) -> Enrollment:
    """A pupil arrives in the class on ``date`` (the first day in it): an existing pupil, or a new one from the data.

    ``reason`` is the basis of the enrolment, e.g. «прибыл из МБОУ СОШ № 12, приказ № 45 от 12.11.2026».
    """
    year = school_class.year
    ensure_school_admin(actor, year.school)
    ensure_year_writable(year)
    reason = _required_reason(reason, _("Укажите основание зачисления: откуда прибыл учащийся, номер приказа."))
    _ensure_in_year(date, year, _("Дата прибытия"))
    if pupil is None:
        if not last_name.strip() or not first_name.strip():
            raise ValidationError(_("Укажите фамилию и имя нового учащегося."))
        pupil = pupil_create(
            actor=actor,
            school=year.school,
            username=username.strip() or next_pupil_username(),
            last_name=last_name.strip(),
            first_name=first_name.strip(),
            middle_name=middle_name.strip(),
            date_of_birth=date_of_birth,
            sex=sex,
        )
    else:
        _locked_enrollments(pupil)
    enrollment = enrollment_create(actor=actor, pupil=pupil, school_class=school_class, date_from=date)
    enrollment.reason_in = reason
    enrollment.full_clean()
    enrollment.save(update_fields=["reason_in"])
    _add_to_subgroups(pupil, school_class, subgroups)
    return enrollment


@transaction.atomic
def pupil_leave(*, actor: User, pupil: PupilProfile, date: dt.date, reason: str) -> Enrollment:
    """The pupil leaves the school: ``date`` is their last day in the class (it becomes the enrolment's ``date_to``).

    ``reason`` is the basis, e.g. «выбыл в МБОУ «Лицей № 3», г. Калининград, приказ № 52 от 20.11.2026».
    """
    ensure_school_admin(actor, pupil.user.school)
    reason = _required_reason(reason, _("Укажите основание выбытия: куда выбыл учащийся, номер приказа."))
    enrollment = _enrollment_on(_locked_enrollments(pupil), date, _("дата выбытия"))
    year = enrollment.school_class.year
    ensure_year_writable(year)
    _ensure_in_year(date, year, _("Дата выбытия"))
    enrollment.date_to = date
    enrollment.reason_out = reason
    enrollment.full_clean()
    enrollment.save(update_fields=["date_to", "reason_out"])
    return enrollment


@transaction.atomic
def pupil_move(
    *,
    actor: User,
    pupil: PupilProfile,
    to_class: SchoolClass,
    date: dt.date,
    reason: str = "",
    subgroups: Iterable[Subgroup] = (),
) -> Enrollment:
    """Move the pupil to another class of the same year from ``date``; the old enrolment ends the day before.

    One transaction: either both enrolments change or neither. Between years pupils move by the promotion.
    """
    year = to_class.year
    ensure_school_admin(actor, year.school)
    ensure_year_writable(year)
    current = _enrollment_on(_locked_enrollments(pupil), date, _("дата перевода"))
    from_class = current.school_class
    if from_class.year_id != year.pk:
        raise ValidationError(
            _(
                "Перевести можно только в класс того же учебного года; в новый учебный год учащихся переводят при закрытии года."
            )
        )
    if from_class.pk == to_class.pk:
        raise ValidationError(_("Учащийся уже числится в %(cls)s.") % {"cls": to_class})
    _ensure_in_year(date, year, _("Дата перевода"))
    if date <= current.date_from:
        raise ValidationError(
            _("Учащийся зачислен в %(cls)s %(from)s: перевести его можно не раньше следующего дня.")
            % {"cls": from_class, "from": _date(current.date_from)}
        )
    reason = (reason or "").strip()
    planned_end = current.date_to
    current.date_to = date - dt.timedelta(days=1)
    current.reason_out = reason or _("переведён в %(cls)s") % {"cls": to_class}
    current.full_clean()
    current.save(update_fields=["date_to", "reason_out"])
    moved = enrollment_create(actor=actor, pupil=pupil, school_class=to_class, date_from=date)
    moved.reason_in = reason or _("переведён из %(cls)s") % {"cls": from_class}
    moved.date_to = planned_end
    moved.full_clean()
    moved.save(update_fields=["reason_in", "date_to"])
    _add_to_subgroups(pupil, to_class, subgroups)
    return moved
