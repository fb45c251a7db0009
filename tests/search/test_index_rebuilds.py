"""An upgrade that changes what the indexes hold builds them again: a migration of ``search`` queues the rebuild
on a site that has an index, and a test holds the analysis to the fingerprint the latest such migration names."""

import hashlib
import importlib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection
from wagtail.search.backends import get_search_backend
from wagtail.search.models import IndexEntry

from search import tasks
from search.analysis import FIELD_BREAK, lemmatize
from search.indexing import queue_rebuild
from search.services import SEARCHED_MODELS, run_search

#: Characters of each law's text analysed for the fingerprint, from its start and from its middle.
SAMPLE_CHARS = 1_500


def index_text_fingerprint() -> str:
    """What the analysis writes into an index for a sample of the laws, and the word between two fields."""
    digest = hashlib.sha256(FIELD_BREAK.encode())
    for path in sorted((settings.SHARED_DATA_DIR / "laws").glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        middle = len(text) // 2
        for sample in (text[:SAMPLE_CHARS], text[middle : middle + SAMPLE_CHARS]):
            digest.update(lemmatize(sample, with_alternatives=True).encode() + b"\n")
    return digest.hexdigest()


def _latest_rebuild_migration():
    folder = Path(importlib.import_module("search.migrations").__file__).parent
    modules = [importlib.import_module(f"search.migrations.{path.stem}") for path in sorted(folder.glob("0*.py"))]
    return [module for module in modules if hasattr(module, "INDEX_TEXT_FINGERPRINT")][-1]


def test_the_latest_rebuild_migration_names_what_the_analysis_writes():
    migration = _latest_rebuild_migration()
    assert index_text_fingerprint() == migration.INDEX_TEXT_FINGERPRINT, (
        "What the analysis writes into the indexes changed: an index written before holds other terms. Add a "
        f"migration of search like {migration.__name__} (queue_rebuild) with the new INDEX_TEXT_FINGERPRINT."
    )


@pytest.fixture
def rebuilds(monkeypatch) -> list[tuple]:
    """The rebuilds run (the tests' task backend runs a queued task at once)."""
    runs = []
    monkeypatch.setattr(tasks, "call_command", lambda *args, **kwargs: runs.append(args))
    return runs


class _SchemaEditor:
    connection = connection


def test_a_migration_queues_the_rebuild_of_a_site_that_has_an_index(world, rebuilds):
    assert IndexEntry.objects.exists()
    queue_rebuild(apps, _SchemaEditor())
    assert rebuilds == [("update_index",)]


def test_a_new_site_has_no_index_to_rebuild(db, rebuilds):
    IndexEntry.objects.all().delete()
    queue_rebuild(apps, _SchemaEditor())
    assert rebuilds == []


def test_the_rebuild_builds_the_index_again_from_what_is_stored(world, backend_name):
    """An index emptied (or holding stale terms) answers again once the task has run."""
    backend = get_search_backend("default")
    backend.reset_indexes()
    for model in SEARCHED_MODELS:
        backend.get_index_for_model(model).add_model(model)
    user, query, title = world.users["school_a"], "наказу про зарахування", "Порядок зарахування до закладів освіти"
    assert title not in [hit.title for hit in run_search(user, query).hits]
    tasks.rebuild_index.enqueue()
    for model in SEARCHED_MODELS:
        backend.get_index_for_model(model).refresh()
    assert title in [hit.title for hit in run_search(user, query).hits]
