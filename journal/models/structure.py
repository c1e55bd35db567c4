from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from guardian.models import UserObjectPermissionBase
from simple_history.models import HistoricalRecords

from ..choices import GRADE_CHOICES
from .school_calendar import SchoolYear, grade_validators


class Subject(models.Model):
    """A subject taught at the school (учебный предмет)."""

    school = models.ForeignKey(
        "accounts.School", verbose_name=_("школа"), on_delete=models.PROTECT, related_name="subjects"
    )
    name = models.CharField(_("название"), max_length=150)
    short_name = models.CharField(_("краткое название"), max_length=40, blank=True)
    order = models.PositiveSmallIntegerField(_("порядок в списках"), default=100)

    class Meta:
        verbose_name = _("предмет")
        verbose_name_plural = _("предметы")
        ordering = ["order", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="uniq_subject_name")]

    def __str__(self) -> str:
        return self.name


class SchoolClass(models.Model):
    """A class of one year, such as 5 «А» (параллель + литера)."""

    year = models.ForeignKey(
        SchoolYear, verbose_name=_("учебный год"), on_delete=models.PROTECT, related_name="classes"
    )
    grade = models.PositiveSmallIntegerField(_("параллель"), choices=GRADE_CHOICES, validators=grade_validators)
    letter = models.CharField(_("литера"), max_length=4)
    class_teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("классный руководитель"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="led_classes",
    )

    class Meta:
        verbose_name = _("класс")
        verbose_name_plural = _("классы")
        ordering = ["year", "grade", "letter"]
        constraints = [models.UniqueConstraint(fields=["year", "grade", "letter"], name="uniq_class")]
        permissions = [
            ("view_class_journal", _("Просмотр журнала класса")),
            ("manage_class", _("Классное руководство")),
        ]

    def __str__(self) -> str:
        return f"{self.grade} «{self.letter}»"

    @property
    def name(self) -> str:
        return str(self)


class Subgroup(models.Model):
    """Part of a class taught separately (a language group, IT, labour lessons)."""

    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("класс"), on_delete=models.CASCADE, related_name="subgroups"
    )
    name = models.CharField(_("название"), max_length=60)
    pupils = models.ManyToManyField(
        "accounts.PupilProfile", verbose_name=_("учащиеся"), related_name="subgroups", blank=True
    )

    class Meta:
        verbose_name = _("подгруппа")
        verbose_name_plural = _("подгруппы")
        ordering = ["school_class", "name"]
        constraints = [models.UniqueConstraint(fields=["school_class", "name"], name="uniq_subgroup")]

    def __str__(self) -> str:
        return f"{self.school_class}, {self.name}"


class CurriculumEntry(models.Model):
    """A line of the curriculum (учебный план): hours per week of a subject in a class."""

    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("класс"), on_delete=models.CASCADE, related_name="curriculum"
    )
    subject = models.ForeignKey(Subject, verbose_name=_("предмет"), on_delete=models.PROTECT, related_name="+")
    hours_per_week = models.DecimalField(
        _("часов в неделю"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0)]
    )
    is_pass_fail = models.BooleanField(_("зачёт/незачёт"), default=False)
    split_into_subgroups = models.BooleanField(_("делится на подгруппы"), default=False)

    class Meta:
        verbose_name = _("строка учебного плана")
        verbose_name_plural = _("учебный план")
        ordering = ["school_class", "subject__order", "subject__name"]
        constraints = [models.UniqueConstraint(fields=["school_class", "subject"], name="uniq_curriculum_entry")]

    def __str__(self) -> str:
        return f"{self.school_class}: {self.subject} — {self.hours_per_week} ч."


class TeachingAssignment(models.Model):
    """Учебная нагрузка: a teacher teaches a subject to a class or one of its subgroups for a year."""

    year = models.ForeignKey(
        SchoolYear, verbose_name=_("учебный год"), on_delete=models.PROTECT, related_name="assignments"
    )
    teacher = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("учитель"), on_delete=models.PROTECT, related_name="assignments"
    )
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("класс"), on_delete=models.PROTECT, related_name="assignments"
    )
    subgroup = models.ForeignKey(
        Subgroup,
        verbose_name=_("подгруппа"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
    )
    subject = models.ForeignKey(
        Subject, verbose_name=_("предмет"), on_delete=models.PROTECT, related_name="assignments"
    )
    hours_per_week = models.DecimalField(
        _("часов в неделю"), max_digits=4, decimal_places=1, validators=[MinValueValidator(0)]
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("учебная нагрузка")
        verbose_name_plural = _("учебная нагрузка")
        ordering = ["school_class", "subject__order", "subject__name", "subgroup__name"]
        constraints = [
            # Two constraints because NULL subgroups never compare equal in a plain unique constraint.
            models.UniqueConstraint(
                fields=["school_class", "subject", "teacher"],
                condition=models.Q(subgroup__isnull=True),
                name="uniq_assignment_whole_class",
            ),
            models.UniqueConstraint(
                fields=["school_class", "subject", "subgroup", "teacher"],
                condition=models.Q(subgroup__isnull=False),
                name="uniq_assignment_subgroup",
            ),
        ]
        permissions = [
            ("view_assignment_journal", _("Просмотр журнала по нагрузке")),
            ("edit_assignment_journal", _("Ведение журнала по нагрузке")),
        ]

    def __str__(self) -> str:
        group = f", {self.subgroup.name}" if self.subgroup_id else ""
        return f"{self.subject} — {self.school_class}{group}"

    def clean(self) -> None:
        if self.subgroup_id and self.school_class_id and self.subgroup.school_class_id != self.school_class_id:
            raise ValidationError({"subgroup": _("Подгруппа принадлежит другому классу.")})
        if self.school_class_id and self.year_id and self.school_class.year_id != self.year_id:
            raise ValidationError({"school_class": _("Класс относится к другому учебному году.")})


class Enrollment(models.Model):
    """A pupil belongs to a class from one date to another (движение учащихся)."""

    pupil = models.ForeignKey(
        "accounts.PupilProfile", verbose_name=_("учащийся"), on_delete=models.PROTECT, related_name="enrollments"
    )
    school_class = models.ForeignKey(
        SchoolClass, verbose_name=_("класс"), on_delete=models.PROTECT, related_name="enrollments"
    )
    date_from = models.DateField(_("зачислен с"))
    date_to = models.DateField(_("последний день в классе"), null=True, blank=True)
    reason_in = models.CharField(_("основание зачисления"), max_length=200, blank=True)
    reason_out = models.CharField(_("основание выбытия"), max_length=200, blank=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("зачисление в класс")
        verbose_name_plural = _("зачисления в классы")
        ordering = ["school_class", "pupil__user__last_name", "pupil__user__first_name"]
        indexes = [models.Index(fields=["school_class", "date_from"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(date_to__isnull=True) | models.Q(date_to__gte=models.F("date_from")),
                name="enrollment_dates_order",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil} — {self.school_class}"

    def clean(self) -> None:
        if self.date_to and self.date_from and self.date_to < self.date_from:
            raise ValidationError({"date_to": _("Дата выбытия не может быть раньше даты зачисления.")})


class TeachingAssignmentUserObjectPermission(UserObjectPermissionBase):
    """Direct object permissions on teaching assignments (the teacher who holds it)."""

    content_object = models.ForeignKey(TeachingAssignment, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("право на учебную нагрузку")
        verbose_name_plural = _("права на учебную нагрузку")


class SchoolClassUserObjectPermission(UserObjectPermissionBase):
    """Direct object permissions on classes (the class teacher)."""

    content_object = models.ForeignKey(SchoolClass, on_delete=models.CASCADE)

    class Meta(UserObjectPermissionBase.Meta):
        verbose_name = _("право на класс")
        verbose_name_plural = _("права на классы")
