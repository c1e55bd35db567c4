"""The filters of the class teacher's period report: a class (one the user leads, or any for the administration)
and a study period or the year."""

from django.utils.translation import gettext_lazy as _

from ..access import ReportScope
from .results import PeriodReportForm


class ClassTeacherReportForm(PeriodReportForm):
    filters = ("year", "period", "school_class")
    class_by_default = True

    def __init__(self, data=None, *, scope: ReportScope, **kwargs):
        super().__init__(data, scope=scope, **kwargs)
        self.fields["school_class"].help_text = _("по умолчанию — ваш класс (первый из доступных)")

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("school_class") is None:
            data["school_class"] = self._first_class_of_year(data.get("year"))
        return data
