"""The filters of «Итоговые данные по обучающимся»: the year and a class, or a grade, or (no choice) every class the
user reports on — the whole school for the administration, their own classes for a class teacher."""

from django.utils.translation import gettext_lazy as _

from ..access import ReportScope
from .base import ReportForm


class FinalDataForm(ReportForm):
    filters = ("year", "school_class", "grade")

    def __init__(self, data=None, *, scope: ReportScope, **kwargs):
        super().__init__(data, scope=scope, **kwargs)
        self.fields["school_class"].empty_label = _("— все классы —")
        self.fields["school_class"].help_text = _("или выберите параллель; без выбора — все ваши классы")

    def clean(self):
        data = super().clean()
        school_class, grade = data.get("school_class"), data.get("grade")
        if school_class is not None and grade and school_class.grade != grade:
            self.add_error(
                "grade", _("Класс %(cls)s — не из %(grade)s-й параллели.") % {"cls": school_class, "grade": grade}
            )
        return data
