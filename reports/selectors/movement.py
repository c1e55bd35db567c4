"""Движение учащихся as a report: journal's movement_report (2 queries) for the year and date chosen."""

from dataclasses import dataclass

from django.utils import timezone

from journal.selectors.closing import MovementReport, movement_report

from ..access import ReportScope


@dataclass
class Movement:
    report: MovementReport | None


def movement(scope: ReportScope, data: dict, *, progress=None) -> Movement:
    year = data.get("year")
    if year is None:
        return Movement(report=None)
    return Movement(report=movement_report(year, data.get("on_date") or timezone.localdate()))
