import datetime as dt

import pytest

from journal.dates import MAX_ID, IdConverter, safe_date, safe_id, safe_int


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


@pytest.mark.parametrize(
    "value, bounds, expected",
    [
        ("-7", {}, -7),
        (str(-(2**63)), {}, -(2**63)),
        (str(2**63), {}, None),
        ("１２", {}, None),  # full-width digits: int() reads them as 12
        ("²", {}, None),  # str.isdigit() says yes, int() says no
        ("5", {"minimum": 1, "maximum": 11}, 5),
        ("12", {"minimum": 1, "maximum": 11}, None),
        (0, {}, 0),
        (True, {}, None),
        ("1" * 2**20, {}, None),
    ],
)
def test_safe_int(value, bounds, expected):
    assert safe_int(value, **bounds) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("23.11.2026", dt.date(2026, 11, 23)),
        ("31.02.2013", None),  # no such day
        ("9999-12-31", None),  # outside the years a school could mean: a week later overflows
        ("0001-01-01", None),
        ("٢٠٢٦-١١-٢٣", None),  # Arabic-Indic digits
    ],
)
def test_safe_date_more(value, expected):
    assert safe_date(value) == expected


def test_the_id_converter_refuses_what_the_database_cannot_hold():
    converter = IdConverter()
    assert converter.to_python("42") == 42
    for value in ("0", str(MAX_ID + 1), "9" * 20):
        with pytest.raises(ValueError):
            converter.to_python(value)
