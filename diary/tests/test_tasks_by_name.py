"""Services queue Celery tasks by name (diary.services.queue), never importing diary.tasks: eagerly in tests and
development, found in a process that has not imported the tasks yet, refused for a name nobody registered."""

import os
import subprocess
import sys

import pytest
from celery.exceptions import NotRegistered
from celery.result import EagerResult
from django.conf import settings
from django.core import mail

from diary.choices import EmailStatus
from diary.services.queue import task_delay

from .test_notifications_support import outgoing

# A web process: Django set up, no tasks module imported (a worker imports them at start, a web process never).
FRESH_PROCESS = """
import sys

import django
from celery.app.task import Task

django.setup()
assert "diary.tasks" not in sys.modules, "imported by setup: this test would prove nothing"
Task.delay = lambda self, *args: print(self.name, *args)

from diary.services.queue import task_delay

task_delay("diary.tasks.send_email", 7)
task_delay("diary.tasks.paper_diaries_render", 8)
"""


def test_the_task_runs_eagerly_in_the_calling_process(cast):
    """CELERY_TASK_ALWAYS_EAGER holds for a task queued by name (``app.send_task`` would have ignored it)."""
    email = outgoing(cast.parent_user, to="olga@example.ru")
    result = task_delay("diary.tasks.send_email", email.pk)
    assert isinstance(result, EagerResult) and result.get() == EmailStatus.SENT
    assert [sent.to for sent in mail.outbox] == [["olga@example.ru"]]


def test_a_process_that_has_not_imported_the_tasks_finds_them_by_name():
    result = subprocess.run(
        [sys.executable, "-c", FRESH_PROCESS],
        cwd=settings.BASE_DIR,
        env=os.environ.copy(),  # DJANGO_SETTINGS_MODULE: the test settings
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["diary.tasks.send_email 7", "diary.tasks.paper_diaries_render 8"]


def test_a_name_nobody_registered_is_refused():
    """A mistyped name fails loudly where it is queued (the services log it as a hand-over that failed)."""
    with pytest.raises(NotRegistered):
        task_delay("diary.tasks.no_such_task", 1)
