"""The form of the notification preferences: what to get by e-mail, quiet hours, and the address."""

from crispy_forms.helper import FormHelper
from crispy_forms.layout import HTML, Column, Fieldset, Layout, Row, Submit
from django import forms
from django.conf import settings
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.choices import time_zone_label
from accounts.models import User

from ..models import NotificationSettings
from ..services.notifications import QUIET_ERROR

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
FAMILY_ONLY = ("email_marks", "email_absences", "weekly_digest")


class NotificationSettingsForm(forms.Form):
    """A user's own preferences. Staff have no children to hear about: they choose messages and quiet hours only."""

    email = forms.EmailField(
        label=_("Адрес электронной почты"),
        required=False,
        max_length=254,
        help_text=_("Сюда приходят письма. Пусто — письма не отправляются."),
    )
    email_marks = forms.BooleanField(
        label=_("Новые отметки"),
        required=False,
        help_text=_("Отметки и пропуски приходят одним письмом, через 10–15 минут после того, как их внесли."),
    )
    email_absences = forms.BooleanField(label=_("Пропуски и опоздания"), required=False)
    email_messages = forms.BooleanField(label=_("Новые сообщения"), required=False)
    weekly_digest = forms.BooleanField(
        label=_("Итоги недели"),
        required=False,
        help_text=_("В субботу днём: отметки по предметам, пропуски, средний балл за учебный период."),
    )
    quiet_from = forms.TimeField(label=_("Не присылать с"), required=False, widget=TIME_INPUT)
    quiet_to = forms.TimeField(label=_("до"), required=False, widget=TIME_INPUT)

    def __init__(self, *args, user: User, zone: str = "", **kwargs):
        """``zone``: the school's time as users read it («московское время (UTC+3)», accounts.choices)."""
        super().__init__(*args, **kwargs)
        quiet_help = _(
            "В это время письма не отправляются: они придут, когда тихие часы закончатся. Время — школьное "
            "(%(zone)s). Оставьте оба поля пустыми, если тихие часы не нужны."
        ) % {"zone": zone or time_zone_label(settings.TIME_ZONE)}
        self.family = not user.is_staff_member
        if not self.family:
            for name in FAMILY_ONLY:
                del self.fields[name]
        self.helper = FormHelper()
        self.helper.form_tag = True
        self.helper.layout = Layout(
            "email",
            Fieldset(
                _("Что присылать на почту"),
                *[
                    name
                    for name in ("email_marks", "email_absences", "email_messages", "weekly_digest")
                    if name in self.fields
                ],
            ),
            Fieldset(
                _("Тихие часы"),
                HTML(format_html('<p class="small text-secondary mb-2">{}</p>', quiet_help)),
                Row(Column("quiet_from", css_class="col-6"), Column("quiet_to", css_class="col-6")),
            ),
            Submit("submit", _("Сохранить")),
        )

    @classmethod
    def initial_for(cls, user: User, prefs: NotificationSettings) -> dict:
        return {
            "email": user.email,
            "email_marks": prefs.email_marks,
            "email_absences": prefs.email_absences,
            "email_messages": prefs.email_messages,
            "weekly_digest": prefs.weekly_digest,
            "quiet_from": prefs.quiet_from,
            "quiet_to": prefs.quiet_to,
        }

    def clean(self):
        cleaned = super().clean()
        quiet_from, quiet_to = cleaned.get("quiet_from"), cleaned.get("quiet_to")
        if "quiet_from" in cleaned and "quiet_to" in cleaned and (quiet_from is None) != (quiet_to is None):
            self.add_error("quiet_to" if quiet_to is None else "quiet_from", QUIET_ERROR)
        return cleaned

    def preferences(self, prefs: NotificationSettings) -> dict:
        """The service's keyword arguments; a staff member's hidden choices keep their saved values."""
        data = {name: self.cleaned_data[name] for name in self.fields}
        for name in FAMILY_ONLY:
            data.setdefault(name, getattr(prefs, name))
        return data
