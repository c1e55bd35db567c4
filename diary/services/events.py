"""Events and announcements: created by the class teacher (their class), the deputy and the admin (the whole school
or any class). Never deleted: cancelling keeps the event, struck through, in every diary that showed it.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from accounts.models import User
from journal.lock import school_today
from journal.models import SchoolClass

from ..choices import EventKind
from ..models import Event
from ..selectors.events import EVENT_MANAGER_ROLES, event_years, led_class_ids

TITLE_MAX_LENGTH = 200
PLACE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 5000


def _check_scope(actor: User, school_class: SchoolClass | None) -> None:
    """May ``actor`` publish an event for ``school_class`` (None: the whole school)? Raises if not."""
    if not actor.is_authenticated or not actor.is_active or actor.school_id is None:
        raise PermissionDenied(_("События публикуют сотрудники школы."))
    manager = actor.role in EVENT_MANAGER_ROLES
    if school_class is None:
        if not manager:
            raise PermissionDenied(_("События для всей школы публикуют заместитель директора и администратор."))
        return
    if school_class.year.school_id != actor.school_id:
        raise PermissionDenied(_("Класс из другой школы."))
    if not manager and not (
        actor.is_staff_member and led_class_ids(actor).filter(content_object_id=school_class.pk).exists()
    ):
        raise PermissionDenied(_("События класса публикует его классный руководитель, заместитель или администратор."))
    years = event_years(actor.school, school_today(actor.school))
    if school_class.year_id not in {year.pk for year in years}:
        raise ValidationError(
            {"school_class": _("Класс не относится к текущему или следующему учебному году.")},
        )


def can_edit_event(user: User, event: Event) -> bool:
    """The same rule as for creating: for the event's class (or the whole school)."""
    if event.school_id != user.school_id:
        return False
    try:
        _check_scope(user, event.school_class)
    except (PermissionDenied, ValidationError):
        return False
    return True


def _cleaned(
    *,
    kind: str,
    title: str,
    text: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    place: str,
) -> dict:
    errors: dict[str, str] = {}
    title = " ".join((title or "").split())
    place = " ".join((place or "").split())
    text = (text or "").strip()
    if not title:
        errors["title"] = _("Укажите заголовок.")
    elif len(title) > TITLE_MAX_LENGTH:
        errors["title"] = _("Заголовок не может быть длиннее %(n)s знаков.") % {"n": TITLE_MAX_LENGTH}
    if len(place) > PLACE_MAX_LENGTH:
        errors["place"] = _("Место не может быть длиннее %(n)s знаков.") % {"n": PLACE_MAX_LENGTH}
    if len(text) > TEXT_MAX_LENGTH:
        errors["text"] = _("Текст не может быть длиннее %(n)s знаков.") % {"n": TEXT_MAX_LENGTH}
    if kind not in EventKind.values:
        errors["kind"] = _("Выберите вид: мероприятие или объявление.")
    if starts_on is None:
        errors["starts_on"] = _("Укажите дату.")
    elif ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("Дата окончания не может быть раньше даты начала.")
    if errors:
        raise ValidationError(errors)
    if ends_on == starts_on:
        ends_on = None
    return {"kind": kind, "title": title, "text": text, "starts_on": starts_on, "ends_on": ends_on, "place": place}


@transaction.atomic
def event_create(
    *,
    actor: User,
    school_class: SchoolClass | None,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    starts_at: dt.time | None = None,
    kind: str = EventKind.EVENT,
    text: str = "",
    place: str = "",
) -> Event:
    """A new event or announcement for a class of the current or next year, or (None) for the whole school."""
    _check_scope(actor, school_class)
    fields = _cleaned(kind=kind, title=title, text=text, starts_on=starts_on, ends_on=ends_on, place=place)
    event = Event(school_id=actor.school_id, school_class=school_class, starts_at=starts_at, created_by=actor, **fields)
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_update(
    *,
    actor: User,
    event: Event,
    school_class: SchoolClass | None,
    title: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    starts_at: dt.time | None = None,
    kind: str = EventKind.EVENT,
    text: str = "",
    place: str = "",
) -> Event:
    """Change an event: the actor must manage both its class and the new one; a cancelled event stays as it is."""
    event = Event.objects.select_for_update(of=("self",)).select_related("school_class__year").get(pk=event.pk)
    if event.school_id != actor.school_id:
        raise PermissionDenied(_("Событие другой школы."))
    _check_scope(actor, event.school_class)
    if event.is_cancelled:
        raise ValidationError(_("Событие отменено: его нельзя изменить."))
    _check_scope(actor, school_class)
    fields = _cleaned(kind=kind, title=title, text=text, starts_on=starts_on, ends_on=ends_on, place=place)
    for name, value in fields.items():
        setattr(event, name, value)
    event.school_class = school_class
    event.starts_at = starts_at
    event.full_clean()
    event.save()
    return event


@transaction.atomic
def event_cancel(*, actor: User, event: Event) -> Event:
    """Mark the event cancelled: it stays in the lists and diaries, struck through. Cancelling twice changes nothing."""
    event = Event.objects.select_for_update(of=("self",)).select_related("school_class__year").get(pk=event.pk)
    if event.school_id != actor.school_id:
        raise PermissionDenied(_("Событие другой школы."))
    _check_scope(actor, event.school_class)
    if not event.is_cancelled:
        event.is_cancelled = True
        event.save(update_fields=["is_cancelled", "updated_at"])
    return event


def event_for_user(user: User, pk: int) -> tuple[Event, bool]:
    """The event and whether the user may change it: 404 for anyone but the staff of its school (pupils and parents
    see events in the diary), ``can_edit`` by the rule of ``event_create``."""
    event = get_object_or_404(Event.objects.select_related("school_class__year", "created_by"), pk=pk)
    if event.school_id != user.school_id or not user.is_staff_member:
        raise Http404
    return event, can_edit_event(user, event)
