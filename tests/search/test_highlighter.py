"""How a snippet finds the dictionary forms of the query's words: the forms looked for by their shared prefixes
with ``str.find`` (``search.results.Forms``), a text searched a piece at a time; each the same places as the
plain way (the text's words read one by one, over the whole text lowercased). And which words it marks: the
tokens of ``search.analysis.tokenize`` as written."""

import re

import pytest
from django.conf import settings as django_settings
from hypothesis import example, given, settings
from hypothesis import strategies as st

from search import analysis
from search.analysis import analyse_query, compound_parts, lemma_forms, lemmatize, tokenize
from search.results import FORMS_FIRST_PIECE, SNIPPET_RADIUS, WORD_RE, Forms, Highlighter


def _places(forms, text: str, start: int = 0, end: int | None = None, *, parts=False) -> list[tuple[int, int]]:
    """The plain way: the words of ``text[start:end]`` (one cut at ``end`` whole there) that start a word of the
    whole text and are among ``forms`` or, with ``parts``, have a part (between hyphens) that is."""
    starts = {word.start() for word in WORD_RE.finditer(text)}
    end = len(text) if end is None else end
    return [
        word.span()
        for word in WORD_RE.finditer(text, start, end)
        if word.start() in starts
        and (word.group() in forms or (parts and not forms.isdisjoint(compound_parts(word.group()))))
    ]


@settings(max_examples=800, deadline=None)
@given(
    forms=st.sets(st.text(alphabet="аб1'-/.", min_size=1, max_size=5), max_size=8),
    text=st.text(alphabet="аб12'- ./", max_size=80),
    cut=st.tuples(st.integers(0, 80), st.integers(0, 80)),
)
@example(forms={"1/2", "1/2/2"}, text="1/2/2 1/2", cut=(0, 9))  # a number with a slash, whole
@example(forms={"2", "2.2"}, text="а 1.2 2.2.", cut=(0, 10))  # no number inside a longer one
@example(forms={"а.б", "б"}, text="а.б", cut=(0, 3))  # letters a stop does not join: two words
@example(forms={"б"}, text="1а.б-1", cut=(0, 6))  # a word after a stop, joined by a hyphen
def test_the_forms_are_found_where_the_words_read_one_by_one_are(forms, text, cut):
    """In any slice of a text (a word cut at its end is whole there); a number with a slash or a stop
    («1/9-100», «05.07.2023») is one word, none of its parts is, and a form that is no word is never found."""
    start, end = min(cut[0], len(text)), min(max(cut), len(text))
    assert list(Forms(forms).places(text, start, end)) == _places(forms, text, start, end)


@settings(max_examples=800, deadline=None)
@given(
    forms=st.sets(st.text(alphabet="аб1'-", min_size=1, max_size=4), max_size=6),
    text=st.text(alphabet="аб1'’- ./–", max_size=80),
    cut=st.tuples(st.integers(0, 80), st.integers(0, 80)),
)
@example(forms={"б"}, text="а-б а–б-а", cut=(0, 9))  # the last part, the middle one, after an en dash
@example(forms={"а"}, text="а-б ба-а", cut=(0, 8))  # the first part; a part after a piece of another one
@example(forms={"б"}, text="1-а-б а-б1 аб-б", cut=(0, 15))  # no part of a word with a digit
@example(forms={"б"}, text="а-б", cut=(1, 3))  # no word begun before the slice
@example(forms={"а", "б"}, text="а-б", cut=(0, 3))  # a word found by two parts, once
def test_the_words_with_a_part_among_the_forms_are_found_where_the_words_read_one_by_one_are(forms, text, cut):
    """With ``parts``: a word of letters joined by hyphens (or their look-alikes) is found whole where one of
    its parts is a form, wherever the part lies in it; a number's parts are not its words."""
    start, end = min(cut[0], len(text)), min(max(cut), len(text))
    assert list(Forms(forms, parts=True).places(text, start, end)) == _places(forms, text, start, end, parts=True)


@pytest.mark.parametrize("parts", [False, True])
def test_the_forms_are_found_where_the_words_read_one_by_one_are_in_the_laws(parts):
    texts = [
        path.read_text(encoding="utf-8")[:60_000].lower()
        for path in sorted((django_settings.SHARED_DATA_DIR / "laws").glob("*.txt"))
    ]
    lemma_sets = [
        {"освіта"},
        {"заклад", "загальний", "середній"},
        {"право", "рівний", "рівень"},
        {"здійснювати"},
        {"педагогічний", "економічний", "епідеміологічний"},  # the second parts of many hyphenated words
    ]
    found = in_parts = 0
    for lemmas in lemma_sets:
        forms = frozenset().union(*(lemma_forms(lemma) for lemma in lemmas))
        for text in texts:
            places = list(Forms(forms, parts=parts).places(text, 0, len(text)))
            assert places == _places(forms, text, parts=parts)
            found += len(places)
            in_parts += sum("-" in text[start:end] for start, end in places)
    assert found > 1_000
    assert (in_parts > 100) if parts else in_parts == 0


def _first_place_the_plain_way(analysed, text: str) -> int | None:
    """The first confirmed dictionary form of the whole text, lowercased at once."""
    wanted = {lemma for group in analysed.alternatives for lemma in group} | set(analysed.numbers)
    forms = frozenset().union(*(lemma_forms(lemma) for lemma in wanted))
    folded = text.lower().replace("’", "'").replace("ʼ", "'")
    for start, end in _places(forms, folded, parts=True):
        if wanted & _lemmas_and_parts(text[start:end]):
            return start
    return None


def _lemmas_and_parts(word: str) -> set[str]:
    """A word's lemmas and their parts between hyphens: what the engines index it as."""
    lemmas = lemmatize(word, with_alternatives=True).split()
    return {*lemmas, *(part for lemma in lemmas for part in compound_parts(lemma))}


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


@pytest.mark.parametrize(
    "query", ["закладу освіти", "права громадян", "ґрунтується", "сім'ї", "2145-VIII", "педагогічних", "науково"]
)
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
            if wanted & _lemmas_and_parts(match.group()) or match.group().lower() in wanted
        ]
        assert [match.span() for match in highlighter._words(text, 0, len(text))] == expected
        marked += len(expected)
    assert marked > 0


@pytest.mark.parametrize(
    ("query", "text", "marked"),
    [
        ("епідеміологічного", "З дозволу державної санітарно-епідеміологічної служби.", "санітарно-епідеміологічної"),
        ("інтернату", "Директор школи‑інтернату видає наказ.", "школи‑інтернату"),  # a non-breaking hyphen
        ("науково", "Рада науково-педагогічних працівників.", "науково-педагогічних"),  # the first part
        ("педагогічно", "Учасники науково-педагогічно-методичної ради.", "науково-педагогічно-методичної"),
        ("агресора", "Збройна агресія державою-агресором.", "державою-агресором"),  # a word the dictionary lacks
    ],
)
def test_a_word_with_a_part_the_query_asks_for_is_marked_whole(query, text, marked):
    """Every engine indexes a hyphenated word's parts as words (``search.analysis.compound_parts``): the text was
    found by the part, and the snippet marks the word it is in, found among the dictionary forms in the text
    read first (before, the text was read again to its end, the long way, and the snippet marked nothing)."""
    start_of_a_longer_text = f"{text} {FILLER * 10}"
    snippet = Highlighter(analyse_query(query)).snippet(start_of_a_longer_text, partial=True)
    assert snippet is not None
    assert re.findall("<mark>(.*?)</mark>", snippet) == [marked]


@pytest.mark.parametrize(
    ("query", "text"),
    [
        ("нмт", "Результати НМТ-2024 оприлюднено."),  # a number's parts differ between the engines
        ("педагогічних", "Рада науково-педагогічно-методичної служби."),  # its part «педагогічно», not the word
        ("інтернат", "Заклад інтернатного типу."),  # a word that starts with a form
    ],
)
def test_a_part_of_a_number_or_of_another_word_is_not_marked(query, text):
    assert "<mark>" not in Highlighter(analyse_query(query)).snippet(text)


@pytest.mark.parametrize(
    ("query", "text", "marked"),
    [
        ("II етап", "Розпочато ІІ етап олімпіади.", "<mark>ІІ</mark> <mark>етап</mark>"),  # Cyrillic І in the text
        ("ІІ етап", "Розпочато II етап олімпіади.", "<mark>II</mark> <mark>етап</mark>"),
        # A single «І» or «Х» is a numeral by its place: before a numbered word, after a section's.
        ("I етап", "Розпочато І етап олімпіади.", "<mark>І</mark> <mark>етап</mark>"),
        ("І етап", "Розпочато І етап олімпіади.", "<mark>І</mark> <mark>етап</mark>"),
        ("розділ X", "Зміни до розділу Х Кодексу.", "<mark>розділу</mark> <mark>Х</mark>"),
    ],
)
def test_a_roman_numeral_is_marked_in_either_alphabet(query, text, marked):
    """«ІІ» typed with Cyrillic letters has the lemma «ii»: it is not ruled out as a dictionary word («іі»)."""
    assert marked in Highlighter(analyse_query(query)).snippet(text)


@pytest.mark.parametrize(
    ("query", "text", "marked"),
    [
        ("I етап", "Учні І вчителі пройшли етап.", "Учні І вчителі пройшли <mark>етап</mark>."),  # the conjunction
        ("X клас", "Учні Х класу.", "Учні Х <mark>класу</mark>."),  # a class letter
        ("I етап", "Етап І-а.", "<mark>Етап</mark> І-а."),
    ],
)
def test_a_single_cyrillic_letter_that_is_a_word_there_is_not_marked_as_a_numeral(query, text, marked):
    assert Highlighter(analyse_query(query)).snippet(text) == marked


@pytest.mark.parametrize(
    ("query", "text", "marked"),
    [
        ("01.09.2024", "Навчальний рік розпочинається 01.09.2024, а не 01.09.2023.", "01.09.2024"),
        ("2024/2025", "План роботи на 2024/2025 навчальний рік (не на 2023/2024).", "2024/2025"),
        ("НМТ-2024", "Результати НМТ-2024 та НМТ-2023 оприлюднено.", "НМТ-2024"),
        ("ЗНО-2023", "Результати ЗНО-2023 та ЗНО-2022 оприлюднено.", "ЗНО-2023"),
        ("№ 367", "Наказ №367 від 01.09.2024 і наказ № 367-к.", "367"),
        ("2145-VIII", "Закон України від 05.09.2017 № 2145-VIII «Про освіту».", "2145-VIII"),
        ("1/9-100", "Лист МОН від 10.02.2023 № 1/9-100 щодо оцінювання.", "1/9-100"),
        ("1/9-100", "Лист МОН від 10.02.2023 № 1/9–100 щодо оцінювання.", "1/9–100"),  # an en dash
        ("5-й", "Учні 15-й класу та 5-го класу.", "5-го"),  # an ordinal is its number, whatever its ending
        ("2019-2020", "У 2019–2020 навчальному році.", "2019–2020"),
        ("2019/2020", "У 2019–2020 навчальному році (не 2019/2021).", "2019–2020"),  # an academic year
        ("2019-2020", "Річний план на 2019/2020 рік (не на 2019-2021).", "2019/2020"),
        ("2023/2024", "У 2023-2024-му навчальному році.", "2023-2024-му"),  # its ordinal
        ("2023-2024", "У 2023/2024-му навчальному році.", "2023/2024-му"),  # its ordinal, with a slash
        ("05.07.2023", "Закон від 05.07.2023 № 3220-IX.", "05.07.2023"),
    ],
)
def test_a_number_is_marked_whole(query, text, marked):
    """A date, an academic year or a document number is one token (``search.analysis.tokenize``): the snippet
    marks it whole, and no other number that merely shares a part with it."""
    snippet = Highlighter(analyse_query(query)).snippet(text)
    assert re.findall("<mark>(.*?)</mark>", snippet) == [marked]


@pytest.mark.parametrize(
    ("query", "text", "marked"),
    [
        # "01.09.2024", "2024/2025" and "НМТ-2024" are tokens of their own, none of them "2024".
        ("2024", "Наказ від 01.09.2024 про 2024/2025 навчальний рік, НМТ-2024, у 2024 році.", ["2024"]),
        ("2023", "Навчальний рік розпочинається 01.09.2024, а не 01.09.2023.", []),
        # A stop joins a number to letters nowhere: "ст.7" is "ст" and "7".
        ("7", "Відповідно до ст.7 та п. 7 Закону.", ["7", "7"]),
    ],
)
def test_a_part_of_a_number_is_marked_only_where_the_tokenizer_splits_it_off(query, text, marked):
    snippet = Highlighter(analyse_query(query)).snippet(text)
    assert re.findall("<mark>(.*?)</mark>", snippet) == marked


def test_a_window_starting_inside_a_date_neither_shows_nor_marks_a_piece_of_it():
    """The window around the match starts at the "2024" of an earlier "01.09.2024": the snippet starts past that
    date, not with its piece "2024" (marked as the number asked for)."""
    text = "Наказ від 01.09.2024 " + "положення " * 10 + "його 2024 році."
    assert text.index("2024") == text.rindex("2024") - SNIPPET_RADIUS  # the window starts at the date's "2024"
    snippet = Highlighter(analyse_query("2024")).snippet(text)
    assert re.findall("<mark>(.*?)</mark>", snippet) == ["2024"]
    assert snippet.startswith("…положення")


def test_a_short_field_is_marked_whole_or_not_at_all():
    """``marked`` gives all of a field's value with every wanted word marked (escaped as a snippet is), and
    nothing for a value none of whose words is wanted; the passage of a text without a wanted word is none,
    and its snippet is its start."""
    highlighter = Highlighter(analyse_query("інклюзивної освіти"))
    assert highlighter.marked("Освіта <дітей>, інклюзивна освіта") == (
        "<mark>Освіта</mark> &lt;дітей&gt;, <mark>інклюзивна</mark> <mark>освіта</mark>"
    )
    assert highlighter.marked("харчування, ремонт") is None
    assert highlighter.marked("") is None
    text = "Харчування учнів " * 20
    assert highlighter.passage(text) is None
    assert highlighter.snippet(text) == highlighter.start(text) == text[: SNIPPET_RADIUS * 2] + "…"


@pytest.mark.parametrize(
    ("query", "text", "marked"),
    [
        ("заклад", "Директор за\u0301кладу видає наказ.", "Директор <mark>закладу</mark> видає наказ."),
        ("зарахування", "Про зара\u00adхування учнів.", "Про <mark>зарахування</mark> учнів."),  # a soft hyphen
        ("їдальня", "Ремонт \u0456\u0308дальні.", "Ремонт <mark>їдальні</mark>."),  # «ї» as «і» and its diaeresis
        ("музей", "Музеи\u0306 школи.", "<mark>Музей</mark> школи."),  # «й» as «и» and its breve
        ("музей", "Музеи\u00ad\u0306 школи.", "<mark>Музей</mark> школи."),  # a soft hyphen before the breve
        (
            "ЗЗСО",
            "Мережа ЗЗ\u0301СО міста.",
            "Мережа <mark>ЗЗСО</mark> міста.",
        ),  # no dictionary word: read word by word
    ],
)
def test_a_word_the_analysis_reads_past_a_dropped_character_is_marked(query, text, marked):
    """A word with a stress mark, a soft hyphen or a zero-width character inside, or a letter written as its
    base and a combining mark, is one word to the analysis (the engines find it): its snippet and a field's
    marks show it without those characters, marked, where they split it into pieces and marked none."""
    highlighter = Highlighter(analyse_query(query))
    assert highlighter.snippet(text) == marked
    assert highlighter.marked(text) == marked
    assert highlighter.snippet(f"{text} {FILLER}", partial=True) is None  # read on: a longer text may have more
    assert highlighter.passage("Дире\u0301ктор видає на\u00adказ.") is None  # no wanted word, split or not


def test_the_runs_with_dropped_characters_are_each_found_once():
    """A word read word by word (a query word the dictionary lacks): the runs with a dropped character are found
    around each, a run with several once, none past the end read."""
    from search.results import _runs_with_dropped_chars

    text = "Мережа ЗЗ\u0301СО\u0301 міста, енер\u00adго\u00adзбереження\nта за\u0301клад"
    assert _runs_with_dropped_chars(text, len(text)) == {
        "ЗЗ\u0301СО\u0301",
        "енер\u00adго\u00adзбереження",
        "за\u0301клад",
    }
    assert _runs_with_dropped_chars(text, text.index("ЗЗ") + 3) == {"ЗЗ\u0301"}
    assert _runs_with_dropped_chars(text, 10**6) == _runs_with_dropped_chars(text, len(text))
    assert _runs_with_dropped_chars("Мережа закладів міста.", 100) == set()


@pytest.mark.parametrize("query", ["присяжних", "ЗЗСОХ"])  # a dictionary word; none (read word by word)
def test_a_text_whose_split_words_are_not_wanted_is_not_read_again(query, monkeypatch):
    """A text with a stress mark or a soft hyphen (a byte-order mark at its start, a word pasted from an editor)
    but no wanted word is read once: only a split word that is wanted makes it read again without them (the
    whole text cleaned and searched again took as long again: 5.4 → 12.3 ms for a 300,000-character law)."""
    from search import results

    highlighter = Highlighter(analyse_query(query))
    cleaned = []
    original = results.without_dropped_chars
    monkeypatch.setattr(results, "without_dropped_chars", lambda text: cleaned.append(text) or original(text))
    text = "\ufeffДире\u0301ктор видає на\u00adказ про " + FILLER * 20
    assert highlighter.passage(text) is None
    assert set(cleaned) == {"\ufeffДире\u0301ктор", "на\u00adказ"}  # the split runs, not the text


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet="аб12 .-/'’–", max_size=40))
@example(text="01.09.2024 2024/2025 ст.7 і/або")
@example(text="-ІІ етап, ІІ-\nІІІ, 'ІІ' 463-ІХ Д'ІІ ІІ-ГО")  # Roman numerals in Cyrillic, alone or in a word
def test_a_snippets_words_are_the_tokenizers_tokens(text):
    """Each word a snippet reads (``WORD_RE``) is one token of ``search.analysis.tokenize``, and together they
    are its tokens in order: a word is marked when its token is one the query asks for."""
    words = [tokenize(word) for word in WORD_RE.findall(text)]
    assert all(len(tokens) == 1 for tokens in words)
    assert [token for tokens in words for token in tokens] == tokenize(text)


@settings(max_examples=500, deadline=None)
@given(text=st.text(alphabet="аб12 .-/'’–", max_size=40))
@example(text="ст.7 1а.б-1 01.09.2024")
def test_a_word_starts_where_the_text_read_from_its_start_has_one_start(text):
    """``token_starts_at`` reads back only the segment before a joiner: the same starts as the whole text read."""
    starts = {word.start() for word in WORD_RE.finditer(text)}
    assert {at for at in range(len(text)) if analysis.token_starts_at(text, at)} == starts
