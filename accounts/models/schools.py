from zoneinfo import available_timezones

from django.db import models
from django.utils.translation import gettext_lazy as _

TIME_ZONE_CHOICES = sorted((tz, tz) for tz in available_timezones() if "/" in tz and not tz.startswith("Etc"))


class School(models.Model):
    """A school: the tenant every school year, class and user belongs to."""

    name = models.CharField(_("полное наименование"), max_length=300)
    short_name = models.CharField(_("краткое наименование"), max_length=120)
    address = models.CharField(_("адрес"), max_length=300, blank=True)
    time_zone = models.CharField(_("часовой пояс"), max_length=64, choices=TIME_ZONE_CHOICES, default="Europe/Moscow")

    class Meta:
        verbose_name = _("школа")
        verbose_name_plural = _("школы")
        ordering = ["short_name"]

    def __str__(self) -> str:
        return self.short_name
