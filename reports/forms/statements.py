"""The forms of a справка по итогам проверки: the draft made from the control page's dates and class (the texts and
whom it concerns), and the author's changes to the draft (the texts, the date, the recipients).

The recipients are two lists of checkboxes, the audit's teachers (with their lapses) and the audited classes'
class teachers, built from the audit's figures; the service refuses anyone else.
"""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Field, Fieldset, Layout, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from journal.forms.fields import DateField, ModelChoiceField

from ..selectors.statements import candidate_class_teachers, candidate_teachers, plural

TEXTAREA = {"rows": 3}


def teacher_choices(figures: dict) -> list[tuple[int, str]]:
    choices = []
    for pk, row in candidate_teachers(figures).items():
        lapses = row.get("lapses", 0)
        note = f"{lapses} {plural(lapses, 'нарушение', 'нарушения', 'нарушений')}" if lapses else "без нарушений"
        choices.append((pk, f"{row['name']} ({note})"))
    return choices


def class_teacher_choices(figures: dict) -> list[tuple[int, str]]:
    choices = []
    names = {row["id"]: row["name"] for row in figures.get("teachers", []) if row.get("id")}
    for pk, rows in candidate_class_teachers(figures).items():
        name = rows[0].get("class_teacher") or names.get(pk, str(pk))
        lapses = sum(row.get("lapses", 0) for row in rows)
        classes = ", ".join(row["name"] for row in rows)
        note = f"{lapses} {plural(lapses, 'нарушение', 'нарушения', 'нарушений')}" if lapses else "без нарушений"
        choices.append((pk, f"{name} — {classes} ({note})"))
    return sorted(choices, key=lambda choice: choice[1])


class RecipientsMixin:
    """The two lists of checkboxes, set from the figures."""

    def set_recipients(self, figures: dict) -> None:
        self.fields["teachers"].choices = teacher_choices(figures)
        self.fields["class_teachers"].choices = class_teacher_choices(figures)


class StatementCreateForm(RecipientsMixin, forms.Form):
    """A new draft: the dates and class come from the control page (hidden), the rest is the deputy's."""

    start = DateField(widget=forms.HiddenInput)
    end = DateField(widget=forms.HiddenInput)
    school_class = ModelChoiceField(queryset=None, required=False, widget=forms.HiddenInput)
    title = forms.CharField(label=_("Тема проверки"), max_length=300)
    aim = forms.CharField(label=_("Цель проверки"), widget=forms.Textarea(attrs=TEXTAREA))
    basis = forms.CharField(label=_("Основание"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    teachers = forms.TypedMultipleChoiceField(
        label=_("Учителя, которым направляется справка"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("По умолчанию отмечены учителя с нарушениями."),
    )
    class_teachers = forms.TypedMultipleChoiceField(
        label=_("Классные руководители"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("По умолчанию отмечены классные руководители классов, где есть нарушения."),
    )

    def __init__(self, data=None, *, classes, figures: dict | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.fields["school_class"].queryset = classes
        if figures is not None:
            self.set_recipients(figures)
        else:  # a POST: the service checks the ticked ones against its own audit run
            self.fields["teachers"].choices = [(value, value) for value in self.data.getlist("teachers")]
            self.fields["class_teachers"].choices = [(value, value) for value in self.data.getlist("class_teachers")]
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "start",
            "end",
            "school_class",
            Field("title"),
            Field("aim"),
            Field("basis"),
            Fieldset(_("Кому"), "teachers", "class_teachers"),
        )
        self.helper.add_input(Submit("create", _("Составить черновик справки")))


class StatementEditForm(RecipientsMixin, forms.Form):
    """The author's draft: its texts, its date and its recipients (among the audit's teachers and class teachers)."""

    title = forms.CharField(label=_("Тема проверки"), max_length=300)
    checked_on = DateField(label=_("Дата справки"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    aim = forms.CharField(label=_("Цель проверки"), widget=forms.Textarea(attrs=TEXTAREA))
    basis = forms.CharField(label=_("Основание"), widget=forms.Textarea(attrs={"rows": 2}), required=False)
    conclusions = forms.CharField(
        label=_("Выводы"),
        widget=forms.Textarea(attrs={"rows": 10}),
        help_text=_("Составлены по итогам проверки; измените и дополните их."),
    )
    recommendations = forms.CharField(
        label=_("Рекомендации"), widget=forms.Textarea(attrs={"rows": 10}), required=False
    )
    teachers = forms.TypedMultipleChoiceField(
        label=_("Учителя, которым направляется справка"),
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    class_teachers = forms.TypedMultipleChoiceField(
        label=_("Классные руководители"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, data=None, *, statement, **kwargs):
        recipients = list(statement.recipients.all())
        initial = {
            "title": statement.title,
            "checked_on": statement.checked_on,
            "aim": statement.aim,
            "basis": statement.basis,
            "conclusions": statement.conclusions,
            "recommendations": statement.recommendations,
            "class_teachers": [row.user_id for row in recipients if row.as_class_teacher],
        }
        # A recipient among the audit's teachers is ticked there; one who gets it as a class teacher, there too.
        teacher_ids = set(candidate_teachers(statement.figures))
        initial["teachers"] = [row.user_id for row in recipients if row.user_id in teacher_ids]
        super().__init__(data, initial=initial, **kwargs)
        self.set_recipients(statement.figures)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "title",
            "checked_on",
            "aim",
            "basis",
            "conclusions",
            "recommendations",
            Fieldset(_("Кому"), "teachers", "class_teachers"),
        )
        self.helper.add_input(Submit("save", _("Сохранить черновик")))
