"""Helpers for the few hot reads written in plain SQL (the journal grid, the diary).

On this machine the ORM took 2–5 ms to build each of those queries (subqueries, joins, annotations) while SQLite
answered in 0.05–0.25 ms. The SQL stays plain enough for SQLite and PostgreSQL alike; table names come from the
models' metadata and values are always parameters.
"""

import datetime as dt

from django.db import connection
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
