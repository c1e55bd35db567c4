from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from ..choices import GRADE_CHOICES, WEEK_CHOICES, DayKind, PeriodKind, YearStatus

grade_validators = [MinValueValidator(1), MaxValueValidator(11)]


class SchoolYear(models.Model):
    """A school's academic year (учебный год), opened in late August and closed in June."""

    school = models.ForeignKey(
        "accounts.School", verbose_name=_("школа"), on_delete=models.PROTECT, related_name="years"
    )
    name = models.CharField(_("название"), max_length=20, help_text=_("например, 2026/2027"))
    start_date = models.DateField(_("начало учебного года"))
    end_date = models.DateField(_("окончание учебного года"))
    status = models.CharField(_("состояние"), max_length=8, choices=YearStatus.choices, default=YearStatus.DRAFT)
    promoted_at = models.DateTimeField(_("перевод учащихся проведён"), null=True, blank=True)

    class Meta:
        verbose_name = _("учебный год")
        verbose_name_plural = _("учебные годы")
        ordering = ["school", "-start_date"]
        constraints = [
            models.UniqueConstraint(fields=["school", "name"], name="uniq_year_name"),
            models.CheckConstraint(condition=models.Q(end_date__gt=models.F("start_date")), name="year_dates_order"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_closed(self) -> bool:
        return self.status == YearStatus.CLOSED

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date <= self.start_date:
            raise ValidationError(_("Окончание учебного года должно быть позже его начала."))


class GradeSettings(models.Model):
    """Per grade level of a year: the working week and the scheme of study periods."""

    year = models.ForeignKey(SchoolYear, verbose_name=_("учебный год"), on_delete=models.CASCADE, related_name="grades")
    grade = models.PositiveSmallIntegerField(_("параллель"), choices=GRADE_CHOICES, validators=grade_validators)
    days_per_week = models.PositiveSmallIntegerField(_("учебная неделя"), choices=WEEK_CHOICES, default=5)
    period_kind = models.CharField(
        _("учебные периоды"), max_length=10, choices=PeriodKind.choices, default=PeriodKind.QUARTER
    )

    class Meta:
        verbose_name = _("настройки параллели")
        verbose_name_plural = _("настройки параллелей")
        ordering = ["year", "grade"]
        constraints = [models.UniqueConstraint(fields=["year", "grade"], name="uniq_grade_settings")]

    def __str__(self) -> str:
        return f"{self.year}: {self.grade} кл."


class StudyPeriod(models.Model):
    """A study period (четверть, триместр, полугодие) with its dates; grades use the kind their settings name."""

    year = models.ForeignKey(
        SchoolYear, verbose_name=_("учебный год"), on_delete=models.CASCADE, related_name="periods"
    )
    kind = models.CharField(_("вид"), max_length=10, choices=PeriodKind.choices)
    number = models.PositiveSmallIntegerField(_("номер"))
    start_date = models.DateField(_("начало"))
    end_date = models.DateField(_("окончание"))

    class Meta:
        verbose_name = _("учебный период")
        verbose_name_plural = _("учебные периоды")
        ordering = ["year", "kind", "number"]
        constraints = [
            models.UniqueConstraint(fields=["year", "kind", "number"], name="uniq_study_period"),
            models.CheckConstraint(condition=models.Q(end_date__gte=models.F("start_date")), name="period_dates_order"),
        ]

    def __str__(self) -> str:
        return f"{self.number} {self.get_kind_display()}"

    def clean(self) -> None:
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise ValidationError(_("Окончание периода не может быть раньше его начала."))


class Vacation(models.Model):
    """School holidays (каникулы) for a range of grades: no lessons, but working days for staff."""

    year = models.ForeignKey(
        SchoolYear, verbose_name=_("учебный год"), on_delete=models.CASCADE, related_name="vacations"
    )
    name = models.CharField(_("название"), max_length=100)
    start_date = models.DateField(_("начало"))
    end_date = models.DateField(_("окончание"))
    grade_from = models.PositiveSmallIntegerField(_("с параллели"), default=1, validators=grade_validators)
    grade_to = models.PositiveSmallIntegerField(_("по параллель"), default=11, validators=grade_validators)

    class Meta:
        verbose_name = _("каникулы")
        verbose_name_plural = _("каникулы")
        ordering = ["year", "start_date"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end_date__gte=models.F("start_date")), name="vacation_dates_order"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.start_date:%d.%m}–{self.end_date:%d.%m.%Y})"


class CalendarDay(models.Model):
    """An exception to the weekly rhythm: a public holiday, a transferred working day, or a school's extra day off."""

    year = models.ForeignKey(
        SchoolYear, verbose_name=_("учебный год"), on_delete=models.CASCADE, related_name="calendar_days"
    )
    date = models.DateField(_("дата"))
    kind = models.CharField(_("вид дня"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("описание"), max_length=200, blank=True)
    grade_from = models.PositiveSmallIntegerField(_("с параллели"), default=1, validators=grade_validators)
    grade_to = models.PositiveSmallIntegerField(_("по параллель"), default=11, validators=grade_validators)

    class Meta:
        verbose_name = _("особый день календаря")
        verbose_name_plural = _("особые дни календаря")
        ordering = ["year", "date"]
        indexes = [models.Index(fields=["year", "date"])]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y}: {self.get_kind_display()}"
