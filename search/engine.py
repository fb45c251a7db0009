"""One engine query per search attempt: the matches of every searched content type at once, inside the user's
scope, with the work bounded on very common words.

Wagtail's own ``backend.search(query, queryset)`` answers one content type at a time, and a count is a second
query: twelve round trips for the six searched types. On the database backends it also ranks every match
(an uncapped ``ts_rank`` over 95,000 matches takes ~400 ms) and on PostgreSQL it matches against
``title || body`` concatenated per row, which no index serves. Here instead:

- SQLite FTS5 and PostgreSQL: one SQL statement over the search index table. Its WHERE clause is the
  engine's match (the same MATCH expression / tsquery Wagtail builds, served by the FTS5 index or by the GIN
  indexes on ``title`` and on ``body``) and, per content type, the entry's object looked up in the scoped and
  filtered queryset (``search.services._filtered``, i.e. ``cms.org.scope.visible``; content types given the
  same queryset share one), so what the user may not read is neither ranked nor counted. The first
  :data:`RANK_CAP` matches in the index's own order (the most recently indexed on SQLite, the order of the
  GIN indexes' bitmap on PostgreSQL; no sorting) are scored as Wagtail scores a plain text (FTS5 ``bm25`` ×
  title norm, or ``ts_rank`` with Wagtail's weights; the whole query at once). On SQLite they are counted too,
  and only when there are RANK_CAP of them does a second statement count the matches, up to
  :data:`MATCH_CAP` + 1; on PostgreSQL the statement takes the first MATCH_CAP + 1 matches, counts them and
  scores the first RANK_CAP of them (:func:`_matched_through_indexes` says how it is planned). Scoring is the
  costly part (``ts_rank`` reads each match's whole body vector), so it is bounded more tightly than counting.
  The best of each content type come with what the title re-ranking reads of them (:func:`_ranked_columns`).
- OpenSearch and Elasticsearch (Wagtail's Elasticsearch-based backends, ``backend.es`` their client): one
  ``_msearch`` request with Wagtail's query for each content type (its scope and filters
  compiled into the query by Wagtail, once per search: only the match clause differs between attempts), each
  counting up to :data:`MATCH_CAP` + 1 hits, the keys read from doc values; its block-max scoring needs no
  cap. Types in one index given the same queryset (the page types without filters) are one request, Wagtail's
  query over their fields and content types together (:func:`_es_requests`). Newest first, the same request
  with each type sorted by its date field.

A search with more than :data:`MATCH_CAP` matches reports "more than MATCH_CAP" (``capped``); on the database
backends a word found in more than :data:`RANK_CAP` documents has only the first RANK_CAP matches in the index's
order ranked.
"""

from __future__ import annotations

import copy
import functools
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import OperationalError, connections, router, transaction
from django.db.models import QuerySet
from django.db.models.sql import Query
from modelsearch.utils import get_descendant_models

from cms.org.scope import once_per_block, subtree_bounds

from .results import newest_first_moment
from .scoped_sql import in_scope

#: Matches counted per search attempt.
MATCH_CAP = 1000
#: Matches scored per search attempt on the database backends (the first in the index's own order).
RANK_CAP = 300
#: What the title re-ranking reads of a candidate (``search.services._rank``): on OpenSearch and Elasticsearch
#: from the doc values of the model's filter fields of these names (keywords), where it has them; on the
#: database backends from the model's columns of these names (:func:`_ranked_columns`).
RANKED_FIELDS = ("title", "status")
#: The keyword field of an object's content types in Wagtail's OpenSearch and Elasticsearch indexes: its model's
#: and its ancestors' ("pages.RegulationPage", "wagtailcore.Page").
CONTENT_TYPES_FIELD = "_django_content_type"


@dataclass
class EngineMatches:
    """Per model: primary keys in the engine's order, best first (at most ``per_model`` of them)."""

    total: int = 0
    capped: bool = False
    ranked: dict[type, list] = field(default_factory=dict)
    #: Per model, the place each of its keys had in the engine's answer that held it, where one answer held
    #: several models (OpenSearch's page types scored together: :func:`_es_requests`); a model not here: a key's
    #: place among its model's keys.
    positions: dict[type, list[int]] = field(default_factory=dict)
    #: Per model, what the engine read of each ranked key (its key and :data:`RANKED_FIELDS`), in the order of
    #: ``ranked``: on OpenSearch and Elasticsearch, by relevance (the title re-ranking reads the candidates from
    #: it, and the database only the hits shown); on the database backends, as the engine statement read them
    #: from the objects' tables (:func:`_ranked_columns`).
    rows: dict[type, list[dict]] = field(default_factory=dict)
    #: How many of the matches the engine ranks, None for all it counts: on the database backends the first
    #: RANK_CAP (a search's pages cannot list more of them).
    rankable: int | None = None

    def placed(self, model) -> list[tuple[int, int]]:
        """(place in the engine's answer, key) of ``model``'s ranked keys, best first."""
        pks = self.ranked.get(model, [])
        return list(zip(self.positions.get(model, range(len(pks))), pks, strict=True))


class EngineRequestError(Exception):
    """One request of an ``_msearch`` failed: the engine answers the others, and the whole with status 200."""

    def __init__(self, status: int, error):
        super().__init__(f"{status}: {error}")
        self.status = status
        self.error = error


def is_es_backend(backend) -> bool:
    """OpenSearch or Elasticsearch: Wagtail's Elasticsearch-based backends hold their client as ``es``."""
    return hasattr(backend, "es")


def newest_matches(backend, querysets: dict[type, QuerySet], query, *, per_model: int, date_fields) -> EngineMatches:
    """Per model, its ``per_model`` newest matches of ``query`` (``date_fields[model]`` names the model's date
    field; a datetime counts by its local date; undated objects come last; ties go to the greater key), and the
    matches counted up to MATCH_CAP + 1 as :func:`search_matches` counts them."""
    if is_es_backend(backend):
        return _es_newest_matches(backend, querysets, query, per_model=per_model, date_fields=date_fields)
    return _database_newest_matches(backend, querysets, query, per_model=per_model, date_fields=date_fields)


def search_matches(backend, querysets: dict[type, QuerySet], query, *, per_model: int) -> EngineMatches:
    """The scoped matches of ``query`` over ``querysets`` (one per model, already scoped and filtered); with
    ``per_model`` 0, only their count."""
    if is_es_backend(backend):
        return _es_matches(backend, querysets, query, per_model=per_model)
    return _database_matches(backend, querysets, query, per_model=per_model)


def count_among(backend, querysets, query, pks: dict[type, list[int]]) -> int:
    """How many of the given objects (primary keys per model; ``querysets[model]`` is the model's queryset)
    ``query`` matches. On OpenSearch and Elasticsearch the keys are a filter on the documents' ``pk`` field:
    Wagtail drops a queryset's filter on a page type's primary key (``page_ptr_id``) when it compiles the
    queryset for the engine."""
    if is_es_backend(backend):
        return _es_matches(backend, {model: querysets[model] for model in pks}, query, per_model=0, among=pks).total
    among = {model: querysets[model].filter(pk__in=ids) for model, ids in pks.items()}
    return _database_matches(backend, among, query, per_model=0).total


# --- SQLite FTS5 and PostgreSQL ---------------------------------------------------------------------------


@functools.cache
def _descendant_models(model) -> tuple[type, ...]:
    """``model`` and the models derived from it (the app registry's models do not change while it runs)."""
    return tuple(get_descendant_models(model))


def _content_types_of(model) -> list[int]:
    """The content types of ``model`` and of the models derived from it, as the index entries store them
    (``modelsearch.utils.get_descendants_content_types_pks``, without walking every model each time)."""
    from django.contrib.contenttypes.models import ContentType

    return [ct.pk for ct in ContentType.objects.get_for_models(*_descendant_models(model)).values()]


def _index_entry_model():
    from modelsearch.conf import get_app_config

    return get_app_config().get_model("IndexEntry")


#: The SQLite index of the search index entries' keys (``search/migrations/0008_index_entry_keys.py``): the
#: engine statements read each match's content type, object id and title norm from it, not from the entry's row.
ENTRY_KEYS_INDEX = "search_indexentry_keys"
#: The databases (aliases) found without it since the process started: their statements read the rows. Its
#: migration creates it; a table rebuilt since (Wagtail's model is not ours) has lost it. Where there is one
#: again, the process sees it after a restart.
_without_entry_keys: set[str] = set()
#: What follows the entries table in the SQLite statements (:func:`_rows` takes it out where it is missing).
_ENTRY_KEYS_HINT = f" INDEXED BY {ENTRY_KEYS_INDEX}"


@dataclass(frozen=True)
class _IndexQuery:
    """One query's matches in the search index on one database, as the SQL the engine statements are written
    around: the tables read (``tables``), the engine's match (``match``: Wagtail's FTS5 ``MATCH`` expression,
    or its tsquery tested on the title and on the body, each served by its GIN index), the entries table
    (``entries``, quoted), a match's key in the index's own order (``key``), that order when a statement
    stops early (``in_index_order``: FTS5 yields matches by rowid, so ``ORDER BY rowid DESC LIMIT`` reads the
    most recently indexed first and stops; on PostgreSQL the GIN indexes' bitmap order, no sorting) and
    Wagtail's score of a match (``score``: FTS5 ``bm25`` × (title norm + 1), lower is better; or ``ts_rank``
    with Wagtail's weights, the title's × its norm plus the body's, higher is better).

    The pieces of Wagtail's own query (the match, the rank) are compiled by Django alone; the statements around
    them are written here: built through the ORM (querysets, annotations, the scope's conditions resolved into
    them), they took ~1 ms of CPU per search more than the statements themselves on SQLite."""

    tables: str
    match: str
    match_params: tuple
    entries: str
    key: str
    in_index_order: str
    score: str
    score_params: tuple
    best_first: str

    def where(self, condition: tuple[str, list]) -> tuple[str, list]:
        """``FROM ... WHERE`` the match and ``condition`` (SQL, parameters), with the parameters."""
        sql, params = condition
        return f"FROM {self.tables} WHERE {self.match} AND ({sql})", [*self.match_params, *params]

    def column(self, name: str) -> str:
        return f'{self.entries}."{name}"'


def _index_query(connection, backend, model, query) -> _IndexQuery:
    """The :class:`_IndexQuery` of ``query`` as Wagtail's query compiler for ``model`` builds it."""
    compiler = backend.query_compiler_class(model.objects.none(), query)
    config = compiler.get_config(backend)
    entry_model = _index_entry_model()
    entries = connection.ops.quote_name(entry_model._meta.db_table)
    resolver = Query(entry_model)
    sql_compiler = resolver.get_compiler(connection=connection)

    def compiled(expression) -> tuple[str, tuple]:
        sql, params = sql_compiler.compile(expression.resolve_expression(resolver))
        return sql, tuple(params)

    if connection.vendor == "sqlite":
        from modelsearch.backends.database.sqlite.query import BM25, MatchExpression, normalize
        from modelsearch.conf import get_app_config

        fts = connection.ops.quote_name(get_app_config().get_model("SQLiteFTSIndexEntry")._meta.db_table)
        search_query = compiler.build_search_query(normalize(query), config=config)
        match, match_params = sql_compiler.compile(MatchExpression(compiler.FTS_TABLE_FIELDS, search_query))
        # FTS5's bm25() scores the statement's whole MATCH: Wagtail's rank of an ``And`` multiplies (1 + bm25)
        # once per part, which for two parts put the best matches (bm25 well below -1) last. A plain text's
        # rank, as Wagtail gives it, is bm25() itself, whatever the query's shape.
        rank, rank_params = compiled(BM25())
        return _IndexQuery(
            tables=f'{fts} INNER JOIN {entries}{_ENTRY_KEYS_HINT} ON ({fts}."rowid" = {entries}."id")',
            match=match,
            match_params=tuple(match_params),
            entries=entries,
            key=f'{fts}."rowid"',
            in_index_order=f'ORDER BY {fts}."rowid" DESC',
            score=f'({rank} * ({entries}."title_norm" + 1.0))',
            score_params=rank_params,
            best_first="score ASC",
        )
    if connection.vendor == "postgresql":
        tsquery, tsquery_params = compiled(compiler.build_tsquery(query, config=config))
        # ts_rank() scores a vector against the whole tsquery, as FTS5's bm25() the whole MATCH above: Wagtail's
        # rank of an ``And`` or an ``Or`` is one ts_rank() per part, each of which reads the vector again
        # («іноземних мов», a word and a word with two equally likely lemmas: three reads of the long body vector
        # per match instead of one). The weights are Wagtail's; the title's score × its norm plus the body's, as
        # in Wagtail's rank.
        title, body = f'{entries}."title"', f'{entries}."body"'
        return _IndexQuery(
            tables=entries,
            match=f"({title} @@ {tsquery} OR {body} @@ {tsquery})",
            match_params=tsquery_params * 2,
            entries=entries,
            key=f'{entries}."id"',
            in_index_order="",
            score=f'(ts_rank(%s::float4[], {title}, {tsquery}) * {entries}."title_norm" + '
            f"ts_rank(%s::float4[], {body}, {tsquery}))",
            score_params=(compiler.sql_weights, *tsquery_params) * 2,
            best_first="score DESC",
        )
    raise ImproperlyConfigured(  # pragma: no cover - the project runs on SQLite and PostgreSQL
        f"Search on the database backend supports SQLite and PostgreSQL, not {connection.vendor}."
    )


def _in_scope(querysets: dict[type, QuerySet], index: _IndexQuery) -> tuple[str, list]:
    """The condition that an index entry is one of the given querysets' objects: per queryset, the content
    types of the models given it (models given the same queryset object share one condition) and the entry's
    object found in it by key (the object id is stored as text; :func:`search.scoped_sql.in_scope`). False
    when the user may read none of them."""
    groups: dict[int, tuple[QuerySet, list[int]]] = {}
    for model, qs in querysets.items():
        groups.setdefault(id(qs), (qs, []))[1].extend(_content_types_of(model))
    conditions, params = [], []
    for qs, content_types in groups.values():
        check = in_scope(f"CAST({index.column('object_id')} AS bigint)", qs)
        if check is None:  # nothing of these types the user may read
            continue
        conditions.append(
            f"({index.column('content_type_id')} IN ({', '.join(str(int(pk)) for pk in content_types)}) AND {check[0]})"
        )
        params.extend(check[1])
    return " OR ".join(conditions) or "1 = 0", params


def _models_by_content_type(querysets: dict[type, QuerySet]) -> dict[int, type]:
    """The model each index entry's content type is searched as (the first of ``querysets`` it descends from)."""
    models: dict[int, type] = {}
    for model in querysets:
        for content_type_id in _content_types_of(model):
            models.setdefault(content_type_id, model)
    return models


def _scoped_matches(backend, querysets: dict[type, QuerySet], query) -> tuple:
    """(the index's connection, the query's :class:`_IndexQuery`, its matches inside the querysets as
    ``FROM ... WHERE`` and parameters): what every database engine statement of a search is written around."""
    connection = connections[router.db_for_read(_index_entry_model())]
    index = _index_query(connection, backend, next(iter(querysets)), query)
    return connection, index, index.where(_in_scope(querysets, index))


def _database_matches(backend, querysets: dict[type, QuerySet], query, *, per_model: int) -> EngineMatches:
    connection, index, matching = _scoped_matches(backend, querysets, query)
    ranked = _ranked_columns(connection, querysets) if per_model > 0 else _RankedColumns((), {})
    with _matched_through_indexes(connection):
        if per_model <= 0:
            counted, rows = _count(connection, index, matching), []
        elif connection.vendor == "sqlite":
            counted, rows = _sqlite_matches(connection, index, matching, per_model, ranked.sql)
        else:
            counted, rows = _postgres_matches(connection, index, matching, per_model, ranked.sql)
    matches = EngineMatches(total=min(counted, MATCH_CAP), capped=counted > MATCH_CAP, rankable=min(counted, RANK_CAP))
    by_content_type = _models_by_content_type(querysets)
    for content_type_id, object_id, *values in rows:
        model = by_content_type[content_type_id]
        pks = matches.ranked.setdefault(model, [])
        if len(pks) < per_model:
            pk = int(object_id)
            pks.append(pk)
            read = dict(zip(ranked.names, values, strict=True))
            row = {name: "" if read[name] is None else read[name] for name in ranked.of_model[model]}
            matches.rows.setdefault(model, []).append({"pk": pk, **row})
    return matches


@dataclass(frozen=True)
class _RankedColumns:
    """What the database engine statement reads of each candidate it returns for the title re-ranking: the SQL of
    the select list's columns (``sql``, after a comma), the names of :data:`RANKED_FIELDS` they are (``names``)
    and which of them each model has (``of_model``)."""

    names: tuple[str, ...]
    of_model: dict[type, tuple[str, ...]]
    sql: str = ""


def _ranked_columns(connection, models) -> _RankedColumns:
    """The :class:`_RankedColumns` of the searched ``models``: each of :data:`RANKED_FIELDS` that some of them have
    as a column, read by key from the table that holds it (a page's title from the page table, whatever its
    type; an act's status from its own), for the candidates of the content types that have it (NULL for the
    others).

    A candidate's values come from the database, as the rows shown do, not from the index the engine statement
    matched in: ranked on them, the candidates need not be read again before their ranking, only the page's
    hits before they are shown (``search.services._completed``, with the start of their texts): one statement
    fewer per content type, and ten rows read where there were fifty (``benchmarks/search_profile.py``)."""
    branches: dict[str, dict[tuple[str, str, str], list[int]]] = {}
    of_model: dict[type, tuple[str, ...]] = {}
    quote = connection.ops.quote_name
    for model in models:
        names, content_types = [], _content_types_of(model)
        for name in RANKED_FIELDS:
            try:
                field = model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if field.many_to_many or not getattr(field, "column", None):
                continue
            names.append(name)
            holder = field.model._meta
            place = (holder.db_table, holder.pk.column, field.column)
            branches.setdefault(name, {}).setdefault(place, []).extend(content_types)
        of_model[model] = tuple(names)
    columns = []
    for places in branches.values():
        cases = []
        for (table, key, column), content_types in places.items():
            # The models' own table and column names and integers: no value is written into the SQL.
            held = f"FROM {quote(table)} held WHERE held.{quote(key)} = CAST(best.object_key AS bigint)"
            read = f"(SELECT held.{quote(column)} {held})"
            cases.append(f"WHEN best.ct IN ({', '.join(str(int(pk)) for pk in content_types)}) THEN {read}")
        columns.append(f"CASE {' '.join(cases)} END")
    return _RankedColumns(tuple(branches), of_model, "".join(f", {column}" for column in columns))


#: The best ``{per_model}`` matches of each content type, best first (``{best_first}``), from the scored matches
#: of the query in ``{scored}``, with a count column and the columns ``{ranked}`` (:func:`_ranked_columns`).
_BEST_PER_TYPE = (
    "SELECT ct, object_key, {count}{ranked} FROM (SELECT scored.*, {scored_count}ROW_NUMBER() OVER (PARTITION BY ct "
    "ORDER BY {best_first}) AS position FROM ({scored}) scored) best WHERE position <= {per_model} "
    "ORDER BY {best_first}"
)


def _scored(index: _IndexQuery, source: str) -> str:
    """SELECT of the matches in ``source`` (``FROM ... WHERE ...``) as (ct, object_key, score, tie). Not ``oid``:
    in SQLite that is also the name of every table's row id, which a subquery reading another table by the key
    (:func:`_ranked_columns`) took for its own table's."""
    return (
        f"SELECT {index.column('content_type_id')} AS ct, {index.column('object_id')} AS object_key, "
        f"{index.score} AS score, {index.key} AS tie {source}"
    )


def _sqlite_matches(connection, index: _IndexQuery, matching: tuple[str, list], per_model: int, ranked: str):
    """(matches counted up to MATCH_CAP + 1, the best ``per_model`` of each content type as (content type, id,
    the values of the columns ``ranked``))."""
    # FTS5 computes bm25() only in the statement that matches, so the newest matches are scored in place.
    # Only the best ``per_model`` of each content type leave the database, with the number of the scored
    # matches: when it is below RANK_CAP it is the count, and the count statement is not needed.
    source, params = matching
    sql = _BEST_PER_TYPE.format(
        count="scored_count",
        scored_count="COUNT(*) OVER () AS scored_count, ",
        best_first=f"{index.best_first}, tie DESC",
        per_model=int(per_model),
        scored=f"{_scored(index, source)} {index.in_index_order} LIMIT {int(RANK_CAP)}",
        ranked=ranked,
    )
    rows = _rows(connection, sql, [*index.score_params, *params])
    counted = rows[0][2] if rows else 0
    if counted >= RANK_CAP:
        counted = _count(connection, index, matching)
    return counted, [(*row[:2], *row[3:]) for row in rows]


def _postgres_matches(connection, index: _IndexQuery, matching: tuple[str, list], per_model: int, ranked: str):
    """As :func:`_sqlite_matches`, in one statement: the matches up to MATCH_CAP + 1 in the order the index scan
    yields them (no sorting), counted, and the first RANK_CAP of them scored (``ts_rank`` reads a whole body
    vector)."""
    source, params = matching
    # The statements below are the index's SQL pieces, integers and placeholders: no value is written into them.
    first = f"FROM {index.entries} WHERE {index.key} IN (SELECT pk FROM matched LIMIT {int(RANK_CAP)})"  # noqa: S608
    sql = f"WITH matched AS MATERIALIZED (SELECT {index.key} AS pk {source} LIMIT {int(MATCH_CAP) + 1}) " + (  # noqa: S608
        _BEST_PER_TYPE.format(
            count="(SELECT COUNT(*) FROM matched)",
            scored_count="",
            best_first=f"{index.best_first}, tie DESC",
            per_model=int(per_model),
            scored=_scored(index, first),
            ranked=ranked,
        )
    )
    rows = _rows(connection, sql, [*params, *index.score_params])
    return (rows[0][2] if rows else 0), [(*row[:2], *row[3:]) for row in rows]


@contextmanager
def _matched_through_indexes(connection):
    """PostgreSQL: the engine statements planned on the GIN indexes, with the scope checked match by match.

    Left to itself, the planner reads a very common word's matches (a word in most acts) by scanning the table
    until it has the ones it needs: it takes the match test for cheap, but on every row whose title lacks the
    word it decompresses the whole body vector (~30 µs a row: ~35 ms for 1,001 matches), and it checks the
    scope's ``EXISTS`` against a hash of every live page, built first (~35 ms at 100,000 pages), rather than
    probing the page of each match. With sequential and plain index scans off for these statements, the
    matches come from the bitmaps of the GIN indexes (no body vector is read to test a match; ~5 ms for a word
    in 100,000 acts) and each match's scope is one probe by key. ``benchmarks/search_speed.py``: a common
    word's engine statements ~165 ms → ~25 ms at 100,000 acts.

    The settings are local to a transaction whose statements only read. On its own it is committed, and the
    settings end with it; inside an outer transaction it is a savepoint, the settings put back as they were
    before it is released (a setting made local in a savepoint holds to the end of the outer transaction). It
    is not rolled back: psycopg forgets every statement it prepared on the connection at a ``ROLLBACK`` (one
    to a savepoint too), and starts counting their runs again, so with a search ending so a statement of the
    connection (the session's, the scope's, the search's own) stayed prepared only until the next search, and
    was parsed and planned again after it (``tests/search/test_postgres_settings.py``).
    A failed statement still rolls it back, and the settings with it. On SQLite, nothing (FTS5 plans its own
    matching)."""
    if connection.vendor != "postgresql":
        yield
        return
    nested = connection.in_atomic_block or not connection.get_autocommit()  # then a savepoint, not a transaction
    with transaction.atomic(using=connection.alias):
        with connection.cursor() as cursor:
            # The values before, read first: OFFSET 0 keeps the subquery a step of its own below the settings.
            cursor.execute(
                "SELECT seqscan, indexscan, set_config('enable_seqscan', 'off', true), "
                "set_config('enable_indexscan', 'off', true) FROM (SELECT current_setting('enable_seqscan') AS "
                "seqscan, current_setting('enable_indexscan') AS indexscan OFFSET 0) before"
            )
            before = cursor.fetchone()[:2]
        yield
        if nested:
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT set_config('enable_seqscan', %s, true), set_config('enable_indexscan', %s, true)", before
                )


def _count(connection, index: _IndexQuery, matching: tuple[str, list]) -> int:
    """The matches, counted up to MATCH_CAP + 1."""
    source, params = matching
    limit = int(MATCH_CAP) + 1
    sql = f"SELECT COUNT(*) FROM (SELECT {index.key} {source} {index.in_index_order} LIMIT {limit}) counted"  # noqa: S608
    rows = _rows(connection, sql, params)
    return rows[0][0] if rows else 0


def _rows(connection, sql: str, params: list) -> list[tuple]:
    """The rows of one engine statement, on a plain cursor: Django's counting wrapper and its row conversions
    cost more than these statements' small answers need. A SQLite statement naming the entries' keys index
    where the database has none is run again without it, and the database's later ones without it at once."""
    if connection.alias in _without_entry_keys:
        sql = sql.replace(_ENTRY_KEYS_HINT, "")
    with connection.cursor() as cursor:
        try:
            cursor.execute(sql, params)
        except OperationalError as error:
            if _ENTRY_KEYS_HINT not in sql or f"no such index: {ENTRY_KEYS_INDEX}" not in str(error):
                raise
            _without_entry_keys.add(connection.alias)
            cursor.execute(sql.replace(_ENTRY_KEYS_HINT, ""), params)
        return cursor.fetchall()


# --- newest first (database backends) -----------------------------------------------------------------------

#: Objects read per step, newest first, from a content type with more than MATCH_CAP matches.
NEWEST_STEP = 200
#: Steps of one run before a type's matches are read and ordered at once instead.
NEWEST_MAX_STEPS = 10


def _database_newest_matches(
    backend, querysets: dict[type, QuerySet], query, *, per_model: int, date_fields
) -> EngineMatches:
    """:func:`newest_matches` on the database backends.

    The matches are read from the index as for the ranking (one statement, up to MATCH_CAP + 1 in the index's
    order). When they are no more, each model's are ordered by date. When there are more, each model's objects
    are read newest first, NEWEST_STEP at a time (the dated ones in the order of the field's index, then the
    undated), and the index asked which of them match, until ``per_model`` are found: a word in more than
    MATCH_CAP objects is in one of a few steps' objects unless its matches are in other types than the one read:
    after NEWEST_MAX_STEPS steps that type's matches are read and ordered at once. Wagtail's own search ordered
    every match by date: at 10,000 acts 0.4-0.7 s for one word."""
    connection, index, (source, params) = _scoped_matches(backend, querysets, query)
    with _matched_through_indexes(connection):
        rows = _rows(
            connection,
            f"SELECT {index.column('content_type_id')}, {index.column('object_id')} {source} "
            f"{index.in_index_order} LIMIT {int(MATCH_CAP) + 1}",
            params,
        )
    matches = EngineMatches(total=min(len(rows), MATCH_CAP), capped=len(rows) > MATCH_CAP)
    pks_of = {model: [] for model in querysets}
    model_of = _models_by_content_type(querysets)
    for content_type_id, object_id in rows:
        pks_of[model_of[content_type_id]].append(int(object_id))

    def matching_of(model, pks=None) -> set[int]:
        """The keys of ``model``'s objects (among ``pks`` if given) the query matches."""
        return _matching_object_ids(connection, index, _content_types_of(model), pks)

    for model, qs in querysets.items():
        field = date_fields[model]
        if not matches.capped:
            found = _newest_at_once(qs, field, per_model, pks_of[model]) if pks_of[model] else []
        else:
            found = _newest_by_steps(qs, field, per_model, matching_of)
            if found is None:  # few of this type's objects match: all of its matches, ordered at once
                found = _newest_at_once(qs, field, per_model, list(matching_of(model)))
        if found:
            matches.ranked[model] = [row[0] for row in found]
    return matches


def _newest_key(row: tuple) -> tuple:
    """(local date, instant, key) of a (key, date or datetime) row (``search.results.newest_first_moment``)."""
    return *newest_first_moment(row[1]), row[0]


def _newest_at_once(qs: QuerySet, field: str, wanted: int, pks: list[int]) -> list[tuple]:
    """The newest ``wanted`` of the given objects of ``qs``, as (key, date) rows."""
    return sorted(qs.filter(pk__in=pks).values_list("pk", field), key=_newest_key, reverse=True)[:wanted]


def _newest_by_steps(qs: QuerySet, field: str, wanted: int, matching_of) -> list[tuple] | None:
    """The newest ``wanted`` objects of ``qs`` that ``matching_of(model, pks)`` says match, as (key, date) rows:
    the dated ones newest first (the field's index serves the order), then the undated, greatest key first,
    NEWEST_STEP at a time. None when NEWEST_MAX_STEPS steps of one run have not found them: the word is common
    in other types, not in this one."""
    found = []
    dated = qs.filter(**{f"{field}__isnull": False}).order_by(f"-{field}", "-pk")
    for ordered in (dated, qs.filter(**{f"{field}__isnull": True}).order_by("-pk")):
        start = 0
        while len(found) < wanted:
            if start >= NEWEST_STEP * NEWEST_MAX_STEPS:
                return None
            rows = list(ordered.values_list("pk", field)[start : start + NEWEST_STEP])
            if not rows:
                break
            matching = matching_of(qs.model, [row[0] for row in rows])
            found.extend(row for row in rows if row[0] in matching)
            start += NEWEST_STEP
    return found[:wanted]


def _matching_object_ids(connection, index: _IndexQuery, content_types: list[int], pks=None) -> set[int]:
    """The object ids of the index entries of ``content_types`` (of the objects ``pks`` if given) that the query
    matches. The entries are a condition on the match's key: FTS5 then tests the match row by row (by rowid)
    rather than reading all of a common word's matches."""
    if pks is not None and not pks:
        return set()
    chosen = (
        f'SELECT chosen."id" FROM {index.entries} chosen '  # noqa: S608 - names and integers only; ids are parameters
        f'WHERE chosen."content_type_id" IN ({", ".join(str(int(pk)) for pk in content_types)})'
    )
    params = []
    if pks is not None:
        chosen += f' AND chosen."object_id" IN ({", ".join(["%s"] * len(pks))})'
        params = [str(pk) for pk in pks]
    source, params = index.where((f"{index.key} IN ({chosen})", params))
    return {
        int(object_id) for (object_id,) in _rows(connection, f"SELECT {index.column('object_id')} {source}", params)
    }


# --- OpenSearch and Elasticsearch ----------------------------------------------------------------------------


def _es_matches(
    backend, querysets: dict[type, QuerySet], query, *, per_model: int, among: dict[type, list[int]] | None = None
) -> EngineMatches:
    if among is None:
        return _es_msearch(backend, _es_requests(backend, querysets, query), per_model, rows=per_model > 0)
    requests = []
    for model, qs in querysets.items():
        body = _es_body(backend, model, qs, query)
        keys = {"terms": {"pk": [str(pk) for pk in among[model]]}}
        body["query"] = {"bool": {"must": [body["query"]], "filter": [keys]}}
        requests.append(((model,), body))
    return _es_msearch(backend, requests, per_model)


def _es_requests(backend, querysets: dict[type, QuerySet], query) -> list[tuple[tuple[type, ...], dict]]:
    """The requests of a search by relevance, as (models, body): one for the models given the same queryset
    object whose objects are in the same index (without filters, the five page types:
    ``search.services.ScopedQuerysets.for_engine``), one for each other model. The models of one request are
    scored together, as the raw engine query scores them (:func:`_es_shared_body`); five requests of the same
    match cost the node ~1.4 ms more per search than one (``benchmarks/search_profile.py opensearch``, 100,000
    acts, a replay of 75 rare words: p50 3.9 → 2.5 ms). Models of which one derives from another are asked for
    apart: a hit's content types would not tell which of them it was found as."""
    groups: dict[tuple[str, int], list[type]] = {}
    for model, qs in querysets.items():
        groups.setdefault((backend.get_index_for_model(model).name, id(qs)), []).append(model)
    requests = []
    for models in groups.values():
        if len(models) > 1 and not any(issubclass(a, b) for a in models for b in models if a is not b):
            requests.append((tuple(models), _es_shared_body(backend, models, querysets[models[0]], query)))
        else:
            requests.extend(((model,), _es_body(backend, model, querysets[model], query)) for model in models)
    return requests


def _es_newest_matches(
    backend, querysets: dict[type, QuerySet], query, *, per_model: int, date_fields
) -> EngineMatches:
    """:func:`newest_matches` on OpenSearch and Elasticsearch: each type sorted by the engine on its date field, in one
    ``_msearch`` request."""
    requests = [
        ((model,), _es_body(backend, model, qs, query, order_by=(f"-{date_fields[model]}", "-id")))
        for model, qs in querysets.items()
    ]
    return _es_msearch(backend, requests, per_model)


def _es_body(backend, model, qs: QuerySet, query, *, order_by: tuple[str, ...] | None = None) -> dict:
    """Wagtail's search body of ``query`` over ``model``'s objects in ``qs`` (``backend.search(query, qs)``'s
    ``_get_es_body()`` when ``qs`` is of ``model``; with ``order_by``, sorted by those fields instead of the
    score; page subtrees as prefixes). ``qs`` may be of a model ``model`` derives from, as the page types'
    shared queryset on Page (``search.services.ScopedQuerysets.for_engine``): its filters, on fields of that
    model, are compiled once for them all (:func:`_es_filters`), and the match clause and the content
    type are ``model``'s (:func:`_es_compiler`)."""
    compiler = copy.copy(_es_compiler(backend, model))
    filters, sort = _es_filters(backend, qs, order_by)
    body = {"query": _es_query(compiler, query, compiler.get_content_type_filter(), filters)}
    if sort is not None:
        body["sort"] = sort
    return body


def _es_shared_body(backend, models: list[type], qs: QuerySet, query) -> dict:
    """One body for the objects of several ``models`` in ``qs`` (of a model they derive from, in one index), by
    relevance: the match clause over the fields of them all (each model's own are ``_all_text`` and the boost
    fields of its indexed fields' boosts: a field a model's objects do not have matches none of them, so each
    object is scored as by its own model's query), any of the models' content type filters (Wagtail's), the
    queryset's filters."""
    compilers = [_es_compiler(backend, model) for model in models]
    compiler = copy.copy(compilers[0])
    fields = {}
    for each in compilers:
        for remapped in each.remapped_fields:
            fields.setdefault((remapped.field_name, remapped.boost), remapped)
    compiler.remapped_fields = list(fields.values())
    content_types = {"bool": {"should": [each.get_content_type_filter() for each in compilers]}}
    return {"query": _es_query(compiler, query, content_types, _es_filters(backend, qs, None)[0])}


def _es_query(compiler, query, content_types: dict, filters) -> dict:
    """``compiler``'s query (a copy of a model's compiler) of ``query`` with these filters, as Wagtail's: the
    content types, then the queryset's filters."""
    compiler.query = query
    compiled = [content_types, *([filters] if filters else [])]
    compiler.get_filters = lambda: compiled
    return compiler.get_query()


@functools.lru_cache(maxsize=64)
def _es_compiler(backend, model):
    """Wagtail's query compiler for ``model``: its index's fields and boosts (remapped to the index's names when
    it is built), its content type. Kept per backend and model for the process: neither changes while it runs
    (a changed configuration is another backend object, ``search.services.search_backend``), and nothing of a
    user or a search is in it; each request body is compiled on a copy (:func:`_es_body`). Built once
    per search before, the six types' compilers took 0.4-1.4 ms of CPU (``benchmarks/search_profile.py
    opensearch``, 10,000 acts, city user, p50: rare words 6.4-6.7 → 5.0-5.4 ms, common 7.1-7.3 → 6.4-6.7,
    multi-word 6.5-6.7 → 5.9-6.3)."""
    from modelsearch.query import MATCH_ALL

    return backend.query_compiler_class(model._default_manager.all(), MATCH_ALL)


@once_per_block
def _es_filters(backend, qs: QuerySet, order_by: tuple[str, ...] | None) -> tuple:
    """The filters of ``qs`` (the user's scope and the search's filters; page subtrees as prefixes) and, with
    ``order_by``, its sort, compiled by Wagtail and checked as ``backend.search`` checks them. None of them
    depends on the words, so inside the scope module's ``read_once`` block (one search) they are compiled once
    for the search's attempts and counts, and once for the page types sharing a queryset; nothing outlives the
    block, as the scope rules' data it was compiled from does not.

    The compiler is a copy of the model's own (:func:`_es_compiler`) given ``qs``: a new one remaps the fields of
    every indexed model first, which the filters do not read (~0.15 ms of CPU a queryset)."""
    if order_by:
        qs = qs.order_by(*order_by)
    compiler = copy.copy(_es_compiler(backend, qs.model))
    compiler.queryset = qs
    compiler.order_by_relevance = not order_by
    compiler.check()
    return _subtrees_as_prefixes(compiler._get_filters_from_queryset()), compiler.get_sort()


def _subtrees_as_prefixes(compiled):
    """The compiled filters with each page subtree (``cms.org.scope.subtree``: a range of paths from the
    subtree's root path to it followed by the alphabet's last letter up to the column's length) as the prefix
    query it equals. OpenSearch turns a range of keywords into an automaton of its bounds, built for each
    request: nine excluded district sections (a school's scope) cost ~40 ms per request at 10,000 acts, their
    prefixes ~1 ms."""
    if isinstance(compiled, list):
        return [_subtrees_as_prefixes(item) for item in compiled]
    if not isinstance(compiled, dict):
        return compiled
    bounds = compiled.get("range", {}).get("path_filter") if len(compiled) == 1 else None
    low = bounds.get("gte") if isinstance(bounds, dict) and set(bounds) == {"gte", "lte"} else None
    if isinstance(low, str) and (bounds["gte"], bounds["lte"]) == subtree_bounds(low):
        return {"prefix": {"path_filter": low}}
    return {key: _subtrees_as_prefixes(value) for key, value in compiled.items()}


def _es_msearch(
    backend, requests: list[tuple[tuple[type, ...], dict]], per_model: int, *, rows: bool = False
) -> EngineMatches:
    """One ``_msearch`` of (models, body) requests: each request's first ``per_model`` keys in the engine's order,
    by model, and the matches of all, counted up to MATCH_CAP + 1 each; with ``rows``, each key's
    :data:`RANKED_FIELDS` too (``EngineMatches.rows``). The keys (and, where a request asks for several models,
    the content types) and the fields are read from doc values: as stored fields, each hit's stored fields block
    (compressed with the document's whole source) would be read and decompressed."""
    lines = []
    for models, body in requests:
        fields = ["pk", *([CONTENT_TYPES_FIELD] if len(models) > 1 else [])]
        if rows:
            fields += dict.fromkeys(name for model in models for _key, name in _ranked_fields(backend, model))
        lines.append({"index": backend.get_index_for_model(models[0]).name})
        lines.append(
            {
                **body,
                "size": per_model,
                "stored_fields": "_none_",
                "docvalue_fields": fields,
                "track_total_hits": MATCH_CAP + 1,
            }
        )
    responses = backend.es.msearch(body=lines)["responses"]
    matches = EngineMatches()
    total = 0
    for (models, _body), response in zip(requests, responses, strict=True):
        if "error" in response:
            raise EngineRequestError(response.get("status", 500), response["error"])
        hits = response["hits"]
        total += hits["total"]["value"]
        if len(models) > 1:
            model_of = {_es_compiler(backend, model).mapping.get_content_type(): model for model in models}
        for position, hit in enumerate(hits["hits"]):
            fields = hit["fields"]
            if len(models) == 1:
                model = models[0]
            else:
                model = next(model_of[name] for name in fields[CONTENT_TYPES_FIELD] if name in model_of)
                matches.positions.setdefault(model, []).append(position)
            pk = int(fields["pk"][0])
            matches.ranked.setdefault(model, []).append(pk)
            if rows:
                row = {key: fields.get(name, ("",))[0] for key, name in _ranked_fields(backend, model)}
                matches.rows.setdefault(model, []).append({"pk": pk, **row})
    matches.total = min(total, MATCH_CAP)
    matches.capped = total > MATCH_CAP
    return matches


@functools.lru_cache(maxsize=64)
def _ranked_fields(backend, model) -> tuple[tuple[str, str], ...]:
    """(name, index field) of each of :data:`RANKED_FIELDS` that ``model`` indexes as a filter field (a keyword
    with doc values: ``title_filter``, ``pages_regulationpage__status_filter``), kept per backend and model for
    the process, as :func:`_es_compiler`."""
    filterable = {field.field_name: field for field in model.get_filterable_search_fields()}
    mapping = _es_compiler(backend, model).mapping
    return tuple(
        (name, mapping.get_field_column_name(filterable[name])) for name in RANKED_FIELDS if name in filterable
    )
