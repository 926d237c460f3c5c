"""Citekeys: deterministic `familyYEARword`, made unique in input order with a/b/... suffixes."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache

from ..data import load_toml
from ..model.citation import Citation, evolve
from ..model.diagnostics import Diagnostics
from ..tex.text import fold


@cache
def _stop_words() -> frozenset[str]:
    return frozenset(load_toml("citekeys.toml")["stop_words"])




def base_key(c: Citation) -> str:
    """`zhu2023combating`: first author's family name, year, first non-stop title word."""
    first = c.authors[0] if c.authors else None
    who = fold(first.family or first.literal).replace(" ", "") if first else ""
    year_n = c.cited_year
    year = str(year_n) if year_n else ""
    word = ""
    stop = _stop_words()
    for w in fold(c.title).split():
        if w not in stop:
            word = w
            break
    return (who or "anon") + year + word


def _title_words(c: Citation, n: int) -> str:
    stop = _stop_words()
    return "".join([w for w in fold(c.title).split() if w not in stop][:n])


def _auth(c: Citation) -> str:
    first = c.authors[0] if c.authors else None
    return (fold(first.family or first.literal).replace(" ", "") if first else "") or "anon"


# The key pattern's fields, in the spirit of JabRef's and Better BibTeX's: each [field] is
# replaced by what it names, folded to ASCII letters and digits; other text stays as written
KEY_FIELDS: dict[str, Callable[[Citation], str]] = {
    "auth": _auth,  # the first author's family name: zhu
    "Auth": lambda c: _auth(c).capitalize(),  # Zhu
    "authors": lambda c: "".join(fold(p.family or p.literal).replace(" ", "")
                                 for p in c.authors[:3]) or "anon",  # zhuyaoliu
    "year": lambda c: str(c.cited_year or ""),  # 2023
    "shortyear": lambda c: f"{c.cited_year % 100:02d}" if c.cited_year else "",  # 23
    "title": lambda c: _title_words(c, 1),  # combating
    "shorttitle": lambda c: _title_words(c, 3),  # combatingexacerbatedheterogeneity
    "venue": lambda c: fold(c.venue.short_name or c.venue.name).replace(" ", ""),  # iclr
}
DEFAULT_PATTERN = "[auth][year][title]"
_FIELD = re.compile(r"\[([A-Za-z]+)\]")


def key_maker(pattern: str) -> Callable[[Citation], str]:
    """A key for a new work by `pattern` ("[auth][year][title]"; a ValueError names an
    unknown field).

    >>> from bibkit.model.citation import Citation, Person, PartialDate
    >>> c = Citation(title="On Robust Models", authors=(Person("Zhu", "J."),),
    ...              issued=PartialDate(2023))
    >>> key_maker("[Auth]:[shortyear]:[shorttitle]")(c)
    'Zhu:23:robustmodels'
    """
    unknown = [f for f in _FIELD.findall(pattern) if f not in KEY_FIELDS]
    if unknown:
        raise ValueError(f"key pattern {pattern!r}: no field [{unknown[0]}] (fields: "
                         f"{', '.join(f'[{k}]' for k in KEY_FIELDS)})")
    if pattern == DEFAULT_PATTERN:
        return base_key

    def make(c: Citation) -> str:
        return _FIELD.sub(lambda m: KEY_FIELDS[m.group(1)](c), pattern)

    return make


def _suffix(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(97 + r) + out
    return out


class KeyAssigner:
    """Gives each citation a key unique in this run; keeps keys the source gave when free."""

    def __init__(self, diags: Diagnostics | None = None,
                 make: Callable[[Citation], str] = base_key) -> None:
        self._seen: set[str] = set()
        self._next: dict[str, int] = {}
        self._diags = diags
        self._make = make

    def _free(self, wanted: str) -> str:
        """`wanted`, or `wanted` with the first free suffix (a, b, ..., z, aa, ...).

        The next suffix to try is remembered per key, so 10^5 entries with one key cost
        linear time, not quadratic."""
        key, n = wanted, self._next.get(wanted, 0)
        if n:
            key = wanted + _suffix(n)
        while key in self._seen:
            n += 1
            key = wanted + _suffix(n)
        self._seen.add(key)
        if n:  # only keys that collided need a counter: memory stays one set of keys
            self._next[wanted] = n + 1
        return key

    def unique(self, wanted: str, line: int = 0) -> str:
        """A key the source gave, renamed (and reported) if it was taken."""
        key = self._free(wanted)
        if key != wanted and self._diags is not None:
            self._diags.warning(
                "BK401", f"duplicate key {wanted!r} renamed to {key!r}", line=line, key=key
            )
        return key

    def __call__(self, c: Citation) -> Citation:
        # generated keys collide by design (same author, year, word): suffixed silently
        key = (self.unique(safe_key(c.key), c.origin.line) if c.key
               else self._free(safe_key(self._make(c))))
        return c if key == c.key else evolve(c, key=key)


_KEY_UNSAFE_RE = re.compile(r"[\s{}(),\\\"#%'=~]")


def safe_key(key: str) -> str:
    """A citekey every format accepts: no white space, braces, commas, quotes or #%'=~."""
    return _KEY_UNSAFE_RE.sub("", key) or "entry"


def assign_keys(
    citations: Iterable[Citation], diags: Diagnostics | None = None,
    pattern: str = DEFAULT_PATTERN,
) -> Iterator[Citation]:
    """Each citation with a key unique in the run: the source's (renamed and said on a
    clash), else one made by `pattern` for a new work."""
    assign = KeyAssigner(diags, key_maker(pattern))
    for c in citations:
        yield assign(c)
