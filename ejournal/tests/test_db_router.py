"""The replica router (reports.replica): which database answers, decided by the code path and never by the model.

The decisions are checked on the router alone; which code paths read from the replica, with a router that records
whether a read happened inside ``replica_reads``; and, where CI has started a real streaming replica
(``.ci/replica.sh``, DATABASE_REPLICA_URL), that the reports' reads really run on a server in recovery and still see
what was just written on the primary.
"""

import pytest
from django.conf import settings
from django.db import DatabaseError, connections
from django.test import RequestFactory, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from journal.models import Mark
from reports import replica
from reports.replica import REPLICA, ReplicaRouter, reads_replica, replica_reads, replica_reads_active

# The router alone ---------------------------------------------------------------------------------------------------


@pytest.fixture
def configured(monkeypatch):
    """A replica alias that exists and has caught up; ``calls`` counts the waits for it."""
    calls = []
    monkeypatch.setattr(replica, "replica_configured", lambda: True)
    monkeypatch.setattr(replica, "replica_caught_up", lambda timeout=replica.REPLICA_MAX_WAIT: calls.append(1) or True)
    monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    return calls


def test_reads_outside_the_reports_code_paths_stay_on_the_primary(configured):
    assert ReplicaRouter().db_for_read(Mark) == "default"
    assert configured == []  # not even a look at the replica


def test_reads_inside_replica_reads_go_to_the_replica_after_one_wait(configured):
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Mark) == REPLICA
        assert router.db_for_read(User) == REPLICA
    assert configured == [1]  # the replica caught up once, on the first read
    assert router.db_for_read(Mark) == "default"


def test_writes_always_go_to_the_primary_and_the_next_read_waits_again(configured):
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Mark) == REPLICA
        assert router.db_for_write(Mark) == "default"
        assert router.db_for_read(Mark) == REPLICA
    assert configured == [1, 1]  # read-your-writes: the read after the write waited for the replica to have it
    assert router.db_for_write(Mark) == "default"


def test_reads_inside_a_transaction_of_the_primary_stay_there(configured, monkeypatch):
    monkeypatch.setattr(connections["default"], "in_atomic_block", True)
    with replica_reads():
        assert ReplicaRouter().db_for_read(Mark) == "default"
    assert configured == []


def test_a_replica_that_lags_or_is_down_leaves_the_rest_of_the_path_on_the_primary(configured, monkeypatch):
    router = ReplicaRouter()
    monkeypatch.setattr(replica, "replica_caught_up", lambda timeout=1.0: False)
    with replica_reads():
        assert router.db_for_read(Mark) == "default"
        monkeypatch.setattr(replica, "replica_caught_up", lambda timeout=1.0: True)
        assert router.db_for_read(Mark) == "default"  # given up for this context: no second wait

    def down(timeout=1.0):
        raise DatabaseError("connection refused")

    monkeypatch.setattr(replica, "replica_caught_up", down)
    with replica_reads():
        assert router.db_for_read(Mark) == "default"

    def undeclared(timeout=1.0):  # a test that has not declared the replica database
        raise AssertionError("Database queries to 'replica' are not allowed in this test.")

    monkeypatch.setattr(replica, "replica_caught_up", undeclared)
    with replica_reads():
        assert router.db_for_read(Mark) == "default"


def test_without_a_replica_alias_every_read_stays_on_the_primary(monkeypatch):
    monkeypatch.setattr(connections["default"], "in_atomic_block", False)
    if REPLICA not in settings.DATABASES:
        assert replica.replica_configured() is False
    monkeypatch.setattr(replica, "replica_configured", lambda: False)
    with replica_reads():
        assert ReplicaRouter().db_for_read(Mark) == "default"


def test_the_replica_is_never_migrated_and_relations_span_both_doors():
    router = ReplicaRouter()
    assert router.allow_migrate(REPLICA, "journal") is False
    assert router.allow_migrate("default", "journal") is None
    one, two = Mark(), Mark()
    one._state.db, two._state.db = "default", REPLICA
    assert router.allow_relation(one, two) is True


def test_reads_replica_enters_the_context_for_get_only():
    seen = []

    @reads_replica
    def view(request):
        seen.append((request.method, replica_reads_active()))
        return "ok"

    factory = RequestFactory()
    view(factory.get("/"))
    view(factory.head("/"))
    view(factory.post("/"))
    assert seen == [("GET", True), ("HEAD", True), ("POST", False)]
    assert replica_reads_active() is False


# Which code paths read from the replica -------------------------------------------------------------------------------


class Recorder:
    """A router that decides nothing and notes, for every read, whether it ran inside ``replica_reads``."""

    def __init__(self) -> None:
        self.reads: list[bool] = []

    def db_for_read(self, model, **hints):
        self.reads.append(replica_reads_active())


@pytest.fixture
def recorder():
    router = Recorder()
    with override_settings(DATABASE_ROUTERS=[router]):
        yield router


@pytest.mark.django_db
@pytest.mark.parametrize(
    "url",
    [
        reverse("reports:index"),
        reverse("reports:audit"),
        reverse("reports:class-sizes"),
        reverse("archive:index"),
    ],
)
def test_the_reports_and_archive_pages_read_from_the_replica(cast, client, recorder, url):
    client.force_login(cast.deputy if "archive" not in url else cast.admin)
    recorder.reads.clear()
    response = client.get(url)
    assert response.status_code == 200
    # The session and the user are read by the middleware, before the view: on the primary. The view's reads, from
    # its first on, are all inside replica_reads.
    assert True in recorder.reads
    assert all(recorder.reads[recorder.reads.index(True) :])


@pytest.mark.django_db
def test_the_journal_and_the_diary_never_read_from_the_replica(cast, client, recorder):
    lesson = cast.math_a.lessons.order_by("date").first()
    client.force_login(cast.teacher)
    recorder.reads.clear()
    client.get(reverse("journal:grid", args=[cast.math_a.pk]))
    if lesson is not None:
        client.post(reverse("journal:grid_cell"), {"lesson": lesson.pk, "pupil": cast.pupil.pk, "field": "att"})
    client.force_login(cast.parent_user)
    client.get(reverse("diary:week", args=[cast.pupil.pk]))
    client.get(reverse("diary:news", args=[cast.pupil.pk]))
    assert recorder.reads and not any(recorder.reads)


def test_the_report_and_archive_jobs_run_inside_replica_reads(monkeypatch):
    from archive import tasks as archive_tasks
    from archive.services import archive as archive_service
    from reports import tasks as report_tasks

    seen = []
    monkeypatch.setattr(report_tasks, "report_job_run", lambda pk: seen.append(("report", replica_reads_active())))
    monkeypatch.setattr(archive_tasks, "journal_print_run", lambda pk: seen.append(("print", replica_reads_active())))
    monkeypatch.setattr(archive_service, "archive_year_build", lambda pk: seen.append(("year", replica_reads_active())))
    report_tasks.report_job_render.run(1)
    archive_tasks.render_journal_print.run(1)
    archive_tasks.archive_year_build.run(1)
    assert seen == [("report", True), ("print", True), ("year", True)]


# A real streaming replica (CI: .ci/replica.sh, then DATABASE_REPLICA_URL) ---------------------------------------------

real_replica = pytest.mark.skipif(
    REPLICA not in settings.DATABASES or settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql",
    reason="needs DATABASE_REPLICA_URL: a PostgreSQL streaming replica of the test server (.ci/replica.sh)",
)


@real_replica
@pytest.mark.django_db(transaction=True, databases=["default", REPLICA])
def test_a_real_replica_answers_the_reports_reads_and_sees_the_last_write(cast, client):
    router = ReplicaRouter()
    with replica_reads():
        assert router.db_for_read(Mark) == REPLICA
        with connections[REPLICA].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            assert cursor.fetchone()[0] is True  # a standby, not the primary under another name
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_is_in_recovery()")
            assert cursor.fetchone()[0] is False
        # Read-your-writes: a row written on the primary is read back from the replica at once.
        User.objects.filter(pk=cast.deputy.pk).update(first_name="Реплика")
        with CaptureQueriesContext(connections[REPLICA]) as on_replica:
            assert User.objects.get(pk=cast.deputy.pk).first_name == "Реплика"
        assert any("accounts_user" in query["sql"] for query in on_replica.captured_queries)

    client.force_login(cast.deputy)
    with (
        CaptureQueriesContext(connections[REPLICA]) as on_replica,
        CaptureQueriesContext(connections["default"]) as on_primary,
    ):
        response = client.get(reverse("reports:class-sizes"))
    assert response.status_code == 200
    assert "7" in response.content.decode()  # the cast's classes, committed on the primary, read on the replica
    assert len(on_replica.captured_queries) > 3
    primary_reads = [q["sql"] for q in on_primary.captured_queries if "journal_" in q["sql"]]
    assert primary_reads == []  # the report's own reads: none on the primary
