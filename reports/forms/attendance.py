"""Filters of the attendance reports: the year, a study period (or the whole year) or dates, a class."""

from django.utils.translation import gettext_lazy as _

from journal.dates import safe_id
from journal.models import StudyPeriod

from ..access import ReportScope
from .base import YEAR_RESULT, ReportForm


class AttendanceForm(ReportForm):
    filters = ("year", "period", "school_class", "date_from", "date_to")
    class_by_default = True
    class_help = _("по умолчанию — первый из ваших классов")

    def __init__(self, data=None, *, scope: ReportScope, **kwargs):
        super().__init__(data, scope=scope, **kwargs)
        self.fields["period"].initial = YEAR_RESULT
        self.fields["school_class"].help_text = self.class_help
        self.fields["date_from"].help_text = _("даты — вместо периода")

    def default_period(self, year) -> str | None:
        return YEAR_RESULT

    def clean_period(self):
        raw = self.cleaned_data.get("period")
        if raw in (None, "", YEAR_RESULT):
            return YEAR_RESULT
        pk = safe_id(raw)
        # The chosen year's periods are read for the select; a period of another year is looked up (and refused
        # in ``clean`` with its own message).
        year = self._chosen_year(self.fields["year"].queryset) if "year" in self.fields else self.default_year
        period = next((p for p in self.year_periods(year) if p.pk == pk), None)
        if period is None and pk is not None:
            period = StudyPeriod.objects.filter(pk=pk).first()
        if period is None:
            raise self.fields["period"].error_class([_("Выберите период из списка.")])
        return period

    def clean(self):
        data = super().clean()
        year = data.get("year")
        period = data.get("period")
        if year is not None and isinstance(period, StudyPeriod) and period.year_id != year.pk:
            self.add_error("period", _("Период не из выбранного учебного года."))
        school_class = data.get("school_class")
        if year is not None and school_class is not None and school_class.year_id != year.pk:
            self.add_error("school_class", _("Класс не из выбранного учебного года."))
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if year is not None and day is not None and not (year.start_date <= day <= year.end_date):
                self.add_error(name, _("Дата вне учебного года %(year)s.") % {"year": year.name})
        return data


class AttendanceMonthsForm(AttendanceForm):
    class_help = _("администрации без класса — вся школа, по классам")

    @property
    def class_by_default(self) -> bool:  # the administration without a class: the whole school
        return not self.scope.management
