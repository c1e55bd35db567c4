import datetime as dt

from celery import shared_task
from django.contrib.sessions.models import Session
from django.utils import timezone


@shared_task
def clear_expired_sessions() -> int:
    """Delete expired sessions (one bulk delete; running it twice deletes nothing the second time)."""
    deleted, _ = Session.objects.filter(expire_date__lt=timezone.now()).delete()
    return deleted


@shared_task
def purge_activity_records() -> int:
    """Delete sign-ins and visits older than a year (accounts.visits.KEEP_DAYS); idempotent, two bulk deletes."""
    from .models import LoginRecord, UserVisit
    from .visits import KEEP_DAYS

    cutoff = timezone.now() - dt.timedelta(days=KEEP_DAYS)
    logins, _ = LoginRecord.objects.filter(at__lt=cutoff).delete()
    visits, _ = UserVisit.objects.filter(day__lt=cutoff.date()).delete()
    return logins + visits
