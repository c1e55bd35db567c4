"""Forms of the closing area: the movement of pupils and the copy of the year's structure."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Div, Field, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import Sex
from accounts.models import PupilProfile
from journal.forms.fields import DateField, ModelChoiceField, ModelMultipleChoiceField
from journal.models import Enrollment, SchoolClass, SchoolYear, Subgroup

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")

ARRIVAL_REASONS = [
    "прибыл из МБОУ СОШ № 12",
    "прибыл из другого населённого пункта",
    "прибыл из семейного обучения",
    "вернулся после выбытия",
]
LEAVING_REASONS = [
    "выбыл в другую школу города",
    "выбыл в связи с переменой места жительства",
    "перешёл на семейное обучение",
    "выбыл в учреждение СПО",
]


class SubgroupChoiceField(ModelMultipleChoiceField):
    def label_from_instance(self, obj: Subgroup) -> str:
        return f"{obj.school_class}, {obj.name}"


class PupilArriveForm(forms.Form):
    """A pupil arrives: one who was at the school before (came back), or a new one."""

    date = DateField(label=_("Первый день в классе"), widget=DATE_WIDGET)
    reason = forms.CharField(
        label=_("Основание зачисления"),
        max_length=200,
        help_text=_("Откуда прибыл, номер и дата приказа."),
        widget=forms.TextInput(attrs={"list": "arrival-reasons"}),
    )
    pupil = ModelChoiceField(
        label=_("Учащийся, который уже был в школе"),
        queryset=PupilProfile.objects.none(),
        required=False,
        empty_label=_("— новый учащийся —"),
        widget=forms.Select(attrs={"data-filter": "1"}),  # a long picker: static/js/select-filter.js
    )
    last_name = forms.CharField(label=_("Фамилия"), max_length=150, required=False)
    first_name = forms.CharField(label=_("Имя"), max_length=150, required=False)
    middle_name = forms.CharField(label=_("Отчество"), max_length=150, required=False)
    date_of_birth = DateField(label=_("Дата рождения"), required=False, widget=DATE_WIDGET)
    sex = forms.ChoiceField(label=_("Пол"), choices=[("", "—"), *Sex.choices], required=False)
    username = forms.CharField(
        label=_("Логин"),
        max_length=150,
        required=False,
        help_text=_("Если не указать, будет присвоен следующий свободный логин вида p0123."),
    )
    subgroups = SubgroupChoiceField(
        label=_("Подгруппы"), queryset=Subgroup.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args, school_class: SchoolClass, **kwargs):
        super().__init__(*args, **kwargs)
        year = school_class.year
        on_roll = Enrollment.objects.filter(school_class__year=year, date_to__isnull=True).values("pupil_id")
        self.fields["pupil"].queryset = (
            PupilProfile.objects.filter(user__school_id=year.school_id, user__is_active=True)
            .exclude(pk__in=on_roll)
            .select_related("user")
            .order_by("user__last_name", "user__first_name")
        )
        self.fields["pupil"].label_from_instance = lambda p: f"{p.user.full_name} ({p.user.username})"
        self.fields["subgroups"].queryset = Subgroup.objects.filter(school_class=school_class).select_related(
            "school_class"
        )
        if not self.fields["subgroups"].queryset.exists():
            del self.fields["subgroups"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column(Field("date"), css_class="col-sm-4"), Column(Field("reason"), css_class="col-sm-8")),
            Div(
                HTML(f'<h2 class="h6 fw-semibold border-top pt-3 mt-1">{_("Кто прибыл")}</h2>'),
                Field("pupil"),
                Row(
                    Column("last_name", css_class="col-sm-4"),
                    Column("first_name", css_class="col-sm-4"),
                    Column("middle_name", css_class="col-sm-4"),
                ),
                Row(
                    Column("date_of_birth", css_class="col-sm-4"),
                    Column("sex", css_class="col-sm-4"),
                    Column("username", css_class="col-sm-4"),
                ),
            ),
            *(["subgroups"] if "subgroups" in self.fields else []),
            Div(Submit("submit", _("Зачислить"))),
        )

    def clean(self):
        data = super().clean()
        if not data.get("pupil") and not (data.get("last_name", "").strip() and data.get("first_name", "").strip()):
            raise forms.ValidationError(
                _("Выберите учащегося, который уже был в школе, или укажите фамилию и имя нового.")
            )
        return data


class PupilLeaveForm(forms.Form):
    date = DateField(
        label=_("Последний день в классе"),
        widget=DATE_WIDGET,
        help_text=_("В этот день учащийся ещё числится в классе; со следующего дня — нет."),
    )
    reason = forms.CharField(
        label=_("Основание выбытия"),
        max_length=200,
        help_text=_("Куда выбыл, номер и дата приказа."),
        widget=forms.TextInput(attrs={"list": "leaving-reasons"}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column(Field("date"), css_class="col-sm-4"), Column(Field("reason"), css_class="col-sm-8")),
            Div(Submit("submit", _("Оформить выбытие"), css_class="btn-danger")),
        )


class PupilMoveForm(forms.Form):
    to_class = ModelChoiceField(
        label=_("В класс"),
        queryset=SchoolClass.objects.none(),
        empty_label=_("— выберите класс —"),
        widget=forms.Select(attrs={"data-filter": "1"}),
    )
    date = DateField(
        label=_("Первый день в новом классе"),
        widget=DATE_WIDGET,
        help_text=_("В прежнем классе учащийся числится по предыдущий день включительно."),
    )
    reason = forms.CharField(
        label=_("Основание"),
        max_length=200,
        required=False,
        help_text=_("Например, приказ № 61 от 16.11.2026. Если не указать, запишется «переведён из … / в …»."),
    )
    subgroups = SubgroupChoiceField(
        label=_("Подгруппы в новом классе"),
        queryset=Subgroup.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, year: SchoolYear, current_class: SchoolClass | None, **kwargs):
        super().__init__(*args, **kwargs)
        classes = SchoolClass.objects.filter(year=year).order_by("grade", "letter")
        subgroups = Subgroup.objects.filter(school_class__year=year).select_related("school_class")
        if current_class is not None:
            classes = classes.exclude(pk=current_class.pk)
            subgroups = subgroups.exclude(school_class=current_class)
            # A move is between parallel classes (7 «А» → 7 «Б»): only their subgroups are offered.
            subgroups = subgroups.filter(school_class__grade=current_class.grade)
        self.fields["to_class"].queryset = classes
        self.fields["subgroups"].queryset = subgroups.order_by("school_class__grade", "school_class__letter", "name")
        if not self.fields["subgroups"].queryset.exists():
            del self.fields["subgroups"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column(Field("to_class"), css_class="col-sm-4"), Column(Field("date"), css_class="col-sm-4")),
            Field("reason"),
            *(["subgroups"] if "subgroups" in self.fields else []),
            Div(Submit("submit", _("Перевести"))),
        )

    def clean(self):
        data = super().clean()
        target = data.get("to_class")
        strangers = [sg for sg in data.get("subgroups") or [] if target is not None and sg.school_class_id != target.pk]
        if strangers:
            self.add_error("subgroups", _("Выберите подгруппы того класса, в который переводится учащийся."))
        return data


class YearCopyForm(forms.Form):
    name = forms.CharField(label=_("Название нового года"), max_length=20)
    start_date = DateField(label=_("Начало учебного года"), widget=DATE_WIDGET)
    end_date = DateField(label=_("Окончание учебного года"), widget=DATE_WIDGET)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(
                Column("name", css_class="col-sm-4"),
                Column("start_date", css_class="col-sm-4"),
                Column("end_date", css_class="col-sm-4"),
            ),
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and end <= start:
            raise forms.ValidationError(_("Окончание учебного года должно быть позже его начала."))
        return data
