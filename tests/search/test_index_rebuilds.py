"""An upgrade that changes what the indexes hold builds them again: a migration of ``search`` queues the rebuild
on a site that has an index, and a test holds the analysis to the fingerprint the latest such migration names."""

import hashlib
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from modelsearch.index import get_indexed_models
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from cms.library.models import LibraryDocument
from cms.pages.models import RegulationPage
from search import tasks
from search.indexing import queue_rebuild
from search.services import SEARCHED_MODELS, run_search

#: Characters of each law's text analysed for the fingerprint, from its start and from its middle.
SAMPLE_CHARS = 1_500


def index_text_fingerprint() -> str:
    """What the analysis writes into an index for a sample of the laws: each law as an act's lemma fields
    (``search.indexing.LemmatisedMixin``: its title and number; its issuer, summary and text, with the word
    between two fields)."""
    digest = hashlib.sha256()
    for path in sorted((settings.SHARED_DATA_DIR / "laws").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        middle = len(text) // 2
        act = RegulationPage(
            title=text[:200].split("\n", 1)[0],
            number=path.stem.split("_")[1],
            issuer="Верховна Рада України",
            summary=text[:SAMPLE_CHARS],
            text=text[middle : middle + SAMPLE_CHARS],
        )
        digest.update(f"{act.title_lemmas()}\n{act.body_lemmas()}\n".encode())
    return digest.hexdigest()


def _latest_rebuild_migration():
    folder = Path(importlib.import_module("search.migrations").__file__).parent
    modules = [importlib.import_module(f"search.migrations.{path.stem}") for path in sorted(folder.glob("0*.py"))]
    return [module for module in modules if hasattr(module, "INDEX_TEXT_FINGERPRINT")][-1]


def test_the_latest_rebuild_migration_names_what_the_analysis_writes(db):
    migration, fingerprint = _latest_rebuild_migration(), index_text_fingerprint()
    assert fingerprint == migration.INDEX_TEXT_FINGERPRINT, (
        "What the analysis writes into the indexes changed: an index written before holds other terms. Add a "
        f"migration of search like {migration.__name__} (queue_rebuild) with INDEX_TEXT_FINGERPRINT = "
        f'"{fingerprint}".'
    )


@pytest.fixture
def rebuilds(monkeypatch) -> list[type]:
    """The models whose objects a rebuild wrote again (the tests' task backend runs a queued task at once)."""
    written = []
    monkeypatch.setattr(tasks, "reindex", lambda objects: written.append(objects.model) or 0)
    return written


class _SchemaEditor:
    connection = connection


def test_a_migration_queues_the_rebuild_of_a_site_that_has_an_index(world, rebuilds):
    assert IndexEntry.objects.exists()
    queue_rebuild(apps, _SchemaEditor())
    assert rebuilds == get_indexed_models() and RegulationPage in rebuilds and LibraryDocument in rebuilds


def test_a_new_site_has_no_index_to_rebuild(db, rebuilds):
    IndexEntry.objects.all().delete()
    queue_rebuild(apps, _SchemaEditor())
    assert rebuilds == []


def test_the_rebuild_builds_the_index_again_from_what_is_stored(world, backend_name):
    """An index emptied (or holding stale terms) answers again once the task has written every indexed object's
    entries again, in place (an engine's index is the same index, not a new one behind the alias)."""
    backend = get_search_backend("default")
    backend.reset_indexes()
    for model in SEARCHED_MODELS:
        backend.get_index_for_model(model).add_model(model)
    user, query, title = world.users["school_a"], "наказу про зарахування", "Порядок зарахування до закладів освіти"
    assert title not in [hit.title for hit in run_search(user, query).hits]
    result = tasks.rebuild_index.enqueue()
    assert result.return_value == sum(model.get_indexed_objects().count() for model in get_indexed_models())
    for model in SEARCHED_MODELS:
        backend.get_index_for_model(model).refresh()
    assert title in [hit.title for hit in run_search(user, query).hits]
