"""Справки по итогам проверки журнала: the deputy's written result of an audit, sent to the teachers it concerns,
who acknowledge it (ознакомление) with one click.

A справка is a draft while its author writes it; once sent (``sent_at``) it is never edited: its figures are the
audit's as they were on the day it was made (``figures``, frozen JSON), and a correction is a new справка that
refers to the old one (``replaces``). Nothing here is ever deleted; both tables keep their history.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

__all__ = ["AuditStatement", "AuditStatementRecipient"]


class AuditStatement(models.Model):
    """Справка по итогам проверки: aim, basis, dates, the frozen figures, conclusions and recommendations."""

    school = models.ForeignKey(
        "accounts.School", verbose_name=_("школа"), on_delete=models.PROTECT, related_name="audit_statements"
    )
    number = models.PositiveIntegerField(_("номер"), help_text=_("по порядку в школе за все годы"))
    title = models.CharField(_("тема проверки"), max_length=300)
    aim = models.TextField(_("цель проверки"))
    basis = models.TextField(_("основание"), blank=True)
    start = models.DateField(_("проверенный период: с"))
    end = models.DateField(_("проверенный период: по"))
    checked_on = models.DateField(_("дата проверки"))
    school_class = models.ForeignKey(
        "journal.SchoolClass",
        verbose_name=_("класс"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("пусто: вся школа"),
    )
    figures = models.JSONField(_("итоги проверки на дату справки"), default=dict)
    conclusions = models.TextField(_("выводы"), blank=True)
    recommendations = models.TextField(_("рекомендации"), blank=True)
    replaces = models.ForeignKey(
        "self",
        verbose_name=_("исправляет справку"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("составил"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("создана"), auto_now_add=True)
    sent_at = models.DateTimeField(_("отправлена"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("справка по итогам проверки")
        verbose_name_plural = _("справки по итогам проверки")
        ordering = ["-number"]
        constraints = [
            models.UniqueConstraint(fields=["school", "number"], name="uniq_audit_statement_number"),
            models.CheckConstraint(condition=models.Q(start__lte=models.F("end")), name="audit_statement_dates"),
        ]

    def __str__(self) -> str:
        return f"Справка № {self.number}: {self.title}"

    @property
    def is_sent(self) -> bool:
        return self.sent_at is not None


class AuditStatementRecipient(models.Model):
    """A teacher (or class teacher) a справка concerns, and when they acknowledged it («Ознакомлен(а)»)."""

    statement = models.ForeignKey(
        AuditStatement, verbose_name=_("справка"), on_delete=models.PROTECT, related_name="recipients"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("сотрудник"), on_delete=models.PROTECT, related_name="+"
    )
    as_class_teacher = models.BooleanField(_("как классный руководитель"), default=False)
    acknowledged_at = models.DateTimeField(_("ознакомлен(а)"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("ознакомление со справкой")
        verbose_name_plural = _("ознакомление со справками")
        ordering = ["statement", "user__last_name", "user__first_name"]
        constraints = [models.UniqueConstraint(fields=["statement", "user"], name="uniq_audit_statement_recipient")]
        indexes = [
            models.Index(
                fields=["user"], condition=models.Q(acknowledged_at__isnull=True), name="audit_recipient_pending"
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.statement}"
