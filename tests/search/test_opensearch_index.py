"""On a fresh OpenSearch node the first page saved must not create the index by dynamic mapping (which once took
the law number «1060-12» for a date and then refused «32/95-ВР»): the backend creates it with its mapping first.
Collected where OPENSEARCH_URL is set (CI's OpenSearch stage starts a real node); on the database backends there
is no such index, so there is nothing to collect (not a skip)."""

import pytest
from django.conf import settings
from wagtail.search.backends import get_search_backend

from cms.pages.models import RegulationPage
from tests.conftest import publish_regulation

from .conftest import drop_indexes

ENGINES = [name for name, config in settings.WAGTAILSEARCH_BACKENDS.items() if ".database" not in config["BACKEND"]]


def _test_the_first_document_on_a_fresh_node_gets_the_proper_mapping(name, world):
    backend = get_search_backend(name)
    drop_indexes(backend)
    parent = world.content.city_regulation.get_parent().specific

    first = publish_regulation(parent, "Про освіту (1991)", kind="law", number="1060-12", document_date="1991-05-23")

    index = backend.get_index_for_model(RegulationPage).name
    (mapping,) = backend.es.indices.get_mapping(index=index).values()
    properties = mapping["mappings"]["properties"]
    assert properties["pages_regulationpage__number"]["type"] == "text"
    assert "_all_text" in properties  # Wagtail's mapping, not one guessed from a document
    second = publish_regulation(parent, "Про професійно-технічну освіту", kind="law", number="103/98-ВР")
    backend.es.indices.refresh(index=index)
    both = {"query": {"terms": {"pk": [str(first.pk), str(second.pk)]}}}
    assert backend.es.count(index=index, body=both)["count"] == 2


if ENGINES:
    test_the_first_document_on_a_fresh_node_gets_the_proper_mapping = pytest.mark.parametrize("name", ENGINES)(
        _test_the_first_document_on_a_fresh_node_gets_the_proper_mapping
    )
