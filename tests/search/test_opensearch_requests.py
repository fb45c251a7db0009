"""What a search sends to OpenSearch, checked without a node (a backend whose client's transport is replaced, so
these run on every backend configuration): Wagtail's own query for each content type, compiled more cheaply;
newest first in one request per attempt; one backend object, with its connections, per configuration."""

import itertools
import json

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from wagtail.models import Page, PageViewRestriction
from wagtail.search.backends import get_search_backend
from wagtail.search.query import And, Fuzzy, Phrase, PlainText

from cms.library.models import LibraryDocument
from cms.org.scope import read_once, subtree_bounds
from cms.pages.models import DistrictSectionPage, RegulationPage
from search import engine, services
from search.analysis import analyse_query
from search.engine import _es_body, _es_filters, _subtrees_as_prefixes
from search.services import (
    SEARCHED_MODELS,
    ScopedQuerysets,
    SearchFilters,
    _date_field,
    _search_all_by_date,
    search_backend,
)
from tests.conftest import publish_regulation

QUERIES = [
    PlainText("зарахування учень", operator="and"),
    PlainText("зарахування учень", operator="or"),
    Fuzzy("зарахування", operator="and"),
    Phrase("педагогічний працівник"),
    And([Phrase("педагогічний працівник"), PlainText("атестація", operator="and")]),
]


def _offline_backend():
    """An OpenSearch backend that reaches no node (nothing here sends a request to it)."""
    return get_search_backend("wagtail.search.backends.opensearch3", URLS=["http://127.0.0.1:9"])


@pytest.mark.parametrize("actor", ["don", "own_ruo", "school_a", "site_admin"])
@pytest.mark.parametrize("filtered", [False, True], ids=["all", "filtered"])
def test_each_types_body_is_wagtails(world, actor, filtered):
    """The filters and the sort are compiled once per search and the match clause per query; the body is the one
    Wagtail's ``backend.search(query, qs)`` would send over the type's own queryset (page subtrees as prefixes),
    by relevance over what the engine is given (without filters, the page types' one queryset on Page) and
    newest first over the type's own."""
    backend = _offline_backend()
    filters = SearchFilters(district_id=world.district.pk, year=2020) if filtered else SearchFilters()
    with read_once():
        querysets = ScopedQuerysets(world.users[actor], filters)
        given = querysets.for_engine()
        for model, qs in querysets.all().items():
            newest = (f"-{_date_field(model)}", "-id")
            for query in QUERIES:
                wagtails = backend.search(query, qs)._get_es_body()
                assert _es_body(backend, model, given[model], query) == _subtrees_as_prefixes(wagtails)
                wagtails = backend.search(query, qs.order_by(*newest), order_by_relevance=False)._get_es_body()
                sent = _es_body(backend, model, qs, query, order_by=newest)
                assert sent == _subtrees_as_prefixes(wagtails)
            # One compilation per queryset and order in the block.
            assert _es_filters(backend, qs, None) is _es_filters(backend, qs, None)


def _counting_filter_compilations(backend, monkeypatch) -> list:
    """The models whose queryset's filters Wagtail's compiler compiles from now on, one entry per compilation."""
    compiled = []
    compile_filters = backend.query_compiler_class._get_filters_from_queryset

    def counting(self, *args, **kwargs):
        if not kwargs.get("check_only"):
            compiled.append(self.queryset.model)
        return compile_filters(self, *args, **kwargs)

    monkeypatch.setattr(backend.query_compiler_class, "_get_filters_from_queryset", counting)
    return compiled


def test_page_types_share_one_compiled_scope(world, monkeypatch):
    """Without filters, the five page types' scope is compiled once per search, not once per type."""
    backend = _offline_backend()
    compiled = _counting_filter_compilations(backend, monkeypatch)
    with read_once():
        querysets = ScopedQuerysets(world.users["school_a"], SearchFilters())
        for model, qs in querysets.for_engine().items():
            _es_body(backend, model, qs, PlainText("наказ"))
    assert sorted(compiled, key=str) == sorted([Page, LibraryDocument], key=str)


def test_a_types_own_compiler_is_built_once_per_process(world, monkeypatch):
    """Each type's own compiler (its fields and boosts, remapped when built) is built for the first search only,
    and no other: a search's scope is compiled on a copy of its model's (every search compiles its scope afresh:
    the next test)."""
    backend = _offline_backend()
    compiled = _counting_filter_compilations(backend, monkeypatch)
    built = []
    compiler_class = backend.query_compiler_class

    def counting(queryset, *args, **kwargs):
        built.append((queryset.model, bool(queryset.query.where)))
        return compiler_class(queryset, *args, **kwargs)

    monkeypatch.setattr(backend, "query_compiler_class", counting)
    for _search in range(2):
        with read_once():
            querysets = ScopedQuerysets(world.users["school_a"], SearchFilters())
            for model, qs in querysets.for_engine().items():
                _es_body(backend, model, qs, PlainText("наказ"))
    assert sorted((model for model, _scoped in built), key=str) == sorted([*SEARCHED_MODELS, Page], key=str)
    assert not any(scoped for _model, scoped in built)
    assert sorted(compiled, key=str) == sorted([Page, LibraryDocument] * 2, key=str)


def test_page_subtrees_are_prefixes(world):
    """A school's scope hides the other districts' sections: each a range of paths (``subtree``) that Wagtail
    compiles as a range of keywords, sent as the prefix query it equals; other ranges stay as they are."""
    backend = _offline_backend()
    with read_once():
        qs = ScopedQuerysets(world.users["school_a"], SearchFilters())[RegulationPage]
        wagtails = json.dumps(backend.search(PlainText("наказ"), qs)._get_es_body())
        sent = json.dumps(_es_body(backend, RegulationPage, qs, PlainText("наказ")))
    hidden = DistrictSectionPage.objects.get(district=world.other_district).path
    low, high = subtree_bounds(hidden)
    assert json.dumps({"range": {"path_filter": {"gte": low, "lte": high}}}) in wagtails
    assert json.dumps({"prefix": {"path_filter": hidden}}) in sent and '"path_filter": {"gte"' not in sent
    others = [
        {"range": {"path_filter": {"gte": low, "lte": high[:-1]}}},
        {"range": {"path_filter": {"gte": low, "lte": high, "boost": 2}}},
        {"range": {"path_filter": {"gt": low, "lte": high}}},
        {"range": {"depth_filter": {"gte": 1, "lte": 3}}},
    ]
    assert _subtrees_as_prefixes(others) == others


def test_compiled_scope_does_not_outlive_the_search(world):
    """A view restriction added after a search is in the next search's compiled query."""
    backend = _offline_backend()
    user = world.users["school_a"]
    query = PlainText("зарахування")

    def regulation_body():
        with read_once():
            qs = ScopedQuerysets(user, SearchFilters())[RegulationPage]
            return _es_body(backend, RegulationPage, qs, query)

    before = regulation_body()
    PageViewRestriction.objects.create(
        page=world.content.city_regulation, restriction_type=PageViewRestriction.PASSWORD, password="x"
    )
    after = regulation_body()
    assert before != after and world.content.city_regulation.path in str(after)


class _Transport:
    """Every request the client sends, as (method, url, body lines); an ``_msearch`` is answered from
    ``answers`` (content type label: keys), each type's request by the keys of the type its query filters on."""

    def __init__(self, answers: dict[str, list[int]]):
        self.sent = []
        self.answers = answers

    def perform_request(self, method, url, headers=None, params=None, body=None):
        body = [json.loads(line) for line in body.splitlines() if line.strip()]
        self.sent.append((method, url, body))
        responses = []
        for request in body[1::2]:
            query = json.dumps(request["query"])
            asked = [(label, pks) for label, pks in self.answers.items() if f'"{label}"' in query]
            if engine.CONTENT_TYPES_FIELD not in request["docvalue_fields"]:  # one type's request
                asked = asked[:1]
            # The types' keys taken in turn, as the engine's order of several types' matches.
            labelled = [[(label, pk) for pk in pks] for label, pks in asked]
            found = [pair for row in itertools.zip_longest(*labelled) for pair in row if pair is not None]
            hits = [
                {"fields": {"pk": [str(pk)], engine.CONTENT_TYPES_FIELD: sorted([label, "wagtailcore.Page"])}}
                for label, pk in found[: request["size"]]
            ]
            responses.append({"hits": {"total": {"value": len(found)}, "hits": hits}})
        return {"responses": responses}


#: The date field each type is sorted by, as the index names it.
SORTED_BY = {
    RegulationPage: "pages_regulationpage__document_date_filter",
    LibraryDocument: "document_date_filter",
}


def test_newest_first_is_one_request_per_attempt(world, corpus, monkeypatch):
    """Per attempt one ``_msearch``: each type sorted by its date field (undated last: OpenSearch's default),
    ties to the greater key, the first ``limit`` keys read from doc values, the matches counted as the ranking
    counts them."""
    backend = _offline_backend()
    laws = sorted(corpus.values(), key=lambda page: str(page.document_date), reverse=True)
    transport = _Transport({"pages.RegulationPage": [law.pk for law in laws]})
    monkeypatch.setattr(backend.es.transport, "perform_request", transport.perform_request)
    with read_once():
        querysets = ScopedQuerysets(world.users["don"], SearchFilters())
        found = _search_all_by_date(backend, querysets, analyse_query("зарахування"), limit=2)
    assert [result.row["pk"] for result in found.results] == [law.pk for law in laws[:2]]
    assert found.total == len(laws) and not found.capped
    assert [(method, url) for method, url, _body in transport.sent] == [("POST", "/_msearch")]
    headers, bodies = transport.sent[0][2][::2], transport.sent[0][2][1::2]
    assert [header["index"] for header in headers] == [
        backend.get_index_for_model(model).name for model in SEARCHED_MODELS
    ]
    for model, body in zip(SEARCHED_MODELS, bodies, strict=True):
        assert body["sort"] == [{SORTED_BY.get(model, "first_published_at_filter"): "desc"}, {"id_filter": "desc"}]
        assert body["size"] == 2 and body["track_total_hits"] == engine.MATCH_CAP + 1
        assert body["stored_fields"] == "_none_" and body["docvalue_fields"] == ["pk"]


def test_the_backend_and_its_connections_are_kept_per_configuration(settings):
    first = search_backend("default")
    assert search_backend("default") is first
    changed = {**settings.WAGTAILSEARCH_BACKENDS, "default": {**settings.WAGTAILSEARCH_BACKENDS["default"]}}
    changed["default"]["AUTO_UPDATE"] = False
    with override_settings(WAGTAILSEARCH_BACKENDS=changed):
        assert search_backend("default") is not first


def _failing_msearch(body):
    """An ``_msearch`` answered with status 200 and its last request's response an error, the others empty."""
    responses = [{"hits": {"total": {"value": 0, "relation": "eq"}, "hits": []}} for _request in body[1::2]]
    responses[-1] = {"error": {"type": "query_shard_exception", "reason": "failed to create query"}, "status": 400}
    return {"responses": responses}


@pytest.mark.parametrize("backend_path", ["search.backends", "search.backends.PortalElasticsearchBackend"])
def test_a_failed_request_of_the_msearch_falls_back_to_the_database(world, corpus, monkeypatch, caplog, backend_path):
    """The engine answers an ``_msearch`` with status 200 when one of its requests fails: the search does not take
    the other requests' answers for the whole, it asks the database fallback, and logs the refusal as an error
    (a query the engine cannot parse is a mistake in the code). On the OpenSearch and the Elasticsearch client."""
    backend = get_search_backend(backend_path, URLS=["http://127.0.0.1:9"])
    monkeypatch.setattr(backend.es, "msearch", _failing_msearch)
    querysets = ScopedQuerysets(world.users["don"], SearchFilters())
    with read_once(), pytest.raises(engine.EngineRequestError) as failed:
        engine.search_matches(backend, querysets.all(), PlainText("наказ"), per_model=5)
    assert failed.value.status == 400 and "query_shard_exception" in str(failed.value)

    database = get_search_backend("wagtail.search.backends.database")
    monkeypatch.setattr(services, "_backends", lambda: iter([("default", backend), ("fallback", database)]))
    outcome = services.run_search(world.users["school_a"], "наказу про зарахування", log=False)
    assert outcome.fallback and "Порядок зарахування до закладів освіти" in [hit.title for hit in outcome.hits]
    (record,) = [r for r in caplog.records if r.name == "search.services"]
    assert record.levelname == "ERROR" and "query_shard_exception" in record.getMessage()


PAGE_TYPES = [model for model in SEARCHED_MODELS if issubclass(model, Page)]


def _labels(models) -> list[str]:
    return [f"{model._meta.app_label}.{model.__name__}" for model in models]


def test_without_filters_the_page_types_are_one_request(world, monkeypatch):
    """A search without filters sends two requests: the documents' (Wagtail's body, as before) and one for the five
    page types, which share a queryset on Page: Wagtail's match over all of their fields, either type's content type
    filter (Wagtail's own) and the scope compiled once. Each hit's content types tell its type; each key keeps its
    place in that one ranking."""
    backend = _offline_backend()
    transport = _Transport(
        dict(zip(_labels(PAGE_TYPES), ([index * 10 + 1, index * 10 + 2] for index in range(5)), strict=True))
    )
    monkeypatch.setattr(backend.es.transport, "perform_request", transport.perform_request)
    query = PlainText("зарахування учень", operator="and")
    with read_once():
        given = ScopedQuerysets(world.users["school_a"], SearchFilters()).for_engine()
        matches = engine.search_matches(backend, given, query, per_model=50)
        own = {model: _es_body(backend, model, qs, query) for model, qs in given.items()}
    ((_method, _url, lines),) = transport.sent
    headers, bodies = lines[::2], lines[1::2]
    assert [header["index"] for header in headers] == [
        backend.get_index_for_model(RegulationPage).name,
        backend.get_index_for_model(LibraryDocument).name,
    ]
    pages, documents = bodies
    # The keys, and what the title re-ranking reads: the title and an act's or a document's status.
    assert documents["query"] == own[LibraryDocument]["query"]
    assert documents["docvalue_fields"] == ["pk", "title_filter", "status_filter"]
    assert pages["size"] == 50 and pages["docvalue_fields"] == [
        "pk",
        engine.CONTENT_TYPES_FIELD,
        "title_filter",
        "pages_regulationpage__status_filter",
    ]
    match, (content_types, scope) = pages["query"]["bool"]["must"], pages["query"]["bool"]["filter"]
    fields = {field for model in PAGE_TYPES for field in own[model]["query"]["bool"]["must"]["multi_match"]["fields"]}
    assert sorted(match["multi_match"]["fields"]) == sorted(fields)
    own_fields = {tuple(own[model]["query"]["bool"]["must"]["multi_match"]["fields"]) for model in PAGE_TYPES}
    assert len(own_fields) > 1  # the types' own fields differ (an act's number is boosted): the union is asked for
    assert {**match["multi_match"], "fields": []} == {
        **own[RegulationPage]["query"]["bool"]["must"]["multi_match"],
        "fields": [],
    }
    assert content_types == {"bool": {"should": [own[model]["query"]["bool"]["filter"][0] for model in PAGE_TYPES]}}
    assert all(own[model]["query"]["bool"]["filter"][1] == scope for model in PAGE_TYPES)
    # Answered the types in turn: the first key of each, then the second of each.
    assert matches.ranked == {model: [index * 10 + 1, index * 10 + 2] for index, model in enumerate(PAGE_TYPES)}
    assert matches.placed(PAGE_TYPES[1]) == [(1, 11), (6, 12)] and matches.total == 10


def test_with_filters_each_type_is_its_own_request(world, monkeypatch):
    """Filtered, each type has its own queryset (and filters on its own fields): one request per type, its keys
    placed among its own."""
    backend = _offline_backend()
    transport = _Transport(dict(zip(_labels(SEARCHED_MODELS), ([index + 1] for index in range(6)), strict=True)))
    monkeypatch.setattr(backend.es.transport, "perform_request", transport.perform_request)
    with read_once():
        given = ScopedQuerysets(world.users["don"], SearchFilters(year=2020)).for_engine()
        matches = engine.search_matches(backend, given, PlainText("наказ"), per_model=5)
    bodies = transport.sent[0][2][1::2]
    assert len(bodies) == len(SEARCHED_MODELS) and all(
        body["docvalue_fields"][:2] == ["pk", "title_filter"] for body in bodies
    )
    assert all(matches.placed(model) == [(0, index + 1)] for index, model in enumerate(given))


def test_one_ranking_of_the_page_types_orders_the_results_by_its_places(world, corpus, monkeypatch):
    """The page types' ranking is the engine's across them: an announcement the engine ranks after two acts comes
    after them (ranked per type, each type's first shared the first place, and the type's name decided)."""
    from cms.pages.models import AnnouncementIndexPage, AnnouncementPage, HomePage

    announcements = AnnouncementIndexPage.objects.child_of(HomePage.objects.get()).get()
    news = AnnouncementPage(title="Новини про зарахування", slug="novyny-zarakhuvannia", body="<p>Зарахування</p>")
    announcements.add_child(instance=news)
    news.save_revision().publish()
    acts = [corpus["education"].pk, corpus["attestation"].pk]  # titles without the query's word: no title rank
    hits = [(pk, "pages.RegulationPage", {}) for pk in acts] + [(news.pk, "pages.AnnouncementPage", {})]
    backend = _offline_backend()
    monkeypatch.setattr(backend.es.transport, "perform_request", _answering(hits, []))
    monkeypatch.setattr(services, "_backends", lambda: iter([("default", backend)]))
    outcome = services.run_search(world.users["don"], "вступ", log=False)
    assert [hit.pk for hit in outcome.hits] == [*acts, news.pk]


def _answering(hits: list[tuple[int, str, dict]], sent: list):
    """A transport answering an ``_msearch`` (each request's lines appended to ``sent``) with ``hits`` (key, content
    type label, its other doc values) in the engine's order: a request of several types all of them, a type's own
    request those of its type; each hit with the fields the request asks for that it has."""

    def perform_request(method, url, headers=None, params=None, body=None):
        lines = [json.loads(line) for line in body.splitlines() if line.strip()]
        sent.append(lines)
        responses = []
        for request in lines[1::2]:
            several = engine.CONTENT_TYPES_FIELD in request["docvalue_fields"]
            query = json.dumps(request["query"])
            found = []
            for pk, label, values in hits:
                if several or f'"{label}"' in query:
                    fields = {"pk": [str(pk)], engine.CONTENT_TYPES_FIELD: [label, "wagtailcore.Page"], **values}
                    found.append(
                        {"fields": {name: fields[name] for name in request["docvalue_fields"] if name in fields}}
                    )
            responses.append({"hits": {"total": {"value": len(found)}, "hits": found[: request["size"]]}})
        return {"responses": responses}

    return perform_request


def test_candidates_are_ranked_as_the_engine_read_them_and_only_the_hits_shown_are_read(world, monkeypatch):
    """The title re-ranking reads each candidate's title and status from the engine's doc values; the database
    reads the rows of the page's hits only, inside the scope. An act the engine still holds but the user may no
    longer read (its index behind the database) leaves a gap on its page, not on the next."""
    index = world.content.city_regulation.get_parent().specific
    acts = [publish_regulation(index, f"Порядок сертифікації № {i}", kind="order", number=f"{i}") for i in range(24)]
    acts[5].title = "Сертифікація"  # the query's word alone, as the engine read the title: first
    acts[7].status = "repealed"  # as the engine read it: after the acts in force
    hidden = world.content.district_c_regulation  # another district's: not the school's to read

    def read_as(pk: int, title: str, status: str) -> tuple:
        return pk, "pages.RegulationPage", {"title_filter": [title], "pages_regulationpage__status_filter": [status]}

    hits = [read_as(act.pk, act.title, act.status) for act in acts]
    hits.insert(3, read_as(hidden.pk, "Порядок сертифікації (Оболонь)", hidden.status))
    backend = _offline_backend()
    sent = []
    monkeypatch.setattr(backend.es.transport, "perform_request", _answering(hits, sent))
    monkeypatch.setattr(services, "_backends", lambda: iter([("default", backend)]))
    read = []
    load_results = services.load_results
    monkeypatch.setattr(
        services, "load_results", lambda qs, pks, **kw: read.append(list(pks)) or load_results(qs, pks, **kw)
    )
    user = world.users["school_a"]
    with CaptureQueriesContext(connection) as context:
        outcome = services.run_search(user, "сертифікація", log=False)
    # The hits' rows and their texts' starts in one statement, inside the scope.
    texts = [query["sql"] for query in context.captured_queries if "SUBSTR" in query["sql"].upper()]
    assert len(texts) == 1 and "IS NOT NULL" in texts[0]
    # Ranked as read: the title of the word alone, then the acts in force in the engine's order, then the repealed.
    ranked = [acts[5], *(act for i, act in enumerate(acts) if i not in (5, 7)), acts[7]]
    assert [hit.pk for hit in outcome.hits] == [act.pk for act in ranked[:9]]  # the other district's act left out
    assert outcome.hits[0].title == "Порядок сертифікації № 5"  # shown as the database holds it
    (keys,) = read  # the rows of the page's ten keys, the other district's among them; not the 25 candidates'
    assert sorted(keys) == sorted([hidden.pk, *(act.pk for act in ranked[:9])])
    second = services.run_search(user, "сертифікація", page=2, log=False)
    assert [hit.pk for hit in second.hits] == [act.pk for act in ranked[9:19]]
