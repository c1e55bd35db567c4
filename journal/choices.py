from django.db import models
from django.utils.translation import gettext_lazy as _


class YearStatus(models.TextChoices):
    DRAFT = "draft", _("подготовка")
    OPEN = "open", _("идёт")
    CLOSED = "closed", _("закрыт")


class PeriodKind(models.TextChoices):
    QUARTER = "quarter", _("четверть")
    TRIMESTER = "trimester", _("триместр")
    HALF = "half", _("полугодие")


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("праздничный день")
    TRANSFER = "transfer", _("перенесённый выходной (пятидневка)")
    WORKDAY = "workday", _("перенесённый рабочий день (пятидневка)")
    DAY_OFF = "day_off", _("дополнительный выходной школы")


WEEK_CHOICES = [(5, _("пятидневная")), (6, _("шестидневная"))]
GRADES = range(1, 12)
GRADE_CHOICES = [(grade, str(grade)) for grade in GRADES]


class ImportKind(models.TextChoices):
    PUPILS = "pupils", _("учащиеся и родители")
    STAFF = "staff", _("сотрудники")
