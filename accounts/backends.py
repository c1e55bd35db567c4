from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db import connections, router

from .models import School


class UserBackend(ModelBackend):
    """Django's username and password backend that loads the signed-in user with their school in one query.

    Every request reads the user, and most read the school next (its time zone, its name in the menu). The query is
    plain SQL built once per process from the models' columns: through the ORM the same one-row read cost about
    1.5 ms of CPU a request, more than the rest of the request's own work (bench/grid.py, the floor).
    """

    _sql: dict[str, str] = {}
    _converters: dict[str, list] = {}

    @staticmethod
    def _columns(model) -> list[str]:
        return [field.attname for field in model._meta.concrete_fields]

    def _row_converters(self, alias: str) -> list:
        """The ORM's own conversions of the row's values (SQLite's 0/1 as booleans, its datetimes made aware, …):
        (position, [(converter, column), …]) for each column that has any."""
        converters = self._converters.get(alias)
        if converters is None:
            connection, converters = connections[alias], []
            fields = [*get_user_model()._meta.concrete_fields, *School._meta.concrete_fields]
            for position, field in enumerate(fields):
                column = field.get_col(field.model._meta.db_table)
                found = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                if found:
                    converters.append((position, [(converter, column) for converter in found]))
            self._converters[alias] = converters
        return converters

    def _user_sql(self, alias: str) -> str:
        sql = self._sql.get(alias)
        if sql is None:
            user_model, quote = get_user_model(), connections[alias].ops.quote_name
            columns = [f"u.{quote(column)}" for column in self._columns(user_model)]
            columns += [f"s.{quote(column)}" for column in self._columns(School)]
            sql = (
                f"SELECT {', '.join(columns)} FROM {quote(user_model._meta.db_table)} u"
                f" LEFT JOIN {quote(School._meta.db_table)} s ON s.{quote('id')} = u.{quote('school_id')}"
                f" WHERE u.{quote('id')} = %s"
            )
            self._sql[alias] = sql
        return sql

    def get_user(self, user_id):
        user_model = get_user_model()
        try:
            user_id = user_model._meta.pk.to_python(user_id)
        except Exception:  # a session naming no valid id: nobody, as Django's backend answers
            return None
        alias = router.db_for_read(user_model)
        with connections[alias].cursor() as cursor:
            cursor.execute(self._user_sql(alias), [user_id])
            row = cursor.fetchone()
        if row is None:
            return None
        connection, row = connections[alias], list(row)
        for position, converters in self._row_converters(alias):
            for converter, column in converters:
                row[position] = converter(row[position], column, connection)
        user_columns, school_columns = self._columns(user_model), self._columns(School)
        user = user_model.from_db(alias, user_columns, row[: len(user_columns)])
        school_row = row[len(user_columns) :]
        school = School.from_db(alias, school_columns, school_row) if user.school_id is not None else None
        user_model._meta.get_field("school").set_cached_value(user, school)
        return user if self.user_can_authenticate(user) else None
