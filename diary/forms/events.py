"""Forms of the events pages: an event or announcement, and the filters of the staff list."""

from crispy_forms.bootstrap import StrictButton
from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from journal.forms.fields import DateField, ModelChoiceField
from journal.models import SchoolClass

from ..choices import EventKind
from ..services.events import PLACE_MAX_LENGTH, TEXT_MAX_LENGTH, TITLE_MAX_LENGTH

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
WHOLE_SCHOOL = "school"


class ClassChoiceField(ModelChoiceField):
    widget = forms.Select(attrs={"data-filter": "1"})  # a long picker: static/js/select-filter.js

    def label_from_instance(self, obj: SchoolClass) -> str:
        return f"{obj} ({obj.year.name})"


class EventForm(forms.Form):
    """An event or announcement; the class list holds what the user may publish for (the whole school: empty)."""

    kind = forms.ChoiceField(
        label=_("Вид"), choices=EventKind.choices, initial=EventKind.EVENT, widget=forms.RadioSelect
    )
    school_class = ClassChoiceField(label=_("Для кого"), queryset=SchoolClass.objects.none(), required=False)
    title = forms.CharField(label=_("Заголовок"), max_length=TITLE_MAX_LENGTH)
    starts_on = DateField(label=_("Дата"), widget=DATE_INPUT)
    ends_on = DateField(label=_("По"), widget=DATE_INPUT, required=False, help_text=_("Для событий на несколько дней."))
    starts_at = forms.TimeField(label=_("Время"), widget=TIME_INPUT, required=False)
    place = forms.CharField(label=_("Место"), max_length=PLACE_MAX_LENGTH, required=False)
    text = forms.CharField(
        label=_("Подробности"), widget=forms.Textarea(attrs={"rows": 4}), max_length=TEXT_MAX_LENGTH, required=False
    )

    def __init__(self, *args, classes, whole_school: bool, action: str = "", submit: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["school_class"]
        field.queryset = classes
        if whole_school:
            field.empty_label = _("Вся школа")
        else:
            field.required = True
            field.empty_label = None
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            Row(Column("kind", css_class="col-sm-6"), Column("school_class", css_class="col-sm-6")),
            "title",
            Row(
                Column("starts_on", css_class="col-6 col-md-4"),
                Column("ends_on", css_class="col-6 col-md-4"),
                Column("starts_at", css_class="col-6 col-md-4"),
            ),
            "place",
            "text",
            Submit("submit", submit or _("Опубликовать")),
        )


class EventFilterForm(forms.Form):
    """Filters of the staff list (a GET form: invalid values are ignored)."""

    school_class = forms.ChoiceField(label=_("Класс"), required=False, widget=forms.Select(attrs={"data-filter": "1"}))
    kind = forms.ChoiceField(label=_("Вид"), required=False, choices=[("", _("все")), *EventKind.choices])
    date_from = DateField(label=_("С"), widget=DATE_INPUT, required=False)
    date_to = DateField(label=_("По"), widget=DATE_INPUT, required=False)
    hide_cancelled = forms.BooleanField(label=_("без отменённых"), required=False)

    def __init__(self, *args, classes, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].choices = [("", _("все")), (WHOLE_SCHOOL, _("для всей школы"))] + [
            (str(school_class.pk), str(school_class)) for school_class in classes
        ]
        self.helper = FormHelper()
        self.helper.form_method = "get"
        self.helper.layout = Layout(
            Row(
                Column("school_class", css_class="col-6 col-md-2"),
                Column("kind", css_class="col-6 col-md-2"),
                Column("date_from", css_class="col-6 col-md-2"),
                Column("date_to", css_class="col-6 col-md-2"),
                Column("hide_cancelled", css_class="col-6 col-md-2 pt-md-4"),
                Column(
                    StrictButton(_("Показать"), type="submit", css_class="btn-outline-primary mt-md-4"),
                    css_class="col-6 col-md-2",
                ),
            )
        )

    def value(self, name: str, default=None):
        """The cleaned value of a valid field, else ``default``."""
        if not self.is_bound:
            return self.initial.get(name, default)
        self.is_valid()
        return self.cleaned_data.get(name, default)
