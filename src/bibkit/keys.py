"""Citekeys: deterministic `familyYEARword`, made unique in input order with a/b/... suffixes."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache

from .diagnostics import Diagnostics
from .formatdata import load_toml
from .model import Citation, evolve
from .text import ascii_fold

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


@cache
def _stop_words() -> frozenset[str]:
    return frozenset(load_toml("citekeys.toml")["stop_words"])


def _slug(text: str) -> str:
    return _NON_ALNUM.sub("", ascii_fold(text).lower())


def base_key(c: Citation) -> str:
    """`zhu2023combating`: first author's family name, year, first non-stop title word."""
    first = c.authors[0] if c.authors else None
    who = _slug(first.family or first.literal) if first else ""
    year = str(c.issued.year) if c.issued.year else ""
    word = ""
    stop = _stop_words()
    for token in _NON_ALNUM.split(ascii_fold(c.title).lower()):
        if token and token not in stop:
            word = token
            break
    return (who or "anon") + year + word


def _suffix(n: int) -> str:
    """1 -> a, 26 -> z, 27 -> aa."""
    out = ""
    while n:
        n, r = divmod(n - 1, 26)
        out = chr(97 + r) + out
    return out


class KeyAssigner:
    """Gives each citation a key unique in this run; keeps keys the source gave when free."""

    def __init__(self, diags: Diagnostics | None = None) -> None:
        self._seen: set[str] = set()
        self._diags = diags

    def __call__(self, c: Citation) -> Citation:
        wanted = c.key or base_key(c)
        key, n = wanted, 0
        while key in self._seen:
            n += 1
            key = wanted + _suffix(n)
        self._seen.add(key)
        if c.key and key != c.key and self._diags is not None:
            self._diags.warning(
                "BK401", f"duplicate key {c.key!r} renamed to {key!r}", line=c.origin.line, key=key
            )
        return c if key == c.key else evolve(c, key=key)


def assign_keys(
    citations: Iterable[Citation], diags: Diagnostics | None = None
) -> Iterator[Citation]:
    assign = KeyAssigner(diags)
    for c in citations:
        yield assign(c)
