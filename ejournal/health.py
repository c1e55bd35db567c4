"""The health endpoint for monitoring, /health/ (django-health-check): is the journal up, and is its mail moving.

Checks: the database (SELECT 1), the cache (a key written and read), the file storage (a file written, read and
deleted), the Celery broker (a connection), the outbox (the oldest e-mail past its time waits no longer than
HEALTH_OUTBOX_MAX_MINUTES) and, where Celery has a broker, the beat (its 10-minute scan of new marks ran within
HEALTH_BEAT_MAX_MINUTES). 200 when all pass, 500 naming the one that failed. The answer is JSON (``?format=text``,
``openmetrics``, ``atom`` and ``rss`` too): check names, "OK" or a short reason, nothing about users or schools.

Who may see it: everyone while HEALTH_CHECK_TOKEN is empty; with a token, only a request carrying it
(``Authorization: Bearer <token>``, or ``?token=<token>`` for monitors that cannot set a header), 404 otherwise.
See docs/operations.md.
"""

import dataclasses
import datetime as dt
import hmac

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db.models import Min
from django.http import Http404, HttpRequest
from django.utils import timezone
from health_check.base import HealthCheck
from health_check.checks import Cache, Database, Storage
from health_check.exceptions import ServiceUnavailable
from health_check.views import HealthCheckView

from diary.choices import EmailStatus
from diary.models import NotificationCursor, OutgoingEmail
from diary.services.notifications import RECORDS_CURSOR, RECORDS_LAG

from .celery import app as celery_app


def _minutes(age: dt.timedelta) -> int:
    return int(age.total_seconds() // 60)


@dataclasses.dataclass
class Broker(HealthCheck):
    """Celery's broker accepts a connection (with Redis: a PING answered)."""

    timeout = dt.timedelta(seconds=3)

    def run(self) -> None:
        try:
            with celery_app.connection_for_write() as connection:
                connection.ensure_connection(max_retries=1)
        except Exception as error:
            raise ServiceUnavailable(f"broker unreachable ({type(error).__name__})") from error


def oldest_due_email() -> dt.datetime | None:
    """When the oldest pending e-mail became due (``send_after``), or None (1 query, on the status index)."""
    rows = OutgoingEmail.objects.filter(status=EmailStatus.PENDING, send_after__lte=timezone.now())
    return rows.aggregate(oldest=Min("send_after"))["oldest"]


@dataclasses.dataclass
class Outbox(HealthCheck):
    """No e-mail waits past its time longer than HEALTH_OUTBOX_MAX_MINUTES. The sweep (send_due_emails) runs every
    5 minutes and a retry waits up to 16, so a longer wait means no worker or no beat, or a mail server that refuses
    everything. E-mails held for quiet hours are not due yet and do not count."""

    timeout = dt.timedelta(seconds=3)

    async def run(self) -> None:
        # In the request's thread (and its database connection), not in the executor's.
        oldest = await sync_to_async(oldest_due_email)()
        if oldest is None:
            return
        age = timezone.now() - oldest
        if age > dt.timedelta(minutes=settings.HEALTH_OUTBOX_MAX_MINUTES):
            raise ServiceUnavailable(f"the oldest due e-mail has waited {_minutes(age)} min")


def beat_last_run() -> dt.datetime | None:
    """When the beat's scan of new marks and absences (diary.tasks.notify_new_records, every 10 minutes) last ran:
    its cursor moves to the run's time less RECORDS_LAG, and only when the beat sent the task and a worker ran it."""
    position = NotificationCursor.objects.filter(name=RECORDS_CURSOR).values_list("position", flat=True).first()
    return position + RECORDS_LAG if position is not None else None


@dataclasses.dataclass
class Beat(HealthCheck):
    """The beat and a worker ran the scheduled scan within HEALTH_BEAT_MAX_MINUTES."""

    timeout = dt.timedelta(seconds=3)

    async def run(self) -> None:
        last = await sync_to_async(beat_last_run)()
        if last is None:
            raise ServiceUnavailable("the beat has not run yet")
        age = timezone.now() - last
        if age > dt.timedelta(minutes=settings.HEALTH_BEAT_MAX_MINUTES):
            raise ServiceUnavailable(f"the beat last ran {_minutes(age)} min ago")


def token_accepted(request: HttpRequest) -> bool:
    """No token is set, or the request carries it."""
    token = settings.HEALTH_CHECK_TOKEN
    if not token:
        return True
    header = request.headers.get("Authorization", "")
    given = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else request.GET.get("token", "")
    return hmac.compare_digest(given.encode(), token.encode())


class HealthView(HealthCheckView):
    """django-health-check's view with the checks above, answering JSON unless another format is asked for."""

    checks = (Database, Cache, Storage, Broker, Outbox)

    async def dispatch(self, request, *args, **kwargs):
        if not token_accepted(request):
            raise Http404
        return await super().dispatch(request, *args, **kwargs)

    def get_checks(self):
        yield from super().get_checks()
        if not celery_app.conf.task_always_eager:  # development runs tasks in the web process: no beat to watch
            yield Beat()

    def render_to_response(self, context, **response_kwargs):
        # The library's HTML page carries an inline <style> the Content-Security-Policy refuses; JSON is what a
        # monitor reads anyway.
        return self.render_to_response_json(response_kwargs.get("status", 200))
