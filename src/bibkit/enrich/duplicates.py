"""The same work twice in one run: overlapping pastes of a listing, a preprint beside its
published version, `cat refs.bib old.bib`.

Found by the rules every source is matched by (`match.py`), in linear time: an entry is
compared only with earlier entries that share its arXiv id (any version), its publisher
DOI, or its title (folded: case, accents, punctuation and TeX aside), and a title match
also needs a shown author in common and compatible years. Each pair is reported (BK204)
with the other entry's position. `dedupe` keeps one entry per work: the cited version (a
published one over a preprint), filled from the others with provenance, under the key the
first of them had (the key already in use wins).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ..model.citation import Citation, Kind, evolve
from ..model.diagnostics import Diagnostics
from .match import PUBLISHED_AFTER_PREPRINT, fold_name, fold_title
from .merge import merge


@dataclass(frozen=True, slots=True)
class _Seen:
    """What an earlier entry needs for the comparison (not the entry: memory stays small)."""

    index: int
    key: str
    where: str
    preprint: bool
    year: int | None
    families: frozenset[str]


def _ids(c: Citation) -> list[str]:
    out = []
    if c.ids.arxiv:
        out.append("arxiv:" + c.ids.arxiv_base)
    if c.ids.publisher_doi:
        out.append("doi:" + c.ids.doi.lower())
    return out


def _years_fit(a: _Seen, b: _Seen) -> bool:
    if a.year is None or b.year is None:
        return True
    if a.preprint != b.preprint:  # the published version: a year before to six after
        preprint, published = (a, b) if a.preprint else (b, a)
        return -1 <= published.year - preprint.year <= PUBLISHED_AFTER_PREPRINT  # type: ignore[operator]
    return abs(a.year - b.year) <= 1


def _seen(i: int, c: Citation, file: str) -> _Seen:
    where = f"{file}:{c.origin.line}" if c.origin.line else file
    return _Seen(i, c.key, where, c.kind is Kind.PREPRINT, c.cited_year,
                 frozenset(fold_name(p.family or p.literal) for p in c.authors[:3]))


class DuplicateFinder:
    """Remembers the works seen so far; `first_of(c)` is the earlier entry that is the same
    work as `c`, if any."""

    def __init__(self, file: str = "") -> None:
        self.file = file
        self._by: dict[str, _Seen] = {}
        self._n = 0

    def first_of(self, c: Citation) -> tuple[int, _Seen | None, str]:
        """(this entry's index, the earlier entry of the same work or None, why)."""
        me = _seen(self._n, c, self.file)
        self._n += 1
        found: tuple[_Seen | None, str] = (None, "")
        for key in _ids(c):
            other = self._by.get(key)
            if other is not None:
                found = (other, "the same arXiv id" if key.startswith("arxiv:")
                         else "the same DOI")
                break
        title = fold_title(c.title)
        if found[0] is None and title:
            other = self._by.get("title:" + title)
            if other is not None and (not me.families or not other.families
                                      or me.families & other.families) and _years_fit(me, other):
                found = (other, "the same title, authors and year")
        for key in [*_ids(c), *(["title:" + title] if title else [])]:
            self._by.setdefault(key, found[0] or me)
        return me.index, found[0], found[1]


def report_duplicates(citations: Iterable[Citation], diags: Diagnostics
                      ) -> Iterator[Citation]:
    """Each citation, as it comes; one that is the same work as an earlier one is said
    (BK204), with where the other is."""
    finder = DuplicateFinder(diags.file)
    for c in citations:
        _, other, why = finder.first_of(c)
        if other is not None:
            diags.warning("BK204", f"the same work as {other.key!r} ({other.where}): {why}",
                          line=c.origin.line, key=c.key)
        yield c


def dedupe(citations: Iterable[Citation], diags: Diagnostics) -> list[Citation]:
    """One entry per work, where the first of them stood: the published version over a
    preprint, filled from the others (both identifiers, the links of each), under the key
    the first had. Each duplicate is said (BK204), and that it was merged."""
    finder = DuplicateFinder(diags.file)
    out: list[Citation] = []
    slot: dict[int, int] = {}  # a work's first index -> its place in `out`
    for c in citations:
        index, other, why = finder.first_of(c)
        if other is None:
            slot[index] = len(out)
            out.append(c)
            continue
        kept = out[slot[other.index]]
        diags.warning("BK204", f"the same work as {other.key!r} ({other.where}): {why}; "
                      "merged into it (--dedupe)", line=c.origin.line, key=c.key)
        out[slot[other.index]] = _one_of(kept, c)
    return out


def _one_of(first: Citation, later: Citation) -> Citation:
    """The cited version of two records of one work, under the first's key."""
    if first.kind is Kind.PREPRINT and later.kind is not Kind.PREPRINT:
        cited, other = later, first
    else:
        cited, other = first, later
    merged, _ = merge(cited, other, f"duplicate {other.key}", 1.0, same_work_by_id=True)
    links = merged.links + tuple(link for link in other.links if link not in merged.links)
    return evolve(merged, key=first.key, links=links)
