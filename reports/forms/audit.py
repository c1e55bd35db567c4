"""The control page's filters: the dates audited — a month (the current one by default), a study period (or the whole
year), or two dates — and, for the administration, a class (a class teacher's page is always their class).

The dates win over the period, the period over the month. ``cleaned_data`` gets ``start``, ``end`` and ``dates_label``.
Bad values are form errors in Russian (the page answers 400), never a 500.
"""

import calendar
import datetime as dt

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from journal.lock import school_today

from .base import YEAR_RESULT, ReportForm

MONTHS = (
    "январь", "февраль", "март", "апрель", "май", "июнь",
    "июль", "август", "сентябрь", "октябрь", "ноябрь", "декабрь",
)  # fmt: skip


def _months(start: dt.date, end: dt.date) -> list[tuple[str, str]]:
    months, day = [], start.replace(day=1)
    while day <= end:
        months.append((f"{day:%Y-%m}", f"{MONTHS[day.month - 1]} {day.year}"))
        day = (day + dt.timedelta(days=32)).replace(day=1)
    return months


class AuditForm(ReportForm):
    filters = ("year", "month", "period", "date_from", "date_to", "school_class")

    month = forms.ChoiceField(label=gettext_lazy("Месяц"), required=False)

    def __init__(self, data=None, *, scope, **kwargs):
        super().__init__(data, scope=scope, **kwargs)
        self.today = school_today(scope.school)
        self.class_by_default = not scope.management  # a class teacher's page is their class's
        year = self._chosen_year(self.fields["year"].queryset)
        self.year_chosen = year
        if year is not None:
            first, last = year.start_date, year.end_date
        else:  # a school without a year yet: the months of the school year around today (the page is empty)
            first = dt.date(self.today.year if self.today.month >= 9 else self.today.year - 1, 9, 1)
            last = first.replace(year=first.year + 1, month=8, day=31)
        self.fields["month"].choices = [("", _("— не выбран —")), *_months(first, last)]
        self.fields["period"].choices = [("", _("— не выбран —")), *self.fields["period"].choices]
        if scope.management:
            self.fields["school_class"].empty_label = _("вся школа")
        else:
            self.fields["school_class"].empty_label = None

    def default_data(self) -> dict[str, str]:
        data = super().default_data()
        chosen = any(self.data.get(name) for name in ("month", "period", "date_from", "date_to"))
        if not chosen:
            year = self.year_chosen
            month = f"{self.today:%Y-%m}"
            if year is not None and not (year.start_date <= self.today <= year.end_date):
                month = f"{year.start_date:%Y-%m}"  # a year not under way: its first month
            if month in dict(self.fields["month"].choices):
                data["month"] = month
        return data

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        year = data.get("year")
        if not self.scope.management and data.get("school_class") is None:
            self.add_error("school_class", _("Выберите класс."))
            return data
        start, end = data.get("date_from"), data.get("date_to")
        if start or end:
            if not (start and end):
                self.add_error("date_to" if start else "date_from", _("Укажите обе даты проверки."))
                return data
            label = _("с %(start)s по %(end)s") % {"start": f"{start:%d.%m.%Y}", "end": f"{end:%d.%m.%Y}"}
        elif data.get("period"):
            if year is None:
                self.add_error("period", _("В школе нет учебного года."))
                return data
            if data["period"] == YEAR_RESULT:
                start, end, label = year.start_date, year.end_date, _("учебный год %(year)s") % {"year": year.name}
            else:
                period = next((p for p in self.year_periods(year) if str(p.pk) == data["period"]), None)
                if period is None:
                    self.add_error("period", _("Выберите период из списка."))
                    return data
                start, end, label = period.start_date, period.end_date, str(period)
        elif data.get("month"):
            first = dt.date.fromisoformat(f"{data['month']}-01")
            start = first
            end = first.replace(day=calendar.monthrange(first.year, first.month)[1])
            label = f"{MONTHS[first.month - 1]} {first.year}"
        else:
            self.add_error("month", _("Выберите месяц, период или даты проверки."))
            return data
        data.update(start=start, end=end, dates_label=label)
        return data
