from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .school_calendar import SchoolYear
from .structure import TeachingAssignment

WEEKDAY_CHOICES = [
    (0, _("понедельник")),
    (1, _("вторник")),
    (2, _("среда")),
    (3, _("четверг")),
    (4, _("пятница")),
    (5, _("суббота")),
]


class Room(models.Model):
    """A classroom (кабинет)."""

    school = models.ForeignKey(
        "accounts.School", verbose_name=_("школа"), on_delete=models.PROTECT, related_name="rooms"
    )
    name = models.CharField(_("кабинет"), max_length=40)
    capacity = models.PositiveSmallIntegerField(_("мест"), null=True, blank=True)

    class Meta:
        verbose_name = _("кабинет")
        verbose_name_plural = _("кабинеты")
        ordering = ["school", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="uniq_room")]

    def __str__(self) -> str:
        return self.name


class Bell(models.Model):
    """A lesson slot of the bell schedule (расписание звонков): number, start and end time."""

    year = models.ForeignKey(SchoolYear, verbose_name=_("учебный год"), on_delete=models.CASCADE, related_name="bells")
    number = models.PositiveSmallIntegerField(_("урок №"), validators=[MinValueValidator(0), MaxValueValidator(12)])
    start_time = models.TimeField(_("начало"))
    end_time = models.TimeField(_("окончание"))

    class Meta:
        verbose_name = _("звонок")
        verbose_name_plural = _("расписание звонков")
        ordering = ["year", "number"]
        constraints = [models.UniqueConstraint(fields=["year", "number"], name="uniq_bell")]

    def __str__(self) -> str:
        return f"{self.number}. {self.start_time:%H:%M}–{self.end_time:%H:%M}"

    def clean(self) -> None:
        if self.start_time and self.end_time and self.end_time <= self.start_time:
            raise ValidationError(_("Урок должен заканчиваться позже, чем начинается."))


class TimetableEntry(models.Model):
    """A weekly lesson of the timetable: an assignment on a weekday at a lesson number, in a room, for some dates."""

    year = models.ForeignKey(
        SchoolYear, verbose_name=_("учебный год"), on_delete=models.CASCADE, related_name="timetable"
    )
    assignment = models.ForeignKey(
        TeachingAssignment, verbose_name=_("нагрузка"), on_delete=models.CASCADE, related_name="timetable_entries"
    )
    weekday = models.PositiveSmallIntegerField(_("день недели"), choices=WEEKDAY_CHOICES)
    number = models.PositiveSmallIntegerField(_("урок №"), validators=[MinValueValidator(0), MaxValueValidator(12)])
    room = models.ForeignKey(
        Room, verbose_name=_("кабинет"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    valid_from = models.DateField(_("действует с"))
    valid_to = models.DateField(_("действует по"), null=True, blank=True)

    class Meta:
        verbose_name = _("урок в расписании")
        verbose_name_plural = _("расписание уроков")
        ordering = ["year", "weekday", "number"]
        indexes = [models.Index(fields=["year", "weekday", "number"])]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()}, {self.number} урок: {self.assignment}"


class Lesson(models.Model):
    """A dated lesson of a teaching assignment: a column of the class journal."""

    assignment = models.ForeignKey(
        TeachingAssignment, verbose_name=_("нагрузка"), on_delete=models.PROTECT, related_name="lessons"
    )
    date = models.DateField(_("дата"))
    number = models.PositiveSmallIntegerField(_("урок №"))
    room = models.ForeignKey(
        Room, verbose_name=_("кабинет"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    timetable_entry = models.ForeignKey(
        TimetableEntry,
        verbose_name=_("строка расписания"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
    )
    topic = models.CharField(_("тема урока"), max_length=500, blank=True)
    plan_topic = models.ForeignKey(
        "journal.PlanTopic",
        verbose_name=_("тема по КТП"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
    )
    work_type = models.ForeignKey(
        "journal.WorkType",
        verbose_name=_("вид работы на уроке"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    is_control = models.BooleanField(_("контрольная работа"), default=False)
    taught_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("провёл урок"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("заполняется при замене; иначе урок провёл учитель по нагрузке"),
    )
    recorded_at = models.DateTimeField(_("запись об уроке внесена"), null=True, blank=True)
    attendance_taken_at = models.DateTimeField(
        _("посещаемость отмечена"),
        null=True,
        blank=True,
        help_text=_("когда учитель впервые отметил посещаемость урока (отсутствующих или «все присутствуют»)"),
    )
    locked_at = models.DateTimeField(
        _("отметки закрыты"),
        null=True,
        blank=True,
        help_text=_("проставляется ежедневной задачей; правило действует и без неё"),
    )

    # History of the lesson record (topic, kind of work, control, who taught). The layout deletes only lessons
    # without records, with a raw delete, so no history rows are written for them.
    history = HistoricalRecords(excluded_fields=["room", "timetable_entry", "locked_at", "attendance_taken_at"])

    class Meta:
        verbose_name = _("урок")
        verbose_name_plural = _("уроки")
        ordering = ["assignment", "date", "number"]
        indexes = [
            models.Index(fields=["date", "number"]),
            # The daily lock task looks only at lessons not yet stamped: a small partial index once the year runs.
            models.Index(fields=["date"], condition=models.Q(locked_at__isnull=True), name="lesson_unlocked_by_date"),
        ]
        constraints = [models.UniqueConstraint(fields=["assignment", "date", "number"], name="uniq_lesson")]

    def __str__(self) -> str:
        return f"{self.date:%d.%m.%Y}, {self.number} урок: {self.assignment}"
