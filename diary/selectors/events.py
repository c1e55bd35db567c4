"""Reads on events and announcements: the staff list with filters, a pupil's events, the rows the lists print.

The staff list builds on ``diary.access.visible_events`` (who may publish and change events is there too).
``pupil_events`` is public: the diary's week page shows the events of its week with it (one query); it answers for a
pupil the caller may see (``journal.access.pupil_for_user``).
"""

import datetime as dt
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db import connection
from django.db.models import BooleanField, DateField, DateTimeField, Q, QuerySet, TimeField
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.models import PupilProfile, User
from journal.models import Enrollment, SchoolClass
from journal.selectors.sql import as_date, as_datetime, as_time, fetch, light, sql_date, table

from ..access import visible_events
from ..models import Event

EVENTS_PER_PAGE = 50


@dataclass
class EventFilter:
    school_class: SchoolClass | None = None
    whole_school: bool = False  # only the events for the whole school
    kind: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    with_cancelled: bool = True


def _overlapping(start: dt.date | None, end: dt.date | None) -> Q:
    """Events that run on some day of [start, end] (an event without ``ends_on`` lasts one day)."""
    q = Q()
    if end is not None:
        q &= Q(starts_on__lte=end)
    if start is not None:
        q &= Q(last_day__gte=start)
    return q


def _with_last_day(events: QuerySet[Event]) -> QuerySet[Event]:
    return events.annotate(last_day=Coalesce("ends_on", "starts_on"))


def school_events(user: User, filters: EventFilter) -> QuerySet[Event]:
    """The staff list: the events the user sees (``diary.access.visible_events``: their school's) by date, with the
    class and the author."""
    events = _with_last_day(visible_events(user)).filter(_overlapping(filters.date_from, filters.date_to))
    if filters.school_class is not None:
        events = events.filter(school_class=filters.school_class)
    elif filters.whole_school:
        events = events.filter(school_class__isnull=True)
    if filters.kind:
        events = events.filter(kind=filters.kind)
    if not filters.with_cancelled:
        events = events.filter(is_cancelled=False)
    return events.select_related("school_class", "created_by").order_by("starts_on", "starts_at", "pk")


def school_events_page(user: User, filters: EventFilter, page_number: str | int | None) -> Page:
    return Paginator(school_events(user, filters), EVENTS_PER_PAGE).get_page(page_number)


def pupil_events(pupil: PupilProfile, start: dt.date, end: dt.date) -> list[Event]:
    """The events of the pupil's school, and of their classes on the days they belonged to them, that run on a day
    between ``start`` and ``end``; cancelled ones included (shown struck through). One query, plain SQL (the week
    page reads it on every load; journal.selectors.sql says why).

    Each event has ``school_class`` loaded (None for the whole school) and ``last_day`` (its last date).
    """
    if PupilProfile.user.is_cached(pupil):
        school, school_params = "%s", [pupil.user.school_id]
    else:
        school, school_params = f"(SELECT u.school_id FROM {table(User)} u WHERE u.id = %s)", [pupil.user_id]
    event_fields, class_fields = Event._meta.concrete_fields, SchoolClass._meta.concrete_fields
    columns = [f"e.{connection.ops.quote_name(f.column)}" for f in event_fields]
    columns += [f"c.{connection.ops.quote_name(f.column)}" for f in class_fields]
    rows = fetch(
        f"SELECT {', '.join(columns)} FROM {table(Event)} e LEFT JOIN {table(SchoolClass)} c ON c.id = e.school_class_id"
        f" WHERE e.school_id = {school} AND e.starts_on <= %s AND COALESCE(e.ends_on, e.starts_on) >= %s"
        f" AND (e.school_class_id IS NULL OR EXISTS (SELECT 1 FROM {table(Enrollment)} n WHERE n.pupil_id = %s"
        " AND n.school_class_id = e.school_class_id AND n.date_from <= COALESCE(e.ends_on, e.starts_on)"
        " AND (n.date_to IS NULL OR n.date_to >= e.starts_on)))"
        " ORDER BY e.starts_on, e.starts_at, e.id",
        [*school_params, sql_date(end), sql_date(start), pupil.pk],
    )
    events = []
    split = len(event_fields)
    for row in rows:
        values = {f.attname: _python(f, value) for f, value in zip(event_fields, row[:split], strict=True)}
        school_class = None
        if values["school_class_id"] is not None:
            school_class = light(
                SchoolClass, **{f.attname: _python(f, v) for f, v in zip(class_fields, row[split:], strict=True)}
            )
        event = light(Event, **values, school_class=school_class)
        event.last_day = event.ends_on or event.starts_on
        events.append(event)
    return events


def _python(field, value):
    """A column read by plain SQL as the model holds it (SQLite gives booleans as 0/1 and some dates as text)."""
    if value is None:
        return None
    if isinstance(field, BooleanField):
        return bool(value)
    if isinstance(field, DateTimeField):
        return as_datetime(value)
    if isinstance(field, DateField):
        return as_date(value)
    if isinstance(field, TimeField):
        return as_time(value)
    return value


@dataclass
class EventRow:
    """An event as a list shows it, its texts prepared here: the template only prints them (a long list stays fast)."""

    event: Event
    day: str  # «17»
    month: str  # «ноя»
    meta: str  # «7 «А» класс · 26.11.2026, 18:30 · кабинет 214»
    cancelled: bool
    current: bool  # running today
    edit_url: str = ""
    cancel_url: str = ""


MONTHS = ["", "янв", "фев", "мар", "апр", "мая", "июн", "июл", "авг", "сен", "окт", "ноя", "дек"]


def event_rows(
    events: list[Event], today: dt.date, *, editable: set[int] = frozenset(), with_dates: bool = True
) -> list[EventRow]:
    rows = []
    whole_school, class_word = _("вся школа"), _("класс")
    for event in events:
        parts = [f"{event.school_class} {class_word}" if event.school_class_id else whole_school]
        when = f"{event.starts_on:%d.%m.%Y}" if with_dates else ""
        if event.ends_on:
            when = f"{when}–{event.ends_on:%d.%m.%Y}" if with_dates else _("до %(d)s") % {"d": f"{event.ends_on:%d.%m}"}
        if event.starts_at:
            when = f"{when}, {event.starts_at:%H:%M}" if when else f"{event.starts_at:%H:%M}"
        parts += [part for part in (when, event.place) if part]
        if with_dates and Event.created_by.is_cached(event):
            parts.append(event.created_by.short_name)
        last_day = event.ends_on or event.starts_on
        row = EventRow(
            event=event,
            day=str(event.starts_on.day),
            month=MONTHS[event.starts_on.month] + (f" {event.starts_on.year}" if with_dates else ""),
            meta=" · ".join(parts),
            cancelled=event.is_cancelled,
            current=event.starts_on <= today <= last_day,
        )
        if event.pk in editable:
            row.edit_url = reverse("diary:event_edit", args=[event.pk])
            row.cancel_url = reverse("diary:event_cancel", args=[event.pk])
        rows.append(row)
    return rows


@dataclass
class PupilEventsPage:
    upcoming: list[EventRow]  # today and later (and those still running), soonest first
    recent: list[EventRow]  # ended before today, latest first


RECENT_DAYS = 30
UPCOMING_DAYS = 120


def pupil_events_page(pupil: PupilProfile, today: dt.date) -> PupilEventsPage:
    events = pupil_events(pupil, today - dt.timedelta(days=RECENT_DAYS), today + dt.timedelta(days=UPCOMING_DAYS))
    upcoming = [event for event in events if event.last_day >= today]
    recent = [event for event in reversed(events) if event.last_day < today]
    return PupilEventsPage(
        upcoming=event_rows(upcoming, today, with_dates=False), recent=event_rows(recent, today, with_dates=False)
    )
