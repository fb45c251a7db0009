"""The page types asked for in one request (``search.engine._es_requests``) are scored on a real node as each
type's own query scores them: the same objects, each with the same score. Collected where OPENSEARCH_URL is set
(CI's OpenSearch and Elasticsearch stages start a real node); the database backends send no such request, so
there is nothing to collect (not a skip)."""

import pytest
from django.conf import settings
from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.search.query import And, Fuzzy, Phrase, PlainText

from cms.org.scope import read_once
from cms.pages.models import AnnouncementIndexPage, AnnouncementPage, HomePage
from search import engine
from search.services import ScopedQuerysets, SearchFilters

from .conftest import index_everything

ENGINES = [name for name, config in settings.WAGTAILSEARCH_BACKENDS.items() if ".database" not in config["BACKEND"]]

QUERIES = [
    PlainText("зарахування", operator="and"),
    PlainText("зарахування учень", operator="or"),
    Fuzzy("зарахуваня", operator="and"),
    Phrase("зарахування учень"),
    And([PlainText("зарахування"), PlainText("освіта")]),
    Phrase("367"),  # an act's number: a field of acts only, boosted
]


def _scores(backend, body: dict) -> dict[str, float]:
    index = backend.get_index_for_model(Page).name
    hits = backend.es.search(index=index, body={**body, "size": 100})["hits"]["hits"]
    return {hit["_id"]: hit["_score"] for hit in hits}


def _test_the_page_types_asked_together_are_scored_as_each_types_own_query(name, world, corpus):
    backend = get_search_backend(name)
    announcements = AnnouncementIndexPage.objects.child_of(HomePage.objects.get()).get()
    for title, body in [
        ("Зарахування до першого класу", "Зарахування учнів до закладів освіти починається у травні."),
        ("Оголошення для батьків", "Документи для зарахування дитини подають батьки (наказ № 367)."),
    ]:
        page = AnnouncementPage(title=title, slug=f"a-{len(body)}", body=f"<p>{body}</p>")
        announcements.add_child(instance=page)
        page.save_revision().publish()
    index_everything(backend)

    with read_once():
        given = ScopedQuerysets(world.users["don"], SearchFilters()).for_engine()
        page_types = [model for model in given if issubclass(model, Page)]
        ((types, _body),) = [
            request for request in engine._es_requests(backend, given, QUERIES[0]) if len(request[0]) > 1
        ]
        assert list(types) == page_types
        for query in QUERIES:
            together = _scores(backend, engine._es_shared_body(backend, page_types, given[page_types[0]], query))
            apart, found_in = {}, set()
            for model in page_types:
                scores = _scores(backend, engine._es_body(backend, model, given[model], query))
                apart.update(scores)
                found_in |= {model.__name__} if scores else set()
            assert together == pytest.approx(apart, rel=1e-6), query
            assert found_in == {"RegulationPage", "AnnouncementPage"}, query  # two types, each by its own fields


if ENGINES:
    test_the_page_types_asked_together_are_scored_as_each_types_own_query = pytest.mark.parametrize("name", ENGINES)(
        _test_the_page_types_asked_together_are_scored_as_each_types_own_query
    )
