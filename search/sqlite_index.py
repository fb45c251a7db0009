"""The SQLite FTS5 index of Wagtail's database search backend with cheaper writes (see ``search.database``).

Imported only on SQLite: Wagtail's SQLite module reads a model that exists only there.
"""

from django.utils.functional import cached_property
from modelsearch.backends.database.sqlite.sqlite import (
    ObjectIndexer,
    SQLiteIndex,
    SQLiteSearchAtomicRebuilder,
    SQLiteSearchBackend,
    SQLiteSearchRebuilder,
)
from modelsearch.utils import get_content_type_pk

from .analysis import FIELD_BREAK
from .database import TitleNormsAtFinish, TitleNormsAtFinishIndex, entry_part


class SinglePassObjectIndexer(ObjectIndexer):
    """The entry's title, body and autocomplete text as the stock indexer makes them, from one reading of the
    object's search fields (the stock indexer reads all of them for each of the three), but for
    :data:`~search.analysis.FIELD_BREAK` between two fields' values of the title and body where the stock
    indexer puts a space: FTS5 matches a phrase within a column, and a column holds the values of several
    fields. The autocomplete text is the stock one: no autocomplete query is a phrase, and a prefix is matched as
    typed (Wagtail's admin page search: «ωω» would find every act with a number)."""

    @cached_property
    def prepared(self) -> list[tuple[object, str]]:
        return [prepared for field in self.search_fields for prepared in self.prepare_field(self.obj, field)]

    def _text(self, part: str, separator: str = f" {FIELD_BREAK} ") -> str:
        return separator.join(value for field, value in self.prepared if entry_part(field) == part and value)

    @cached_property
    def title(self) -> str:
        return self._text("title")

    @cached_property
    def body(self) -> str:
        return self._text("body")

    @cached_property
    def autocomplete(self) -> str:
        return self._text("autocomplete", " ")


class PortalSQLiteIndex(TitleNormsAtFinishIndex, SQLiteIndex):
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


class PortalSQLiteSearchRebuilder(TitleNormsAtFinish, SQLiteSearchRebuilder):
    pass


class PortalSQLiteSearchAtomicRebuilder(TitleNormsAtFinish, SQLiteSearchAtomicRebuilder):
    pass


class PortalSQLiteSearchBackend(SQLiteSearchBackend):
    index_class = PortalSQLiteIndex
    rebuilder_class = PortalSQLiteSearchRebuilder
    atomic_rebuilder_class = PortalSQLiteSearchAtomicRebuilder
