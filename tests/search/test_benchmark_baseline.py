"""The speed benchmark's baseline finds what the portal finds, on every backend under test.

``benchmarks/search_speed.py`` divides the portal's latency by that of the same query sent straight to the
engine (``RawEngine``): the ratio is the portal's overhead only when that query asks for what the portal asks
for. Until 1 Dec 2026 it did not on OpenSearch and Elasticsearch, where it filtered on a field the index does not
have and found nothing, and on every backend it asked for a word's first lemma alone where the portal asks for
either of its equally likely lemmas."""

import pytest
from wagtail.search.backends import get_search_backend

from benchmarks.search_speed import RawEngine, engine_words
from search.engine import MATCH_CAP, is_es_backend
from search.services import run_search
from tests.conftest import publish_regulation
from tests.search.conftest import refresh_indexes


@pytest.fixture
def superlatives(world):
    """Two acts with the two readings of «найбільше»: the adverb, and a form of «найбільший»."""
    index = world.content.city_regulation.get_parent().specific
    publish_regulation(index, "Порядок обліку", kind="order", text="Найбільше уваги приділяють обліку.")
    publish_regulation(index, "Порядок звітності", kind="order", text="Звіт найбільшого закладу подають окремо.")


def _raw_engine() -> RawEngine:
    from django.db import connection

    # The engines differ in RawEngine only by name (both near spellings); the database backends by vendor.
    return RawEngine("opensearch" if is_es_backend(get_search_backend("default")) else connection.vendor)


@pytest.mark.parametrize(
    "query",
    [
        "зарахування",  # one word
        "наказу про зарахування",  # all the words
        "зарахування атестація",  # no act has both: any of them
        "найбільше",  # either lemma
    ],
)
def test_the_engine_query_of_the_speed_benchmark_finds_what_the_portal_finds(world, superlatives, backend_name, query):
    refresh_indexes()
    outcome = run_search(world.users["don"], query, log=False)

    count, top = _raw_engine().search(engine_words(query))

    assert outcome.total > 0
    assert min(count, MATCH_CAP) == outcome.total
    assert len(top) == min(count, 10)


def test_the_engine_query_asks_for_each_lemma_of_an_ambiguous_word(world, superlatives, backend_name):
    assert engine_words("найбільше") == [("найбільше", "найбільший")]
    assert run_search(world.users["don"], "найбільше", log=False).total == 2
    assert _raw_engine().search([("найбільше",)])[0] == 1
