"""Handing work to Celery by task name, so that services never import ``diary.tasks`` (the tasks import services).

The task is looked up in the Celery app's registry and sent with ``delay()``: unlike ``app.send_task`` this honours
``CELERY_TASK_ALWAYS_EAGER`` (development and tests run the task in the calling process). A web process has not
necessarily imported the task modules (a worker imports them at start; ``current_app.tasks`` only finalizes the app),
so a name missing from the registry makes Celery import the installed apps' ``tasks`` modules, then is looked up
again.
"""

from celery import current_app
from celery.result import AsyncResult


def task_delay(name: str, *args) -> AsyncResult:
    """Queue the registered task ``name`` (e.g. ``"diary.tasks.send_email"``) with ``args``. Raises what the broker
    raises when it is down, and ``celery.exceptions.NotRegistered`` for a name no installed app defines."""
    if name not in current_app.tasks:
        current_app.autodiscover_tasks(force=True)
    return current_app.tasks[name].delay(*args)
