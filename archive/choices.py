from django.db import models
from django.utils.translation import gettext_lazy as _


class ArchiveStatus(models.TextChoices):
    QUEUED = "queued", _("в очереди")
    RUNNING = "running", _("идёт")
    DONE = "done", _("готово")
    FAILED = "failed", _("ошибка")


class ArchiveKind(models.TextChoices):
    SUMMARY_SHEET = "summary_sheet", _("сводная ведомость учёта успеваемости (PDF/A)")
    CLASS_JOURNAL = "class_journal", _("классный журнал за год (PDF)")
    CLASS_DATA = "class_data", _("данные класса за год (JSON)")
    MANIFEST = "manifest", _("опись архива (манифест)")
    COVER = "cover", _("титульный лист архива")


# How long each kind is kept, in years from the end of the school year [000 §7.6, 002 §6.5]: journals 5 years,
# summary sheets 25; the data of a class and the manifest as long as the longest of what they describe.
RETENTION_YEARS = {
    ArchiveKind.SUMMARY_SHEET: 25,
    ArchiveKind.CLASS_JOURNAL: 5,
    ArchiveKind.CLASS_DATA: 25,
    ArchiveKind.MANIFEST: 25,
    ArchiveKind.COVER: 25,
}
