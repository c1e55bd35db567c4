"""Forms of the people pages: list upload, first login with a code, the pupil's and the parent's cards."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row, Submit
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import InfoForm, Sex
from accounts.models import ParentProfile, PupilProfile
from journal.choices import ImportKind
from journal.forms.fields import DateField
from journal.services.imports.table import EXTENSIONS, MAX_CELL, MAX_COLUMNS, MAX_FILE_SIZE, MAX_ROWS

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ImportUploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("Что загружаем"), choices=ImportKind.choices, widget=forms.RadioSelect, initial=ImportKind.PUPILS
    )
    file = forms.FileField(
        label=_("Файл"),
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(EXTENSIONS)}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "Таблица CSV или XLSX (книга Excel) до %(mb)s МБ: не больше %(rows)s строк с людьми, %(columns)s столбцов "
            "и %(cell)s символов в ячейке; первая строка — заголовки, как в образце."
        ) % {"mb": MAX_FILE_SIZE // (1024 * 1024), "rows": MAX_ROWS, "columns": MAX_COLUMNS, "cell": MAX_CELL}
        self.helper = FormHelper()
        self.helper.attrs = {"enctype": "multipart/form-data"}
        self.helper.layout = Layout("kind", "file")
        self.helper.add_input(Submit("submit", _("Загрузить и проверить")))

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(EXTENSIONS):
            raise forms.ValidationError(_("Загрузите таблицу CSV или XLSX (книга Excel)."))
        if upload.size > MAX_FILE_SIZE:
            raise forms.ValidationError(
                _(
                    "Файл слишком большой: можно не больше %(mb)s МБ. Разделите список на части (например, по параллелям)."
                )
                % {"mb": MAX_FILE_SIZE // (1024 * 1024)}
            )
        return upload


class PupilCardForm(forms.ModelForm):
    last_name = forms.CharField(label=_("Фамилия"), max_length=150)
    first_name = forms.CharField(label=_("Имя"), max_length=150)
    middle_name = forms.CharField(label=_("Отчество"), max_length=150, required=False)
    sex = forms.ChoiceField(label=_("Пол"), choices=[("", "—"), *Sex.choices], required=False)

    class Meta:
        model = PupilProfile
        fields = ["date_of_birth", "sex", "address", "notes"]
        widgets = {"date_of_birth": DATE_WIDGET, "notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"date_of_birth": DateField}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = self.instance.user
        for name in ("last_name", "first_name", "middle_name"):
            self.fields[name].initial = getattr(user, name)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("last_name"), Column("first_name"), Column("middle_name")),
            Row(Column("date_of_birth"), Column("sex")),
            "address",
            "notes",
        )


class ParentCardForm(forms.ModelForm):
    phone = forms.CharField(label=_("Телефон"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)
    info_form = forms.ChoiceField(label=_("Форма информирования"), required=False)

    class Meta:
        model = ParentProfile
        fields = ["work_place", "consent_given_on"]
        widgets = {"consent_given_on": DATE_WIDGET}
        field_classes = {"consent_given_on": DateField}
        labels = {"consent_given_on": _("Согласие на обработку персональных данных (дата)")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        parent = self.instance
        self.fields["phone"].initial = parent.user.phone
        self.fields["email"].initial = parent.user.email
        choices = list(InfoForm.choices)
        if parent.info_form_chosen_on is None:
            choices = [("", _("— ещё не выбрана —")), *choices]
            self.fields["info_form"].initial = ""
        else:
            self.fields["info_form"].initial = parent.info_form
            self.fields["info_form"].help_text = _("выбрана %(date)s") % {
                "date": parent.info_form_chosen_on.strftime("%d.%m.%Y")
            }
        self.fields["info_form"].choices = choices
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("phone"), Column("email")),
            "work_place",
            Row(Column("consent_given_on"), Column("info_form")),
        )
