"""The session engine (settings.SESSION_ENGINE): Django's database sessions, read with one plain query.

Every signed-in request reads its session first. Django's store reads it through the ORM, which spent about 1 ms of
CPU building and wrapping a one-row query that PostgreSQL answers in a tenth of that (bench/grid.py, the floor). The
same row is read here with plain SQL from the same database the router names; writing, expiry and everything else
are Django's.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.db import connections, router
from django.utils import timezone


class SessionStore(DatabaseSessionStore):
    """Django's database session store with a plain-SQL read of the session's row."""

    _sql: dict[str, str] = {}

    def _read_sql(self, alias: str) -> str:
        sql = self._sql.get(alias)
        if sql is None:
            connection = connections[alias]
            quote = connection.ops.quote_name
            sql = (
                f"SELECT {quote('session_data')} FROM {quote(self.model._meta.db_table)}"
                f" WHERE {quote('session_key')} = %s AND {quote('expire_date')} > %s"
            )
            self._sql[alias] = sql
        return sql

    def _get_session_from_db(self):
        key = self.session_key
        if key is None:  # no cookie, or a malformed one (SessionBase validates the key)
            return None
        alias = router.db_for_read(self.model)
        connection = connections[alias]
        with connection.cursor() as cursor:
            cursor.execute(self._read_sql(alias), [key, connection.ops.adapt_datetimefield_value(timezone.now())])
            row = cursor.fetchone()
        if row is None:
            self._session_key = None
            return None
        return self.model(session_key=key, session_data=row[0])
