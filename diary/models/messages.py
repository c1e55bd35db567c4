from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import PupilProfile, School, User
from journal.models import SchoolClass

from ..choices import BroadcastAudience


class Broadcast(models.Model):
    """One message to a whole class (its parents, pupils or both), delivered as a private thread per recipient."""

    school = models.ForeignKey(School, verbose_name=_("школа"), on_delete=models.CASCADE, related_name="+")
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("класс"), on_delete=models.PROTECT, related_name="broadcasts"
    )
    audience = models.CharField(
        _("кому"), max_length=8, choices=BroadcastAudience.choices, default=BroadcastAudience.PARENTS
    )
    sender = models.ForeignKey(User, verbose_name=_("отправитель"), on_delete=models.PROTECT, related_name="+")
    subject = models.CharField(_("тема"), max_length=200)
    text = models.TextField(_("текст"))
    recipients = models.PositiveIntegerField(_("получателей"), default=0)
    created_at = models.DateTimeField(_("отправлено"), auto_now_add=True)

    class Meta:
        verbose_name = _("рассылка классу")
        verbose_name_plural = _("рассылки классу")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.school_class}: {self.subject}"


class Thread(models.Model):
    """A conversation between users of one school, optionally about one pupil; messages are never deleted."""

    school = models.ForeignKey(School, verbose_name=_("школа"), on_delete=models.CASCADE, related_name="+")
    subject = models.CharField(_("тема"), max_length=200)
    pupil = models.ForeignKey(
        PupilProfile,
        verbose_name=_("об учащемся"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    broadcast = models.ForeignKey(
        Broadcast,
        verbose_name=_("рассылка"),
        on_delete=models.PROTECT,
        related_name="threads",
        null=True,
        blank=True,
    )
    created_by = models.ForeignKey(User, verbose_name=_("начал"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("начата"), auto_now_add=True)
    last_message_at = models.DateTimeField(_("последнее сообщение"), db_index=True)

    class Meta:
        verbose_name = _("переписка")
        verbose_name_plural = _("переписки")
        ordering = ["-last_message_at"]

    def __str__(self) -> str:
        return self.subject


class ThreadParticipant(models.Model):
    """A user in a thread, with the number of messages they have not read yet (kept by the services)."""

    thread = models.ForeignKey(
        Thread, verbose_name=_("переписка"), on_delete=models.CASCADE, related_name="participants"
    )
    user = models.ForeignKey(User, verbose_name=_("участник"), on_delete=models.PROTECT, related_name="threads")
    unread = models.PositiveIntegerField(_("непрочитанных"), default=0)
    last_read_at = models.DateTimeField(_("прочитано"), null=True, blank=True)

    class Meta:
        verbose_name = _("участник переписки")
        verbose_name_plural = _("участники переписки")
        constraints = [models.UniqueConstraint(fields=["thread", "user"], name="uniq_thread_participant")]
        indexes = [models.Index(fields=["user", "unread"])]

    def __str__(self) -> str:
        return f"{self.user} — {self.thread}"


class Message(models.Model):
    """One message of a thread: never edited or deleted (it is part of the school's correspondence)."""

    thread = models.ForeignKey(Thread, verbose_name=_("переписка"), on_delete=models.CASCADE, related_name="messages")
    sender = models.ForeignKey(User, verbose_name=_("отправитель"), on_delete=models.PROTECT, related_name="+")
    text = models.TextField(_("текст"))
    created_at = models.DateTimeField(_("отправлено"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("сообщение")
        verbose_name_plural = _("сообщения")
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return f"{self.sender}: {self.text[:40]}"
