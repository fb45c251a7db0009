"""The user's scope inside the search's hand-written statements: a scoped and filtered queryset
(``search.services._filtered``, i.e. ``cms.org.scope.visible``) compiled once per search and checked row by row.

The engine statement checks each match against it, and the candidates' statement each candidate it reads: the
same compiled SQL, so a search compiles each queryset once (inside the scope module's ``read_once`` block; the
queryset object is the key, as the search hands the same object to both)."""

from __future__ import annotations

from django.core.exceptions import EmptyResultSet
from django.db.models import QuerySet

from cms.org.scope import once_per_block


@once_per_block
def _keys_sql(qs: QuerySet) -> tuple[str, tuple] | None:
    """``SELECT pk FROM ...`` of ``qs``'s objects and its parameters, None when ``qs`` can hold nothing."""
    try:
        sql, params = qs.order_by().values("pk").query.sql_with_params()
    except EmptyResultSet:
        return None
    return sql, tuple(params)


def in_scope(key: str, qs: QuerySet) -> tuple[str, list] | None:
    """The condition that the row whose key is the SQL expression ``key`` is one of ``qs``'s objects, and its
    parameters; None when the user may read none of them.

    The object is looked up by a scalar subquery, not ``EXISTS`` or ``IN``: PostgreSQL may turn an ``EXISTS``
    under an OR into a hash of all its rows, built first (every live page: ~35 ms at 100,000 pages), and SQLite
    builds the whole list of an uncorrelated ``IN``, although a search checks at most a thousand rows; a scalar
    subquery is one probe by key per row checked (both databases fold the scoped queryset, a plain filtered
    SELECT, into it). The queryset is compiled on its own and its SQL put into the subquery: resolved against
    the outer statement as a correlated ORM subquery it copied its whole filter tree (a school's scope hides
    nine district sections), ~2 ms of CPU per search."""
    compiled = _keys_sql(qs)
    if compiled is None:
        return None
    sql, params = compiled
    # The ORM's own SQL of the queryset and a key expression of the caller's: no value is written into it.
    check = f'(SELECT scoped."pk" FROM ({sql}) scoped WHERE scoped."pk" = {key} LIMIT 1) IS NOT NULL'  # noqa: S608
    return check, list(params)
