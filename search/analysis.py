"""Ukrainian text analysis for search: one module used at index time and at query time.

Wagtail's database backends (SQLite FTS5, PostgreSQL full-text search with the ``simple`` configuration) and a
stock OpenSearch analyser know nothing of Ukrainian inflection: "наказу" does not find "Наказ", "закладів"
does not find "заклад". The search layer therefore feeds every backend *analysed* text: the text of a document
is passed through :func:`lemmatize` before indexing and a user's query through :func:`analyse_query` (or
:func:`lemmatize_query`) before searching. Both sides go through the same code, so a word form in a query and
another form of the same word in a document meet at the same lemma on any backend.

Why pymorphy3
-------------
``pymorphy3`` with ``pymorphy3-dicts-uk`` is a dictionary analyser built on the VESUM / LanguageTool
Ukrainian dictionary (some 400k lemmas). Measured on the 104 Ukrainian education laws in ``shared/data/laws``
(539k letter tokens, 18k distinct forms): 99.7 % of the occurrences are found in its dictionary; the rest are
handled by its hyphen, prefix and suffix guessers, which give sensible lemmas for new words ("ковідних" ->
"ковідний", "вебсайту" -> "вебсайт"). The analyser takes ~0.05 s and ~20 MB to load
(``benchmarks/lemmatizer_speed.py``).

``simplemma`` was measured as a fallback and tie-breaker and is not used: it adds ~75 MB of memory and ~1.2 s
of start-up per process for Ukrainian, pymorphy3's guessers already cover the words its dictionary lacks, and
where pymorphy3 is ambiguous simplemma is wrong about as often as it is right ("вчителів" -> "вчителів",
"ради" -> "ради", "дні" -> "дно", "віком" -> "віко").

How ambiguity is handled
------------------------
The Ukrainian dictionary carries no frequency data: every dictionary parse of a word has score 1.0 and the
order of the parses is the dictionary's, not a likelihood. Taken as is, the first parse is often a rare
homonym: "року" -> "рок" (rock music), "ради" -> "рад", "учень" -> "учення", "вчителів" -> "вчителів"
(a possessive adjective). Each parse's score is therefore multiplied by penalties for readings that are rare
in administrative and legal text (:data:`_GRAMMEME_PENALTIES`, :data:`_RARE_LEMMAS`, possessive adjectives,
adjectives used as nouns); the lemma with the best penalised score wins, ties going to dictionary order. The
choice is deterministic: the same word form always gets the same lemma, on both sides of the search.

By default one lemma is emitted per token, so positions stay aligned with the text and phrase search over
lemmas works. With ``with_alternatives=True`` a second lemma is emitted right after the first when the two
best lemmas (or three) are *equally* likely after the penalties (e.g. "рівні" -> "рівний рівень"); that is meant for a
recall-oriented field or for OR-ing alternatives in a query (:attr:`AnalysedQuery.alternatives`), and it
breaks phrase adjacency for those words. Never more than :data:`MAX_LEMMAS` lemmas per token ("вільні": the
adjective "вільний" and the nouns "вільно" and "вільня" are equally likely).

Tokens
------
See :func:`tokenize`. In short: words of Ukrainian (and Russian) Cyrillic and Latin letters, with internal
apostrophes and hyphens; document numbers and other tokens with a digit ("2145-VIII", "463-IX", "1/9-100",
"05.07.2023", "COVID-19") are kept intact, but for an ordinal's case ending: "5-й", "5-го" and "5" are all the term
"5". Roman numerals typed with the Cyrillic "І" and "Х" ("ІІ етап") are the Latin ones ("ii"). Lemmas are emitted
in lowercase, without apostrophes: SQLite's ``unicode61`` tokenizer and PostgreSQL's parser split words at an
apostrophe ("м'яч" -> "м", "яч"), so the index term is "мяч" on every backend. Hyphens, slashes and dots are kept
in the emitted terms, and each backend splits them its own way, the same way on the document and on the query, so
an exact number always finds itself. Parts differ: SQLite splits at every one ("1/9-100" -> "1", "9", "100");
PostgreSQL's parser splits "2145-viii" into "2145", "viii" and "дитина-сирота" into the whole and both parts, but
keeps "1/9-100" and "05.07.2023" as single lexemes, so there "100" or "2023" alone does not find them.
:func:`number_parts` gives the parts for a search layer that wants them in a field of their own. Where a run of
text splits into tokens is one regular expression, :data:`TOKEN_RE`: the tokenizer splits runs with it, and a
search snippet finds with it, in the text as written, the words it marks.

Stop words
----------
:data:`STOP_WORDS` is a short, conservative list of the commonest Ukrainian function words: prepositions,
conjunctions, particles, and the personal, demonstrative and relative pronouns. It is matched against the
normalised surface form before lemmatisation. The negations "не" and "ні" are deliberately *not* stop words:
in regulations they flip the meaning ("не допускається") and the index cost of keeping them is small.
Numbers and single letters that are not in the list are kept ("р" in "2023 р.", "п" in "п. 3").
"""

from __future__ import annotations

import abc
import functools
import itertools
import re
import threading
import unicodedata
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:  # pragma: no cover
    from collections.abc import Iterator

    import pymorphy3

__all__ = [
    "ALLOWED_TERM_RE",
    "FIELD_BREAK",
    "HYPHENS",
    "PHRASE_RE",
    "STOP_WORDS",
    "TOKEN_RE",
    "AnalysedQuery",
    "analyse_query",
    "cache_clear",
    "compound_parts",
    "compound_start",
    "forms_with_lemmas",
    "get_analyzer",
    "lemmatize",
    "lemmatize_query",
    "number_parts",
    "token_starts_at",
    "tokenize",
    "word_lemmas",
]

# ---------------------------------------------------------------------------------------------------------------
# Alphabet and normalisation
# ---------------------------------------------------------------------------------------------------------------

_UK_LETTERS = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя"
_RU_LETTERS = "ёъыэ"  # Russian-only letters: quoted Russian names should not fall apart into fragments
_CYRILLIC = _UK_LETTERS + _RU_LETTERS
_LATIN = "abcdefghijklmnopqrstuvwxyz"
_DIGITS = "0123456789"
_WORD_CHARS = _CYRILLIC + _LATIN + _DIGITS

#: Every term that :func:`lemmatize` emits matches this: lowercase letters and digits, with "-", "/" or "."
#: only between two of them.
ALLOWED_TERM_RE = re.compile(rf"[{_WORD_CHARS}]+(?:[-/.][{_WORD_CHARS}]+)*")

#: Put between the texts of two fields where an index joins them into one text (the lemmas of several fields,
#: the fields of a database index entry): a word to each engine's tokenizer (SQLite's ``unicode61``,
#: PostgreSQL's parser, Lucene's standard tokenizer), so it takes a position, but not of the alphabet, so no
#: query asks for it. The last word of one field and the first of the next are then not in a row, and a quoted
#: phrase does not run from one field into the next.
FIELD_BREAK = "ωωω"

#: Tokens longer than this (in characters) are dropped: no word is that long; such runs are base64 blobs,
#: glued URLs and the like, and PostgreSQL refuses to index very long words.
MAX_TOKEN_LENGTH = 100
#: Word parts longer than this are emitted lowercased but not analysed: pymorphy3's prefix guessers are
#: quadratic in the word length and no Ukrainian word is that long.
MAX_ANALYSED_LENGTH = 40
#: Words of at most this many letters that the dictionary does not know are kept as they are (abbreviations).
_SHORT_UNKNOWN_LENGTH = 4

# Apostrophe look-alikes -> "'", dash look-alikes that join words -> "-", invisible characters removed.
# The em dash (U+2014) stays a separator: it is a punctuation dash, never part of a word or a number.
_PRE_MAP: dict[str, str] = {
    "\u2019": "'",  # ’ right single quotation mark: the commonest Ukrainian apostrophe
    "\u02bc": "'",  # ʼ modifier letter apostrophe: the "official" Ukrainian apostrophe
    "\u2018": "'",  # ‘
    "\u0060": "'",  # `
    "\u00b4": "'",  # ´
    "\u02b9": "'",  # ʹ
    "\u2032": "'",  # ′ prime
    "\uff07": "'",  # fullwidth apostrophe
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
    "\u2013": "-",  # en dash: "1/9–100", "2019–2020" (a spaced " – " is still a separator)
    "\u2212": "-",  # minus sign
    "\u2116": " ",  # № (NFKC would make it "No"): a separator, so "№367" gives "367"
    "\u00ad": "",  # soft hyphen: "зара­хування" is one word
    "\u200b": "",  # zero-width space
    "\u200c": "",  # zero-width non-joiner
    "\u200d": "",  # zero-width joiner
    "\u2060": "",  # word joiner
    "\ufeff": "",  # byte-order mark
}
_PRE_RE = re.compile("[" + "".join(_PRE_MAP) + "]")


def _pre_replace(match: re.Match[str]) -> str:
    return _PRE_MAP[match.group()]


# Stress marks and other combining marks left after NFKC ("за́клад"). Stripped only after NFKC has composed
# "й" and "ї" from their decomposed forms, so those letters survive.
_COMBINING_RE = re.compile("[\u0300-\u036f]")
# The invisible characters the analysis removes (soft hyphen, zero-width ones, byte-order mark).
_INVISIBLE = "".join(char for char, by in _PRE_MAP.items() if not by)
_INVISIBLE_RE = re.compile(f"[{_INVISIBLE}]")
#: A character the analysis drops inside a word (an invisible one, a stress mark): the word goes on past it.
DROPPED_CHAR_RE = re.compile(f"[{_INVISIBLE}\u0300-\u036f]")


def without_dropped_chars(text: str) -> str:
    """``text`` as written, without the characters the analysis drops inside a word (:data:`DROPPED_CHAR_RE`), in
    the analysis's order: the invisible ones first, then the letters composed (NFC), so that a decomposed "й" or
    "ї" keeps its mark even with a soft hyphen before it, then the marks left: «за́клад» -> «заклад»."""
    text = _INVISIBLE_RE.sub("", text)
    if not unicodedata.is_normalized("NFC", text):
        text = unicodedata.normalize("NFC", text)
    return _COMBINING_RE.sub("", text)


# A run: word characters of any script joined by single apostrophes, hyphens, slashes or dots.
_RUN_RE = re.compile(r"[^\W_]+(?:['\-./][^\W_]+)*")

# A token: segments (word characters) joined by apostrophes and hyphens, and by "." or "/" only between two
# segments that each have a digit. As written, an apostrophe or a hyphen may be one of their look-alikes. A part
# between those joiners is a segment's letters, then from its first digit on the segments with a digit that "." or
# "/" join to it: read in one pass, without backtracking (possessive quantifiers), about as fast as a plain run
# of word characters (trying a number first and then a word took twice as long on the laws' texts).
#: The hyphens that join the parts of a word or a number: the hyphen and the look-alikes the analysis reads as one
#: («1/9–100»).
HYPHENS = "-" + "".join(char for char, to in _PRE_MAP.items() if to == "-")
_JOINERS = "'" + HYPHENS + "".join(char for char, to in _PRE_MAP.items() if to == "'")
_FROM_DIGIT = r"\d[^\W_]*+(?:[./][^\W\d_]*+\d[^\W_]*+)*+"
_TOKEN_PART = rf"(?:[^\W\d_]++(?:{_FROM_DIGIT})?+|{_FROM_DIGIT})"
#: The tokens of :func:`tokenize` in text as written: each match is the surface of one token ("01.09.2024",
#: "2024/2025", "НМТ-2024", "1/9–100", "м’яч"; "ст" and "7" in "ст.7"), the tokenizer's own rule for where a
#: run splits, so that a search snippet marks what the index holds. A surface the normalisation changes
#: further (a letter of another script, a stress mark, a soft hyphen) may hold more or fewer tokens.
TOKEN_RE = re.compile(rf"{_TOKEN_PART}(?:[{re.escape(_JOINERS)}]{_TOKEN_PART})*+")
_SEGMENT_CHAR_RE = re.compile(r"[^\W_]")
_JOINER_CHARS = frozenset(_JOINERS + "./")
_ALLOWED_RUN_RE = re.compile(rf"[{_WORD_CHARS}'\-./]+")
_SEGMENT_SPLIT_RE = re.compile(r"([\-./'])")
_HAS_DIGIT_RE = re.compile(r"\d")
_HAS_CYRILLIC_RE = re.compile(f"[{_CYRILLIC}]")
_HAS_LATIN_RE = re.compile(f"[{_LATIN}]")
_LATIN_ONLY_RE = re.compile(f"[{_LATIN}]+")

# Latin letters that look like Cyrillic ones (after lowercasing): "НАКАЗ" typed with a Latin "H" and "A".
# Applied only to a word part that mixes both scripts.
LOOKALIKES_LATIN, LOOKALIKES_CYRILLIC = "abcehikmoptxy", "авсенікмортху"
LATIN_TO_CYRILLIC = str.maketrans(LOOKALIKES_LATIN, LOOKALIKES_CYRILLIC)
# Roman numerals in document numbers are often typed with Cyrillic "І", "Х", "С", "М": "2145-VІІІ", "463-ІХ".
_ROMAN_LETTERS = "ivxlcdm"
#: The numerals' letters that have a Cyrillic look-alike: {"c": "с", "i": "і", "m": "м", "x": "х"}.
_ROMAN_LOOKALIKES = {
    lat: cyr for lat, cyr in zip(LOOKALIKES_LATIN, LOOKALIKES_CYRILLIC, strict=True) if lat in _ROMAN_LETTERS
}
_ROMAN_SEGMENT_RE = re.compile(f"[{_ROMAN_LETTERS}{''.join(_ROMAN_LOOKALIKES.values())}]+")
_CYRILLIC_TO_ROMAN = str.maketrans({cyr: lat for lat, cyr in _ROMAN_LOOKALIKES.items()})

# Roman numerals outside a document number ("ІІ етап", "ІІІ рівня", "VІІІ скликання"), read in upper case
# before the text is case-folded: see _latin_numeral. Only "І" and "Х" are read as the numerals' letters there.
_NUMERAL_LOOKALIKES = "".join(_ROMAN_LOOKALIKES[latin] for latin in "ix").upper()  # "ІХ"
_UPPER_CYRILLIC_TO_ROMAN = str.maketrans({_ROMAN_LOOKALIKES[latin].upper(): latin.upper() for latin in "ix"})
_LATIN_TO_NUMERAL_LOOKALIKES = str.maketrans({latin: _ROMAN_LOOKALIKES[latin] for latin in "ix"})
_UPPER_ROMAN = _ROMAN_LETTERS.upper() + _NUMERAL_LOOKALIKES
_VALID_ROMAN_RE = re.compile("M{0,3}(?:CM|CD|D?C{0,3})(?:XC|XL|L?X{0,3})(?:IX|IV|V?I{0,3})")
# The words a single "І" or "Х" numbers: "І етап", "І рівня", "І ступеня", "Х скликання", "І категорії".
_NUMBERED_WORD = (
    r"(?i:етап\w*|рів(?:ень|н[яіюе]\w*)|ступ(?:інь|ен\w*)|скликан\w*|категорі\w*|семестр\w*|чверт\w*|півріч\w*"
    r"|курс(?:у|і|ом|и|ів|ах)?|тур(?:у|і|ом|и|ів|ах)?|груп(?:а|и|і|у|ою|ам|ами|ах)?)"
)
# The words a single "І" or "Х" after them numbers: "розділ І", "розділу Х", "глава І", "підрозділу І".
_NUMBERING_WORD_BEFORE_RE = re.compile(r"(?<![\w'])(?i:(?:під)?розділ\w*|глав(?:а|и|і|у|ою))\s+\Z")
_UPPER_ROMAN_RE = re.compile(
    # "[x][x-]*" rather than "[x]+(?:-[x]+)*": three times faster to scan a text for; the parts are checked after.
    # A run is read from its first letter only, not again after each of its letters (and hyphens): a run that is
    # no numeral («ІІІ…Іа») was read once from every letter, quadratic in its length (50,000 letters: a minute).
    # A match starting there was left as it was anyway (_latin_numeral: a letter or a hyphenated word before it).
    rf"(?<![{_UPPER_ROMAN}])(?<![{_UPPER_ROMAN}]-)"
    rf"(?P<run>[{_UPPER_ROMAN}][{_UPPER_ROMAN}\-]*+)(?![^\W_]|'[^\W_])(?P<next>\s+{_NUMBERED_WORD}(?![\w']))?"
)


def _latin_numeral(match: re.Match[str]) -> str:
    """A Roman numeral typed with the Cyrillic look-alikes "І" and "Х" -> in Latin letters, when it can be no word.

    Applied to the text before it is case-folded, so that both sides of the search, the text indexed and the
    query (:func:`_normalise` serves both), give "ii" for "ІІ" as for "II". A run of the numerals' letters,
    Latin "IVXLCDM" and Cyrillic "І", "Х" (at least one of them Cyrillic), is a numeral only when all of this
    holds; otherwise it is left to be the word it is:

    - it is all upper case: a lower-case "іх" is a misspelt "їх" (a stop word), "іі" is no numeral anyone
      types, and a title-case "Іх" starts a sentence;
    - it stands alone: no letter or digit touches it, nor an apostrophe or a hyphen that joins it to one (the
      tokenizer's joiners: "-ІІ етап" in a list, "ІІ-" at a line break, "'ІІ'" are numerals), and a hyphen
      only between numerals ("І-ІІІ ступенів", "ІІ–ІІІ"): "МАКСІІ", "Д'ІІ" and "ІІ-ГО" stay words;
    - every part is a valid numeral ("ХІД", "ХІХІ", "ІІІІ" are not);
    - it has two letters or more, or a single "І" or "Х" is followed by a word that stages, levels,
      convocations, categories and the like are numbered by ("І етап", "І категорії", "Х скликання"), or
      follows a section or a chapter ("розділ І", "розділу Х", "глава І"): a lone "І" is otherwise the
      conjunction, an initial ("І. Франка"), and "Х" a letter or a class ("Х клас").

    "С" (C) and "М" (M), the other Cyrillic look-alikes of :data:`LATIN_TO_CYRILLIC`, are not read as numerals
    here: no stage, level or convocation is numbered in hundreds, and with them real words and abbreviations
    would turn into numerals ("СМІХ" is CMIX, "МІХ", "СМ", "ММ", "МС", "СІ"). The all-Cyrillic words the rule
    does turn are no words: the dictionary lists "ІІ", "ІІІ", "ХІ", "ХХ", "ХХІ" and the like with a bare "Dist"
    tag, no part of speech; only "ІХ" in capitals could be a misspelt "ЇХ", and it is read as IX. In the 104
    laws the rule turns "розділу ІІ" (twice), "розділу ХХ", "розділу І" and nothing else. After a document
    number's digits and hyphen ("463-ІХ", "1234-Х") the letters are a numeral whatever their number: an
    upper-case "Х" there is the tenth convocation, not the ending of an ordinal ("11-х").
    """
    run, text, start = match.group("run"), match.string, match.start()
    if not any(letter in run for letter in _NUMERAL_LOOKALIKES):  # Latin already
        return match.group()
    before = text[start - 1 : start]
    if before in ("-", "'") and start >= 2 and _SEGMENT_CHAR_RE.match(text, start - 2):  # joined to a word
        if before == "-" and text[start - 2] in _DIGITS:  # a document number
            return run.translate(_UPPER_CYRILLIC_TO_ROMAN) + (match.group("next") or "")
        return match.group()  # a part of a hyphenated word
    if before.isalnum():
        return match.group()
    numeral = run.rstrip("-")  # a hyphen after it that joins nothing: "ІІ-" at a line break
    latin = numeral.translate(_UPPER_CYRILLIC_TO_ROMAN)
    if not all(part and _VALID_ROMAN_RE.fullmatch(part) for part in latin.split("-")):
        return match.group()
    if len(numeral) - numeral.count("-") < 2 and not (
        match.group("next") or _NUMBERING_WORD_BEFORE_RE.search(text, max(0, start - 32), start)
    ):
        return match.group()
    return latin + run[len(numeral) :] + (match.group("next") or "")


def _normalise(text: str) -> str:
    """Apostrophes and joining dashes unified, invisible characters dropped, NFKC, Roman numerals typed in
    Cyrillic made Latin (:func:`_latin_numeral`), case folded."""
    # re.sub touches only the (few) characters to replace; str.translate with a dict is ~30x slower on Cyrillic.
    text = _PRE_RE.sub(_pre_replace, text)
    if not unicodedata.is_normalized("NFKC", text):
        text = unicodedata.normalize("NFKC", text)
    if _NUMERAL_LOOKALIKES[0] in text or _NUMERAL_LOOKALIKES[1] in text:
        text = _UPPER_ROMAN_RE.sub(_latin_numeral, text)
    text = text.casefold()
    if _COMBINING_RE.search(text):
        text = _COMBINING_RE.sub("", text)
    return text


def _fold_char(ch: str) -> str:
    """One character outside the alphabet -> its allowed base letter or digit, else a separator."""
    digit = unicodedata.decimal(ch, None)
    if digit is not None:
        return str(digit)
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if c in _WORD_CHARS)
    return base or " "


def _fold_run(run: str) -> list[str]:
    """A run with characters outside the alphabet ("café", Greek, CJK): fold them, re-split the run."""
    folded = "".join(c if c in _WORD_CHARS or c in "'-./" else _fold_char(c) for c in run)
    return _RUN_RE.findall(folded)


def _fix_roman(segment: str) -> str:
    if _ROMAN_SEGMENT_RE.fullmatch(segment) and ("і" in segment or "х" in segment or _HAS_LATIN_RE.search(segment)):
        return segment.translate(_CYRILLIC_TO_ROMAN)
    return segment


# An ordinal (or a cardinal) written in digits with its case ending: "5-й", "5-го", "5-му", "5-та", "5-ї", "11-х",
# "1-ша", "2-ге", "3-тя", "5-ти", "2-ох", and after a range "1-4-х", "2023-2024-го". Its term is the number
# ("5-й клас", "5-го класу" and "5 клас" all meet at "5"): see _token_lemmas. The endings are listed, not guessed:
# a class label or a document number's letters after a hyphen ("9-а", "10-б", "5-м", "15-р", "504/96-вр",
# "2145-viii") are kept whole. So a single letter is an ending only when no class or number is lettered so: "й",
# "ї", "х" (an upper-case "Х" after a number is read as a Roman numeral first: _latin_numeral).
_NUMERAL_ENDING = "[тшгм]?(?:ий|ій|ої|ою|ого|ому|им|их|ими)|[тшгм][аеєіуюя]|го|му|ми|ти|ох|ьох|тьох|й|ї|х"
_ORDINAL_RE = re.compile(rf"(\d+(?:-\d+)*|\d{{4}}/\d{{4}})-(?:{_NUMERAL_ENDING})")  # «5-го», «2023/2024-го»


def single_numeral_at(text: str, start: int) -> str | None:
    """The Latin numeral ("i", "x") a single Cyrillic «І» or «Х» at ``text[start]`` is read as in its place
    (:func:`_latin_numeral`: «І етап», «розділу Х»), None when it is the word it is there (the conjunction «І»,
    a class «Х»). Alone, the word has its word's lemmas only; a snippet marks it by its place."""
    if text[start : start + 1] not in _NUMERAL_LOOKALIKES or _SEGMENT_CHAR_RE.match(text, start + 1):
        return None
    match = _UPPER_ROMAN_RE.match(text, start)
    if match is None or _latin_numeral(match) == match.group():
        return None
    return text[start].translate(_UPPER_CYRILLIC_TO_ROMAN).lower()


def has_digit(token: str) -> bool:
    """Whether a token is a number or holds one («2024», «2145-VIII», «5-го»): the analysis keeps it whole, and
    a query asks for it as a phrase of its one term (``search.services``)."""
    return _HAS_DIGIT_RE.search(token) is not None


#: Two years joined by a hyphen (or a dash the analysis reads as one) or a slash: «2023-2024», «2023/2024».
_YEAR_PAIR_RE = re.compile(r"((?:19|20)\d\d)[-/]((?:19|20)\d\d)")


def academic_year(token: str) -> str | None:
    """The academic year a token names, written with a slash («2023/2024»), when it is two years joined by a
    hyphen, a dash or a slash, the second the year after the first: a school year is written either way
    («2023-2024 навчальний рік», «2023/2024 навчального року»), and the engines read the two as other numbers
    (PostgreSQL found each only as typed). None for any other token («2022-2025», a range of years)."""
    pair = _YEAR_PAIR_RE.fullmatch(token)
    if pair is None or int(pair[2]) != int(pair[1]) + 1:
        return None
    return f"{pair[1]}/{pair[2]}"


def academic_year_spellings(year: str) -> tuple[str, ...]:
    """An academic year as :func:`academic_year` writes it («2023/2024») and as a text may: with a hyphen or each
    dash the analysis reads as one («2023-2024», «2023–2024»); () for any other token."""
    if academic_year(year) != year:
        return ()
    return (year, *(year.replace("/", hyphen) for hyphen in HYPHENS))


def _finish_token(token: str) -> str | None:
    """Normalise one token; ``None`` drops it."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    if has_digit(token):
        # A number or a document number: kept intact, apostrophes dropped, Cyrillic Roman numerals made Latin
        # (not the ending of an ordinal: "11-х"); an academic year written with a slash.
        token = token.replace("'", "")
        year = academic_year(token)
        if year is not None:
            return year
        if not token or _ORDINAL_RE.fullmatch(token):
            return token or None
        return "".join(_fix_roman(s) for s in _SEGMENT_SPLIT_RE.split(token))
    parts = token.split("-")
    for i, part in enumerate(parts):
        if _HAS_CYRILLIC_RE.search(part) and _HAS_LATIN_RE.search(part):
            parts[i] = part.translate(LATIN_TO_CYRILLIC)
    return "-".join(parts)


def _split_run_uncached(run: str) -> tuple[str, ...]:
    """A run found by :data:`_RUN_RE` in normalised text -> its tokens (``_split_run`` is the cached version).

    Letters are joined by hyphens and apostrophes only ("школа-інтернат", "м'яч"); "." and "/" join two
    segments only when both contain a digit ("1/9-100", "05.07.2023", but "і/або" -> "і", "або" and
    "ст.7" -> "ст", "7"). A hyphen keeps digits and letters together ("2145-viii", "covid-19", "5-й"). The
    split is :data:`TOKEN_RE`'s, the one a search snippet reads a text's words with.
    """
    if not _ALLOWED_RUN_RE.fullmatch(run):
        return tuple(t for sub in _fold_run(run) for t in _split_run_uncached(sub))
    return tuple(t for t in map(_finish_token, TOKEN_RE.findall(run)) if t)


#: Runs longer than this are split without the cache, so that long junk cannot fill it with big keys.
_CACHED_RUN_LENGTH = 64
_split_run = functools.lru_cache(maxsize=100_000)(_split_run_uncached)


def tokenize(text: str) -> list[str]:
    """Split text into normalised word and number tokens, in order; stop words are kept.

    - Case-folded; NFKC-normalised; stress marks, soft hyphens and zero-width characters removed.
    - Apostrophes ``’ ʼ ' ` ‘`` become ``'`` inside words ("м’яч", "мʼяч", "м'яч" -> "м'яч").
    - Words: Ukrainian/Russian Cyrillic and Latin letters; internal hyphens are kept ("школа-інтернат",
      "науково-педагогічних"), so is an internal apostrophe. Letters of other scripts are folded to a base
      letter where one exists ("café" -> "cafe") and are separators otherwise.
    - A part mixing Cyrillic and Latin letters has its Latin look-alikes made Cyrillic ("HAKAЗ" -> "наказ").
    - Tokens with a digit are kept intact, with their joiners: "2145-viii", "463-ix", "1/9-100",
      "05.07.2023", "covid-19". Roman numerals typed in Cyrillic ("ІХ") become Latin ("ix"), in a number and,
      in capitals, on their own ("ІІ етап" -> "ii", "етап": :func:`_latin_numeral`). The "№" sign is a
      separator: "№ 367" and "№367" both give "367".
    - Tokens longer than :data:`MAX_TOKEN_LENGTH` characters are dropped.
    """
    if not text:
        return []
    out: list[str] = []
    for run in _RUN_RE.findall(_normalise(text)):
        out.extend(_split_run(run) if len(run) <= _CACHED_RUN_LENGTH else _split_run_uncached(run))
    return out


def token_starts_at(text: str, at: int) -> bool:
    """Whether one of the tokens :data:`TOKEN_RE` finds in ``text`` starts at ``at``: what a search that starts
    there (``str.find``, a window cut from a text) needs to know to take no piece of a token for a token, as the
    "2024" of "01.09.2024". Only the segment before a joiner is read again, not the text from its start."""
    if not _SEGMENT_CHAR_RE.match(text, at):
        return False
    if at == 0 or _SEGMENT_CHAR_RE.match(text, at - 1):
        return at == 0
    if at < 2 or text[at - 1] not in _JOINER_CHARS or not _SEGMENT_CHAR_RE.match(text, at - 2):
        return True
    segment = at - 2
    while segment and _SEGMENT_CHAR_RE.match(text, segment - 1):
        segment -= 1
    # Whether that joiner joins depends on the segments either side of it only.
    return TOKEN_RE.match(text, segment).end() < at


HYPHEN_RE = re.compile(f"[{re.escape(HYPHENS)}]")
_LETTER_RE = re.compile(r"[^\W\d_]")
#: The most characters of a hyphenated word before a part of it that :func:`compound_start` reads back.
MAX_COMPOUND_CHARS = 120


def compound_parts(word: str) -> list[str]:
    """The parts of a word of letters joined by hyphens ("санітарно-епідеміологічний" -> ["санітарно",
    "епідеміологічний"]), which every engine indexes as words of their own: SQLite's ``unicode61`` tokenizer
    splits at the hyphen, PostgreSQL's parser gives the whole word and its parts, Lucene's standard tokenizer
    its parts. So a query's «епідеміологічного» finds a text with «санітарно-епідеміологічної». [] for a word
    without a hyphen, or with a digit (the engines split a number each its own way: :func:`number_parts`)."""
    if has_digit(word):
        return []
    parts = HYPHEN_RE.split(word)
    return [part for part in parts if part] if len(parts) > 1 else []


def compound_start(text: str, at: int, lowest: int = 0) -> int | None:
    """Where the token of ``text`` (:data:`TOKEN_RE`) that holds position ``at`` starts, when it is a word of
    letters joined by apostrophes and hyphens that starts at ``lowest`` or after, at most MAX_COMPOUND_CHARS
    before ``at``; None otherwise (a number's token, a longer word). Only the word's letters before ``at`` are
    read, so a search that finds a part of a word (``search.results.Forms``) reads each word once."""
    start, limit = at, max(lowest, at - MAX_COMPOUND_CHARS)
    while start > limit and (
        _LETTER_RE.match(text, start - 1)
        or (text[start - 1] in _JOINERS and start - 2 >= limit and _LETTER_RE.match(text, start - 2))
    ):
        start -= 1
    if start > 0 and _SEGMENT_CHAR_RE.match(text, start - 1):  # a digit, or a word too long or begun before
        return None
    return start if token_starts_at(text, start) else None


def number_parts(token: str) -> list[str]:
    """The parts of a number token between its "-", "/" and "." ("1/9-100" -> ["1", "9", "100"]).

    [] for a token without a joiner (nothing to add beyond the token itself).
    """
    parts = [part for part in re.split(r"[-/.]", token) if part]
    return parts if len(parts) > 1 else []


# ---------------------------------------------------------------------------------------------------------------
# Stop words
# ---------------------------------------------------------------------------------------------------------------


def _word_set(*chunks: str) -> frozenset[str]:
    return frozenset(word for chunk in chunks for word in chunk.split())


#: Conservative Ukrainian stop list, matched on the normalised surface form (apostrophe as "'"). "не" and "ні"
#: are kept on purpose (see the module docstring), and so are adverbs such as "відповідно" and "згідно". Words
#: that are also common content words are left out: "мов" (also "of languages"), "коло" (also "circle",
#: "коло осіб"), "так", "є" (-> "бути").
STOP_WORDS: frozenset[str] = _word_set(
    # conjunctions and particles
    "і й та а але або чи що щоб як якщо коли бо тобто також ж же б би ще вже лише лиш тільки навіть ось",
    "от хай нехай адже проте однак зате ніби наче немов",
    # prepositions
    "в у на з із зі зо до від од для по про при за під піді над наді без через між поміж перед переді",
    "біля крізь понад попри щодо серед поза",
    # personal pronouns
    "я мене мені мною ми нас нам нами ти тебе тобі тобою ви вас вам вами",
    "він його йому ним нього ньому вона її їй нею неї ній воно вони їх їм ними них",
    # demonstratives
    "це цей ця ці цього цієї цих цьому цій цим цими цю цією той те ті того тієї тих тому тій тим тими ту тією",
    # relative / interrogative
    "який яка яке які якого якої яких якому якій яким якими яку якою",
    "котрий котра котре котрі",
    # forms of "свій"
    "свій своя своє свої свого своєї своїх своєму своїй своїм своїми свою своєю",
)

# ---------------------------------------------------------------------------------------------------------------
# The morphological analyser
# ---------------------------------------------------------------------------------------------------------------

_analyzer: pymorphy3.MorphAnalyzer | None = None
_analyzer_lock = threading.Lock()


def get_analyzer() -> pymorphy3.MorphAnalyzer:
    """The process's one ``pymorphy3.MorphAnalyzer(lang="uk")``, created on first use.

    pymorphy3 is imported here, not at module import, so importing this module stays cheap (no dictionary
    load) for code paths that never analyse text. Creation is guarded by a lock; the analyser itself is
    read-only after loading and safe to share between threads.
    """
    global _analyzer
    if _analyzer is None:
        with _analyzer_lock:
            if _analyzer is None:
                import pymorphy3

                _analyzer = pymorphy3.MorphAnalyzer(lang="uk")
    return _analyzer


#: Multipliers for parses that carry these grammemes; several multiply. Proper names (a lowercased "рада" is
#: far more often the council than the name Рада), "ґ" spelling variants, the vocative, the imperative and the
#: 1st/2nd person (rare in regulations, and the source of "освіти" -> "освітити", "закладу" -> "закласти",
#: "його" -> "йога"), slang and archaic words, and the dictionary's mangled forms (``Dist``, "покруч":
#: "приватні" read as the nonstandard "приватній" tied with "приватний", "продажу" as "продажа").
_GRAMMEME_PENALTIES: dict[str, float] = {
    "Name": 0.1,
    "Surn": 0.1,
    "Patr": 0.1,
    "alt": 0.5,
    "voct": 0.5,
    "impr": 0.2,
    "1per": 0.2,
    "2per": 0.2,
    "Slng": 0.3,
    "Arch": 0.3,
    "Dist": 0.5,
}

#: Lemmas that the dictionary lists first for a common word form but that are rare in regulations, found by
#: reading the most frequent ambiguous forms of the 104 education laws. The penalty only reorders: a word
#: whose *only* reading is one of these still gets it ("рок" stays "рок").
_RARE_LEMMAS: frozenset[str] = frozenset(
    {
        "рок",  # року -> рік
        "рад",  # ради, рада, рад -> рада
        "учення",  # учень
        "вон",  # вона
        "йога",  # його
        "маяти",  # має, мають -> мати
        "мая",  # має
        "вищати",  # вищу -> вищий
        "бута",  # бути
        "булий",  # була -> бути
        "робот",  # роботи, роботу -> робота
        "політик",  # політики, політику -> політика
        "практик",  # практику -> практика
        "посад",  # посади, посаду -> посада
        "галуза",  # галузі -> галузь
        "рівня",  # рівня, рівні -> рівень
        "плат",  # плати -> плата
        "мата",  # мати
        "мат",  # мати
        "дно",  # дні -> день
        "віка",  # віку -> вік
        "віко",  # віку, віком -> вік
        "стать",  # статтю, статей -> стаття
        "збора",  # збору -> збір
        "банка",  # банку -> банк
        "рол",  # ролі -> роль
        "роля",  # ролі -> роль
        "воло",  # волі -> воля
        "віл",  # волі -> воля
        "влад",  # влади -> влада
        "том",  # тому
        "тома",  # тому
        "тога",  # того
        "сема",  # семи -> сім
        "бока",  # боку -> бік
        "різня",  # різні -> різний
        "повня",  # повне -> повний
        "відом",  # відома -> відомий
        "майн",  # майнові -> майновий
        "місько",  # міська -> міський
        "українськ",  # українська -> український
        "понада",  # понад
        "січня",  # січня -> січень
        "вересня",  # вересня -> вересень
        "видіти",  # видів -> вид
        "прати",  # прав -> право
        "станути",  # стану, стали -> стати
        "терти",  # три
        "перти",  # при
        "діти",  # the verb "to put": діти -> дитина
        "вплисти",  # вплив
        "впливти",  # вплив
        "колоти",  # коли
        "кіл",  # коли
        "кола",  # коли
        "голови",  # голови -> голова
        "гол",  # голів -> голова
        "голіти",  # голів -> голова
        "строки",  # строки, строків -> строк
        "строків",  # строків -> строк
        "суми",  # суми -> сума
        "палати",  # палати -> палата
        "округа",  # округу -> округ
        "просторий",  # простору -> простір
        "ріка",  # рік
        "ректи",  # рік
        "даль",  # далі
        "даля",  # далі
        "дан",  # дані -> даний
        "даня",  # дані
        "дань",  # дані
        "радий",  # рада, радою, раду -> рада
        "батьків",  # батькові -> батько (the possessive adjective and a place name)
        "правити",  # правила, правило -> правило
        "кий",  # києві -> київ
        "судома",  # судом -> суд
        "ринка",  # ринку -> ринок
        "запитий",  # запиту -> запит
        "запитів",  # запитів -> запит
        "зборів",  # зборів -> збори
        "виконанний",  # виконанні -> виконання
        "міжнародній",  # міжнародні -> міжнародний
        "труд",  # трудові -> трудовий (regulations say "праця")
        "п'ята",  # п'яти, п'яту -> п'ять, п'ятий
        "зв'язка",  # зв'язку, зв'язки -> зв'язок ("у зв'язку з")
    }
)
_RARE_PENALTY = 0.1
#: The most lemmas a token is indexed and searched by: its best and those as likely.
MAX_LEMMAS = 3
# Possessive adjectives ("батьків", "вчителів", "директорів", "мамин") share their form with the genitive
# plural of the noun, which is what regulations mean.
_POSSESSIVE_ENDINGS = ("ів", "їв", "ин", "їн")
_POSSESSIVE_PENALTY = 0.2
# A noun that is an adjective used as a noun ("центральне", "громадська", "дані", "складова") loses to the
# adjective reading of the same form, so "центрального", "центральне" and "центральний" all meet at
# "центральний".
# Only nouns ending like an adjective's feminine, neuter or plural ("молодь" does not lose to "молодий"), and
# stems of 3+ letters ("перше" -> "перший", "нова" -> "новий"); "рада" is kept from "радий" by _RARE_LEMMAS.
_SUBSTANTIVE_PENALTY = 0.5
_SUBSTANTIVE_ENDINGS = frozenset("аеі")
_SUBSTANTIVE_MIN_STEM = 3


def _rank_lemmas(parses: list) -> list[tuple[str, float]]:
    """Distinct normal forms of ``parses`` with their best penalised score, best first.

    Ties go to the lemma whose best-scoring parse comes first in the dictionary's order.
    """
    adjective_stems = {
        p.normal_form[:-2] for p in parses if "ADJF" in p.tag and len(p.normal_form) - 2 >= _SUBSTANTIVE_MIN_STEM
    }
    best: dict[str, tuple[float, int]] = {}
    for index, p in enumerate(parses):
        lemma = p.normal_form
        score = p.score
        tag = p.tag
        for grammeme, penalty in _GRAMMEME_PENALTIES.items():
            if grammeme in tag:
                score *= penalty
        if lemma in _RARE_LEMMAS:
            score *= _RARE_PENALTY
        if "ADJF" in tag and lemma.endswith(_POSSESSIVE_ENDINGS):
            score *= _POSSESSIVE_PENALTY
        elif "NOUN" in tag and lemma[-1:] in _SUBSTANTIVE_ENDINGS and lemma[:-1] in adjective_stems:
            score *= _SUBSTANTIVE_PENALTY
        if lemma not in best or score > best[lemma][0]:
            best[lemma] = (score, index)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], item[1][1]))
    return [(lemma, score) for lemma, (score, _) in ranked]


def _clean(lemma: str, fallback: str) -> str:
    lemma = lemma.casefold().replace("'", "")
    return lemma if ALLOWED_TERM_RE.fullmatch(lemma) else fallback


@functools.lru_cache(maxsize=200_000)
def _analyse_word(word: str) -> tuple[str, ...]:
    """Lemmas of one letters-only token (maybe hyphenated, with "'"): the best, and those equally likely (at most
    :data:`MAX_LEMMAS` in all)."""
    plain = word.replace("'", "")
    if not plain or _LATIN_ONLY_RE.fullmatch(plain):
        return (plain,) if plain else ()
    parts = word.split("-")
    if any(len(part) > MAX_ANALYSED_LENGTH for part in parts):
        return (plain,)
    analyzer = get_analyzer()
    if len(plain) <= _SHORT_UNKNOWN_LENGTH and not analyzer.word_is_known(word):
        # A short word the dictionary lacks is almost always an abbreviation ("ЗЗСО", "ЄКТС"); the suffix
        # guessers would "inflect" it ("ззсо" -> "ззса").
        return (plain,)
    if len(parts) > 1 and not analyzer.word_is_known(word):
        # An unknown compound: lemmatise each part. pymorphy3's own guess often leaves the first part
        # inflected ("державою-агресором" -> "державою-агресор"); part by part it is "держава-агресор".
        return ("-".join(_analyse_word(part)[0] if part else part for part in parts),)
    ranked = _rank_lemmas(analyzer.parse(word))
    if not ranked:
        return (plain,)
    best = ranked[0][1]
    tied = [_clean(lemma, plain) for lemma, score in ranked[:MAX_LEMMAS] if score >= best]
    return tuple(dict.fromkeys(tied))


@functools.lru_cache(maxsize=200_000)
def _token_lemmas(token: str) -> tuple[str, ...]:
    """Lemmas of one token from :func:`tokenize`: () for a stop word, the token itself for a number, the number of
    an ordinal ("5-го" -> "5": :data:`_ORDINAL_RE`; "2023-2024-го" -> "2023/2024": :func:`academic_year`)."""
    if token in STOP_WORDS:
        return ()
    if has_digit(token):
        ordinal = _ORDINAL_RE.fullmatch(token)
        if ordinal is None:
            return (token,)
        number = ordinal.group(1)
        return (academic_year(number) or number,)
    return _analyse_word(token)


#: A word that is an abbreviation inflected as a noun, its ending written in lower case («МОНу», «МОНом», «ІРЦі»,
#: «МОН-у»): two to six capitals (a longer word in capitals with its last letter in lower case is a slip:
#: «ПОЛОЖЕННя»). It starts with one capital, not a repeat of them, so that the expression engine skips to the next
#: capital of a text (5 ns a character of the laws against 13-15: 4 % of the analysis of a text); that no letter
#: is before it is checked after (:func:`_inflected_abbreviations`).
_INFLECTED_ABBREVIATION_RE = re.compile(
    r"([АБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЮЯ][АБВГҐДЕЄЖЗИІЇЙКЛМНОПРСТУФХЦЧШЩЮЯ]{1,5})-?(?:у|ю|ом|ем|єм|і|ї|ові|еві|а|я)"
    r"(?![^\W\d_])"
)


def _inflected_abbreviations(text: str) -> dict[str, tuple[str, ...]]:
    """The tokens of ``text`` written as an abbreviation inflected as a noun (:data:`_INFLECTED_ABBREVIATION_RE`),
    each with its lemmas: the abbreviation's first, then the word's own, at most :data:`MAX_LEMMAS` in all. The
    dictionary reads «МОНу» and «МОНом» as other words («мону», «моном»), so a text that inflects an abbreviation
    was not found by it, nor a text that writes «МОН» by a query that inflects it. A word's own lemmas stay beside
    (another text writes «МОНу» so). Read from the text as written: the case of its letters tells the ending
    from the abbreviation, and a lower-case «мону» may be that other word (the same text writing it so too has
    both read as the abbreviation first: its words are read by their tokens)."""
    found: dict[str, tuple[str, ...]] = {}
    for match in _INFLECTED_ABBREVIATION_RE.finditer(text):
        start = match.start()
        if start and _LETTER_RE.match(text, start - 1):  # capitals inside a word: «ШкОЛу»
            continue
        tokens = tokenize(match.group())
        if len(tokens) == 1:
            lemmas = (*_token_lemmas(match.group(1).casefold()), *_token_lemmas(tokens[0]))
            found[tokens[0]] = tuple(dict.fromkeys(lemmas))[:MAX_LEMMAS]
    return found


def lemma_groups(text: str) -> list[tuple[str, ...]]:
    """One tuple of lemmas (best first, at most :data:`MAX_LEMMAS`) for every token of ``text`` that is not a stop
    word."""
    if not text:
        return []
    inflected = _inflected_abbreviations(text)
    groups: list[tuple[str, ...]] = []
    append = groups.append
    for run in _RUN_RE.findall(_normalise(text)):
        for token in _split_run(run) if len(run) <= _CACHED_RUN_LENGTH else _split_run_uncached(run):
            lemmas = inflected.get(token) or _token_lemmas(token)
            if lemmas:
                append(lemmas)
    return groups


def _run_lemmas_uncached(run: str, with_alternatives: bool, inflected: dict[str, tuple[str, ...]] | None = None) -> str:
    """What :func:`lemmatize` emits for one run of :data:`_RUN_RE`, the lemmas of ``inflected``'s tokens those
    it holds (``_run_lemmas`` is the cached version, of a run without them)."""
    tokens = _split_run(run) if len(run) <= _CACHED_RUN_LENGTH else _split_run_uncached(run)
    if inflected:
        groups = [inflected.get(token) or _token_lemmas(token) for token in tokens]
    else:
        groups = [_token_lemmas(token) for token in tokens]
    if with_alternatives:
        return " ".join([lemma for lemmas in groups for lemma in lemmas])
    return " ".join([lemmas[0] for lemmas in groups if lemmas])


# One look-up per word of a long text instead of one per step (split, lemmas, join): a third faster when warm.
_run_lemmas = functools.lru_cache(maxsize=200_000)(_run_lemmas_uncached)


#: A joiner of :data:`_RUN_RE` in a run: a run without one is one token.
_RUN_JOINER_RE = re.compile(r"['\-./]")


def _holds_one_of(run: str, tokens: dict[str, tuple[str, ...]]) -> bool:
    """Whether one of the tokens of ``run`` (a run of :data:`_RUN_RE`) is among ``tokens``: the run itself, or one
    of its tokens when it has a joiner (a run of letters alone is its one token; the words
    :func:`_inflected_abbreviations` finds are letters, maybe hyphenated)."""
    if run in tokens:
        return True
    if _RUN_JOINER_RE.search(run) is None:
        return False
    return not tokens.keys().isdisjoint(_split_run(run) if len(run) <= _CACHED_RUN_LENGTH else _split_run_uncached(run))


def lemmatize(text: str, *, with_alternatives: bool = False) -> str:
    """Lowercase lemmas of ``text`` joined by single spaces, in text order, stop words removed.

    One lemma per token (the best after the penalties described in the module docstring); numbers and
    document numbers are kept as tokenised ("2145-viii", "367"), an ordinal is its number ("5-го" -> "5");
    Latin words pass through lowercased; the
    apostrophe is dropped from lemmas ("м'ячем" -> "мяч"). Every emitted term matches
    :data:`ALLOWED_TERM_RE`.

    With ``with_alternatives=True`` a token whose two (or three) best lemmas are equally likely gets them all,
    the best first ("рівні" -> "рівний рівень"); see the module docstring for what that costs. An abbreviation
    inflected with a lower-case ending («МОНом») is the abbreviation first (:func:`_inflected_abbreviations`).
    """
    if not text:
        return ""
    inflected = _inflected_abbreviations(text)
    parts = []
    for run in _RUN_RE.findall(_normalise(text)):
        if len(run) <= _CACHED_RUN_LENGTH and not (inflected and _holds_one_of(run, inflected)):
            lemmas = _run_lemmas(run, with_alternatives)
        else:
            lemmas = _run_lemmas_uncached(run, with_alternatives, inflected)
        if lemmas:
            parts.append(lemmas)
    return " ".join(parts)


@functools.lru_cache(maxsize=200_000)
def word_lemmas(word: str) -> tuple[str, ...]:
    """The lemmas of one word as written (alternatives included), the parts of a hyphenated one's (as the engines
    index them: :func:`compound_parts`) and the word lowercased, each once: what a snippet compares with a
    query's lemmas, word after word, so it is kept per word form (a tuple: see :class:`_FiledWords`)."""
    lemmas = lemmatize(word, with_alternatives=True).split()
    return tuple(dict.fromkeys((*lemmas, *(part for lemma in lemmas for part in compound_parts(lemma)), word.lower())))


@functools.lru_cache(maxsize=20_000)
def lemma_forms(lemma: str) -> tuple[str, ...]:
    """``lemma`` and, lowercased, every form of the dictionary words it is the lemma of (their pymorphy3
    lexemes), each once: the forms a snippet looks for first, before it lemmatises a text's words one by one.
    Not every word whose lemma this is (a guessed word, a compound, a spelling with another apostrophe) is among
    them. Kept per lemma as a tuple, which the garbage collector stops walking (:class:`_FiledWords`)."""
    forms = dict.fromkeys(academic_year_spellings(lemma) or (lemma,))
    for parse in get_analyzer().parse(lemma):
        if parse.normal_form == lemma:
            forms.update(dict.fromkeys(form.word.lower() for form in parse.lexeme))
    return tuple(forms)


_PLAIN_WORD_RE = re.compile(f"[{_CYRILLIC}]+")


def closed_forms(lemmas: set[str]) -> frozenset[str] | None:
    """The dictionary forms of ``lemmas`` (``ґ`` spelt ``г``), for :func:`ruled_out`; None when a Cyrillic lemma
    is not itself a dictionary word (its apostrophe dropped, a compound, a guess): the words it is the lemma of
    may then be other than its forms. Numbers and Latin words are no plain Cyrillic word's lemma, but for a Roman
    numeral: "ii" is the lemma of "ІІ" typed in Cyrillic (:func:`_latin_numeral`), whose spelling is added."""
    analyzer = get_analyzer()
    forms: set[str] = set()
    for lemma in lemmas:
        if not _HAS_CYRILLIC_RE.search(lemma):
            if _VALID_ROMAN_RE.fullmatch(lemma.upper()):
                forms.add(lemma.translate(_LATIN_TO_NUMERAL_LOOKALIKES))
            continue
        if not (_PLAIN_WORD_RE.fullmatch(lemma) and analyzer.word_is_known(lemma)):
            return None
        forms.update(form.replace("ґ", "г") for form in lemma_forms(lemma))
    return frozenset(forms)


def ruled_out(word: str, closed: frozenset[str] | None) -> bool:
    """True when ``word`` (as written) has none of the lemmas whose forms ``closed`` holds, known without
    analysing it: a plain Cyrillic word the dictionary knows and not among those forms. Such a word's lemmas
    are the normal forms of its paradigms, and it is one of their forms (spelt with ``г`` where the dictionary
    has ``ґ``; an apostrophe-less lemma is not closed): true of all 18,742 such words of the 104 laws."""
    if closed is None:
        return False
    folded = plain_fold(word)
    return folded is not None and folded not in closed


def plain_fold(word: str) -> str | None:
    """``word`` lowercased, ``ґ`` as ``г``, when it is a plain Cyrillic word the dictionary knows: a word
    :func:`ruled_out` may rule out. None for any other word (an apostrophe, a hyphen, a digit, a Latin letter,
    a word the dictionary does not know or too long to analyse, an abbreviation inflected with a lower-case ending:
    :func:`_inflected_abbreviations`)."""
    folded = word.lower()
    if (
        len(folded) <= MAX_ANALYSED_LENGTH
        and not (word[:2].isupper() and _INFLECTED_ABBREVIATION_RE.fullmatch(word))
        and _PLAIN_WORD_RE.fullmatch(folded) is not None
        and get_analyzer().word_is_known(folded)
    ):
        return folded.replace("ґ", "г")
    return None


class _FiledWords(abc.ABC):
    """Word forms filed once per process, each by ``file(word)``: a process-wide index for set operations.
    ``seen`` holds the forms filed; past MAX_FILED_FORMS the index starts afresh. Safe to use from several
    threads: words are filed under a lock, and an index is only ever added to, or replaced whole.

    What is filed under a key is a tuple (:meth:`add`), as :func:`word_lemmas` are: the garbage collector stops
    walking a tuple of strings once it has seen it, and walks a set or a frozenset on every full pass. The 104
    laws' words filed as a snippet files them were 62,520 sets and frozensets, and a full pass of the collector
    took 8.6-15 ms (``cms.startup`` freezes the process's other objects out of it); as tuples, 0.2 ms."""

    def __init__(self):
        self.seen: set[str] = set()

    @abc.abstractmethod
    def file(self, word: str) -> None:
        """File one word form in this index."""

    @staticmethod
    def add(filed: dict[str, tuple[str, ...]], key: str, item: str) -> None:
        """File ``item`` under ``key`` in ``filed`` (once)."""
        items = filed.get(key, ())
        if item not in items:
            filed[key] = (*items, item)

    @classmethod
    def holding(cls, words: set[str]) -> _FiledWords:
        """The process's index of this kind, with ``words`` filed."""
        index = _filed_words[cls]
        if words <= index.seen:
            return index
        with _filing:  # a tuple filed under a key is replaced by a longer one: two threads would lose a word
            index = _filed_words[cls]
            unseen = words - index.seen
            if len(index.seen) + len(unseen) > _MAX_FILED_FORMS:
                index = _filed_words[cls] = cls()
                unseen = words  # the words seen before are not in the new index
            for word in unseen:
                index.file(word)
            index.seen |= unseen  # after they are filed
        return index


class _FormsByLemma(_FiledWords):
    """The word forms seen so far, filed under each of their :func:`word_lemmas`."""

    def __init__(self):
        super().__init__()
        self.by_lemma: dict[str, tuple[str, ...]] = {}

    def file(self, word: str) -> None:
        for lemma in word_lemmas(word):
            self.add(self.by_lemma, lemma, word)


class _PlainWords(_FiledWords):
    """The word forms seen so far, as :func:`ruled_out` sees them: the plain dictionary words under their fold
    (:func:`plain_fold`), the others as open."""

    def __init__(self):
        super().__init__()
        self.open: set[str] = set()
        self.by_fold: dict[str, tuple[str, ...]] = {}

    def file(self, word: str) -> None:
        self.file_as(word, word)

    def file_as(self, item: str, word: str) -> None:
        """File ``item`` as ``word`` is filed."""
        folded = plain_fold(word)
        if folded is None:
            self.open.add(item)
        else:
            self.add(self.by_fold, folded, item)

    def kept(self, items: set[str], closed: frozenset[str]) -> set[str]:
        """Those of ``items`` (filed here) that are open or filed under one of the folds ``closed`` holds."""
        found = items & self.open
        for folded in closed:
            filed = self.by_fold.get(folded)
            if filed:
                found.update(items.intersection(filed))
        return found


class _PlainRuns(_PlainWords):
    """The runs of characters between spaces seen so far (a text's ``split()``: no token of :data:`TOKEN_RE`
    crosses a space), filed as :class:`_PlainWords` files words: a run with a word :func:`plain_fold` leaves open
    as open, the others under each of their words' folds. The runs with a character the analysis drops inside
    a word (:data:`DROPPED_CHAR_RE`) are also in ``split``: :data:`TOKEN_RE` reads «за́клад» as «за» and
    «клад»."""

    def __init__(self):
        super().__init__()
        self.split: set[str] = set()

    def file(self, run: str) -> None:
        if DROPPED_CHAR_RE.search(run):
            self.split.add(run)
        for word in TOKEN_RE.findall(run):
            self.file_as(run, word)


#: Forms filed before an index starts afresh (the size of the word caches).
_MAX_FILED_FORMS = 200_000
_filing = threading.Lock()
_filed_words: dict[type[_FiledWords], _FiledWords] = {kind: kind() for kind in (_FormsByLemma, _PlainWords, _PlainRuns)}


def forms_with_lemmas(words: set[str], lemmas: set[str]) -> set[str]:
    """Those of ``words`` (word forms as written) whose :func:`word_lemmas` include one of ``lemmas``.

    A snippet asks this of every word of a text. Each form is analysed once per process and filed under its
    lemmas, so a text whose words were seen before is answered by set operations alone, without a call per
    word. Safe to call from several threads (:class:`_FiledWords`)."""
    index = _FormsByLemma.holding(words)
    found: set[str] = set()
    for lemma in lemmas:
        forms = index.by_lemma.get(lemma)
        if forms:
            found.update(words.intersection(forms))
    return found


def not_ruled_out(words: set[str], closed: frozenset[str]) -> set[str]:
    """Those of ``words`` (word forms as written) that ``ruled_out(word, closed)`` does not rule out: what a
    snippet asks of the distinct words of a text it reads the long way, or of a window it marks. Each form is
    checked once per process and filed, so words seen before are answered by set operations alone. Safe to
    call from several threads (:class:`_FiledWords`)."""
    return _PlainWords.holding(words).kept(words, closed)


class TextWords(NamedTuple):
    """What :func:`words_not_ruled_out` tells of a text."""

    #: The text's distinct words (tokens as written) that :func:`ruled_out` does not rule out.
    words: set[str]
    #: The runs of the text (between spaces) with a character the analysis drops inside a word
    #: (:data:`DROPPED_CHAR_RE`): the engines read past it, ``words`` holds the pieces of its word.
    split: set[str]


def words_not_ruled_out(text: str, closed: frozenset[str]) -> TextWords:
    """``not_ruled_out(set(TOKEN_RE.findall(text)), closed)``: the distinct words of ``text`` that
    :func:`ruled_out` does not rule out, without reading every word with the token expression (~55 ns a
    character: 0.3 ms for a 5,600-character act, the cost of a snippet whose text has none of the query's
    dictionary forms, as a hit found by its title). The text is split at spaces (~15 ns a character) and its
    distinct runs filed once per process (:class:`_PlainRuns`); only the words of the runs that may hold one
    are read. Whether a run holds a dropped character is filed with it, so those runs are found by a set
    operation, not by reading the text again (~2.6 ns a character). Safe to call from several threads
    (:class:`_FiledWords`)."""
    runs = set(text.split())
    index = _PlainRuns.holding(runs)
    kept = index.kept(runs, closed)
    words = not_ruled_out({word for run in kept for word in TOKEN_RE.findall(run)}, closed)
    return TextWords(words, runs & index.split if index.split else set())


def cache_clear() -> None:
    """Empty the word caches (the analyser stays loaded). For benchmarks and tests."""
    _split_run.cache_clear()
    _run_lemmas.cache_clear()
    lemma_forms.cache_clear()
    _token_lemmas.cache_clear()
    _analyse_word.cache_clear()
    word_lemmas.cache_clear()
    indexed_groups.cache_clear()
    for kind in _filed_words:
        _filed_words[kind] = kind()


# ---------------------------------------------------------------------------------------------------------------
# Queries
# ---------------------------------------------------------------------------------------------------------------

#: A quoted phrase of a query: «...», “...”, „...“ / „...”, ”...”, "..."; the one group that matched holds the
#: words inside the quotes. An unpaired quote is just a separator.
PHRASE_RE = re.compile(r'«([^«»]*)»|“([^“”]*)”|„([^„“”]*)[“”]|”([^”]*)”|"([^"]*)"')


@dataclass(frozen=True)
class AnalysedQuery:
    """A user's query, analysed the same way as indexed text.

    - ``terms``: the best lemma of every query word (quoted ones included), stop words removed, duplicates
      removed, in query order. Numbers are among them as tokenised.
    - ``alternatives``: parallel to ``terms``; the lemmas to OR for that term (the term first, then an equally
      likely second lemma if there is one). A search layer that ANDs terms should OR within each tuple.
    - ``phrases``: each quoted phrase as normalised surface tokens joined by spaces ("про зарахування"), for an
      exact match against the unlemmatised text; a phrase of stop words only («"про"») is none.
    - ``phrase_lemmas``: the same phrases lemmatised (stop words removed, as in the index), for a phrase match
      against a lemmatised field.
    - ``phrase_readings``: parallel to ``phrase_lemmas``; every lemma sequence the phrase may be indexed as, to
      OR (see :func:`phrase_readings`).
    - ``numbers``: tokens with a digit, intact ("2145-viii", "367", "1/9-100"), duplicates removed.
    - ``original``: the query as given.
    """

    terms: list[str]
    phrases: list[str]
    numbers: list[str]
    original: str
    alternatives: list[tuple[str, ...]] = field(default_factory=list)
    phrase_lemmas: list[str] = field(default_factory=list)
    phrase_readings: list[tuple[str, ...]] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.terms and not self.phrases


def analyse_query(text: str) -> AnalysedQuery:
    """Analyse a search query: lemmatised terms, quoted phrases and numbers (see :class:`AnalysedQuery`)."""
    text = text or ""
    phrases: list[str] = []
    phrase_lemmas: list[str] = []
    readings: list[tuple[str, ...]] = []
    for match in PHRASE_RE.finditer(text):
        inner = next(g for g in match.groups() if g is not None)
        surface = " ".join(tokenize(inner))
        groups = lemma_groups(inner)
        # A phrase of stop words only («"про"») asks for nothing the index holds: it is no phrase.
        if surface and groups and surface not in phrases:
            phrases.append(surface)
            phrase_lemmas.append(" ".join(group[0] for group in groups))
            readings.append(phrase_readings(groups))
    terms: list[str] = []
    alternatives: list[tuple[str, ...]] = []
    for group in _query_groups(text):
        if group[0] not in terms:
            terms.append(group[0])
            alternatives.append(group)
    numbers = list(dict.fromkeys(t for t in tokenize(text) if has_digit(t)))
    return AnalysedQuery(
        terms=terms,
        phrases=phrases,
        numbers=numbers,
        original=text,
        alternatives=alternatives,
        phrase_lemmas=phrase_lemmas,
        phrase_readings=readings,
    )


def _query_groups(text: str) -> list[tuple[str, ...]]:
    """:func:`lemma_groups` of a query (an inflected abbreviation is that abbreviation first, as in a text:
    :func:`_inflected_abbreviations`)."""
    return lemma_groups(text)


#: The most lemma sequences a quoted phrase is looked for as (see :func:`phrase_readings`).
MAX_PHRASE_READINGS = 16


@functools.lru_cache(maxsize=20_000)
def indexed_groups(group: tuple[str, ...]) -> tuple[tuple[str, ...], ...]:
    """The lemma groups a query word of ``group`` (its lemmas, :func:`_token_lemmas`) may be indexed as in the
    form a text has it: the word's own group first, then the group of every dictionary form of its lemmas
    (:func:`lemma_forms`) that holds one of them, those of fewer lemmas (most forms have one) first. A word with
    equally likely lemmas is indexed with them all, side by side: «рівних» is «рівний», but «рівні» in a text
    is «рівний рівень»."""
    others: set[tuple[str, ...]] = set()
    for lemma in group:
        for form in lemma_forms(lemma):
            lemmas = _token_lemmas(form)
            if lemmas != group and not set(lemmas).isdisjoint(group):
                others.add(lemmas)
    return (group, *sorted(others, key=lambda lemmas: (len(lemmas), lemmas)))


def phrase_readings(groups: list[tuple[str, ...]]) -> tuple[str, ...]:
    """The lemma sequences a quoted phrase of words of these lemma groups may be indexed as, to be looked for
    as any of them: a text is indexed with every equally likely lemma of a word, side by side
    (``lemmatize(with_alternatives=True)``), so the phrase as written is its words' groups in a row («приватні
    заклади»: «приватній приватний заклад») and the same words in other forms other groups («рівних прав» is
    «рівний право»; «Рівні права» in a text «рівний рівень право правий»). The words' own groups first, then
    with one word in another form, two, and so on (:func:`indexed_groups`), at most
    :data:`MAX_PHRASE_READINGS`."""
    options = [indexed_groups(group) for group in groups]
    readings = dict.fromkeys(
        " ".join(lemma for group in choice for lemma in group)
        for choice in itertools.islice(_fewest_changes_first(options), MAX_PHRASE_READINGS)
    )
    return tuple(readings)


def _fewest_changes_first(options: list[tuple]) -> Iterator[list]:
    """One option of each list (the first is each list's own), those with fewer options other than the first
    first."""
    for changes in range(len(options) + 1):
        for positions in itertools.combinations(range(len(options)), changes):
            for picks in itertools.product(*(options[position][1:] for position in positions)):
                choice = [option[0] for option in options]
                for position, pick in zip(positions, picks, strict=True):
                    choice[position] = pick
                yield choice


def lemmatize_query(text: str) -> str:
    """The query's terms (see :func:`analyse_query`) joined by spaces: what to hand a backend as plain text."""
    return " ".join(analyse_query(text).terms)
