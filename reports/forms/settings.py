from crispy_forms.helper import FormHelper
from crispy_forms.layout import Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import AuditSettings, ReportSettings
from ..services.settings import AUDIT_SETTINGS_FIELDS


class ReportSettingsForm(forms.ModelForm):
    class Meta:
        model = ReportSettings
        fields = ["quality_basis", "sou_one_weight", "divergence_threshold"]
        widgets = {"quality_basis": forms.RadioSelect, "sou_one_weight": forms.RadioSelect}

    def __init__(self, *args, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        if read_only:
            for field in self.fields.values():
                field.disabled = True
        else:
            self.helper.add_input(Submit("save", _("Сохранить")))


class AuditSettingsForm(forms.ModelForm):
    """The deadlines and thresholds of the deputy's control of the journal (reports.selectors.audit)."""

    class Meta:
        model = AuditSettings
        fields = list(AUDIT_SETTINGS_FIELDS)

    def __init__(self, *args, read_only: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "w-auto")
            # The model's bounds in Russian: «не меньше 7», «не больше 90» (Django's own text is English-shaped).
            field.error_messages["invalid"] = _("Введите целое число.")
            field.error_messages["required"] = _("Укажите значение.")
            if getattr(field, "min_value", None) is not None:
                field.error_messages["min_value"] = _("Не меньше %(limit_value)s.")
            if getattr(field, "max_value", None) is not None:
                field.error_messages["max_value"] = _("Не больше %(limit_value)s.")
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Fieldset(
                _("Сроки записей в журнале"),
                "record_grace_days",
                "homework_minutes",
                "mark_next_lessons",
                "essay_days",
                "period_mark_days_before_end",
            ),
            Fieldset(
                _("Накопляемость отметок и КТП"),
                "few_marks_grace_days",
                "near_end_days",
                "max_gap_days",
                "plan_behind_lessons",
            ),
        )
        if read_only:
            for field in self.fields.values():
                field.disabled = True
        else:
            self.helper.add_input(Submit("save", _("Сохранить")))
