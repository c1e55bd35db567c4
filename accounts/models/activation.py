from django.db import models
from django.utils.translation import gettext_lazy as _

from .users import User


class ActivationCode(models.Model):
    """A one-time code a person uses to set their own password on first login; re-issuing replaces it."""

    user = models.OneToOneField(
        User, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="activation_code"
    )
    code_hash = models.CharField(_("хеш кода"), max_length=128)
    issued_at = models.DateTimeField(_("выдан"))
    issued_by = models.ForeignKey(
        User, verbose_name=_("кем выдан"), on_delete=models.SET_NULL, null=True, related_name="+"
    )
    used_at = models.DateTimeField(_("использован"), null=True, blank=True)

    class Meta:
        verbose_name = _("код активации")
        verbose_name_plural = _("коды активации")

    def __str__(self) -> str:
        return f"{self.user}: {self.issued_at:%d.%m.%Y}"
