from decimal import Decimal

import pytest

from journal.selectors.averages import forecast, period_mark_minimum, weighted_average


def test_weighted_average_uses_weights():
    # (5*1 + 3*2) / 3 = 3.666… → 3.67
    assert weighted_average([("5", Decimal(1)), ("3", Decimal(2))]) == Decimal("3.67")


def test_weighted_average_ignores_cleared_and_pass_fail():
    marks = [("", Decimal(1)), ("зч", Decimal(1)), ("нз", Decimal(2)), ("4", Decimal("1.5"))]
    assert weighted_average(marks) == Decimal("4.00")


def test_weighted_average_none_without_numeric_marks():
    assert weighted_average([]) is None
    assert weighted_average([("зч", Decimal(1)), ("", Decimal(1))]) is None


def test_weighted_average_rounds_half_up():
    # (4 + 5) / 2 = 4.5; (2*1 + 3*1 + 3*1 + 3*1 + 5*1 + 5*1 + 4*1 + 4*1) / 8 = 3.625 → 3.63
    assert weighted_average([("4", 1), ("5", 1)]) == Decimal("4.50")
    values = ["2", "3", "3", "3", "5", "5", "4", "4"]
    assert weighted_average([(v, 1) for v in values]) == Decimal("3.63")


@pytest.mark.parametrize(("hours", "expected"), [(0, 3), (1, 3), (2, 3), (Decimal("2.0"), 3), (3, 4), (5, 4)])
def test_period_mark_minimum(hours, expected):
    assert period_mark_minimum(hours) == expected


@pytest.mark.parametrize(
    ("average", "expected"),
    [
        (None, ""),
        (Decimal("4.50"), "5"),
        (Decimal("4.49"), "4"),
        (Decimal("3.50"), "4"),
        (Decimal("3.49"), "3"),
        (Decimal("2.50"), "3"),
        (Decimal("2.49"), "2"),
        (Decimal("1.00"), "2"),
    ],
)
def test_forecast(average, expected):
    assert forecast(average) == expected
