"""Enrichment from the user's own library (`--merge refs.bib`): offline, any readable format."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from ..model.citation import Citation
from ..model.diagnostics import Diagnostics
from .match import fold_title, judge
from .merge import merge


class LibraryIndex:
    """Candidates by arXiv id, DOI and the first two title words: no n x m comparison."""

    def __init__(self, library: Iterable[Citation]) -> None:
        self.by_id: dict[str, list[Citation]] = {}
        self.by_words: dict[str, list[Citation]] = {}
        for c in library:
            for key in self._id_keys(c):
                self.by_id.setdefault(key, []).append(c)
            for word in fold_title(c.title).split()[:2]:
                self.by_words.setdefault(word, []).append(c)

    @staticmethod
    def _id_keys(c: Citation) -> list[str]:
        keys = []
        if c.ids.arxiv:
            keys.append("arxiv:" + c.ids.arxiv_base)
        if c.ids.publisher_doi:
            keys.append("doi:" + c.ids.doi)
        return keys

    def candidates(self, c: Citation) -> list[Citation]:
        seen: dict[int, Citation] = {}
        for key in self._id_keys(c):
            for cand in self.by_id.get(key, ()):
                seen[id(cand)] = cand
        for word in fold_title(c.title).split()[:2]:
            for cand in self.by_words.get(word, ()):
                seen[id(cand)] = cand
        return list(seen.values())


def merge_library(citations: Iterable[Citation], index: LibraryIndex, source: str,
                  diags: Diagnostics) -> Iterator[Citation]:
    """Each citation, filled from its match in the library (the library's values win)."""
    for c in citations:
        accepted, weak = judge(c, index.candidates(c))
        if accepted:
            best, cand = accepted[0]
            merged, changes = merge(c, cand, source, best.score, prefer_other=True)
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
