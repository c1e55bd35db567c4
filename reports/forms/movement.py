from django.utils.translation import gettext_lazy as _

from ..access import ReportScope
from .base import ReportForm


class MovementForm(ReportForm):
    filters = ("year", "on_date")

    def __init__(self, data=None, *, scope: ReportScope, **kwargs):
        super().__init__(data, scope=scope, **kwargs)
        self.fields["on_date"].help_text = _("по умолчанию — сегодня (в пределах учебного года)")
