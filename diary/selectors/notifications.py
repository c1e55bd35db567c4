"""Reads for e-mail notifications: preferences, who gets what about a pupil, the records a scan announces, the
data of a weekly digest, and the outbox as the administration sees it.

Each returns what its caller needs in a fixed number of queries, whatever the number of rows.
"""

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.conf import settings as django_settings
from django.db.models import Count, Min, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import ParentChild, PupilProfile, User
from journal.models import Attendance, Enrollment, GradeSettings, Mark, StudyPeriod

from ..access import visible_notification_settings
from ..choices import EmailStatus
from ..models import NotificationSettings, OutgoingEmail

# Preferences -------------------------------------------------------------------------------------------------------


def settings_for(user: User) -> NotificationSettings:
    """The user's preferences (``diary.access.visible_notification_settings``: their own); a user who never saved
    them gets an unsaved row with the model's defaults."""
    return visible_notification_settings(user).first() or NotificationSettings(user=user)


def settings_by_user(user_ids: Iterable[int]) -> dict[int, NotificationSettings]:
    """Preferences of many users (1 query); the defaults for those without a row."""
    ids = set(user_ids)
    found = {row.user_id: row for row in NotificationSettings.objects.filter(user_id__in=ids)}
    return {pk: found.get(pk) or NotificationSettings(user_id=pk) for pk in ids}


def emails_of(user: User, limit: int) -> list[OutgoingEmail]:
    """The user's latest e-mails, newest first (1 query)."""
    return list(
        OutgoingEmail.objects.filter(user=user)
        .only("kind", "subject", "status", "created_at", "sent_at", "send_after")
        .order_by("-created_at", "-pk")[:limit]
    )


def zone_of(time_zone: str | None) -> dt.tzinfo:
    """A school's time zone; the server's for a user without a school or with an unknown zone."""
    try:
        return zoneinfo.ZoneInfo(time_zone or django_settings.TIME_ZONE)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return zoneinfo.ZoneInfo(django_settings.TIME_ZONE)


# Who hears about a pupil ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    """A user who may get e-mails about a pupil: the pupil themself or one of their parents."""

    user_id: int
    email: str
    first_name: str
    middle_name: str
    is_active: bool
    zone: dt.tzinfo
    is_parent: bool

    @property
    def greeting_name(self) -> str:
        """«Ольга Петровна» for a parent, «Иван» for a pupil."""
        if self.is_parent:
            return " ".join(part for part in (self.first_name, self.middle_name) if part)
        return self.first_name


@dataclass
class PupilAudience:
    """A pupil's name and the users who may hear about them."""

    pupil_id: int
    name: str
    recipients: list[Recipient] = field(default_factory=list)


def _recipient(user: User, is_parent: bool) -> Recipient:
    return Recipient(
        user_id=user.pk,
        email=user.email,
        first_name=user.first_name,
        middle_name=user.middle_name,
        is_active=user.is_active,
        zone=zone_of(user.school.time_zone if user.school_id else None),
        is_parent=is_parent,
    )


def pupil_audiences(pupil_ids: Iterable[int]) -> dict[int, PupilAudience]:
    """Each pupil with the pupil's own user and their parents' (2 queries)."""
    ids = set(pupil_ids)
    audiences: dict[int, PupilAudience] = {}
    for pupil in PupilProfile.objects.filter(pk__in=ids).select_related("user__school"):
        audiences[pupil.pk] = PupilAudience(pupil.pk, pupil.user.full_name, [_recipient(pupil.user, False)])
    links = ParentChild.objects.filter(pupil_id__in=ids).select_related("parent__user__school").order_by("pk")
    for link in links:
        if link.pupil_id in audiences:
            audiences[link.pupil_id].recipients.append(_recipient(link.parent.user, True))
    return audiences


# New marks and absences ----------------------------------------------------------------------------------------------


# A row's updated_at is stamped just before its history row's history_date, in the same save: a history row stamped
# this much after the window's end may still belong to a write whose updated_at is inside it.
HISTORY_STAMP_SLACK = dt.timedelta(minutes=1)


def _written_between(model, start: dt.datetime, end: dt.datetime) -> QuerySet:
    """Rows of a journal model (Mark, Attendance) last written in (start, end].

    The change feed is the history table: every write of the journal's services adds a history row, and its
    history_date is indexed. The journal's own table keeps no index on updated_at, so that a changed mark is updated
    in place (journal.models.marks.Mark); updated_at then picks, among the rows the history names, those whose last
    write is in the window (a row written again later is announced by the run whose window holds that write).
    """
    changed = model.history.filter(history_date__gt=start, history_date__lte=end + HISTORY_STAMP_SLACK).values("id")
    return model.objects.filter(pk__in=changed, updated_at__gt=start, updated_at__lte=end)


def records_changed(start: dt.datetime, end: dt.datetime) -> tuple[list[dict], list[dict]]:
    """Marks and absences written in (start, end], as plain rows (2 queries); cleared ones are left out."""
    marks = list(
        _written_between(Mark, start, end)
        .exclude(value="")
        .order_by("lesson__date", "lesson__number", "pk")
        .values(
            "pk",
            "pupil_id",
            "value",
            "lesson__date",
            "lesson__number",
            "lesson__assignment__subject__name",
            "work_type__name",
        )
    )
    absences = list(
        _written_between(Attendance, start, end)
        .exclude(code="")
        .order_by("lesson__date", "lesson__number", "pk")
        .values("pk", "pupil_id", "code", "lesson__date", "lesson__number", "lesson__assignment__subject__name")
    )
    return marks, absences


# The weekly digest ---------------------------------------------------------------------------------------------------


@dataclass
class DigestPupil:
    """A pupil on the roll on the digest's day, with their class and the study period running then."""

    pupil_id: int
    class_name: str
    period: StudyPeriod | None


def digest_pupils(year, day: dt.date) -> dict[int, DigestPupil]:
    """Pupils on the roll of the year's classes on the day, each with the current study period of their grade
    (3 queries)."""
    kinds = dict(GradeSettings.objects.filter(year=year).values_list("grade", "period_kind"))
    current: dict[str, StudyPeriod] = {
        period.kind: period
        for period in StudyPeriod.objects.filter(year=year, start_date__lte=day, end_date__gte=day).order_by("number")
    }
    pupils: dict[int, DigestPupil] = {}
    enrollments = (
        Enrollment.objects.filter(school_class__year=year, date_from__lte=day)
        .filter(Q(date_to__isnull=True) | Q(date_to__gte=day))
        .select_related("school_class")
    )
    for enrollment in enrollments:
        grade = enrollment.school_class.grade
        pupils[enrollment.pupil_id] = DigestPupil(
            enrollment.pupil_id, str(enrollment.school_class), current.get(kinds.get(grade, ""))
        )
    return pupils


def digest_marks(year, pupil_ids: Iterable[int], start: dt.date, end: dt.date) -> list[tuple]:
    """(pupil id, lesson date, subject name, subject order, hours a week, value, kind of work, weight) of the
    pupils' marks in the year between the dates (1 query)."""
    return list(
        Mark.objects.filter(
            pupil_id__in=list(pupil_ids),
            lesson__assignment__year=year,
            lesson__date__gte=start,
            lesson__date__lte=end,
        )
        .exclude(value="")
        .order_by("lesson__date", "lesson__number", "position")
        .values_list(
            "pupil_id",
            "lesson__date",
            "lesson__assignment__subject__name",
            "lesson__assignment__subject__order",
            "lesson__assignment__hours_per_week",
            "value",
            "work_type__short_name",
            "work_type__weight",
        )
    )


def digest_absences(year, pupil_ids: Iterable[int], start: dt.date, end: dt.date) -> list[tuple[int, str]]:
    """(pupil id, code) of the pupils' absences and lateness between the dates (1 query)."""
    return list(
        Attendance.objects.filter(
            pupil_id__in=list(pupil_ids),
            lesson__assignment__year=year,
            lesson__date__gte=start,
            lesson__date__lte=end,
        )
        .exclude(code="")
        .values_list("pupil_id", "code")
    )


# The outbox ---------------------------------------------------------------------------------------------------------


# What a failed e-mail's stored error (``ExceptionName: text`` from the mail backend) means, for the school's staff:
# the first rule whose pattern is found in the error wins; the raw error stays on the page for whoever keeps the mail
# server, behind an expander.
EMAIL_ERRORS: list[tuple[re.Pattern, str]] = [
    (
        re.compile(r"quota|mailbox (is )?full|over ?quota|\b452\b|\b552\b|5\.2\.2", re.IGNORECASE),
        _("Почтовый ящик получателя переполнен: письмо не принято. Можно повторить позже."),
    ),
    (
        re.compile(r"SMTPRecipientsRefused|5\.1\.1|user unknown|no such user|does not exist|\b550\b", re.IGNORECASE),
        _(
            "Почтовый сервер получателя не принял адрес: такого ящика нет или он закрыт. Проверьте адрес в профиле "
            "получателя, затем нажмите «Повторить»."
        ),
    ),
    (
        re.compile(r"SMTPAuthenticationError|\b535\b|authentication", re.IGNORECASE),
        _(
            "Почтовый сервер школы не принял логин или пароль для отправки писем. Сообщите тому, кто настраивал "
            "почту системы (EMAIL_URL)."
        ),
    ),
    (
        re.compile(r"SMTPSenderRefused", re.IGNORECASE),
        _(
            "Почтовый сервер не разрешил отправку от адреса отправителя (DEFAULT_FROM_EMAIL). "
            "Проверьте настройки почты."
        ),
    ),
    (
        re.compile(r"SSL|TLS|certificate|SMTPNotSupportedError", re.IGNORECASE),
        _("Не удалось установить защищённое соединение с почтовым сервером: проверьте настройки шифрования почты."),
    ),
    (
        re.compile(r"SMTPDataError|\b554\b|spam|blocked|rejected", re.IGNORECASE),
        _("Почтовый сервер отклонил письмо (например, посчитал его спамом)."),
    ),
    (
        re.compile(
            r"SMTPServerDisconnected|SMTPConnectError|ConnectionRefused|ConnectionReset|Timeout|timed out|gaierror|"
            r"Name or service|OSError|socket|unreachable",
            re.IGNORECASE,
        ),
        _("Не удалось связаться с почтовым сервером: он был недоступен или не ответил. Можно повторить позже."),
    ),
]
EXCEPTION_PREFIX = re.compile(r"^[A-Za-z_][\w.]*(Error|Exception|Refused|Disconnected)\b")


def email_error_explained(error: str) -> str:
    """The reason an e-mail failed, in Russian (the mail backend's exception, as ``email_deliver`` stored it)."""
    error = (error or "").strip()
    if not error:
        return str(_("Причина не записана."))
    for pattern, explanation in EMAIL_ERRORS:
        if pattern.search(error):
            return str(explanation)
    if not EXCEPTION_PREFIX.match(error) and re.search("[А-Яа-яЁё]", error):
        return error  # already written for people (the system's own note)
    return str(_("Почтовый сервер вернул ошибку, письмо не отправлено."))


@dataclass
class FailedEmail:
    """A failed e-mail of the outbox with its reason in Russian (the raw error stays in ``email.last_error``)."""

    email: OutgoingEmail
    reason: str

    @property
    def raw_error(self) -> str:
        """The mail server's own words, when they say more than the reason."""
        return self.email.last_error if self.email.last_error.strip() != self.reason else ""


@dataclass
class Outbox:
    """The state of a school's outgoing e-mails for the administration."""

    counts: dict[str, int]
    due: int
    waiting: int
    oldest_due: dt.datetime | None
    failed: list[FailedEmail]
    recent: list[OutgoingEmail]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def outbox(emails: QuerySet[OutgoingEmail], now: dt.datetime, limit: int = 100) -> Outbox:
    """Counts by status, how many wait and since when, the failed e-mails and the latest sent (3 queries).

    ``emails``: those the viewer sees (``diary.access.visible_outgoing_emails``: their school's; the platform
    operator's, every school's), the same the «Повторить» of each failed one opens.
    """
    pending = Q(status=EmailStatus.PENDING)
    figures = emails.aggregate(
        **{status: Count("pk", filter=Q(status=status)) for status in EmailStatus.values},
        due=Count("pk", filter=pending & Q(send_after__lte=now)),
        oldest_due=Min("created_at", filter=pending & Q(send_after__lte=now)),
    )
    counts = {status: figures[status] for status in EmailStatus.values}
    failed = [
        FailedEmail(email, email_error_explained(email.last_error))
        for email in emails.filter(status=EmailStatus.FAILED).select_related("user").order_by("-created_at")[:limit]
    ]
    recent = list(emails.filter(status=EmailStatus.SENT).select_related("user").order_by("-sent_at", "-pk")[:20])
    return Outbox(
        counts=counts,
        due=figures["due"],
        waiting=counts[EmailStatus.PENDING] - figures["due"],
        oldest_due=figures["oldest_due"],
        failed=failed,
        recent=recent,
    )


def due_email_ids(now: dt.datetime, limit: int) -> list[int]:
    """Pending e-mails whose time has come, oldest first (1 query on the status/send_after index)."""
    return list(
        OutgoingEmail.objects.filter(status=EmailStatus.PENDING, send_after__lte=now)
        .order_by("send_after", "pk")
        .values_list("pk", flat=True)[:limit]
    )
