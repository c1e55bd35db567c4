import datetime as dt

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import User

from ..choices import EmailKind, EmailStatus

DEFAULT_QUIET_FROM = dt.time(21, 0)
DEFAULT_QUIET_TO = dt.time(8, 0)


class NotificationSettings(models.Model):
    """What a user wants by e-mail, and the quiet hours when nothing is sent (a user without a row has defaults)."""

    user = models.OneToOneField(
        User, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="notification_settings"
    )
    email_marks = models.BooleanField(_("новые отметки"), default=False)
    email_absences = models.BooleanField(_("пропуски уроков"), default=False)
    email_messages = models.BooleanField(_("новые сообщения"), default=True)
    weekly_digest = models.BooleanField(_("итоги недели"), default=False)
    quiet_from = models.TimeField(_("не беспокоить с"), null=True, blank=True, default=DEFAULT_QUIET_FROM)
    quiet_to = models.TimeField(_("не беспокоить до"), null=True, blank=True, default=DEFAULT_QUIET_TO)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)

    class Meta:
        verbose_name = _("настройки уведомлений")
        verbose_name_plural = _("настройки уведомлений")

    def __str__(self) -> str:
        return str(self.user)


class OutgoingEmail(models.Model):
    """An e-mail to send, written with what it announces and sent later by a Celery task (with retries)."""

    user = models.ForeignKey(User, verbose_name=_("получатель"), on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("о чём"), max_length=10, choices=EmailKind.choices)
    to = models.EmailField(_("адрес"))
    subject = models.CharField(_("тема"), max_length=300)
    body_text = models.TextField(_("текст"))
    body_html = models.TextField(_("HTML"), blank=True)
    # What the e-mail announces, as plain data: e-mails about marks and absences that wait for the end of quiet
    # hours are merged into one from it, instead of a parent getting one e-mail per scan at 8 in the morning.
    payload = models.JSONField(_("содержание"), default=dict, blank=True)
    dedup_key = models.CharField(_("ключ"), max_length=200, blank=True, help_text=_("Одно письмо на ключ."))
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    send_after = models.DateTimeField(_("отправить не раньше"))
    status = models.CharField(_("состояние"), max_length=8, choices=EmailStatus.choices, default=EmailStatus.PENDING)
    attempts = models.PositiveSmallIntegerField(_("попыток"), default=0)
    last_error = models.TextField(_("последняя ошибка"), blank=True)
    sent_at = models.DateTimeField(_("отправлено"), null=True, blank=True)

    class Meta:
        verbose_name = _("письмо")
        verbose_name_plural = _("исходящие письма")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "send_after"])]
        constraints = [
            models.UniqueConstraint(
                fields=["dedup_key"], condition=~models.Q(dedup_key=""), name="uniq_outgoing_email_key"
            )
        ]

    def __str__(self) -> str:
        return f"{self.to}: {self.subject}"


class NotificationCursor(models.Model):
    """How far a notification scan has read a stream of records (marks, absences): one row per stream."""

    name = models.CharField(_("поток"), max_length=40, unique=True)
    position = models.DateTimeField(_("прочитано до"))

    class Meta:
        verbose_name = _("позиция рассылки")
        verbose_name_plural = _("позиции рассылки")

    def __str__(self) -> str:
        return f"{self.name}: {self.position}"
