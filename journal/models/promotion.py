from django.db import models
from django.utils.translation import gettext_lazy as _

from .school_calendar import SchoolYear
from .structure import SchoolClass


class PromotionDecision(models.TextChoices):
    PROMOTE = "promote", _("переведён в следующий класс")
    HOLD_BACK = "hold_back", _("оставлен на повторное обучение")
    GRADUATE = "graduate", _("выпускник")
    LEAVE = "leave", _("выбывает")


class Promotion(models.Model):
    """The end-of-year decision for one pupil (перевод, выпуск, повторное обучение), previewed then applied."""

    year = models.ForeignKey(
        SchoolYear, verbose_name=_("учебный год"), on_delete=models.CASCADE, related_name="promotions"
    )
    pupil = models.ForeignKey(
        "accounts.PupilProfile", verbose_name=_("учащийся"), on_delete=models.CASCADE, related_name="promotions"
    )
    from_class = models.ForeignKey(
        SchoolClass, verbose_name=_("класс"), on_delete=models.CASCADE, related_name="promotions_out"
    )
    decision = models.CharField(_("решение"), max_length=10, choices=PromotionDecision.choices)
    target_class = models.ForeignKey(
        SchoolClass,
        verbose_name=_("класс в новом году"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="promotions_in",
    )
    applied_at = models.DateTimeField(_("применено"), null=True, blank=True)

    class Meta:
        verbose_name = _("перевод учащегося")
        verbose_name_plural = _("перевод учащихся")
        ordering = ["from_class", "pupil__user__last_name"]
        constraints = [models.UniqueConstraint(fields=["year", "pupil"], name="uniq_promotion")]

    def __str__(self) -> str:
        return f"{self.pupil}: {self.get_decision_display()}"
