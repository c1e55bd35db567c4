from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.utils.translation import gettext_lazy as _


class ActivationForm(forms.Form):
    username = forms.CharField(label=_("Логин"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    code = forms.CharField(
        label=_("Код с листка"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "placeholder": "XXXX-XXXX"}
        ),
    )
    new_password1 = forms.CharField(
        label=_("Придумайте пароль"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Не короче 8 символов, не только цифры и не похожий на логин или имя."),
    )
    new_password2 = forms.CharField(
        label=_("Пароль ещё раз"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "new-password"})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autocapitalize"] = "none"
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Войти и сохранить пароль"), css_class="w-100"))

    def clean(self):
        data = super().clean()
        if data.get("new_password1") and data.get("new_password2") and data["new_password1"] != data["new_password2"]:
            self.add_error("new_password2", _("Пароли не совпадают."))
        return data
