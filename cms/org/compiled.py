"""SELECT statements the ORM compiles once per process and database, for reads made on every request.

A queryset is compiled again each time it is evaluated: building its query and compiling it cost ~0.2-0.35 ms
of CPU for the reads a search makes each time (the page view restrictions the scope rules hide, the candidates
of a content type), more than the statements themselves on SQLite. Where the SQL never changes, the ORM's own
compiled statement is kept and run with a cursor, and its rows converted by the ORM's own converters (dates and
booleans on SQLite): tuples of the values a plain ``values_list()`` of the same columns gives, in select order.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import ColPairs
from django.db.models.sql import Query


@dataclass(frozen=True)
class CompiledSelect:
    """The ORM's compiled ``SELECT`` of a ``values()`` or ``values_list()`` queryset on one database: its SQL and
    parameters, its query and selected columns (for their converters) and their names.

    Only a plain selection of columns is kept: a queryset that selects more columns than it names (an ordering
    of a ``distinct()`` one) or a composite key is refused, and ``flat``/``named`` are not applied."""

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
        columns = tuple(column for column, _sql, _alias in compiler.select)
        if compiler.has_extra_select or any(isinstance(column, ColPairs) for column in columns):
            raise ImproperlyConfigured(f"{qs.model.__name__}: only a plain selection of columns can be kept compiled.")
        return cls(
            alias=qs.db,
            query=qs.query,
            sql=sql,
            params=tuple(params),
            columns=columns,
            names=tuple(alias for _column, _sql, alias in compiler.select),
        )

    def rows(self, suffix: str = "", params=()) -> list[tuple]:
        """The rows of the statement, converted as the ORM converts them. ``suffix`` (SQL written after the
        statement: a ``WHERE`` clause when it has none) adds ``params`` after the statement's own."""
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            cursor.execute(self.sql + suffix, (*self.params, *params))
            fetched = cursor.fetchall()
        # A compiler of this thread's connection: the kept one may belong to another thread's.
        compiler = self.query.get_compiler(connection=connection)
        if converters := compiler.get_converters(self.columns):
            return [tuple(row) for row in compiler.apply_converters(fetched, converters)]
        return fetched
