from crispy_forms.helper import FormHelper
from crispy_forms.layout import Submit
from django import forms
from django.contrib.auth.forms import AuthenticationForm, PasswordChangeForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    """The login form, with Russian labels and the lockout message of django-axes."""

    username = forms.CharField(label=_("Логин"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True}))
    password = forms.CharField(label=_("Пароль"), strip=False, widget=forms.PasswordInput)

    error_messages = {
        "invalid_login": _("Неверный логин или пароль. Обратите внимание: регистр букв имеет значение."),
        "inactive": _("Эта учётная запись отключена. Обратитесь к администратору школы."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Войти"), css_class="w-100"))


class PasswordChangeCrispyForm(PasswordChangeForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.helper = FormHelper()
        self.helper.add_input(Submit("submit", _("Сменить пароль")))
