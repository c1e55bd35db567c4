"""Handing work to Celery by task name, so that services never import a ``tasks`` module (the tasks import
services). The journal's services use it, and the diary's through ``diary/services/queue.py`` (the diary is a higher
layer: the one helper lives in the lowest app that needs it).

The task is looked up in the Celery app's registry and sent with ``delay()``, which honours
``CELERY_TASK_ALWAYS_EAGER`` (development and tests run the task in the calling process, at the commit). A web
process has not necessarily imported the task modules (a worker imports them at start; ``current_app.tasks`` only
finalizes the app), so a name missing from the registry makes Celery import the installed apps' ``tasks`` modules,
then is looked up again.

Publishing never holds a request for long (issue 10). The broker's timeouts in the settings bound one attempt
(about REDIS_TIMEOUT seconds, no retries); and once an attempt has failed, the process does not try the broker again
for BROKER_PAUSE_SECONDS but refuses at once, so a class broadcast to 60 parents waits for one failed attempt, not
60. The callers lose nothing by it: the row they queued for stays for a sweep (an outbox e-mail:
``diary.tasks.send_due_emails``), or is failed with the reason on its page (a paper diaries print, an import job).
"""

import logging
import time

from celery import current_app
from celery.result import AsyncResult

logger = logging.getLogger(__name__)

BROKER_PAUSE_SECONDS = 30.0  # after a failed publish, this process refuses without trying the broker

_broker_down_until = 0.0  # time.monotonic() before which the broker is not tried


class BrokerUnavailable(ConnectionError):
    """The broker failed a moment ago: the task was not sent (and not tried)."""

    def __init__(self) -> None:
        super().__init__("очередь задач недоступна (брокер не ответил), задача не отправлена")


def task_delay(name: str, *args) -> AsyncResult:
    """Queue the registered task ``name`` (e.g. ``"diary.tasks.send_email"``) with ``args``.

    Raises what the broker raises when it is down (within about a second), then ``BrokerUnavailable`` without trying
    for BROKER_PAUSE_SECONDS; and ``celery.exceptions.NotRegistered`` for a name no installed app defines. An eager
    task (development, tests) runs here and raises what it raises."""
    global _broker_down_until
    if name not in current_app.tasks:
        current_app.autodiscover_tasks(force=True)
    task = current_app.tasks[name]
    if current_app.conf.task_always_eager:
        return task.delay(*args)
    if time.monotonic() < _broker_down_until:
        raise BrokerUnavailable
    try:
        return task.delay(*args)
    except Exception:
        _broker_down_until = time.monotonic() + BROKER_PAUSE_SECONDS
        logger.warning("broker unavailable: tasks are not sent for %s s", BROKER_PAUSE_SECONDS)
        raise


def broker_pause_reset() -> None:
    """Try the broker again at the next task, pause or not (tests)."""
    global _broker_down_until
    _broker_down_until = 0.0


def delay_or_fail(name: str, model, pk: int) -> None:
    """Queue the task ``name`` for the background row ``model(pk)`` (a report export, a year's archive, a journal
    print); if the broker refuses, the row, still queued, is failed with the reason shown on its page. Rows with
    ``status`` («queued» / «failed»), ``error`` and ``finished_at``; called at the commit of the row's creation."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    try:
        task_delay(name, pk)
    except Exception as error:
        logger.exception("%s %s not handed to Celery", model._meta.label, pk)
        model.objects.filter(pk=pk, status="queued").update(
            status="failed",
            error=_("Не удалось поставить в очередь: %(error)s") % {"error": error.__class__.__name__},
            finished_at=timezone.now(),
        )
