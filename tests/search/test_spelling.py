"""Spelling corrections of a query (``search.spelling``): a word the dictionary does not know, as the known word
one typing slip away from it."""

import pytest

from search.spelling import MAX_CORRECTED_WORDS, correct_word, corrected_query


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
