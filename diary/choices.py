"""The diary's fixed sets of values (events, broadcasts, e-mails); the paper print's are nested in its model."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class EventKind(models.TextChoices):
    EVENT = "event", _("мероприятие")
    ANNOUNCEMENT = "announcement", _("объявление")


class BroadcastAudience(models.TextChoices):
    PARENTS = "parents", _("родителям")
    PUPILS = "pupils", _("учащимся")
    BOTH = "both", _("родителям и учащимся")


class EmailKind(models.TextChoices):
    MARKS = "marks", _("отметки")
    ABSENCES = "absences", _("пропуски")
    MESSAGE = "message", _("сообщение")
    DIGEST = "digest", _("итоги недели")


class EmailStatus(models.TextChoices):
    PENDING = "pending", _("ждёт отправки")
    SENT = "sent", _("отправлено")
    FAILED = "failed", _("не удалось отправить")
    SKIPPED = "skipped", _("не отправлялось")
