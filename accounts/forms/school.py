from crispy_forms.helper import FormHelper
from crispy_forms.layout import Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from ..choices import time_zone_choices
from ..models import School


class SchoolForm(forms.ModelForm):
    class Meta:
        model = School
        fields = ["name", "short_name", "address", "time_zone"]
        help_texts = {
            "time_zone": _("От него зависят «сегодня» школы: закрытие отметок, тихие часы рассылок, все даты и время."),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["time_zone"].choices = time_zone_choices(self.instance.time_zone)
        self.helper = FormHelper()
        self.helper.layout = Layout("name", "short_name", "address", "time_zone")
        self.helper.add_input(Submit("submit", _("Сохранить")))
