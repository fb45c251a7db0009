"""The abbreviations of school administration and their full names: which query words are read as one of them,
what the engine is asked for, what a snippet marks, which titles rank first. The engines' answers are in the
conformance suite (``test_search.test_an_abbreviation_finds_its_full_name_and_back``)."""

import pytest
from wagtail.search.query import And, Or, Phrase, PlainText

from search.abbreviations import ABBREVIATIONS, expansions, known
from search.analysis import analyse_query
from search.results import Highlighter
from search.services import _title_lemmas, _title_rank, _wanted_in_titles, build_query


def _found(query: str) -> list[tuple[str, bool, tuple[int, ...]]]:
    analysed = analyse_query(query)
    return [(each.abbreviation.written, each.typed_short, each.terms) for each in expansions(analysed.alternatives)]


@pytest.mark.parametrize("written", list(ABBREVIATIONS))
def test_each_entry_is_read_both_ways(written):
    """Each abbreviation, typed in either case, is read as itself; its full name as the table writes it is read as
    that abbreviation (not as a shorter name its lemmas hold: «заклад загальної середньої освіти» is ЗЗСО, not
    ЗСО)."""
    assert _found(written) == _found(written.lower()) == [(written, True, (0,))]
    name = ABBREVIATIONS[written]
    assert _found(name) == [(written, False, tuple(range(len(analyse_query(name).terms))))]


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("закладах загальної середньої освіти", [("ЗЗСО", False, (0, 1, 2, 3))]),
        ("середня загальна освіта заклад", [("ЗЗСО", False, (0, 1, 2, 3))]),  # any order
        ("загальної середньої освіти", [("ЗСО", False, (0, 1, 2))]),
        ("звіти ЗЗСО про НУШ", [("ЗЗСО", True, (1,)), ("НУШ", True, (2,))]),
        ("наказ МОН для закладів дошкільної освіти", [("МОН", True, (1,)), ("ЗДО", False, (2, 3, 4))]),
        ("результати зовнішнього незалежного оцінювання", [("ЗНО", False, (1, 2, 3))]),
        ("заклад освіти", []),  # a name's words, not all of them
        ("загальна освіта", []),
        ("«ЗЗСО»", [("ЗЗСО", True, (0,))]),  # its term: the phrase itself is as typed (test below)
    ],
)
def test_the_abbreviations_and_full_names_among_a_querys_words(query, found):
    assert _found(query) == found


def test_a_word_stands_for_one_abbreviation_at_most():
    """«освіти» of «заклад дошкільної освіти районне управління освіти» is one term: ЗДО has it, РУО lacks it."""
    assert _found("заклад дошкільної освіти районне управління освіти") == [("ЗДО", False, (0, 1, 2))]


def _readings(query) -> set[str]:
    parts = query.subqueries if isinstance(query, Or) else [query]
    return {part.query_string for part in parts if isinstance(part, Phrase)}


def test_an_abbreviation_is_asked_for_as_itself_or_its_full_name():
    query = build_query(analyse_query("звіти ЗЗСО"))
    assert isinstance(query, And)
    words, either = query.subqueries
    assert isinstance(either, Or) and isinstance(words, PlainText) and words.query_string == "звіт"
    typed, name = either.subqueries
    assert typed.query_string == "ззсо"
    assert _readings(name) == {"заклад загальний середній освіта", "заклад загальний середній середнє освіта"}
    # Any of the words: the name is one more alternative.
    relaxed = build_query(analyse_query("звіти ЗЗСО"), operator="or")
    assert isinstance(relaxed, Or) and [q.query_string for q in relaxed.subqueries[:2]] == ["звіт", "ззсо"]
    assert _readings(relaxed.subqueries[2]) == _readings(name)


def test_a_full_name_is_asked_for_as_its_words_or_the_abbreviation():
    query = build_query(analyse_query("план закладів дошкільної освіти"))
    assert isinstance(query, And)
    words, either = query.subqueries
    assert words.query_string == "план"
    name, typed = either.subqueries
    assert [q.query_string for q in name.subqueries] == ["заклад", "дошкільний", "освіта"]
    assert isinstance(typed, PlainText) and typed.query_string == "здо"


def test_a_quoted_phrase_is_asked_for_as_typed():
    """The phrase «"директор ЗЗСО"» is required as written; only the word «ЗЗСО» has the name beside it."""
    query = build_query(analyse_query('"директор ЗЗСО"'))
    phrase, *words = query.subqueries
    assert isinstance(phrase, Phrase) and phrase.query_string == "директор ззсо"
    assert any(isinstance(word, Or) for word in words)


def test_a_query_without_abbreviations_is_asked_for_as_before():
    assert repr(build_query(analyse_query("наказ про зарахування"))) == repr(PlainText("наказ зарахування"))


@pytest.mark.parametrize(
    ("query", "text", "marked"),
    [
        ("ЗНО", "Порядок проведення зовнішнього незалежного оцінювання.", ["зовнішнього", "незалежного", "оцінювання"]),
        ("зовнішнє незалежне оцінювання", "Порядок проведення ЗНО у 2021 році.", ["ЗНО"]),
        ("нова українська школа", "Програми НУШ для 5 класів.", ["НУШ"]),
        ("ЄДЕБО", "Внесення даних до Єдиної державної електронної бази з питань освіти.", ["Єдиної", "державної"]),
    ],
)
def test_a_snippet_marks_the_other_spelling(query, text, marked):
    snippet = Highlighter(analyse_query(query)).snippet(text)
    for word in marked:
        assert f"<mark>{word}</mark>" in snippet, (query, snippet)


@pytest.mark.parametrize(
    ("query", "title", "rank"),
    [
        ("НУШ", "Нова українська школа", 3),
        ("НУШ", "Про Нову українську школу", 3),  # «про» is a stop word
        ("НУШ", "Концепція Нової української школи", 1),
        ("заклади загальної середньої освіти", "Про ЗЗСО", 3),
        ("заклади загальної середньої освіти", "Звіти ЗЗСО", 1),
        ("ЗНО НМТ", "Національний мультипредметний тест і ЗНО", 3),
        ("ЗНО НМТ", "Зовнішнє незалежне оцінювання і національний мультипредметний тест", 3),
        ("ЗНО НМТ", "Зовнішнє незалежне оцінювання", 2),
        ("ЗНО", "Про освіту", 0),
    ],
)
def test_a_title_with_either_spelling_ranks_as_one_with_the_querys_words(query, title, rank):
    wanted = _wanted_in_titles(analyse_query(query))
    assert max(_title_rank(_title_lemmas(title), words) for words in wanted) == rank


def test_the_table_is_analysed_once_longest_names_first():
    entries = known()
    assert known() is entries and len(entries) == len(ABBREVIATIONS)
    assert [len(entry.full) for entry in entries] == sorted((len(entry.full) for entry in entries), reverse=True)


_FILLER = " Розклад уроків погоджено на засіданні педагогічної ради." * 12


@pytest.mark.parametrize(
    ("query", "text", "shown", "not_shown"),
    [
        # The query's own word first, wherever the other spelling's words are.
        ("ЗЗСО", f"Заклад освіти працює.{_FILLER} Директорам ЗЗСО подати звіти.", "<mark>ЗЗСО</mark>", "Заклад"),
        # The full name's first word starts the passage, not its commonest word anywhere before it.
        (
            "ЗЗСО",
            f"Закон «Про освіту».{_FILLER} Для закладів загальної середньої освіти району.",
            "<mark>закладів</mark> <mark>загальної</mark> <mark>середньої</mark> <mark>освіти</mark> району.",
            "освіту",
        ),
        ("ЗНО", f"Освіта дорослих.{_FILLER} Результати ЗНО оприлюднено.", "<mark>ЗНО</mark>", "Освіта"),
    ],
)
def test_a_snippet_shows_the_querys_own_word_before_the_other_spelling(query, text, shown, not_shown):
    snippet = Highlighter(analyse_query(query)).snippet(text)
    assert shown in snippet and not_shown not in snippet, snippet


def test_the_snippet_probe_asks_for_the_words_a_passage_starts_at():
    """The index is asked which texts hold none of the words a passage may start at: the query's own and the first
    of its abbreviation's name (``search.results._texts_without_words``); a text with only the name is not one."""
    highlighter = Highlighter(analyse_query("звіти ЗЗСО"))
    assert highlighter.sought == {"звіт", "ззсо", "заклад"}
    assert highlighter.holds_wanted("Про заклади загальної середньої освіти")
    assert not Highlighter(analyse_query("звіти")).holds_wanted("Про заклади загальної середньої освіти")
