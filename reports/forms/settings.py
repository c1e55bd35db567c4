from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from ..models import ReportSettings


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
