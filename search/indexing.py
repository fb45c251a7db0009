"""What the search index holds besides the raw fields: the Ukrainian lemmas of a title and of a body.

Every backend (SQLite FTS5, PostgreSQL full text, OpenSearch) indexes these two extra fields as plain text,
so each matches word forms the same way: a query is lemmatised by the same analysis (``search.analysis``)
and searched against them.
"""

from django.db import models
from wagtail.rich_text import get_text_for_indexing
from wagtail.search import index

from .analysis import lemmatize

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

    def _lemma_source(self, fields: tuple[str, ...]) -> str:
        parts = []
        for name in fields:
            value = getattr(self, name, "")
            if callable(value):
                value = value()
            if value:
                parts.append(get_text_for_indexing(str(value)))
        return "\n".join(parts)[:MAX_BODY_CHARS]

    def _lemmas(self, fields: tuple[str, ...]) -> str:
        """The lemmas of the fields' text, kept on the object for as long as that text is unchanged: the
        PostgreSQL backend asks for every search field twice per object (for the tsvector and for the plain
        text it keeps for fuzzy search)."""
        source = self._lemma_source(fields)
        cache = self.__dict__.setdefault("_lemma_cache", {})
        if fields not in cache or cache[fields][0] != source:
            cache[fields] = (source, lemmatize(source, with_alternatives=True))
        return cache[fields][1]

    def title_lemmas(self) -> str:
        return self._lemmas(self.lemma_title_fields)

    def body_lemmas(self) -> str:
        return self._lemmas(self.lemma_body_fields)


LEMMA_SEARCH_FIELDS = [
    index.SearchField("title_lemmas", boost=3),
    index.SearchField("body_lemmas"),
]
