"""The abbreviations of school administration and their full names: which query words are read as one of them,
what the engine is asked for, what a snippet marks, which titles rank first. The engines' answers are in the
conformance suite (``test_search.test_an_abbreviation_finds_its_full_name_and_back``)."""

import pytest
from wagtail.search.query import And, Or, Phrase, PlainText

from search.abbreviations import ABBREVIATIONS, expansions, known, of_query
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


def test_a_quoted_abbreviation_is_asked_for_as_typed():
    """The phrase «"директор ЗЗСО"» is required as written: «ЗЗСО» in it stands for nothing else, nor is it said to."""
    analysed = analyse_query('"директор ЗЗСО"')
    assert of_query(analysed) == ()
    phrase, words = build_query(analysed).subqueries
    assert isinstance(phrase, Phrase) and phrase.query_string == "директор ззсо"
    assert isinstance(words, PlainText) and words.query_string == "директор ззсо"
    assert [each.abbreviation.written for each in of_query(analyse_query('"директор" ЗЗСО'))] == ["ЗЗСО"]


def test_a_query_without_abbreviations_is_asked_for_as_before():
    assert repr(build_query(analyse_query("наказ про зарахування"))) == repr(PlainText("наказ зарахування"))


@pytest.mark.parametrize(
    ("query", "text", "marked"),
    [
        ("ЗНО", "Порядок проведення зовнішнього незалежного оцінювання.", "зовнішнього незалежного оцінювання"),
        ("зовнішнє незалежне оцінювання", "Порядок проведення ЗНО у 2021 році.", "ЗНО"),
        ("нова українська школа", "Програми НУШ для 5 класів.", "НУШ"),
        # Stop words between the name's words, as the engines skip them; a name's word of two lemmas.
        (
            "ЄДЕБО",
            "Дані до Єдиної державної електронної бази з питань освіти.",
            "Єдиної державної електронної бази з питань освіти",
        ),
        ("МОН", "Наказ Міністерства освіти і науки України.", "Міністерства освіти і науки"),
        ("ІРЦ", "Висновок інклюзивно-ресурсного центру.", "інклюзивно-ресурсного центру"),  # a compound first word
        ("ЗЗСО", "Директорам закладів загальної середньої освіти, ЗДО.", "закладів загальної середньої освіти"),
        # A soft hyphen or a stress mark inside a word: read again without it, as the engines read it.
        ("ЗЗСО", "Для закла\u00adдів загальної середньої освіти.", "закладів загальної середньої освіти"),
        ("ЗЗСО", "Для закладів загальної се\u0301редньої освіти.", "закладів загальної середньої освіти"),
        # A query word at the same place: the whole name is the one mark.
        ("заклад ЗЗСО", "Для закладів загальної середньої освіти.", "закладів загальної середньої освіти"),
        ("ІРЦ ресурсний", "Висновок інклюзивно-ресурсного центру.", "інклюзивно-ресурсного центру"),
        ("група продовженого дня", "Вихованці ГПД.", "ГПД"),  # an abbreviation the dictionary lacks
    ],
)
def test_a_snippet_marks_the_other_spelling_as_one(query, text, marked):
    snippet = Highlighter(analyse_query(query)).snippet(text)
    assert f"<mark>{marked}</mark>" in snippet and snippet.count("<mark>") == 1, snippet


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("ЗЗСО", "Заклад дошкільної освіти та середньої ланки."),  # the name's words, not in a row
        ("ДПА", "Київська міська державна адміністрація."),
        ("НУШ", "Доповнити двома новими абзацами."),
        ('"ЗЗСО"', "Директорам закладів загальної середньої освіти."),  # a quoted abbreviation is itself only
    ],
)
def test_a_name_is_marked_only_as_a_whole(query, text):
    """A field (an issuer, a subject) is shown marked only where it has the query's words or the whole other
    spelling: «освіти» or «державна» alone is not «ЗЗСО» or «ДПА» (``search.results._fallback_snippet``)."""
    highlighter = Highlighter(analyse_query(query))
    assert highlighter.marked(text) is None
    assert "<mark>" not in highlighter.snippet(text)


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
    analysed = analyse_query(query)
    wanted = _wanted_in_titles(analysed, of_query(analysed))
    assert max(_title_rank(_title_lemmas(title), words) for words in wanted) == rank


def test_the_table_is_analysed_once_longest_names_first():
    entries = known()
    assert known() is entries and len(entries) == len(ABBREVIATIONS)
    assert [len(entry.full) for entry in entries] == sorted((len(entry.full) for entry in entries), reverse=True)


_FILLER = " Розклад уроків погоджено на засіданні педагогічної ради." * 12


@pytest.mark.parametrize(
    ("query", "text", "shown", "not_shown"),
    [
        # The query's own word first, wherever the other spelling is.
        (
            "ЗЗСО",
            f"Для закладів загальної середньої освіти.{_FILLER} Директорам ЗЗСО подати звіти.",
            "<mark>ЗЗСО</mark>",
            "закладів",
        ),
        # The full name as a whole starts the passage, not its words apart anywhere before it.
        (
            "ЗЗСО",
            f"Закон «Про освіту», заклад дошкільної освіти.{_FILLER} Для закладів загальної середньої освіти району.",
            "<mark>закладів загальної середньої освіти</mark> району.",
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
    of its abbreviation's name (``search.results._texts_without_words``); a title with the name holds one."""
    highlighter = Highlighter(analyse_query("звіти ЗЗСО"))
    assert highlighter.sought == {"звіт", "ззсо", "заклад"}
    assert highlighter.holds_wanted("Про заклади загальної середньої освіти")
    assert not highlighter.holds_wanted("Про заклади дошкільної освіти")
    assert not Highlighter(analyse_query("звіти")).holds_wanted("Про заклади загальної середньої освіти")


def test_an_abbreviation_the_dictionary_lacks_leaves_the_other_words_closed():
    """«ззсо» is the lemma of no dictionary word: a text's dictionary words are ruled out by the other lemmas'
    forms, as without it (not read one by one: ~14 ms a 300,000-character law)."""
    assert Highlighter(analyse_query("звіти ЗЗСО"))._closed is not None
    assert Highlighter(analyse_query("звіти Тимошук"))._closed is None  # a name the dictionary lacks: any word
