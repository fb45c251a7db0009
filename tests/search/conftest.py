"""Shared fixtures of the search suite: the backends under test and a small Ukrainian corpus."""

import pytest
from django.conf import settings
from wagtail.search.backends import get_search_backend

from search.services import SEARCHED_MODELS
from tests.conftest import make_document, publish_regulation

# Every configured backend is under test: the database here; OpenSearch and its database fallback in CI.
BACKENDS = list(settings.WAGTAILSEARCH_BACKENDS)


def refresh_indexes() -> None:
    """What a test wrote after the backend's index was built is searchable: an engine's index shows it once
    refreshed (the database backends' at once)."""
    backend = get_search_backend("default")
    for model in SEARCHED_MODELS:
        backend.get_index_for_model(model).refresh()


LAW_TEXT = (
    "Наказ про зарахування учнів до закладів загальної середньої освіти. Заклад освіти зараховує дітей "
    "на підставі заяви батьків. Директор закладу видає наказ про зарахування."
)


@pytest.fixture
def corpus(world):
    index = world.content.city_regulation.get_parent().specific
    laws = {
        "enrolment": publish_regulation(
            index,
            "Порядок зарахування до закладів освіти",
            kind="order",
            number="367",
            text=LAW_TEXT,
            issuer="Міністерство освіти і науки",
            document_date="2018-04-16",
        ),
        "education": publish_regulation(
            index,
            "Про освіту",
            kind="law",
            number="2145-VIII",
            text="Цей Закон регулює суспільні відносини у сфері освіти.",
            issuer="Верховна Рада України",
            document_date="2017-09-05",
        ),
        "attestation": publish_regulation(
            index,
            "Положення про атестацію педагогічних працівників",
            kind="regulation",
            number="805",
            text="Атестація педагогічних працівників проводиться раз на п’ять років.",
            status="amended",
            issuer="Міністерство освіти і науки",
            document_date="2022-12-09",
        ),
    }
    district_c = world.content.district_c_regulation
    district_c.text = "Розпорядження про зарахування учнів Оболонського району."
    district_c.save_revision().publish()
    secret = make_document(
        world.content.district_c_document.collection,
        "Лист про зарахування (Оболонь)",
        kind="letter",
        number="77",
    )
    type(secret).objects.filter(pk=secret.pk).update(extracted_text="Зарахування учнів до ліцеїв Оболоні.")
    return laws


def drop_indexes(backend) -> None:
    """Delete every index of the backend's prefix (aliases from a rebuild go with them), by name: Elasticsearch
    refuses to delete by a wildcard (``action.destructive_requires_name``)."""
    names = list(backend.es.indices.get(index=f"{backend.index_prefix}*", expand_wildcards="all"))
    if names:
        backend.es.indices.delete(index=",".join(names))


def index_everything(backend) -> None:
    """A fresh index of every searched object in the database (an engine's indexes dropped first)."""
    if hasattr(backend, "es"):
        drop_indexes(backend)
    backend.reset_indexes()
    for model in SEARCHED_MODELS:
        index = backend.get_index_for_model(model)
        index.add_model(model)
        index.add_items(model, list(model._default_manager.all()))
        index.refresh()


@pytest.fixture(params=BACKENDS)
def backend_name(request, corpus, settings):
    """Each configured backend in turn, as the default, with a fresh index of everything in the database."""
    name = request.param
    index_everything(get_search_backend(name))
    config = dict(settings.WAGTAILSEARCH_BACKENDS)
    settings.WAGTAILSEARCH_BACKENDS = {"default": config[name]}
    return name
