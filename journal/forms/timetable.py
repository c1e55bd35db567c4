"""Forms of the timetable pages: rooms, the bell schedule, a timetable lesson, the lesson layout."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Field, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from journal.forms.fields import DateField, IntegerField, ModelChoiceField
from journal.models import WEEKDAY_CHOICES, Bell, Room, SchoolClass, TeachingAssignment

BELL_NUMBERS = range(0, 11)
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class RoomForm(forms.Form):
    name = forms.CharField(label=_("Кабинет"), max_length=40, help_text=_("например, 204 или «Спортзал»"))
    capacity = IntegerField(label=_("Мест"), required=False, min_value=1, max_value=1000)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            Row(Column("name", css_class="col-sm-7"), Column("capacity", css_class="col-sm-5")),
            Submit("submit", _("Добавить кабинет")),
        )


class BellScheduleForm(forms.Form):
    """Start and end of each lesson number; a number left empty has no bell."""

    def __init__(self, *args, bells: list[Bell] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        existing = {bell.number: bell for bell in bells or []}
        rows = []
        for number in BELL_NUMBERS:
            bell = existing.get(number)
            self.fields[f"start_{number}"] = forms.TimeField(
                label=_("начало"), required=False, widget=TIME_INPUT, initial=bell.start_time if bell else None
            )
            self.fields[f"end_{number}"] = forms.TimeField(
                label=_("окончание"), required=False, widget=TIME_INPUT, initial=bell.end_time if bell else None
            )
            title = _("%(n)s урок") % {"n": number} if number else _("0 урок (нулевой)")
            rows.append(
                Row(
                    Column(HTML(f'<div class="pt-1 fw-semibold">{title}</div>'), css_class="col-4"),
                    # No labels shown (the columns have headings): each field carries its own (WCAG 1.3.1).
                    Column(
                        Field(f"start_{number}", css_class="form-control-sm", aria_label=f"{title}: {_('начало')}"),
                        css_class="col-4",
                    ),
                    Column(
                        Field(f"end_{number}", css_class="form-control-sm", aria_label=f"{title}: {_('окончание')}"),
                        css_class="col-4",
                    ),
                    css_class="g-2",
                )
            )
        header = Row(
            Column(HTML(""), css_class="col-4"),
            Column(HTML(f'<div class="small text-secondary">{_("Начало")}</div>'), css_class="col-4"),
            Column(HTML(f'<div class="small text-secondary">{_("Окончание")}</div>'), css_class="col-4"),
            css_class="g-2",
        )
        self.helper = FormHelper()
        self.helper.form_show_labels = False
        self.helper.layout = Layout(header, *rows, Submit("submit", _("Сохранить расписание звонков")))

    def clean(self):
        cleaned = super().clean()
        bells = []
        for number in BELL_NUMBERS:
            start, end = cleaned.get(f"start_{number}"), cleaned.get(f"end_{number}")
            if start and end:
                bells.append((number, start, end))
            elif start or end:
                self.add_error(f"end_{number}" if start else f"start_{number}", _("Укажите и начало, и окончание."))
        cleaned["bells"] = bells
        return cleaned


class AssignmentChoiceField(ModelChoiceField):
    widget = forms.Select(attrs={"data-filter": "1"})  # a long picker: static/js/select-filter.js

    def label_from_instance(self, obj: TeachingAssignment) -> str:
        group = f" ({obj.subgroup.name})" if obj.subgroup_id else ""
        return f"{obj.subject.name}{group} — {obj.teacher.short_name}"


class RoomChoiceField(ModelChoiceField):
    widget = forms.Select(attrs={"data-filter": "1"})

    def label_from_instance(self, obj: Room) -> str:
        return obj.name


class TimetableEntryForm(forms.Form):
    """A weekly lesson of a class: which assignment, when, where, from which date."""

    assignment = AssignmentChoiceField(label=_("Предмет и учитель"), queryset=TeachingAssignment.objects.none())
    weekday = forms.TypedChoiceField(label=_("День недели"), coerce=int)
    number = forms.TypedChoiceField(label=_("Урок №"), coerce=int)
    room = RoomChoiceField(label=_("Кабинет"), queryset=Room.objects.none(), required=False, empty_label="—")
    valid_from = DateField(label=_("Действует с"), widget=DATE_INPUT)

    def __init__(self, *args, school_class: SchoolClass, week: int, bells: list[Bell], action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = TeachingAssignment.objects.filter(
            school_class=school_class
        ).select_related("subject", "teacher", "subgroup")
        self.fields["room"].queryset = Room.objects.filter(school_id=school_class.year.school_id)
        self.fields["weekday"].choices = [(day, name.capitalize()) for day, name in WEEKDAY_CHOICES[:week]]
        self.fields["number"].choices = [
            (bell.number, f"{bell.number} ({bell.start_time:%H:%M}–{bell.end_time:%H:%M})") for bell in bells
        ]
        self.helper = FormHelper()
        self.helper.form_id = "add"
        self.helper.form_action = action
        self.helper.layout = Layout(
            Row(
                Column("assignment", css_class="col-md-4"),
                Column("weekday", css_class="col-md-2"),
                Column("number", css_class="col-md-2"),
                Column("room", css_class="col-md-2"),
                Column("valid_from", css_class="col-md-2"),
            ),
            Submit("submit", _("Добавить урок в расписание")),
        )


class DateForm(forms.Form):
    """«From which date»: the lesson layout, a removal from the timetable."""

    from_date = DateField(label=_("С даты"), widget=DATE_INPUT)

    def __init__(self, *args, submit_label: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(Field("from_date"), Submit("submit", submit_label or _("Разложить уроки")))
