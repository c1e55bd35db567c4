from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import School, User
from journal.choices import ImportKind


class ImportJob(models.Model):
    """An uploaded list (CSV/XLSX) parsed into rows: previewed with its problems, applied once when clean."""

    school = models.ForeignKey(School, verbose_name=_("школа"), on_delete=models.CASCADE, related_name="imports")
    kind = models.CharField(_("что загружается"), max_length=10, choices=ImportKind.choices)
    file_name = models.CharField(_("файл"), max_length=255)
    rows = models.JSONField(_("строки"), default=list)
    errors = models.JSONField(_("ошибки"), default=list)
    created_by = models.ForeignKey(User, verbose_name=_("загрузил"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("загружен"), auto_now_add=True)
    applied_at = models.DateTimeField(_("применён"), null=True, blank=True)

    class Meta:
        verbose_name = _("загрузка списка")
        verbose_name_plural = _("загрузки списков")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"
