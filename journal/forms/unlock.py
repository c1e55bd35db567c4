"""The form of the edit-windows page: reopen an assignment, or one of its lessons, with a reason and an end date."""

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from journal.forms.fields import DateField, IntegerField, ModelChoiceField
from journal.models import Lesson, SchoolYear, TeachingAssignment
from journal.services.unlock import MAX_WINDOW_DAYS

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class AssignmentChoiceField(ModelChoiceField):
    # Every assignment of the school (hundreds): type to filter (static/js/select-filter.js).
    widget = forms.Select(attrs={"data-filter": "1"})

    def label_from_instance(self, obj: TeachingAssignment) -> str:
        group = f" ({obj.subgroup.name})" if obj.subgroup_id else ""
        return f"{obj.school_class} — {obj.subject.name}{group} — {obj.teacher.short_name}"


class EditWindowForm(forms.Form):
    """Which journal to reopen (a class's subject, optionally one lesson by its date), until when, and why."""

    assignment = AssignmentChoiceField(
        label=_("Класс, предмет, учитель"), queryset=TeachingAssignment.objects.none(), empty_label="—"
    )
    lesson_date = DateField(
        label=_("Дата урока"),
        required=False,
        widget=DATE_INPUT,
        help_text=_("Пусто — открыть все уроки этого предмета в классе."),
    )
    lesson_number = IntegerField(
        label=_("Урок №"),
        required=False,
        min_value=0,
        max_value=12,
        help_text=_("Если в этот день несколько уроков."),
    )
    until = DateField(
        label=_("Открыто по"),
        widget=DATE_INPUT,
        help_text=_("Включительно, не дольше %(n)s дней.") % {"n": MAX_WINDOW_DAYS},
    )
    reason = forms.CharField(
        label=_("Основание"),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        help_text=_("Например: перенос отметок из временного бумажного журнала после сбоя, служебная записка № …"),
    )

    def __init__(self, *args, year: SchoolYear, action: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assignment"].queryset = (
            TeachingAssignment.objects.filter(year=year)
            .select_related("school_class", "subject", "subgroup", "teacher")
            .order_by(
                "school_class__grade", "school_class__letter", "subject__order", "subject__name", "subgroup__name"
            )
        )
        self.helper = FormHelper()
        self.helper.form_action = action
        self.helper.layout = Layout(
            "assignment",
            Row(Column("lesson_date", css_class="col-sm-7"), Column("lesson_number", css_class="col-sm-5")),
            "until",
            "reason",
            Submit("submit", _("Открыть окно исправлений")),
        )

    def clean(self):
        cleaned = super().clean()
        assignment, day = cleaned.get("assignment"), cleaned.get("lesson_date")
        number = cleaned.get("lesson_number")
        cleaned["lesson"] = None
        if assignment is None or day is None:
            if number is not None and day is None:
                self.add_error("lesson_date", _("Укажите дату урока."))
            return cleaned
        lessons = list(Lesson.objects.filter(assignment=assignment, date=day).order_by("number"))
        if number is not None:
            lessons = [lesson for lesson in lessons if lesson.number == number]
        if not lessons:
            self.add_error(
                "lesson_date",
                _("%(date)s урока по этому предмету в этом классе нет.") % {"date": f"{day:%d.%m.%Y}"},
            )
        elif len(lessons) > 1:
            numbers = ", ".join(str(lesson.number) for lesson in lessons)
            self.add_error(
                "lesson_number",
                _("В этот день несколько уроков (№ %(numbers)s): укажите номер урока.") % {"numbers": numbers},
            )
        else:
            cleaned["lesson"] = lessons[0]
        return cleaned


def default_until(today: dt.date) -> dt.date:
    return today + dt.timedelta(days=2)
