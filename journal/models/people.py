import datetime as dt

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.models import School, User
from journal.choices import ImportKind

# A job still queued or running this long after the request is shown as stalled (a lost worker or message; the task
# itself is stopped after 6 minutes): the admin may apply the file again.
IMPORT_STALL_AFTER = dt.timedelta(minutes=15)


class ImportJob(models.Model):
    """An uploaded list (CSV/XLSX) parsed into rows: previewed with its problems, applied once when clean, by a job."""

    class Status(models.TextChoices):
        CHECKED = "checked", _("проверен")
        QUEUED = "queued", _("в очереди")
        RUNNING = "running", _("загружается")
        DONE = "done", _("загружен")
        FAILED = "failed", _("не загружен")

    school = models.ForeignKey(School, verbose_name=_("школа"), on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(_("что загружается"), max_length=10, choices=ImportKind.choices)
    file_name = models.CharField(_("файл"), max_length=255)
    rows = models.JSONField(_("строки"), default=list)
    errors = models.JSONField(_("ошибки"), default=list)
    created_by = models.ForeignKey(User, verbose_name=_("загрузил"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("загружен"), auto_now_add=True)
    applied_at = models.DateTimeField(_("применён"), null=True, blank=True)
    # The apply job (journal.tasks.import_apply_job): who asked, where it stands, how far it got, why it failed.
    status = models.CharField(_("состояние"), max_length=10, choices=Status.choices, default=Status.CHECKED)
    applied_by = models.ForeignKey(
        User, verbose_name=_("применил"), on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    progress_done = models.PositiveIntegerField(_("строк подготовлено"), default=0)
    progress_total = models.PositiveIntegerField(_("строк всего"), default=0)
    error = models.TextField(_("ошибка"), blank=True)
    queued_at = models.DateTimeField(_("поставлен в очередь"), null=True, blank=True)
    started_at = models.DateTimeField(_("начат"), null=True, blank=True)
    finished_at = models.DateTimeField(_("закончен"), null=True, blank=True)

    class Meta:
        verbose_name = _("загрузка списка")
        verbose_name_plural = _("загрузки списков")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"

    @property
    def pending(self) -> bool:
        """Queued or running, and not stalled."""
        Status = self.Status
        if self.status not in (Status.QUEUED, Status.RUNNING):
            return False
        return self.queued_at is None or timezone.now() - self.queued_at < IMPORT_STALL_AFTER

    @property
    def stalled(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING) and not self.pending

    @property
    def percent(self) -> int:
        return min(100, self.progress_done * 100 // self.progress_total) if self.progress_total else 0
