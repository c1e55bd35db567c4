"""The filters of «Итоги успеваемости»: a class and a period (one class), or a period and a grade (the school)."""

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from journal.models import SchoolClass, SchoolYear, StudyPeriod

from ..access import ReportScope
from .base import YEAR_RESULT, ReportForm


def default_period_value(
    year: SchoolYear | None, today: dt.date | None = None, periods: list[StudyPeriod] | None = None
) -> str:
    """The period a report opens on: the last finished quarter (or another scheme's period when the year has no
    quarters), else the running one, else the first; the year when it has no periods. ``periods``: the year's,
    when the caller has read them."""
    if year is None:
        return YEAR_RESULT
    today = today or timezone.localdate()
    if periods is None:
        periods = list(StudyPeriod.objects.filter(year=year))
    periods = sorted(periods, key=lambda p: (p.end_date, p.kind))
    if not periods:
        return YEAR_RESULT
    kinds = [p.kind for p in periods]
    kind = "quarter" if "quarter" in kinds else kinds[0]
    own = [p for p in periods if p.kind == kind]
    finished = [p for p in own if p.end_date < today]
    if finished:
        return str(finished[-1].pk)
    running = next((p for p in own if p.start_date <= today <= p.end_date), None)
    return str((running or own[0]).pk)


class PeriodReportForm(ReportForm):
    """A report for a period or the year: an empty «period» becomes the default one."""

    filters = ("year", "period")

    def _first_class_of_year(self, year: SchoolYear | None) -> SchoolClass | None:
        """The first class of the select, with its year (every class listed is of the chosen year)."""
        first = self.first_class()
        if first is not None and year is not None and first.year_id == year.pk:
            first.year = year
        return first

    def default_period(self, year: SchoolYear | None) -> str | None:
        return default_period_value(year, periods=self.year_periods(year))

    def clean(self):
        data = super().clean()
        if "period" in self.fields and not data.get("period"):
            year = data.get("year")
            data["period"] = default_period_value(year, periods=self.year_periods(year))
        return data


def reported_classes(scope: ReportScope, year: SchoolYear | None):
    """The year's classes the scope reports on: whole classes, and the classes of the user's own assignments."""
    if year is None:
        return SchoolClass.objects.none()
    assignment_classes = scope.assignments.filter(year=year).values("school_class_id")
    return (
        SchoolClass.objects.filter(year=year)
        .filter(Q(pk__in=scope.classes.values("pk")) | Q(pk__in=assignment_classes))
        .order_by("grade", "letter")
    )


class ResultsForm(PeriodReportForm):
    filters = ("year", "period", "school_class")
    class_by_default = True

    def __init__(self, data=None, *, scope: ReportScope, **kwargs):
        super().__init__(data, scope=scope, **kwargs)
        self.fields["school_class"].queryset = reported_classes(scope, self._chosen_year(self.fields["year"].queryset))
        self.fields["school_class"].help_text = _("по умолчанию — первый доступный класс")

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("school_class") is None:
            data["school_class"] = self._first_class_of_year(data.get("year"))
        return data


class SchoolResultsForm(PeriodReportForm):
    filters = ("year", "period", "grade")
