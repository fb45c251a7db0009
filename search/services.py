"""One search over regulations, announcements, reports, studies, articles and documents, inside the user's
scope, on whichever backend is configured (falling back to the database when the engine is unreachable)."""

import logging
import re
from dataclasses import dataclass, field
from datetime import date
from heapq import merge

from django.db.models import F, QuerySet
from django.utils import timezone
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext_lazy as _
from wagtail.search.backends import get_search_backend
from wagtail.search.query import And, Fuzzy, Phrase, PlainText

from cms.library.models import DocumentKind, LibraryDocument
from cms.org.scope import visible
from cms.pages.models import (
    AnnouncementPage,
    DistrictSectionPage,
    ExperienceArticlePage,
    ExperienceDistrictPage,
    RegulationPage,
    ReportPage,
    StudyPage,
)

from .analysis import AnalysedQuery, analyse_query, lemmatize, word_lemmas
from .engine import EngineMatches, search_matches
from .models import QueryLogEntry

logger = logging.getLogger(__name__)

PAGE_TYPES = {
    "announcement": (AnnouncementPage, _("announcement")),
    "report": (ReportPage, _("report")),
    "study": (StudyPage, _("monitoring study")),
    "article": (ExperienceArticlePage, _("experience article")),
}
KIND_CHOICES = [*DocumentKind.choices, *((key, label) for key, (_model, label) in PAGE_TYPES.items())]
SEARCHED_MODELS = [RegulationPage, LibraryDocument, AnnouncementPage, ReportPage, StudyPage, ExperienceArticlePage]
HAS_LEGAL_METADATA = (RegulationPage, LibraryDocument)
SNIPPET_RADIUS = 110
SNIPPET_SCAN_CHARS = 300_000
WORD_RE = re.compile(r"[\w’'ʼ-]+", re.UNICODE)


def _engine_errors() -> tuple[type[Exception], ...]:
    """Errors that mean the search engine cannot be reached (not a mistake in the query or the code)."""
    try:
        from opensearchpy.exceptions import ConnectionError as EngineConnectionError
        from opensearchpy.exceptions import TransportError
    except ImportError:  # pragma: no cover - opensearch-py is installed with the project
        return (OSError,)
    return (EngineConnectionError, TransportError, OSError)


ENGINE_ERRORS = _engine_errors()


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
class Hit:
    obj: object
    title: str
    url: str
    kind: str
    kind_label: str
    number: str
    date: date | None
    issuer: str
    score: float
    snippet: SafeString = field(default_factory=SafeString)


@dataclass
class SearchOutcome:
    query: AnalysedQuery
    hits: list[Hit]
    total: int
    page: int
    num_pages: int
    fallback: bool = False
    #: The engine stopped counting at ``engine.MATCH_CAP``: there are more results than ``total``.
    total_is_lower_bound: bool = False


def _models_for(filters: SearchFilters) -> list[type]:
    if filters.kind in PAGE_TYPES:
        return [PAGE_TYPES[filters.kind][0]]
    if filters.kind or filters.issuer or filters.status:
        return list(HAS_LEGAL_METADATA)
    return list(SEARCHED_MODELS)


def _filtered(user, model, filters: SearchFilters) -> QuerySet:
    qs = visible(user, model._default_manager.all())
    if model in HAS_LEGAL_METADATA:
        if filters.kind:
            qs = qs.filter(kind=filters.kind)
        if filters.issuer:
            qs = qs.filter(issuer=filters.issuer)
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


def _in_district(qs: QuerySet, model, district_id: int) -> QuerySet:
    if model is LibraryDocument:
        from cms.library.models import CollectionAudience

        collections = CollectionAudience.objects.filter(district_id=district_id).values_list("collection_id", flat=True)
        return qs.filter(collection_id__in=list(collections))
    # A district's pages live under its section; its schools' articles under its experience folder.
    parent_model = ExperienceDistrictPage if model is ExperienceArticlePage else DistrictSectionPage
    parent = parent_model.objects.filter(district_id=district_id).first()
    return qs.filter(path__startswith=parent.path) if parent else qs.none()


def build_query(analysed: AnalysedQuery, *, operator: str = "and"):
    terms = PlainText(" ".join(analysed.terms), operator=operator) if analysed.terms else None
    phrases = [Phrase(text) for text in analysed.phrase_lemmas if text]
    parts = [*phrases, *([terms] if terms else [])]
    return parts[0] if len(parts) == 1 else And(parts)


def _backend_search(backend, qs: QuerySet, query, *, by_date: bool, limit: int):
    if by_date:
        date_field = "document_date" if qs.model in HAS_LEGAL_METADATA else "first_published_at"
        qs = qs.order_by(f"-{date_field}")
        results = backend.search(query, qs, order_by_relevance=False)
    else:
        results = backend.search(query, qs).annotate_score("_score")
    return results.count(), list(results[:limit])


def number_forms(number: str) -> set[str]:
    """A number as typed and, for a law numbered by convocation («2145-VIII»), the form stored («2145-19»)."""
    from cms.pages.regulations_import import rada_number

    plain = number.replace("№", "").strip()
    return {plain, rada_number(plain.upper())}


def _exact_number_hits(user, analysed: AnalysedQuery, filters: SearchFilters) -> list:
    """Acts and documents whose number is exactly one the query names: they rank first."""
    if not analysed.numbers:
        return []
    found = []
    forms = {form.lower() for number in analysed.numbers for form in number_forms(number)}
    for model in [m for m in _models_for(filters) if m in HAS_LEGAL_METADATA]:
        for obj in _filtered(user, model, filters).filter(number__in=_case_variants(forms)):
            if obj not in found:
                found.append(obj)
    return found


def _case_variants(forms: set[str]) -> list[str]:
    """Numbers are stored as published (upper-case letters); match the lower- and upper-case forms."""
    return sorted({variant for form in forms for variant in (form, form.upper())})


def supports_fuzzy(backend) -> bool:
    """OpenSearch and Elasticsearch backends run fuzzy queries; the database backends do not."""
    return hasattr(backend, "es")


def _not_found_by_backend(backend, analysed: AnalysedQuery, objects: list) -> int:
    """How many of ``objects`` the backend's own query did not match (so the total counts them once)."""
    missing = 0
    for obj in objects:
        query = build_query(analysed) if (analysed.terms or analysed.phrase_lemmas) else None
        if query is None or not backend.search(query, type(obj).objects.filter(pk=obj.pk)).count():
            missing += 1
    return missing


def _backends():
    from django.conf import settings

    yield "default", get_search_backend("default")
    if "fallback" in settings.WAGTAILSEARCH_BACKENDS:
        yield "fallback", get_search_backend("fallback")


# Letters a Ukrainian typist gets on a Russian layout: ы for і, ъ for ї, э for є, ё for е.
KEYBOARD_SLIPS = str.maketrans({"ы": "і", "Ы": "І", "ъ": "ї", "Ъ": "Ї", "э": "є", "Э": "Є", "ё": "е", "Ё": "Е"})


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
        return SearchOutcome(query=analysed, hits=[], total=0, page=1, num_pages=1)
    page = max(1, page)
    limit = page * per_page
    by_date = order == "date"
    last_error = None
    for name, backend in _backends():
        try:
            total, capped, candidates = _search_all(backend, user, analysed, filters, by_date=by_date, limit=limit)
        except ENGINE_ERRORS as error:
            logger.warning("search backend %s failed: %s", name, error)
            last_error = error
            continue
        exact = _exact_number_hits(user, analysed, filters) if not by_date else []
        exact_keys = {(type(obj), obj.pk) for obj in exact}
        ordered = [*exact, *(obj for obj in candidates if (type(obj), obj.pk) not in exact_keys)]
        total += _not_found_by_backend(backend, analysed, exact)
        shown = ordered[(page - 1) * per_page : limit]
        _load_long_texts(shown)
        hits = [_hit(obj, analysed) for obj in shown]
        outcome = SearchOutcome(
            query=analysed,
            hits=hits,
            total=total,
            page=page,
            num_pages=max(1, -(-total // per_page)),
            fallback=name != "default",
            total_is_lower_bound=capped,
        )
        if log:
            record_query(text, total)
        return outcome
    raise SearchUnavailable from last_error


CANDIDATES_PER_TYPE = 50
# Long texts the candidates are loaded without: only the page's hits need them, for their snippets.
LONG_TEXT_FIELDS = {RegulationPage: ("text", "summary"), LibraryDocument: ("extracted_text",)}


def _attempts(backend, analysed: AnalysedQuery) -> list:
    """All the words; near spellings where the engine has them; any of the words — each only when the stricter
    one found nothing."""
    if not (analysed.terms or analysed.phrase_lemmas):
        return []
    attempts = [build_query(analysed, operator="and")]
    if supports_fuzzy(backend) and analysed.terms and not analysed.phrases:
        attempts.append(Fuzzy(" ".join(analysed.terms), operator="and"))
    if len(analysed.terms) + len(analysed.phrase_lemmas) > 1:  # with one word, "any word" is "all words" again
        attempts.append(build_query(analysed, operator="or"))
    return attempts


def _search_all(backend, user, analysed, filters, *, by_date: bool, limit: int):
    """(total, whether the total is a lower bound, the first ``limit`` objects in order)."""
    if by_date:
        return _search_all_by_date(backend, user, analysed, filters, limit=limit)
    querysets = {model: _filtered(user, model, filters) for model in _models_for(filters)}
    # Enough candidates per type for the re-ranking below to see the best titles, not only the page.
    fetch = max(limit, CANDIDATES_PER_TYPE)
    matches = EngineMatches()
    for query in _attempts(backend, analysed):
        matches = search_matches(backend, querysets, query, per_model=fetch)
        if matches.total:
            break
    positions: dict[tuple, tuple[int, object]] = {}
    for model, pks in matches.ranked.items():
        order = {str(pk): position for position, pk in enumerate(pks)}
        rows = querysets[model].filter(pk__in=list(order)).defer(*LONG_TEXT_FIELDS.get(model, ()))
        for obj in rows:
            positions.setdefault((type(obj), obj.pk), (order[str(obj.pk)], obj))
    wanted = set(analysed.terms)
    ranked = sorted(positions.values(), key=lambda item: _rank(item[1], wanted, item[0]), reverse=True)
    return matches.total, matches.capped, [obj for _position, obj in ranked[:limit]]


def _search_all_by_date(backend, user, analysed, filters, *, limit: int):
    total = 0
    streams = []
    for query in _attempts(backend, analysed):
        total, streams = 0, []
        for model in _models_for(filters):
            count, objects = _backend_search(backend, _filtered(user, model, filters), query, by_date=True, limit=limit)
            total += count
            streams.append(objects)
        if total:
            break

    def newest(obj):
        return _sort_date(obj), type(obj).__name__, obj.pk

    merged = merge(*[sorted(s, key=newest, reverse=True) for s in streams], key=newest, reverse=True)
    unique = list({(type(obj), obj.pk): obj for obj in merged}.values())  # dicts keep the merged order
    return total, False, unique[:limit]


def _load_long_texts(objects: list) -> None:
    """The candidates came without their long texts; the page's hits need them for their snippets."""
    by_model: dict[type, dict] = {}
    for obj in objects:
        fields = LONG_TEXT_FIELDS.get(type(obj), ())
        if any(name in obj.get_deferred_fields() for name in fields):
            by_model.setdefault(type(obj), {})[obj.pk] = obj
    for model, objs in by_model.items():
        names = LONG_TEXT_FIELDS[model]
        for pk, *values in model._default_manager.filter(pk__in=list(objs)).values_list("pk", *names):
            for name, value in zip(names, values, strict=True):
                setattr(objs[pk], name, value)


def _rank(obj, wanted: set[str], position: int) -> tuple:
    """Ranking across content types. Engines' scores are not comparable across types (and SQLite's bm25 is
    negative, lower being better), so within a type the engine's own order counts, as the position.
    Before it: a title that is just the query's words, then a title made only of query words, then a title
    naming every query word; an act in force before a repealed one. Ties break by type and id, so pages of
    results are stable."""
    title = set(lemmatize(obj.title).split())
    if wanted and title == wanted:
        title_rank = 3
    elif title and title <= wanted:
        title_rank = 2
    elif wanted and wanted <= title:
        title_rank = 1
    else:
        title_rank = 0
    in_force = 0 if getattr(obj, "status", "") == "repealed" else 1
    return title_rank, in_force, -position, type(obj).__name__, obj.pk


def _sort_date(obj) -> date:
    value = getattr(obj, "document_date", None) or getattr(obj, "first_published_at", None)
    if value is None:
        return date.min
    return value if isinstance(value, date) and not hasattr(value, "hour") else timezone.localtime(value).date()


def _hit(obj, analysed: AnalysedQuery) -> Hit:
    if isinstance(obj, LibraryDocument):
        kind, kind_label, url, body = obj.kind, obj.get_kind_display(), obj.url, obj.extracted_text
    elif isinstance(obj, RegulationPage):
        kind, kind_label, url, body = obj.kind, obj.get_kind_display(), obj.url, obj.text or strip_tags(obj.summary)
    else:
        key = next(k for k, (model, _label) in PAGE_TYPES.items() if isinstance(obj, model))
        kind, kind_label, url, body = key, PAGE_TYPES[key][1], obj.url, strip_tags(getattr(obj, "body", ""))
    return Hit(
        obj=obj,
        title=obj.title,
        url=url,
        kind=kind,
        kind_label=str(kind_label),
        number=getattr(obj, "number", ""),
        date=getattr(obj, "document_date", None) or _sort_date(obj),
        issuer=getattr(obj, "issuer", ""),
        score=float(getattr(obj, "_score", 0) or 0),
        snippet=snippet(body or "", analysed),
    )


def snippet(text: str, analysed: AnalysedQuery) -> SafeString:
    """The passage around the first word whose lemma the query asks for, with the matching words marked."""
    wanted = {lemma for group in analysed.alternatives for lemma in group} | set(analysed.numbers)
    if not text or not wanted:
        return escape(text[: SNIPPET_RADIUS * 2])
    scanned = text[:SNIPPET_SCAN_CHARS]
    first = None
    for match in WORD_RE.finditer(scanned):
        if _matches(match.group(0), wanted):
            first = match
            break
    if first is None:
        return escape(text[: SNIPPET_RADIUS * 2] + ("…" if len(text) > SNIPPET_RADIUS * 2 else ""))
    start = max(0, first.start() - SNIPPET_RADIUS)
    end = min(len(scanned), first.end() + SNIPPET_RADIUS)
    window = scanned[start:end]
    parts, position = [], 0
    for match in WORD_RE.finditer(window):
        if _matches(match.group(0), wanted):
            parts.append(escape(window[position : match.start()]))
            parts.append(f"<mark>{escape(match.group(0))}</mark>")
            position = match.end()
    parts.append(escape(window[position:]))
    # Every piece of text in ``parts`` went through escape(); only the <mark> tags are markup.
    return mark_safe(("…" if start else "") + "".join(parts) + ("…" if end < len(text) else ""))  # noqa: S308


def _matches(word: str, wanted: set[str]) -> bool:
    return not word_lemmas(word).isdisjoint(wanted)


def record_query(text: str, results: int) -> None:
    """Count the query for the day; no user identity is stored."""
    query = " ".join(text.lower().split())[:255]
    if not query:
        return
    entry, _created = QueryLogEntry.objects.get_or_create(query=query, day=timezone.localdate())
    QueryLogEntry.objects.filter(pk=entry.pk).update(searches=F("searches") + 1, results=results)
