"""Spelling corrections of a query (``search.spelling``): a word the dictionary does not know, as the known word
one typing slip away from it."""

import pytest

from search.spelling import (
    MAX_CORRECTED_WORDS,
    MAX_TWIN_QUERIES,
    as_ukrainian_keys,
    correct_word,
    corrected_query,
    numbers_apart,
    on_ukrainian_layout,
    similar_twins,
    twin_queries,
)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("дитинсва", "дитинства"),  # a dropped letter
        ("зарахуваня", "зарахування"),  # a dropped letter beats a replaced one («зарахувань»)
        ("освта", "освіта"),  # ... and beats «осота»
        ("дошкільноі", "дошкільної"),  # і for ї beats a letter too many («дошкільні»)
        ("інклюзівне", "інклюзивне"),  # і for и
        ("навчанян", "навчання"),  # two letters swapped
        ("учителвя", "учителя"),  # a letter too many
    ],
)
def test_a_misspelt_word_is_the_word_one_slip_away(typed, meant):
    assert correct_word(typed) == meant


@pytest.mark.parametrize(
    "word",
    [
        "освіту",  # known
        "зно",  # short: an abbreviation
        "ззсо",
        "хромодинаміка",  # known, though rare
        "quantum",  # Latin letters
        "щшщшщшщ",  # no one edit makes a word of it
    ],
)
def test_a_known_short_or_foreign_word_is_not_corrected(word):
    assert correct_word(word) is None


def test_a_query_keeps_everything_but_its_misspelt_words():
    assert corrected_query("Охорона ДИТИНСВА «персональих даних» 2145-VIII") == (
        "Охорона ДИТИНСТВА «персональних даних» 2145-VIII"
    )
    assert corrected_query("Освта, наказ №5") == "Освіта, наказ №5"
    assert corrected_query("закон про освіту 2024") is None


def test_a_query_of_many_misspelt_words_is_corrected_in_its_first_words_only():
    typed = " ".join(["дитинсва"] * (MAX_CORRECTED_WORDS + 3))
    assert corrected_query(typed).split().count("дитинства") == MAX_CORRECTED_WORDS


@pytest.mark.parametrize(
    ("typed", "corrected"),
    [
        ("педагогічн\u00adих працівникив", "педагогічн\u00adих працівників"),  # a soft hyphen, pasted
        ("зарахуван\u200bня", None),  # a zero-width space: «зарахування», known
        ("зарахува\u0301ня", None),  # a stress mark
    ],
)
def test_a_word_with_an_invisible_character_is_not_corrected_in_pieces(typed, corrected):
    """The analysis reads a word through a soft hyphen, a zero-width character or a stress mark; a piece of it
    on either side is no word of the query, and a correction of it («педагогічн» -> «педагогічна») made a
    word of neither."""
    assert corrected_query(typed) == corrected


@pytest.mark.parametrize(
    ("word", "twins"),
    [
        ("вишу", ("вищу",)),  # ш for щ: «вишу» is a form of «виш», a real word
        ("вищу", ("віщу", "вишу")),  # either way, in the word's order
        ("сила", ("сіла",)),
        ("мови", ()),  # «мові» is another form of «мова»: the query would ask for the same
        ("освіту", ()),  # no similar letter makes a word of it
        ("вишо", ()),  # the dictionary does not know it: correct_word's
        ("виш", ()),  # short
        ("вишy", ()),  # a Latin letter
    ],
)
def test_a_known_word_has_the_known_words_one_similar_letter_away_as_its_twins(word, twins):
    assert similar_twins(word) == twins


def test_twin_queries_change_one_known_word_each_and_keep_the_rest_as_typed():
    assert twin_queries("Закон «Про ВИШУ освіту» 2024") == ["Закон «Про ВИЩУ освіту» 2024"]
    assert twin_queries("вищу сила") == ["віщу сила", "вишу сила", "вищу сіла"]
    assert twin_queries("закон про освіту") == []
    assert twin_queries("зарахуваня") == []  # a misspelt word is correct_word's, no twin's


def test_twin_queries_are_few():
    """Each is an engine query of a search that found nothing: the first MAX_TWIN_QUERIES only."""
    queries = twin_queries("проекту сила вишу актів звіту")  # a twin each
    assert len(queries) == MAX_TWIN_QUERIES and queries[0] == "проєкту сила вишу актів звіту"


def test_a_word_typed_twice_is_replaced_by_its_twin_wherever_it_is():
    """With one of them replaced, the query would still ask for the other, and find nothing again."""
    assert twin_queries("вищу освіту і ВИЩУ школу") == ["віщу освіту і ВІЩУ школу", "вишу освіту і ВИШУ школу"]


def test_a_search_that_finds_nothing_tries_few_twins():
    """The engine queries a search may try (``search.services._attempts``, each only when those before it found
    nothing): the words as typed, at most MAX_TWIN_QUERIES twins, any of the words (and, on an engine with
    fuzzy queries, near spellings before it)."""
    from search.analysis import analyse_query
    from search.services import _attempts

    query = "проекту сила вишу актів звіту"
    attempts = list(_attempts(object(), analyse_query(query)))  # no ``es``: a database backend
    assert [attempt.corrected for attempt in attempts] == [None, *twin_queries(query), None]
    assert len(attempts) == 1 + MAX_TWIN_QUERIES + 1


def test_no_twin_is_tried_that_asks_for_all_the_query_asked():
    """«вища освіта вищу»: each twin of a «вищ-» word leaves the other form's lemma in the query, so it asks for
    all the query asked (with more), which found nothing; only any of the words is tried after it."""
    from search.analysis import analyse_query
    from search.services import _attempts

    assert twin_queries("вища освіта вищу")
    assert [attempt.corrected for attempt in _attempts(object(), analyse_query("вища освіта вищу"))] == [None, None]


@pytest.mark.parametrize(
    ("query", "tried"),
    [
        # As typed; the letters meant; their twin; near spellings of the letters; any of them.
        ("dbie jcdsne", ["dbie jcdsne", "вишу освіту*", "вищу освіту*", "вишу освіту", "вишу освіту"]),
        # The letters meant, then their abbreviation apart from its number; near spellings of the letters; any
        # of the words, apart and together.
        ("pyj-2031", ["pyj-2031", "зно-2031*", "зно 2031*", "зно-2031", "зно 2031"]),
        # The letters meant are one word: any of the words is not tried.
        ("yfrfp", ["yfrfp", "наказ*", "наказ"]),
        # Apart, it asks for all it asked for and more: not tried (nor near spellings or any of the words: a
        # query with phrases, all its words in them).
        ("«ЗНО-2031» ЗНО-2031", ["«ЗНО-2031» ЗНО-2031"]),
    ],
)
def test_a_query_written_otherwise_is_tried_before_twins_and_near_spellings(query, tried):
    """The engine queries a search may try (``search.services._attempts``) for a query typed with the English
    layout on or with a word written together with a number, on an engine with fuzzy queries: the text each
    asks for, with a star where the results say so (a corrected query)."""
    from search.analysis import analyse_query
    from search.services import _attempts

    class Engine:
        es = None  # an OpenSearch or Elasticsearch backend: near spellings

    attempts = _attempts(Engine(), analyse_query(query))
    assert [attempt.analysed.original + ("*" if attempt.corrected else "") for attempt in attempts] == tried


@pytest.mark.parametrize(
    "word",
    [
        "україни",  # «украіни»: a distorted spelling the dictionary lists
        "іншими",  # «иншими»: an alternative spelling
        "гарантій",  # «ґарантій»: an alternative spelling
        "вони",  # «воні»: the surname Вон
    ],
)
def test_no_word_is_taken_for_a_non_standard_spelling_or_a_name(word):
    assert similar_twins(word) == ()


def test_a_twin_may_be_the_other_spelling_of_a_word():
    assert similar_twins("проекту") == ("проєкту",)


@pytest.mark.parametrize(
    ("typed", "apart"),
    [
        ("Результати ЗНО-2024", "Результати ЗНО 2024"),
        ("НМТ–2025 і ДПА-2024", "НМТ 2025 і ДПА 2024"),  # an en dash; every such word
        ("ЗНО-2023-2024 навчального року", "ЗНО 2023-2024 навчального року"),  # a school year stays whole
        ("ліцей-157", "ліцей 157"),  # a dictionary word
        ("COVID-2020", "COVID 2020"),  # a year
        ("COVID-19", None),  # letters first and neither: a document number («ОД-5») is not split
        ("ОД-5", None),
        ("ЗНО2024 і НМТ 2025", "ЗНО 2024 і НМТ 2025"),  # without a hyphen
        ("«ЗНО-2024» НМТ-2025", "«ЗНО-2024» НМТ 2025"),  # a quoted phrase is found as typed
        ('"графік ЗНО-2024"', None),
        ("2145-VIII", None),  # document numbers start with their digits ...
        ("504/96-ВР", None),
        ("z0123-45", None),  # ... or have one letter before them
        ("Б-12", None),
        ("ЗНО 2024", None),
        ("науково-педагогічний", None),
    ],
)
def test_a_word_written_together_with_a_number_is_put_apart_from_it(typed, apart):
    assert numbers_apart(typed) == apart


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("yfrfp ghj pfhf[edfyyz", "наказ про зарахування"),  # «х» on «[», a stop word with the others
        ("Yfrfp", "Наказ"),  # the case as typed: a shifted key is a capital
        ("YFRFP", "НАКАЗ"),
        ("j,`'lyfyyz", "об'єднання"),  # «б» on «,», the apostrophe left of 1, «є» on «'»
        (",elbyjr", "будинок"),  # a comma that starts a word is «б»
        ("ghfw.", "працю"),  # a full stop that ends one is «ю» where that makes a word ...
        ("yfrfp.", "наказ."),  # ... and a full stop where it does not
        ("Erasmus ghjuhfvf", "Erasmus програма"),  # another language's word stays
        ("pyj-2024", "зно-2024"),  # an abbreviation of the search's table, which the dictionary lacks
        ("PYJ", "ЗНО"),
        ("наказ pfhf[edfyyz", "наказ зарахування"),
        ("yfrfp d irjks", "наказ в школі"),  # a stop word of one key between meant words
        ("IT ghjtrn", "IT проект"),  # «IT» would be «ше» by chance: a short word stays unless a stop word
        ("gfv’znm", None),  # a part of a word: «znm» alone would be «ять»
        ("наказpfhf[edfyyz", None),
        ("Moodle online Microsoft Teams", None),  # no run makes a known word
        ("ghj", None),  # a stop word alone is not a query typed on the wrong layout
        ("pre", None),  # the dictionary's abbreviation «зку» is not either
        ("наказ про зарахування", None),
        ('"lbyf ,fpf', "Єдина база"),  # the double quote is shifted «є» where that makes a word ...
        ('"dhjgtqcmrf [fhnsz"', 'Європейська хартія"'),
        ('"yfrfp ghj pfhf[edfyyz"', '"наказ про зарахування"'),  # ... and a quote mark where it does not
        ('"Moodle"', None),
    ],
)
def test_keys_typed_with_the_english_layout_on_are_the_ukrainian_letters_on_them(typed, meant):
    assert on_ukrainian_layout(typed) == meant


@pytest.mark.parametrize(
    ("typed", "letters"),
    [
        ("Gjhzl", ("Поряд",)),  # the start of a word: no dictionary confirms it
        ("gjhzljr pfhf[", ("порядок зарах",)),
        ("Mood", ("Ьщщв",)),  # every run: the caller tries it only where the keys as typed find nothing
        ('"lbyf', ("Єдина", '"дина')),  # a double quote before lower case: the shifted «є», or a quote mark
        ('"yfrfp', ("Єнаказ", '"наказ')),
        ('Про "Gjhzl', ('Про "Поряд',)),  # before a capital: a quote mark
        ('"<fnmrsdcmrf', ('"Батьківська',)),  # a capital on a punctuation key too
        ('":bnnz', ('"Життя',)),
        ("Поряд", ()),
        ("2024", ()),
    ],
)
def test_every_run_of_english_layout_keys_is_read_as_the_ukrainian_letters(typed, letters):
    assert as_ukrainian_keys(typed) == letters
