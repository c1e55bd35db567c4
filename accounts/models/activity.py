"""What the «Активность пользователей» report counts: sign-ins and the days a user opened the site.

Only the user, their school and the time (a sign-in) or the day (a visit) are kept: no address, no browser. Rows
older than a year are deleted every day (accounts.tasks.purge_activity_records).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class LoginRecord(models.Model):
    """A sign-in of a user of a school."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="+"
    )
    school = models.ForeignKey("accounts.School", verbose_name=_("школа"), on_delete=models.CASCADE, related_name="+")
    at = models.DateTimeField(_("когда"), db_index=True)

    class Meta:
        verbose_name = _("вход в систему")
        verbose_name_plural = _("входы в систему")
        indexes = [models.Index(fields=["school", "at"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.at:%d.%m.%Y %H:%M}"


class UserVisit(models.Model):
    """A day on which a user of a school opened the site (one row per user per day, in the school's time zone)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("пользователь"), on_delete=models.CASCADE, related_name="+"
    )
    school = models.ForeignKey("accounts.School", verbose_name=_("школа"), on_delete=models.CASCADE, related_name="+")
    day = models.DateField(_("день"), db_index=True)

    class Meta:
        verbose_name = _("посещение")
        verbose_name_plural = _("посещения")
        constraints = [models.UniqueConstraint(fields=["user", "day"], name="uniq_user_visit")]
        indexes = [models.Index(fields=["school", "day"])]

    def __str__(self) -> str:
        return f"{self.user_id} {self.day:%d.%m.%Y}"
