"""One engine query per search attempt: the matches of every searched content type at once, inside the user's
scope, with the work bounded on very common words.

Wagtail's own ``backend.search(query, queryset)`` answers one content type at a time, and a count is a second
query: twelve round trips for the six searched types. On the database backends it also ranks every match
(an uncapped ``ts_rank`` over 95,000 matches takes ~400 ms) and on PostgreSQL it matches against
``title || body`` concatenated per row, which no index serves. Here instead:

- SQLite FTS5 and PostgreSQL: one SQL statement over the search index table. Its WHERE clause is the
  engine's match (the same MATCH expression / tsquery Wagtail builds, served by the FTS5 index or by the GIN
  indexes on ``title`` and on ``body``) and, per content type, an ``EXISTS`` on the scoped and filtered
  queryset (``search.services._filtered``, i.e. ``cms.org.scope.visible``), so what the user may not read
  is neither ranked nor counted. It takes the :data:`MATCH_CAP` + 1 most recently indexed such matches
  (the index's own order, no sorting) and scores only those with Wagtail's formula (FTS5 ``bm25`` ×
  title norm, or ``ts_rank`` with Wagtail's weights).
- OpenSearch: one ``_msearch`` request with Wagtail's query for each content type (its scope and filters
  compiled into the query by Wagtail), each counting up to :data:`MATCH_CAP` + 1 hits.

A search with more than :data:`MATCH_CAP` matches reports "more than MATCH_CAP" (``capped``); on the database
backends its ranking then sees the MATCH_CAP most recently indexed matches only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connections, router
from django.db.models import BigIntegerField, Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Cast
from modelsearch.utils import get_descendants_content_types_pks

#: Matches counted, and (on the database backends) ranked, per search attempt.
MATCH_CAP = 1000


@dataclass
class EngineMatches:
    """Per model: primary keys in the engine's order, best first (at most ``per_model`` of them)."""

    total: int = 0
    capped: bool = False
    ranked: dict[type, list] = field(default_factory=dict)


def is_opensearch(backend) -> bool:
    return hasattr(backend, "es")


def search_matches(backend, querysets: dict[type, QuerySet], query, *, per_model: int) -> EngineMatches:
    """The scoped matches of ``query`` over ``querysets`` (one per model, already scoped and filtered)."""
    if is_opensearch(backend):
        return _opensearch_matches(backend, querysets, query, per_model=per_model)
    return _database_matches(backend, querysets, query, per_model=per_model)


# --- SQLite FTS5 and PostgreSQL ---------------------------------------------------------------------------


def _index_entry_model():
    from modelsearch.conf import get_app_config

    return get_app_config().get_model("IndexEntry")


def _scope_condition(querysets: dict[type, QuerySet], prefix: str) -> Q:
    """Index entries of the given querysets' objects: per model, its content types and an EXISTS on its queryset
    correlated with the entry's object id (stored as text)."""
    condition = Q()
    for model, qs in querysets.items():
        object_id = Cast(OuterRef(f"{prefix}object_id"), BigIntegerField())
        in_scope = Exists(qs.order_by().filter(pk=object_id).values("pk"))
        condition |= Q(**{f"{prefix}content_type_id__in": get_descendants_content_types_pks(model)}) & in_scope
    return condition


def _database_matches(backend, querysets: dict[type, QuerySet], query, *, per_model: int) -> EngineMatches:
    index_entry = _index_entry_model()
    vendor = connections[router.db_for_read(index_entry)].vendor
    some_model = next(iter(querysets))
    compiler = backend.query_compiler_class(some_model.objects.none(), query)
    config = compiler.get_config(backend)
    if vendor == "sqlite":
        rows = _sqlite_rows(compiler, config, querysets, query)
        best_first = sorted(rows, key=lambda row: (row[2], -int(row[1])))  # bm25 is negative: lower is better
    elif vendor == "postgresql":
        rows = _postgres_rows(compiler, config, querysets, query, index_entry)
        best_first = sorted(rows, key=lambda row: (-row[2], -int(row[1])))
    else:  # pragma: no cover - the project runs on SQLite and PostgreSQL
        raise NotImplementedError(f"no engine query for {vendor}")
    by_content_type = {}
    for model in querysets:
        for content_type_id in get_descendants_content_types_pks(model):
            by_content_type.setdefault(content_type_id, model)
    matches = EngineMatches(total=min(len(rows), MATCH_CAP), capped=len(rows) > MATCH_CAP)
    for content_type_id, object_id, _score in best_first:
        model = by_content_type[content_type_id]
        pks = matches.ranked.setdefault(model, [])
        if len(pks) < per_model:
            pks.append(int(object_id))
    return matches


def _sqlite_rows(compiler, config, querysets, query) -> list[tuple]:
    from modelsearch.backends.database.sqlite.query import MatchExpression, normalize
    from modelsearch.conf import get_app_config

    fts_entry = get_app_config().get_model("SQLiteFTSIndexEntry")
    search_query = compiler.build_search_query(normalize(query), config=config)
    score = compiler.build_tsrank(None, query, config=config) * (F("index_entry__title_norm") + 1.0)
    # FTS5 yields matches in rowid (= index entry id) order, so ORDER BY rowid DESC LIMIT stops early and the
    # score is computed for the returned rows only.
    return list(
        fts_entry.objects.filter(MatchExpression(compiler.FTS_TABLE_FIELDS, search_query))
        .filter(_scope_condition(querysets, "index_entry__"))
        .order_by("-pk")
        .annotate(score=score)
        .values_list("index_entry__content_type_id", "index_entry__object_id", "score")[: MATCH_CAP + 1]
    )


def _postgres_rows(compiler, config, querysets, query, index_entry) -> list[tuple]:
    tsquery = compiler.build_tsquery(query, config=config)
    newest = (
        index_entry.objects.filter(Q(title=tsquery) | Q(body=tsquery))
        .filter(_scope_condition(querysets, ""))
        .order_by("-pk")
        .values("pk")[: MATCH_CAP + 1]
    )
    score = compiler.build_tsrank(F("title"), query, config=config) * F("title_norm") + compiler.build_tsrank(
        F("body"), query, config=config
    )
    # Ranked in an outer query: only the capped set of matches is scored.
    return list(
        index_entry.objects.filter(pk__in=newest)
        .annotate(score=score)
        .values_list("content_type_id", "object_id", "score")
    )


# --- OpenSearch ----------------------------------------------------------------------------------------------


def _opensearch_matches(backend, querysets: dict[type, QuerySet], query, *, per_model: int) -> EngineMatches:
    lines = []
    for model, qs in querysets.items():
        results = backend.search(query, qs)
        lines.append({"index": backend.get_index_for_model(model).name})
        lines.append(
            {
                **results._get_es_body(),
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
