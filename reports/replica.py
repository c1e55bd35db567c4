"""Reads from a PostgreSQL streaming replica, inside the reports' and the archive's own code paths only.

With ``DATABASE_REPLICA_URL`` set, settings add the ``replica`` alias and ``ReplicaRouter``. The router sends a read to
the replica only while a code path has entered ``replica_reads()`` (a context manager; ``reads_replica`` wraps a view
for its GET requests): the report pages, the audit's pages, the archive's pages, the report export and the archive's
jobs. Everything else (the journal's writes, the diary, the session and the user, every write anywhere) stays on the
primary, so which database answers depends on the code path and never on the model.

Reading what was just written: the replica applies the primary's changes a moment later. On entering the context, and
again after each write made inside it, the first read waits until the replica has replayed the primary's WAL up to
that moment (``pg_current_wal_insert_lsn`` on the primary, ``pg_last_wal_replay_lsn`` on the replica). A replica that does not
catch up within ``REPLICA_MAX_WAIT`` seconds, or cannot be reached, is left alone for the rest of the context: its
reads go to the primary. Inside a transaction of the primary every read stays there (the transaction's own rows, its
snapshot and its locks are there). The layer rule puts this module in ``reports``, the lowest app that uses it; the
archive imports it from here.
"""

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import wraps

from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections

REPLICA = "replica"
# How long a read waits for the replica to catch up with the primary before it falls back to the primary.
REPLICA_MAX_WAIT = 1.0
REPLICA_POLL = 0.002


@dataclass
class _Reads:
    """The state of one ``replica_reads`` context: whether the replica must catch up first, or is given up."""

    sync: bool = True
    primary_only: bool = False


_state: ContextVar[_Reads | None] = ContextVar("replica_reads", default=None)


@contextmanager
def replica_reads() -> Iterator[None]:
    """Send this code path's reads (outside a transaction) to the replica, when one is configured."""
    token = _state.set(_Reads())
    try:
        yield
    finally:
        _state.reset(token)


def replica_reads_active() -> bool:
    return _state.get() is not None


def reads_replica(view: Callable) -> Callable:
    """A view's GET (and HEAD) requests read from the replica; its other methods are writes and stay on the primary."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if request.method not in ("GET", "HEAD"):
            return view(request, *args, **kwargs)
        with replica_reads():
            return view(request, *args, **kwargs)

    return wrapper


def replica_configured() -> bool:
    """The replica alias exists and is the primary's database (a test run mirrors it to the primary's test database;
    a replica alias left pointing at another database is never read)."""
    if REPLICA not in connections.settings:
        return False
    return connections[REPLICA].settings_dict["NAME"] == connections[DEFAULT_DB_ALIAS].settings_dict["NAME"]


def replica_caught_up(timeout: float = REPLICA_MAX_WAIT) -> bool:
    """Whether the replica has replayed everything the primary has written so far, waiting up to ``timeout``."""
    primary, replica = connections[DEFAULT_DB_ALIAS], connections[REPLICA]
    if primary.vendor != "postgresql" or replica.vendor != "postgresql":
        return True
    with primary.cursor() as cursor:
        # The insert position, not the flushed one: with synchronous_commit off a commit may not be flushed yet.
        cursor.execute("SELECT pg_current_wal_insert_lsn()")
        (position,) = cursor.fetchone()
    deadline = time.monotonic() + timeout
    with replica.cursor() as cursor:
        while True:
            # A server that is not in recovery (a test mirror on the primary itself) has nothing to replay.
            cursor.execute(
                "SELECT COALESCE(pg_last_wal_replay_lsn() >= %s::pg_lsn, NOT pg_is_in_recovery())", [position]
            )
            if cursor.fetchone()[0]:
                return True
            if time.monotonic() >= deadline:
                return False
            time.sleep(REPLICA_POLL)


class ReplicaRouter:
    """Reads inside ``replica_reads`` go to the replica; every other read and every write go to the primary."""

    def db_for_read(self, model, **hints) -> str:
        state = _state.get()
        if state is None or state.primary_only or connections[DEFAULT_DB_ALIAS].in_atomic_block:
            return DEFAULT_DB_ALIAS
        if not replica_configured():
            return DEFAULT_DB_ALIAS
        if state.sync:
            try:
                caught_up = replica_caught_up()
            except DatabaseError:  # the replica is down or unreachable: the primary answers
                caught_up = False
            except AssertionError:  # a test that has not declared the replica (DatabaseOperationForbidden)
                caught_up = False
            if not caught_up:
                state.primary_only = True
                return DEFAULT_DB_ALIAS
            state.sync = False
        return REPLICA

    def db_for_write(self, model, **hints) -> str:
        # Explicitly the primary: an object read from the replica would otherwise be saved back to it.
        state = _state.get()
        if state is not None:
            state.sync = True  # the next read of this context waits for the replica to have this write
        return DEFAULT_DB_ALIAS

    def allow_relation(self, obj1, obj2, **hints) -> bool | None:
        databases = {DEFAULT_DB_ALIAS, REPLICA}
        if obj1._state.db in databases and obj2._state.db in databases:
            return True  # one database, two doors
        return None

    def allow_migrate(self, db, app_label, model_name=None, **hints) -> bool | None:
        return False if db == REPLICA else None
