"""The filters of «Сравнение среднего балла и итоговой отметки»: the period, and optionally a class and a subject."""

from django.utils.translation import gettext_lazy as _

from ..access import ReportScope
from .results import PeriodReportForm, reported_classes


class DivergenceForm(PeriodReportForm):
    filters = ("year", "period", "school_class", "subject")

    def __init__(self, data=None, *, scope: ReportScope, **kwargs):
        super().__init__(data, scope=scope, **kwargs)
        self.fields["school_class"].queryset = reported_classes(scope, self._chosen_year(self.fields["year"].queryset))
        self.fields["school_class"].empty_label = _("все классы")
