"""Weekly remarks (замечания), recorded automatically as the open-source RUJEL does: early each Monday a Celery beat
task records a remark for every lapse of the week before that can still be fixed and is still open; a remark closes
by itself when its lapse is fixed (the topic entered, the marks added).

A lapse is known by its ``key`` (the check and the lesson, or the check, the assignment and the pupil…), so a second
run finds the open remark and creates nothing new. Remarks are never deleted; they keep their history.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

__all__ = ["AuditRemark"]


class AuditRemark(models.Model):
    """One open or closed remark: a lapse of a teacher's journal found by the weekly run."""

    school = models.ForeignKey(
        "accounts.School", verbose_name=_("школа"), on_delete=models.PROTECT, related_name="audit_remarks"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("учитель"), on_delete=models.PROTECT, related_name="+"
    )
    check_slug = models.CharField(_("проверка"), max_length=40)
    key = models.CharField(_("ключ нарушения"), max_length=120)
    assignment = models.ForeignKey(
        "journal.TeachingAssignment",
        verbose_name=_("нагрузка"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    lesson = models.ForeignKey(
        "journal.Lesson", verbose_name=_("урок"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    day = models.DateField(_("дата нарушения"), null=True, blank=True)
    text = models.CharField(_("замечание"), max_length=500)
    url = models.CharField(_("где исправить"), max_length=300, blank=True)
    week = models.DateField(_("неделя (понедельник)"))
    opened_at = models.DateTimeField(_("записано"))
    closed_at = models.DateTimeField(_("снято"), null=True, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("замечание по ведению журнала")
        verbose_name_plural = _("замечания по ведению журнала")
        ordering = ["-week", "day", "pk"]
        constraints = [
            # One open remark per lapse: the weekly run is idempotent.
            models.UniqueConstraint(
                fields=["teacher", "key"], condition=models.Q(closed_at__isnull=True), name="uniq_open_audit_remark"
            )
        ]
        indexes = [
            models.Index(fields=["school", "week"], name="audit_remark_school_week"),
            models.Index(
                fields=["teacher"], condition=models.Q(closed_at__isnull=True), name="audit_remark_open_by_teacher"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.teacher}: {self.text}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None
