"""The archive's records: a school year's archive (its run, files and manifest), each archived file with its
SHA-256 and retention date, every download, and the printed class journals made in the background.

The files themselves live in Django's default storage (``MEDIA_ROOT``, or S3-compatible storage in production); the
database keeps what proves them: name, size, SHA-256, retention, and the manifest's own hash.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from ..choices import ArchiveKind, ArchiveStatus

__all__ = ["ArchiveClass", "ArchiveDownload", "ArchiveFile", "ArchiveYear", "JournalPrint"]


class ArchiveYear(models.Model):
    """The archive of one school year: built by a resumable background job once the year is closed (or on demand
    by 30 June); a second run changes nothing that is already archived."""

    school = models.ForeignKey(
        "accounts.School", verbose_name=_("школа"), on_delete=models.PROTECT, related_name="archives"
    )
    year = models.OneToOneField(
        "journal.SchoolYear", verbose_name=_("учебный год"), on_delete=models.PROTECT, related_name="archive"
    )
    status = models.CharField(_("состояние"), max_length=8, choices=ArchiveStatus.choices, default=ArchiveStatus.QUEUED)
    progress_done = models.PositiveIntegerField(_("готово"), default=0)
    progress_total = models.PositiveIntegerField(_("всего"), default=0)
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("запустил"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("запущен"), auto_now_add=True)
    started_at = models.DateTimeField(_("начат"), null=True, blank=True)
    finished_at = models.DateTimeField(_("готов"), null=True, blank=True)
    snapshot_at = models.DateTimeField(
        _("данные на момент"), null=True, blank=True, help_text=_("всё в архиве взято из данных на этот момент")
    )
    manifest_sha256 = models.CharField(_("SHA-256 описи"), max_length=64, blank=True)
    manifest_claimed_at = models.DateTimeField(
        _("опись составляется с"), null=True, blank=True, help_text=_("какой из параллельных задач писать опись")
    )
    error = models.TextField(_("ошибка"), blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("архив учебного года")
        verbose_name_plural = _("архивы учебных лет")
        ordering = ["-year__start_date"]

    def __str__(self) -> str:
        return f"Архив {self.year}"


class ArchiveClass(models.Model):
    """One class of a year's archive as a unit of work: the claim that lets several workers share the year (each
    class is taken by one of them, with a conditional UPDATE), its state, and what it cost."""

    archive = models.ForeignKey(ArchiveYear, verbose_name=_("архив"), on_delete=models.CASCADE, related_name="classes")
    school_class = models.ForeignKey(
        "journal.SchoolClass", verbose_name=_("класс"), on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(_("состояние"), max_length=8, choices=ArchiveStatus.choices, default=ArchiveStatus.QUEUED)
    started_at = models.DateTimeField(_("начат"), null=True, blank=True)
    finished_at = models.DateTimeField(_("готов"), null=True, blank=True)
    worker = models.CharField(_("исполнитель"), max_length=100, blank=True, help_text=_("узел и процесс"))
    seconds = models.FloatField(_("время, с"), null=True, blank=True)
    cpu_seconds = models.FloatField(_("время процессора, с"), null=True, blank=True)

    class Meta:
        verbose_name = _("класс в архиве учебного года")
        verbose_name_plural = _("классы в архиве учебного года")
        ordering = ["archive", "school_class__grade", "school_class__letter", "school_class"]
        constraints = [models.UniqueConstraint(fields=["archive", "school_class"], name="uniq_archive_class")]

    def __str__(self) -> str:
        return f"{self.archive}: {self.school_class}"


class ArchiveFile(models.Model):
    """An archived file: where it is in the storage, its size and SHA-256, what it is, how long it is kept. Read-only
    for everyone; removable only after ``retain_until``, by the admin, with an act (``removal_act``)."""

    archive = models.ForeignKey(ArchiveYear, verbose_name=_("архив"), on_delete=models.PROTECT, related_name="files")
    school_class = models.ForeignKey(
        "journal.SchoolClass",
        verbose_name=_("класс"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    kind = models.CharField(_("вид"), max_length=16, choices=ArchiveKind.choices)
    name = models.CharField(_("имя файла"), max_length=200)
    path = models.CharField(_("путь в хранилище"), max_length=300)
    content_type = models.CharField(_("тип"), max_length=60)
    size = models.PositiveBigIntegerField(_("размер, байт"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    signed = models.BooleanField(_("подписан (PAdES)"), default=False)
    created_at = models.DateTimeField(_("создан"))
    retain_until = models.DateField(_("хранить до"))
    removed_at = models.DateTimeField(_("выделен к уничтожению"), null=True, blank=True)
    removed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто выделил"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    removal_act = models.CharField(_("акт о выделении к уничтожению"), max_length=60, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("файл архива")
        verbose_name_plural = _("файлы архива")
        ordering = ["archive", "school_class__grade", "school_class__letter", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["archive", "path"], name="uniq_archive_file_path"),
            models.UniqueConstraint(
                fields=["archive", "school_class", "kind"],
                condition=models.Q(school_class__isnull=False),
                name="uniq_archive_class_kind",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ArchiveDownload(models.Model):
    """Every download of an archived file: who and when."""

    file = models.ForeignKey(ArchiveFile, verbose_name=_("файл"), on_delete=models.PROTECT, related_name="downloads")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("когда"), auto_now_add=True)

    class Meta:
        verbose_name = _("скачивание файла архива")
        verbose_name_plural = _("скачивания файлов архива")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.file} — {self.user} ({self.at:%d.%m.%Y %H:%M})"


class JournalPrint(models.Model):
    """A printed class journal (PDF) made in the background: one subject, a class or the whole school, for a
    period, half-year or the year. Resumable: each class finished is kept (``parts``) and not rendered again."""

    school = models.ForeignKey(
        "accounts.School", verbose_name=_("школа"), on_delete=models.PROTECT, related_name="journal_prints"
    )
    year = models.ForeignKey(
        "journal.SchoolYear", verbose_name=_("учебный год"), on_delete=models.PROTECT, related_name="+"
    )
    school_class = models.ForeignKey(
        "journal.SchoolClass",
        verbose_name=_("класс"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("пусто: все классы школы"),
    )
    assignment = models.ForeignKey(
        "journal.TeachingAssignment",
        verbose_name=_("предмет (нагрузка)"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("пусто: все предметы класса"),
    )
    start = models.DateField(_("с"))
    end = models.DateField(_("по"))
    title = models.CharField(_("название"), max_length=300)
    status = models.CharField(_("состояние"), max_length=8, choices=ArchiveStatus.choices, default=ArchiveStatus.QUEUED)
    progress_done = models.PositiveIntegerField(_("готово"), default=0)
    progress_total = models.PositiveIntegerField(_("всего"), default=0)
    parts = models.JSONField(
        _("готовые части"), default=dict, blank=True, help_text=_("класс → путь его PDF в хранилище")
    )
    path = models.CharField(_("путь итогового файла"), max_length=300, blank=True)
    size = models.PositiveBigIntegerField(_("размер, байт"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("заказал"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("заказан"), auto_now_add=True)
    started_at = models.DateTimeField(_("начат"), null=True, blank=True)
    finished_at = models.DateTimeField(_("готов"), null=True, blank=True)
    error = models.TextField(_("ошибка"), blank=True)

    class Meta:
        verbose_name = _("печать классного журнала")
        verbose_name_plural = _("печать классных журналов")
        ordering = ["-requested_at"]
        indexes = [models.Index(fields=["requested_by", "-requested_at"], name="archive_print_user_idx")]
        constraints = [
            models.CheckConstraint(condition=models.Q(start__lte=models.F("end")), name="journal_print_dates")
        ]

    def __str__(self) -> str:
        return self.title
