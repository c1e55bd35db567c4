"""The class journal's records: kinds of work, marks, attendance, homework, period marks, unlocks, substitutions."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from .school_calendar import StudyPeriod
from .structure import TeachingAssignment
from .timetable import Lesson


class MarkValue(models.TextChoices):
    """The values a current mark can take: 1–5, or зачёт/незачёт where the subject is pass/fail."""

    ONE = "1", "1"
    TWO = "2", "2"
    THREE = "3", "3"
    FOUR = "4", "4"
    FIVE = "5", "5"
    PASS = "зч", _("зачёт")
    FAIL = "нз", _("незачёт")


class AttendanceCode(models.TextChoices):
    ABSENT = "н", _("отсутствовал")
    ILL = "б", _("по болезни")
    EXCUSED = "у", _("по уважительной причине")
    UNEXCUSED = "п", _("по неуважительной причине")
    LATE = "оп", _("опоздание")


class PeriodMarkKind(models.TextChoices):
    PERIOD = "period", _("за учебный период")
    YEAR = "year", _("годовая")
    EXAM = "exam", _("экзаменационная")
    FINAL = "final", _("итоговая")


class WorkType(models.Model):
    """A kind of work (устный ответ, контрольная, диктант…) with the weight the school gives its marks."""

    school = models.ForeignKey(
        "accounts.School", verbose_name=_("школа"), on_delete=models.CASCADE, related_name="work_types"
    )
    name = models.CharField(_("вид работы"), max_length=80)
    short_name = models.CharField(_("сокращение"), max_length=12)
    weight = models.DecimalField(
        _("вес отметки"),
        max_digits=3,
        decimal_places=1,
        default=1,
        validators=[MinValueValidator(0.1), MaxValueValidator(10)],
    )
    is_control = models.BooleanField(_("контрольная работа"), default=False)
    allows_absent = models.BooleanField(
        _("отметка возможна при отсутствии"), default=False, help_text=_("например, домашняя работа, сданная позже")
    )
    order = models.PositiveSmallIntegerField(_("порядок"), default=100)

    class Meta:
        verbose_name = _("вид работы")
        verbose_name_plural = _("виды работ")
        ordering = ["school", "order", "name"]
        constraints = [models.UniqueConstraint(fields=["school", "name"], name="uniq_work_type")]

    def __str__(self) -> str:
        return self.name


class Mark(models.Model):
    """A current mark of a pupil for a lesson (up to two per lesson); cleared marks keep their row and history."""

    # The lesson's and the pupil's lookups use uniq_mark (lesson, pupil, position) and (pupil, lesson): no index of
    # their own. Fewer indexes, fewer writes; and no index holds a column a save changes (updated_at), see Meta.
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("урок"), on_delete=models.PROTECT, related_name="marks", db_index=False
    )
    pupil = models.ForeignKey(
        "accounts.PupilProfile",
        verbose_name=_("учащийся"),
        on_delete=models.PROTECT,
        related_name="marks",
        db_index=False,
    )
    position = models.PositiveSmallIntegerField(
        _("номер отметки за урок"), default=1, validators=[MinValueValidator(1), MaxValueValidator(2)]
    )
    value = models.CharField(_("отметка"), max_length=2, choices=MarkValue.choices, blank=True)
    work_type = models.ForeignKey(
        WorkType, verbose_name=_("вид работы"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто поставил"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    updated_at = models.DateTimeField(_("когда"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("отметка")
        verbose_name_plural = _("отметки")
        constraints = [models.UniqueConstraint(fields=["lesson", "pupil", "position"], name="uniq_mark")]
        # A changed mark is updated in place (a PostgreSQL HOT update: no index is written) when no indexed column
        # changes and its page has room (fillfactor 80, migration 0012). So updated_at and updated_by carry no index:
        # the e-mail scan (diary.selectors.notifications.records_changed) finds what changed since through the
        # history table's indexed history_date, and «Что нового» reads one pupil's rows through (pupil, lesson).
        indexes = [models.Index(fields=["pupil", "lesson"])]

    def __str__(self) -> str:
        return f"{self.pupil}: {self.value or '—'} ({self.lesson})"


class Attendance(models.Model):
    """A pupil's absence or lateness at a lesson; a cleared code keeps its row and history."""

    # Indexed as Mark is, for the same reason: uniq_attendance and (pupil, lesson) serve every lookup, and a changed
    # code is updated in place (no index on updated_at or updated_by).
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("урок"), on_delete=models.PROTECT, related_name="attendance", db_index=False
    )
    pupil = models.ForeignKey(
        "accounts.PupilProfile",
        verbose_name=_("учащийся"),
        on_delete=models.PROTECT,
        related_name="attendance",
        db_index=False,
    )
    code = models.CharField(_("отметка о посещении"), max_length=2, choices=AttendanceCode.choices, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("кто отметил"),
        on_delete=models.PROTECT,
        related_name="+",
        db_index=False,
    )
    updated_at = models.DateTimeField(_("когда"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("посещаемость")
        verbose_name_plural = _("посещаемость")
        constraints = [models.UniqueConstraint(fields=["lesson", "pupil"], name="uniq_attendance")]
        indexes = [models.Index(fields=["pupil", "lesson"])]

    def __str__(self) -> str:
        return f"{self.pupil}: {self.code or '—'} ({self.lesson})"


class Homework(models.Model):
    """Homework given at a lesson: for the whole class or group, or for chosen pupils only."""

    lesson = models.ForeignKey(Lesson, verbose_name=_("урок"), on_delete=models.PROTECT, related_name="homework")
    text = models.TextField(_("задание"))
    # The day it is due; empty: the next lesson of the subject for the class or group (the diary shows it there).
    due_date = models.DateField(_("к какому дню"), null=True, blank=True)
    pupils = models.ManyToManyField(
        "accounts.PupilProfile", verbose_name=_("только для учащихся"), blank=True, related_name="individual_homework"
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто задал"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("когда"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("домашнее задание")
        verbose_name_plural = _("домашние задания")
        ordering = ["lesson", "pk"]
        # The diary's homework with a day set (diary/selectors/days.py): found by that day, not by a scan.
        indexes = [
            models.Index(fields=["due_date"], condition=models.Q(due_date__isnull=False), name="homework_due_date")
        ]

    def __str__(self) -> str:
        return f"{self.lesson}: {self.text[:40]}"


class PeriodMark(models.Model):
    """A period, year, exam or final mark: proposed by the teacher, then set by the teacher or the class teacher."""

    assignment = models.ForeignKey(
        TeachingAssignment, verbose_name=_("нагрузка"), on_delete=models.PROTECT, related_name="period_marks"
    )
    pupil = models.ForeignKey(
        "accounts.PupilProfile", verbose_name=_("учащийся"), on_delete=models.PROTECT, related_name="period_marks"
    )
    kind = models.CharField(_("вид"), max_length=8, choices=PeriodMarkKind.choices)
    period = models.ForeignKey(
        StudyPeriod, verbose_name=_("учебный период"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    proposed_value = models.CharField(_("предложено"), max_length=2, choices=MarkValue.choices, blank=True)
    value = models.CharField(_("выставлено"), max_length=2, choices=MarkValue.choices, blank=True)
    override_reason = models.CharField(_("основание (мало отметок)"), max_length=300, blank=True)
    overridden_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("разрешил без минимума отметок"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто выставил"), on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(_("когда"), auto_now=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("итоговая отметка")
        verbose_name_plural = _("итоговые отметки")
        constraints = [
            models.UniqueConstraint(
                fields=["assignment", "pupil", "kind", "period"],
                condition=models.Q(period__isnull=False),
                name="uniq_period_mark",
            ),
            models.UniqueConstraint(
                fields=["assignment", "pupil", "kind"],
                condition=models.Q(period__isnull=True),
                name="uniq_year_mark",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil}: {self.value or self.proposed_value or '—'} ({self.get_kind_display()})"


class EditWindow(models.Model):
    """A time-boxed unlock of an assignment's or one lesson's marks after the 10-working-day lock, with a reason."""

    assignment = models.ForeignKey(
        TeachingAssignment, verbose_name=_("нагрузка"), on_delete=models.CASCADE, related_name="edit_windows"
    )
    lesson = models.ForeignKey(
        Lesson, verbose_name=_("урок"), on_delete=models.CASCADE, null=True, blank=True, related_name="edit_windows"
    )
    reason = models.TextField(_("основание"))
    valid_until = models.DateTimeField(_("открыто до"))
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто открыл"), on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(_("когда открыто"), auto_now_add=True)

    class Meta:
        verbose_name = _("окно исправлений")
        verbose_name_plural = _("окна исправлений")
        ordering = ["-opened_at"]

    def __str__(self) -> str:
        return f"{self.lesson or self.assignment} до {self.valid_until:%d.%m.%Y %H:%M}"


class Substitution(models.Model):
    """A teacher replaces another for one lesson (замена); the substitute may fill that lesson only."""

    lesson = models.OneToOneField(Lesson, verbose_name=_("урок"), on_delete=models.CASCADE, related_name="substitution")
    substitute = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("заменяющий учитель"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("причина замены"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто оформил"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("когда оформлено"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("замена урока")
        verbose_name_plural = _("замены уроков")
        ordering = ["-lesson__date"]

    def __str__(self) -> str:
        return f"{self.lesson}: {self.substitute}"


class PlanTopic(models.Model):
    """A line of the calendar-thematic plan (КТП) of an assignment: an ordered topic with its hours, and optionally
    the planned homework and kind of work (or control) of its lessons."""

    assignment = models.ForeignKey(
        TeachingAssignment, verbose_name=_("нагрузка"), on_delete=models.CASCADE, related_name="plan_topics"
    )
    order = models.PositiveIntegerField(_("№ п/п"))
    title = models.CharField(_("тема"), max_length=500)
    hours = models.PositiveSmallIntegerField(_("часов"), default=1, validators=[MinValueValidator(1)])
    section = models.CharField(_("раздел"), max_length=300, blank=True)
    # What the plan gives for the lessons of the topic: the lesson record opens with them filled in (the teacher's
    # record is the lesson's own; these stay the plan).
    homework = models.TextField(_("домашнее задание"), blank=True)
    work_type = models.ForeignKey(
        WorkType, verbose_name=_("вид работы"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("тема КТП")
        verbose_name_plural = _("календарно-тематическое планирование")
        ordering = ["assignment", "order"]
        constraints = [models.UniqueConstraint(fields=["assignment", "order"], name="uniq_plan_topic_order")]

    def __str__(self) -> str:
        return f"{self.order}. {self.title}"


class SubjectExemption(models.Model):
    """A pupil released from a subject (освобождение) for a study period or the whole year, with its reason: kept
    by the class teacher; the pupil then counts in none of that subject's report figures (REPORTS.md: N)."""

    pupil = models.ForeignKey(
        "accounts.PupilProfile", verbose_name=_("учащийся"), on_delete=models.PROTECT, related_name="exemptions"
    )
    subject = models.ForeignKey(
        "journal.Subject", verbose_name=_("предмет"), on_delete=models.PROTECT, related_name="exemptions"
    )
    year = models.ForeignKey(
        "journal.SchoolYear", verbose_name=_("учебный год"), on_delete=models.PROTECT, related_name="exemptions"
    )
    # Empty: the whole year.
    period = models.ForeignKey(
        StudyPeriod,
        verbose_name=_("учебный период"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exemptions",
    )
    reason = models.CharField(_("основание"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("кто внёс"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("когда"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        verbose_name = _("освобождение от предмета")
        verbose_name_plural = _("освобождения от предметов")
        ordering = ["year", "pupil", "subject", "period"]
        constraints = [
            models.UniqueConstraint(fields=["pupil", "subject", "year", "period"], name="uniq_exemption_period"),
            models.UniqueConstraint(
                fields=["pupil", "subject", "year"], condition=models.Q(period__isnull=True), name="uniq_exemption_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.pupil}: {self.subject} ({self.period or self.year})"
