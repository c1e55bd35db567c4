"""Forms of the year-opening flow (crispy, Bootstrap 5)."""

import datetime as dt

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import STAFF_ROLES
from accounts.models import User
from journal.choices import GRADE_CHOICES, DayKind
from journal.forms.fields import DateField, IntegerField, ModelChoiceField, ModelMultipleChoiceField
from journal.models import SchoolClass, Subgroup


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def staff_choices(school_id: int):
    return User.objects.filter(school_id=school_id, role__in=STAFF_ROLES, is_active=True).order_by(
        "last_name", "first_name"
    )


class TeacherChoiceField(ModelChoiceField):
    widget = forms.Select(attrs={"data-filter": "1"})  # a long picker: static/js/select-filter.js

    def label_from_instance(self, obj: User) -> str:
        return obj.full_name


class YearCreateForm(forms.Form):
    name = forms.CharField(label=_("Название"), max_length=20, help_text=_("например, 2027/2028"))
    start_date = DateField(label=_("Начало учебного года"), widget=DateInput())
    end_date = DateField(label=_("Окончание учебного года"), widget=DateInput())
    six_day_from = forms.TypedChoiceField(
        label=_("Шестидневная неделя с параллели"),
        choices=[(0, _("ни для одной"))] + [(g, f"{g}") for g in range(1, 12)],
        coerce=int,
        initial=0,
        help_text=_("Остальные параллели учатся пять дней; потом можно изменить для каждой."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.layout = Layout(
            "name", Row(Column("start_date"), Column("end_date")), "six_day_from", Submit("submit", _("Создать год"))
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            raise forms.ValidationError(_("Окончание учебного года должно быть позже его начала."))
        return data


class VacationForm(forms.Form):
    name = forms.CharField(label=_("Название"), max_length=100, initial=_("Осенние каникулы"))
    start_date = DateField(label=_("С"), widget=DateInput())
    end_date = DateField(label=_("По"), widget=DateInput())
    grade_from = forms.TypedChoiceField(label=_("С параллели"), choices=GRADE_CHOICES, coerce=int, initial=1)
    grade_to = forms.TypedChoiceField(label=_("По параллель"), choices=GRADE_CHOICES, coerce=int, initial=11)

    def clean(self):
        data = super().clean()
        if data.get("start_date") and data.get("end_date") and data["end_date"] < data["start_date"]:
            raise forms.ValidationError(_("Каникулы не могут закончиться раньше, чем начались."))
        return data


class CalendarDayForm(forms.Form):
    date = DateField(label=_("Дата"), widget=DateInput())
    kind = forms.ChoiceField(label=_("Вид дня"), choices=DayKind.choices, initial=DayKind.DAY_OFF)
    name = forms.CharField(label=_("Описание"), max_length=200, required=False, initial=_("Карантин"))
    grade_from = forms.TypedChoiceField(label=_("С параллели"), choices=GRADE_CHOICES, coerce=int, initial=1)
    grade_to = forms.TypedChoiceField(label=_("По параллель"), choices=GRADE_CHOICES, coerce=int, initial=11)


class PeriodsForm(forms.Form):
    """The dates of the periods of one kind: start and end of each, in order."""

    def __init__(self, *args, count: int, initial_dates: list[tuple[dt.date, dt.date]], **kwargs):
        super().__init__(*args, **kwargs)
        self.count = count
        for n in range(1, count + 1):
            start, end = initial_dates[n - 1] if n <= len(initial_dates) else (None, None)
            self.fields[f"start_{n}"] = DateField(label=_("%(n)s: с") % {"n": n}, widget=DateInput(), initial=start)
            self.fields[f"end_{n}"] = DateField(label=_("по"), widget=DateInput(), initial=end)

    def dates(self) -> list[tuple[dt.date, dt.date]]:
        return [(self.cleaned_data[f"start_{n}"], self.cleaned_data[f"end_{n}"]) for n in range(1, self.count + 1)]


class ClassForm(forms.Form):
    grade = forms.TypedChoiceField(label=_("Параллель"), choices=GRADE_CHOICES, coerce=int)
    letter = forms.CharField(label=_("Литера"), max_length=4)
    class_teacher = TeacherChoiceField(label=_("Классный руководитель"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, school_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["class_teacher"].queryset = staff_choices(school_id)


class ClassTeacherForm(forms.Form):
    class_teacher = TeacherChoiceField(label=_("Классный руководитель"), queryset=User.objects.none(), required=False)

    def __init__(self, *args, school_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["class_teacher"].queryset = staff_choices(school_id)


class SubgroupForm(forms.Form):
    name = forms.CharField(label=_("Название подгруппы"), max_length=60, initial=_("1 подгруппа"))
    pupils = ModelMultipleChoiceField(
        label=_("Учащиеся"), queryset=None, widget=forms.CheckboxSelectMultiple, required=False
    )

    def __init__(self, *args, pupils_queryset, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pupils"].queryset = pupils_queryset
        self.fields["pupils"].label_from_instance = lambda pupil: pupil.user.full_name


class SubjectForm(forms.Form):
    name = forms.CharField(label=_("Название предмета"), max_length=150)
    short_name = forms.CharField(label=_("Краткое название"), max_length=40, required=False)


class AssignmentForm(forms.Form):
    school_class = ModelChoiceField(
        label=_("Класс"), queryset=SchoolClass.objects.none(), widget=forms.Select(attrs={"data-filter": "1"})
    )
    subject_id = IntegerField(widget=forms.HiddenInput)
    subgroup = ModelChoiceField(label=_("Подгруппа"), queryset=Subgroup.objects.none(), required=False)
    teacher = TeacherChoiceField(label=_("Учитель"), queryset=User.objects.none())
    hours_per_week = forms.DecimalField(
        label=_("Часов в неделю"), min_value=0.5, max_value=40, decimal_places=1, localize=True
    )

    def __init__(self, *args, year, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["school_class"].queryset = SchoolClass.objects.filter(year=year)
        self.fields["subgroup"].queryset = Subgroup.objects.filter(school_class__year=year)
        self.fields["teacher"].queryset = staff_choices(year.school_id)


class TeacherChangeForm(forms.Form):
    teacher = TeacherChoiceField(label=_("Учитель"), queryset=User.objects.none())

    def __init__(self, *args, school_id: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["teacher"].queryset = staff_choices(school_id)
