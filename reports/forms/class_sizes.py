from ..access import ReportScope
from .base import ReportForm


class ClassSizesForm(ReportForm):
    filters = ("year", "on_date", "grade")

    def __init__(self, data=None, *, scope: ReportScope, **kwargs):
        super().__init__(data, scope=scope, **kwargs)
        self.fields["on_date"].help_text = "по умолчанию — сегодня (или последний день года)"
