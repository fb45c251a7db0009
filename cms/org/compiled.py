"""SELECT statements the ORM compiles once per process and database, for reads made on every request.

A queryset is compiled again each time it is evaluated: building its query and compiling it cost ~0.2-0.35 ms
of CPU for the reads a search makes each time (the page view restrictions the scope rules hide, the candidates
of a content type), more than the statements themselves on SQLite. Where the SQL never changes, the ORM's own
compiled statement is kept and run with a cursor, and its rows converted by the ORM's own converters (dates and
booleans on SQLite): tuples of the values a plain ``values_list()`` of the same columns gives, in select order.
A read whose SQL changes only in some values (the user's school, district, account) is compiled once with
:class:`Argument` placeholders for them, given their values each time it runs.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet, ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet
from django.db.models.expressions import ColPairs
from django.db.models.sql import Query


class Argument(int):
    """A value a statement compiled once is built with and given afresh each time it runs
    (:meth:`CompiledSelect.of`): a negative integer no key holds, within every integer column's range (the ORM
    folds a comparison with a value out of a column's range away)."""

    def __new__(cls, number: int) -> Argument:
        return super().__new__(cls, -2_000_000_000 - number)


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
    #: (position among ``params``, name) of each parameter given when the statement runs (``arguments``).
    slots: tuple[tuple[int, str], ...] = ()

    @classmethod
    def of(cls, qs: QuerySet, arguments: dict[str, Argument] | None = None) -> CompiledSelect:
        """``qs`` (a ``values()`` or ``values_list()`` queryset, evaluated on its own database) compiled.

        ``arguments`` names the :class:`Argument` values ``qs`` was built with, each compared with a column
        (``field=value``, ``field__in=[value]``): their parameters are the values given to :meth:`rows`. Each
        must be a parameter of the statement (one the ORM folded away has none: refused). A value given as
        None is compared as SQL compares NULL: ``column = NULL`` holds for no row."""
        compiler = qs.query.get_compiler(using=qs.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            if not arguments:
                raise
            # An argument out of a column's range (a positive field's) made the ORM fold the statement away.
            raise ImproperlyConfigured(
                f"{qs.model.__name__}: a statement that can hold nothing with its arguments."
            ) from None
        columns = tuple(column for column, _sql, _alias in compiler.select)
        if compiler.has_extra_select or any(isinstance(column, ColPairs) for column in columns):
            raise ImproperlyConfigured(f"{qs.model.__name__}: only a plain selection of columns can be kept compiled.")
        slots = []
        for name, argument in (arguments or {}).items():
            found = [(at, name) for at, param in enumerate(params) if type(param) is int and param == argument]
            if not found:
                raise ImproperlyConfigured(f"{qs.model.__name__}: the statement has no parameter {name}.")
            slots.extend(found)
        return cls(
            alias=qs.db,
            query=qs.query,
            sql=sql,
            params=tuple(params),
            columns=columns,
            names=tuple(alias for _column, _sql, alias in compiler.select),
            slots=tuple(slots),
        )

    def rows(self, suffix: str = "", params=(), **arguments) -> list[tuple]:
        """The rows of the statement, converted as the ORM converts them, its ``arguments`` (by name) given.
        ``suffix`` (SQL written after the statement: a ``WHERE`` clause when it has none) adds ``params`` after
        the statement's own."""
        if arguments.keys() != {name for _at, name in self.slots}:
            raise TypeError(f"{self.names}: the arguments are {sorted({name for _at, name in self.slots})}.")
        own = list(self.params)
        for at, name in self.slots:
            own[at] = arguments[name]
        connection = connections[self.alias]
        with connection.cursor() as cursor:
            cursor.execute(self.sql + suffix, (*own, *params))
            fetched = cursor.fetchall()
        # A compiler of this thread's connection: the kept one may belong to another thread's.
        compiler = self.query.get_compiler(connection=connection)
        if converters := compiler.get_converters(self.columns):
            return [tuple(row) for row in compiler.apply_converters(fetched, converters)]
        return fetched
