"""Events and announcements: created by the class teacher (their class), the deputy and the admin (the whole school
or any class). Never deleted: cancelling keeps the event, struck through, in every diary that showed it.
"""

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import User
from journal.models import SchoolClass

from ..access import check_event_scope, visible_events
from ..choices import EventKind
from ..models import Event

TITLE_MAX_LENGTH = 200
PLACE_MAX_LENGTH = 200
TEXT_MAX_LENGTH = 5000


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


def _locked(actor: User, event: Event) -> Event:
    """The event locked for the write, taken from the events the actor sees (``visible_events``): an event of
    another school, or any event for a pupil or a parent, is refused inside the transaction."""
    locked = (
        visible_events(actor)
        .select_for_update(of=("self",))
        .select_related("school_class__year")
        .filter(pk=event.pk)
        .first()
    )
    if locked is None:
        if event.school_id != actor.school_id:
            raise PermissionDenied(_("Событие другой школы."))
        raise PermissionDenied(_("События публикуют сотрудники школы."))
    return locked


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
    check_event_scope(actor, school_class)
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
    event = _locked(actor, event)
    check_event_scope(actor, event.school_class)
    if event.is_cancelled:
        raise ValidationError(_("Событие отменено: его нельзя изменить."))
    check_event_scope(actor, school_class)
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
    event = _locked(actor, event)
    check_event_scope(actor, event.school_class)
    if not event.is_cancelled:
        event.is_cancelled = True
        event.save(update_fields=["is_cancelled", "updated_at"])
    return event
