"""Ukrainian text analysis for search (search/analysis.py): plain unit tests, no database."""

import subprocess
import sys
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from search import analysis
from search.analysis import (
    ALLOWED_TERM_RE,
    FIELD_BREAK,
    MAX_LEMMAS,
    MAX_PHRASE_READINGS,
    STOP_WORDS,
    AnalysedQuery,
    analyse_query,
    closed_forms,
    compound_parts,
    compound_start,
    lemmatize,
    lemmatize_query,
    not_ruled_out,
    ruled_out,
    tokenize,
    word_lemmas,
    words_not_ruled_out,
)

ROOT = Path(__file__).resolve().parents[2]


def lemma(word: str) -> str:
    """The one lemma of a single word."""
    terms = lemmatize(word).split()
    assert len(terms) == 1, (word, terms)
    return terms[0]


# ---------------------------------------------------------------------------------------------------------------
# Inflected forms meet at one lemma
# ---------------------------------------------------------------------------------------------------------------

# (inflected form, another form of the same word, expected lemma). Expected lemmas are what pymorphy3's
# Ukrainian dictionary calls the normal form; for "батьків" it is the plurale tantum "батьки" (parents).
EDUCATION_FORMS = [
    ("наказу", "Наказ", "наказ"),
    ("наказом", "наказ", "наказ"),
    ("закладів", "заклад", "заклад"),
    ("закладами", "закладу", "заклад"),
    ("учнів", "учень", "учень"),
    ("учнями", "учень", "учень"),
    ("освіти", "освіта", "освіта"),
    ("освітою", "освіта", "освіта"),
    ("зарахування", "зарахуванням", "зарахування"),
    ("школи", "школа", "школа"),
    ("школам", "школа", "школа"),
    ("вчителів", "вчитель", "вчитель"),
    ("педагогічних", "педагогічний", "педагогічний"),
    ("працівникам", "працівник", "працівник"),
    ("закону", "закон", "закон"),
    ("законом", "закон", "закон"),
    ("постанови", "постанова", "постанова"),
    ("розпорядженням", "розпорядження", "розпорядження"),
    ("класу", "клас", "клас"),
    ("класах", "клас", "клас"),
    ("атестації", "атестація", "атестація"),
    ("ліцею", "ліцей", "ліцей"),
    ("гімназії", "гімназія", "гімназія"),
    ("директора", "директор", "директор"),
    ("батьків", "батьки", "батьки"),
    ("батькам", "батьки", "батьки"),
    ("дитини", "дитина", "дитина"),
    ("дітей", "дитина", "дитина"),
    ("діти", "дитина", "дитина"),
    ("вихованців", "вихованець", "вихованець"),
    ("здобувачів", "здобувач", "здобувач"),
    ("педагогам", "педагог", "педагог"),
    ("програми", "програма", "програма"),
    ("уроків", "урок", "урок"),
    ("громади", "громада", "громада"),
    ("ради", "Рада", "рада"),
    ("радою", "рада", "рада"),
    ("року", "рік", "рік"),
    ("років", "роки", "рік"),
    ("роботи", "робота", "робота"),
    ("влади", "влада", "влада"),
    ("статтю", "стаття", "стаття"),
    ("Міністерства", "міністерство", "міністерство"),
    ("загальної", "загальний", "загальний"),
    ("середньої", "середній", "середній"),
    ("професійно-технічної", "професійно-технічний", "професійно-технічний"),
    ("дітей-сиріт", "дитина-сирота", "дитина-сирота"),
    ("державою-агресором", "держави-агресора", "держава-агресор"),
    ("першого", "перший", "перший"),
    ("центрального", "центральний", "центральний"),
]


def test_at_least_25_education_pairs():
    assert len(EDUCATION_FORMS) >= 25


@pytest.mark.parametrize(("form", "other", "expected"), EDUCATION_FORMS)
def test_inflected_forms_share_a_lemma(form, other, expected):
    assert lemma(form) == expected
    assert lemma(other) == expected


def test_query_and_document_share_lemmas():
    query = lemmatize_query("наказу про зарахування")
    document = lemmatize("Наказ № 12 від 01.09.2025 про зарахування учнів до 1-го класу")
    assert query.split() == ["наказ", "зарахування"]
    assert set(query.split()) <= set(document.split())


def test_lemmatize_keeps_order_and_one_lemma_per_token():
    assert lemmatize("Директори шкіл видають накази") == "директор школа видавати наказ"


def test_known_ambiguity_is_offered_as_an_alternative():
    # "рівні": pymorphy3 has no frequencies; the adjective "рівний" wins the tie, "рівень" is the alternative.
    assert lemmatize("рівні") == "рівний"
    assert lemmatize("рівні", with_alternatives=True) == "рівний рівень"
    assert lemmatize("рівня") == "рівень"


def test_alternatives_are_at_most_three_per_token():
    text = "рівні батьків молоді права інших дані тому коли його вільні садки"
    plain = lemmatize(text).split()
    expanded = lemmatize(text, with_alternatives=True).split()
    assert len(plain) <= len(expanded) <= MAX_LEMMAS * len(plain)


@pytest.mark.parametrize(
    ("form", "lemmas"),
    [
        # Three equally likely lemmas: the third was dropped, so «вільні» never met «вільних» (the adjective).
        ("вільні", {"вільний", "вільно", "вільня"}),
        ("садки", {"садок", "садка", "садки"}),
    ],
)
def test_every_equally_likely_lemma_is_kept(form, lemmas):
    assert set(lemmatize(form, with_alternatives=True).split()) == lemmas


@pytest.mark.parametrize(
    ("form", "lemma"),
    [("приватні", "приватний"), ("народні", "народний"), ("продажу", "продаж"), ("грунтується", "ґрунтуватися")],
)
def test_the_dictionarys_mangled_forms_lose_to_the_standard_word(form, lemma):
    """pymorphy3's Ukrainian dictionary tags nonstandard forms ``Dist`` («покруч»): «приватні» tied «приватній»
    (a nonstandard adjective, and the first lemma) with «приватний»."""
    assert lemmatize(form, with_alternatives=True) == lemma


def test_short_unknown_words_are_abbreviations_and_stay_intact():
    assert lemmatize("ЗЗСО ЄКТС НУШ") == "ззсо єктс нуш"


def test_unknown_words_are_guessed():
    assert lemma("ковідних") == "ковідний"


# ---------------------------------------------------------------------------------------------------------------
# Numbers and document numbers
# ---------------------------------------------------------------------------------------------------------------


def test_document_numbers_survive_tokenize_and_lemmatize():
    text = "Закон України № 2145-VIII, постанова № 463-IX, лист МОН 1/9-100, наказ № 367 від 05.07.2023"
    tokens = tokenize(text)
    for number in ("2145-viii", "463-ix", "1/9-100", "367", "05.07.2023"):
        assert number in tokens
        assert number in lemmatize(text).split()


def test_number_sign_is_a_separator():
    assert tokenize("№367") == ["367"]
    assert tokenize("№ 367") == ["367"]


def test_roman_numerals_typed_in_cyrillic_become_latin():
    assert tokenize("2145-VІІІ 463-ІХ") == ["2145-viii", "463-ix"]


@pytest.mark.parametrize(
    ("cyrillic", "latin"),
    [
        ("ІІ етап", "II етап"),
        ("ІІІ рівня", "III рівня"),
        ("VІІІ скликання", "VIII скликання"),  # a Latin V, Cyrillic І
        ("ХХІ століття", "XXI століття"),
        ("ІХ скликання", "IX скликання"),
        ("заклад освіти І-ІІІ ступенів", "заклад освіти I-III ступенів"),
        ("ІІ–ІІІ рівні", "II–III рівні"),  # an en dash
        ("розділу ІІ.", "розділу II."),
        # A hyphen or an apostrophe that joins it to no letter or digit is no part of a word: a list's dash, a
        # line broken after a hyphen, quotes.
        ("-ІІ етап", "-II етап"),
        ("ІІ-\nІІІ ступенів", "II-\nIII ступенів"),
        ("'ІІ' етап", "'II' етап"),
        # A single І or Х only before a word that is numbered so.
        ("І етап олімпіади", "I етап олімпіади"),
        ("вчитель І категорії", "вчитель I категорії"),
        ("Х скликання", "X скликання"),
        # ... or after a section or a chapter.
        ("розділ І", "розділ I"),
        ("Розділу Х Закону", "Розділу X Закону"),
        ("у главі І", "у главі I"),
        ("підрозділ І.", "підрозділ I."),
    ],
)
def test_roman_numerals_typed_with_cyrillic_letters_meet_the_latin_ones(cyrillic, latin):
    """«ІІ етап» typed with Cyrillic «І» is «II етап»: the text indexed and the query meet at the Latin numeral."""
    assert lemmatize(cyrillic, with_alternatives=True) == lemmatize(latin, with_alternatives=True)
    assert analyse_query(cyrillic).terms == analyse_query(latin).terms
    assert tokenize(cyrillic) == tokenize(latin)


def test_a_roman_numeral_typed_with_cyrillic_letters_is_a_latin_term():
    assert analyse_query("ІІ етап").terms == ["ii", "етап"]
    assert lemmatize("ІІІ рівня") == "iii рівень"
    assert set(word_lemmas("ІІ")) == {"ii", "іі"}


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("іх", ["іх"]),  # lower case: a misspelt «їх», never a numeral
        ("Іх права", ["іх", "права"]),
        ("іі ііі", ["іі", "ііі"]),
        ("Учні І вчителі", ["учні", "і", "вчителі"]),  # a single І: the conjunction
        ("І. Франка", ["і", "франка"]),  # an initial
        ("М. Вербицького", ["м", "вербицького"]),
        ("рівень С", ["рівень", "с"]),
        ("Х клас", ["х", "клас"]),  # a class label: no word numbered so follows
        ("перший і етап", ["перший", "і", "етап"]),  # a lower-case і before a numbered word: the conjunction
        ("І туристичні", ["і", "туристичні"]),
        ("розділ. І вчителі", ["розділ", "і", "вчителі"]),  # a sentence after the section's word
        ("передрозділ І", ["передрозділ", "і"]),  # inside another word
        ("розділ ІІІІ", ["розділ", "іііі"]),
        # Words of the Roman letters' Cyrillic look-alikes: С and М are not read as numerals at all, and a word
        # of І and Х must be a valid numeral.
        ("СМІХ МІХ СІМ СМ ММ МС СІ", ["сміх", "міх", "сім", "см", "мм", "мс", "сі"]),
        ("ХІД ХІХІ ІІІІ", ["хід", "хіхі", "іііі"]),
        ("ХІМІЯ ІІ-ГО", ["хімія", "іі-го"]),
        ("МАКСІІ", ["максіі"]),  # inside a word
    ],
)
def test_cyrillic_words_that_are_no_roman_numerals_stay(text, tokens):
    assert tokenize(text) == tokens


@pytest.mark.parametrize(
    ("text", "starts"),
    [
        ("ХІІ етап", [0]),
        ("ІІ, ІІІ", [0, 4]),
        ("І-ІІІ ступенів", [0]),
        ("VІІІ-ІХ ", [0]),
        ("463-ІХ 2145-VІІІ", [4, 12]),  # after a number's hyphen
        ("ХІІІІІІІІІІа", []),  # no numeral: a letter follows it
    ],
)
def test_a_run_of_roman_numeral_letters_is_read_from_its_first_letter_only(text, starts):
    """The text indexed is scanned whole for Roman numerals (``_UPPER_ROMAN_RE``). A run of the numerals'
    letters that is no numeral («ІІІ…Іа», as in an extracted PDF) was read again from each of its letters and
    hyphens: quadratic in its length, 40,000 letters took 20 s to index. A match starts only where a run does,
    so that each letter is read by one attempt; what a text becomes is the same."""
    assert [at for at in range(len(text)) if analysis._UPPER_ROMAN_RE.match(text, at)] == starts


@pytest.mark.parametrize(
    ("text", "plain"),
    [
        ("5-й клас", "5 клас"),
        ("5-го класу", "5 класу"),
        ("5-му класі", "5 класі"),
        ("5-ГО КЛАСУ", "5 КЛАСУ"),
        ("5-та група", "5 група"),
        ("5-ї групи", "5 групи"),
        ("11-х класів", "11 класів"),
        ("1-го вересня", "1 вересня"),
        ("3-тя чверть", "3 чверть"),
        ("2-ге півріччя", "2 півріччя"),
        ("1-ша категорія", "1 категорія"),
        ("у 90-х роках", "у 90 роках"),
        ("дітей 5-ти років", "дітей 5 років"),
        ("учнів 1-4-х класів", "учнів 1-4 класів"),
        ("2023-2024-го навчального року", "2023-2024 навчального року"),
        ("2023-2024-го навчального року", "2023/2024 навчального року"),
        ("2023/2024-го навчального року", "2023/2024 навчального року"),
    ],
)
def test_an_ordinal_is_indexed_and_asked_for_by_its_number(text, plain):
    """«5-й клас», «5-го класу», «5 клас»: a numeral's case ending is dropped from the term, on both sides."""
    assert lemmatize(text, with_alternatives=True) == lemmatize(plain, with_alternatives=True)
    assert analyse_query(text).terms == analyse_query(plain).terms


def test_an_ordinal_keeps_its_ending_as_a_token_and_a_number():
    """The token is the ordinal as written ("11-х" with its Cyrillic «х», no Roman numeral); the query's numbers
    (the exact-number ranking) keep it whole: «5-го класу» does not rank an act numbered «5» first."""
    assert tokenize("5-го класу 11-х класів") == ["5-го", "класу", "11-х", "класів"]
    query = analyse_query("5-го класу")
    assert query.terms == ["5", "клас"]
    assert query.numbers == ["5-го"]


@pytest.mark.parametrize(
    ("text", "terms"),
    [
        ("2145-VIII", ["2145-viii"]),
        ("463-ІХ", ["463-ix"]),
        ("1234-Х", ["1234-x"]),  # an upper-case Х after a number: a convocation, not an ending
        ("1/9-100", ["1/9-100"]),
        ("504/96-ВР", ["504/96-вр"]),
        ("254к/96-ВР", ["254к/96-вр"]),
        ("НМТ-2024", ["нмт-2024"]),
        ("COVID-19", ["covid-19"]),
        ("15-р", ["15-р"]),
        ("9-А клас", ["9-а", "клас"]),  # class labels: one letter, not an ending
        ("10-Б класу", ["10-б", "клас"]),
        ("5-М", ["5-м"]),
    ],
)
def test_numbers_with_letters_that_are_no_ordinals_stay_whole(text, terms):
    assert lemmatize(text).split() == terms
    assert analyse_query(text).terms == terms


@pytest.mark.parametrize(
    ("text", "tokens"),
    [
        ("2023/2024 навчальний рік", ["2023/2024", "навчальний", "рік"]),
        ("2023-2024 навчальний рік", ["2023/2024", "навчальний", "рік"]),
        ("у 2023–2024 навчальному році", ["у", "2023/2024", "навчальному", "році"]),  # an en dash
        ("1999‑2000", ["1999/2000"]),  # a non-breaking hyphen
        ("2022-2025 роки", ["2022-2025", "роки"]),  # a range of years, not one school year
        ("2024-2023", ["2024-2023"]),
        ("1234-2024", ["1234-2024"]),  # a document number and its year
        ("2023/24", ["2023/24"]),
        ("2023-2024-й", ["2023-2024-й"]),
        ("2023 - 2024", ["2023", "2024"]),  # a spaced dash is a separator
    ],
)
def test_an_academic_year_is_one_token_however_its_years_are_joined(text, tokens):
    """«2023-2024 навчальний рік» and «2023/2024 навчального року» name the same school year: both are read as
    «2023/2024», so that either finds both on every engine; two years that are not one school year stay as
    written."""
    assert tokenize(text) == tokens


def test_an_academic_years_forms_are_its_every_spelling():
    """The forms a snippet looks for first (``lemma_forms``) hold the year with a slash, a hyphen and each dash the
    analysis reads as one."""
    forms = analysis.lemma_forms("2023/2024")
    assert {"2023/2024", "2023-2024", "2023–2024", "2023‑2024"} <= set(forms)
    assert all(tokenize(form) == ["2023/2024"] for form in forms)
    assert analysis.lemma_forms("2022/2025") == ("2022/2025",)


def test_dots_and_slashes_join_only_numbers():
    assert tokenize("і/або ст.7 п.3") == ["і", "або", "ст", "7", "п", "3"]
    assert tokenize("https://zakon.rada.gov.ua/laws/show/2145-19") == [
        "https",
        "zakon",
        "rada",
        "gov",
        "ua",
        "laws",
        "show",
        "2145-19",
    ]


def test_numbers_are_kept_as_is():
    assert lemmatize("2023 року 15 учнів 3.5 бала") == "2023 рік 15 учень 3.5 бал"


def test_number_parts():
    assert analysis.number_parts("1/9-100") == ["1", "9", "100"]
    assert analysis.number_parts("05.07.2023") == ["05", "07", "2023"]
    assert analysis.number_parts("2145-viii") == ["2145", "viii"]
    assert analysis.number_parts("367") == []


# ---------------------------------------------------------------------------------------------------------------
# Normalisation
# ---------------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["м’яч", "м'яч", "мʼяч", "м`яч", "М‘ЯЧ"])
def test_apostrophes_normalise(variant):
    assert tokenize(variant) == ["м'яч"]
    assert lemmatize(variant) == "мяч"
    assert lemmatize(variant + "ем") == "мяч"


def test_apostrophe_words_from_the_dictionary():
    assert lemma("обов’язку") == lemma("обов'язок") == "обовязок"
    assert lemma("зв’язку") == lemma("зв'язок") == "звязок"


def test_latin_words_pass_through_lowercased():
    assert lemmatize("Wagtail CMS OpenSearch") == "wagtail cms opensearch"
    assert lemmatize("café") == "cafe"


def test_mixed_script_words_are_repaired():
    # Latin "H", "A" and "a" typed inside Cyrillic words.
    assert tokenize("HAKAЗ школa") == ["наказ", "школа"]


def test_invisible_characters_and_stress_marks():
    assert tokenize("зара\u00adхування за\u0301клад за\u200bклад") == ["зарахування", "заклад", "заклад"]


def test_decomposed_letters_are_composed():
    # "й" and "ї" as a base letter plus a combining mark.
    assert tokenize("ліце\u0438\u0306 і\u0308жа") == ["ліцей", "їжа"]


def test_hyphenated_words_are_kept():
    assert tokenize("школа-інтернат науково-педагогічних") == ["школа-інтернат", "науково-педагогічних"]
    assert lemmatize("шкіл-інтернатів") == "школа-інтернат"


@pytest.mark.parametrize(
    ("word", "parts"),
    [
        ("санітарно-епідеміологічний", ["санітарно", "епідеміологічний"]),
        ("науково‑педагогічно–методичний", ["науково", "педагогічно", "методичний"]),  # look-alike hyphens
        ("інтернат", []),
        ("нмт-2024", []),  # a number: the engines split it each its own way
        ("2145-viii", []),
    ],
)
def test_the_parts_of_a_hyphenated_word_of_letters(word, parts):
    assert compound_parts(word) == parts


def test_a_hyphenated_words_lemmas_include_their_parts():
    """What a snippet compares with the query's lemmas: the parts of the word's lemma, which the engines index."""
    assert set(word_lemmas("санітарно-епідеміологічної")) >= {"санітарно-епідеміологічний", "епідеміологічний"}
    assert set(word_lemmas("державою-агресором")) >= {"держава-агресор", "держава", "агресор"}
    assert word_lemmas("НМТ-2024") == ("нмт-2024",)


@pytest.mark.parametrize(
    ("text", "at", "lowest", "start"),
    [
        ("у санітарно-епідеміологічній", 12, 0, 2),
        ("у науково-педагогічно-методичній", 22, 0, 2),
        ("у науково-педагогічно-методичній", 22, 5, None),  # the word begins before ``lowest``
        ("м'ясо-молочної", 6, 0, 0),  # an apostrophe inside a part
        ("нмт-2024 та 1а-б", 15, 0, None),  # a word with a digit is a number's token
        ("1.а-б", 4, 0, 2),  # a stop joins no letters: the word is «а-б»
        ("о-" * 70 + "б", 140, 0, None),  # longer than MAX_COMPOUND_CHARS before ``at``
    ],
)
def test_where_a_hyphenated_word_of_letters_starts(text, at, lowest, start):
    assert compound_start(text, at, lowest) == start


def test_dashes_between_words_separate():
    assert tokenize("освіта — це право") == ["освіта", "це", "право"]
    assert tokenize("освіта – це право") == ["освіта", "це", "право"]


def test_very_long_runs_are_dropped():
    assert tokenize("а" * 101) == []
    assert tokenize("а" * 100) == ["а" * 100]


@pytest.mark.parametrize("text", ["", "   ", "...", "!?,;:—–-«»“”\"'()[]{}", "№", "\n\t", "- - -", "’ʼ'"])
def test_empty_and_punctuation_only(text):
    assert tokenize(text) == []
    assert lemmatize(text) == ""
    assert lemmatize_query(text) == ""
    query = analyse_query(text)
    assert query.is_empty
    assert query.numbers == []


def test_none_like_query():
    assert analyse_query("").terms == []


# ---------------------------------------------------------------------------------------------------------------
# Stop words
# ---------------------------------------------------------------------------------------------------------------


def test_stop_words_removed():
    assert lemmatize("і та в у на з до про що як") == ""
    assert lemmatize("про зарахування до закладу") == "зарахування заклад"


def test_negation_is_not_a_stop_word():
    assert "не" not in STOP_WORDS
    assert lemmatize("не допускається") == "не допускатися"


def test_stop_words_are_normalised_forms():
    assert all(word == word.casefold() and word.isalpha() for word in STOP_WORDS)


# ---------------------------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------------------------


def test_analyse_query_phrases_terms_numbers():
    query = analyse_query('наказ “про зарахування” «Про освіту» "учнів до школи" № 367 2145-VIII наказ')
    assert isinstance(query, AnalysedQuery)
    assert query.phrases == ["про зарахування", "про освіту", "учнів до школи"]
    assert query.phrase_lemmas == ["зарахування", "освіта", "учень школа"]
    assert query.terms == ["наказ", "зарахування", "освіта", "учень", "школа", "367", "2145-viii"]
    assert query.numbers == ["367", "2145-viii"]
    assert len(query.alternatives) == len(query.terms)
    assert all(group[0] == term for group, term in zip(query.alternatives, query.terms, strict=True))
    assert query.original.startswith("наказ “про")


def test_analyse_query_low_high_quotes_and_unpaired_quote():
    assert analyse_query("„Про повну загальну середню освіту“").phrases == ["про повну загальну середню освіту"]
    query = analyse_query('"наказ про')
    assert query.phrases == []
    assert query.terms == ["наказ"]


def test_a_phrase_of_stop_words_is_no_phrase():
    """The index drops stop words, so a quoted phrase made only of them asks for nothing: it is left out (the
    query is empty when nothing else is in it), not sent as an empty phrase."""
    assert analyse_query('"про"').is_empty
    assert analyse_query('«і та» "про" "і"').is_empty
    query = analyse_query('"про" наказ «до школи»')
    assert (query.phrases, query.phrase_lemmas, query.terms) == (["до школи"], ["школа"], ["наказ", "школа"])


@pytest.mark.parametrize("text", [FIELD_BREAK, f"«наказ {FIELD_BREAK} школа»", FIELD_BREAK.upper()])
def test_no_query_asks_for_the_field_break(text):
    """The word the indexes put between two fields' texts is not of the alphabet: a query that holds it asks
    for what is around it, never for it, so it matches no field's text."""
    query = analyse_query(text)
    assert FIELD_BREAK not in {*query.terms, *query.phrases, *query.phrase_lemmas, *query.numbers}
    assert FIELD_BREAK not in lemmatize(text, with_alternatives=True)
    assert not ALLOWED_TERM_RE.search(FIELD_BREAK)


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        ("приватні заклади", "приватних закладів"),
        ("приватних закладів", "приватні заклади"),
        ("іноземних мов", "іноземної мови"),
        ("рівних прав", "рівні права"),
        ("рівні права", "рівних прав"),
        ("вільні садки", "вільним садком"),
        ("вільним садком", "вільні садки"),
        ("5-го класу", "5-й клас"),
    ],
)
def test_a_phrase_is_read_as_every_text_of_its_words_in_any_form_is_indexed(phrase, text):
    """A quoted phrase is looked for as the lemmas of its words in a row, and a word with equally likely lemmas
    is indexed with them all: the phrase is each way its words may be indexed, itself and in other forms."""
    readings = analyse_query(f"«{phrase}»").phrase_readings
    assert lemmatize(phrase, with_alternatives=True) in readings[0]
    assert lemmatize(text, with_alternatives=True) in readings[0]


def test_a_phrase_of_many_ambiguous_words_is_read_a_bounded_number_of_ways():
    (readings,) = analyse_query("«вільні садки вільні садки вільні садки рівні права»").phrase_readings
    assert len(readings) == MAX_PHRASE_READINGS
    assert readings[0] == lemmatize("вільні садки вільні садки вільні садки рівні права", with_alternatives=True)


def test_lemmatize_query_is_the_terms():
    assert lemmatize_query("Накази директорів шкіл") == "наказ директор школа"


def test_query_alternatives_carry_the_second_lemma():
    query = analyse_query("рівні")
    assert query.alternatives == [("рівний", "рівень")]


@pytest.mark.parametrize(
    ("typed", "alternatives"),
    [
        ("листи МОНу", [("лист",), ("мон", "мону")]),  # the dictionary reads «мону» as another word
        ("МОНі", [("мон", "мона", "моня")]),
        ("МОН-у", [("мон", "мон-у")]),
        ("ІРЦі", [("ірц", "ірця")]),
        ("ДОНом", [("дон", "дін")]),
        ("мону", [("мону",)]),  # an ending typed in the same case as the rest is no abbreviation's
        ("МОНУ", [("мону",)]),
        ("ЗНОшники", [("зношник",)]),  # not an ending
    ],
)
def test_an_abbreviation_inflected_in_a_query_is_that_abbreviation_first(typed, alternatives):
    assert analyse_query(typed).alternatives == alternatives


@pytest.mark.parametrize(
    ("text", "lemmas", "best"),
    [
        ("Погоджено з МОНом", "погодити мон моном", "погодити мон"),
        ("листа МОНу", "лист мон мону", "лист мон"),
        ("до МОН-у", "мон мон-у", "мон"),
        ("В ІРЦі", "ірц ірця", "ірц"),
        ("мону", "мону", "мону"),  # an ending written in the same case as the rest is no abbreviation's
        ("МОНУ", "мону", "мону"),
        ("ШкОЛу", "школа", "школа"),  # capitals inside a word
        ("ЗНОшники", "зношник", "зношник"),  # not an ending
        ("ЦПРППі", "цпрпп", "цпрпп"),  # five capitals; its own reading is the same
        ("ПОЛОЖЕННя", "положення", "положення"),  # a word in capitals with a slip, not an abbreviation
    ],
)
def test_an_abbreviation_inflected_in_a_text_is_indexed_as_that_abbreviation_first(text, lemmas, best):
    assert lemmatize(text, with_alternatives=True) == lemmas
    assert lemmatize(text) == best


def test_an_inflected_abbreviation_is_its_abbreviation_in_a_long_run_too():
    run = "МОНом-" + "а" * 70  # longer than the runs kept in the cache
    assert lemmatize(f"{run} з МОНом").split()[-1] == "мон"
    assert lemmatize("з МОНом", with_alternatives=True) == "мон моном"  # the cache holds no run so read
    assert lemmatize("з моном", with_alternatives=True) == "моном"


def test_a_snippet_does_not_rule_out_an_inflected_abbreviation_by_its_dictionary_word():
    """«мон» is a dictionary word whose forms do not hold «моном»: the text's «МОНом» must be read, not ruled out."""
    closed = closed_forms({"мон"})
    assert closed is not None and "моном" not in closed
    assert ruled_out("моном", closed) and not ruled_out("МОНом", closed)
    assert "мон" in word_lemmas("МОНом")
    assert words_not_ruled_out("Погоджено з МОНом і моном", closed).words == {"МОНом"}


# ---------------------------------------------------------------------------------------------------------------
# Scale, caching, laziness
# ---------------------------------------------------------------------------------------------------------------


LONG_SENTENCE = (
    "Наказ про зарахування учнів до закладів загальної середньої освіти № 367 від 05.07.2023 "
    "відповідно до Закону України «Про освіту» 2145-VIII вчителі, директори та батьки дітей"
)


def test_very_long_input():
    words = LONG_SENTENCE.split()
    assert 100_000 % len(words) == 0
    repeats = 100_000 // len(words)
    text = " ".join([LONG_SENTENCE] * repeats)
    assert len(text.split()) == 100_000
    result = lemmatize(text).split()
    assert result == lemmatize(LONG_SENTENCE).split() * repeats
    assert result[:4] == ["наказ", "зарахування", "учень", "заклад"]


def test_word_caches_are_bounded():
    for cached in (analysis._split_run, analysis._token_lemmas, analysis._analyse_word):
        assert cached.cache_info().maxsize is not None


def test_long_runs_bypass_the_cache():
    analysis.cache_clear()
    text = "-".join(["школа"] * 30)  # one run of 179 characters: dropped as a token, not cached
    assert tokenize(text) == []
    assert analysis._split_run.cache_info().currsize == 0
    assert tokenize("школа-інтернат") == ["школа-інтернат"]
    assert analysis._split_run.cache_info().currsize == 1


def test_cache_clear_keeps_results():
    before = lemmatize("наказу закладів")
    readings = analyse_query("«рівних прав»").phrase_readings
    analysis.cache_clear()
    assert analysis._analyse_word.cache_info().currsize == 0
    assert analysis.indexed_groups.cache_info().currsize == 0
    assert lemmatize("наказу закладів") == before
    assert analyse_query("«рівних прав»").phrase_readings == readings


def test_analyzer_is_created_once_across_threads():
    seen = []
    threads = [threading.Thread(target=lambda: seen.append(analysis.get_analyzer())) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len({id(a) for a in seen}) == 1


def test_dictionary_is_read_by_the_compiled_dawg():
    """pymorphy3 falls back silently to its pure-Python reader (DAWG2-Python) when dawg2 is missing: the same
    parses, 3.6x slower uncached (benchmarks/lemmatizer_speed.py)."""
    import dawg  # dawg2's compiled module

    assert isinstance(analysis.get_analyzer().dictionary.words, dawg.RecordDAWG)


def test_a_word_is_ruled_out_only_when_none_of_its_lemmas_is_asked_for():
    """Every word of the 104 laws, against each of its own lemmas: never ruled out (a snippet would leave it
    unmarked); most words, against another lemma, without being analysed."""
    from django.conf import settings

    from search.results import WORD_RE

    words = set()
    for path in sorted((settings.SHARED_DATA_DIR / "laws").glob("*.txt")):
        words |= set(WORD_RE.findall(path.read_text(encoding="utf-8")))
    assert len(words) > 20_000
    wrong = [(w, lemma) for w in words for lemma in word_lemmas(w) if ruled_out(w, closed_forms({lemma}))]
    assert wrong == []
    assert sum(ruled_out(w, closed_forms({"освіта"})) for w in words) > 0.8 * len(words)


def test_not_ruled_out_leaves_the_words_ruled_out_leaves():
    """What ruled_out answers word by word, not_ruled_out answers for a text's words by set operations, for any
    query: every word of the 104 laws, against the forms of lemmas they have and lemmas they have not, in a
    fresh process and once the words are filed."""
    from django.conf import settings

    from search.results import WORD_RE

    words = set()
    for path in sorted((settings.SHARED_DATA_DIR / "laws").glob("*.txt")):
        words |= set(WORD_RE.findall(path.read_text(encoding="utf-8")))
    analysis.cache_clear()
    for lemmas in ({"освіта"}, {"заклад", "загальний"}, {"ґрунтуватися"}, {"учень", "2145-viii"}, {"кошторис"}):
        closed = closed_forms(lemmas)
        expected = {word for word in words if not ruled_out(word, closed)}
        assert not_ruled_out(words, closed) == expected
        assert 0 < len(expected) < 0.2 * len(words)


def test_a_texts_words_not_ruled_out_are_found_from_its_runs_between_spaces():
    """words_not_ruled_out reads a text's runs between spaces, not its every word: it answers what not_ruled_out
    answers of the text's words, for each of the 104 laws and texts whose words are joined by marks, digits, other
    apostrophes and hyphens, Latin letters and spaces other than the plain one, in a fresh process and once the
    runs are filed."""
    from django.conf import settings

    from search.analysis import words_not_ruled_out
    from search.results import WORD_RE

    texts = [path.read_text(encoding="utf-8") for path in sorted((settings.SHARED_DATA_DIR / "laws").glob("*.txt"))]
    texts += [
        "освіти,закладу(освіта)«Освіті»—освітою…",
        "ст.7 освіти;01.09.2024 НМТ-2024 м’яч м\u02bcяч п'ятий\u00a0освіта\u2003заклад\tосвітній\nосвіт",
        "oсвіта (латинська o) освiта грунт ґрунтуватися санітарно-освітній -освіта- 'освіта'",
    ]
    analysis.cache_clear()
    for _filed in range(2):
        for lemmas in ({"освіта"}, {"заклад", "загальний"}, {"ґрунтуватися"}, {"учень", "2145-viii"}):
            closed = closed_forms(lemmas)
            for text in texts:
                told = words_not_ruled_out(text, closed)
                assert told.words == not_ruled_out(set(WORD_RE.findall(text)), closed), text[:60]
                assert not told.split
    assert words_not_ruled_out(texts[-3], closed_forms({"освіта"})).words == {"освіти", "освіта", "Освіті", "освітою"}


@pytest.mark.parametrize(
    "word", ["за\u0301кладу", "зара\u00adхування", "осві\u200bта", "музеи\u0306", "\u0456\u0308дальня", "\ufeffЗакон"]
)
def test_a_text_with_a_character_dropped_inside_a_word_is_told_by_its_runs(word):
    """words_not_ruled_out tells whether a word of the text holds a character the analysis drops inside a word
    (a stress mark, a soft hyphen, a zero-width space, a letter's combining mark, a byte-order mark), the first
    time its runs are read and once they are filed; a text without one is not told so."""
    from search.analysis import words_not_ruled_out

    analysis.cache_clear()
    closed = closed_forms({"заклад"})
    for _filed in range(2):
        assert words_not_ruled_out(f"Директор {word} видає наказ.", closed).split
        assert not words_not_ruled_out("Директор закладу видає наказ.", closed).split


def test_the_word_indexes_starting_afresh_keep_the_words_asked_about(monkeypatch):
    """Past their size the word indexes start afresh: the words of the call that fills them, seen before or
    not, are filed again and answered."""
    from search.analysis import forms_with_lemmas

    analysis.cache_clear()
    monkeypatch.setattr(analysis, "_MAX_FILED_FORMS", 5)
    closed = closed_forms({"закон"})
    assert not_ruled_out({"закон"}, closed) == {"закон"}
    assert forms_with_lemmas({"закону"}, {"закон"}) == {"закону"}
    words = {"закон", "закону", "Цей", "діє", "набуває", "чинності"}
    assert (
        not_ruled_out(words, closed) == {word for word in words if not ruled_out(word, closed)} == {"закон", "закону"}
    )
    assert forms_with_lemmas(words, {"закон"}) == {"закон", "закону"}
    analysis.cache_clear()


def test_the_word_indexes_are_not_walked_by_the_garbage_collector():
    """What the word indexes file (and each word's lemmas, each title's, each lemma's forms) are tuples of
    strings, which a collection stops tracking: a full pass of the collector does not walk tens of thousands of
    them (``cms.startup``)."""
    import gc

    from search.analysis import forms_with_lemmas, words_not_ruled_out
    from search.results import WORD_RE
    from search.services import _title_lemmas

    analysis.cache_clear()
    text = "Закон про освіту. Закону, законом; освіти (освітою) та закладів освіти ґрунтується м'ячем ЗЗСО-2024"
    forms_with_lemmas(set(WORD_RE.findall(text)), {"закон"})
    words_not_ruled_out(text, closed_forms({"закон"}))
    filed = [*analysis._filed_words[analysis._FormsByLemma].by_lemma.values()]
    filed += [
        value
        for kind in (analysis._PlainWords, analysis._PlainRuns)
        for value in analysis._filed_words[kind].by_fold.values()
    ]
    filed += [analysis.word_lemmas(word) for word in WORD_RE.findall(text)]
    filed.append(_title_lemmas("Про освіту закладів освіти"))  # the ranking's, kept per title
    filed.append(analysis.lemma_forms("закон"))  # the forms a snippet looks for, kept per lemma
    gc.collect()
    assert len(filed) > 40
    assert [value for value in filed if gc.is_tracked(value)] == []
    assert set(analysis._filed_words[analysis._FormsByLemma].by_lemma["закон"]) == {"Закон", "Закону", "законом"}
    analysis.cache_clear()


def test_words_filed_from_several_threads_at_once_are_all_found():
    """Threads filing words of the same lemmas at once lose none of them: each is found by its lemmas after, as
    when one thread files them all. The threads switch every microsecond, so that two of them meet inside a
    filing (without the index's lock, 4 runs of this test in 5 failed)."""
    from search.analysis import forms_with_lemmas

    forms = sorted({*analysis.lemma_forms("заклад"), *analysis.lemma_forms("освіта")})
    lemmas = {"заклад", "освіта"}
    analysis.cache_clear()
    expected = forms_with_lemmas(set(forms), lemmas)
    assert len(expected) >= 20
    interval = sys.getswitchinterval()
    try:
        sys.setswitchinterval(1e-6)
        for _round in range(200):
            analysis.cache_clear()
            chunks = [set(forms[start::4]) for start in range(4)]
            threads = [threading.Thread(target=forms_with_lemmas, args=(chunk, lemmas)) for chunk in chunks * 2]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join()
            assert forms_with_lemmas(set(forms), lemmas) == expected
    finally:
        sys.setswitchinterval(interval)
        analysis.cache_clear()


@pytest.mark.parametrize(
    ("word", "lemmas", "out"),
    [
        ("закладів", {"освіта"}, True),
        ("освіти", {"освіта"}, False),
        ("Освітою", {"освіта", "2145-viii"}, False),
        ("грунтується", {"ґрунтуватися"}, False),  # the dictionary spells it with ґ
        ("сімей", {"сімя"}, False),  # «сім'я» without its apostrophe is no dictionary word: nothing is closed
        ("ззсо", {"освіта"}, False),  # unknown to the dictionary: analysed
        ("м'ячем", {"освіта"}, False),  # an apostrophe: analysed
    ],
)
def test_ruled_out_cases(word, lemmas, out):
    assert ruled_out(word, closed_forms(lemmas)) is out


def test_importing_the_module_does_not_load_pymorphy3():
    code = "import sys, search.analysis; print('pymorphy3' in sys.modules)"
    out = subprocess.run(  # noqa: S603 - the interpreter running the tests, fixed arguments
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------------------------------


def assert_clean(result: str) -> None:
    assert isinstance(result, str)
    if not result:
        return
    assert result == result.strip()
    for term in result.split(" "):
        assert term, result  # single spaces only
        assert term == term.casefold()
        assert ALLOWED_TERM_RE.fullmatch(term), term
        assert len(term) <= analysis.MAX_TOKEN_LENGTH


UKRAINIAN_ALPHABET = (
    "абвгґдеєжзиіїйклмнопрстуфхцчшщьюяАБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЬЮЯ"
    "abcxyzIVX0123456789 \n\t-–—'’ʼ`.,;:/№«»“”„\"()\u00ad\u0301\u0306\u0308"
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text())
def test_lemmatize_never_raises_and_emits_allowed_terms(text):
    assert_clean(lemmatize(text))
    assert_clean(lemmatize(text, with_alternatives=True))
    assert_clean(lemmatize_query(text))
    for token in tokenize(text):
        assert token and not any(c.isspace() for c in token)


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=UKRAINIAN_ALPHABET, max_size=300))
def test_lemmatize_ukrainian_like_text(text):
    assert_clean(lemmatize(text))
    query = analyse_query(text)
    assert_clean(" ".join(query.terms))
    assert all(ALLOWED_TERM_RE.fullmatch(n) for n in query.numbers)
