"""Helpers for the few hot reads written in plain SQL (the journal grid, the diary).

On this machine the ORM took 2–5 ms to build each of those queries (subqueries, joins, annotations) while SQLite
answered in 0.05–0.25 ms. The SQL stays plain enough for SQLite and PostgreSQL alike; table names come from the
models' metadata and values are always parameters.
"""

import datetime as dt

from django.db import connection
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.dateparse import parse_datetime


def table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def fetch(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def sql_date(value: dt.date) -> object:
    return connection.ops.adapt_datefield_value(value)


def placeholders(values) -> str:
    return ", ".join(["%s"] * len(values))


def as_date(value) -> dt.date | None:
    """A date column as a date (SQLite returns text where it cannot see the column's type)."""
    if value is None or isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(value)


def as_time(value) -> dt.time | None:
    if value is None or isinstance(value, dt.time):
        return value
    return dt.time.fromisoformat(value)


def as_datetime(value) -> dt.datetime | None:
    """An aggregated datetime as an aware datetime (SQLite returns its UTC text)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    parsed = parse_datetime(value)
    return timezone.make_aware(parsed, dt.UTC) if timezone.is_naive(parsed) else parsed


_DEFAULTS: dict[type, dict] = {}


def light(model: type, **values):
    """An unsaved model instance for display, as ``model(**values)`` gives, built without Model.__init__.

    The grid builds some 150 instances a page (pupils, their users, lessons) from plain rows, and Model.__init__
    spent about 20 µs on each working out every field's default. Here each model's defaults are worked out once per
    process and copied: every field is set (nothing is deferred, so reading one never queries), and a callable
    default (a user's date_joined) keeps the value of its first call. ``values`` are field names or attnames; a
    related object given by its field name is cached as select_related would.
    """
    defaults = _DEFAULTS.get(model)
    if defaults is None:
        defaults = _DEFAULTS[model] = {field.attname: field.get_default() for field in model._meta.concrete_fields}
    instance = model.__new__(model)
    instance._state = ModelState()
    state = instance.__dict__
    state.update(defaults)
    for name, value in values.items():
        if name == "pk":
            name = model._meta.pk.attname
        field = model._meta._forward_fields_map.get(name)
        if field is not None and field.is_relation and field.concrete and name == field.name:
            state[field.attname] = None if value is None else value.pk
            field.set_cached_value(instance, value)
        else:
            state[name] = value
    return instance
