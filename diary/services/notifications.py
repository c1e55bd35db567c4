"""E-mail notifications: preferences and quiet hours, the outbox, and what goes into it.

Every e-mail is first an ``OutgoingEmail`` row, written here in the transaction that decided to send it; nothing is
sent inside a request. After the commit each row that is due is handed to the Celery task
``diary.tasks.send_email``, which calls ``email_deliver``: it claims the row with a conditional UPDATE (two workers
never send one e-mail twice), sends it, and records the result; a failure keeps the row pending with its error and
the attempt is repeated with exponential backoff, up to ``MAX_ATTEMPTS``, then the row is failed and the school's
admin may send it again (``email_retry``). The beat task ``send_due_emails`` picks up rows whose quiet hours have
ended and rows whose hand-over to Celery was lost. An e-mail that fails loses nothing: the mark, the absence or the
message is in the journal either way.

What goes in: a new message (``message_posted``, called by the messaging service on commit); new marks and absences
(``new_records_notify``, a beat task every 10 minutes, one e-mail per recipient per run); the weekly digest
(``weekly_digests_queue``, Saturday afternoon in each school's time zone). Each writes a constant number of queries
per run plus bulk inserts, and a repeated run queues nothing new (``dedup_key``).
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import EmailMultiAlternatives, get_connection
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.template import Context
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import School, User
from journal.models import AttendanceCode, MarkValue
from journal.selectors import current_year
from journal.selectors.averages import period_mark_minimum
from journal.selectors.grid import pupil_stats

from ..access import can_resend, visible_outgoing_emails
from ..choices import EmailKind, EmailStatus
from ..models import Message, NotificationCursor, NotificationSettings, OutgoingEmail, ThreadParticipant
from ..selectors import notifications as selectors
from ..selectors.notifications import Recipient
from .queue import task_delay

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
RETRY_BASE_SECONDS = 120  # waits of 2, 4, 8 and 16 minutes between the five attempts
CLAIM_SECONDS = 600  # a worker that dies while sending frees its e-mail after this; send_due_emails resends it
SEND_TIMEOUT_SECONDS = 60  # of the SMTP connection, unless EMAIL_TIMEOUT says otherwise
ERROR_LENGTH = 2000
# A worker whose clock is a little behind the web server's still takes an e-mail queued a moment ago.
CLOCK_TOLERANCE = dt.timedelta(seconds=5)

RECORDS_CURSOR = "records"
# Marks are read up to two minutes ago: a transaction still running when the scan starts commits rows stamped a
# little earlier (updated_at is taken when the row is saved, not when it is committed); the next run reads them.
RECORDS_LAG = dt.timedelta(minutes=2)
RECORDS_FIRST_WINDOW = dt.timedelta(minutes=10)  # how far back the very first run looks

DIGEST_WEEKDAY = 5  # Saturday
DIGEST_HOUR = 15
DIGEST_WINDOW = dt.timedelta(hours=33)  # Saturday 15:00 to the end of Sunday: a beat that was down catches up
DIGEST_CURSOR = "digest:{school_id}"

QUIET_ERROR = gettext_lazy("Укажите и начало, и конец тихих часов или оставьте оба поля пустыми.")


# Quiet hours -------------------------------------------------------------------------------------------------------


def quiet_hours_end(
    quiet_from: dt.time | None, quiet_to: dt.time | None, moment: dt.datetime, zone: dt.tzinfo
) -> dt.datetime | None:
    """When the quiet hours around ``moment`` end, in the given time zone; None when ``moment`` is outside them.

    Quiet hours may wrap midnight (21:00–08:00); from == to, or either empty, means none. The start is inside,
    the end is not: at 08:00 sharp e-mails go.
    """
    if quiet_from is None or quiet_to is None or quiet_from == quiet_to:
        return None
    local = moment.astimezone(zone)
    now = local.time()
    if quiet_from < quiet_to:
        if not quiet_from <= now < quiet_to:
            return None
        day = local.date()
    elif now >= quiet_from:
        day = local.date() + dt.timedelta(days=1)
    elif now < quiet_to:
        day = local.date()
    else:
        return None
    return dt.datetime.combine(day, quiet_to, tzinfo=zone)


def send_time(prefs: NotificationSettings, zone: dt.tzinfo, now: dt.datetime) -> dt.datetime:
    """Now, or the end of the user's quiet hours if now is inside them."""
    return quiet_hours_end(prefs.quiet_from, prefs.quiet_to, now, zone) or now


# Preferences -------------------------------------------------------------------------------------------------------


def _minute(value: dt.time | None) -> dt.time | None:
    return value.replace(second=0, microsecond=0) if value is not None else None


@transaction.atomic
def notification_settings_set(
    *,
    actor: User,
    user: User,
    email_marks: bool,
    email_absences: bool,
    email_messages: bool,
    weekly_digest: bool,
    quiet_from: dt.time | None,
    quiet_to: dt.time | None,
    email: str | None = None,
) -> NotificationSettings:
    """Save what the user wants by e-mail and their quiet hours; ``email`` (when given) sets their address too.

    Rules: only the user themself (nobody chooses e-mails for someone else, the admin included); quiet hours have
    both ends or none, and the ends differ; the address is a valid one or empty (then nothing can be sent).
    """
    if actor.pk != user.pk:
        raise PermissionDenied(_("Настройки уведомлений меняет только сам пользователь."))
    quiet_from, quiet_to = _minute(quiet_from), _minute(quiet_to)
    if (quiet_from is None) != (quiet_to is None):
        raise ValidationError(QUIET_ERROR)
    if quiet_from is not None and quiet_from == quiet_to:
        raise ValidationError(
            _("Начало и конец тихих часов совпадают. Оставьте оба поля пустыми, если тихие часы не нужны.")
        )
    if email is not None:
        email = User.objects.normalize_email(email.strip())
        if email:
            validate_email(email)
        if email != user.email:
            user.email = email
            user.save(update_fields=["email"])
    prefs, _created = NotificationSettings.objects.update_or_create(
        user=user,
        defaults={
            "email_marks": email_marks,
            "email_absences": email_absences,
            "email_messages": email_messages,
            "weekly_digest": weekly_digest,
            "quiet_from": quiet_from,
            "quiet_to": quiet_to,
        },
    )
    return prefs


# The outbox --------------------------------------------------------------------------------------------------------


def _render_subject(name: str, context: dict) -> str:
    """An e-mail's subject on one line, as plain text: not HTML-escaped (a thread «Контрольная "по алгебре"» keeps
    its quotes instead of arriving as &quot;), whatever the template says."""
    template = get_template(f"diary/emails/{name}_subject.txt").template
    return " ".join(template.render(Context(context, autoescape=False)).split())


def _render(name: str, context: dict) -> tuple[str, str, str]:
    """Subject, text and HTML of an e-mail from templates/diary/emails/<name>_{subject.txt,body.txt,body.html}."""
    context = {"site_url": settings.SITE_URL, **context}
    with translation.override(settings.LANGUAGE_CODE):
        subject = _render_subject(name, context)
        text = render_to_string(f"diary/emails/{name}_body.txt", context)
        html = render_to_string(f"diary/emails/{name}_body.html", context)
    return subject[:300], text, html


def _email(
    *,
    user_id: int,
    to: str,
    kind: str,
    template: str,
    context: dict,
    dedup_key: str,
    send_after: dt.datetime,
    payload: dict | None = None,
) -> OutgoingEmail:
    subject, text, html = _render(template, context)
    return OutgoingEmail(
        user_id=user_id,
        kind=kind,
        to=to,
        subject=subject,
        body_text=text,
        body_html=html,
        dedup_key=dedup_key,
        send_after=send_after,
        payload=payload or {},
    )


def _queue(rows: list[OutgoingEmail], now: dt.datetime) -> int:
    """Insert the e-mails whose key is new (3 queries) and hand the due ones to Celery after the commit.

    Returns the number of e-mails queued; a repeated call queues nothing (the keys are unique).
    """
    if not rows:
        return 0
    existing = set(
        OutgoingEmail.objects.filter(dedup_key__in=[row.dedup_key for row in rows]).values_list("dedup_key", flat=True)
    )
    fresh = [row for row in rows if row.dedup_key not in existing]
    if not fresh:
        return 0
    OutgoingEmail.objects.bulk_create(fresh, ignore_conflicts=True, batch_size=500)
    due = list(
        OutgoingEmail.objects.filter(
            dedup_key__in=[row.dedup_key for row in fresh], status=EmailStatus.PENDING, send_after__lte=now
        ).values_list("pk", flat=True)
    )
    if due:
        transaction.on_commit(partial(enqueue, due))
    return len(fresh)


def enqueue(email_ids: Iterable[int]) -> None:
    """Hand e-mails to Celery. A broker that is down loses nothing: the rows stay pending for send_due_emails."""
    for pk in email_ids:
        try:
            task_delay("diary.tasks.send_email", pk)
        except Exception:
            logger.exception("e-mail %s not handed to Celery; send_due_emails will send it", pk)


def retry_delay(attempts: int) -> int:
    """Seconds to wait after the given number of failed attempts: 2, 4, 8, 16 minutes."""
    return RETRY_BASE_SECONDS * 2 ** max(attempts - 1, 0)


@dataclass(frozen=True)
class Delivery:
    """What one attempt did: sent, retry (in ``retry_in`` seconds), failed, or skipped (not ours to send now)."""

    status: str
    retry_in: int | None = None


def email_deliver(email_id: int) -> Delivery:
    """Claim one pending, due e-mail, send it (text and HTML), and record the result.

    The claim is a conditional UPDATE that pushes ``send_after`` by CLAIM_SECONDS and counts the attempt: a second
    worker (or a second hand-over of the same row) finds nothing to claim. On failure the row stays pending with
    the error and a later ``send_after``, and the caller retries in ``retry_in`` seconds; after MAX_ATTEMPTS the row
    is failed. A sent e-mail keeps the error of its last failed attempt, if any.
    """
    now = timezone.now()
    due = now + CLOCK_TOLERANCE
    claimed = OutgoingEmail.objects.filter(pk=email_id, status=EmailStatus.PENDING, send_after__lte=due).update(
        send_after=now + dt.timedelta(seconds=CLAIM_SECONDS), attempts=F("attempts") + 1
    )
    if not claimed:
        return Delivery("skipped")
    email = OutgoingEmail.objects.get(pk=email_id)
    message = EmailMultiAlternatives(email.subject, email.body_text, settings.DEFAULT_FROM_EMAIL, [email.to])
    if email.body_html:
        message.attach_alternative(email.body_html, "text/html")
    try:
        timeout = getattr(settings, "EMAIL_TIMEOUT", None) or SEND_TIMEOUT_SECONDS
        with get_connection(timeout=timeout) as connection:
            connection.send_messages([message])
    except Exception as error:
        text = f"{type(error).__name__}: {error}"[:ERROR_LENGTH]
        mine = OutgoingEmail.objects.filter(pk=email_id, status=EmailStatus.PENDING)
        if email.attempts >= MAX_ATTEMPTS:
            mine.update(status=EmailStatus.FAILED, last_error=text)
            logger.warning("e-mail %s failed after %s attempts: %s", email_id, email.attempts, text)
            return Delivery(EmailStatus.FAILED)
        delay = retry_delay(email.attempts)
        mine.update(last_error=text, send_after=timezone.now() + dt.timedelta(seconds=delay))
        logger.info("e-mail %s: attempt %s failed, next in %s s: %s", email_id, email.attempts, delay, text)
        return Delivery("retry", retry_in=delay)
    OutgoingEmail.objects.filter(pk=email_id, status=EmailStatus.PENDING).update(
        status=EmailStatus.SENT, sent_at=timezone.now()
    )
    return Delivery(EmailStatus.SENT)


@transaction.atomic
def email_retry(*, actor: User, email: OutgoingEmail) -> OutgoingEmail:
    """The school's admin sends a failed e-mail again: pending, with fresh attempts, to the user's current address.

    The last error stays on the row until a new attempt replaces it.
    """
    refused = PermissionDenied(_("Отправить письмо повторно может только администратор школы."))
    if not can_resend(actor):
        raise refused
    # Locked from the outbox the actor sees (``visible_outgoing_emails``): another school's e-mail is refused here.
    email = visible_outgoing_emails(actor).select_for_update().select_related("user").filter(pk=email.pk).first()
    if email is None:
        raise refused
    if email.status != EmailStatus.FAILED:
        raise ValidationError(_("Повторить можно только письмо, которое не удалось отправить."))
    address = email.user.email or ""
    if not address or not email.user.is_active:
        raise ValidationError(_("У получателя нет адреса электронной почты (или его учётная запись отключена)."))
    email.status = EmailStatus.PENDING
    email.attempts = 0
    email.to = address
    email.send_after = timezone.now()
    email.save(update_fields=["status", "attempts", "to", "send_after"])
    transaction.on_commit(partial(enqueue, [email.pk]))
    return email


# What goes in: messages --------------------------------------------------------------------------------------------


def _greeting_name(user: User) -> str:
    """«Ольга Петровна» for an adult, «Иван» for a pupil."""
    if user.role == Role.PUPIL:
        return user.first_name or user.username
    return " ".join(part for part in (user.first_name, user.middle_name) if part) or user.username


def _mark_label(value: str) -> str:
    """«5», or «зачёт»/«незачёт» for pass/fail marks."""
    return str(MarkValue(value).label) if value in (MarkValue.PASS, MarkValue.FAIL) else value


def _reachable(user_email: str, is_active: bool) -> bool:
    return bool(user_email) and is_active


def _absolute(path: str) -> str:
    return f"{settings.SITE_URL}{path}"


def _thread_url(thread_id: int) -> str:
    return _absolute(reverse("messaging:thread", args=[thread_id]))


def message_posted(message_id: int) -> None:
    """Queue e-mails to the other participants of a new message's thread who want them (called on commit)."""
    messages_posted([message_id])


def messages_posted(message_ids: Iterable[int]) -> None:
    """``message_posted`` for many messages at once (a class broadcast: one call, a constant number of queries).

    Never raises: the messages are saved whatever happens to their e-mails, and the sender's request must not fail
    after the commit. A failure is logged.
    """
    message_ids = list(message_ids)
    try:
        message_emails_queue(message_ids)
    except Exception:
        logger.exception("e-mails about messages %s were not queued", message_ids)


@transaction.atomic
def message_emails_queue(message_ids: Iterable[int], *, now: dt.datetime | None = None) -> int:
    """One e-mail per message and per other participant of its thread who wants message e-mails and has an
    address (6 queries for any number of messages). Returns the number queued."""
    now = now or timezone.now()
    messages = list(Message.objects.filter(pk__in=list(message_ids)).select_related("sender", "thread__pupil__user"))
    if not messages:
        return 0
    participants: dict[int, list[User]] = defaultdict(list)
    for participant in ThreadParticipant.objects.filter(
        thread_id__in={message.thread_id for message in messages}
    ).select_related("user__school"):
        participants[participant.thread_id].append(participant.user)
    prefs = selectors.settings_by_user(user.pk for users in participants.values() for user in users)
    rows = []
    for message in messages:
        thread = message.thread
        for user in participants[message.thread_id]:
            if user.pk == message.sender_id or not _reachable(user.email, user.is_active):
                continue
            if not prefs[user.pk].email_messages:
                continue
            zone = selectors.zone_of(user.school.time_zone if user.school_id else None)
            context = {
                "user": user,
                "greeting_name": _greeting_name(user),
                "sender": message.sender,
                "thread": thread,
                "pupil": thread.pupil,
                "message": message,
                "thread_url": _thread_url(thread.pk),
                "settings_url": _absolute(reverse("diary:notifications")),
            }
            rows.append(
                _email(
                    user_id=user.pk,
                    to=user.email,
                    kind=EmailKind.MESSAGE,
                    template="message",
                    context=context,
                    dedup_key=f"message:{message.pk}:{user.pk}",
                    send_after=send_time(prefs[user.pk], zone, now),
                    payload={"message": message.pk, "thread": thread.pk},
                )
            )
    return _queue(rows, now)


# What goes in: new marks and absences ------------------------------------------------------------------------------


def _mark_item(row: dict) -> dict:
    return {
        "id": row["pk"],
        "date": row["lesson__date"].isoformat(),
        "number": row["lesson__number"],
        "subject": row["lesson__assignment__subject__name"],
        "value": row["value"],
        "work": row["work_type__name"] or "",
    }


def _absence_item(row: dict) -> dict:
    return {
        "id": row["pk"],
        "date": row["lesson__date"].isoformat(),
        "number": row["lesson__number"],
        "subject": row["lesson__assignment__subject__name"],
        "code": row["code"],
    }


def _in_order(items: Iterable[dict]) -> list[dict]:
    return sorted(items, key=lambda item: (item["date"], item["number"], item["id"]))


def merge_records(older: dict, newer: dict) -> dict:
    """Two records payloads as one: per child, the marks and absences of both, a record's newer state winning."""
    children: dict[int, dict] = {}
    for payload in (older, newer):
        for child in payload.get("children", []):
            merged = children.setdefault(child["pupil"], {"pupil": child["pupil"], "name": child["name"]})
            for key in ("marks", "absences"):
                items = {item["id"]: item for item in merged.get(key, [])}
                items.update({item["id"]: item for item in child.get(key, [])})
                merged[key] = _in_order(items.values())
    return {"children": sorted(children.values(), key=lambda child: child["name"])}


def _records_context(recipient: Recipient, payload: dict) -> dict:
    """The template's view of a records payload: dates as dates, absence codes with their meaning, links."""
    labels = dict(AttendanceCode.choices)
    children = []
    for child in payload["children"]:
        marks = [
            {**item, "date": dt.date.fromisoformat(item["date"]), "label": _mark_label(item["value"])}
            for item in child.get("marks", [])
        ]
        absences = [
            {**item, "date": dt.date.fromisoformat(item["date"]), "label": labels.get(item["code"], item["code"])}
            for item in child.get("absences", [])
        ]
        url = _absolute(reverse("diary:pupil", args=[child["pupil"]]))
        children.append({"name": child["name"], "marks": marks, "absences": absences, "url": url})
    return {
        "recipient": recipient,
        "children": children,
        "has_marks": any(child["marks"] for child in children),
        "has_absences": any(child["absences"] for child in children),
        "names": ", ".join(child["name"] for child in children),
        "settings_url": _absolute(reverse("diary:notifications")),
    }


def records_by_recipient(
    marks: list[dict], absences: list[dict]
) -> tuple[dict[int, tuple[Recipient, list[dict]]], dict[int, NotificationSettings]]:
    """Each recipient who wants to hear about some of these marks and absences (rows of records_changed), with
    the news of each of their children, and everyone's preferences (3 queries)."""
    news: dict[int, dict[str, list[dict]]] = defaultdict(lambda: {"marks": [], "absences": []})
    for row in marks:
        news[row["pupil_id"]]["marks"].append(_mark_item(row))
    for row in absences:
        news[row["pupil_id"]]["absences"].append(_absence_item(row))
    if not news:
        return {}, {}
    audiences = selectors.pupil_audiences(news)
    prefs = selectors.settings_by_user(r.user_id for audience in audiences.values() for r in audience.recipients)
    per_user: dict[int, tuple[Recipient, list[dict]]] = {}
    for audience in sorted(audiences.values(), key=lambda audience: audience.name):
        records = news[audience.pupil_id]
        for recipient in audience.recipients:
            if not _reachable(recipient.email, recipient.is_active):
                continue
            wants = prefs[recipient.user_id]
            child = {
                "pupil": audience.pupil_id,
                "name": audience.name,
                "marks": records["marks"] if wants.email_marks else [],
                "absences": records["absences"] if wants.email_absences else [],
            }
            if child["marks"] or child["absences"]:
                per_user.setdefault(recipient.user_id, (recipient, []))[1].append(child)
    return per_user, prefs


def records_email(recipient: Recipient, payload: dict, send_after: dt.datetime, dedup_key: str) -> OutgoingEmail:
    context = _records_context(recipient, payload)
    return _email(
        user_id=recipient.user_id,
        to=recipient.email,
        kind=EmailKind.MARKS if context["has_marks"] else EmailKind.ABSENCES,
        template="records",
        context=context,
        dedup_key=dedup_key,
        send_after=send_after,
        payload=payload,
    )


def _cursor_claim(until: dt.datetime, name: str, first: dt.datetime) -> tuple[dt.datetime, dt.datetime] | None:
    """Move a cursor from its position to ``until`` if nobody else has; the window (start, until] it claimed.

    A cursor seen for the first time starts at ``first``.
    """
    cursor, _created = NotificationCursor.objects.get_or_create(name=name, defaults={"position": first})
    start = cursor.position
    if start >= until:
        return None
    # Two beats at once: the second UPDATE waits for the first's commit, then finds the position moved.
    if not NotificationCursor.objects.filter(pk=cursor.pk, position=start).update(position=until):
        return None
    return start, until


@transaction.atomic
def new_records_notify(*, now: dt.datetime | None = None) -> int:
    """Queue one e-mail per recipient with the marks and absences written since the last run (a beat task).

    Reads the marks and attendance whose ``updated_at`` lies in the window claimed from the cursor (up to
    RECORDS_LAG ago), groups them per pupil, and writes to the pupil and each parent who opted in (marks, absences
    or both) and has an address: one e-mail each, with every child's news. Cleared marks and absences are not
    announced. A recipient in quiet hours gets the e-mail when they end; a later run during the same quiet hours
    merges its news into that waiting e-mail instead of adding another. A constant number of queries per run
    (about 12) plus the bulk insert; the journal's write path is not touched. Returns the number queued.
    """
    now = now or timezone.now()
    end = now - RECORDS_LAG
    window = _cursor_claim(end, RECORDS_CURSOR, end - RECORDS_FIRST_WINDOW)
    if window is None:
        return 0
    marks, absences = selectors.records_changed(*window)
    per_user, prefs = records_by_recipient(marks, absences)
    if not per_user:
        return 0

    waiting: dict[int, list[OutgoingEmail]] = defaultdict(list)
    for row in (
        OutgoingEmail.objects.select_for_update()
        .filter(
            user_id__in=list(per_user),
            kind__in=[EmailKind.MARKS, EmailKind.ABSENCES],
            status=EmailStatus.PENDING,
            attempts=0,
            send_after__gt=now,
        )
        .only("pk", "user_id", "payload")
        .order_by("created_at", "pk")
    ):
        waiting[row.user_id].append(row)
    rows, merged_away = [], []
    for user_id, (recipient, children) in per_user.items():
        after = send_time(prefs[user_id], recipient.zone, now)
        payload = {"children": children}
        if after > now and waiting[user_id]:
            for old in reversed(waiting[user_id]):
                payload = merge_records(old.payload, payload)
                merged_away.append(old.pk)
        rows.append(records_email(recipient, payload, after, f"records:{user_id}:{window[1].isoformat()}"))
    if merged_away:
        OutgoingEmail.objects.filter(pk__in=merged_away, status=EmailStatus.PENDING).update(
            status=EmailStatus.SKIPPED, last_error=_("Объединено с более поздним письмом.")
        )
    return _queue(rows, now)


# What goes in: the weekly digest -----------------------------------------------------------------------------------


def weekly_digests_queue(*, now: dt.datetime | None = None) -> int:
    """Queue the week's digests of every school where it is Saturday afternoon (or Sunday) and they are not queued
    yet (an hourly beat task: 1 query for a school whose time has not come). Returns the number queued."""
    now = now or timezone.now()
    total = 0
    for school in School.objects.order_by("pk"):
        zone = selectors.zone_of(school.time_zone)
        local = now.astimezone(zone)
        saturday = local.date() - dt.timedelta(days=(local.weekday() - DIGEST_WEEKDAY) % 7)
        due_at = dt.datetime.combine(saturday, dt.time(DIGEST_HOUR), tzinfo=zone)
        if due_at <= now < due_at + DIGEST_WINDOW:
            total += school_digests_queue(school=school, saturday=saturday, due_at=due_at, now=now)
    return total


def _week_summary(pupil, rows: list[tuple], codes: list[str], monday: dt.date) -> dict:
    """A child's week as plain data: marks by subject, absences, and the period's figures per subject."""
    subjects: dict[str, dict] = {}
    for _pupil_id, day, subject, order, hours, value, work, weight in rows:
        line = subjects.setdefault(
            subject, {"name": subject, "order": order, "hours": Decimal(0), "week": [], "period": []}
        )
        line["hours"] = max(line["hours"], Decimal(hours or 0))
        if pupil.period is not None and pupil.period.start_date <= day <= pupil.period.end_date:
            line["period"].append((value, Decimal(weight) if weight is not None else Decimal(1)))
        if day >= monday:
            line["week"].append({"date": day.isoformat(), "value": value, "work": work or ""})
    lines = []
    for line in sorted(subjects.values(), key=lambda line: (line["order"], line["name"])):
        stats = pupil_stats(line["period"], period_mark_minimum(line["hours"]))
        if not line["week"] and not stats.marks_count:
            continue
        lines.append(
            {
                "name": line["name"],
                "week": line["week"],
                "count": stats.marks_count,
                "average": str(stats.average) if stats.average is not None else "",
                "forecast": stats.forecast,
                "enough": stats.enough,
            }
        )
    absent = [code for code in codes if code != AttendanceCode.LATE]
    return {
        "class": pupil.class_name,
        "period": str(pupil.period) if pupil.period is not None else "",
        "subjects": lines,
        "missed": len(absent),
        "ill": absent.count(AttendanceCode.ILL),
        "excused": absent.count(AttendanceCode.EXCUSED),
        "unexcused": absent.count(AttendanceCode.UNEXCUSED) + absent.count(AttendanceCode.ABSENT),
        "late": codes.count(AttendanceCode.LATE),
    }


@transaction.atomic
def school_digests_queue(*, school: School, saturday: dt.date, due_at: dt.datetime, now: dt.datetime) -> int:
    """The week's digests of one school: one e-mail per opted-in pupil or parent with a summary per child.

    Claimed with the school's digest cursor (a repeat in the same week, or a second beat, queues nothing).
    About 16 queries whatever the size of the school, the bulk insert included.
    """
    name = DIGEST_CURSOR.format(school_id=school.pk)
    if _cursor_claim(due_at, name, due_at - dt.timedelta(days=7)) is None:
        return 0
    year = current_year(school, saturday)
    if year is None:
        return 0
    return _queue(digest_emails(year=year, saturday=saturday, now=now), now)


def digest_emails(*, year, saturday: dt.date, now: dt.datetime, only: set[int] | None = None) -> list[OutgoingEmail]:
    """The unsaved digest e-mails of a year's school for the week ending on ``saturday`` (``only``: just these
    users), about 10 queries."""
    pupils = selectors.digest_pupils(year, saturday)
    audiences = selectors.pupil_audiences(pupils)
    prefs = selectors.settings_by_user(r.user_id for audience in audiences.values() for r in audience.recipients)
    readers: dict[int, list[Recipient]] = {}
    for pupil_id, audience in audiences.items():
        wanted = [
            recipient
            for recipient in audience.recipients
            if _reachable(recipient.email, recipient.is_active)
            and prefs[recipient.user_id].weekly_digest
            and (only is None or recipient.user_id in only)
        ]
        if wanted:
            readers[pupil_id] = wanted
    if not readers:
        return []
    monday = saturday - dt.timedelta(days=DIGEST_WEEKDAY)
    starts = [pupils[pk].period.start_date for pk in readers if pupils[pk].period is not None]
    marks: dict[int, list[tuple]] = defaultdict(list)
    for row in selectors.digest_marks(year, readers, min([monday, *starts]), saturday):
        marks[row[0]].append(row)
    codes: dict[int, list[str]] = defaultdict(list)
    for pupil_id, code in selectors.digest_absences(year, readers, monday, saturday):
        codes[pupil_id].append(code)

    per_user: dict[int, tuple[Recipient, list[dict]]] = {}
    for pupil_id in sorted(readers, key=lambda pk: audiences[pk].name):
        summary = {
            "pupil": pupil_id,
            "name": audiences[pupil_id].name,
            **_week_summary(pupils[pupil_id], marks[pupil_id], codes[pupil_id], monday),
        }
        for recipient in readers[pupil_id]:
            per_user.setdefault(recipient.user_id, (recipient, []))[1].append(summary)
    rows = []
    rendered: dict[int, dict] = {}
    for user_id, (recipient, children) in per_user.items():
        payload = {"monday": monday.isoformat(), "saturday": saturday.isoformat(), "children": children}
        context = _digest_context(recipient, payload, rendered)
        rows.append(
            _email(
                user_id=user_id,
                to=recipient.email,
                kind=EmailKind.DIGEST,
                template="digest",
                context=context,
                dedup_key=f"digest:{user_id}:{monday.isoformat()}",
                send_after=send_time(prefs[user_id], recipient.zone, now),
                payload=payload,
            )
        )
    return rows


def _digest_child(child: dict) -> dict:
    """A child's part of the digest, rendered once (text and HTML) however many parents it goes to."""
    subjects = []
    for line in child["subjects"]:
        week = [{"label": _mark_label(mark["value"]), "work": mark["work"]} for mark in line["week"]]
        subjects.append(
            {
                **line,
                "week": week,
                "marks": ", ".join(f"{m['label']} ({m['work']})" if m["work"] else m["label"] for m in week),
                "average": number_format(Decimal(line["average"]), 2) if line["average"] else "",
            }
        )
    reasons = [
        f"{label} {child[key]}"
        for key, label in (
            ("ill", _("по болезни")),
            ("excused", _("по уважительной причине")),
            ("unexcused", _("без уважительной причины")),
        )
        if child[key]
    ]
    context = {
        **child,
        "subjects": subjects,
        "reasons": ", ".join(reasons),
        "url": _absolute(reverse("diary:pupil", args=[child["pupil"]])),
    }
    return {
        "name": child["name"],
        "text": render_to_string("diary/emails/digest_child.txt", context),
        "html": render_to_string("diary/emails/digest_child.html", context),
    }


def _digest_context(recipient: Recipient, payload: dict, rendered: dict[int, dict] | None = None) -> dict:
    """The digest's context; ``rendered`` keeps each child's part between the recipients of one run."""
    rendered = {} if rendered is None else rendered
    with translation.override(settings.LANGUAGE_CODE):
        children = []
        for child in payload["children"]:
            if child["pupil"] not in rendered:
                rendered[child["pupil"]] = _digest_child(child)
            children.append(rendered[child["pupil"]])
    return {
        "recipient": recipient,
        "monday": dt.date.fromisoformat(payload["monday"]),
        "saturday": dt.date.fromisoformat(payload["saturday"]),
        "children": children,
        "names": ", ".join(child["name"] for child in children),
        "settings_url": _absolute(reverse("diary:notifications")),
    }
