"""A work's genre as formats say it. The model's genre is words ("Master's thesis"), as CSL
(`genre`) and Zotero (thesis type, report type) keep it.

A .bib says it by its entry type alone (@phdthesis prints "PhD thesis"), by `type = {...}`
words, or by a biblatex localisation key (`type = {mathesis}`), which biblatex prints in the
document's language: one table, formats/bibtex.toml [genres], reads and writes all three.
RIS says it in M3 for the kinds of formats/ris.toml [genre] only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..data import load_toml
from ..model.citation import Kind


@dataclass(frozen=True, slots=True)
class _Genres:
    entry_types: dict[str, str]  # entry type -> the genre it states
    masters: re.Pattern[str]
    words_of_key: dict[str, str]  # biblatex key -> its words
    key_of_words: dict[str, str]  # casefolded words -> biblatex key


@cache
def _genres() -> _Genres:
    data = load_toml("bibtex.toml")["genres"]
    keys = data["keys"]
    return _Genres(data["entry_types"], re.compile(data["masters"]), keys,
                   {words.casefold(): key for key, words in keys.items()})


def read_genre(entry_type: str, type_field: str) -> str:
    """The genre of an entry: its `type` field (a biblatex key as the words it prints), else
    what its entry type states ("" for most types)."""
    g = _genres()
    if type_field:
        return g.words_of_key.get(type_field.strip().lower(), type_field)
    return g.entry_types.get(entry_type, "")


def is_masters(genre: str) -> bool:
    """Whether a genre names a master's degree ("MSc thesis"): BibTeX's @mastersthesis."""
    return _genres().masters.search(genre) is not None


def bibtex_type_field(entry_type: str, genre: str) -> str:
    """The `type` field of a BibTeX entry: the genre, unless the entry type states it."""
    stated = _genres().entry_types.get(entry_type, "")
    return "" if genre.casefold() == stated.casefold() else genre


def biblatex_type_field(genre: str) -> str:
    """The `type` field of a biblatex entry: the localisation key for words biblatex has a
    key for (printed in the document's language), else the words."""
    return _genres().key_of_words.get(genre.casefold(), genre)


@cache
def ris_genre_kinds() -> frozenset[Kind]:
    """The kinds whose RIS record says its genre in M3 (Zotero reads M3 of any other type
    as a DOI)."""
    return frozenset(Kind(k) for k in load_toml("ris.toml")["genre"]["kinds"])
