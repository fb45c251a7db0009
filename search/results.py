"""What a page of search results shows, read with as little work as the page needs.

The engine answers with primary keys. The candidates behind them (up to ``CANDIDATES_PER_RANKING`` per ranking,
for the title re-ranking) are read as plain rows of the few fields a result shows or is ranked by (``values()``,
one statement per content type, no model instances); the long texts only for the page's hits, first only
their start (most passages are there) and further only where a passage may lie beyond, and a snippet only
from a bounded window of them. URLs come from each page's ``url_path`` and the site root paths read once
per search (``Page.url`` reads those from the cache once per page: a cache round trip per result).
"""

from __future__ import annotations

import codecs
import functools
import heapq
import html
import itertools
import math
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from urllib.parse import quote, unquote

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connections, router
from django.db.models import QuerySet
from django.urls import NoReverseMatch, Resolver404, get_script_prefix, get_urlconf, resolve, reverse
from django.utils import timezone, translation
from django.utils.html import escape, format_html
from django.utils.http import RFC3986_SUBDELIMS
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from wagtail.models import Site
from wagtail.rich_text import get_text_for_indexing
from wagtail.urls import serve_pattern

from cms.library.models import DocumentKind, LibraryDocument
from cms.org.compiled import CompiledSelect
from cms.pages.models import AnnouncementPage, ExperienceArticlePage, RegulationPage, ReportPage, StudyPage

from .abbreviations import Expansion, of_query, unknown_words
from .analysis import (
    DROPPED_CHAR_RE,
    HYPHEN_RE,
    HYPHENS,
    STOP_WORDS,
    TOKEN_RE,
    AnalysedQuery,
    TextWords,
    closed_forms,
    compound_start,
    forms_with_lemmas,
    has_digit,
    lemma_forms,
    not_ruled_out,
    ruled_out,
    single_numeral_at,
    token_starts_at,
    without_dropped_chars,
    word_lemmas,
    words_not_ruled_out,
)
from .scoped_sql import in_scope

PAGE_TYPES = {
    "announcement": (AnnouncementPage, _("announcement")),
    "report": (ReportPage, _("report")),
    "study": (StudyPage, _("monitoring study")),
    "article": (ExperienceArticlePage, _("experience article")),
}
KIND_OF_PAGE_TYPE = {model: (key, label) for key, (model, label) in PAGE_TYPES.items()}
HAS_LEGAL_METADATA = (RegulationPage, LibraryDocument)
KIND_LABELS = dict(DocumentKind.choices)

_LEGAL_FIELDS = ("kind", "number", "document_date", "issuer", "status")
_PAGE_FIELDS = ("pk", "title", "url_path", "first_published_at")
#: The fields a result shows or is ranked by, per content type: what a candidate is read with. An act shows
#: and is ordered by its own date, not its page's publication (``_date_of``).
SHOWN_FIELDS = {
    RegulationPage: ("pk", "title", "url_path", *_LEGAL_FIELDS, "subjects"),
    LibraryDocument: ("pk", "title", "file", *_LEGAL_FIELDS),
}
#: The long texts a snippet is cut from, read for the page's hits only (the first non-empty one is used).
SNIPPET_FIELDS = {RegulationPage: ("text", "summary"), LibraryDocument: ("extracted_text",)}
#: The short fields (read with a result's row) a snippet shows, after their label, when none of the snippet
#: text's words is one the query asks for and one of theirs is: an act found by its subjects, its issuer or its
#: number.
SNIPPET_FALLBACK_FIELDS = {
    RegulationPage: (("subjects", _("subjects")), ("issuer", _("issuing body")), ("number", _("number"))),
    LibraryDocument: (("issuer", _("issuing body")), ("number", _("number"))),
}
_HTML_FIELDS = {"summary", "body"}

SNIPPET_RADIUS = 110
#: How far into a text a snippet looks for a matching word (the first window first, then the rest).
SNIPPET_SCAN_CHARS = 300_000
SNIPPET_FIRST_WINDOW = 4_000
#: The first piece of a text searched for the dictionary forms of the query's words (each next one twice as long).
FORMS_FIRST_PIECE = 4_000
#: How much of each hit's text is read first: most passages are there, and a law runs to 300,000 characters
#: (a results page of the ten longest laws read them whole: 2.2 million characters, 21.8 ms on a PostgreSQL server).
SNIPPET_FIRST_READ = 20_000
#: How many characters of texts with no dictionary form of a wanted word (hits found by their titles) make it worth
#: asking the search index whether they have any wanted word, rather than reading them the long way
#: (:func:`_snippets`). On PostgreSQL the statement took 0.2-0.6 ms (two hits; warm and cold buffers), the long way
#: 0.015-0.09 ms a thousand characters (the words seen before in the process, or not): 100,000 acts
#: (``benchmarks/search_profile.py``'s corpus). A text not read whole counts as SNIPPET_SCAN_CHARS.
PROBED_CHARS = 10_000
#: A snippet's words: the tokens of :func:`search.analysis.tokenize` as written, so that a word is marked when
#: its token is one the query asks for: «01.09.2024» and «2024/2025» whole, no «2024» inside them.
WORD_RE = TOKEN_RE
_NOT_SPACE_RE = re.compile(r"\S")


def shown_fields(model) -> tuple[str, ...]:
    return SHOWN_FIELDS.get(model, _PAGE_FIELDS)


def snippet_fields(model) -> tuple[str, ...]:
    return SNIPPET_FIELDS.get(model, ("body",))


@dataclass(frozen=True)
class Result:
    """One matching object as the fields it is shown and ranked by (a row of ``shown_fields(model)``); or, not
    ``complete``, as the engine read it for the ranking (its key and ``search.engine.RANKED_FIELDS``), its row to
    be read from the database before it is shown (``search.services._completed``)."""

    model: type
    row: dict
    complete: bool = True
    #: The start of the text its snippet is cut from and whether that is all of it, as :func:`_snippet_texts`
    #: reads it (SNIPPET_FIRST_READ characters), when it was read with the row (``load_results``); None otherwise.
    head: tuple[str, bool] | None = field(default=None, compare=False, repr=False)

    @property
    def key(self) -> tuple[type, int]:
        return self.model, self.row["pk"]

    @property
    def title(self) -> str:
        return self.row["title"]

    @property
    def sort_moment(self) -> tuple[date, float]:
        """What a search ordered newest first orders by: the date shown and, for a page dated by its first
        publication, its instant (:func:`newest_first_moment`)."""
        row = self.row
        return newest_first_moment(row["document_date"] if "document_date" in row else row.get("first_published_at"))


def results_of(qs: QuerySet) -> list[Result]:
    """Every object of ``qs`` as a result: one statement, plain rows."""
    return [Result(qs.model, row) for row in qs.order_by().values(*shown_fields(qs.model))]


def load_results(scope: QuerySet, pks, *, model=None, with_heads: bool = False) -> dict[int, Result]:
    """The objects of ``model`` (``scope``'s own by default) among ``pks`` that ``scope`` holds, by key: one
    statement, plain rows, none without keys. ``scope`` may be a queryset of a model ``model`` derives from, as
    the page types' shared queryset on Page (``search.services.ScopedQuerysets.for_engine``). ``with_heads``:
    the same statement also reads the start of each one's snippet text (``Result.head``), for the hits of a
    page whose rows are read once they are ranked (``search.services._completed``): one statement a content
    type where the rows and the texts took two.

    The statement is the ORM's SELECT of ``model``'s shown fields, compiled once per process and database
    (:func:`_candidate_rows`), with the keys and the scope's check (:func:`search.scoped_sql.in_scope`: the
    queryset compiled once per search, as the engine statement that found the keys checked them). Built as a
    queryset per search and content type, the ORM's compiling took ~0.35 ms of CPU and its row conversions ~0.15
    ms (``benchmarks/search_profile.py``, 100,000 acts on SQLite, a rare word's ~45 candidates)."""
    model = model or scope.model
    if not issubclass(model, scope.model):  # its keys would be checked against another table's
        raise ImproperlyConfigured(
            f"{model.__name__}'s results cannot be scoped by a queryset of {scope.model.__name__}."
        )
    keys = [int(pk) for pk in pks]
    if not keys:
        return {}
    connection = connections[scope.db]
    rows = _candidate_rows(model, connection.alias, with_heads)
    check = in_scope(rows.key, scope)
    if check is None:  # the user may read none of them
        return {}
    keys_sql, keys_params = _keys_condition(connection, rows.key, model._meta.pk, keys)
    fetched = rows.select.rows(f" WHERE {keys_sql} AND {check[0]}", [*keys_params, *check[1]])
    shown = len(rows.select.names)
    loaded = {}
    for values in fetched:
        row = dict(zip(rows.select.names, values[:shown], strict=True))
        head = _text_head(model, values[shown:], SNIPPET_FIRST_READ) if with_heads else None
        loaded[row["pk"]] = Result(model, row, head=head)
    return loaded


@dataclass(frozen=True)
class _CandidateRows:
    """``SELECT <model's shown fields> FROM <its tables>`` as the ORM compiles it on one database, and the key's
    column as it is selected."""

    select: CompiledSelect
    key: str


@functools.cache
def _candidate_rows(model, alias: str, with_heads: bool = False) -> _CandidateRows:
    """The candidates' SELECT; ``with_heads``, followed by the columns of :func:`_head_columns` (the rows'
    converters apply to the shown fields only, which come first)."""
    select = CompiledSelect.of(model._base_manager.db_manager(alias).order_by().values(*shown_fields(model)))
    if select.query.where:  # pragma: no cover - a plain SELECT of columns has none
        raise ImproperlyConfigured(f"{model.__name__}: the candidates' SELECT has a WHERE clause of its own.")
    if select.names[0] != "pk":  # pragma: no cover - shown_fields start with the key
        raise ImproperlyConfigured(f"{model.__name__}: the candidates' SELECT does not start with the key.")
    key, _params = select.query.get_compiler(using=alias).compile(select.columns[0])
    if with_heads:
        if select.sql.count(" FROM ") != 1:  # pragma: no cover - plain columns, one table and its parents
            raise ImproperlyConfigured(f"{model.__name__}: the candidates' SELECT list cannot be extended.")
        heads = ", ".join(_head_columns(connections[alias], model, SNIPPET_FIRST_READ))
        select = replace(select, sql=select.sql.replace(" FROM ", f", {heads} FROM ", 1))
    return _CandidateRows(select=select, key=key)


def _keys_condition(connection, column: str, field, keys: list[int]) -> tuple[str, list]:
    """``column`` is one of ``keys``, and the parameters. On PostgreSQL ``column = ANY(%s::<type>[])``, the keys one
    array parameter: ``column IN (%s, %s, ...)`` has one text per number of keys, so psycopg seldom saw a text
    often enough to prepare it (it keys a statement by its text and its parameters' types), and PostgreSQL
    parsed and planned each candidates' statement again (~0.2-0.3 ms: ``benchmarks/search_profile.py postgres``,
    20,000 acts, a rare word's candidates 1.18 → 0.91-0.98 ms); this one has one text per content type (and two
    parameter types: an array of small integers or of larger ones)."""
    if connection.vendor == "postgresql":
        return f"{column} = ANY(%s::{field.cast_db_type(connection)}[])", [list(keys)]
    return f"{column} IN ({', '.join(['%s'] * len(keys))})", list(keys)


@dataclass
class Hit:
    model: type
    pk: int
    title: str
    url: str
    kind: str
    kind_label: str
    number: str
    date: date | None
    issuer: str
    snippet: SafeString = field(default_factory=SafeString)


def build_hits(
    results: list[Result], analysed: AnalysedQuery, backend=None, expanded: tuple[Expansion, ...] | None = None
) -> list[Hit]:
    """The page's hits: the long texts of these results only (one statement per content type), their URLs,
    their highlighted snippets. ``backend``, the search backend that found them, may tell which texts have
    none of the query's words (:func:`_snippets`); ``expanded``, the other spellings the engine was asked for
    (:class:`Highlighter`)."""
    snippets = _snippets(results, Highlighter(analysed, expanded), backend)
    urls = PageUrls()
    hits = []
    for result in results:
        model, row = result.model, result.row
        if model in HAS_LEGAL_METADATA:
            kind, kind_label = row["kind"], KIND_LABELS.get(row["kind"], row["kind"])
        else:
            kind, kind_label = KIND_OF_PAGE_TYPE[model]
        url = document_url(row["pk"], row["file"]) if model is LibraryDocument else urls.url(row["url_path"])
        hits.append(
            Hit(
                model=model,
                pk=row["pk"],
                title=row["title"],
                url=url or "",
                kind=kind,
                kind_label=str(kind_label),
                number=row.get("number", ""),
                date=_date_of(row),
                issuer=row.get("issuer", ""),
                snippet=snippets[result.key],
            )
        )
    return hits


def newest_first_moment(value: date | datetime | None) -> tuple[date, float]:
    """The order of a search newest first, of a date or a datetime: its local date, then its instant (a date
    comes before the instants of its day; none is the earliest), as the engines order a type's objects by the
    field (by the instant: the local date never goes back as the instant goes on, even when the clock does in
    autumn). By the date alone, two pages published the same day were in one order in the engine's reading
    and in the other in the merge of the types: one page of results showed one of them twice, the other never."""
    if isinstance(value, datetime):
        return timezone.localtime(value).date(), value.timestamp()
    return value or date.min, -math.inf


def _date_of(row: dict) -> date | None:
    """The date a result shows and a search newest first orders by: an act's or a document's own date (none
    when it has none: a web page's publication is not the act's date), another page's first publication."""
    if "document_date" in row:
        return row["document_date"]
    published = row.get("first_published_at")
    return timezone.localtime(published).date() if published else None


def _snippets(results: list[Result], highlighter: Highlighter, backend=None) -> dict[tuple[type, int], SafeString]:
    """Each result's snippet, cut from the first SNIPPET_FIRST_READ characters of its text where the passage is
    there. A text none of whose words the query asks for (a result found by its title, its subjects, its issuer or
    its number) gives its start, unless one of the result's :data:`SNIPPET_FALLBACK_FIELDS` has a wanted word
    (:func:`_fallback_snippet`).

    Each text is first searched for the dictionary forms of the query's words only (``long_way=False``). Those
    of the others that ``backend``'s index shows to have none of the query's words (:func:`_texts_without_words`:
    one statement per content type) give their start; the rest are read the long way, the texts not read whole
    read again as far as a snippet looks (SNIPPET_SCAN_CHARS: one more statement per content type). A hit found
    by its title alone was the costliest part of a search on a rare word: its text's words analysed to rule them
    out, 0.2-2.7 ms a hit of 500-20,000 characters the first time the process saw them (100,000 acts)."""
    passages, undecided = {}, []
    heads = {result.key: result.head for result in results if result.head is not None}
    heads.update(_snippet_texts([result for result in results if result.head is None], SNIPPET_FIRST_READ))
    for result in results:
        text, whole = heads.get(result.key, ("", True))
        found = highlighter.passage(text, partial=not whole, long_way=False)
        if found is FURTHER:
            undecided.append(result)
        else:
            passages[result.key] = text, found
    without = _texts_without_words(backend, undecided, heads, highlighter)
    further = []
    for result in undecided:
        text, whole = heads[result.key]
        if result.key in without:
            passages[result.key] = text, None  # its start is the start of its text
        elif whole:
            passages[result.key] = text, highlighter.passage(text, without_forms=True)
        else:
            further.append(result)
    for key, (text, _whole) in _snippet_texts(further, SNIPPET_SCAN_CHARS).items():
        passages[key] = text, highlighter.passage(text)
    snippets = {}
    for result in results:
        text, found = passages.get(result.key, ("", None))  # none: gone from the database since its start was read
        snippets[result.key] = found or _fallback_snippet(result, highlighter) or highlighter.start(text)
    return snippets


def _texts_without_words(
    backend, undecided: list[Result], heads: dict[tuple[type, int], tuple[str, bool]], highlighter: Highlighter
) -> set[tuple[type, int]]:
    """The keys of the undecided results (no dictionary form of a wanted word in the start of their texts read)
    whose texts ``backend``'s index shows to have no wanted word, by its ``objects_without_words`` (one statement
    per content type; PostgreSQL's: its body vector holds the texts' lemmas); none from a backend that cannot tell.

    Only a hit whose title has a wanted word is likely to have none in its text (found by its title): for the
    others the index would mostly answer that the text has one (its passage lies past the start read). The index
    is asked when the texts to rule out are long enough to be worth a statement (:data:`PROBED_CHARS`)."""
    probe = getattr(backend, "objects_without_words", None)
    if probe is None:
        return set()
    by_title = [result for result in undecided if highlighter.holds_wanted(result.title)]
    length = sum(len(heads[result.key][0]) if heads[result.key][1] else SNIPPET_SCAN_CHARS for result in by_title)
    if length < PROBED_CHARS:
        return set()
    return {
        (model, pk) for model, pks in _keys_by_model(by_title).items() for pk in probe(model, pks, highlighter.sought)
    }


def _keys_by_model(results: list[Result]) -> dict[type, list[int]]:
    """The results' keys, by content type, in their order."""
    by_model: dict[type, list[int]] = {}
    for result in results:
        by_model.setdefault(result.model, []).append(result.row["pk"])
    return by_model


def _fallback_snippet(result: Result, highlighter: Highlighter) -> SafeString | None:
    """The first of the result's :data:`SNIPPET_FALLBACK_FIELDS` (a value of its row) with a wanted word, after its
    label, the wanted words marked; None when none has one."""
    for name, label in SNIPPET_FALLBACK_FIELDS.get(result.model, ()):
        marked = highlighter.marked(result.row.get(name) or "")
        if marked is not None:
            return format_html("{}: {}", capfirst(label), marked)
    return None


def _snippet_texts(results: list[Result], limit: int = SNIPPET_SCAN_CHARS) -> dict[tuple[type, int], tuple[str, bool]]:
    """The text each result's snippet is cut from, read up to ``limit`` characters and one more to tell a
    longer text (a document's extracted text may be 2,000,000 characters), and whether that is all of it. An
    HTML field is read as its text, as it is indexed (``get_text_for_indexing``: a space after each block, the
    entities decoded: the snippet escapes the text once, so «&amp;» was shown as the five characters «&amp;»);
    cut short, it loses the tag it was cut in."""
    texts = {}
    for model, pks in _keys_by_model(results).items():
        connection = connections[router.db_for_read(model)]
        with connection.cursor() as cursor:
            cursor.execute(*_text_heads_sql(connection, model, limit, pks))
            rows = cursor.fetchall()
        for pk, *values in rows:
            texts[(model, pk)] = _text_head(model, values, limit)
    return texts


def _text_head(model, values, limit: int) -> tuple[str, bool]:
    """The text a snippet of ``model`` is cut from, of the values :func:`_head_columns` read (one a snippet field,
    the first non-empty one is used), to ``limit`` characters, and whether that is all of it."""
    name, value = next(((n, v) for n, v in zip(snippet_fields(model), values, strict=True) if v), ("", ""))
    # SQLite reads a prefix of bytes; PostgreSQL may read a text whole (``_head_columns``).
    value = _utf8_prefix(value, limit + 1) if isinstance(value, bytes) else value[: limit + 1]
    whole = len(value) <= limit
    if name in _HTML_FIELDS:
        value = get_text_for_indexing(value if whole else _before_open_tag(value[:limit]))
    return value, whole


def _text_heads_sql(connection, model, limit: int, pks: list[int]) -> tuple[str, list]:
    """``SELECT pk, <the first limit + 1 characters of each snippet field> ... WHERE pk IN pks`` on ``model``'s
    table (:func:`_head_columns`), and its parameters. On PostgreSQL the keys are one array (``pk = ANY(%s)``):
    one text for any number of hits (:func:`_keys_condition`).
    Written by hand: the ORM's queryset with a ``Substr`` annotation per field cost ~0.3 ms of CPU per content
    type, a fifth of reading the texts."""
    table = connection.ops.quote_name(model._meta.db_table)
    key = f"{table}.{connection.ops.quote_name(model._meta.pk.column)}"
    condition, params = _keys_condition(connection, key, model._meta.pk, pks)
    columns = ", ".join(_head_columns(connection, model, limit))
    return f"SELECT {key}, {columns} FROM {table} WHERE {condition}", params  # noqa: S608 - names and integers only


def _head_columns(connection, model, limit: int) -> list[str]:
    """The SQL of the first ``limit + 1`` characters of each of ``model``'s snippet fields (columns of its own
    table), as ``SUBSTR(name, 1, limit + 1)`` gives them, read as below.

    On SQLite each text is read as the first ``4 * (limit + 1)`` bytes of its UTF-8 (a character takes at most
    four: they hold its first ``limit + 1`` characters or all of it) and cut to characters in Python
    (:func:`_utf8_prefix`): the first 20,001 characters of ten 300,000-character laws took 2.1 ms as text,
    0.6 ms as bytes and ~0.3 ms more to decode. PostgreSQL's ``substr`` decompresses only the start of a long
    text it stored compressed, but it counts the characters of the ``4 * (limit + 1)`` bytes it decompresses
    (~0.25 ms for a 20,001-character start): a text of at most that many bytes (its octet length, from the
    value's header) is read whole and cut to characters in Python, so both databases read at most
    ``4 * (limit + 1)`` bytes of a text. Ten generated acts of 20,000-40,000 bytes took 2.4 ms with
    ``substr`` and 1.2 ms whole; the second read of a law of 200,000-320,000 characters (its first 300,001),
    4.7 ms with ``substr`` and 2.8 ms whole (``benchmarks/search_speed.py``'s corpus, 20,000 acts, the default
    compression, pglz). Past that size ``substr`` is cheaper: ten texts over 80,000 bytes, 2.8 ms for their
    starts, 7.4 ms whole; compressed with lz4 (``search/migrations/0006_lz4_compression.py``), 2.6 and 7.0 ms,
    though ``substr`` then fetches all of the value's stored chunks (it decompresses only the start)."""
    quote = connection.ops.quote_name
    table = quote(model._meta.db_table)
    read = int(limit) + 1
    most_bytes = 4 * read  # a character takes at most four
    columns = []
    for name in snippet_fields(model):
        field = model._meta.get_field(name)
        if field not in model._meta.local_concrete_fields:  # pragma: no cover - a field of a parent's table
            raise ImproperlyConfigured(f"{model.__name__}.{name}: a snippet field must be a column of its table.")
        column = f"{table}.{quote(field.column)}"
        if connection.vendor == "sqlite":
            columns.append(f"SUBSTR(CAST({column} AS BLOB), 1, {most_bytes})")
        else:  # a text of at most that many bytes is all read: SUBSTR would count its characters
            columns.append(
                f"CASE WHEN OCTET_LENGTH({column}) <= {most_bytes} THEN {column} ELSE SUBSTR({column}, 1, {read}) END"
            )
    return columns


def _utf8_prefix(data: bytes, chars: int) -> str:
    """The first ``chars`` characters of ``data``, the start of a UTF-8 text cut anywhere (all of them when it
    has fewer, never the one it was cut in). Decoded as far as they go, two bytes a character at first: a
    Ukrainian letter takes two, a space, a digit or a stop one; decoding all of four bytes a character cost as
    much as reading them as text."""
    decoder = codecs.getincrementaldecoder("utf-8")()  # not final: an incomplete end is held back
    text = decoder.decode(data[: 2 * chars])
    if len(text) < chars:
        text += decoder.decode(data[2 * chars :])
    return text[:chars]


def _before_open_tag(html: str) -> str:
    """``html`` without the tag it ends inside of, if any."""
    start = html.rfind("<")
    return html[:start] if start > html.rfind(">") else html


# --- URLs --------------------------------------------------------------------------------------------------


class PageUrls:
    """``Page.get_url()`` without a request, from a page's ``url_path``, for one search: the site root paths,
    the active language, the URL configuration and the script prefix read once (~5 µs a URL each)."""

    def __init__(self):
        self.roots = Site.get_site_root_paths()
        self.single_site = len({root.site_id for root in self.roots}) == 1
        # What the URLs depend on besides the page, the same for every page of a search.
        self.translated = getattr(settings, "WAGTAIL_I18N_ENABLED", False)
        self.language = translation.get_language()
        self.urlconf = get_urlconf() or settings.ROOT_URLCONF
        self.script_prefix = get_script_prefix()
        self.append_slash = getattr(settings, "WAGTAIL_APPEND_SLASH", True)

    def url(self, url_path: str) -> str | None:
        root = next((root for root in self.roots if url_path.startswith(root.root_path)), None)
        if root is None:
            return None
        relative = url_path[len(root.root_path) :]
        language = root.language_code if self.translated else self.language
        prefix = _serve_prefix(language, self.urlconf, self.script_prefix)
        if prefix is not None and _SERVED_RE.fullmatch(relative):
            path = prefix + quote(relative, safe=_PATH_SAFE)
        else:
            try:
                path = _served_path(relative, language, self.urlconf, self.script_prefix)
            except NoReverseMatch:  # as Page.url: a page the serve view has no path for has no URL
                return None
        if not self.append_slash and path != "/":
            path = path.rstrip("/")
        return path if self.single_site else root.root_url + path


#: What ``reverse`` leaves unquoted in a path (RFC 3986's ``pchar``, as ``django.urls.resolvers`` has it).
_PATH_SAFE = RFC3986_SUBDELIMS + "/~:@"
#: How Wagtail's serve route ends (``wagtail.urls.serve_pattern``, as a route joined below an include has it).
_SERVE_ROUTE_END = serve_pattern.removeprefix("^")
#: A page's path below its site root as Wagtail's serve view takes it.
_SERVED_RE = re.compile(_SERVE_ROUTE_END.removesuffix("$"))
#: A path below the site root with the letters, digits, hyphens and underscores a slug may have.
_PREFIX_PROBE = "ab-c_1/ґ-ї/"


@functools.lru_cache(maxsize=64)
def _serve_prefix(language: str | None, urlconf: str, script_prefix: str) -> str | None:
    """The path Wagtail's serve view has for a site root in ``language`` (the site's when it is translated, else
    the active one: a URL configuration may prefix it), for the URL configuration and script prefix in force,
    when the path of a page below it is that prefix followed by the page's path as ``reverse`` quotes it; None
    otherwise. It is, when the route that serves the prefix is Wagtail's serve route with Wagtail's own pattern
    (``serve_pattern``) last: a route of its own may refuse a path Wagtail's allows (Latin letters only, two
    levels), and it is then reversed page by page; and a probe checks the quoting. ``reverse`` itself, ~20 µs a
    page and as much again for the language, was a tenth of a search's own work on a page of ten: most of a
    search's hits are pages no search of the process has shown before."""
    try:
        prefix = _served_path("", language, urlconf, script_prefix)
        probe = _served_path(_PREFIX_PROBE, language, urlconf, script_prefix)
        with translation.override(language):
            route = resolve("/" + unquote(prefix).removeprefix(script_prefix), urlconf=urlconf)
    except (NoReverseMatch, Resolver404):
        return None
    if route.url_name != "wagtail_serve" or not route.route.endswith(_SERVE_ROUTE_END):
        return None
    return prefix if probe == prefix + quote(_PREFIX_PROBE, safe=_PATH_SAFE) else None


@functools.lru_cache(maxsize=20_000)
def _served_path(relative: str, language: str | None, urlconf: str, script_prefix: str) -> str:
    """The path Wagtail's serve view has for a page's path below its site root, in ``language``, kept per
    process for the URL configuration and script prefix it was reversed with (a route of a site's own)."""
    with translation.override(language):
        return reverse("wagtail_serve", args=(relative,), urlconf=urlconf)


def document_url(pk: int, file_name: str) -> str:
    """``Document.url`` for the serve view (``WAGTAILDOCS_SERVE_METHOD`` other than "direct")."""
    return reverse("wagtaildocs_serve", args=[pk, os.path.basename(file_name)])


# --- snippets ----------------------------------------------------------------------------------------------


class _Further:
    """What a snippet's search answers when its passage may lie past the text read."""


FURTHER = _Further()


class _Split:
    """What a snippet's search answers when no word matches as written, but a wanted word is split by a character
    the analysis drops inside a word (:data:`search.analysis.DROPPED_CHAR_RE`): the engines read «за́клад» as
    «заклад»."""


SPLIT = _Split()


class Highlighter:
    """Snippets of one query: the passage around the first word whose lemma the query asks for, with the
    matching words marked (words are the tokens as written: ``WORD_RE``). Each distinct form is looked up once
    per query.

    The text, up to ``SNIPPET_SCAN_CHARS``, is first searched, lowercased a piece at a time, for the
    dictionary forms of the query's lemmas (:func:`search.analysis.lemma_forms`, found with ``str.find``:
    :class:`Forms`; a hyphenated word with a part among them is found whole, as the engines found the text by
    the part), and each place found is confirmed by the word's own lemmas and their parts: a rare word far into
    a long text is found without lemmatising the words before it. Only when none is confirmed (a word the
    dictionary does not inflect, a compound the query names, another apostrophe, a Latin letter in a Cyrillic
    word; or no match in the text at all, as for a hit found by its title) is the text read the long way. When every
    query lemma is a dictionary word, only the words :func:`search.analysis.ruled_out` does not rule out may
    match: they are taken from the text's distinct words by set operations (each word checked once per
    process: :func:`search.analysis.not_ruled_out`), analysed (once per process:
    :func:`search.analysis.forms_with_lemmas`), and the first place of those that match found as a lemma's
    forms are. Otherwise the first ``SNIPPET_FIRST_WINDOW`` characters are read word by word up to the first
    match (only the words read are analysed), and the rest at once, all its distinct words' lemmas by set
    operations. Around a match, the words to mark are taken the same way from the window's distinct words and
    confirmed one by one. A text in which none is found, but in which a character the analysis drops inside a word
    (a stress mark, a soft hyphen, a letter's combining mark: :data:`search.analysis.DROPPED_CHAR_RE`) splits a
    wanted word, is read again without them (:func:`search.analysis.without_dropped_chars`), and its snippet
    shows it so: the engines found «за́клад» as «заклад», and its pieces «за» and «клад» match nothing. The long
    way's runs tell the runs with such a character (:func:`search.analysis.words_not_ruled_out`) without reading
    the text again; only their own words are checked.

    Given only the start of a text (``partial``), it answers when the passage is there: a dictionary form
    whose snippet ends before the last whole word read. Otherwise (None) the text is to be read further, and
    the snippet is the one the longer text gives: a dictionary form further on comes before any other match."""

    def __init__(self, analysed: AnalysedQuery, expanded: tuple[Expansion, ...] | None = None):
        self.wanted = {lemma for group in analysed.alternatives for lemma in group} | set(analysed.numbers)
        self._known: dict[str, bool] = {}
        self._forms = [_lemma_forms(lemma) for lemma in sorted(self.wanted)]
        # An abbreviation the dictionary lacks is the lemma of no dictionary word («ззсо»): the others' forms rule
        # out the rest, as for a query without it (search.abbreviations.unknown_words).
        self._closed = closed_forms(self.wanted - unknown_words())
        # The other spelling of each abbreviation or full name among the query's words, as the engine was asked
        # for it (``expanded``: the query's own by default): looked for in a text with none of the query's words.
        expanded = of_query(analysed) if expanded is None else expanded
        self._others = [OtherSpelling.of(each.other_groups) for each in expanded]
        #: The lemmas a passage may start at: the query's own, and the first word's of each other spelling.
        self.sought = self.wanted | {lemma for each in expanded for lemma in each.other_groups[0]}

    def _is_wanted(self, word: str) -> bool:
        known = self._known.get(word)
        if known is None:
            known = self._known[word] = not ruled_out(word, self._closed) and bool(
                forms_with_lemmas({word}, self.wanted)
            )
        return known

    def _candidates(self, text: str, start: int, end: int) -> TextWords | None:
        """The distinct words of ``text[start:end]`` that :func:`search.analysis.ruled_out` does not rule out,
        by set operations (:func:`search.analysis.words_not_ruled_out`), and its runs with a dropped character;
        None when a query lemma is no dictionary word (any word may then be wanted)."""
        if self._closed is None:
            return None
        return words_not_ruled_out(text[start:end], self._closed)

    def _words(self, text: str, start: int, end: int) -> Iterator[re.Match]:
        """The wanted words of ``text[start:end]``, read one by one; only the words
        :func:`search.analysis.not_ruled_out` keeps are looked at (as :meth:`_candidates`)."""
        if self._closed is None:  # any word may be wanted: read lazily, the caller may stop at the first
            matches, candidates = WORD_RE.finditer(text, start, end), None
        else:  # the words are read once, for the candidates and in order (a window's ~30: ~25 µs a pass)
            matches = list(WORD_RE.finditer(text, start, end))
            candidates = not_ruled_out({match.group() for match in matches}, self._closed)
        for match in matches:
            word = match.group()
            if (candidates is None or word in candidates) and self._is_wanted(word):
                yield match
            elif len(word) == 1 and single_numeral_at(text, match.start()) in self.wanted:
                yield match  # «І» in «І етап» is the numeral I (the word alone: the conjunction)

    def _first_match(
        self, text: str, stop: int, *, partial: bool, long_way: bool, without_forms: bool
    ) -> re.Match | _Further | _Split | None:
        first = None if without_forms else self._first_dictionary_form(text, stop)
        if first is not None:
            return first
        if partial or not long_way:
            return FURTHER  # a dictionary form further on comes before any other match
        candidates = self._candidates(text, 0, stop)
        if candidates is not None:  # only the words ruled_out does not rule out may be wanted
            first = _first_word(text, Forms(forms_with_lemmas(candidates.words, self.wanted)), 0, stop)
            split = candidates.split if first is None else ()
        else:
            end = _cut(text, SNIPPET_FIRST_WINDOW)
            first = next(self._words(text, 0, end), None)
            if first is None and stop > end:
                forms = Forms(forms_with_lemmas(set(WORD_RE.findall(text, end, stop)), self.wanted))
                first = _first_word(text, forms, end, stop)
            split = _runs_with_dropped_chars(text, stop) if first is None else ()
        return SPLIT if any(map(self._is_wanted, _words_of_runs(split))) else first

    def _first_dictionary_form(self, text: str, stop: int) -> re.Match | None:
        # Lowercasing a Cyrillic text costs ~5 ns a character: the text is lowercased and searched a piece at a
        # time, each piece ending at a space and twice as long as the one before, as the passage is mostly near
        # the start. In a piece, the first place of each lemma's forms that is confirmed; the first of them.
        start, size = 0, FORMS_FIRST_PIECE
        while start < stop:
            end = stop if stop - start <= size else text.rfind(" ", start + 1, start + size)
            if end <= start:  # no space: the rest at once
                end = stop
            folded = _folded(text, start, end)
            if folded is None:
                return None
            first = None
            for forms in self._forms:
                for at, word_end in forms.places(folded, 0, len(folded)):
                    if first is not None and at >= first:
                        break
                    if self._is_wanted(text[start + at : start + word_end]):
                        first = at
                        break
            if first is not None:
                return WORD_RE.match(text, start + first)
            start, size = end, size * 2
        return None

    def snippet(self, text: str, *, partial: bool = False) -> SafeString | None:
        """The snippet of ``text``: its passage (:meth:`passage`), or its start when none of its words is wanted;
        with ``partial`` (``text`` is the start of a longer one), None when its passage may lie further on."""
        found = self.passage(text, partial=partial)
        if found is FURTHER:
            return None
        return found or self.start(text)

    def passage(
        self, text: str, *, partial: bool = False, long_way: bool = True, without_forms: bool = False
    ) -> SafeString | _Further | None:
        """The window of ``text`` around its first wanted word, the wanted words in it marked; None when it has
        none; with ``partial`` (``text`` is the start of a longer one), FURTHER when the passage may lie further
        on (no match whose window ends before the last whole word read); without ``long_way``, FURTHER when no
        dictionary form of a wanted word is there (only the long way would find another match, or none). With
        ``without_forms``, ``text`` is known to have none (the answer of a first call without ``long_way``).
        A text with none of the query's own words has its passage at the first other spelling of its
        abbreviations or full names (:class:`OtherSpelling`), as the engine found it."""
        found = self._passage(text, partial=partial, long_way=long_way, without_forms=without_forms)
        if found is None and self._others and text:
            return self._other_passage(text)
        return found

    def _other_passage(self, text: str, *, again: bool = True) -> SafeString | None:
        """The window of ``text`` around the first other spelling of the query's abbreviations or full names;
        None when it has none. A text with a character the analysis drops inside a word (a stress mark, a soft
        hyphen) is read again without them, as for the query's own words."""
        stop = _cut(text, SNIPPET_SCAN_CHARS)
        span = self._first_other_spelling(text, stop)
        if span is not None:
            return self._window(text, span)
        if again and DROPPED_CHAR_RE.search(text, 0, stop):
            return self._other_passage(without_dropped_chars(text), again=False)
        return None

    def _passage(
        self, text: str, *, partial: bool, long_way: bool, without_forms: bool
    ) -> SafeString | _Further | None:
        if not text or not self.wanted:
            return None
        stop = _cut(text, len(text) - 1) if partial else _cut(text, SNIPPET_SCAN_CHARS)
        first = self._first_match(text, stop, partial=partial, long_way=long_way, without_forms=without_forms)
        if first is FURTHER or (partial and (first is None or first.end() + SNIPPET_RADIUS > stop)):
            return FURTHER
        if first is SPLIT:  # read again without the characters: the retry has none, so it gives a match or None
            return self._passage(without_dropped_chars(text), partial=False, long_way=True, without_forms=False)
        if first is None:
            return None
        return self._window(text, first.span())

    def _window(self, text: str, match: tuple[int, int]) -> SafeString:
        """The window of ``text`` around ``match`` (the span of its first wanted word, or other spelling), the
        wanted words in it marked."""
        start, end = _without_cut_words(
            text,
            max(0, match[0] - SNIPPET_RADIUS),
            min(len(text), SNIPPET_SCAN_CHARS, match[1] + SNIPPET_RADIUS),
            match,
        )
        before = "…" if _NOT_SPACE_RE.search(text, 0, start) else ""  # no copy of a text's start or rest
        after = "…" if _NOT_SPACE_RE.search(text, end) else ""
        return mark_safe(before + self._mark(text[start:end])[0] + after)  # noqa: S308 - escaped by _mark

    def holds_wanted(self, text: str) -> bool:
        """Whether ``text`` (a short one: a title) has a wanted word or another spelling the query stands for."""
        if not text:
            return False
        if self.wanted and next(self._words(text, 0, len(text)), None) is not None:
            return True
        return self._first_other_spelling(text, len(text)) is not None

    def _first_other_spelling(self, text: str, stop: int) -> tuple[int, int] | None:
        """The span of the first other spelling in ``text[:stop]`` (:class:`OtherSpelling`); None when it has none."""
        spans = [span for other in self._others if (span := next(other.spans(text, 0, stop), None))]
        return min(spans) if spans else None

    def marked(self, text: str) -> SafeString | None:
        """All of ``text`` (a short one: a field's value) with its wanted words marked; None when it has none."""
        if not text or not (self.wanted or self._others):
            return None
        marked, marks = self._mark(text)
        if not marks and DROPPED_CHAR_RE.search(text):
            marked, marks = self._mark(without_dropped_chars(text))
        return mark_safe(marked) if marks else None  # noqa: S308 - escaped by _mark

    @staticmethod
    def start(text: str) -> SafeString:
        """The start of ``text``, as a snippet shows a text none of whose words is wanted."""
        width = SNIPPET_RADIUS * 2
        return escape(text[:width] + ("…" if len(text) > width else ""))

    def _mark(self, window: str) -> tuple[str, int]:
        """``window`` escaped, its wanted words and other spellings (each one mark: «<mark>закладів загальної
        середньої освіти</mark>») in ``<mark>``, and how many it marked."""
        spans = [match.span() for match in self._words(window, 0, len(window))]
        if self._others:
            spans = _apart(spans + [span for other in self._others for span in other.spans(window, 0, len(window))])
        parts, position = [], 0
        for start, end in spans:
            parts.append(html.escape(window[position:start]))
            parts.append(f"<mark>{html.escape(window[start:end])}</mark>")
            position = end
        parts.append(html.escape(window[position:]))
        # Every piece of text in ``parts`` went through html.escape() (what Django's escape() calls, without its
        # wrapper for lazy texts: ~5 µs a call); only the <mark> tags are markup.
        return "".join(parts), len(spans)


def _folded(text: str, start: int, end: int) -> str | None:
    """``text[start:end]`` lowercased, its apostrophes as the forms write them ("'"), for :class:`Forms` to find
    the places of forms in; None when a letter's lowercase is longer (the places would not be the text's)."""
    folded = text[start:end].lower().replace("’", "'").replace("ʼ", "'")
    return folded if len(folded) == end - start else None


def _apart(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """``spans`` in order, each that overlaps one before it (or a longer one at its place) left out."""
    kept: list[tuple[int, int]] = []
    for span in sorted(spans, key=lambda span: (span[0], -span[1])):  # of two at one place, the longer
        if not kept or span[0] >= kept[-1][1]:
            kept.append(span)
    return kept


class OtherSpelling:
    """Where a text writes the other spelling of an abbreviation or full name among a query's words
    (``search.abbreviations``): its words in a row, each with a lemma of its word of the spelling, stop words
    between them passed over, as the engine's phrase of lemmas found it (PostgreSQL and OpenSearch count no
    position for a stop word). Its first word is looked for by its forms (:class:`Forms`, in the text lowercased:
    a compound's by its last part's, «ресурсного» in «інклюзивно-ресурсного»; an abbreviation the dictionary
    lacks by itself), or word by word when they may not be all the words of its lemma (a lemma not in the
    dictionary, as for :func:`search.analysis.closed_forms`). Not found: a first word with a Latin look-alike
    letter (taking the first word from the text's distinct words by set operations would find it, but cost
    more: the 104 laws' snippets for «ЗЗСО» took 196 ms that way against 128 ms); the query's own words are
    found so, the long way.

    A passage of such a text starts at the spelling, not at the first of its words: for «ЗЗСО» at «закладів
    загальної середньої освіти», not at an «освіти» anywhere before it."""

    def __init__(self, groups: tuple[tuple[str, ...], ...]):
        self.groups = groups
        self._first = set(groups[0])
        lasts = {lemma.rsplit("-", 1)[-1] for lemma in self._first}
        forms = [form for lemma in lasts for form in lemma_forms(lemma)]
        # An abbreviation the dictionary lacks is the lemma of itself alone (search.abbreviations.unknown_words).
        closed = closed_forms(lasts - unknown_words()) is not None
        self._forms = Forms(forms, parts=lasts != self._first) if closed else None

    @classmethod
    @functools.lru_cache(maxsize=256)
    def of(cls, groups: tuple[tuple[str, ...], ...]) -> OtherSpelling:
        """The spelling of these lemma groups, kept per process (the table's, each read once)."""
        return cls(groups)

    def spans(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        """(start, end) of each place in ``text[start:end]`` where it is written, in order."""
        for at, word_end in self._first_words(text, start, end):
            last = self._rest(text, word_end, end)
            if last is not None:
                yield at, last

    def _first_words(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        if self._forms is not None:
            folded = _folded(text, start, end)
            if folded is not None:  # else read word by word
                for at, word_end in self._forms.places(folded, 0, len(folded)):
                    if not self._first.isdisjoint(word_lemmas(text[start + at : start + word_end])):
                        yield start + at, start + word_end
                return
        for word in WORD_RE.finditer(text, start, end):
            if not self._first.isdisjoint(word_lemmas(word.group())):
                yield word.span()

    def _rest(self, text: str, position: int, end: int) -> int | None:
        """Where the spelling's words after the first end, read from ``position``; None when they are not there."""
        for group in self.groups[1:]:
            while True:
                word = WORD_RE.search(text, position, end)
                if word is None:
                    return None
                position = word.end()
                if word.group().lower() not in STOP_WORDS:
                    break
            if set(group).isdisjoint(word_lemmas(word.group())):
                return None
        return position


#: Forms are looked for by the first this many letters they share with the others that start with them.
STEM_LETTERS = 3


class Forms:
    """The places of the words (``WORD_RE``) among ``forms`` in a text, found with ``str.find``: the forms grouped
    by their first STEM_LETTERS letters, each group looked for by the prefix its forms share (a lemma's forms
    mostly share their stem: one or two groups), and each place found kept where a word starts
    (:func:`search.analysis.token_starts_at`: not the «2024» of «01.09.2024») that is one of them. A form that
    is not one word is never found: a snippet marks whole words only. With ``parts``, a word of letters joined
    by hyphens with a part among the forms is found too, whole («санітарно-епідеміологічної» for the forms of
    «епідеміологічний»: :func:`search.analysis.compound_parts`).

    A regular expression of the forms found the same places as fast, but compiling it took 0.3-0.6 ms per
    query (~0.2 ms a lemma, in Python's regular expression compiler): a query not seen before paid it for each
    lemma (``benchmarks/search_profile.py``, 100,000 acts on SQLite); grouping the forms takes ~10 µs."""

    def __init__(self, forms, *, parts: bool = False):
        groups: dict[str, list[str]] = {}
        for form in filter(None, forms):
            groups.setdefault(form[:STEM_LETTERS], []).append(form)
        self.stems = [_Stem.of(group, parts=parts) for group in groups.values()]

    def places(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        """(start, end) of each word of ``text[start:end]`` (one cut at ``end`` whole there) that is one of the
        forms (or, with ``parts``, has a part that is), in order."""
        found = [stem.places(text, start, end) for stem in self.stems]
        if len(found) == 1:
            return found[0]
        # Words do not overlap, and a word is of one group, but a word of two parts may be found by each.
        return (place for place, _same in itertools.groupby(heapq.merge(*found)))


@dataclass(frozen=True)
class _Stem:
    """Forms that start alike: the prefix they share, the forms, and whether a hyphenated word with a part among
    them is found (:class:`Forms`)."""

    prefix: str
    forms: frozenset[str]
    parts: bool = False

    @classmethod
    def of(cls, forms: list[str], *, parts: bool = False) -> _Stem:
        return cls(_shared_prefix(forms), frozenset(forms), parts)

    def places(self, text: str, start: int, end: int) -> Iterator[tuple[int, int]]:
        parts = self.parts
        # Most texts write their hyphens as "-": a word's look-alike ones are looked for only in a text that has one.
        lookalikes = parts and any(text.find(hyphen, start, end) >= 0 for hyphen in HYPHENS[1:])
        at = text.find(self.prefix, start, end)
        while at >= 0:
            # From ``at`` to the end of the word it is in. Where no word starts at ``at``, that piece ends where
            # the word does or before: no word starts inside it.
            word = WORD_RE.match(text, at, end)
            if word is None:
                at = text.find(self.prefix, at + 1, end)
                continue
            rest = word.group()
            if rest in self.forms and token_starts_at(text, at):
                yield at, word.end()
            elif (
                parts
                and ("-" in rest or (at and text[at - 1] in HYPHENS) or (lookalikes and HYPHEN_RE.search(rest)))
                and (first := self._hyphenated_start(text, at, rest, start)) is not None
            ):
                yield first, word.end()
            at = text.find(self.prefix, word.end(), end)

    def _hyphenated_start(self, text: str, at: int, rest: str, lowest: int) -> int | None:
        """Where the word of letters joined by hyphens that ``rest`` ends (the text from ``at`` to that word's
        end) starts, when a part of it from ``at`` on is one of the forms and it starts at ``lowest`` or after;
        None otherwise. Each word is read once: the search goes on past its end."""
        parts = HYPHEN_RE.split(rest)
        if self.forms.isdisjoint(parts):  # the prefix inside a part that is no form
            return None
        first = compound_start(text, at, lowest)
        if first is None or has_digit(rest):
            return None
        if first < at and text[at - 1] not in HYPHENS:
            parts = parts[1:]  # ``at`` is inside a part: its first piece is none
        return None if self.forms.isdisjoint(parts) else first


def _shared_prefix(words: list[str]) -> str:
    """The longest prefix all ``words`` share (that of the first and the last in order)."""
    first, last = min(words), max(words)
    size = 0
    while size < len(first) and first[size] == last[size]:
        size += 1
    return first[:size]


@functools.lru_cache(maxsize=4_096)
def _lemma_forms(lemma: str) -> Forms:
    """The :class:`Forms` of a lemma's dictionary forms, kept per process (the 4,096 last used)."""
    return Forms(lemma_forms(lemma), parts=True)


def _runs_with_dropped_chars(text: str, stop: int) -> set[str]:
    """The runs (between spaces) of ``text[:stop]`` with a character the analysis drops inside a word; each
    character read at most twice, however many such characters a run has."""
    runs, covered, stop = set(), 0, min(stop, len(text))
    for match in DROPPED_CHAR_RE.finditer(text, 0, stop):
        start, end = match.start(), match.end()
        if start < covered:  # in the run found last
            continue
        while start and not text[start - 1].isspace():
            start -= 1
        while end < stop and not text[end].isspace():
            end += 1
        runs.add(text[start:end])
        covered = end
    return runs


def _words_of_runs(runs) -> set[str]:
    """The words of ``runs`` (with characters the analysis drops inside a word) as the analysis reads them."""
    return {word for run in runs for word in WORD_RE.findall(without_dropped_chars(run))}


def _first_word(text: str, forms: Forms, start: int, end: int) -> re.Match | None:
    """The first whole word of ``text[start:end]`` among ``forms``."""
    place = next(forms.places(text, start, end), None)
    return None if place is None else WORD_RE.match(text, place[0])


#: Characters that open what follows them: a window starting at a word keeps the one before it.
_OPENING = "«„“\"'(["


def _without_cut_words(text: str, start: int, end: int, match: tuple[int, int]) -> tuple[int, int]:
    """``text[start:end]``, the window around ``match`` (a word's span in it), from its first whole word (past a
    piece of a word it cuts and what follows up to the next word, but with a quote or bracket that opens that
    word) to its last whole word and what follows it up to a space; never less than the match.

    A snippet's window cut words of the text in two: besides the broken word shown, each piece was a new word
    to analyse when the window's words were marked (~40 % of the words a query's snippets analysed for the
    first time were such pieces, each ~50 µs in pymorphy3's guesser)."""
    if start > 0:
        starts = (word.start() for word in WORD_RE.finditer(text, start, end) if token_starts_at(text, word.start()))
        if (first := next(starts, None)) is not None:
            start = first
            if start > 0 and text[start - 1] in _OPENING:
                start -= 1
    while start < match[0] and text[start].isspace():
        start += 1
    if end < len(text):
        # The words after the match are the text's own (it ends one): back to the start of one the window cuts.
        cut = next((word for word in WORD_RE.finditer(text, match[1]) if word.end() > end), None)
        if cut is not None:
            end = min(end, cut.start())
    while end > start and text[end - 1].isspace():
        end -= 1
    return min(start, match[0]), max(end, match[1])


def _cut(text: str, limit: int) -> int:
    """Where to stop scanning ``text`` at about ``limit`` characters without cutting a word."""
    if len(text) <= limit:
        return len(text)
    space = text.rfind(" ", 0, limit)
    return space if space > 0 else limit
