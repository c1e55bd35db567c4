"""Filters of the activity report: a week (the current one by default), a study period or dates."""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from journal.dates import safe_id
from journal.models import StudyPeriod

from ..access import ReportScope
from .base import ReportForm


class ActivityForm(ReportForm):
    filters = ("year", "period", "date_from", "date_to")

    def __init__(self, data=None, *, scope: ReportScope, **kwargs):
        super().__init__(data, scope=scope, **kwargs)
        # Only the study periods here: «учебный год» is a long range the dates give as well.
        self.fields["period"].choices = [("", _("текущая неделя"))] + [
            choice for choice in self.fields["period"].choices if safe_id(choice[0]) is not None
        ]
        self.fields["date_from"].help_text = _("даты — вместо периода")

    def clean_period(self):
        raw = self.cleaned_data.get("period")
        if not raw:
            return None
        pk = safe_id(raw)
        period = StudyPeriod.objects.filter(pk=pk).first() if pk is not None else None
        if period is None:
            raise self.fields["period"].error_class([_("Выберите период из списка.")])
        return period

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if self.errors:
            return data
        period = data.get("period")
        if start or end:
            today = timezone.localdate()
            start, end = start or (end or today) - dt.timedelta(days=6), end or max(start or today, today)
            if start > end:
                self.add_error("date_to", _("Дата окончания раньше даты начала."))
            elif end - start > dt.timedelta(days=400):
                self.add_error("date_from", _("Период отчёта — не больше года."))
        elif period is not None:
            start, end = period.start_date, period.end_date
        else:
            today = timezone.localdate()
            start = today - dt.timedelta(days=today.weekday())
            end = start + dt.timedelta(days=6)
        data["start"], data["end"] = start, end
        return data
