"""How a snippet finds the dictionary forms of the query's words: the forms looked for by their shared prefixes
with ``str.find`` (``search.results.Forms``), a text searched a piece at a time; each the same places as the
plain way (a regular expression alternating the forms, over the whole text lowercased)."""

import re

import pytest
from django.conf import settings as django_settings
from hypothesis import example, given, settings
from hypothesis import strategies as st

from search.analysis import analyse_query, lemma_forms, lemmatize
from search.results import _WORD_CHAR_RE, FORMS_FIRST_PIECE, WORD_CHARS, WORD_RE, Forms, Highlighter


def _alternation(forms) -> re.Pattern:
    """The plain way: every form in turn, the longest first."""
    words = "|".join(re.escape(form) for form in sorted(forms, key=lambda form: (-len(form), form)))
    return re.compile(rf"(?:{words})(?![{WORD_CHARS}])")


def _places(pattern: re.Pattern, text: str, start: int = 0, end: int | None = None) -> list[tuple[int, int]]:
    """The matches of ``pattern`` in ``text[start:end]`` that start a word."""
    end = len(text) if end is None else end
    return [
        match.span()
        for match in pattern.finditer(text, start, end)
        if not match.start() or not _WORD_CHAR_RE.match(text, match.start() - 1)
    ]


@settings(max_examples=800, deadline=None)
@given(
    forms=st.sets(st.text(alphabet="абв'-/.", min_size=1, max_size=5), max_size=8),
    text=st.text(alphabet="абв'- ./", max_size=80),
    cut=st.tuples(st.integers(0, 80), st.integers(0, 80)),
)
@example(forms={"а/б", "а/б/в"}, text="а/б/в", cut=(0, 5))  # the longest of two forms with a slash
@example(forms={"а", "а.б"}, text="в а.б.", cut=(0, 6))  # a word that starts a longer form
@example(forms={"а.б", "б"}, text="а.б", cut=(0, 3))  # a word inside a longer form found
def test_the_forms_are_found_where_an_alternation_finds_them(forms, text, cut):
    """In any slice of a text (a word cut at its end is whole there, as the regular expression sees it); forms
    that are more than one word, as a number «103/98-вр» or «05.07.2023», as well, the longest first."""
    start, end = min(cut[0], len(text)), min(max(cut), len(text))
    expected = _places(_alternation(forms), text, start, end) if forms else []
    assert list(Forms(forms).places(text, start, end)) == expected


def test_the_forms_are_found_where_an_alternation_finds_them_in_the_laws():
    texts = [
        path.read_text(encoding="utf-8")[:60_000].lower()
        for path in sorted((django_settings.SHARED_DATA_DIR / "laws").glob("*.txt"))
    ]
    lemma_sets = [{"освіта"}, {"заклад", "загальний", "середній"}, {"право", "рівний", "рівень"}, {"здійснювати"}]
    found = 0
    for lemmas in lemma_sets:
        forms = frozenset().union(*(lemma_forms(lemma) for lemma in lemmas))
        for text in texts:
            places = list(Forms(forms).places(text, 0, len(text)))
            assert places == _places(_alternation(forms), text)
            found += len(places)
    assert found > 1_000


def _first_place_the_plain_way(analysed, text: str) -> int | None:
    """The first confirmed dictionary form of the whole text, lowercased at once."""
    wanted = {lemma for group in analysed.alternatives for lemma in group} | set(analysed.numbers)
    pattern = _alternation(frozenset().union(*(lemma_forms(lemma) for lemma in wanted)))
    folded = text.lower().replace("’", "'").replace("ʼ", "'")
    for start, end in _places(pattern, folded):
        if wanted & set(lemmatize(text[start:end], with_alternatives=True).split()):
            return start
    return None


FILLER = "Загальні положення цього документа. "


@pytest.mark.parametrize(
    "offset",
    [
        0,
        FORMS_FIRST_PIECE - 12,
        FORMS_FIRST_PIECE - 3,
        FORMS_FIRST_PIECE,
        FORMS_FIRST_PIECE + 1,
        3 * FORMS_FIRST_PIECE - 5,
        3 * FORMS_FIRST_PIECE + 2,
        40_000,
        None,
    ],
)
@pytest.mark.parametrize("query", ["зарахування учнів", "учнів", "закладу освіти"])
def test_a_text_searched_piece_by_piece_gives_the_first_place(query, offset):
    """Wherever the first form lies (at a piece's edge, far in, nowhere), the search by pieces finds the place
    the whole text searched at once gives; a text without spaces is searched at once."""
    filler = FILLER * (50_000 // len(FILLER))
    passage = "Наказ про ЗАРАХУВАННЯ учнів до закладів освіти."
    text = filler if offset is None else f"{filler[:offset]}{passage} {filler}"
    analysed = analyse_query(query)
    highlighter = Highlighter(analysed)
    expected = _first_place_the_plain_way(analysed, text)
    assert (expected is None) == (offset is None)
    first = highlighter._first_dictionary_form(text, len(text))
    assert (first and first.start()) == expected
    lines = text.replace(" ", "\n")  # words, but no space to cut a piece at: one piece
    first = highlighter._first_dictionary_form(lines, len(lines))
    assert (first and first.start()) == _first_place_the_plain_way(analysed, lines) == expected


def test_a_form_confirmed_further_in_a_piece_loses_to_another_lemmas_earlier_form():
    """Each lemma's first confirmed form in a piece; the first of them, whichever lemma it is of."""
    text = "Учні прийшли. Наказ про зарахування учнів."
    first = Highlighter(analyse_query("зарахування учнів"))._first_dictionary_form(text, len(text))
    assert first.group() == "Учні"


@pytest.mark.parametrize("query", ["закладу освіти", "права громадян", "ґрунтується", "сім'ї", "2145-VIII"])
def test_the_words_marked_are_those_whose_lemmas_are_asked_for(query):
    """The words a snippet marks, found among the distinct words not ruled out, are each word of the text
    whose lemmas include one the query asks for, read word by word: over the start of every law."""
    analysed = analyse_query(query)
    highlighter = Highlighter(analysed)
    wanted = highlighter.wanted
    marked = 0
    for path in sorted((django_settings.SHARED_DATA_DIR / "laws").glob("*.txt")):
        text = path.read_text(encoding="utf-8")[:3_000]
        expected = [
            match.span()
            for match in WORD_RE.finditer(text)
            if wanted & set(lemmatize(match.group(), with_alternatives=True).split()) or match.group().lower() in wanted
        ]
        assert [match.span() for match in highlighter._words(text, 0, len(text))] == expected
        marked += len(expected)
    assert marked > 0


@pytest.mark.parametrize(
    ("query", "text", "marked"),
    [
        ("II етап", "Розпочато ІІ етап олімпіади.", "<mark>ІІ</mark> <mark>етап</mark>"),  # Cyrillic І in the text
        ("ІІ етап", "Розпочато II етап олімпіади.", "<mark>II</mark> <mark>етап</mark>"),
    ],
)
def test_a_roman_numeral_is_marked_in_either_alphabet(query, text, marked):
    """«ІІ» typed with Cyrillic letters has the lemma «ii»: it is not ruled out as a dictionary word («іі»)."""
    assert marked in Highlighter(analyse_query(query)).snippet(text)
