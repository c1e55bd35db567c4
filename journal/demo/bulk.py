"""Fast bulk inserts for the demo's largest tables (marks, absences, homework and their history rows).

``bulk_create`` spends most of its time compiling: a model instance per row, then every field's value prepared
through the query compiler. For the hundreds of thousands of rows of the demo's two school years that was most of
the seed. ``insert_rows`` writes the same rows with one ``executemany`` (``execute_values`` on PostgreSQL): the
primary keys are handed out here, in order, after the table's largest, and PostgreSQL's sequence is moved past
them afterwards. The values are the instances' own: no ``auto_now`` stamping, no signals — as the demo's
``bulk_create`` calls already wrote them (``journal.demo.journal._own_timestamps`` let auto_now keep them). Only for the demo seed, which
runs alone on its database inside one transaction.
"""

import datetime as dt
from collections.abc import Sequence

from django.core.management.color import no_style
from django.db import connection, models
from django.db.models import Max

REINDEX_FROM = 20_000  # rows


def _sqlite_datetime(value: dt.datetime) -> str:
    """What Django's SQLite backend stores for an aware datetime (UTC, naive, ``str``), without its per-value checks."""
    return str(value.astimezone(dt.UTC).replace(tzinfo=None)) if value.tzinfo is not None else str(value)


def _converter(field: models.Field):
    """How a field's Python value becomes a database parameter, decided once per field (not per row)."""
    ops = connection.ops
    internal = field.get_internal_type()
    if internal == "DateTimeField":
        return _sqlite_datetime if connection.vendor == "sqlite" else ops.adapt_datetimefield_value
    if internal == "DateField":
        return ops.adapt_datefield_value
    if internal == "TimeField":
        return ops.adapt_timefield_value
    if internal == "DecimalField":
        return lambda value: ops.adapt_decimalfield_value(value, field.max_digits, field.decimal_places)
    if internal in ("JSONField", "UUIDField"):
        return lambda value: field.get_db_prep_save(value, connection)
    return None


def insert_rows(model: type[models.Model], rows: Sequence[models.Model], *, batch_size: int = 5000) -> None:
    """INSERT ``rows`` (unsaved instances of ``model``) and give each its primary key."""
    if not rows:
        return
    meta = model._meta
    pk = meta.pk
    start = (model._base_manager.aggregate(top=Max(pk.attname))["top"] or 0) + 1
    for offset, row in enumerate(rows):
        setattr(row, pk.attname, start + offset)
    fields = list(meta.concrete_fields)
    converters = [(field.attname, _converter(field)) for field in fields]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(meta.db_table)

    def values(row: models.Model) -> tuple:
        out = []
        for attname, convert in converters:
            value = getattr(row, attname)
            out.append(convert(value) if convert is not None and value is not None else value)
        return tuple(out)

    with connection.cursor() as cursor:
        # SQLite builds an index from sorted keys far faster than it updates it row by row: for a big load, the
        # table's indexes are dropped and made again (inside the seed's transaction; uniqueness is checked then).
        indexes = []
        if connection.vendor == "sqlite" and len(rows) >= REINDEX_FROM:
            cursor.execute(
                "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                [meta.db_table],
            )
            indexes = cursor.fetchall()
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
        for first in range(0, len(rows), batch_size):
            batch = [values(row) for row in rows[first : first + batch_size]]
            if connection.vendor == "postgresql":
                from psycopg2.extras import execute_values

                execute_values(cursor.cursor, f"INSERT INTO {table} ({columns}) VALUES %s", batch, page_size=1000)
            else:
                placeholders = ", ".join(["%s"] * len(fields))
                cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({placeholders})", batch)
        for _name, sql in indexes:
            cursor.execute(sql)
        if connection.vendor == "postgresql":
            for statement in connection.ops.sequence_reset_sql(no_style(), [model]):
                cursor.execute(statement)
    for row in rows:
        row._state.adding = False
        row._state.db = connection.alias
