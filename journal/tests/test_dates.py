import datetime as dt

import pytest

from journal.dates import MAX_ID, safe_date, safe_id


@pytest.mark.parametrize(
    "value, expected",
    [("2026-11-23", dt.date(2026, 11, 23)), ("2026-13-45", None), ("garbage", None), ("", None), (None, None)],
)
def test_safe_date(value, expected):
    assert safe_date(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("42", 42),
        (" 42 ", 42),
        (7, 7),
        (str(MAX_ID), MAX_ID),
        (str(MAX_ID + 1), None),  # would overflow SQLite's INTEGER: no id, not a 500
        ("99999999999999999999", None),
        ("0", None),
        ("-3", None),
        ("1.5", None),
        ("٣", None),  # a non-ASCII digit
        ("abc", None),
        ("", None),
        (None, None),
    ],
)
def test_safe_id(value, expected):
    assert safe_id(value) == expected
