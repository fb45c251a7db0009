"""A hit whose text has none of the query's words (found by its title) gives the start of its text as its
snippet. Proving that by reading the text the long way (every distinct word analysed) was the costliest part of
a search on a rare word; on PostgreSQL the index entry's body vector tells it (``search.postgres_index``:
``objects_without_words``), and the snippets stay the ones the whole texts give. The PostgreSQL tests are
collected where the database is PostgreSQL (not a skip)."""

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from wagtail.search.backends import get_search_backend

from cms.library.models import LibraryDocument
from cms.pages.models import RegulationPage
from search import results as results_module
from search.analysis import analyse_query
from search.results import (
    FURTHER,
    PROBED_CHARS,
    SNIPPET_FIRST_READ,
    Highlighter,
    _snippets,
    build_hits,
    load_results,
)
from search.services import run_search
from tests.conftest import make_document, publish_regulation
from tests.search.test_search_cost import FILLER, _texts_read

LONG_FILLER = FILLER * (3 * SNIPPET_FIRST_READ // len(FILLER))


def _padded(text: str) -> str:
    """``text`` followed by enough filler that a hit found by its title alone is worth asking the index of."""
    return f"{text} {FILLER * (PROBED_CHARS // len(FILLER) + 1)}"


def test_without_the_long_way_a_text_with_no_dictionary_form_is_undecided():
    """``passage(long_way=False)`` answers a passage found by a dictionary form as ``passage`` does, and FURTHER
    where only the long way could tell (no dictionary form: a Latin letter in a word, or no wanted word)."""
    highlighter = Highlighter(analyse_query("заклад"))
    found = "Директор закладу видає наказ."
    assert highlighter.passage(found, long_way=False) == highlighter.passage(found)
    assert "<mark>закладу</mark>" in highlighter.passage(found, long_way=False)
    for text in ("Директор зaкладу видає наказ.", "Директор видає наказ."):  # a Latin «a»; no wanted word
        assert highlighter.passage(text, long_way=False) is FURTHER
    assert "<mark>зaкладу</mark>" in highlighter.passage("Директор зaкладу видає наказ.")
    assert highlighter.passage("Директор видає наказ.") is None
    # The second call, the dictionary forms known to be absent, goes the long way at once, to the same answer.
    for text in ("Директор зaкладу видає наказ.", "Директор видає наказ."):
        assert highlighter.passage(text, without_forms=True) == highlighter.passage(text)


def test_a_title_holds_a_wanted_word_in_any_form():
    highlighter = Highlighter(analyse_query("присяжних"))
    assert highlighter.holds_wanted("Про суд присяжних")
    assert highlighter.holds_wanted("Присяжний засідатель")
    assert not highlighter.holds_wanted("Про судоустрій")
    assert not highlighter.holds_wanted("")


def test_a_backend_that_cannot_tell_leaves_every_text_to_be_read(world):
    """The database backend on SQLite, OpenSearch and Elasticsearch have no ``objects_without_words``: a hit
    found by its title is read the long way, and its snippet is its text's start."""
    act = publish_regulation(
        world.content.city_regulation.get_parent().specific, "Про суд присяжних", kind="law", text=LONG_FILLER
    )
    result = load_results(RegulationPage.objects.all(), [act.pk])[act.pk]
    highlighter = Highlighter(analyse_query("присяжних"))
    heads = {result.key: (LONG_FILLER[:SNIPPET_FIRST_READ], False)}
    assert results_module._texts_without_words(object(), [result], heads, highlighter) == set()
    assert results_module._texts_without_words(None, [result], heads, highlighter) == set()
    assert _snippets([result], highlighter, object())[result.key] == highlighter.snippet(LONG_FILLER)


# --- PostgreSQL: the body vector tells ------------------------------------------------------------------------


@pytest.fixture
def postgres_search(world, settings):
    """The database backend (PostgreSQL) as the default; the objects a test indexes are added to it."""
    name = next(name for name, conf in settings.WAGTAILSEARCH_BACKENDS.items() if conf == settings.DATABASE_SEARCH)
    settings.WAGTAILSEARCH_BACKENDS = {"default": dict(settings.WAGTAILSEARCH_BACKENDS)[name]}
    return get_search_backend("default")


def _indexed_act(backend, world, title: str, text: str, **fields) -> RegulationPage:
    act = publish_regulation(
        world.content.city_regulation.get_parent().specific, title, kind="law", text=text, **fields
    )
    backend.add(RegulationPage.objects.get(pk=act.pk))
    return act


def _test_the_index_tells_which_texts_have_none_of_the_words(world, postgres_search):
    """A title's words are in the body vector too (``title_lemmas``), under a weight of their own: an act found by
    its title alone is told from one whose text, subjects or issuer has the word in any form; a document the
    same way; an object without an entry is not said to have none."""
    backend = postgres_search
    title_only = _indexed_act(backend, world, "Про суд присяжних", "Загальні положення про судоустрій.")
    in_text = _indexed_act(backend, world, "Про суд присяжних у містах", "Суд присяжних розглядає справи.")
    in_subjects = _indexed_act(backend, world, "Про присяжного", "Загальні положення.", subjects="присяжні засідателі")
    in_issuer = _indexed_act(backend, world, "Присяжні: порядок", "Текст.", issuer="Рада присяжних")
    document = make_document(world.content.city_document.collection, "Лист про присяжних", kind="letter")
    LibraryDocument.objects.filter(pk=document.pk).update(extracted_text="Лист без цього слова.")
    backend.add(LibraryDocument.objects.get(pk=document.pk))
    not_indexed = publish_regulation(
        world.content.city_regulation.get_parent().specific, "Присяжні без запису", kind="law", text="Текст."
    )
    backend.delete(RegulationPage.objects.get(pk=not_indexed.pk))
    acts = [title_only.pk, in_text.pk, in_subjects.pk, in_issuer.pk, not_indexed.pk]
    assert backend.objects_without_words(RegulationPage, acts, {"присяжний"}) == {title_only.pk}
    assert backend.objects_without_words(RegulationPage, acts, {"присяжний", "справа"}) == {title_only.pk}
    assert backend.objects_without_words(RegulationPage, acts, {"судоустрій"}) == {
        in_text.pk,
        in_subjects.pk,
        in_issuer.pk,
    }
    assert backend.objects_without_words(LibraryDocument, [document.pk], {"присяжний"}) == {document.pk}
    assert backend.objects_without_words(LibraryDocument, [document.pk], {"слово"}) == set()


def _test_a_word_the_parser_would_split_is_not_asked(world, postgres_search):
    """A word with an apostrophe, a hyphen or a dot is not one lexeme as written: nothing is said of any text
    (the long way reads them)."""
    backend = postgres_search
    act = _indexed_act(backend, world, "Про зв'язок", "Загальні положення.", number="2145-VIII")
    for words in ({"звʼязок"}, {"зв'язок"}, {"2145-viii"}, {"01.09.2024"}, {"Зв"}, {"присяжний", "2145-viii"}):
        assert backend.objects_without_words(RegulationPage, [act.pk], words) == set(), words
    assert backend.objects_without_words(RegulationPage, [act.pk], {"присяжний"}) == {act.pk}


def _test_a_stop_word_is_not_asked(world, postgres_search):
    """A stop word is left out of the lemmas («тої» asks for «той»): only the text's own lexeme holds it, which is
    lowercase only where the database's locale lowercases Cyrillic. Nothing is said of any text."""
    act = _indexed_act(postgres_search, world, "Про той порядок", _padded("Хто подає заяву."))
    assert Highlighter(analyse_query("тої")).wanted == {"той"}
    assert postgres_search.objects_without_words(RegulationPage, [act.pk], {"той"}) == set()
    assert postgres_search.objects_without_words(RegulationPage, [act.pk], {"присяжний"}) == {act.pk}


def _test_the_vector_tells_only_where_the_title_lemmas_come_first():
    """The texts' weights are told only where ``title_lemmas`` is the body vector's first field, with a weight of
    its own, and the texts' lemmas are there: after a long text, the title's lemmas are all at the last position
    (16,383), where the texts' lemmas of the same words lose their weight."""
    from wagtail.search import index

    from cms.library.models import LibraryDocument
    from search.indexing import LEMMA_SEARCH_FIELDS
    from search.postgres_index import _text_weights, weights_of

    text = index.SearchField("text")
    number = index.SearchField("number", boost=5)
    assert weights_of([*LEMMA_SEARCH_FIELDS, number, text]) == "BD"
    assert weights_of([text, *LEMMA_SEARCH_FIELDS]) == ""  # a long text would come first
    assert weights_of([LEMMA_SEARCH_FIELDS[0], text]) == ""  # no lemmas of the texts
    assert weights_of([index.SearchField("title_lemmas"), index.SearchField("body_lemmas")]) == ""  # both D
    assert _text_weights(RegulationPage) == "BD" and _text_weights(LibraryDocument) == "ABD"


def _test_a_long_document_found_by_its_title_keeps_its_passage(world, postgres_search):
    """A document whose extracted text is a whole law (more than 16,383 words) and whose title names a word its
    text has in other forms only: the index does not say the text lacks it, and the snippet is its passage, as
    the long way finds it. (With the lemmas after the text in the entry, the lemma was there under the title's
    weight only.)"""
    text = (settings.SHARED_DATA_DIR / "laws" / "law_2145-19_pro-osvitu.txt").read_text(encoding="utf-8")
    document = make_document(world.content.city_document.collection, "Лист про справедливість", kind="letter")
    LibraryDocument.objects.filter(pk=document.pk).update(extracted_text=text)
    postgres_search.add(LibraryDocument.objects.get(pk=document.pk))
    highlighter = Highlighter(analyse_query("справедливості"))
    assert len(text.split()) > 16_383 and "справедливість" not in text.lower()
    assert postgres_search.objects_without_words(LibraryDocument, [document.pk], highlighter.wanted) == set()
    result = load_results(LibraryDocument.objects.all(), [document.pk], with_heads=True)[document.pk]
    snippet = _snippets([result], highlighter, postgres_search)[result.key]
    assert snippet == _snippets([result], highlighter)[result.key] == highlighter.snippet(text)
    assert "<mark>справедливості</mark>" in snippet


def _test_a_long_text_found_by_its_title_is_not_read_further(world, postgres_search):
    """A long law found by its title: its start is read with its row and gives the snippet; the rest (up to
    SNIPPET_SCAN_CHARS) is not read, nor its words analysed. Without the backend it is read further; the
    snippet is the same, the one its whole text gives."""
    act = _indexed_act(postgres_search, world, "Про суд присяжних", LONG_FILLER)
    result = load_results(RegulationPage.objects.all(), [act.pk])[act.pk]
    analysed = analyse_query("присяжних")
    with_probe, without = [], []
    assert _texts_read(lambda: with_probe.extend(build_hits([result], analysed, postgres_search))) == [
        SNIPPET_FIRST_READ + 1
    ]
    assert len(_texts_read(lambda: without.extend(build_hits([result], analysed)))) == 2
    assert with_probe[0].snippet == without[0].snippet == Highlighter(analysed).snippet(LONG_FILLER)


def _test_a_text_read_whole_found_by_its_title_is_not_read_the_long_way(world, postgres_search, monkeypatch):
    """A text read whole with its row, none of whose words is wanted: the index tells it, and its words are
    not analysed (``words_not_ruled_out``); without the backend they are."""
    text = _padded("Загальні положення про судоустрій.")
    act = _indexed_act(postgres_search, world, "Про суд присяжних", text)
    result = load_results(RegulationPage.objects.all(), [act.pk], with_heads=True)[act.pk]
    highlighter = Highlighter(analyse_query("присяжних"))
    analysed_texts = []
    original = results_module.words_not_ruled_out
    monkeypatch.setattr(
        results_module,
        "words_not_ruled_out",
        lambda text, closed: analysed_texts.append(text) or original(text, closed),
    )
    with CaptureQueriesContext(connection) as context:
        with_probe = _snippets([result], highlighter, postgres_search)[result.key]
    assert analysed_texts == [] and len(context) == 1 and "body @@" in context[0]["sql"]
    without = _snippets([result], highlighter)[result.key]
    assert analysed_texts and without == with_probe == highlighter.snippet(text)


def _test_short_texts_are_read_the_long_way_without_asking(world, postgres_search):
    """Texts found by their titles whose long way costs less than a statement (together under PROBED_CHARS
    characters) are read the long way: the index is not asked."""
    texts = ["Загальні положення про судоустрій.", FILLER * (PROBED_CHARS // len(FILLER) // 2 - 5)]
    acts = [_indexed_act(postgres_search, world, f"Про суд присяжних {i}", text) for i, text in enumerate(texts)]
    loaded = load_results(RegulationPage.objects.all(), [act.pk for act in acts], with_heads=True)
    highlighter = Highlighter(analyse_query("присяжних"))
    with CaptureQueriesContext(connection) as context:
        snippets = _snippets(list(loaded.values()), highlighter, postgres_search)
    assert len(context) == 0
    assert [snippets[(RegulationPage, act.pk)] for act in acts] == [highlighter.snippet(text) for text in texts]


#: Acts whose titles have the queries' words, and whose texts have them in a dictionary form, in a form only the
#: long way finds (a Latin letter, another apostrophe, a compound), in a field a snippet falls back to, or not at all.
EQUIVALENCE_ACTS = [
    ("Про суд присяжних", "Загальні положення про судоустрій. " * 300, {}),
    ("Про суд присяжних і звʼязок", "Суд присяжних розглядає справи. Звʼязок з судом.", {}),
    ("Про зв'язок із судом присяжних", "Зв’язок із громадою: текст без інших слів.", {}),
    ("Порядок зарахування учнів", "Заклад освіти зараховує учнів. Соціально-економічний розвиток громади.", {}),
    ("Соціально-економічний розвиток і зарахування", "Текст про громаду без тих слів.", {}),
    ("Про етапи олімпіади: І етап", "І етап олімпіади проводять у школах; ІІ етап — у районах.", {}),
    ("І етап олімпіади", "Текст без номерів.", {}),
    ("Наказ № 367", "Відповідно до наказу № 367 від 01.09.2024 заклади звітують.", {"number": "367"}),
    ("Про державу-агресора", "Дії державою-агресором. " + FILLER * 50, {}),
    ("Держава-агресор і агресор", "Текст без тих слів.", {}),
    ("Про заклади освіти", "Директор зaкладу (латинська «a») видає наказ.", {}),
    ("Присяжні засідателі", "Текст без слова.", {"subjects": "присяжні засідателі", "issuer": "Рада присяжних"}),
    ("Про освіту і заклади освіти", FILLER * 700 + "Закон про освіту і заклади освіти.", {"number": "2145-VIII"}),
    ("Про освіту 2145-VIII", "Текст закону без назви.", {"number": "2145-VIII"}),
]
EQUIVALENCE_QUERIES = [
    "присяжних",
    "суд присяжних",
    "звʼязок",
    "зарахування учнів",
    "соціально",
    "економічного",
    "І етап",
    "367",
    "№ 367",
    "держава-агресор",
    "агресор",
    "заклад",
    "освіти",
    "2145-VIII",
    "засідателів",
    "олімпіада етап",
]


def _test_the_snippets_are_the_ones_the_whole_texts_give(world, postgres_search, monkeypatch):
    """Whatever the index tells, every snippet is the one read without it (every text read the long way)."""
    acts = [
        _indexed_act(postgres_search, world, title, _padded(text), **fields) for title, text, fields in EQUIVALENCE_ACTS
    ]
    keys = [act.pk for act in acts]
    told = []
    original = results_module._texts_without_words
    monkeypatch.setattr(
        results_module, "_texts_without_words", lambda *args: told.extend(found := original(*args)) or found
    )
    for query in EQUIVALENCE_QUERIES:
        highlighter = Highlighter(analyse_query(query))
        results = list(load_results(RegulationPage.objects.all(), keys, with_heads=True).values())
        assert _snippets(results, highlighter, postgres_search) == _snippets(results, highlighter), query
    assert len(told) >= 10  # the index told of texts without the words (not the long way compared with itself)


def _test_a_search_shows_a_title_match_with_its_texts_start(world, postgres_search):
    """Through ``run_search``: the act found by its title shows its text's start, the index asked once."""
    text = _padded("Загальні положення про судоустрій.")
    act = _indexed_act(postgres_search, world, "Про суд присяжних", text)
    with CaptureQueriesContext(connection) as context:
        outcome = run_search(world.users["school_a"], "присяжних", log=False)
    assert [hit.pk for hit in outcome.hits] == [act.pk]
    assert outcome.hits[0].snippet == Highlighter(analyse_query("присяжних")).start(text)
    assert str(outcome.hits[0].snippet).startswith("Загальні положення про судоустрій.")
    assert sum("body @@" in query["sql"] and "NOT" in query["sql"] for query in context.captured_queries) == 1


if connection.vendor == "postgresql" and settings.DATABASE_SEARCH in settings.WAGTAILSEARCH_BACKENDS.values():
    test_the_index_tells_which_texts_have_none_of_the_words = _test_the_index_tells_which_texts_have_none_of_the_words
    test_a_word_the_parser_would_split_is_not_asked = _test_a_word_the_parser_would_split_is_not_asked
    test_a_stop_word_is_not_asked = _test_a_stop_word_is_not_asked
    test_the_vector_tells_only_where_the_title_lemmas_come_first = (
        _test_the_vector_tells_only_where_the_title_lemmas_come_first
    )
    test_a_long_document_found_by_its_title_keeps_its_passage = (
        _test_a_long_document_found_by_its_title_keeps_its_passage
    )
    test_a_long_text_found_by_its_title_is_not_read_further = _test_a_long_text_found_by_its_title_is_not_read_further
    test_a_text_read_whole_found_by_its_title_is_not_read_the_long_way = (
        _test_a_text_read_whole_found_by_its_title_is_not_read_the_long_way
    )
    test_short_texts_are_read_the_long_way_without_asking = _test_short_texts_are_read_the_long_way_without_asking
    test_the_snippets_are_the_ones_the_whole_texts_give = _test_the_snippets_are_the_ones_the_whole_texts_give
    test_a_search_shows_a_title_match_with_its_texts_start = _test_a_search_shows_a_title_match_with_its_texts_start
