"""Demo e-mail notifications: believable preferences, a few sent e-mails, and one failed for the admin's outbox.

Deterministic (a fixed random seed) and written in bulk, as the rest of the demo seed. About half of the parents
gave an address and chose what they get (most want marks, many absences and the weekly digest, most keep the quiet
hours); a few pupils did. The fixed demo families: ``parent`` gets marks, absences and the digest (quiet 22–07),
``parent2`` messages and the digest, ``pupil`` messages and marks. The sent e-mails are rendered by the same code
as real ones (the last school day's marks of the fixed families, last week's digests); nothing is handed to Celery.
The scan cursors start now, so the first beat does not announce the seed's marks as news.
"""

import datetime as dt
import random

from django.db.models import Q
from django.utils import timezone

from accounts.choices import Role
from accounts.models import ParentChild, User
from journal.models import Attendance, Mark, SchoolYear

from ..choices import EmailStatus
from ..models import NotificationCursor, NotificationSettings, OutgoingEmail
from ..selectors.notifications import zone_of
from ..services import notifications as services

SEED = 20261120
DOMAIN = "mail.example"
PARENTS_WITH_ADDRESS = 0.5
PUPILS_WITH_ADDRESS = 0.15
OTHER_FAMILIES = 12  # e-mails in the outbox at most, the fixed families' included
QUIET_HOURS = [(dt.time(21, 0), dt.time(8, 0))] * 4 + [
    (dt.time(22, 0), dt.time(7, 0)),
    (dt.time(23, 0), dt.time(7, 30)),
    (None, None),
]
FAILED_ERROR = (
    "SMTPRecipientsRefused: {'%s': (550, b'5.1.1 <%s>: Recipient address rejected: User unknown in virtual "
    "mailbox table')}"
)


def _address(user: User) -> str:
    return user.email or f"{user.username}@{DOMAIN}"


def _preferences(rng: random.Random, parents: list[User], pupils: list[User], fixed: dict[str, User]) -> list:
    rows = []
    for user in parents:
        if rng.random() >= PARENTS_WITH_ADDRESS:
            continue
        marks = rng.random() < 0.75
        quiet_from, quiet_to = rng.choice(QUIET_HOURS)
        rows.append(
            NotificationSettings(
                user=user,
                email_marks=marks,
                email_absences=marks or rng.random() < 0.5,
                email_messages=rng.random() < 0.9,
                weekly_digest=rng.random() < 0.5,
                quiet_from=quiet_from,
                quiet_to=quiet_to,
            )
        )
    for user in pupils:
        if rng.random() < PUPILS_WITH_ADDRESS:
            rows.append(
                NotificationSettings(
                    user=user, email_marks=rng.random() < 0.5, quiet_from=dt.time(22, 0), quiet_to=dt.time(7, 0)
                )
            )
    chosen = {
        "parent": {"email_marks": True, "email_absences": True, "weekly_digest": True, "quiet": (22, 7)},
        "parent2": {"email_marks": False, "weekly_digest": True, "quiet": (21, 8)},
        "pupil": {"email_marks": True, "quiet": None},
    }
    for username, choice in chosen.items():
        if username not in fixed:
            continue
        quiet = choice.pop("quiet")
        rows.append(
            NotificationSettings(
                user=fixed[username],
                quiet_from=dt.time(quiet[0], 0) if quiet else None,
                quiet_to=dt.time(quiet[1], 0) if quiet else None,
                **choice,
            )
        )
    return rows


def _last_day_records(pupil_ids: set[int], today: dt.date) -> tuple[dt.date | None, list[dict], list[dict]]:
    """The last day up to ``today`` with marks of these pupils, and that day's marks and absences, shaped as
    selectors.notifications.records_changed returns them."""
    last = (
        Mark.objects.filter(pupil_id__in=pupil_ids, lesson__date__lte=today)
        .exclude(value="")
        .order_by("-lesson__date")
        .values_list("lesson__date", flat=True)
        .first()
    )
    if last is None:
        return None, [], []
    fields = ("pk", "pupil_id", "lesson__date", "lesson__number", "lesson__assignment__subject__name")
    day = Q(pupil_id__in=pupil_ids, lesson__date=last)
    marks = list(
        Mark.objects.filter(day)
        .exclude(value="")
        .order_by("lesson__number", "pk")
        .values(*fields, "value", "work_type__name")
    )
    absences = list(Attendance.objects.filter(day).exclude(code="").order_by("lesson__number").values(*fields, "code"))
    return last, marks, absences


def _children_of(parents: list[User]) -> set[int]:
    return set(ParentChild.objects.filter(parent__user__in=parents).values_list("pupil_id", flat=True))


def _last_day_emails(pupil_ids: set[int], today: dt.date, now: dt.datetime, zone) -> dict[int, OutgoingEmail]:
    """The e-mails the scan would have written on the pupils' last day with marks, by recipient (unsaved)."""
    last, marks, absences = _last_day_records(pupil_ids, today)
    if last is None:
        return {}
    per_user, _prefs = services.records_by_recipient(marks, absences)
    sent_at = min(dt.datetime.combine(last, dt.time(16, 40), tzinfo=zone), now - dt.timedelta(hours=1))
    return {
        user_id: services.records_email(
            recipient, {"children": children}, sent_at, f"demo:records:{user_id}:{last.isoformat()}"
        )
        for user_id, (recipient, children) in per_user.items()
    }


def _sent(email: OutgoingEmail, at: dt.datetime) -> OutgoingEmail:
    email.status = EmailStatus.SENT
    email.send_after = email.sent_at = at
    email.attempts = 1
    return email


def seed_notifications(*, year: SchoolYear, today: dt.date, actor: User) -> dict:
    """Preferences, addresses, a handful of sent e-mails and one failed; the figures for the seed's summary."""
    rng = random.Random(SEED)
    school = year.school
    zone = zone_of(school.time_zone)
    now = timezone.now()
    users = User.objects.filter(school=school, is_active=True).order_by("pk")
    fixed = {user.username: user for user in users.filter(username__in=["parent", "parent2", "pupil", "teacher"])}
    parents = list(users.filter(role=Role.PARENT).exclude(username__in=fixed))
    pupils = list(users.filter(role=Role.PUPIL).exclude(username__in=fixed))
    preferences = _preferences(rng, parents, pupils, fixed)
    with_address = [row.user for row in preferences]
    for user in with_address:
        user.email = _address(user)
    for staff in users.filter(role=Role.TEACHER, email=""):
        staff.email = f"{staff.username}@school7.example"
        with_address.append(staff)
    User.objects.bulk_update(with_address, ["email"], batch_size=500)
    NotificationSettings.objects.bulk_create(preferences, ignore_conflicts=True)

    emails: list[OutgoingEmail] = []
    # The last school day's marks and absences of the fixed families, as the scan would have sent them; the same
    # kind of e-mail failed for another parent (an address the mail server does not know).
    fixed_ids = {user.pk for user in fixed.values()}
    for user_id, email in _last_day_emails(_children_of(list(fixed.values())), today, now, zone).items():
        if user_id in fixed_ids:
            emails.append(_sent(email, email.send_after))
    # A few other families got theirs too; one address bounced.
    taken = _children_of(list(fixed.values()))
    others = [row.user for row in preferences if row.email_marks and row.user.role == Role.PARENT]
    for user in others:
        children = _children_of([user])
        if user.pk in fixed_ids or children & taken:
            continue
        email = _last_day_emails(children, today, now, zone).get(user.pk)
        if email is None:
            continue
        taken |= children
        if not any(row.status == EmailStatus.FAILED for row in emails):
            email.status, email.attempts = EmailStatus.FAILED, services.MAX_ATTEMPTS
            email.last_error = FAILED_ERROR % (email.to, email.to)
            emails.append(email)
        else:
            emails.append(_sent(email, email.send_after))
        if len(emails) >= OTHER_FAMILIES:
            break

    # Last week's digests of the fixed families.
    local_today = now.astimezone(zone).date()
    saturday = local_today - dt.timedelta(days=(local_today.weekday() - services.DIGEST_WEEKDAY) % 7 or 7)
    digest_due = dt.datetime.combine(saturday, dt.time(services.DIGEST_HOUR, 20), tzinfo=zone)
    if saturday >= year.start_date:
        only = {fixed[n].pk for n in ("parent", "parent2", "pupil") if n in fixed}
        for email in services.digest_emails(year=year, saturday=saturday, now=digest_due, only=only):
            email.dedup_key = f"demo:{email.dedup_key}"
            emails.append(_sent(email, digest_due))
    OutgoingEmail.objects.bulk_create(emails)

    # The scans start from now: the seed's marks are not news, and this week's digest goes on Saturday.
    this_saturday = local_today - dt.timedelta(days=(local_today.weekday() - services.DIGEST_WEEKDAY) % 7)
    this_due = dt.datetime.combine(this_saturday, dt.time(services.DIGEST_HOUR), tzinfo=zone)
    NotificationCursor.objects.update_or_create(name=services.RECORDS_CURSOR, defaults={"position": now})
    NotificationCursor.objects.update_or_create(
        name=services.DIGEST_CURSOR.format(school_id=school.pk),
        defaults={"position": this_due if this_due <= now else this_due - dt.timedelta(days=7)},
    )
    return {
        "addresses": len(with_address),
        "preferences": len(preferences),
        "emails_sent": sum(1 for email in emails if email.status == EmailStatus.SENT),
        "emails_failed": sum(1 for email in emails if email.status == EmailStatus.FAILED),
    }
