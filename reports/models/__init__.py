"""The reports' own records: each school's report settings and audit settings, and the stored results of report jobs."""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import JobStatus, QualityBasis, ReportFormat, SouOneWeight
from .remarks import AuditRemark
from .statements import AuditStatement, AuditStatementRecipient

__all__ = [
    "AuditRemark",
    "AuditSettings",
    "AuditStatement",
    "AuditStatementRecipient",
    "ReportJob",
    "ReportSettings",
]


class ReportSettings(models.Model):
    """How a school counts its report figures, where schools differ; each report prints the choice it used."""

    school = models.OneToOneField(
        "accounts.School", verbose_name=_("школа"), on_delete=models.CASCADE, related_name="report_settings"
    )
    quality_basis = models.CharField(
        _("% качества считается"), max_length=8, choices=QualityBasis.choices, default=QualityBasis.PUPILS
    )
    sou_one_weight = models.PositiveSmallIntegerField(
        _("вес отметки «1» в СОУ"), choices=SouOneWeight.choices, default=SouOneWeight.SEVEN
    )
    divergence_threshold = models.DecimalField(
        _("порог расхождения отметки за период и среднего балла"),
        max_digits=3,
        decimal_places=2,
        default=Decimal("0.60"),
        validators=[MinValueValidator(Decimal("0.10")), MaxValueValidator(Decimal("3.00"))],
        help_text=_("Отметка, отличающаяся от средневзвешенного балла больше чем на порог, попадает в отчёт."),
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто изменил"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("когда"), auto_now=True)

    class Meta:
        verbose_name = _("настройки отчётов")
        verbose_name_plural = _("настройки отчётов")

    def __str__(self) -> str:
        return str(self.school)


class ReportJob(models.Model):
    """A report export made in the background (a whole school's XLSX or PDF): the job, its state and its file.

    The file is kept in the database, as the paper diaries' PDFs are: the web and Celery machines share nothing else.
    """

    school = models.ForeignKey(
        "accounts.School", verbose_name=_("школа"), on_delete=models.CASCADE, related_name="report_jobs"
    )
    report = models.CharField(_("отчёт"), max_length=40)
    params = models.JSONField(_("параметры"), default=dict)
    fmt = models.CharField(_("формат"), max_length=8, choices=ReportFormat.choices)
    title = models.CharField(_("название"), max_length=300)
    status = models.CharField(_("состояние"), max_length=8, choices=JobStatus.choices, default=JobStatus.QUEUED)
    progress_done = models.PositiveIntegerField(_("готово"), default=0)
    progress_total = models.PositiveIntegerField(_("всего"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("заказал"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("заказан"), auto_now_add=True)
    started_at = models.DateTimeField(_("начат"), null=True, blank=True)
    finished_at = models.DateTimeField(_("готов"), null=True, blank=True)
    file = models.BinaryField(_("файл"), null=True, blank=True)
    file_name = models.CharField(_("имя файла"), max_length=200, blank=True)
    error = models.TextField(_("ошибка"), blank=True)

    class Meta:
        verbose_name = _("выгрузка отчёта")
        verbose_name_plural = _("выгрузки отчётов")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="reports_job_user_idx")]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_fmt_display()})"


class AuditSettings(models.Model):
    """The deadlines the deputy's audit holds the journal to, where a school sets its own; the seeds' by default.

    The lesson record by 24:00 of the lesson day [002 §4.4.1]; homework during the lesson or within 1.5 h after the
    class's last lesson of the day [003 §2.8]; marks by the next lesson of the subject, essays and dictations within
    7 days [003 §2.6]; period marks at the latest 2 days before the period ends [002 §5.4].
    """

    school = models.OneToOneField(
        "accounts.School", verbose_name=_("школа"), on_delete=models.CASCADE, related_name="audit_settings"
    )
    record_grace_days = models.PositiveSmallIntegerField(
        _("запись об уроке: дней после дня урока"),
        default=0,
        validators=[MaxValueValidator(14)],
        help_text=_("0: тема урока вносится до 24:00 дня урока."),
    )
    homework_minutes = models.PositiveSmallIntegerField(
        _("домашнее задание: минут после последнего урока класса"),
        default=90,
        validators=[MaxValueValidator(24 * 60)],
        help_text=_(
            "Задание вносится во время урока или не позднее этого срока после последнего урока класса в этот день."
        ),
    )
    mark_next_lessons = models.PositiveSmallIntegerField(
        _("отметки: не позднее какого следующего урока предмета"),
        default=1,
        validators=[MinValueValidator(1), MaxValueValidator(10)],
        help_text=_("1: отметки за урок выставляются к следующему уроку предмета."),
    )
    essay_days = models.PositiveSmallIntegerField(
        _("сочинения, изложения, диктанты: дней на проверку"),
        default=7,
        validators=[MinValueValidator(1), MaxValueValidator(30)],
    )
    period_mark_days_before_end = models.PositiveSmallIntegerField(
        _("отметки за период: не позднее чем за столько дней до конца периода"),
        default=2,
        validators=[MaxValueValidator(14)],
    )
    few_marks_grace_days = models.PositiveSmallIntegerField(
        _("накопляемость: дней в периоде до проверки «нет отметок / одна отметка»"),
        default=14,
        validators=[MaxValueValidator(60)],
    )
    near_end_days = models.PositiveSmallIntegerField(
        _("накопляемость: «меньше минимума» проверяется за столько дней до конца периода"),
        default=14,
        validators=[MaxValueValidator(60)],
    )
    max_gap_days = models.PositiveSmallIntegerField(
        _("накопляемость: наибольший промежуток между отметками ученика, дней"),
        default=21,
        validators=[MinValueValidator(7), MaxValueValidator(90)],
    )
    plan_behind_lessons = models.PositiveSmallIntegerField(
        _("КТП: отставание от плана, уроков"),
        default=2,
        validators=[MinValueValidator(1), MaxValueValidator(20)],
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто изменил"), on_delete=models.PROTECT, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(_("когда"), auto_now=True)

    class Meta:
        verbose_name = _("настройки проверки журнала")
        verbose_name_plural = _("настройки проверки журнала")

    def __str__(self) -> str:
        return str(self.school)
