"""SELECT statements the ORM compiles once per process and database, for reads made on every request.

A queryset is compiled again each time it is evaluated: building its query and compiling it cost ~0.2-0.35 ms
of CPU for the reads a search makes each time (the page view restrictions the scope rules hide, the candidates
of a content type), more than the statements themselves on SQLite. Where the SQL never changes, the ORM's own
compiled statement is kept and run with a cursor, and its rows converted by the ORM's own converters (dates and
booleans on SQLite), so they are the rows ``values_list()`` gives.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connections
from django.db.models import QuerySet
from django.db.models.sql import Query


@dataclass(frozen=True)
class CompiledSelect:
    """The ORM's compiled ``SELECT`` of a ``values()`` or ``values_list()`` queryset on one database: its SQL and
    parameters, its query and selected columns (for their converters) and their names."""

    alias: str
    query: Query
    sql: str
    params: tuple
    columns: tuple
    names: tuple[str, ...]

    @classmethod
    def of(cls, qs: QuerySet) -> CompiledSelect:
        """``qs`` (a ``values()`` or ``values_list()`` queryset, evaluated on its own database) compiled."""
        compiler = qs.query.get_compiler(using=qs.db)
        sql, params = compiler.as_sql()
        return cls(
            alias=qs.db,
            query=qs.query,
            sql=sql,
            params=tuple(params),
            columns=tuple(column for column, _sql, _alias in compiler.select),
            names=tuple(alias for _column, _sql, alias in compiler.select),
        )

    def rows(self, sql: str | None = None, params=None) -> list:
        """The rows of the statement, or of ``sql`` (built around :attr:`sql`, selecting the same columns) with
        ``params``, converted as the ORM converts them."""
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            cursor.execute(self.sql if sql is None else sql, self.params if params is None else params)
            fetched = cursor.fetchall()
        # A compiler of this thread's connection: the kept one may belong to another thread's.
        compiler = self.query.get_compiler(connection=connection)
        if converters := compiler.get_converters(self.columns):
            return list(compiler.apply_converters(fetched, converters))
        return fetched
