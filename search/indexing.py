"""What the search index holds besides the raw fields: the Ukrainian lemmas of a title and of a body.

Every backend (SQLite FTS5, PostgreSQL full text, OpenSearch) indexes these two extra fields as plain text,
so each matches word forms the same way: a query is lemmatised by the same analysis (``search.analysis``)
and searched against them.
"""

import abc
import logging
from collections.abc import Iterator

from django.db import models, transaction
from wagtail.rich_text import get_text_for_indexing
from wagtail.search import index

from .analysis import FIELD_BREAK, lemmatize

logger = logging.getLogger(__name__)

# The largest amount of body text analysed per object: the whole of a long law fits; a pathological upload
# does not stall indexing.
MAX_BODY_CHARS = 1_500_000


class LemmatisedMixin(models.Model):
    """Adds ``title_lemmas`` and ``body_lemmas`` to a model's search fields.

    ``lemma_title_fields`` and ``lemma_body_fields`` name the attributes whose text is analysed, as Wagtail
    indexes a rich text (``get_text_for_indexing``): the tags stripped with a space after each block (the last
    word of a list item or a paragraph is not glued to the next one's first) and the entities decoded («&amp;»
    is «&», not the word «amp»). An abstract model (with no fields) rather than a plain mixin, because the search
    backends read ``_meta`` of every class in a model's ancestry.
    """

    class Meta:
        abstract = True

    lemma_title_fields: tuple[str, ...] = ("title",)
    lemma_body_fields: tuple[str, ...] = ()

    def _lemma_sources(self, fields: tuple[str, ...]) -> tuple[str, ...]:
        """The text of each of the fields that has one, together at most :data:`MAX_BODY_CHARS` long."""
        parts = []
        room = MAX_BODY_CHARS
        for name in fields:
            value = getattr(self, name, "")
            if callable(value):
                value = value()
            if value and room > 0:
                text = get_text_for_indexing(str(value))[:room]
                parts.append(text)
                room -= len(text)
        return tuple(parts)

    def _lemmas(self, fields: tuple[str, ...]) -> str:
        """The lemmas of the fields' texts, field after field with :data:`~search.analysis.FIELD_BREAK` between
        them (a quoted phrase is words in a row within one field), kept on the object for as long as those
        texts are unchanged: the PostgreSQL backend asks for every search field twice per object (for the
        tsvector and for the plain text it keeps for fuzzy search)."""
        sources = self._lemma_sources(fields)
        cache = self.__dict__.setdefault("_lemma_cache", {})
        if fields not in cache or cache[fields][0] != sources:
            lemmas = (lemmatize(source, with_alternatives=True) for source in sources)
            cache[fields] = (sources, f" {FIELD_BREAK} ".join(text for text in lemmas if text))
        return cache[fields][1]

    def title_lemmas(self) -> str:
        return self._lemmas(self.lemma_title_fields)

    def body_lemmas(self) -> str:
        return self._lemmas(self.lemma_body_fields)


LEMMA_SEARCH_FIELDS = [
    index.SearchField("title_lemmas", boost=3),
    index.SearchField("body_lemmas"),
]


def by_key_chunks(qs: models.QuerySet, chunk_size: int) -> Iterator[list]:
    """The objects of ``qs`` in lists of ``chunk_size``, each read after the last key of the previous one (not
    at a growing offset, which the database steps over again for each chunk)."""
    qs = qs.order_by("pk")
    chunk = list(qs[:chunk_size])
    while chunk:
        yield chunk
        chunk = list(qs.filter(pk__gt=chunk[-1].pk)[:chunk_size])


def reindex(objects: models.QuerySet, chunk_size: int = 100) -> int:
    """Write the search index entries of ``objects`` (of one concrete model) again from what is stored, on every
    backend that follows writes, one bulk write per backend and chunk, each in a transaction of its own (a
    database index's chunk is written whole or not at all, and a write elsewhere waits for one chunk at most);
    objects gone or not indexed (``get_indexed_objects``) are left out. For writes that change what an index
    holds without a save, which Wagtail's signal handlers do not see: an ``UPDATE`` of a queryset, a page tree's
    new paths. A failure is logged: the search index must never undo what was stored, and one backend down
    leaves the others written. An object whose index entry cannot be built (:func:`_write_one_by_one`) costs
    only its own entry. Returns how many objects were read."""
    from modelsearch.backends import get_search_backends_with_name

    model = objects.model
    backends = list(get_search_backends_with_name(with_auto_update=True))
    read = 0
    for chunk in by_key_chunks(model.get_indexed_objects().filter(pk__in=objects.values("pk")), chunk_size):
        read += len(chunk)
        for name, backend in backends:
            try:
                with transaction.atomic():
                    backend.add_bulk(model, chunk)
            except Exception as error:
                if len(chunk) > 1 and not _backend_failed(error):
                    _write_one_by_one(name, backend, model, chunk)
                else:
                    logger.exception(
                        "Could not reindex %d %s in the search backend %s", len(chunk), model.__name__, name
                    )
    return read


def _backend_failed(error: Exception) -> bool:
    """Whether a bulk write failed in the backend (its database, the engine's connection or its answer), which
    would fail each object's write again, rather than while building an object's entry from its fields."""
    from django.db import DatabaseError

    from .services import ENGINE_ERRORS

    return isinstance(error, (DatabaseError, *ENGINE_ERRORS))


def _write_one_by_one(name: str, backend, model: type[models.Model], chunk: list) -> None:
    """Write the objects of a chunk whose bulk write failed each on its own: one object whose fields cannot be
    read into an entry (a text the analysis cannot take, a broken related object) failed the whole chunk, and
    the others kept their stale entries. A failure is logged per object."""
    for obj in chunk:
        try:
            with transaction.atomic():
                backend.add(obj)
        except Exception:
            logger.exception("Could not reindex %s %s in the search backend %s", model.__name__, obj.pk, name)


class OncePerCommit(abc.ABC):
    """A commit callback that the writes of one transaction share: ``add`` gives it what a write needs done
    after the commit, and it is run once with all of it (``run``), not once per write. A bulk action writes
    object by object, each write with its own signal.

    The callback still waiting for the current transaction is found in ``connection.run_on_commit``: a rollback
    that discards it (a savepoint's) discards every write that added to it, and the next write registers a new
    one. Outside a transaction the callback runs at once. ``run`` queues the work and logs a failure to queue
    it: the writes are committed, and a callback that raised would answer the request that made them with an
    error."""

    def __init__(self) -> None:
        self.items: list = []
        self.done = False

    def __call__(self) -> None:
        self.done = True  # a test's captured callbacks stay in the list once run
        self.run(self.items)

    @abc.abstractmethod
    def run(self, items: list) -> None:
        """Do, once the transaction commits, what its writes added (``items``, in order); never raise."""

    @classmethod
    def add(cls, *items) -> None:
        connection = transaction.get_connection()
        if connection.in_atomic_block:
            for _savepoints, callback, _robust in connection.run_on_commit:
                if type(callback) is cls and not callback.done:
                    callback.items.extend(items)
                    return
        callback = cls()
        callback.items.extend(items)
        transaction.on_commit(callback)


class ReindexOnCommit(OncePerCommit):
    """Objects (``(model, key)``) written again to the index once the transaction commits, one background task
    per model (``search.tasks.reindex_objects``, by chunks: :func:`reindex`): the documents a bulk «Tag» or «Add
    to collection» changed without saving them. The request that changed them does not wait for the index."""

    def run(self, items: list) -> None:
        from .tasks import reindex_objects

        keys: dict[type, set] = {}
        for model, key in items:
            keys.setdefault(model, set()).add(key)
        for model, model_keys in keys.items():
            try:
                reindex_objects.enqueue(model._meta.label_lower, *sorted(model_keys))
            except Exception:  # a queue outage must not fail the change, which is committed
                logger.exception("Could not queue the reindex of %d %s", len(model_keys), model.__name__)


def reindex_on_commit(model: type[models.Model], keys) -> None:
    """Write the objects of ``model`` with ``keys`` again to the index once the transaction commits, with the
    others its writes asked for (:class:`ReindexOnCommit`)."""
    ReindexOnCommit.add(*((model, key) for key in keys))


def queue_rebuild(apps, schema_editor) -> None:
    """The step of a migration that comes with a change to the text the indexes hold (the terms the analysis
    writes, how an entry joins its fields): queue :func:`search.tasks.rebuild_index` when the site has an index
    to write again. Every configuration keeps the database index (as the search, or as the engine's fallback),
    so its having entries tells; a new site's index is empty and is written as its content is. The task is
    queued in the migration's transaction and run by the worker (``manage.py db_worker``) once it is
    committed."""
    entries = apps.get_model("wagtailsearch", "IndexEntry")
    if entries.objects.using(schema_editor.connection.alias).exists():
        from .tasks import rebuild_index

        rebuild_index.enqueue()
