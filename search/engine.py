"""One engine query per search attempt: the matches of every searched content type at once, inside the user's
scope, with the work bounded on very common words.

Wagtail's own ``backend.search(query, queryset)`` answers one content type at a time, and a count is a second
query: twelve round trips for the six searched types. On the database backends it also ranks every match
(an uncapped ``ts_rank`` over 95,000 matches takes ~400 ms) and on PostgreSQL it matches against
``title || body`` concatenated per row, which no index serves. Here instead:

- SQLite FTS5 and PostgreSQL: one SQL statement over the search index table. Its WHERE clause is the
  engine's match (the same MATCH expression / tsquery Wagtail builds, served by the FTS5 index or by the GIN
  indexes on ``title`` and on ``body``) and, per content type, an ``EXISTS`` on the scoped and filtered
  queryset (``search.services._filtered``, i.e. ``cms.org.scope.visible``; content types given the same
  queryset share one), so what the user may not read is neither ranked nor counted. The first
  :data:`RANK_CAP` matches in the index's own order (the most recently indexed on SQLite, table order on
  PostgreSQL; no sorting) are scored with Wagtail's formula (FTS5 ``bm25`` × title norm, or ``ts_rank`` with
  Wagtail's weights) and counted; only when there are RANK_CAP of them does a second statement count the
  matches, up to :data:`MATCH_CAP` + 1. Scoring is the costly part (``ts_rank`` reads each match's whole body
  vector), so it is bounded more tightly than counting.
- OpenSearch: one ``_msearch`` request with Wagtail's query for each content type (its scope and filters
  compiled into the query by Wagtail), each counting up to :data:`MATCH_CAP` + 1 hits; its block-max
  scoring needs no cap.

A search with more than :data:`MATCH_CAP` matches reports "more than MATCH_CAP" (``capped``); on the database
backends a word found in more than :data:`RANK_CAP` documents has only the first RANK_CAP matches in the index's
order ranked.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models import BigIntegerField, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from modelsearch.utils import get_descendants_content_types_pks

#: Matches counted per search attempt.
MATCH_CAP = 1000
#: Matches scored per search attempt on the database backends (the first in the index's own order).
RANK_CAP = 300


@dataclass
class EngineMatches:
    """Per model: primary keys in the engine's order, best first (at most ``per_model`` of them)."""

    total: int = 0
    capped: bool = False
    ranked: dict[type, list] = field(default_factory=dict)


def is_opensearch(backend) -> bool:
    return hasattr(backend, "es")


def search_matches(backend, querysets: dict[type, QuerySet], query, *, per_model: int) -> EngineMatches:
    """The scoped matches of ``query`` over ``querysets`` (one per model, already scoped and filtered); with
    ``per_model`` 0, only their count."""
    if is_opensearch(backend):
        return _opensearch_matches(backend, querysets, query, per_model=per_model)
    return _database_matches(backend, querysets, query, per_model=per_model)


def count_among(backend, querysets, query, pks: dict[type, list[int]]) -> int:
    """How many of the given objects (primary keys per model; ``querysets[model]`` is the model's queryset)
    ``query`` matches. On OpenSearch the keys are a filter on the documents' ``pk`` field: Wagtail drops a queryset's
    filter on a page type's primary key (``page_ptr_id``) when it compiles the queryset for the engine."""
    if is_opensearch(backend):
        return _opensearch_matches(
            backend, {model: querysets[model] for model in pks}, query, per_model=0, among=pks
        ).total
    among = {model: querysets[model].filter(pk__in=ids) for model, ids in pks.items()}
    return _database_matches(backend, among, query, per_model=0).total


# --- SQLite FTS5 and PostgreSQL ---------------------------------------------------------------------------


def _index_entry_model():
    from modelsearch.conf import get_app_config

    return get_app_config().get_model("IndexEntry")


def _scope_condition(querysets: dict[type, QuerySet], prefix: str) -> Q:
    """Index entries of the given querysets' objects: per queryset, the content types of the models given it
    (models given the same queryset object share one condition) and an EXISTS on it correlated with the
    entry's object id (stored as text)."""
    groups: dict[int, tuple[QuerySet, list[int]]] = {}
    for model, qs in querysets.items():
        groups.setdefault(id(qs), (qs, []))[1].extend(get_descendants_content_types_pks(model))
    condition = Q()
    for qs, content_types in groups.values():
        object_id = Cast(OuterRef(f"{prefix}object_id"), BigIntegerField())
        in_scope = Exists(qs.order_by().filter(pk=object_id).values("pk"))
        condition |= Q(**{f"{prefix}content_type_id__in": content_types}) & in_scope
    return condition


def _database_matches(backend, querysets: dict[type, QuerySet], query, *, per_model: int) -> EngineMatches:
    index_entry = _index_entry_model()
    connection = connections[router.db_for_read(index_entry)]
    some_model = next(iter(querysets))
    compiler = backend.query_compiler_class(some_model.objects.none(), query)
    config = compiler.get_config(backend)
    if connection.vendor == "sqlite":
        # FTS5 yields matches in id order, so ORDER BY id DESC LIMIT stops early.
        first = _sqlite_matching(compiler, config, querysets, query).order_by("-pk")
    elif connection.vendor == "postgresql":
        # The bitmap scan yields matches in table order: any order would sort (and check the scope of) every
        # match, so it takes the first ones the scan yields.
        first = _postgres_matching(compiler, config, querysets, query, index_entry).order_by()
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL
        raise ImproperlyConfigured(
            f"Search on the database backend supports SQLite and PostgreSQL, not {connection.vendor}."
        )
    if per_model <= 0:
        counted = _count(connection, first)
        return EngineMatches(total=min(counted, MATCH_CAP), capped=counted > MATCH_CAP)
    if connection.vendor == "sqlite":
        # FTS5 computes bm25() only in the statement that matches, so the newest matches are scored in place.
        # bm25 is negative: lower is better.
        score = compiler.build_tsrank(None, query, config=config) * (F("index_entry__title_norm") + 1.0)
        scored = first.annotate(
            ct=F("index_entry__content_type_id"), oid=F("index_entry__object_id"), score=score, tie=F("pk")
        )[:RANK_CAP]
        best_first = "score ASC, tie DESC"
    else:
        # Scored in an outer query over those matches only: ts_rank reads a whole body vector.
        title = compiler.build_tsrank(F("title"), query, config=config) * F("title_norm")
        scored = index_entry.objects.filter(pk__in=first.values("pk")[:RANK_CAP]).annotate(
            ct=F("content_type_id"),
            oid=F("object_id"),
            score=title + compiler.build_tsrank(F("body"), query, config=config),
            tie=F("pk"),
        )
        best_first = "score DESC, tie DESC"
    # Only the best ``per_model`` of each content type leave the database, best first, with the number of the
    # scored matches: when it is below RANK_CAP it is the count, and the count statement is not needed.
    rows = _rows(
        connection,
        scored.values_list("ct", "oid", "score", "tie"),
        "SELECT ct, oid, scored_count FROM (SELECT scored.*, COUNT(*) OVER () AS scored_count, "  # noqa: S608
        f"ROW_NUMBER() OVER (PARTITION BY ct ORDER BY {best_first}) AS position FROM ({{}}) scored) best "
        f"WHERE position <= {int(per_model)} ORDER BY {best_first}",
    )
    counted = rows[0][2] if rows else 0
    if counted >= RANK_CAP:
        counted = _count(connection, first)
    matches = EngineMatches(total=min(counted, MATCH_CAP), capped=counted > MATCH_CAP)
    by_content_type = {}
    for model in querysets:
        for content_type_id in get_descendants_content_types_pks(model):
            by_content_type.setdefault(content_type_id, model)
    for content_type_id, object_id, _count_column in rows:
        pks = matches.ranked.setdefault(by_content_type[content_type_id], [])
        if len(pks) < per_model:
            pks.append(int(object_id))
    return matches


def _count(connection, first: QuerySet) -> int:
    """The matches, counted up to MATCH_CAP + 1."""
    return _rows(connection, first.values("pk")[: MATCH_CAP + 1], "SELECT COUNT(*) FROM ({}) counted")[0][0]


def _rows(connection, qs: QuerySet, template: str) -> list[tuple]:
    """The rows of ``template`` with ``qs``'s SQL in its ``{}``, on a plain cursor: Django's counting wrapper and
    its row conversions cost more than these statements' small answers need."""
    sql, params = qs.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(template.format(sql), params)
        return cursor.fetchall()


def _sqlite_matching(compiler, config, querysets, query) -> QuerySet:
    from modelsearch.backends.database.sqlite.query import MatchExpression, normalize
    from modelsearch.conf import get_app_config

    fts_entry = get_app_config().get_model("SQLiteFTSIndexEntry")
    search_query = compiler.build_search_query(normalize(query), config=config)
    return fts_entry.objects.filter(MatchExpression(compiler.FTS_TABLE_FIELDS, search_query)).filter(
        _scope_condition(querysets, "index_entry__")
    )


def _postgres_matching(compiler, config, querysets, query, index_entry) -> QuerySet:
    tsquery = compiler.build_tsquery(query, config=config)
    return index_entry.objects.filter(Q(title=tsquery) | Q(body=tsquery)).filter(_scope_condition(querysets, ""))


# --- OpenSearch ----------------------------------------------------------------------------------------------


def _opensearch_matches(
    backend, querysets: dict[type, QuerySet], query, *, per_model: int, among: dict[type, list[int]] | None = None
) -> EngineMatches:
    lines = []
    for model, qs in querysets.items():
        body = backend.search(query, qs)._get_es_body()
        if among is not None:
            keys = {"terms": {"pk": [str(pk) for pk in among[model]]}}
            body["query"] = {"bool": {"must": [body["query"]], "filter": [keys]}}
        lines.append({"index": backend.get_index_for_model(model).name})
        lines.append(
            {
                **body,
                "size": per_model,
                "_source": False,
                "stored_fields": "pk",
                "track_total_hits": MATCH_CAP + 1,
            }
        )
    responses = backend.es.msearch(body=lines)["responses"]
    matches = EngineMatches()
    total = 0
    for model, response in zip(querysets, responses, strict=True):
        if "error" in response:
            from opensearchpy.exceptions import TransportError

            raise TransportError(response.get("status", 500), "search_phase_execution_exception", response["error"])
        hits = response["hits"]
        total += hits["total"]["value"]
        pks = [hit["fields"]["pk"][0] for hit in hits["hits"]]
        if pks:
            matches.ranked[model] = pks
    matches.total = min(total, MATCH_CAP)
    matches.capped = total > MATCH_CAP
    return matches
