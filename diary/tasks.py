"""Celery tasks of the diary: sending the e-mail outbox, the beat tasks that fill it, and rendering paper diaries.

Each takes ids or nothing, and calls diary.services.notifications or diary.services.paper; running one twice changes
nothing the second time (the outbox row and the print are claimed with a conditional UPDATE, the scans claim their
cursor). Services queue these tasks by name (diary.services.queue), never importing this module, and
CELERY_BEAT_SCHEDULE (ejournal/settings.py) names them too, so a name is not to change: send_due_emails every
5 minutes, notify_new_records every 10, send_weekly_digests hourly (each school's digest goes on Saturday afternoon
in its own time zone).
"""

import logging

from celery import shared_task
from django.utils import timezone

from .selectors.notifications import due_email_ids
from .services import notifications, paper

logger = logging.getLogger(__name__)

DUE_BATCH = 2000  # e-mails handed to the workers per run of send_due_emails; the rest wait for the next run


@shared_task(bind=True, max_retries=notifications.MAX_ATTEMPTS)
def send_email(self, email_id: int) -> str:
    """Send one outbox e-mail; on failure retry with exponential backoff (the row keeps each error).

    The number of attempts is counted on the row, not by Celery: an attempt started by send_due_emails counts as
    much as a retry, and after MAX_ATTEMPTS the row is failed whoever made them. Run eagerly (development without
    a broker) a retry could not wait: the row stays pending with its later ``send_after`` for send_due_emails.
    """
    delivery = notifications.email_deliver(email_id)
    if delivery.retry_in is not None and not self.request.is_eager:
        raise self.retry(countdown=delivery.retry_in)
    return delivery.status


@shared_task
def send_due_emails() -> int:
    """Hand to the workers the pending e-mails whose time has come: those that waited for quiet hours to end, and
    those whose hand-over after the commit was lost (a broker that was down). A row already queued is only claimed
    once. Returns the number handed over."""
    ids = due_email_ids(timezone.now(), DUE_BATCH)
    for pk in ids:
        send_email.delay(pk)
    return len(ids)


@shared_task
def notify_new_records() -> int:
    """Queue the e-mails about marks and absences written since the last run (one per recipient)."""
    queued = notifications.new_records_notify()
    if queued:
        logger.info("notifications: %s e-mails about new marks and absences", queued)
    return queued


@shared_task
def send_weekly_digests() -> int:
    """Queue the weekly digests of the schools where it is Saturday afternoon (each school once a week)."""
    queued = notifications.weekly_digests_queue()
    if queued:
        logger.info("notifications: %s weekly digests", queued)
    return queued


@shared_task(soft_time_limit=300, time_limit=360)
def paper_diaries_render(print_id: int) -> str:
    """Make and store the PDF of a queued paper diaries print (diary.services.paper.paper_print_render).

    A class of 30 takes 15–30 s; past the soft limit the print is failed with the reason, and the user may ask
    again. A second run, or a second delivery of the message, finds the print claimed and does nothing.
    """
    return paper.paper_print_render(print_id)
