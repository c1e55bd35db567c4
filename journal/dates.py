"""Ids, integers and dates typed by users or carried in URLs: parsed here once, never a 500.

A value from a URL, a query string or a form is text of any length in any script: ``str.isdigit()`` says yes to
«²», ``int()`` reads «٣» and «１２», and a number past the database's 64-bit integers overflows SQLite. Here a number
is ASCII digits within the database's range, and a date is a day that exists in the years a school could mean.
"""

import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MAX_ID = 2**63 - 1  # a BigAutoField; a longer number is no id (and would overflow SQLite)
MIN_INT = -(2**63)
INTEGER = re.compile(r"-?[0-9]{1,19}")  # ASCII digits only; 19 of them hold every 64-bit integer

# The dates users give: ДД.ММ.ГГГГ as typed, ГГГГ-ММ-ДД as a date input sends it.
DAY_FIRST = re.compile(r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})")
ISO = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")
# Years a school could mean: outside them a date is a typo, and a week or a day beyond 9999 overflows Python's dates.
EARLIEST_DATE, LATEST_DATE = dt.date(1900, 1, 1), dt.date(2999, 12, 31)

DATE_FORMAT_ERROR = _("Введите правильную дату.")
DATE_MISSING_ERROR = _("Такой даты нет: %(value)s.")
DATE_RANGE_ERROR = _("Дата %(value)s вне допустимых пределов (1900–2999 годы).")


def safe_int(value: object, *, minimum: int = MIN_INT, maximum: int = MAX_ID) -> int | None:
    """An integer from a URL, query or form value: an optional minus and ASCII digits, within ``minimum`` and
    ``maximum`` (by default the database's 64-bit integers); None for a missing, malformed or out-of-range one."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        number = value
    else:
        text = str(value).strip()
        if not INTEGER.fullmatch(text):
            return None
        number = int(text)
    return number if minimum <= number <= maximum else None


def safe_id(value: object) -> int | None:
    """A positive id from a query or form value; None for a missing, malformed or out-of-range one."""
    return safe_int(value, minimum=1)


def parse_date(value: str) -> dt.date:
    """A date typed by a user (ДД.ММ.ГГГГ) or sent by a date input (ГГГГ-ММ-ДД).

    Raises ``ValidationError`` with the reason in Russian: not a date at all (also a 13th month), a day that does
    not exist («Такой даты нет: 31.02.2013»), or a year outside 1900–2999.
    """
    text = value.strip()
    if match := DAY_FIRST.fullmatch(text):
        day, month, year = (int(group) for group in match.groups())
    elif match := ISO.fullmatch(text):
        year, month, day = (int(group) for group in match.groups())
    else:
        raise ValidationError(DATE_FORMAT_ERROR, code="invalid")
    if not (1 <= month <= 12 and 1 <= day <= 31):
        raise ValidationError(DATE_FORMAT_ERROR, code="invalid")
    try:
        date = dt.date(year, month, day)
    except ValueError:  # 31.02, 29.02 of a common year, 31.04: the day does not exist
        raise ValidationError(DATE_MISSING_ERROR, code="missing", params={"value": text}) from None
    if not EARLIEST_DATE <= date <= LATEST_DATE:
        raise ValidationError(DATE_RANGE_ERROR, code="out_of_range", params={"value": f"{day:02}.{month:02}.{year:04}"})
    return date


def safe_date(value: str | None) -> dt.date | None:
    """A date from a query or form value; None for a missing, malformed or impossible one (never a 500)."""
    try:
        return parse_date(value or "")
    except ValidationError:
        return None


class IdConverter:
    """The ``<id:…>`` path converter: an id of ASCII digits within the database's range, else no match (a 404).

    Django's ``<int:…>`` lets any run of digits through, and twenty of them overflow SQLite in the view's query.
    Registered in ``journal.apps``; every URL of the apps takes its ids with it.
    """

    regex = "[0-9]+"

    def to_python(self, value: str) -> int:
        number = safe_id(value)
        if number is None:
            raise ValueError(value)  # the resolver reads it as "this URL does not match"
        return number

    def to_url(self, value: int) -> str:
        return str(value)
