"""Helpers shared by the notification tests (no tests here): preferences, e-mail rows, clocks, backends."""

import datetime as dt
from zoneinfo import ZoneInfo

import time_machine
from django.core.mail.backends.base import BaseEmailBackend
from django.utils import timezone

from diary.choices import EmailKind, EmailStatus
from diary.models import NotificationSettings, OutgoingEmail

MSK = ZoneInfo("Europe/Moscow")


def at(year: int, month: int, day: int, hour: int = 12, minute: int = 0, zone=MSK):
    """Stand the clock still at a moment of the school's time (Moscow unless told)."""
    return time_machine.travel(dt.datetime(year, month, day, hour, minute, tzinfo=zone), tick=False)


def moment(year: int, month: int, day: int, hour: int = 12, minute: int = 0, zone=MSK) -> dt.datetime:
    return dt.datetime(year, month, day, hour, minute, tzinfo=zone)


def wants(user, email: str | None = None, **choices) -> NotificationSettings:
    """Save a user's preferences straight in the table (the service is tested on its own); no quiet hours
    unless given."""
    if email is not None:
        user.email = email
        user.save(update_fields=["email"])
    choices.setdefault("quiet_from", None)
    choices.setdefault("quiet_to", None)
    return NotificationSettings.objects.update_or_create(user=user, defaults=choices)[0]


def outgoing(user, **fields) -> OutgoingEmail:
    """A pending e-mail due now."""
    values = {
        "kind": EmailKind.MESSAGE,
        "to": user.email or "someone@example.ru",
        "subject": "Новое сообщение: об экскурсии",
        "body_text": "Текст",
        "body_html": "<p>Текст</p>",
        "send_after": timezone.now(),
        "status": EmailStatus.PENDING,
    }
    values.update(fields)
    return OutgoingEmail.objects.create(user=user, **values)


class FailingBackend(BaseEmailBackend):
    """An SMTP server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("SMTP-сервер недоступен")
