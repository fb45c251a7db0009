"""The abbreviations of school administration and the names they stand for: a search for one finds the other.

Directors type «ЗЗСО», «НУШ», «ЗНО»; the laws write «закладів загальної середньої освіти», «Нова українська
школа», «зовнішнього незалежного оцінювання» (none of the 104 laws writes «ЗЗСО»), and a circular defines
«ЗЗСО» once and writes it after. The engines hold each text's words as written (their lemmas), so the query
asks for both spellings:

- a query word that is an abbreviation here is that word or its full name, as a phrase in any of the lemma
  sequences a phrase may be indexed as (:func:`search.analysis.phrase_readings`: «закладах загальної середньої
  освіти» as well as «заклад загальної середньої освіти»);
- the query's words that make a full name (a word of each of its lemmas, in any order or form: «закладів
  загальної середньої освіти», «середня загальна освіта заклад») are those words or the abbreviation.

Only the query is expanded: the index holds the texts as before, and no reindex is needed when the table grows.
Snippets mark both spellings (``search.results.Highlighter``), and the title re-ranking counts a title that
names either (``search.services._rank``). A quoted phrase is found as typed: «"директор ЗЗСО"» is not
«директор закладу загальної середньої освіти».
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

from .analysis import AnalysedQuery, get_analyzer, lemma_groups, phrase_readings

#: Abbreviation: its full name, in the nominative. A name whose lemmas hold another's (ЗЗСО holds ЗСО's) is the
#: one a query's words make when they make both (:func:`expansions`: the longest first).
ABBREVIATIONS = {
    "ЗЗСО": "заклад загальної середньої освіти",
    "ЗСО": "загальна середня освіта",
    "ЗДО": "заклад дошкільної освіти",
    "ЗПО": "заклад позашкільної освіти",
    "ЗФПО": "заклад фахової передвищої освіти",
    "ЗВО": "заклад вищої освіти",
    "ПТНЗ": "професійно-технічний навчальний заклад",
    "НУШ": "Нова українська школа",
    "ЗНО": "зовнішнє незалежне оцінювання",
    "НМТ": "національний мультипредметний тест",
    "ДПА": "державна підсумкова атестація",
    "ООП": "особливі освітні потреби",
    "ІРЦ": "інклюзивно-ресурсний центр",
    "ПМПК": "психолого-медико-педагогічна консультація",
    "ГПД": "група продовженого дня",
    "ЄДЕБО": "Єдина державна електронна база з питань освіти",
    "МОН": "Міністерство освіти і науки",
    "ДОН": "Департамент освіти і науки",
    "РУО": "районне управління освіти",
    "УЦОЯО": "Український центр оцінювання якості освіти",
    "ДСЯО": "Державна служба якості освіти",
    "КМДА": "Київська міська державна адміністрація",
    "ЦПРПП": "центр професійного розвитку педагогічних працівників",
}


@dataclass(frozen=True)
class Abbreviation:
    """One entry of :data:`ABBREVIATIONS` as the analysis reads it."""

    #: The abbreviation as written in the table.
    written: str
    #: Its lemmas (the abbreviation lowercased: a short word the dictionary lacks is its own lemma).
    short: tuple[str, ...]
    #: The full name as written in the table.
    name: str
    #: The lemmas of each of the full name's words but its stop words («і», «з»), in order.
    full: tuple[tuple[str, ...], ...]
    #: The lemma sequences the full name may be indexed as, to look for as any of them.
    readings: tuple[str, ...]


@dataclass(frozen=True)
class Expansion:
    """Words of a query that stand for an abbreviation's other spelling too: ``terms`` (places among the query's
    lemma groups) are the abbreviation (``typed_short``) or its full name."""

    terms: tuple[int, ...]
    abbreviation: Abbreviation
    typed_short: bool

    @property
    def other_groups(self) -> tuple[tuple[str, ...], ...]:
        """The lemmas of each word of the spelling the query did not type, in order: what a snippet looks for
        when a text has none of the query's own words, as a phrase (``search.results.OtherSpelling``)."""
        return self.abbreviation.full if self.typed_short else (self.abbreviation.short,)


@functools.cache
def known() -> tuple[Abbreviation, ...]:
    """The table analysed, once per process, the longest full names first."""
    entries = []
    for written, name in ABBREVIATIONS.items():
        short = lemma_groups(written)
        full = lemma_groups(name)
        if len(short) != 1 or len(full) < 2:  # pragma: no cover - the table's entries are one word and a name
            raise ValueError(f"{written}: an abbreviation is one word, its name two or more.")
        entries.append(Abbreviation(written, short[0], name, tuple(full), phrase_readings(full)))
    return tuple(sorted(entries, key=lambda entry: -len(entry.full)))


@functools.cache
def _entries_of_lemmas() -> dict[str, tuple[int, ...]]:
    """Each lemma of the table (an abbreviation's, a full name's words'): the places in :func:`known` of the
    entries that have it."""
    places: dict[str, list[int]] = {}
    for at, entry in enumerate(known()):
        for lemma in dict.fromkeys([*entry.short, *(lemma for group in entry.full for lemma in group)]):
            places.setdefault(lemma, []).append(at)
    return {lemma: tuple(ats) for lemma, ats in places.items()}


def of_query(analysed: AnalysedQuery) -> tuple[Expansion, ...]:
    """The expansions of a query's words (:func:`expansions`) but those of a word in a quoted phrase: the phrase is
    required as typed («"ЗЗСО"» is «ЗЗСО»), so its words stand for nothing else."""
    groups = analysed.alternatives or [(term,) for term in analysed.terms]
    quoted = {lemma for lemmas in analysed.phrase_lemmas for lemma in lemmas.split()}
    return tuple(
        expansion
        for expansion in expansions(groups)
        if not quoted or quoted.isdisjoint(lemma for at in expansion.terms for lemma in groups[at])
    )


@functools.cache
def unknown_words() -> frozenset[str]:
    """The abbreviations' lemmas that are plain Cyrillic words the dictionary does not know («ззсо», not «дон»):
    the only words they are the lemma of are themselves, so a snippet may rule out every dictionary word that is
    not a form of the query's other lemmas (``search.analysis.closed_forms`` answers for dictionary words)."""
    return frozenset(
        lemma
        for entry in known()
        for lemma in entry.short
        if _PLAIN_CYRILLIC_RE.fullmatch(lemma) and not get_analyzer().word_is_known(lemma)
    )


_PLAIN_CYRILLIC_RE = re.compile("[а-щьюяєіїґ]+")


def expansions(groups: list[tuple[str, ...]]) -> list[Expansion]:
    """The abbreviations and full names among a query's words (``groups``: each word's lemmas, as
    ``AnalysedQuery.alternatives``), each word in one at most, in the order of their first words."""
    return list(_expansions(tuple(groups)))


@functools.lru_cache(maxsize=1024)
def _expansions(groups: tuple[tuple[str, ...], ...]) -> tuple[Expansion, ...]:
    # Kept per query: a search asks for them four times (the engine query, the titles' ranking, the snippets, the
    # notice); only the entries with a lemma of the query are looked at (~1 µs for most queries, none of whose
    # words is in the table, against ~16-38 µs for all 23 entries).
    of_lemmas = _entries_of_lemmas()
    entries = known()
    places = sorted({at for group in groups for lemma in group for at in of_lemmas.get(lemma, ())})
    found: list[Expansion] = []
    taken: set[int] = set()
    for abbreviation in (entries[at] for at in places):
        for at, group in enumerate(groups):
            if at not in taken and abbreviation.short[0] in group:  # «ДОНу»: «дон» or «дін»
                found.append(Expansion((at,), abbreviation, typed_short=True))
                taken.add(at)
        words = []
        for lemmas in abbreviation.full:
            word = next(
                (
                    at
                    for at, group in enumerate(groups)
                    if at not in taken and at not in words and not set(group).isdisjoint(lemmas)
                ),
                None,
            )
            if word is None:
                break
            words.append(word)
        else:
            found.append(Expansion(tuple(sorted(words)), abbreviation, typed_short=False))
            taken.update(words)
    return tuple(sorted(found, key=lambda expansion: expansion.terms[0]))
