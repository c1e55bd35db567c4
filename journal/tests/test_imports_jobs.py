"""Applying an import as a Celery job, like paper diaries: the request queues the job and hands it to Celery after the
commit; the task claims it once, writes the progress as it goes and leaves the job done, or failed with the reason
and nothing written."""

import datetime as dt
import re

import pytest
from celery.exceptions import NotRegistered
from celery.result import EagerResult
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from accounts.services import pupil_create
from journal.models import ImportJob
from journal.services.imports import apply as import_services
from journal.services.imports.apply import import_apply_request, import_job_run
from journal.services.queue import task_delay
from journal.tests.test_imports import pupil_row, upload
from journal.tests.test_imports_bulk import many_pupils, statement_shape

Status = ImportJob.Status


def imported(job: ImportJob) -> int:
    return User.objects.filter(username__in=[row["preview"]["username"] for row in job.rows]).count()


def test_the_request_queues_one_job_and_hands_it_over_after_the_commit(
    cast, monkeypatch, django_capture_on_commit_callbacks
):
    job = upload(cast, many_pupils(3))
    handed = []
    monkeypatch.setattr(import_services, "task_delay", lambda name, *args: handed.append((name, *args)))
    with django_capture_on_commit_callbacks() as callbacks:
        returned = import_apply_request(actor=cast.admin, job=job)
    # queued, by whom and when; nothing handed over before the commit, nothing written
    assert returned.status == Status.QUEUED and returned.applied_by == cast.admin and returned.queued_at is not None
    assert (returned.progress_done, returned.progress_total) == (0, 3)
    assert handed == [] and len(callbacks) == 1 and imported(job) == 0
    callbacks[0]()
    assert handed == [("journal.tasks.import_apply_job", job.pk)]


def test_the_job_runs_eagerly_at_the_commit_and_is_done(cast, django_capture_on_commit_callbacks):
    job = upload(cast, many_pupils(3))
    with django_capture_on_commit_callbacks(execute=True):
        import_apply_request(actor=cast.admin, job=job)
    job.refresh_from_db()
    assert job.status == Status.DONE and job.applied_at is not None
    assert (job.progress_done, job.progress_total) == (3, 3)
    assert job.started_at <= job.finished_at and job.error == ""
    assert imported(job) == 3 and all(row["result"]["user_id"] for row in job.rows)


def test_a_second_click_queues_nothing(cast, django_capture_on_commit_callbacks):
    job = upload(cast, [pupil_row()])
    with django_capture_on_commit_callbacks() as callbacks:
        import_apply_request(actor=cast.admin, job=job)
        again = import_apply_request(actor=cast.admin, job=ImportJob.objects.get(pk=job.pk))
    assert again.status == Status.QUEUED and len(callbacks) == 1


def test_a_second_delivery_changes_nothing(cast, django_capture_on_commit_callbacks):
    job = upload(cast, many_pupils(2))
    with django_capture_on_commit_callbacks(execute=True):
        import_apply_request(actor=cast.admin, job=job)
    users = User.objects.count()
    assert import_job_run(job.pk) == "skipped"  # the message delivered again: the job is no longer queued
    assert User.objects.count() == users and ImportJob.objects.get(pk=job.pk).status == Status.DONE


def test_an_applied_file_is_not_queued_again(cast, django_capture_on_commit_callbacks):
    job = upload(cast, [pupil_row()])
    with django_capture_on_commit_callbacks(execute=True):
        import_apply_request(actor=cast.admin, job=job)
    with pytest.raises(ValidationError, match="уже загружен"), django_capture_on_commit_callbacks() as callbacks:
        import_apply_request(actor=cast.admin, job=job)
    assert callbacks == []


def test_a_file_with_problems_is_not_queued(cast, django_capture_on_commit_callbacks):
    job = upload(cast, [pupil_row(class_name="9Я")])
    with pytest.raises(ValidationError, match="В файле есть ошибки"), django_capture_on_commit_callbacks() as callbacks:
        import_apply_request(actor=cast.admin, job=job)
    assert callbacks == [] and ImportJob.objects.get(pk=job.pk).status == Status.CHECKED


def test_a_failed_job_keeps_the_reason_and_writes_nothing(cast, django_capture_on_commit_callbacks):
    job = upload(cast, [pupil_row(last_name="Белов"), pupil_row()])
    # Соколов is enrolled by hand after the preview: the job finds it and refuses the whole file.
    pupil_create(
        actor=cast.admin,
        school=cast.school,
        username="sokolov.manual",
        last_name="Соколов",
        first_name="Артём",
        middle_name="Ильич",
        date_of_birth=dt.date(2013, 4, 12),
    )
    users = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        import_apply_request(actor=cast.admin, job=job)
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.applied_at is None and job.finished_at is not None
    assert "строка 3" in job.error and "уже есть в школе" in job.error
    assert User.objects.count() == users
    # the admin may try again (the reason stays until then)
    with django_capture_on_commit_callbacks() as callbacks:
        assert import_apply_request(actor=cast.admin, job=job).status == Status.QUEUED
    assert len(callbacks) == 1 and ImportJob.objects.get(pk=job.pk).error == ""


def test_an_unexpected_error_rolls_the_data_back_and_is_kept(cast, monkeypatch, django_capture_on_commit_callbacks):
    job = upload(cast, many_pupils(3))

    def broken(actor, batch, moment):
        User.objects.bulk_create(batch.users)  # written, then the rest fails: the transaction takes it back
        raise RuntimeError("disk full")

    monkeypatch.setattr(import_services, "_write", broken)
    users = User.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        import_apply_request(actor=cast.admin, job=job)
    job.refresh_from_db()
    assert (job.status, job.error, job.applied_at) == (Status.FAILED, "RuntimeError: disk full", None)
    assert User.objects.count() == users


def test_a_broker_that_is_down_fails_the_job_at_once(cast, monkeypatch, django_capture_on_commit_callbacks):
    job = upload(cast, [pupil_row()])

    def down(name, *args):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(import_services, "task_delay", down)
    with django_capture_on_commit_callbacks(execute=True):
        import_apply_request(actor=cast.admin, job=job)
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error == "Не удалось поставить в очередь: ConnectionError: Redis is down"


def test_a_stalled_job_may_be_queued_again(cast, django_capture_on_commit_callbacks):
    job = upload(cast, [pupil_row()])
    long_ago = timezone.now() - dt.timedelta(minutes=20)
    ImportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, queued_at=long_ago, started_at=long_ago)
    job.refresh_from_db()
    assert job.stalled and not job.pending
    with django_capture_on_commit_callbacks(execute=True):
        import_apply_request(actor=cast.admin, job=job)
    assert ImportJob.objects.get(pk=job.pk).status == Status.DONE


def test_a_running_job_is_not_queued_twice(cast, django_capture_on_commit_callbacks):
    job = upload(cast, [pupil_row()])
    ImportJob.objects.filter(pk=job.pk).update(status=Status.RUNNING, queued_at=timezone.now())
    with django_capture_on_commit_callbacks() as callbacks:
        assert import_apply_request(actor=cast.admin, job=job).status == Status.RUNNING
    assert callbacks == []


@pytest.mark.parametrize("role", ["deputy", "director", "foreign_admin"])
def test_only_the_school_admin_queues_a_job(cast, role, django_capture_on_commit_callbacks):
    job = upload(cast, [pupil_row()])
    with pytest.raises(PermissionDenied), django_capture_on_commit_callbacks() as callbacks:
        import_apply_request(actor=getattr(cast, role), job=job)
    assert callbacks == [] and ImportJob.objects.get(pk=job.pk).status == Status.CHECKED


def test_an_admin_who_lost_the_right_meanwhile_gets_a_failed_job(cast, django_capture_on_commit_callbacks):
    job = upload(cast, [pupil_row()])
    with django_capture_on_commit_callbacks() as callbacks:
        import_apply_request(actor=cast.admin, job=job)
    User.objects.filter(pk=cast.admin.pk).update(role=Role.TEACHER)
    callbacks[0]()
    job.refresh_from_db()
    assert job.status == Status.FAILED and job.error and imported(job) == 0


# --- progress ----------------------------------------------------------------------------------------------


PROGRESS_UPDATE = re.compile(r'^UPDATE "journal_importjob" SET "progress_done"')


def run_captured(cast, rows: int, start: int) -> list[dict]:
    job = upload(cast, many_pupils(rows, start=start))
    ImportJob.objects.filter(pk=job.pk).update(
        status=Status.QUEUED, applied_by=cast.admin, queued_at=timezone.now(), progress_total=rows
    )
    with CaptureQueriesContext(connection) as queries:
        assert import_job_run(job.pk) == Status.DONE
    return queries.captured_queries


def test_progress_is_written_per_batch_of_rows_before_the_data_transaction(cast, monkeypatch):
    monkeypatch.setattr(import_services, "PROGRESS_EVERY", 10)
    small, large = run_captured(cast, 10, 0), run_captured(cast, 40, 10)
    progress = [[q["sql"] for q in queries if PROGRESS_UPDATE.match(q["sql"])] for queries in (small, large)]
    # one UPDATE per 10 rows prepared, with the count so far
    assert len(progress[0]) == 1 and len(progress[1]) == 4
    assert [re.search(r'"progress_done" = (\d+)', sql).group(1) for sql in progress[1]] == ["10", "20", "30", "40"]
    # the rest is the same few statements whatever the size (the bulk write of the file)
    rest = [[q for q in queries if not PROGRESS_UPDATE.match(q["sql"])] for queries in (small, large)]
    assert statement_shape(rest[0]) == statement_shape(rest[1])
    # UPDATE the job (the claim: running), read it with its school and admin; the apply (22 statements, pinned in
    # test_imports_bulk.py)
    assert len(statement_shape(rest[1])) == 2 + 22
    # Written outside the data transaction (in autocommit, so the page sees it): all before its first SAVEPOINT.
    sqls = [q["sql"] for q in large]
    first_savepoint = next(i for i, sql in enumerate(sqls) if sql.startswith("SAVEPOINT"))
    assert all(i < first_savepoint for i, sql in enumerate(sqls) if PROGRESS_UPDATE.match(sql))


def test_the_job_is_running_while_it_works(cast, monkeypatch):
    job = upload(cast, many_pupils(3))
    ImportJob.objects.filter(pk=job.pk).update(status=Status.QUEUED, applied_by=cast.admin, queued_at=timezone.now())
    seen = []
    real = import_services._write

    def watched(actor, batch, moment):
        seen.append(ImportJob.objects.values_list("status", "progress_done").get(pk=job.pk))
        real(actor, batch, moment)

    monkeypatch.setattr(import_services, "_write", watched)
    import_job_run(job.pk)
    assert seen == [(Status.RUNNING, 3)]


# --- the task, by name ----------------------------------------------------------------------------------------


def test_the_task_is_queued_by_name_and_runs_eagerly(cast):
    job = upload(cast, [pupil_row()])
    ImportJob.objects.filter(pk=job.pk).update(status=Status.QUEUED, applied_by=cast.admin, queued_at=timezone.now())
    result = task_delay("journal.tasks.import_apply_job", job.pk)
    assert isinstance(result, EagerResult) and result.get() == Status.DONE
    assert task_delay("journal.tasks.import_apply_job", job.pk).get() == "skipped"


def test_a_name_nobody_registered_is_refused():
    with pytest.raises(NotRegistered):
        task_delay("journal.tasks.no_such_task", 1)
