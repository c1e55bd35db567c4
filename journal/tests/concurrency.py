"""Races between writers: threads, each with its own database connection, let go at the same moment (no tests here).

Only PostgreSQL shows a race. SQLite locks the whole database for a writer: the second thread waits for the first
one's commit, or fails with «database is locked», so the two never interleave. The race tests are marked
``races`` and skip on SQLite (``make test`` on a laptop); under CI (``CI`` set; ``.ci/run`` tests on PostgreSQL)
SQLite fails them instead, so that they never go quiet there. Run them alone with
``DATABASE_URL=postgres://postgres@127.0.0.1:5432/ejournal .venv/bin/pytest -m races``.
"""

import os
import threading
from collections.abc import Callable

import pytest
from django.db import connection

SQLITE_SERIALISES = (
    "needs PostgreSQL (DATABASE_URL=postgres://…; CI runs it): SQLite locks the whole database for a writer, so the "
    "second thread waits for the first's commit (or fails with «database is locked») and the race never happens"
)


def skip_unless_postgres() -> None:
    if connection.vendor == "postgresql":
        return
    if os.environ.get("CI"):
        pytest.fail(f"a race test ran on {connection.vendor} in CI: {SQLITE_SERIALISES}")
    pytest.skip(SQLITE_SERIALISES)


def together(monkeypatch, module, name: str) -> threading.Barrier:
    """Make every thread wait at ``module.name`` until all of them are there (two by default): the code before it
    has run in each, inside its own transaction, and none has gone further."""
    barrier = threading.Barrier(2, timeout=10)
    real = getattr(module, name)

    def after_everyone(*args, **kwargs):
        barrier.wait()
        return real(*args, **kwargs)

    monkeypatch.setattr(module, name, after_everyone)
    return barrier


def run_at_once(*calls: Callable) -> tuple[list, list[Exception]]:
    """Run the calls in threads with their own connections; their results and the exceptions they raised."""
    results: list = []
    errors: list[Exception] = []

    def run(call):
        try:
            results.append(call())
        except Exception as error:  # noqa: BLE001 — the caller asserts on them
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert not any(thread.is_alive() for thread in threads), "a writer is still waiting: a deadlock?"
    return results, errors
