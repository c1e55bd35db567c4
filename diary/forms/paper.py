"""The paper diaries form: the interval and the layout of the batch (the rules are in diary.services.paper)."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from journal.forms.fields import DateField

from ..services.paper import MAX_DAYS, PaperLayout

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PaperPrintForm(forms.Form):
    date_from = DateField(label=_("Период с"), widget=DATE_INPUT)
    date_to = DateField(label=_("по"), widget=DATE_INPUT)
    layout = forms.ChoiceField(
        label=_("Страницы"), choices=PaperLayout.choices, widget=forms.RadioSelect, initial=PaperLayout.ONE
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        note = _("Не больше %(n)s дней; по умолчанию — две недели по сегодня.") % {"n": MAX_DAYS}
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("date_from", css_class="col-6"), Column("date_to", css_class="col-6"), css_class="g-2"),
            HTML(f'<p class="form-text mt-n2">{note}</p>'),
            "layout",
        )
        self.helper.add_input(Submit("print", _("Распечатать (PDF)")))
