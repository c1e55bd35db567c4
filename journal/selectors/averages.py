"""The arithmetic behind period marks: the weighted average, the minimum number of marks, the forecast.

Pure functions (no queries) so the grid, the period marks page and the diary compute the same numbers.
"""

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Decimal

# Values that are marks but not numbers: pass/fail marks never enter an average.
NUMERIC_VALUES = {"1", "2", "3", "4", "5"}
_CENT = Decimal("0.01")


def weighted_average(marks: Iterable[tuple[str, Decimal]]) -> Decimal | None:
    """The weighted average of (value, weight) pairs, rounded half-up to 2 places; None when no numeric mark.

    Cleared marks (""), зачёт/незачёт and non-positive weights are ignored.
    """
    total = Decimal(0)
    weights = Decimal(0)
    for value, weight in marks:
        if value not in NUMERIC_VALUES:
            continue
        weight = Decimal(weight)
        if weight <= 0:
            continue
        total += int(value) * weight
        weights += weight
    if not weights:
        return None
    return (total / weights).quantize(_CENT, rounding=ROUND_HALF_UP)


def weight_scale(weights: Iterable[Decimal]) -> int:
    """The power of ten that makes every weight a whole number (10 for the tenths of WorkType.weight)."""
    places = max((-weight.as_tuple().exponent for weight in weights if weight.is_finite()), default=0)
    return 10 ** max(places, 0)


def average_of_sums(total: int, weights: int) -> Decimal | None:
    """weighted_average from its two sums in whole units (Σ value × weight and Σ weight, the weights multiplied by
    weight_scale): the same quotient, so the same rounded average, without a Decimal operation per mark."""
    if weights <= 0:
        return None
    return (Decimal(total) / Decimal(weights)).quantize(_CENT, rounding=ROUND_HALF_UP)


def period_mark_minimum(hours_per_week) -> int:
    """How many current marks a pupil needs for a period mark: 3 at up to 2 hours a week, 4 above."""
    return 3 if Decimal(hours_per_week or 0) <= 2 else 4


def forecast(average: Decimal | None) -> str:
    """The period mark the average points to (standard rounding); "" when there is no average."""
    if average is None:
        return ""
    if average >= Decimal("4.5"):
        return "5"
    if average >= Decimal("3.5"):
        return "4"
    if average >= Decimal("2.5"):
        return "3"
    return "2"
