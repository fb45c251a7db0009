"""Spelling corrections of a query: each word the Ukrainian dictionary does not know, as the known word one
edit away from it that the typist most likely meant («охорона дитинсва» -> «охорона дитинства»).

The database backends have no typo tolerance of their own (OpenSearch and Elasticsearch have fuzzy queries):
a query with a misspelt word finds nothing with all its words, and the search used to fall back to any of its
words. The search now asks the engine for the corrected query first (``search.services``) and says so; the
results page and the API name the query the results are for.

Only one edit is tried (a letter dropped, added, replaced, or two letters swapped): most typing slips are
one; two edits make many real words of one. Among the known words an edit makes, the likeliest slip wins:
a dropped letter, then a letter typed for a similar one (і/ї, и/і, е/є, г/ґ, ш/щ, и/й), two letters swapped,
another letter replaced, a letter added; the first of them in the word, as ties go.

A slip may also make another real word («вишу освіту» for «вищу освіту»: «вишу» is a form of «виш»), which
the dictionary cannot tell. When the query's words, as typed and corrected, find nothing together, the search
tries the query with one known word replaced by its twin, the known word one similar letter away
(:func:`twin_queries`): each such query is an engine query, so only a few are tried, the first that finds
anything is shown as the corrected query. A twin a letter dropped or added away is not tried: more than half
of the laws' 1,000 commonest words of five letters or more have one or several («освіти»: «світи», «освітиш»),
mostly not what a typist meant, and each would be one more engine query.

Two ways of writing a query find nothing, and the search tries it written otherwise when it does (before the
twins), and says so as for a correction:

- typed with the English layout on («yfrfp ghj pfhf[edfyyz» for «наказ про зарахування»): each run of the
  English layout's keys that the Ukrainian layout makes a word the dictionary (or the abbreviations' table)
  knows is that word (:func:`on_ukrainian_layout`); the twins and near spellings tried after it are those of
  the letters meant;
- a word written together with a number («ЗНО-2024», «НМТ-2025», «ЗНО2024»), one token to the analysis, kept
  whole as a document number is, so that only a text that writes it so has it (the laws write «зовнішнє
  незалежне оцінювання» and the year apart): each is the word and the number apart (:func:`numbers_apart`).
"""

import functools
import re
from collections.abc import Iterator

from .abbreviations import ABBREVIATIONS
from .analysis import (
    DROPPED_CHAR_RE,
    HYPHENS,
    PHRASE_RE,
    STOP_WORDS,
    TOKEN_RE,
    get_analyzer,
    has_digit,
    lemmatize,
    tokenize,
)

#: The letters an edit may add or put in a word's place: the Ukrainian alphabet and the apostrophe.
ALPHABET = "абвгґдеєжзиіїйклмнопрстуфхцчшщьюя'"
#: Pairs of letters typed for each other (a missed dot or stroke, a neighbouring key, a sound).
SIMILAR_LETTERS = frozenset(frozenset(pair) for pair in ("ії", "иі", "еє", "гґ", "шщ", "ий"))
#: Shorter words are left as typed: abbreviations («ЗЗСО», «НУШ»), which the dictionary does not know, and
#: short words a single edit makes many other words of.
MIN_WORD_LENGTH = 5
#: The most words of one query corrected (each costs a few hundred dictionary look-ups).
MAX_CORRECTED_WORDS = 8
#: Known words this short have no twin (:func:`similar_twins`): a similar letter makes few words of one.
MIN_TWIN_LENGTH = 4
#: The most queries with a word's twin tried (:func:`twin_queries`): each is an engine query.
MAX_TWIN_QUERIES = 4

_PLAIN_WORD_RE = re.compile(f"[{ALPHABET}]+")
#: A token of a word written together with a number: two letters or more, a hyphen (or a dash the analysis reads
#: as one) or nothing, the number («ЗНО-2024», «НМТ–2025», «ЗНО2024», «ліцей-157»). Most document numbers start
#: with their digits («2145-VIII», «504/96-ВР») or have one letter before them («z0123-45»); one with letters
#: first («ОД-5», «COVID-19») is put apart only where its letters make a word meant by itself or its number is a
#: year (:func:`numbers_apart`).
_WORD_AND_NUMBER_RE = re.compile(rf"([^\W\d_]{{2,}})[{re.escape(HYPHENS)}]?(\d.*)")
_YEAR_RE = re.compile(r"(?:19|20)\d\d")

# Edit kinds, likeliest slip first.
DROPPED, SIMILAR, SWAPPED, REPLACED, ADDED = range(5)


def _edits(word: str) -> dict[str, int]:
    """Every string one edit away from ``word``, with the likeliest kind of slip that gives it."""
    edits: dict[str, int] = {}

    def add(candidate: str, kind: int) -> None:
        if candidate != word and kind < edits.get(candidate, ADDED + 1):
            edits[candidate] = kind

    for at in range(len(word) + 1):
        head, tail = word[:at], word[at:]
        for letter in ALPHABET:
            add(head + letter + tail, DROPPED)  # the typist dropped ``letter``
        if tail:
            add(head + tail[1:], ADDED)
            for letter in ALPHABET:
                if letter != tail[0]:
                    similar = frozenset((letter, tail[0])) in SIMILAR_LETTERS
                    add(head + letter + tail[1:], SIMILAR if similar else REPLACED)
        if len(tail) > 1:
            add(head + tail[1] + tail[0] + tail[2:], SWAPPED)
    return edits


@functools.lru_cache(maxsize=10_000)
def correct_word(word: str) -> str | None:
    """The known word ``word`` (lower case, a token of :func:`search.analysis.tokenize`) most likely misspells,
    None when the dictionary knows it, it is too short, not a plain Ukrainian word, or no one edit makes a
    known word of it."""
    if len(word) < MIN_WORD_LENGTH or not _PLAIN_WORD_RE.fullmatch(word) or word.startswith("'"):
        return None
    analyzer = get_analyzer()
    if analyzer.word_is_known(word):
        return None
    # The order of a dict is the edits' order: by position in the word, then by letter.
    known = [(kind, candidate) for candidate, kind in _edits(word).items() if analyzer.word_is_known(candidate)]
    if not known:
        return None
    best = min(kind for kind, _candidate in known)
    return next(candidate for kind, candidate in known if kind == best)


def _as_typed(correction: str, typed: str) -> str:
    """``correction`` in the case the word was typed in (all capitals, a capital first, or lower case)."""
    if typed.isupper() and len(typed) > 1:
        return correction.upper()
    if typed[:1].isupper():
        return correction[:1].upper() + correction[1:]
    return correction


def _words(text: str) -> Iterator[tuple[re.Match, str]]:
    """The words of ``text`` a correction may replace, and each as the analysis reads it (lower case): not a
    stop word, a number, or a piece of a word split by an invisible character (a correction would mangle it)."""
    for match in TOKEN_RE.finditer(text):
        start, end = match.span()
        if DROPPED_CHAR_RE.match(text, end) or (start and DROPPED_CHAR_RE.match(text, start - 1)):
            continue  # a piece of a word (TOKEN_RE ends at the character)
        tokens = tokenize(match.group())
        if len(tokens) == 1 and tokens[0] not in STOP_WORDS and not has_digit(tokens[0]):
            yield match, tokens[0]


def _replaced(text: str, replacements: list[tuple[re.Match, str]]) -> str:
    """``text`` with each matched word (in the text's order) replaced, in the case it was typed in."""
    return _spliced(text, [(match, _as_typed(word, match.group())) for match, word in replacements])


def _spliced(text: str, replacements: list[tuple[re.Match, str]]) -> str:
    """``text`` with each match (in the text's order) replaced by the text given it, everything else as typed."""
    parts: list[str] = []
    position = 0
    for match, replacement in replacements:
        parts += [text[position : match.start()], replacement]
        position = match.end()
    return "".join([*parts, text[position:]])


def corrected_query(text: str) -> str | None:
    """``text`` with each misspelt word (:func:`correct_word`) replaced by its correction, everything else as
    typed (quotes, numbers, other words); None when no word is corrected."""
    corrections = []
    for match, word in _words(text):
        if len(corrections) == MAX_CORRECTED_WORDS:
            break
        correction = correct_word(word)
        if correction is not None:
            corrections.append((match, correction))
    return _replaced(text, corrections) if corrections else None


@functools.lru_cache(maxsize=10_000)
def similar_twins(word: str) -> tuple[str, ...]:
    """The known words one letter of ``word`` (lower case, a token of :func:`search.analysis.tokenize`) for a
    similar one makes (SIMILAR_LETTERS: «вишу» → «вищу»), in the word's order; none when the dictionary does
    not know ``word`` (:func:`correct_word` corrects it) or it is short or not a plain Ukrainian word. A stop
    word is left out (the query would ask for less), a word no slip is taken to mean (:func:`_plausible`), and
    another form of one of the word's own lemmas («мови» → «мові»: the query would ask for the same)."""
    if len(word) < MIN_TWIN_LENGTH or not _PLAIN_WORD_RE.fullmatch(word):
        return ()
    analyzer = get_analyzer()
    if not analyzer.word_is_known(word):
        return ()
    lemmas = set(lemmatize(word, with_alternatives=True).split())
    twins = []
    for at, letter in enumerate(word):
        for pair in SIMILAR_LETTERS:
            if letter in pair:
                (other,) = pair - {letter}
                twin = word[:at] + other + word[at + 1 :]
                if (
                    twin not in STOP_WORDS
                    and _plausible(twin)
                    and lemmas.isdisjoint(lemmatize(twin, with_alternatives=True).split())
                ):
                    twins.append(twin)
    return tuple(dict.fromkeys(twins))


#: Parses of a word no slip is taken to mean: a distorted or an alternative spelling the dictionary lists
#: («украіни», «иншими», «ґарантій»), a name («воні»: the surname Вон), a preposition, a conjunction, a particle
#: or an interjection («шодо», «якшо», «таки»).
_IMPLAUSIBLE_GRAMMEMES = frozenset({"Dist", "alt", "Surn", "Name", "Patr", "PREP", "CONJ", "PRCL", "INTJ"})


#: Parses of a word no run of the English layout's keys is taken to mean on its own (:func:`on_ukrainian_layout`):
#: those of :data:`_IMPLAUSIBLE_GRAMMEMES` and the dictionary's abbreviations, which short English words make
#: («pre»: «зку»).
_NOT_TYPED_ON_LAYOUT = _IMPLAUSIBLE_GRAMMEMES | {"Abbr"}


def _plausible(word: str, implausible: frozenset[str] = _IMPLAUSIBLE_GRAMMEMES) -> bool:
    """Whether the dictionary knows ``word`` as a word a slip may have been meant for: one of its parses is a
    dictionary word in a standard spelling, not a name or a function word (``implausible``)."""
    analyzer = get_analyzer()
    if not analyzer.word_is_known(word):
        return False
    return any(parse.tag.grammemes.isdisjoint(implausible) for parse in analyzer.parse(word))


def twin_queries(text: str) -> list[str]:
    """``text`` with one known word replaced by one of its :func:`similar_twins` wherever it is typed, everything
    else as typed: the queries a slip that made another real word may have meant, in the text's order, at most
    MAX_TWIN_QUERIES. (With one of two «вищу» replaced, the query would still ask for the other, and find
    nothing again.)"""
    places: dict[str, list[re.Match]] = {}
    for match, word in _words(text):
        places.setdefault(word, []).append(match)
    queries = []
    for word, matches in places.items():
        for twin in similar_twins(word):
            if len(queries) == MAX_TWIN_QUERIES:
                return queries
            queries.append(_replaced(text, [(match, twin) for match in matches]))
    return queries


#: The keys of the English layout and the letters the Ukrainian one has on them: the standard Windows layout, with
#: the apostrophe left of 1 and «ґ» where the enhanced one has it. A shifted key gives the capital letter.
_ENGLISH_KEYS = "qwertyuiop[]asdfghjkl;'zxcvbnm,.`\\QWERTYUIOP{}ASDFGHJKL:ZXCVBNM<>|"
_UKRAINIAN_KEYS = "йцукенгшщзхїфівапролджєячсмитьбю'ґЙЦУКЕНГШЩЗХЇФІВАПРОЛДЖЯЧСМИТЬБЮҐ"
#: The double quote, shifted «є», is a quote mark as often: it is «Є» only where it starts a run of keys that then
#: makes a word meant («"dhjgtqcmrf» → «Європейська»; «"yfrfp» → «"наказ»).
_CAPITAL_YE_KEY = '"'
_ON_UKRAINIAN_LAYOUT = str.maketrans(_ENGLISH_KEYS + _CAPITAL_YE_KEY, _UKRAINIAN_KEYS + "Є")
#: A run of those keys with a Latin letter: a word typed with the English layout on.
_ENGLISH_KEYS_RE = re.compile(rf"[{re.escape(_ENGLISH_KEYS)}]*[A-Za-z][{re.escape(_ENGLISH_KEYS)}]*")
#: A run that is a whole word, maybe after a double quote: not one part of a word that letters of another script or
#: a typographic apostrophe join it to («gfv’znm»: «znm» alone would be «ять»).
_WHOLE_RUN_RE = re.compile(rf"(?<![^\W\d_’ʼ])(?<![’ʼ]){_CAPITAL_YE_KEY}?{_ENGLISH_KEYS_RE.pattern}(?![^\W\d_])(?![’ʼ])")
#: Keys that end a word as punctuation as often as they type «б», «ю», «ж»: a run's word is tried without them too.
_PUNCTUATION_KEYS = ",.;:"


def as_ukrainian_keys(text: str) -> tuple[str, ...]:
    """``text`` with every run of the English layout's keys (:data:`_ENGLISH_KEYS_RE`) as the Ukrainian letters on
    them, for the start of a word, which the dictionary cannot confirm (title autocomplete: «Gjhzl» → «Поряд»);
    none when it has none. A double quote before a run that goes on in lower case is «Є» («"lbyf» → «Єдина») or a
    quote mark («"yfrfp» → «"наказ»): both readings, «Є» first; before a capital it is a quote mark («"Gjhzl» →
    «"Поряд»)."""
    readings = dict.fromkeys(
        _KEYS_AFTER_QUOTE_RE.sub(functools.partial(_as_letters, quote_is_ye=quote_is_ye), text)
        for quote_is_ye in (True, False)
    )
    return tuple(reading for reading in readings if reading != text)


#: A run of the English layout's keys, maybe after a double quote (:func:`as_ukrainian_keys`).
_KEYS_AFTER_QUOTE_RE = re.compile(rf"{_CAPITAL_YE_KEY}?{_ENGLISH_KEYS_RE.pattern}")


def _as_letters(match: re.Match[str], *, quote_is_ye: bool) -> str:
    keys = match.group()
    if keys.startswith(_CAPITAL_YE_KEY) and not (quote_is_ye and keys[1:2].translate(_ON_UKRAINIAN_LAYOUT).islower()):
        return _CAPITAL_YE_KEY + keys[1:].translate(_ON_UKRAINIAN_LAYOUT)
    return keys.translate(_ON_UKRAINIAN_LAYOUT)


def on_ukrainian_layout(text: str) -> str | None:
    """``text`` with each run of the English layout's keys that is a whole word (:data:`_WHOLE_RUN_RE`) and that
    the Ukrainian layout makes a word a typist means by itself (:func:`_meant_by_itself`) or a stop word
    between them as that word («yfrfp ghj pfhf[edfyyz» → «наказ про зарахування»; a run ending in a comma or a
    full stop also without it), everything else as typed; None when no run makes a word meant: a word of the
    English layout's own («Moodle», «online») makes none, and a short one that makes another word by chance
    stays as typed («IT ghjtrn» → «IT проект»)."""
    replacements: list[tuple[re.Match, str]] = []  # each run, and its letters (and the punctuation left after)
    meant = False
    for match in _WHOLE_RUN_RE.finditer(text):
        keys = match.group()
        ends = dict.fromkeys([len(keys), len(keys.rstrip(_PUNCTUATION_KEYS))])
        starts = dict.fromkeys([0, int(keys.startswith(_CAPITAL_YE_KEY))])
        for start, end in ((start, end) for start in starts for end in ends):
            typed = keys[start:end]
            letters = typed.translate(_ON_UKRAINIAN_LAYOUT)
            word = letters.lower()
            if typed and (_meant_by_itself(word) or word in STOP_WORDS):
                replacements.append((match, keys[:start] + letters + keys[end:]))
                meant = meant or word not in STOP_WORDS
                break
    return _spliced(text, replacements) if meant else None


def _meant_by_itself(word: str) -> bool:
    """Whether a word (lower case) is one a typist means by itself: an abbreviation of the table, or a dictionary
    word of three letters or more, not a stop word, a name or one of the dictionary's abbreviations (short English
    words make those on the Ukrainian layout: «pre» is «зку»)."""
    return word.upper() in ABBREVIATIONS or (
        len(word) >= 3 and word not in STOP_WORDS and _plausible(word, _NOT_TYPED_ON_LAYOUT)
    )


def numbers_apart(text: str) -> str | None:
    """``text`` with each word written together with a number (:data:`_WORD_AND_NUMBER_RE`) as the word and the
    number apart («Результати ЗНО-2024» → «Результати ЗНО 2024»), everything else as typed; None when it has no
    such word outside quotes (a quoted phrase is found as typed). The word must be one meant by itself
    (:func:`_meant_by_itself`) or the number a year: a document number with letters first («ОД-5») is not split
    into two parts that find what has neither."""
    quoted = [match.span() for match in PHRASE_RE.finditer(text)]
    replacements: list[tuple[re.Match, str]] = []
    for match in TOKEN_RE.finditer(text):
        joined = _WORD_AND_NUMBER_RE.fullmatch(match.group())
        if (
            joined is not None
            and (_YEAR_RE.fullmatch(joined.group(2)) or _meant_by_itself(joined.group(1).lower()))
            and not any(start < match.start() < end for start, end in quoted)
        ):
            replacements.append((match, f"{joined.group(1)} {joined.group(2)}"))
    return _spliced(text, replacements) if replacements else None
