"""Background work of search: indexing again what changed without a save (pages a move gave new paths,
documents tagged or moved in bulk), and writing every entry of every index again after an upgrade that changed
the text the indexes hold."""

import logging
from collections import defaultdict
from functools import reduce
from operator import or_

from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q
from django_tasks import task
from modelsearch.index import class_is_indexed, get_indexed_models
from wagtail.models import Page

from cms.org.scope import subtree_bounds

from .indexing import reindex

logger = logging.getLogger(__name__)


def _moved_range(path: str) -> tuple[str, str]:
    """The paths a move to ``path`` may have changed: treebeard gives the moved page ``path`` and every page
    under it a new path with an UPDATE and, to make room there, shifts each later sibling (with its pages) one
    step on. They are the pages at ``path`` and after it under the same parent; none of its earlier siblings."""
    return path, subtree_bounds(path[: -Page.steplen])[1]


def moved_pages(*paths: str):
    """The pages whose path the moves to ``paths`` changed, each once: a range that another one holds (a bulk
    move appends each page after the ones moved before it) is left out."""
    ranges: list[tuple[str, str]] = []
    for path in sorted(set(paths)):  # a range holding another starts before it
        start, end = _moved_range(path)
        if not any(low <= start and end <= high for low, high in ranges):
            ranges.append((start, end))
    return Page.objects.filter(reduce(or_, (Q(path__range=bounds) for bounds in ranges), Q(pk__in=[])))


@task()
def reindex_moved_pages(*paths: str) -> int:
    """Index again, each as its own type, the pages the moves to ``paths`` (committed together) gave new paths,
    as they are now (a later move's pages are its own task's); returns how many. Only the moved page is saved,
    and so indexed again, by Wagtail; an engine filters the scope on the paths it stores
    (``cms.org.scope.pages_outside``, a district filter): under a stale path a page was counted in another
    district's scope and missing from its own."""
    by_type: dict[int, list[int]] = defaultdict(list)
    for content_type_id, pk in moved_pages(*paths).values_list("content_type_id", "pk"):
        by_type[content_type_id].append(pk)
    for content_type_id, pks in by_type.items():
        model = ContentType.objects.get_for_id(content_type_id).model_class()
        if model is not None and class_is_indexed(model):
            reindex(model._default_manager.filter(pk__in=pks))
    return sum(len(pks) for pks in by_type.values())


@task()
def reindex_objects(model_label: str, *keys: int) -> int:
    """Index again the objects of the model ``model_label`` («library.librarydocument») with ``keys``, as they
    are now (those gone are left out); returns how many were asked for."""
    model = apps.get_model(model_label)
    reindex(model._default_manager.filter(pk__in=keys))
    return len(keys)


@task()
def rebuild_index() -> int:
    """Write every indexed object's entries again, in place, on every backend that follows writes, a chunk at a
    time (:func:`search.indexing.reindex`); returns how many objects. Queued by the migrations of ``search``
    that come with a change to the text the indexes hold (:func:`search.indexing.queue_rebuild`): an entry
    written before holds other terms, which queries analysed the new way do not find.

    Not ``update_index``, run by hand: its atomic rebuild of a database index is one transaction for the whole
    index, which on SQLite locks every other writer out for as long (161 s at 100,000 acts), and an engine's
    rebuild into a new index loses the edits made meanwhile. Here search keeps answering from the entries not
    yet written again, and a save waits for one chunk at most. (A change to an engine's mapping needs
    ``update_index``.)"""
    read = 0
    for model in get_indexed_models():  # as update_index: each concrete model's own objects
        read += reindex(model.get_indexed_objects())
        logger.info("Search index: %s written again (%d objects so far)", model._meta.label, read)
    return read
