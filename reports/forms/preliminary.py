"""The filters of «Предварительный отчёт»: a study period, a class (or, for the administration, a grade or the whole
school) and the date the forecast is made on."""

import datetime as dt

from crispy_forms.layout import Column, Layout, Row
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from journal.models import SchoolClass, SchoolYear, StudyPeriod

from ..access import ReportScope
from .base import YEAR_RESULT, ReportForm


def running_period(
    year: SchoolYear | None, today: dt.date, periods: list[StudyPeriod] | None = None
) -> StudyPeriod | None:
    """The period a forecast is made for by default: the running quarter (or another scheme's running period),
    else the next one to come, else the last. ``periods``: the year's, when the caller has read them."""
    if year is None:
        return None
    if periods is None:
        periods = list(StudyPeriod.objects.filter(year=year))
    periods = sorted(periods, key=lambda p: (p.kind != "quarter", p.start_date))
    running = [p for p in periods if p.start_date <= today <= p.end_date]
    coming = sorted((p for p in periods if p.start_date > today), key=lambda p: p.start_date)
    finished = sorted((p for p in periods if p.end_date < today), key=lambda p: p.end_date)
    if running:
        return running[0]
    if coming:
        return coming[0]
    return finished[-1] if finished else None


def forecast_classes(scope: ReportScope, year: SchoolYear | None):
    """The year's classes with an assignment the scope reports on (a subject teacher: their own classes)."""
    if year is None:
        return SchoolClass.objects.none()
    return SchoolClass.objects.filter(
        year=year, pk__in=scope.assignments.filter(year=year).values("school_class_id")
    ).order_by("grade", "letter")


class PreliminaryForm(ReportForm):
    filters = ("year", "period", "school_class", "grade", "on_date")

    @property
    def class_by_default(self) -> bool:  # the administration without a class: the whole school (or a grade)
        return not self.scope.management

    def __init__(self, data=None, *, scope: ReportScope, **kwargs):
        super().__init__(data, scope=scope, **kwargs)
        year = self._chosen_year(self.fields["year"].queryset)
        self.fields["period"].choices = [("", _("текущий"))] + [
            choice for choice in self.fields["period"].choices if choice[0] != YEAR_RESULT
        ]
        self.fields["period"].help_text = _("для 10–11 классов с полугодиями — полугодие, в котором он кончается")
        self.fields["school_class"].queryset = forecast_classes(scope, year)
        if scope.management:
            self.fields["school_class"].empty_label = _("все классы")
        else:
            del self.fields["grade"]
            self.helper.layout = Layout(
                Row(*(Column(name, css_class="col-sm-6 col-md-4 col-lg-3") for name in self.fields))
            )
            self.fields["school_class"].help_text = _("по умолчанию — первый доступный класс")
        self.fields["on_date"].label = _("Прогноз на дату")
        self.fields["on_date"].help_text = _("по умолчанию — сегодня (в пределах периода)")

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        year = data.get("year")
        raw = data.get("period")
        periods = self.year_periods(year)
        period = next((p for p in periods if str(p.pk) == raw), None) if raw and year else None
        if raw and period is None:
            self.add_error("period", _("Выберите учебный период этого года."))
            return data
        data["study_period"] = period or running_period(year, timezone.localdate(), periods)
        if year is None:  # a school with no year yet: an empty report
            return data
        if data["study_period"] is None:
            self.add_error("period", _("В этом учебном году не заданы учебные периоды."))
        if not self.scope.management and data.get("school_class") is None:
            data["school_class"] = self.first_class()
            if data["school_class"] is None:
                self.add_error("school_class", _("Нет классов, по которым вы можете строить отчёт в этом году."))
        return data
