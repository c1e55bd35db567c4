from django.db import models
from django.utils.translation import gettext_lazy as _


class QualityBasis(models.TextChoices):
    """What «% качества» counts (REPORTS.md: schools differ; the report prints which one it used)."""

    PUPILS = "pupils", _("по учащимся: доля учащихся только с «4» и «5»")
    MARKS = "marks", _("по отметкам: доля отметок «4» и «5»")


class SouOneWeight(models.IntegerChoices):
    """The weight of a «1» in the СОУ (степень обученности по В. П. Симонову)."""

    SEVEN = 7, _("7 (по Симонову)")
    ZERO = 0, _("0")


class ReportFormat(models.TextChoices):
    HTML = "html", _("на экране")
    XLSX = "xlsx", _("Excel (XLSX)")
    PDF = "pdf", _("PDF")


class JobStatus(models.TextChoices):
    QUEUED = "queued", _("в очереди")
    RUNNING = "running", _("готовится")
    READY = "ready", _("готов")
    FAILED = "failed", _("не удался")
