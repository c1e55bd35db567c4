from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from accounts.models import School, User
from journal.models import SchoolClass

from ..choices import EventKind


class Event(models.Model):
    """A school or class event or announcement, shown with its dates in pupils' and parents' diaries."""

    school = models.ForeignKey(School, verbose_name=_("школа"), on_delete=models.CASCADE, related_name="events")
    school_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("класс"),
        on_delete=models.CASCADE,
        related_name="events",
        null=True,
        blank=True,
        help_text=_("Пусто — для всей школы."),
    )
    kind = models.CharField(_("вид"), max_length=16, choices=EventKind.choices, default=EventKind.EVENT)
    title = models.CharField(_("заголовок"), max_length=200)
    text = models.TextField(_("текст"), blank=True)
    starts_on = models.DateField(_("дата"))
    ends_on = models.DateField(_("по"), null=True, blank=True, help_text=_("Для событий на несколько дней."))
    starts_at = models.TimeField(_("время"), null=True, blank=True)
    place = models.CharField(_("место"), max_length=200, blank=True)
    is_cancelled = models.BooleanField(_("отменено"), default=False)
    created_by = models.ForeignKey(User, verbose_name=_("автор"), on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("создано"), auto_now_add=True)
    updated_at = models.DateTimeField(_("изменено"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("событие или объявление")
        verbose_name_plural = _("события и объявления")
        ordering = ["starts_on", "starts_at", "pk"]
        indexes = [models.Index(fields=["school", "starts_on"]), models.Index(fields=["school_class", "starts_on"])]

    def __str__(self) -> str:
        return f"{self.starts_on:%d.%m.%Y} {self.title}"
