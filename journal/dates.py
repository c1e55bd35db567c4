"""Dates and ids typed by users or carried in URLs: parsed here once, never a 500."""

import datetime as dt

from django.utils.dateparse import parse_date

MAX_ID = 2**63 - 1  # a BigAutoField; a longer number is no id (and would overflow SQLite)


def safe_date(value: str | None) -> dt.date | None:
    """A date from a query or form value; None for a missing or malformed one (never a 500)."""
    try:
        return parse_date(value or "")
    except ValueError:
        return None


def safe_id(value: object) -> int | None:
    """A positive id from a query or form value; None for a missing, malformed or out-of-range one."""
    text = str(value or "").strip()
    if not text.isdecimal() or not text.isascii():
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None
