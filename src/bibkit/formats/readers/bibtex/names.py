"""BibTeX names: the `and` list, and each name's parts by BibTeX's rules (First von Last,
von Last, First, von Last, Jr, First), their TeX decoded to the text it prints."""

from __future__ import annotations

import re
from functools import lru_cache

from ....infer.names import is_particle, original_script
from ....model.citation import (
    Person,
)
from ....tex.decode import to_plain
from ....tex.text import squash
from .scan import BlockError, match_brace

_AND = re.compile(r"\s+and\s+", re.IGNORECASE)


# --- names --------------------------------------------------------------------------------


def _split_depth0(text: str, sep: re.Pattern[str]) -> list[str]:
    """Split where `sep` matches outside braces."""
    if "{" not in text:
        return sep.split(text)
    out, start, depth, counted = [], 0, 0, 0
    for m in sep.finditer(text):
        # depth at the separator, counted incrementally: linear in the text, however many
        # separators (10^6 authors) there are
        depth += text.count("{", counted, m.start()) - text.count("}", counted, m.start())
        counted = m.start()
        if depth == 0:
            out.append(text[start : m.start()])
            start = m.end()
    out.append(text[start:])
    return out


_WORDS = re.compile(r"\s+")
_COMMA = re.compile(r",")


def _is_von(word: str) -> bool:
    """BibTeX's rule: a word starting with a lower-case letter (at brace depth 0, or the
    letter of a special character like {\\'e}) is part of the particle."""
    if word.startswith("{"):
        if not word.startswith("{\\"):
            return False  # a braced word is case-less: never a particle
        return is_particle(to_plain(word))
    return is_particle(word)


def decode_name(text: str) -> str:
    """A name part or a date word: the text it prints (names hold no math)."""
    return squash(to_plain(text)) if text else ""


@lru_cache(maxsize=4096)  # co-authors recur from entry to entry; a Person is immutable
def parse_bibtex_name(raw: str) -> Person:
    """One name in any of BibTeX's three forms: First von Last, von Last, First, and
    von Last, Jr, First."""
    raw = original_script(raw.strip())[0]  # "Li Na (李娜)": the form in parentheses apart
    if raw.startswith("{") and raw.endswith("}") and _match_brace_safe(raw) == len(raw):
        return Person(literal=decode_name(raw[1:-1]))
    parts = [p.strip() for p in _split_depth0(raw, _COMMA)]
    if len(parts) == 1:
        words = [w for w in _split_depth0(parts[0], _WORDS) if w]
        if not words:
            return Person()
        last = len(words) - 1
        vons = [i for i in range(last) if _is_von(words[i])]
        if vons:
            first_von, last_von = vons[0], vons[-1]
            given, particle = words[:first_von], words[first_von : last_von + 1]
            family = words[last_von + 1 :]
        else:
            given, particle, family = words[:last], [], words[last:]
        suffix = ""
    else:
        head = [w for w in _split_depth0(parts[0], _WORDS) if w]
        i = 0
        while i < len(head) - 1 and _is_von(head[i]):
            i += 1
        particle, family = head[:i], head[i:]
        if len(parts) == 2:
            suffix, given = "", [parts[1]]
        else:
            suffix, given = parts[1], [", ".join(parts[2:])]
    return Person(
        family=decode_name(" ".join(family)),
        given=decode_name(" ".join(given)),
        particle=decode_name(" ".join(particle)),
        suffix=decode_name(suffix),
    )


def _match_brace_safe(text: str) -> int:
    try:
        return match_brace(text, 0)
    except BlockError:
        return -1


def split_names(raw: str) -> list[str]:
    """The names of an `and` list, as written."""
    return [n.strip() for n in _split_depth0(squash(raw), _AND)]


def parse_names(raw: str) -> tuple[tuple[Person, ...], bool]:
    """(people, truncated): `and others` at the end marks a truncated list."""
    names = split_names(raw)
    truncated = bool(names) and names[-1].lower() == "others"
    if truncated:
        names.pop()
    return tuple(parse_bibtex_name(n) for n in names if n), truncated
