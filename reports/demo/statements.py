"""The demo's справка по итогам проверки: the deputy's audit of November (the whole school), made and sent through the
services (the figures frozen by them), dated the first school day after the month, with some of its recipients
acknowledged at believable times since and the rest still pending (the demo ``teacher`` among them, so the
teacher's home page has a справка to acknowledge).

The services stamp «now»; the demo then dates the справка, its messages, the acknowledgements and their history
as they would have happened (as the journal's demo dates its records). Deterministic: a fixed random seed.
"""

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from accounts.models import School, User
from diary.models import Message, Thread, ThreadParticipant
from journal.models import SchoolYear

from ..models import AuditStatement, AuditStatementRecipient
from ..selectors.statements import candidate_teachers
from ..services.statements import (
    recommendations_template,
    statement_acknowledge,
    statement_create,
    statement_send,
    statement_update,
)

SEED = 1212
ACKNOWLEDGED_SHARE = 0.65
PENDING_USERNAMES = {"teacher"}  # the demo's teacher sees the справка waiting on the home page


def _audited_month(year: SchoolYear, today: dt.date) -> tuple[dt.date, dt.date] | None:
    """November of the year if it is over, else the last whole month before today within the year."""
    start = dt.date(year.start_date.year, 11, 1)
    end = dt.date(start.year, 11, 30)
    if end >= today:
        end = today.replace(day=1) - dt.timedelta(days=1)
        start = end.replace(day=1)
    if start < year.start_date.replace(day=1) or end >= today:
        return None
    return start, end


def _next_weekday(day: dt.date) -> dt.date:
    while day.weekday() >= 5:
        day += dt.timedelta(days=1)
    return day


def _daytime(moment: dt.datetime, zone: ZoneInfo) -> dt.datetime:
    """A moment moved into a working day's hours (8:00–20:00 on a weekday) in the school's zone."""
    local = moment.astimezone(zone)
    if local.hour >= 20:
        local = (local + dt.timedelta(days=1)).replace(hour=8, minute=local.minute)
    elif local.hour < 8:
        local = local.replace(hour=8)
    while local.weekday() >= 5:
        local += dt.timedelta(days=1)
    return local


@transaction.atomic
def seed_statements(school: School, today: dt.date) -> dict:
    """One sent справка for November (see the module's doc); nothing when the school has no deputy, no year or no
    whole month before today."""
    deputy = User.objects.filter(school=school, role=Role.DEPUTY, is_active=True).order_by("pk").first()
    year = SchoolYear.objects.filter(school=school, start_date__lte=today, end_date__gte=today).first()
    month = _audited_month(year, today) if year is not None else None
    if deputy is None or month is None:
        return {"statements": 0, "recipients": 0, "acknowledged": 0}
    start, end = month
    zone = ZoneInfo(school.time_zone)
    now = timezone.now()
    sent_on = min(_next_weekday(end + dt.timedelta(days=1)), today)
    sent_at = min(dt.datetime.combine(sent_on, dt.time(14, 35), tzinfo=zone), now - dt.timedelta(minutes=30))
    created_at = sent_at - dt.timedelta(hours=3, minutes=10)

    statement = statement_create(actor=deputy, start=start, end=end)
    class_teachers = set(statement.recipients.filter(as_class_teacher=True).values_list("user_id", flat=True))
    teachers = set(candidate_teachers(statement.figures))
    statement = statement_update(
        actor=deputy,
        statement=statement,
        title=statement.title,
        aim=statement.aim,
        basis=statement.basis,
        checked_on=sent_on,
        conclusions=statement.conclusions,
        recommendations=recommendations_template(
            statement.figures, checked_on=sent_on, class_teacher_ids=class_teachers
        ),
        teacher_ids=[row.user_id for row in statement.recipients.all() if row.user_id in teachers],
        class_teacher_ids=class_teachers,
    )
    statement = statement_send(actor=deputy, statement=statement)

    rng = random.Random(SEED)
    recipients = list(statement.recipients.select_related("user").order_by("user__last_name", "user__first_name"))
    acknowledged: dict[int, dt.datetime] = {}
    for recipient in recipients:
        if recipient.user.username in PENDING_USERNAMES or recipient.user_id == deputy.pk:
            continue
        if rng.random() >= ACKNOWLEDGED_SHARE:
            continue
        moment = _daytime(sent_at + dt.timedelta(minutes=rng.randint(12, 36 * 60)), zone)
        if moment < now - dt.timedelta(minutes=5):
            acknowledged[recipient.user_id] = moment
    if recipients and len(acknowledged) == len(recipients):  # some, not all: the last one has not read it yet
        acknowledged.pop(recipients[-1].user_id)
    eligible = [row for row in recipients if row.user.username not in PENDING_USERNAMES and row.user_id != deputy.pk]
    soon = sent_at + dt.timedelta(minutes=40)
    if not acknowledged and len(eligible) > 1 and soon < now:  # and some: one read it within the hour
        acknowledged[eligible[0].user_id] = soon
    for recipient in recipients:
        if recipient.user_id in acknowledged:
            statement_acknowledge(actor=recipient.user, statement=statement)

    # Dated as it happened: the справка, its history, the messages, the acknowledgements.
    AuditStatement.objects.filter(pk=statement.pk).update(created_at=created_at, sent_at=sent_at)
    history = list(AuditStatement.history.filter(id=statement.pk).order_by("history_id"))
    for index, row in enumerate(history):
        row.history_date = created_at if index == 0 else sent_at
    AuditStatement.history.model.objects.bulk_update(history, ["history_date"])
    recipient_history = list(AuditStatementRecipient.history.filter(statement_id=statement.pk))
    for row in recipient_history:
        row.history_date = acknowledged.get(row.user_id, created_at) if row.history_type == "~" else created_at
    AuditStatementRecipient.history.model.objects.bulk_update(recipient_history, ["history_date"])
    for user_id, moment in acknowledged.items():
        AuditStatementRecipient.objects.filter(statement=statement, user_id=user_id).update(acknowledged_at=moment)

    subject = f"Справка по итогам проверки № {statement.number}"
    threads = Thread.objects.filter(school=school, created_by=deputy, subject=subject)
    Thread.objects.filter(pk__in=threads).update(created_at=sent_at, last_message_at=sent_at)
    Message.objects.filter(thread__in=threads).update(created_at=sent_at)
    ThreadParticipant.objects.filter(thread__in=threads, user=deputy).update(last_read_at=sent_at)
    for user_id, moment in acknowledged.items():  # who acknowledged read the message first
        ThreadParticipant.objects.filter(thread__in=threads, user_id=user_id).update(
            unread=0, last_read_at=moment - dt.timedelta(minutes=2)
        )
    return {"statements": 1, "recipients": len(recipients), "acknowledged": len(acknowledged)}
