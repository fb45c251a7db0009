"""The PostgreSQL index of Wagtail's database search backend, whose rebuilds set title norms once, at their
finish (see ``search.database``), and whose writes build no ORM expressions. Imported only on PostgreSQL.

Wagtail's ``PostgresIndex.add_items`` reads every search field of an object five times (for the title, body
and autocomplete vectors and the two plain texts), builds each vector as ORM expressions compiled one by one,
and sends a chunk as one INSERT whose text holds every row: psycopg then converts that text, thousands of
placeholders long, afresh for each chunk. Here the fields are read once per object and a chunk's rows are sent
by one ``executemany`` of a short statement: each vector is Wagtail's vector of each text (``setweight``,
``to_tsvector``) joined in the fields' order by the aggregate of migration ``search.0004``, as Wagtail joins
them with ``||``, so the index holds the same lexemes with the same weights (tested against the stock indexer),
each field's words one position further on than the stock's after the previous field's (``FIELD_BREAK``).
"""

import functools
import re

from django.db import connections, router
from django.utils.functional import cached_property
from modelsearch.backends.database.postgres.postgres import (
    IndexEntry,
    ObjectIndexer,
    PostgresIndex,
    PostgresSearchAtomicRebuilder,
    PostgresSearchBackend,
    PostgresSearchRebuilder,
)
from modelsearch.backends.database.postgres.weights import get_weight
from modelsearch.utils import get_content_type_pk, get_search_fields

from .analysis import FIELD_BREAK, STOP_WORDS
from .database import TitleNormsAtFinish, TitleNormsAtFinishIndex, entry_part

#: A vector: each of the texts given as an array, with its weight, as Wagtail's ``SearchVector(Value(text),
#: weight=..., config=...)`` makes it (without a configuration, the database's default one), joined in order
#: as ``||`` joins them (no text: the empty vector), then without the lexemes the configuration makes of
#: :data:`~search.analysis.FIELD_BREAK`, the text put between two fields' texts (:func:`_vector_params`): the
#: positions of the next field's words start one further on, so a phrase (``<->``) does not run from one field
#: into the next, and the index holds no lexeme that no query asks for.
_VECTOR = (
    "ts_delete((SELECT search_tsvector_concat(setweight(to_tsvector(COALESCE(%s::regconfig, "
    'get_current_ts_config()), piece.value), piece.weight::"char") ORDER BY piece.position) '
    "FROM unnest(%s::text[], %s::text[]) WITH ORDINALITY AS piece(value, weight, position)), "
    "tsvector_to_array(to_tsvector(COALESCE(%s::regconfig, get_current_ts_config()), %s::text)))"
)


class SinglePassObjectIndexer(ObjectIndexer):
    """The texts of the entry's vectors and plain texts as the stock indexer makes them, from one reading of the
    object's search fields: (field, weight, value) triples, in the fields' order."""

    @cached_property
    def prepared(self) -> list[tuple[object, str, str]]:
        return [prepared for field in self.search_fields for prepared in self.prepare_field(self.obj, field)]

    def _texts(self, part: str) -> list[tuple[str, str]]:
        """(text, weight) of the prepared values of the entry's ``part``, stripped, the empty ones left out."""
        return [
            (text, weight)
            for field, weight, value in self.prepared
            if entry_part(field) == part and (text := value.strip())
        ]

    @cached_property
    def title_texts(self) -> list[tuple[str, str]]:
        return self._texts("title")

    @cached_property
    def body_texts(self) -> list[tuple[str, str]]:
        return self._texts("body")

    @cached_property
    def autocomplete_texts(self) -> list[tuple[str, str]]:
        return self._texts("autocomplete")


def _vector_params(texts: list[tuple[str, str]], config: str) -> list:
    """The parameters of :data:`_VECTOR` for these (text, weight) pairs: :data:`~search.analysis.FIELD_BREAK`
    between two texts (the values of two fields, or of one field's two values)."""
    values, weights = [], []
    for text, weight in texts:
        if values:
            values.append(FIELD_BREAK)
            weights.append(weight)
        values.append(text)
        weights.append(weight)
    return [config, values, weights, config, FIELD_BREAK]


class PortalPostgresIndex(TitleNormsAtFinishIndex, PostgresIndex):
    def add_items(self, model, objs):
        if not model.get_search_fields():
            return
        content_type_pk = get_content_type_pk(model)
        config, autocomplete_config = self.backend.config, self.backend.autocomplete_config
        rows = []
        for obj in objs:
            indexer = SinglePassObjectIndexer(obj, self.backend)
            titles, autocompletes, bodies = indexer.title_texts, indexer.autocomplete_texts, indexer.body_texts
            rows.append(
                [
                    content_type_pk,
                    indexer.id,
                    *_vector_params(titles, config),
                    *_vector_params(autocompletes, autocomplete_config),
                    *_vector_params(bodies, config),
                    " ".join(text for text, _weight in titles),  # the plain texts of Wagtail's fuzzy search
                    " ".join(text for text, _weight in bodies),
                ]
            )
        if not rows:
            return
        table = self.write_connection.ops.quote_name(self.entries.model._meta.db_table)
        with self.write_connection.cursor() as cursor:
            cursor.executemany(_UPSERT.format(table=table, vector=_VECTOR), rows)
        self._refresh_title_norms()


#: One entry written or rewritten (Wagtail's statement, a row at a time).
_UPSERT = (
    "INSERT INTO {table} (content_type_id, object_id, title, autocomplete, body, title_norm, title_text, body_text) "
    "VALUES (%s, %s, {vector}, {vector}, {vector}, 1.0, %s, %s) "
    "ON CONFLICT (content_type_id, object_id) DO UPDATE SET title = EXCLUDED.title, title_norm = 1.0, "
    "autocomplete = EXCLUDED.autocomplete, body = EXCLUDED.body, title_text = EXCLUDED.title_text, "
    "body_text = EXCLUDED.body_text"
)


class PortalPostgresSearchRebuilder(TitleNormsAtFinish, PostgresSearchRebuilder):
    pass


class PortalPostgresSearchAtomicRebuilder(TitleNormsAtFinish, PostgresSearchAtomicRebuilder):
    pass


class PortalPostgresSearchBackend(PostgresSearchBackend):
    index_class = PortalPostgresIndex
    rebuilder_class = PortalPostgresSearchRebuilder
    atomic_rebuilder_class = PortalPostgresSearchAtomicRebuilder

    def objects_without_words(self, model, pks: list[int], words: set[str]) -> set[int]:
        """Of the objects of ``model`` with these keys, those whose index entry shows that none of ``words`` (a
        query's lemmas and numbers, as :class:`search.results.Highlighter` wants them) is in any searched field
        but the title and the title's lemmas: their texts have no word a snippet would mark, and need not be
        read (a long law found by its title: its 300,000 characters read and their words analysed, 5-15 ms).
        The body vector holds each such field's words and their lemmas (``body_lemmas``) under the fields'
        weights, which are not the weight of ``title_lemmas`` (:func:`_text_weights`). A word is asked for as the
        lexeme it is, so only words the parser keeps whole are asked (:func:`_is_whole_lexeme`), and no stop
        word: the lemmas leave them out, and the text's own lexemes are lowercase only in a database whose
        locale lowercases Cyrillic (not ``C``). Empty when that cannot be told: such a word, weights shared with
        the title's lemmas, an object without an entry (an entry behind its object's text may answer wrongly,
        as the search itself then does)."""
        weights = _text_weights(model)
        if not (weights and pks and words) or words & STOP_WORDS or not all(map(_is_whole_lexeme, words)):
            return set()
        tsquery = " | ".join(f"'{word}':{weights}" for word in sorted(words))
        connection = connections[router.db_for_read(IndexEntry)]
        entries = connection.ops.quote_name(IndexEntry._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT object_id FROM {entries} WHERE content_type_id = %s AND object_id = ANY(%s::text[]) "  # noqa: S608 - a table's name
                "AND NOT (body @@ %s::tsquery)",
                [get_content_type_pk(model), [str(pk) for pk in pks], tsquery],
            )
            return {int(object_id) for (object_id,) in cursor.fetchall()}


#: What the ``simple`` configuration's parser keeps whole as one lexeme, as written: lowercase Latin, Ukrainian
#: and Russian letters and digits (an apostrophe of any kind, a hyphen or a dot would split a word, or make it
#: another token).
_WHOLE_LEXEME = re.compile(r"[0-9a-zа-яёіїєґ]+")


def _is_whole_lexeme(word: str) -> bool:
    return bool(_WHOLE_LEXEME.fullmatch(word))


@functools.cache
def _text_weights(model) -> str:
    """The weights of ``model``'s searched fields in the body vector but ``title_lemmas`` (:func:`weights_of`),
    kept per model for the process."""
    return weights_of(list(get_search_fields(model.get_search_fields())))


def weights_of(search_fields) -> str:
    """The weights (letters) of these searched fields in the body vector but ``title_lemmas``, as the indexer
    sets them (``get_weight`` of each field's boost), in alphabetical order; empty when the vector cannot tell
    the texts' words from the title's lemmas:
    - ``title_lemmas`` shares one of their weights;
    - ``title_lemmas`` is not the first field of the vector. PostgreSQL puts a word past position 16,383 at
      16,383, and when two fields' vectors are joined a word already at 16,383 takes none of the next field's
      positions, nor their weight: after a long text, every word of the title's lemmas is at 16,383 under C, and
      the same word's D from the text's lemmas is lost;
    - there are no ``body_lemmas``: the texts' inflected words would not be there as their lemmas."""
    body = [field for field in search_fields if entry_part(field) == "body"]
    names = [field.field_name for field in body]
    if not names or names[0] != "title_lemmas" or "body_lemmas" not in names:
        return ""
    title_lemmas = {get_weight(body[0].boost)}
    weights = {get_weight(field.boost) for field in body[1:]}
    return "" if weights & title_lemmas else "".join(sorted(weights))
