"""The filters of the summary sheet (сводная ведомость учёта успеваемости): the year and a class, or — for the
administration — every class of the school at once (one workbook, a sheet per class, made in the background)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ..access import ReportScope
from .base import ReportForm

CLASS_SCOPE, SCHOOL_SCOPE = "class", "school"


class SummarySheetForm(ReportForm):
    filters = ("year", "school_class", "scope")

    scope = forms.ChoiceField(
        label=_("Охват"),
        required=False,
        choices=[(CLASS_SCOPE, _("выбранный класс")), (SCHOOL_SCOPE, _("все классы школы (файлом)"))],
    )

    def __init__(self, data=None, *, scope: ReportScope, **kwargs):
        if not scope.management:
            # Only the administration prints the whole school; a class teacher chooses among their classes.
            self.filters = ("year", "school_class")
        super().__init__(data, scope=scope, **kwargs)

    @property
    def class_by_default(self) -> bool:  # not when the whole school is asked for
        return self.data.get("scope") != SCHOOL_SCOPE

    def clean(self):
        data = super().clean()
        school_wide = data.get("scope") == SCHOOL_SCOPE
        data["scope"] = SCHOOL_SCOPE if school_wide else CLASS_SCOPE
        if school_wide or self.errors:
            data["school_class"] = None if school_wide else data.get("school_class")
            return data
        if data.get("school_class") is None:
            # No class chosen: the first class the user may report on in the year (their own, for a class teacher).
            data["school_class"] = self.first_class()
        return data

    def filter_labels(self) -> list[tuple[str, str]]:
        labels = [(label, value) for label, value in super().filter_labels() if label != str(_("Охват"))]
        if self.cleaned_data.get("scope") == SCHOOL_SCOPE:
            labels.append((str(_("Классы")), str(_("все классы школы"))))
        elif self.cleaned_data.get("school_class") is not None and not any(
            label == str(_("Класс")) for label, _value in labels
        ):
            labels.append((str(_("Класс")), str(self.cleaned_data["school_class"])))
        return labels
