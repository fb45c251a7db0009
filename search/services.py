"""One search over regulations, announcements, reports, studies, articles and documents, inside the user's
scope, on whichever backend is configured (falling back to the database when the engine is unreachable)."""

import copy
import functools
import itertools
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from heapq import merge

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.db import connections, router
from django.db.models import QuerySet
from django.utils import timezone
from wagtail.models import Page
from wagtail.search.backends import get_search_backend
from wagtail.search.query import And, Fuzzy, Or, Phrase, PlainText

from cms.library.models import DocumentKind, LibraryDocument, issuer_contains
from cms.org.scope import district_collection_ids, once_per_block, read_once, subtree, visible
from cms.pages.models import (
    AnnouncementPage,
    DistrictSectionPage,
    ExperienceArticlePage,
    ExperienceDistrictPage,
    RegulationPage,
    ReportPage,
    StudyPage,
)

from .abbreviations import Expansion, of_query
from .analysis import (
    LATIN_TO_CYRILLIC,
    LOOKALIKES_CYRILLIC,
    LOOKALIKES_LATIN,
    AnalysedQuery,
    academic_year_spellings,
    analyse_query,
    has_digit,
    lemmatize,
    without_dropped_chars,
)
from .engine import MATCH_CAP, EngineMatches, EngineRequestError, count_among, newest_matches, search_matches
from .models import QueryLogEntry
from .results import HAS_LEGAL_METADATA, PAGE_TYPES, Hit, Result, build_hits, load_results, results_of
from .spelling import as_ukrainian_keys, corrected_query, numbers_apart, on_ukrainian_layout, twin_queries

logger = logging.getLogger(__name__)

# A page type named as a document kind («report») is offered once and filters both.
KIND_CHOICES = [
    *DocumentKind.choices,
    *((key, label) for key, (_model, label) in PAGE_TYPES.items() if key not in DocumentKind.values),
]
SEARCHED_MODELS = [RegulationPage, LibraryDocument, AnnouncementPage, ReportPage, StudyPage, ExperienceArticlePage]


def _engine_errors() -> tuple[type[Exception], ...]:
    """Errors after which the database fallback answers: the engine cannot be reached, or it answered a request
    with an error, or one of an ``_msearch``'s requests failed (:class:`search.engine.EngineRequestError`).
    opensearch-py's ``TransportError`` is both of the first two; the Elasticsearch client's are
    ``elastic_transport.ConnectionError`` and ``ConnectionTimeout``, and ``elasticsearch.ApiError`` (not
    ``elastic_transport.TransportError``, which also holds a body that cannot be serialised: a mistake in the
    code, as on OpenSearch). A request the engine refuses (:func:`_refused`) may be a mistake in the query the
    code built: it is logged as an error."""
    from elastic_transport import ConnectionError as ElasticConnectionError
    from elastic_transport import ConnectionTimeout as ElasticConnectionTimeout
    from elasticsearch import ApiError as ElasticApiError
    from opensearchpy.exceptions import TransportError as OpenSearchTransportError

    return (
        OpenSearchTransportError,
        ElasticConnectionError,
        ElasticConnectionTimeout,
        ElasticApiError,
        EngineRequestError,
        OSError,
    )


ENGINE_ERRORS = _engine_errors()


def _refused(error: Exception) -> bool:
    """Whether the engine refused a request (an HTTP status of 400-499: a query it could not parse, an unknown
    field, a server that is not the engine the client expects), not failed to answer it."""
    status = getattr(error, "status_code", getattr(error, "status", None))
    return isinstance(status, int) and 400 <= status < 500


def _log_engine_error(name: str, error: Exception) -> None:
    if _refused(error):
        logger.error("search backend %s refused the request: %s", name, error, exc_info=error)
    else:
        logger.warning("search backend %s failed: %s", name, error)


class SearchUnavailable(Exception):
    """Neither the configured engine nor the database fallback could answer."""


@dataclass(frozen=True)
class SearchFilters:
    kind: str = ""
    year: int | None = None
    issuer: str = ""
    district_id: int | None = None
    status: str = ""


@dataclass
class SearchOutcome:
    query: AnalysedQuery
    hits: list[Hit]
    total: int
    #: The page shown, of the pages of the results listed: ``total`` unless the engine ranked fewer matches
    #: than it counted (on the database backends, the first ``engine.RANK_CAP`` in the index's order).
    pager: PaginatorPage = field(default_factory=lambda: Paginator((), 10).page(1))
    fallback: bool = False
    #: The engine stopped counting at ``engine.MATCH_CAP``: there are more results than ``total``.
    total_is_lower_bound: bool = False
    #: The query with its misspelt words corrected, when the results are for it (the query as typed found
    #: nothing with all its words: ``_attempts``).
    corrected: str | None = None
    #: (abbreviation, full name) of each abbreviation or full name among the query's words (the corrected query's,
    #: when the results are for it): the results have either spelling (``search.abbreviations``).
    abbreviations: list[tuple[str, str]] = field(default_factory=list)

    @property
    def page(self) -> int:
        return self.pager.number

    @property
    def num_pages(self) -> int:
        return self.pager.paginator.num_pages

    @property
    def listed(self) -> int:
        return self.pager.paginator.count

    @property
    def first_number(self) -> int:
        """The position of the page's first hit among the results."""
        return self.pager.start_index()


def _models_for(filters: SearchFilters) -> list[type]:
    """The content types a search with ``filters`` looks in: a kind names a page type, a kind of document, or
    both («report»); an issuer or a status only acts and documents have."""
    models = list(SEARCHED_MODELS)
    if filters.kind:
        page_type = PAGE_TYPES.get(filters.kind, (None,))[0]
        is_document_kind = filters.kind in DocumentKind.values
        models = [m for m in models if m is page_type or (is_document_kind and m in HAS_LEGAL_METADATA)]
    if filters.issuer or filters.status:
        models = [model for model in models if model in HAS_LEGAL_METADATA]
    return models


def _filtered(user, model, filters: SearchFilters) -> QuerySet:
    qs = visible(user, model._default_manager.all())
    if model in HAS_LEGAL_METADATA:
        if filters.kind:
            qs = qs.filter(kind=filters.kind)
        if filters.issuer:
            qs = qs.filter(issuer__in=_issuers_named(qs, filters.issuer))
        if filters.status:
            qs = qs.filter(status=filters.status)
    if filters.year:
        if model in HAS_LEGAL_METADATA:
            qs = qs.filter(document_date__gte=date(filters.year, 1, 1), document_date__lt=date(filters.year + 1, 1, 1))
        elif model in (ReportPage, StudyPage):
            qs = qs.filter(year=filters.year)
        else:
            start = timezone.make_aware(timezone.datetime(filters.year, 1, 1))
            qs = qs.filter(first_published_at__gte=start, first_published_at__lt=start.replace(year=filters.year + 1))
    if filters.district_id:
        qs = _in_district(qs, model, filters.district_id)
    return qs


def _issuers_named(qs: QuerySet, text: str) -> list[str]:
    """The issuers of ``qs`` whose name contains ``text`` in any case, its apostrophes read alike, as the
    library's issuer filter matches (``issuer_contains``): given to the engine as a list of exact values (an
    engine filters on whole values only)."""
    return list(qs.filter(issuer_contains(text)).order_by().values_list("issuer", flat=True).distinct())


def _in_district(qs: QuerySet, model, district_id: int) -> QuerySet:
    if model is LibraryDocument:
        return qs.filter(collection_id__in=district_collection_ids(district_id))
    # A district's pages live under its section; its schools' articles under its experience folder.
    folder = ExperienceDistrictPage if model is ExperienceArticlePage else DistrictSectionPage
    parent = _district_folder(folder, district_id)
    return qs.filter(subtree(parent)) if parent else qs.none()


@once_per_block
def _district_folder(parent_model, district_id: int) -> str | None:
    """The path of a district's section (or experience folder), read once for the page types of a search."""
    return parent_model.objects.filter(district_id=district_id).order_by().values_list("path", flat=True).first()


class ScopedQuerysets:
    """The user's filtered queryset of each searched model, for one search: each built when first needed
    (loading results needs only the models that matched), the scope rules' data read once (``read_once``)."""

    def __init__(self, user, filters: SearchFilters):
        self.user = user
        self.filters = filters
        self.models = _models_for(filters)
        self._built: dict[type, QuerySet] = {}
        self._for_engine: dict[type, QuerySet] | None = None

    def __getitem__(self, model) -> QuerySet:
        if model not in self._built:
            self._built[model] = _filtered(self.user, model, self.filters)
        return self._built[model]

    def all(self) -> dict[type, QuerySet]:
        return {model: self[model] for model in self.models}

    def for_engine(self) -> dict[type, QuerySet]:
        """What the engine query is given. Without filters, the page types share one queryset on Page (the same
        object); their rule is Page's and no filter touches a field of their own, so it holds the same pages.
        The database engine checks them in one probe of the page table instead of one per type joined to its
        own table; OpenSearch compiles their scope once instead of once per type."""
        if self._for_engine is None:
            if self.filters != SearchFilters():
                self._for_engine = self.all()
            else:
                pages = visible(self.user, Page.objects.all())
                self._for_engine = {model: pages if issubclass(model, Page) else self[model] for model in self.models}
        return self._for_engine


def build_query(analysed: AnalysedQuery, *, operator: str = "and"):
    """The query's quoted phrases and its words, all of them (``and``) or any (``or``); a word with two equally
    likely lemmas («мов»: the particle or «мова»; «садка»: «садка» or «садок») matches either, as its text was
    indexed with both (``search.indexing``): by its first lemma alone, «іноземних мов» did not find «іноземної
    мови». Every phrase is required either way: with any of the words, a query with phrases is its phrases
    alone (their words are among the words, so a text with the phrases has one of them).
    ``And([phrase, PlainText(..., "or")])`` was not that on SQLite: Wagtail writes a plain text's words into
    FTS5 without brackets, where AND binds tighter than OR, so it matched any text with one of the words; its
    ``And`` and ``Or`` of queries are bracketed, so the words' alternatives are written as those."""
    phrases = [_any_reading(readings) for readings in analysed.phrase_readings]
    if phrases and operator == "or":
        return phrases[0] if len(phrases) == 1 else And(phrases)
    groups = analysed.alternatives or [(term,) for term in analysed.terms]
    expanded = of_query(analysed)
    if expanded:
        return _with_other_spellings(phrases, groups, expanded, operator)
    if all(len(group) == 1 for group in groups):  # one lemma a word: the plain text of them all, numbers apart
        plain = [term for term in analysed.terms if not has_digit(term)]
        words = [PlainText(" ".join(plain), operator=operator)] if plain else []
        words += [_term(term) for term in analysed.terms if has_digit(term)]
        if operator == "or" and len(words) > 1:
            return Or(words)
        parts = [*phrases, *words]
    elif operator == "or":
        return Or([_term(lemma) for group in groups for lemma in group])
    else:
        parts = [*phrases, *(_any_lemma(group) for group in groups)]
    return parts[0] if len(parts) == 1 else And(parts)


def _with_other_spellings(phrases: list, groups: list[tuple[str, ...]], expanded: tuple[Expansion, ...], operator: str):
    """:func:`build_query` of a query with abbreviations or their full names (``search.abbreviations``): an
    abbreviation is itself or its full name as a phrase; the words of a full name are those words (all of them,
    or any with ``or``) or the abbreviation."""
    words = [_any_lemma(group) for group in groups]
    others = [
        _any_reading(expansion.abbreviation.readings)
        if expansion.typed_short
        else _any_lemma(expansion.abbreviation.short)
        for expansion in expanded
    ]
    if operator == "or":
        return Or([*(_term(lemma) for group in groups for lemma in group), *others])
    parts: list = list(words)
    for expansion, other in zip(expanded, others, strict=True):
        first, *rest = expansion.terms
        own = words[first] if not rest else And([words[at] for at in expansion.terms])
        parts[first] = Or([own, other])
        for at in rest:
            parts[at] = None
    parts = [*phrases, *(part for part in parts if part is not None)]
    return parts[0] if len(parts) == 1 else And(parts)


def _term(lemma: str):
    """One term: a number as a phrase of one term, which each engine splits as it split the text («нмт-2024» is
    «нмт» and «-2024» to PostgreSQL); Wagtail splits a plain text's terms at every hyphen on PostgreSQL («нмт»,
    «2024»; «1/9-100»: «1/9», «100»), parts that no text indexed there holds."""
    return Phrase(lemma) if has_digit(lemma) else PlainText(lemma)


def _any_reading(readings: tuple[str, ...]):
    """A quoted phrase: any of the lemma sequences it may be indexed as (``search.analysis.phrase_readings``)."""
    return Phrase(readings[0]) if len(readings) == 1 else Or([Phrase(reading) for reading in readings])


def _any_lemma(group: tuple[str, ...]):
    """A word of the query: its lemma, or any of its equally likely lemmas."""
    return _term(group[0]) if len(group) == 1 else Or([_term(lemma) for lemma in group])


#: A number's letters typed on the other keyboard layout («504/96-BP» for «504/96-ВР») look right on the screen:
#: the analysis's look-alike letters, both ways.
_CYRILLIC_TO_LATIN = str.maketrans(LOOKALIKES_CYRILLIC, LOOKALIKES_LATIN)


def number_forms(number: str) -> set[str]:
    """A number as typed, with its look-alike letters in Cyrillic and in Latin, and, for a law numbered by
    convocation («2145-VIII»), the form stored («2145-19»); an academic year in each of its spellings («2023/2024»,
    «2023-2024»: the analysis reads them as one)."""
    from cms.pages.regulations_import import rada_number

    plain = number.replace("№", "").strip()
    folded = plain.lower()
    lookalikes = {folded.translate(LATIN_TO_CYRILLIC), folded.translate(_CYRILLIC_TO_LATIN)}
    return {plain, *lookalikes, rada_number(plain.upper()), *academic_year_spellings(plain)}


def _exact_number_results(querysets: ScopedQuerysets, analysed: AnalysedQuery) -> list[Result]:
    """Acts and documents whose number is exactly one the query names: they rank first."""
    if not analysed.numbers:
        return []
    forms = _case_variants({form.lower() for number in analysed.numbers for form in number_forms(number)})
    found: list[Result] = []
    for model in querysets.models:
        if model in HAS_LEGAL_METADATA:
            found.extend(results_of(querysets[model].filter(number__in=forms)))
    return found


#: A number with more letters than this is matched in lower and upper case only (2**letters variants).
MAX_CASED_LETTERS = 6


def _case_variants(forms: set[str]) -> list[str]:
    """Numbers are stored as published: mostly upper-case letters («103/98-ВР»), not always («254к/96-ВР», the
    Constitution; «1-рп/2020»). Every form with each letter in either case, so a plain match on the number
    (its index) finds it however it was typed; lower and upper case only past MAX_CASED_LETTERS letters."""
    variants = set()
    for form in forms:
        choices = [(char.lower(), char.upper()) if char.lower() != char.upper() else (char,) for char in form]
        if sum(len(choice) > 1 for choice in choices) > MAX_CASED_LETTERS:
            variants.update((form.lower(), form.upper()))
        else:
            variants.update("".join(chars) for chars in itertools.product(*choices))
    return sorted(variants)


def supports_fuzzy(backend) -> bool:
    """OpenSearch and Elasticsearch backends run fuzzy queries; the database backends do not."""
    return hasattr(backend, "es")


def _not_found_by_engine(backend, querysets: ScopedQuerysets, query, results: list[Result]) -> int:
    """How many of ``results`` the engine's query did not match (so the total counts them once): one engine
    count over those objects."""
    if query is None or not results:
        return len(results)
    pks: dict[type, list[int]] = {}
    for result in results:
        pks.setdefault(result.model, []).append(result.row["pk"])
    return len(results) - count_among(backend, querysets, query, pks)


def _backends():
    from django.conf import settings

    yield "default", search_backend("default")
    if "fallback" in settings.WAGTAILSEARCH_BACKENDS:
        yield "fallback", search_backend("fallback")


_search_backends: dict[str, tuple[dict, object]] = {}


def search_backend(name: str):
    """The configured search backend ``name``, one object per configuration and process: Wagtail's
    ``get_search_backend`` makes a new one, with a new engine client, at each call, so each search opened a new
    connection to OpenSearch. A changed configuration (``WAGTAILSEARCH_BACKENDS``) makes a new one."""
    from django.conf import settings

    config = settings.WAGTAILSEARCH_BACKENDS[name]
    cached = _search_backends.get(name)
    if cached is None or cached[0] != config:
        cached = _search_backends[name] = (copy.deepcopy(config), get_search_backend(name))
    return cached[1]


# Letters a Ukrainian typist gets on a Russian layout: ы for і, ъ for ї, э for є, and ё for the apostrophe (the
# key left of 1: «обёэднання» for «об'єднання»).
KEYBOARD_SLIPS = str.maketrans({"ы": "і", "Ы": "І", "ъ": "ї", "Ъ": "Ї", "э": "є", "Э": "Є", "ё": "'", "Ё": "'"})


def run_search(
    user,
    text: str,
    *,
    filters: SearchFilters | None = None,
    order: str = "relevance",
    page: int = 1,
    per_page: int = 10,
    log: bool = True,
) -> SearchOutcome:
    filters = filters or SearchFilters()
    analysed = analyse_query((text or "").translate(KEYBOARD_SLIPS))
    if analysed.is_empty and not analysed.numbers:
        return SearchOutcome(query=analysed, hits=[], total=0)
    # Past the counted matches there is no page: the last one is shown (and the engine asked for no more).
    page = min(max(1, page), -(-(MATCH_CAP + 1) // per_page))
    limit = page * per_page
    by_date = order == "date"
    last_error = None
    with read_once():  # the scope rules' data is read once for the six content types
        querysets = ScopedQuerysets(user, filters)
        if not querysets.models:  # filters no content type has (a page type with an issuer)
            if log and page == 1:
                record_query(text, 0)
            return SearchOutcome(query=analysed, hits=[], total=0)
        for name, backend in _backends():
            try:
                if by_date:
                    found = _search_all_by_date(backend, querysets, analysed, limit=limit)
                else:
                    found = _search_all(backend, querysets, analysed, limit=limit)
                exact = _exact_number_results(querysets, analysed)
                missing = _not_found_by_engine(backend, querysets, found.attempt and found.attempt.query, exact)
            except ENGINE_ERRORS as error:
                _log_engine_error(name, error)
                last_error = error
                continue
            ordered = _with_exact_numbers(found.results, exact, by_date=by_date)
            total = found.total + missing
            listed = total if found.listable is None else min(total, found.listable + missing)
            # The results are counted, not held: the paginator pages a range of their positions. Beyond the last
            # page, the last (``ordered`` holds it).
            pager = Paginator(range(listed), per_page).get_page(page)
            # The words marked in the snippets are those the results were found by (maybe corrected).
            shown = found.attempt.analysed if found.attempt else analysed
            expanded = found.attempt.expanded if found.attempt else ()
            outcome = SearchOutcome(
                query=analysed,
                hits=build_hits(
                    _completed(querysets, ordered[(pager.number - 1) * per_page : pager.number * per_page]),
                    shown,
                    backend,
                    expanded,
                ),
                total=total,
                pager=pager,
                fallback=name != "default",
                total_is_lower_bound=found.capped,
                corrected=found.attempt.corrected if found.attempt else None,
                abbreviations=list(
                    dict.fromkeys((each.abbreviation.written, each.abbreviation.name) for each in expanded)
                ),
            )
            if log and page == 1:  # a later page is the same search read further, not another one
                record_query(text, total)
            return outcome
    raise SearchUnavailable from last_error


def _completed(querysets: ScopedQuerysets, results: list[Result]) -> list[Result]:
    """The results with the rows they are shown with. Those ranked as the engine read them (not ``complete``: a
    search by relevance) are read from the database inside the user's scope, as candidates are
    (``load_results``, one statement per content type, with the start of each one's snippet text), and left out
    when it holds them no more (an index behind the database): a page then shows fewer, the other pages the same
    results. Ranking the candidates on what the engine read, the database reads the ten hits shown, not each
    type's fifty candidates: at 100,000 acts on SQLite ~1.8 → ~0.5 ms (``benchmarks/search_profile.py
    opensearch``); on the database backends it is also the statement that read the hits' texts apart."""
    partial: dict[type, list[int]] = {}
    for result in results:
        if not result.complete:
            partial.setdefault(result.model, []).append(result.row["pk"])
    if not partial:
        return results
    given = querysets.for_engine()  # the querysets the engine was given
    loaded = {
        (model, pk): result
        for model, pks in partial.items()
        for pk, result in load_results(given[model], pks, model=model, with_heads=True).items()
    }
    return [
        result if result.complete else loaded[result.key]
        for result in results
        if result.complete or result.key in loaded
    ]


def _with_exact_numbers(results: list[Result], exact: list[Result], *, by_date: bool) -> list[Result]:
    """The engine's results with the acts and documents whose number the query names: first when ordered by
    relevance, in their place by date when newest first (a law searched by its official number, «463-IX», is
    stored as «463-20», which the engine's words do not match)."""
    if by_date:
        unique = {result.key: result for result in [*results, *exact]}
        return sorted(unique.values(), key=_newest_first, reverse=True)
    exact_keys = {result.key for result in exact}
    return [*exact, *(result for result in results if result.key not in exact_keys)]


def _newest_first(result: Result) -> tuple:
    return *result.sort_moment, result.model.__name__, result.row["pk"]


#: A word of a title as autocomplete is given it: letters and digits, with apostrophes inside. Wagtail's backends
#: put the typed text into the engine's own syntax: on SQLite inside an FTS5 string, which a double quote ended
#: early; a NUL is refused by SQLite and by PostgreSQL's driver alike; on PostgreSQL a text of hyphens only
#: leaves no lexeme, and its query compiler fails.
_TITLE_WORD_RE = re.compile(r"[\w’'ʼ]+")


#: The shortest text typed that autocomplete suggests titles for (its words, without the marks around them).
AUTOCOMPLETE_MIN_CHARS = 2


def autocomplete_titles(user, text: str, *, limit: int = 8) -> list[tuple[str, str]]:
    """(title, URL) of up to ``limit`` objects of the searched types in the user's scope with a title word
    starting with ``text``: titles that start with it first, then by type in the search's order (acts,
    documents, announcements …) and the engine's order within a type; from the first backend that answers
    (none when no backend does: the search box goes on working without suggestions). Only the words typed
    are given (``_TITLE_WORD_RE``, with a letter or a digit): quotes, brackets, hyphens and other marks are
    left out, and the characters the analysis drops inside a word (``search.analysis.without_dropped_chars``: a
    stress mark or a soft hyphen pasted with the word split it); with less than AUTOCOMPLETE_MIN_CHARS of them,
    there are no suggestions. A text with keys of the English layout that suggests nothing is taken as typed
    with that layout on: the Ukrainian letters on those keys are suggested for («Gjhzl»: «Поряд»;
    ``search.spelling.as_ukrainian_keys``)."""
    backends = list(_backends())
    found = _titles_starting(user, text, limit, backends)
    for other in as_ukrainian_keys(text):
        if found != []:
            break
        found = _titles_starting(user, other, limit, backends)
    return found or []


def _titles_starting(user, text: str, limit: int, backends: list[tuple[str, object]]) -> list[tuple[str, str]] | None:
    """:func:`autocomplete_titles` of ``text`` as typed, from the first of ``backends`` that answers; None when
    none does. One that fails is taken off the list: the retry does not wait for an unreachable engine again."""
    words = (word.strip("’'ʼ") for word in _TITLE_WORD_RE.findall(without_dropped_chars(text)))
    text = " ".join(word for word in words if any(char.isalnum() for char in word))
    if len(text) < AUTOCOMPLETE_MIN_CHARS:  # a prefix of one letter would match most titles
        return []
    start = text.casefold()
    with read_once():  # the scope rules' data is read once for the six content types
        for name, backend in list(backends):
            try:
                found = [
                    obj
                    for model in SEARCHED_MODELS
                    for obj in backend.autocomplete(
                        text, visible(user, model._default_manager.all()), fields=["title"]
                    )[:limit]
                ]
            except ENGINE_ERRORS as error:
                _log_engine_error(name, error)
                backends.remove((name, backend))
                continue
            found.sort(key=lambda obj: not obj.title.casefold().startswith(start))  # stable: the order above stays
            return [(obj.title, obj.url) for obj in found[:limit]]
    return None


#: The first matches of each of the engine's rankings that the title re-ranking sees (:func:`_rank`): a content
#: type's, or on OpenSearch and Elasticsearch, without filters, the page types' together (``search.engine``).
CANDIDATES_PER_RANKING = 50


@dataclass(frozen=True)
class Attempt:
    """One engine query of a search, the analysis it is built of (its words are marked in the snippets), and
    the corrected query text when it asks for the query's misspelt words corrected."""

    query: object
    analysed: AnalysedQuery
    corrected: str | None = None
    #: The abbreviations and full names the query asks for in their other spelling too (``search.abbreviations``).
    expanded: tuple[Expansion, ...] = ()


@dataclass
class Found:
    """What one backend found: the total (a lower bound when ``capped``), the first results in order, and the
    attempt that found them (None when none did)."""

    total: int
    capped: bool
    results: list[Result]
    attempt: Attempt | None = None
    #: How many results pages can list, None for ``total`` (``EngineMatches.rankable``).
    listable: int | None = None


def _attempts(backend, analysed: AnalysedQuery) -> Iterator[Attempt]:
    """The engine queries to try, each only when the ones before it found nothing: all the words; all the words
    with the misspelt ones corrected (:func:`_corrected`); all the words written otherwise (:func:`_rewritten`:
    typed with the English layout on, then also with a word written together with a number); all the words with
    one real word typed for its twin (:func:`_twins`); near spellings where the engine has them; any of the
    words, as typed, corrected or written otherwise. The corrections are looked for only when all the words as
    typed found nothing."""
    if not (analysed.terms or analysed.phrase_lemmas):
        return
    yield Attempt(build_query(analysed, operator="and"), analysed, expanded=of_query(analysed))
    corrected = _corrected(analysed)
    layout = _rewritten(on_ukrainian_layout, corrected or analysed, analysed)
    apart = _rewritten(numbers_apart, layout or corrected or analysed, analysed)
    for changed in (corrected, layout, apart):
        if changed is not None:
            yield Attempt(build_query(changed, operator="and"), changed, changed.original, of_query(changed))
    # The letters meant in place of keys typed with the English layout on («dbie jcdsne»: «вишу освіту», whose
    # twin is «вищу освіту»; near spellings of the letters).
    meant = layout or analysed
    for twin in _twins(layout or corrected or analysed):
        yield Attempt(build_query(twin, operator="and"), twin, twin.original, of_query(twin))
    if supports_fuzzy(backend) and meant.terms and not meant.phrases:
        yield Attempt(Fuzzy(" ".join(meant.terms), operator="and"), meant)
    # The words as typed and corrected, or the letters meant; a word and its number apart beside the two together.
    relaxed = layout or (analysed if corrected is None else _either(analysed, corrected))
    if apart is not None:
        relaxed = _either(relaxed, apart)
    quoted = {word for lemmas in [*analysed.phrase_lemmas, *relaxed.phrase_lemmas] for word in lemmas.split()}
    # With one word, "any word" is "all words" again; with every word in quotes, it is the phrases again.
    if len(relaxed.terms) + len(relaxed.phrase_lemmas) > 1 and not set(relaxed.terms) <= quoted:
        # Any of the words of a query with phrases is its phrases alone (build_query): no other spelling.
        expanded = () if relaxed.phrase_readings else of_query(relaxed)
        yield Attempt(build_query(relaxed, operator="or"), relaxed, expanded=expanded)


def _corrected(analysed: AnalysedQuery) -> AnalysedQuery | None:
    """The analysis of the query with its misspelt words corrected (``search.spelling``), None when no word
    is, the correction asks for the same lemmas, or for nothing (a stop word: «тількі» is «тільки»)."""
    text = corrected_query(analysed.original)
    if text is None:
        return None
    corrected = analyse_query(text)
    return corrected if _may_find_more(corrected, analysed) else None


def _rewritten(rewrite, query: AnalysedQuery, analysed: AnalysedQuery) -> AnalysedQuery | None:
    """The analysis of ``query``'s text written otherwise by ``rewrite`` (``search.spelling``: the keys typed
    with the English layout on as the Ukrainian letters on them, ``on_ukrainian_layout``: «yfrfp» → «наказ»; or
    each word written together with a number apart from it, ``numbers_apart``: «ЗНО-2024» → «ЗНО 2024»); None
    when it has nothing to rewrite, or the rewritten query may not find what ``analysed`` (the query as typed)
    did not (:func:`_may_find_more`: «"ЗНО-2024" ЗНО-2024» asks for all it asked for and more)."""
    text = rewrite(query.original)
    if text is None:
        return None
    changed = analyse_query(text)
    return changed if _may_find_more(changed, analysed) else None


def _twins(analysed: AnalysedQuery) -> Iterator[AnalysedQuery]:
    """The analyses of the query with one known word replaced by its twin (``search.spelling.twin_queries``:
    «вишу освіту» → «вищу освіту»), those that may find what the query did not, each asking for other words
    than the twins before it."""
    tried = set()
    for text in twin_queries(analysed.original):
        twin = analyse_query(text)
        if _may_find_more(twin, analysed) and (asked := _asked(twin)) not in tried:
            tried.add(asked)
            yield twin


def _may_find_more(changed: AnalysedQuery, analysed: AnalysedQuery) -> bool:
    """Whether the changed query, all of whose words and phrases are required, may find something when
    ``analysed`` (all of its words) found nothing: it asks for something, and not for all that ``analysed``
    asked for, and more (each twin of «вища освіта вищу» keeps the other word's «вищий»), compared as sets."""
    return bool(changed.terms or changed.phrase_lemmas) and not _asked(changed) >= _asked(analysed)


def _asked(analysed: AnalysedQuery) -> frozenset:
    """What the query asks the engine for, all of it required: each word's lemmas and each phrase's readings."""
    return frozenset(
        [*(("word", group) for group in analysed.alternatives), *(("phrase", r) for r in analysed.phrase_readings)]
    )


def _either(typed: AnalysedQuery, corrected: AnalysedQuery) -> AnalysedQuery:
    """The corrected query with the words as typed beside its own, for "any of the words": a name the
    dictionary does not know («Тимошук») was corrected into another word («Тимощук»), and only the text as typed
    has it. So each quoted phrase (always required) is the phrase corrected or as typed («вчительці Тимошук»);
    when the correction left fewer phrases (one of stop words only, or two the same), those as typed."""
    words = dict.fromkeys(
        [*zip(corrected.terms, corrected.alternatives, strict=True), *zip(typed.terms, typed.alternatives, strict=True)]
    )
    phrase_lemmas, readings = typed.phrase_lemmas, typed.phrase_readings
    if len(corrected.phrase_readings) == len(typed.phrase_readings):
        phrase_lemmas = corrected.phrase_lemmas
        readings = [
            tuple(dict.fromkeys([*ours, *theirs]))
            for ours, theirs in zip(corrected.phrase_readings, typed.phrase_readings, strict=True)
        ]
    return replace(
        corrected,
        terms=[term for term, _group in words],
        alternatives=[group for _term, group in words],
        phrase_lemmas=phrase_lemmas,
        phrase_readings=readings,
    )


def _search_all(backend, querysets: ScopedQuerysets, analysed: AnalysedQuery, *, limit: int) -> Found:
    # Enough candidates per ranking for the re-ranking below to see the best titles, not only the page.
    fetch = max(limit, CANDIDATES_PER_RANKING)
    matches, used = EngineMatches(), None
    engine_querysets = querysets.for_engine()
    for attempt in _attempts(backend, analysed):
        matches = search_matches(backend, engine_querysets, attempt.query, per_model=fetch)
        if matches.total:
            used, analysed = attempt, attempt.analysed
            break
    positions: dict[tuple, tuple[int, Result]] = {}
    for model in matches.ranked:
        # Ranked as every engine read them (``EngineMatches.rows``): the database reads the hits shown only.
        loaded = {row["pk"]: Result(model, row, complete=False) for row in matches.rows[model]}
        for position, pk in matches.placed(model):
            result = loaded.get(int(pk))
            if result is not None:
                positions.setdefault(result.key, (position, result))
    wanted = _wanted_in_titles(analysed, used.expanded if used else ())
    ranked = sorted(positions.values(), key=lambda item: _rank(item[1], wanted, item[0]), reverse=True)
    results = [result for _position, result in ranked[:limit]]
    return Found(matches.total, matches.capped, results, used, matches.rankable)


def _search_all_by_date(backend, querysets: ScopedQuerysets, analysed: AnalysedQuery, *, limit: int) -> Found:
    matches, used = EngineMatches(), None
    date_fields = {model: _date_field(model) for model in querysets.models}
    for attempt in _attempts(backend, analysed):
        matches = newest_matches(backend, querysets.all(), attempt.query, per_model=limit, date_fields=date_fields)
        if matches.total:
            used = attempt
            break
    streams = [_in_order(querysets[model], pks) for model, pks in matches.ranked.items()]
    merged = merge(*[sorted(s, key=_newest_first, reverse=True) for s in streams], key=_newest_first, reverse=True)
    unique = list({result.key: result for result in merged}.values())  # dicts keep the merged order
    return Found(matches.total, matches.capped, unique[:limit], used)


def _date_field(model) -> str:
    """The date field a search ordered newest first orders ``model`` by: the date shown in results
    (``search.results._date_of``)."""
    return "document_date" if model in HAS_LEGAL_METADATA else "first_published_at"


def _in_order(qs: QuerySet, pks: list[int]) -> list[Result]:
    loaded = load_results(qs, pks)
    return [loaded[pk] for pk in pks if pk in loaded]


def _wanted_in_titles(analysed: AnalysedQuery, expanded: tuple[Expansion, ...]) -> list[set[str]]:
    """The query's words as a title may name them (:func:`_rank`): its terms, and where the engine was asked for
    abbreviations or full names in their other spelling too (``expanded``: ``search.abbreviations``), the terms
    with each one's other spelling instead, then with every one's (not each pair of three or more): «НУШ» names
    the title «Нова українська школа», «заклади загальної середньої освіти» the title «ЗЗСО»."""
    own = set(analysed.terms)
    swaps = [
        ({analysed.terms[at] for at in expansion.terms}, {group[0] for group in expansion.other_groups})
        for expansion in expanded
    ]
    variants = [(own - typed) | other for typed, other in swaps]
    if len(swaps) > 1:
        every = own
        for typed, other in swaps:
            every = (every - typed) | other
        variants.append(every)
    return [own, *variants]


def _rank(result: Result, wanted: list[set[str]], position: int) -> tuple:
    """Ranking across content types. Engines' scores are not comparable across their rankings (SQLite's bm25 is
    negative, lower being better; OpenSearch scores the documents' index apart from the pages'), so within a
    ranking (a content type's, or the page types' together: ``search.engine.EngineMatches.placed``) the engine's
    own order counts, as the position. Before it: a title that is just the query's words, then a title made only
    of query words, then a title naming every query word; an act in force before a repealed one. Ties break by
    type and id.

    Only each ranking's first CANDIDATES_PER_RANKING are re-ranked so; the others follow them in the engine's order.
    Pages past the fifth read more candidates: re-ranked too, an act in force at the engine's 51st place rose
    above the pages already shown, and the pages shifted (a result shown twice, another never)."""
    if position >= CANDIDATES_PER_RANKING:
        return 0, 0, 0, -position, result.model.__name__, result.row["pk"]
    title = _title_lemmas(result.title)
    # Most queries have no abbreviation: one set of words, without a generator's cost for each of 50 candidates.
    title_rank = _title_rank(title, wanted[0]) if len(wanted) == 1 else max(_title_rank(title, w) for w in wanted)
    in_force = 0 if result.row.get("status", "") == "repealed" else 1
    return 1, title_rank, in_force, -position, result.model.__name__, result.row["pk"]


def _title_rank(title: tuple[str, ...], wanted: set[str]) -> int:
    """3: a title that is just the query's words, 2: made only of them, 1: naming each of them, 0: the others."""
    made_of_wanted = wanted.issuperset(title)
    if wanted and made_of_wanted and len(title) == len(wanted):
        return 3
    if title and made_of_wanted:
        return 2
    if wanted and wanted.issubset(title):
        return 1
    return 0


@functools.lru_cache(maxsize=50_000)
def _title_lemmas(title: str) -> tuple[str, ...]:
    """A title's distinct lemmas, kept per title: the same acts come back as candidates of many searches. A tuple
    of strings, which the garbage collector stops walking (``search.analysis._FiledWords``)."""
    return tuple(dict.fromkeys(lemmatize(title).split()))


def record_query(text: str, results: int) -> None:
    """Count the query for the day, in one statement; no user identity is stored."""
    query = " ".join(text.lower().split())[:255]
    if not query:
        return
    connection = connections[router.db_for_write(QueryLogEntry)]
    table = connection.ops.quote_name(QueryLogEntry._meta.db_table)
    with connection.cursor() as cursor:
        # PostgreSQL and SQLite (3.24+) both have INSERT ... ON CONFLICT DO UPDATE.
        cursor.execute(
            f"INSERT INTO {table} (query, day, searches, results, unanswered) VALUES (%s, %s, 1, %s, %s) "  # noqa: S608
            f"ON CONFLICT (query, day) DO UPDATE SET searches = {table}.searches + 1, results = excluded.results, "
            f"unanswered = {table}.unanswered + excluded.unanswered",
            [query, connection.ops.adapt_datefield_value(timezone.localdate()), results, int(results == 0)],
        )
