"""Wagtail's database search backend (``wagtail.search.backends.database``: SQLite FTS5, PostgreSQL full text),
with cheaper index writes on SQLite. Search itself is Wagtail's, unchanged.

Measured with ``benchmarks/index_speed.py`` (generated acts of ~500 words), the stock SQLite index spent more
CPU around the lemmatiser than in it:

- every search field's value was read three times per object (once each for the index entry's title, body and
  autocomplete text), so the HTML of every lemma source was stripped three times;
- re-indexing an object that already had an entry was one ``UPDATE`` statement per object, which also made
  FTS5 re-index the whole text even when it had not changed;
- the FTS5 table followed *any* update of an entry (a trigger of Wagtail's migration), so setting the title
  norm of each chunk's new entries, and of every entry at the end of ``update_index``, re-indexed their text
  in FTS5 once or twice more. Migration ``search.0002`` makes the trigger follow the text columns only.

Here values are read once per object, existing entries are updated with one ``executemany`` that skips the
entries whose text is unchanged, and new entries are inserted in bulk as before. During a rebuild the title
norms are set once, at its finish (which sets all of them anyway), not also after each chunk: that took two
scans of the whole index table per chunk. What is written, the title norms and the order of the entries are the
stock backend's. PostgreSQL and the fallback backend are Wagtail's.
"""

from django.utils.functional import cached_property
from modelsearch.backends import database
from modelsearch.backends.database.sqlite.sqlite import (
    ObjectIndexer,
    SQLiteIndex,
    SQLiteSearchAtomicRebuilder,
    SQLiteSearchBackend,
    SQLiteSearchRebuilder,
)
from modelsearch.index import AutocompleteField, SearchField
from modelsearch.utils import get_content_type_pk


class SinglePassObjectIndexer(ObjectIndexer):
    """The entry's title, body and autocomplete text as the stock indexer makes them, from one reading of the
    object's search fields (the stock indexer reads all of them for each of the three)."""

    @cached_property
    def prepared(self) -> list[tuple[object, str]]:
        return [prepared for field in self.search_fields for prepared in self.prepare_field(self.obj, field)]

    @cached_property
    def title(self) -> str:
        return " ".join(v for f, v in self.prepared if isinstance(f, SearchField) and f.field_name == "title")

    @cached_property
    def body(self) -> str:
        return " ".join(v for f, v in self.prepared if isinstance(f, SearchField) and f.field_name != "title")

    @cached_property
    def autocomplete(self) -> str:
        return " ".join(v for f, v in self.prepared if isinstance(f, AutocompleteField))


class PortalSQLiteIndex(SQLiteIndex):
    #: Between the start and the finish of a rebuild (``update_index``), whose finish sets the title norm of
    #: every entry: the chunks leave the norms of their new entries to it.
    title_norms_at_finish = False

    def add_items(self, model, objs):
        if not model.get_search_fields():
            return
        rows = {}
        for obj in objs:
            indexer = SinglePassObjectIndexer(obj, self.backend)
            rows[indexer.id] = (indexer.title, indexer.autocomplete, indexer.body)
        if not rows:
            return
        content_type_pk = get_content_type_pk(model)
        entries = self.entries.filter(content_type_id=content_type_pk)
        indexed = set(entries.filter(object_id__in=rows.keys()).values_list("object_id", flat=True))
        if indexed:
            self._update_entries(content_type_pk, [(object_id, *rows[object_id]) for object_id in indexed])
        self.entries.bulk_create(
            [
                self.entries.model(
                    content_type_id=content_type_pk, object_id=object_id, title=title, autocomplete=auto, body=body
                )
                for object_id, (title, auto, body) in rows.items()
                if object_id not in indexed
            ]
        )
        if not self.title_norms_at_finish:
            self._refresh_title_norms()

    def _update_entries(self, content_type_pk, rows) -> None:
        """Rewrite the text of existing entries (object id, title, autocomplete, body) in one statement; an
        entry whose text is unchanged is left alone, so FTS5 does not re-index it."""
        entry = self.entries.model
        table = self.write_connection.ops.quote_name(entry._meta.db_table)
        sql = (
            f"UPDATE {table} SET title = %s, autocomplete = %s, body = %s "  # noqa: S608
            "WHERE content_type_id = %s AND object_id = %s "
            "AND (title IS NOT %s OR autocomplete IS NOT %s OR body IS NOT %s)"
        )
        params = [
            (title, auto, body, content_type_pk, object_id, title, auto, body) for object_id, title, auto, body in rows
        ]
        with self.write_connection.cursor() as cursor:
            cursor.executemany(sql, params)


class TitleNormsAtFinish:
    """A rebuilder that has the index set title norms once, at the finish, not also after every chunk."""

    def start(self):
        index = super().start()
        index.title_norms_at_finish = True
        return index

    def finish(self):
        self.index.title_norms_at_finish = False
        super().finish()


class PortalSQLiteSearchRebuilder(TitleNormsAtFinish, SQLiteSearchRebuilder):
    pass


class PortalSQLiteSearchAtomicRebuilder(TitleNormsAtFinish, SQLiteSearchAtomicRebuilder):
    pass


class PortalSQLiteSearchBackend(SQLiteSearchBackend):
    index_class = PortalSQLiteIndex
    rebuilder_class = PortalSQLiteSearchRebuilder
    atomic_rebuilder_class = PortalSQLiteSearchAtomicRebuilder


def SearchBackend(params):
    """Wagtail's database backend for the default database (PostgreSQL, SQLite FTS5, or the fallback without
    FTS5), with the SQLite index above."""
    backend = database.SearchBackend(params)
    if type(backend) is SQLiteSearchBackend:
        return PortalSQLiteSearchBackend(params)
    return backend
