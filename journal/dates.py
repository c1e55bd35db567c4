"""Dates typed by users or carried in URLs."""

import datetime as dt

from django.utils.dateparse import parse_date


def safe_date(value: str | None) -> dt.date | None:
    """A date from a query or form value; None for a missing or malformed one (never a 500)."""
    try:
        return parse_date(value or "")
    except ValueError:
        return None
