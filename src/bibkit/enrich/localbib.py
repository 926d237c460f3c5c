"""Enrichment from the user's own library (`--merge refs.bib`): offline, any readable format."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..model.citation import Citation, evolve
from ..model.diagnostics import Diagnostics
from ..tex.render import plain
from .match import fold_title, id_keys, judge
from .merge import merge


class LibraryIndex:
    """Candidates by arXiv id, DOI and the first two title words: no n x m comparison."""

    def __init__(self, library: Iterable[Citation]) -> None:
        self.by_id: dict[str, list[Citation]] = {}
        self.by_words: dict[str, list[Citation]] = {}
        for c in library:
            for key in id_keys(c):
                self.by_id.setdefault(key, []).append(c)
            for word in fold_title(c.title).split()[:2]:
                self.by_words.setdefault(word, []).append(c)

    def candidates(self, c: Citation) -> list[Citation]:
        seen: dict[int, Citation] = {}
        for key in id_keys(c):
            for cand in self.by_id.get(key, ()):
                seen[id(cand)] = cand
        for word in fold_title(c.title).split()[:2]:
            for cand in self.by_words.get(word, ()):
                seen[id(cand)] = cand
        return list(seen.values())


def _say_replaced(c: Citation, merged: Citation, fields: list[str], source: str,
                  diags: Diagnostics) -> None:
    """A title or a complete author list the library replaced is said at normal verbosity
    (BK910): the user's text was there first. Filling "et al." is no replacement."""
    if "title" in fields and c.title:
        diags.warning("BK910", f"title replaced by {source}'s: {plain(c.title)!r} → "
                      f"{plain(merged.title)!r}", line=c.origin.line, key=merged.key)
    if "authors" in fields and c.authors and not c.authors_truncated:
        names = "; ".join(p.display() for p in merged.authors)
        diags.warning("BK910", f"author list replaced by {source}'s: {names}"[:300],
                      line=c.origin.line, key=merged.key)


def merge_library(citations: Iterable[Citation], index: LibraryIndex, source: str,
                  diags: Diagnostics) -> Iterator[Citation]:
    """Each citation, filled from its match in the library (the library's values win)."""
    for c in citations:
        accepted, weak = judge(c, index.candidates(c))
        if accepted:
            best, cand = accepted[0]
            merged, changes = merge(c, cand, source, best.score, prefer_other=True)
            if cand.key and not c.key:
                # the key the user's library gives the work is the one their .tex cites:
                # kept, whatever the listing's data would make of it
                merged = evolve(merged, key=cand.key)
            elif cand.key and c.key != cand.key:
                diags.info("BK901", f"{source} names this work {cand.key!r}; the input's key "
                           "is kept", line=c.origin.line, key=c.key)
            _say_replaced(c, merged, [ch.field for ch in changes], source, diags)
            if changes:
                names = ", ".join(ch.field for ch in changes)
                diags.info("BK901", f"merged from {source} ({best.reason}): {names}",
                           line=c.origin.line, key=c.key)
            yield merged
            continue
        if weak:
            m, cand = weak
            diags.info("BK902", f"possible match {cand.key!r} in {source} not applied: "
                       f"{m.reason}", line=c.origin.line, key=c.key)
        yield c
