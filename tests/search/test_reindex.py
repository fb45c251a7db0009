"""Rebuilding the index: progress is shown, search keeps answering, and on OpenSearch the rebuild goes into a
new index that an alias is switched to at the end (zero downtime)."""

import io

import pytest
from django.conf import settings
from django.core.management import call_command
from wagtail.search.backends import get_search_backend

from cms.pages.models import RegulationPage
from search.services import run_search

from .conftest import BACKENDS


def _alias_target(backend) -> str | None:
    """The concrete index behind the pages alias on OpenSearch; None on the database backend."""
    es = getattr(backend, "es", None)
    if es is None:
        return None
    index = backend.get_index_for_model(RegulationPage)
    aliases = es.indices.get_alias(name=index.name)
    (target,) = aliases.keys()
    return target


@pytest.mark.parametrize("name", BACKENDS)
def test_update_index_rebuilds_and_search_keeps_answering(name, world, corpus, settings):
    config = dict(settings.WAGTAILSEARCH_BACKENDS)
    backend = get_search_backend(name)
    first = io.StringIO()
    call_command("update_index", backend_name=name, stdout=first)
    assert "indexed" in first.getvalue()
    before = _alias_target(backend)
    call_command("update_index", backend_name=name, stdout=io.StringIO())
    after = _alias_target(backend)
    if getattr(backend, "es", None) is not None:
        assert before and after and before != after, "the rebuild must go into a new index behind the alias"
    settings.WAGTAILSEARCH_BACKENDS = {"default": config[name]}
    titles = [hit.title for hit in run_search(world.users["school_a"], "наказу про зарахування", log=False).hits]
    assert "Порядок зарахування до закладів освіти" in titles


def test_the_configured_backends_are_the_ones_under_test():
    assert BACKENDS[0] == "default"
    assert set(BACKENDS) == set(settings.WAGTAILSEARCH_BACKENDS)
