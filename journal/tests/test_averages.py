import random
from decimal import Decimal

import pytest

from journal.selectors.averages import forecast, period_mark_minimum, weighted_average
from journal.selectors.grid import MarkScores, pupil_stats, scored_stats


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


def test_the_grids_integer_sums_give_weighted_averages_figures():
    """The grid sums each pupil's marks in whole units (journal.selectors.grid.MarkScores): the same average, count,
    forecast and «enough» as pupil_stats over the marks with their weights, for weights in tenths, a kind without
    a weight, pass/fail marks and a weight of 0."""
    weights = {
        1: Decimal("1"),
        2: Decimal("1.5"),
        3: Decimal("0.3"),
        4: Decimal("2.5"),
        5: Decimal("0"),
        6: Decimal("10.0"),
    }
    rng = random.Random(14)
    scores = MarkScores(weights)
    for _ in range(500):
        marks = [
            (rng.choice(["1", "2", "3", "4", "5", "5", "4", "зч", "нз"]), rng.choice([1, 2, 3, 4, 5, 6, None]))
            for _ in range(rng.randrange(0, 12))
        ]
        expected = pupil_stats([(value, weights.get(kind, Decimal(1))) for value, kind in marks], 4)
        assert scored_stats(marks, scores, 4) == expected, marks
    assert scored_stats([("4", 1), ("5", 1)], scores, 2).average == Decimal("4.50")  # half up, as weighted_average
    assert scored_stats([("5", 3), ("2", 2)], scores, 2).average == Decimal("2.50")  # (1.5 + 3) / 1.8
