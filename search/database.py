"""Wagtail's database search backend (``wagtail.search.backends.database``: SQLite FTS5, PostgreSQL full text),
with cheaper index writes. Search itself is Wagtail's, unchanged.

Measured with ``benchmarks/index_speed.py`` (generated acts of ~500 words), the stock SQLite index spent more
CPU around the lemmatiser than in it:

- every search field's value was read three times per object (once each for the index entry's title, body and
  autocomplete text), so the HTML of every lemma source was stripped three times;
- re-indexing an object that already had an entry was one ``UPDATE`` statement per object, which also made
  FTS5 re-index the whole text even when it had not changed;
- the FTS5 table followed *any* update of an entry (a trigger of Wagtail's migration), so setting the title
  norm of each chunk's new entries, and of every entry at the end of ``update_index``, re-indexed their text
  in FTS5 once or twice more. Migration ``search.0002`` makes the trigger follow the text columns only;
- after each chunk of a rebuild, the title norms of its new entries were set, which scans the whole index
  table twice, although the finish of the rebuild sets the norm of every entry; saving one page did the same
  (migration ``search.0003`` adds the two indexes that spare the scans).

``search.sqlite_index`` reads the values once per object, updates existing entries with one ``executemany``
that leaves the entries whose text is unchanged alone, and inserts new entries in bulk as before.
``search.postgres_index`` reads the values once per object and writes a chunk with one ``executemany`` of a
short statement instead of ORM expressions compiled per text. On SQLite and on PostgreSQL, a rebuild sets the
title norms once, at its finish. What is written, the title norms and the order of the entries are the stock
backend's, but for the word put between two fields' texts in the title and body (``search.analysis.FIELD_BREAK``:
a quoted phrase stays within one field); the fallback backend (a database without full-text search) is
Wagtail's.
"""

from django.db import connection
from modelsearch.backends import database
from modelsearch.index import AutocompleteField, SearchField


def entry_part(field) -> str | None:
    """Which text of an index entry a search field's values go to, as Wagtail's indexers split them: "title"
    (the title field), "body" (every other searched field) or "autocomplete"; None for a filter field. The
    indexers of ``search.sqlite_index`` and ``search.postgres_index`` read an object's fields once and split
    them by this."""
    if isinstance(field, AutocompleteField):
        return "autocomplete"
    if isinstance(field, SearchField):
        return "title" if field.field_name == "title" else "body"
    return None


class TitleNormsAtFinishIndex:
    """A database index that, between the start and the finish of a rebuild (``update_index``), leaves the
    title norms of each chunk's new entries to the finish, which sets the norm of every entry anyway."""

    title_norms_at_finish = False

    def _refresh_title_norms(self, full=False):
        if full or not self.title_norms_at_finish:
            super()._refresh_title_norms(full=full)


class TitleNormsAtFinish:
    """A rebuilder of a :class:`TitleNormsAtFinishIndex`."""

    def start(self):
        index = super().start()
        index.title_norms_at_finish = True
        return index

    def finish(self):
        self.index.title_norms_at_finish = False
        super().finish()


def SearchBackend(params):
    """Wagtail's database backend for the default database (PostgreSQL, SQLite FTS5, or the fallback without
    FTS5), with the indexes of ``search.sqlite_index`` and ``search.postgres_index``."""
    backend = database.SearchBackend(params)  # also finds out whether SQLite has FTS5 (USE_SQLITE_FTS)
    if connection.vendor == "sqlite" and database.USE_SQLITE_FTS:
        from .sqlite_index import PortalSQLiteSearchBackend

        return PortalSQLiteSearchBackend(params)
    if connection.vendor == "postgresql":
        from .postgres_index import PortalPostgresSearchBackend

        return PortalPostgresSearchBackend(params)
    return backend
