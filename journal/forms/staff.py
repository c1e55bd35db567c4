"""Forms of people administration by hand: a staff member, a parent added to or linked with a pupil."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import Column, Layout, Row
from django import forms
from django.utils.translation import gettext_lazy as _

from accounts.choices import ParentKind, Role
from accounts.models import ParentProfile, PupilProfile
from journal.forms.fields import ModelChoiceField

STAFF_ROLES = [(role.value, role.label) for role in (Role.TEACHER, Role.DEPUTY, Role.DIRECTOR, Role.ADMIN)]


class StaffForm(forms.Form):
    last_name = forms.CharField(label=_("Фамилия"), max_length=150)
    first_name = forms.CharField(label=_("Имя"), max_length=150)
    middle_name = forms.CharField(label=_("Отчество"), max_length=150, required=False)
    role = forms.ChoiceField(label=_("Должность"), choices=STAFF_ROLES)
    email = forms.EmailField(label=_("E-mail"), required=False)
    phone = forms.CharField(label=_("Телефон"), max_length=32, required=False)
    username = forms.CharField(
        label=_("Логин"),
        max_length=150,
        required=False,
        help_text=_("Можно не указывать: логин будет составлен из фамилии и инициалов латиницей."),
    )
    is_active = forms.BooleanField(
        label=_("Учётная запись включена"),
        required=False,
        help_text=_("Отключённая учётная запись не может войти; записи человека в журнале сохраняются."),
    )

    def __init__(self, *args, editing: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["username"]
        else:
            del self.fields["is_active"]
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("last_name"), Column("first_name"), Column("middle_name")),
            Row(Column("role"), Column("email"), Column("phone")),
            "username" if not editing else "is_active",
        )


class ParentAddForm(forms.Form):
    kind = forms.ChoiceField(label=_("Кем приходится"), choices=ParentKind.choices)
    last_name = forms.CharField(label=_("Фамилия"), max_length=150)
    first_name = forms.CharField(label=_("Имя"), max_length=150)
    middle_name = forms.CharField(label=_("Отчество"), max_length=150, required=False)
    phone = forms.CharField(label=_("Телефон"), max_length=32, required=False)
    email = forms.EmailField(label=_("E-mail"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("prefix", "new")
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(
            Row(Column("last_name"), Column("first_name"), Column("middle_name")),
            Row(Column("kind"), Column("phone"), Column("email")),
        )


class ParentLinkForm(forms.Form):
    parent = ModelChoiceField(
        label=_("Родитель, уже зарегистрированный в школе"),
        queryset=ParentProfile.objects.none(),
        widget=forms.Select(attrs={"data-filter": "1"}),
    )
    kind = forms.ChoiceField(label=_("Кем приходится"), choices=ParentKind.choices)

    def __init__(self, *args, pupil: PupilProfile, **kwargs):
        kwargs.setdefault("prefix", "link")
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = (
            ParentProfile.objects.filter(user__school_id=pupil.user.school_id)
            .exclude(links__pupil=pupil)
            .select_related("user")
            .order_by("user__last_name", "user__first_name", "user__middle_name")
        )
        self.fields["parent"].label_from_instance = lambda parent: f"{parent.user.full_name} ({parent.user.username})"
        self.helper = FormHelper()
        self.helper.form_tag = False
        self.helper.layout = Layout(Row(Column("parent", css_class="col-md-8"), Column("kind")))
