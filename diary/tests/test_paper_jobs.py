"""Paper diaries as a background job: the request queues one row and hands it to Celery after the commit; the task
claims it once, makes the PDF and stores it, or stores why not; stalled and failed prints may be asked again."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.test import TestCase

from accounts.choices import InfoForm
from diary.models import PaperDiaryPrint
from diary.selectors.paper import print_log
from diary.services.paper import PaperLayout, paper_diaries_request, paper_print_render
from diary.tasks import paper_diaries_render
from diary.tests.test_paper_print import TODAY, TWO_WEEKS, at, build_paper_class, choose, pdf_text, print_batch
from diary.tests.test_paper_print import request_batch as request

Status = PaperDiaryPrint.Status


@pytest.fixture
def paper_class(cast):
    return build_paper_class(cast)


def broken(html: str):
    raise OSError("out of memory")


def test_the_request_queues_one_row_and_hands_it_to_celery_after_the_commit(paper_class, monkeypatch):
    cast = paper_class
    handed = []
    monkeypatch.setattr(paper_diaries_render, "delay", handed.append)
    record, callbacks = request(cast)
    record.refresh_from_db()
    assert (record.status, record.pdf, record.started_at, record.finished_at) == (Status.QUEUED, None, None, None)
    assert (record.pupils, record.layout, record.printed_by) == (1, PaperLayout.ONE, cast.classteacher)
    assert handed == []  # not before the commit: a worker would not find the row
    assert len(callbacks) == 1
    callbacks[0]()
    assert handed == [record.pk]


def test_the_task_renders_and_a_second_run_changes_nothing(paper_class, monkeypatch):
    cast = paper_class
    record, _callbacks = request(cast)  # queued, not handed over
    with at(TODAY):
        assert paper_diaries_render.delay(record.pk).get() == Status.READY  # eager Celery: the real task
    record.refresh_from_db()
    assert record.status == Status.READY and cast.pupil.user.full_name in pdf_text(bytes(record.pdf))
    before = PaperDiaryPrint.objects.values().get(pk=record.pk)
    renders = []
    monkeypatch.setattr("diary.services.paper.render_pdf", lambda html: renders.append(html))
    with at(TODAY + dt.timedelta(days=1)):
        assert paper_diaries_render(record.pk) == "skipped"
        assert paper_print_render(record.pk) == "skipped"
    assert renders == [] and PaperDiaryPrint.objects.values().get(pk=record.pk) == before


def test_a_print_being_rendered_is_not_claimed_again(paper_class):
    record, _callbacks = request(paper_class)
    PaperDiaryPrint.objects.filter(pk=record.pk).update(status=Status.RENDERING)  # another worker has it
    assert paper_print_render(record.pk) == "skipped"
    record.refresh_from_db()
    assert (record.status, record.pdf) == (Status.RENDERING, None)


def test_a_rendering_failure_fails_the_print_with_the_error_and_loses_nothing_else(paper_class, monkeypatch):
    cast = paper_class
    good_pdf, good = print_batch(cast, dates=(dt.date(2026, 10, 20), dt.date(2026, 11, 2)))
    monkeypatch.setattr("diary.services.paper.render_pdf", broken)
    _pdf, failed = print_batch(cast)  # eager: the task runs at the commit and does not raise
    assert (failed.status, failed.error, failed.pdf, failed.pages) == (
        Status.FAILED,
        "OSError: out of memory",
        None,
        None,
    )
    assert failed.finished_at is not None and (failed.date_from, failed.date_to, failed.pupils) == (*TWO_WEEKS, 1)
    good.refresh_from_db()
    assert (good.status, bytes(good.pdf)) == (Status.READY, good_pdf)
    # a failed print may be asked again: a new row, and this time it works
    monkeypatch.undo()
    again_pdf, again = print_batch(cast)
    assert again.pk != failed.pk and again.status == Status.READY and again_pdf.startswith(b"%PDF")
    assert PaperDiaryPrint.objects.filter(status=Status.FAILED).count() == 1


def test_a_class_without_paper_families_by_the_time_of_the_render_fails_with_the_reason(paper_class):
    cast = paper_class
    record, callbacks = request(cast)
    choose(cast.classteacher, cast.parent, InfoForm.ELECTRONIC, day=TODAY)  # the mother changed her mind meanwhile
    with at(TODAY):
        callbacks[0]()
    record.refresh_from_db()
    assert record.status == Status.FAILED and "нет родителей, выбравших бумажную форму" in record.error


def test_a_broker_that_is_down_fails_the_print_at_once(paper_class, monkeypatch):
    def down(print_id: int):
        raise ConnectionError("Redis is not answering")

    monkeypatch.setattr(paper_diaries_render, "delay", down)
    record, callbacks = request(paper_class)
    callbacks[0]()
    record.refresh_from_db()
    assert record.status == Status.FAILED
    assert record.error == "Не удалось поставить в очередь: ConnectionError: Redis is not answering"


def test_the_same_batch_is_not_queued_twice_while_it_is_being_made(paper_class):
    cast = paper_class
    first, callbacks = request(cast)
    second, more = request(cast, actor=cast.deputy)  # a double click, a colleague in another tab
    assert second.pk == first.pk and more == [] and PaperDiaryPrint.objects.count() == 1
    # another layout or interval is another batch
    other, other_callbacks = request(cast, layout=PaperLayout.TWO)
    assert other.pk != first.pk and len(other_callbacks) == 1


def test_a_stalled_print_is_shown_as_such_and_may_be_asked_again(paper_class):
    cast = paper_class
    stalled, _callbacks = request(cast)  # at 10:00; a lost message: nobody ever renders it
    with at(TODAY, hour=10):
        log = print_log(cast.class_a, TODAY)
    assert [entry.state for entry in log.entries] == ["pending"] and log.pending and not log.entries[0].reprint
    with at(TODAY, hour=11):
        log = print_log(cast.class_a, TODAY)
        assert [entry.state for entry in log.entries] == ["stalled"] and not log.pending
        assert log.entries[0].reprint and log.last_printed_on is None
        with TestCase.captureOnCommitCallbacks(execute=True):
            again = paper_diaries_request(
                actor=cast.classteacher,
                school_class=cast.class_a,
                date_from=TWO_WEEKS[0],
                date_to=TWO_WEEKS[1],
                layout=PaperLayout.ONE,
            )
    again.refresh_from_db()
    assert again.pk != stalled.pk and again.status == Status.READY


def test_the_migration_marks_the_old_prints_done(paper_class):
    migration = importlib.import_module("diary.migrations.0003_paper_print_job")
    record, _callbacks = request(paper_class)  # stands for a row of the old synchronous print
    migration.mark_old_prints_ready(apps, None)
    record.refresh_from_db()
    assert (record.status, record.finished_at, record.pdf) == (Status.READY, record.printed_at, None)
    assert [entry.state for entry in print_log(paper_class.class_a, TODAY).entries] == ["no_pdf"]
