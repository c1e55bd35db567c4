from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import PupilProfile, User
from journal.models import SchoolClass


class DiaryVisit(models.Model):
    """When a user last opened a pupil's «Что нового», so that the next visit shows what came since."""

    user = models.ForeignKey(User, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="+")
    pupil = models.ForeignKey(PupilProfile, verbose_name=_("учащийся"), on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField(_("последний просмотр"))
    shown_since = models.DateTimeField(_("показано новое с"), null=True, blank=True)

    class Meta:
        verbose_name = _("просмотр дневника")
        verbose_name_plural = _("просмотры дневника")
        constraints = [models.UniqueConstraint(fields=["user", "pupil"], name="uniq_diary_visit")]

    def __str__(self) -> str:
        return f"{self.user} — {self.pupil}: {self.seen_at}"


class PaperDiaryPrint(models.Model):
    """A batch of paper diary pages for a class (parents who chose paper): the job, its PDF, and the log entry."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("в очереди")
        RENDERING = "rendering", _("готовится")
        READY = "ready", _("готова")
        FAILED = "failed", _("не удалась")

    class Layout(models.TextChoices):
        ONE = "one", _("один учащийся на странице")
        TWO = "two", _("два учащихся на странице (экономия бумаги)")

    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("класс"), on_delete=models.PROTECT, related_name="paper_prints"
    )
    date_from = models.DateField(_("с"))
    date_to = models.DateField(_("по"))
    # Empty for the printouts made before the layout was recorded.
    layout = models.CharField(_("страницы"), max_length=8, choices=Layout.choices, blank=True, default="")
    pupils = models.PositiveIntegerField(_("учащихся"))
    printed_by = models.ForeignKey(User, verbose_name=_("распечатал"), on_delete=models.PROTECT, related_name="+")
    printed_at = models.DateTimeField(_("когда"), auto_now_add=True)
    status = models.CharField(_("состояние"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    started_at = models.DateTimeField(_("начата"), null=True, blank=True)
    finished_at = models.DateTimeField(_("закончена"), null=True, blank=True)
    # The PDF itself, in the database: web and Celery machines share nothing else. Absent on old printouts.
    pdf = models.BinaryField(_("PDF"), null=True, blank=True)
    pages = models.PositiveIntegerField(_("страниц"), null=True, blank=True)
    size = models.PositiveIntegerField(_("размер, байт"), null=True, blank=True)
    error = models.TextField(_("ошибка"), blank=True)

    class Meta:
        verbose_name = _("распечатка бумажных дневников")
        verbose_name_plural = _("распечатки бумажных дневников")
        ordering = ["-printed_at"]

    def __str__(self) -> str:
        return f"{self.school_class}: {self.date_from:%d.%m}–{self.date_to:%d.%m.%Y}"
