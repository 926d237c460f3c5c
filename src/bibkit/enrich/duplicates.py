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

from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache, reduce

from ..model.citation import Citation, Kind, evolve
from ..model.diagnostics import Diagnostics
from .match import PUBLISHED_AFTER_PREPRINT, fold_name, fold_title, id_keys
from .merge import merge


@dataclass(frozen=True, slots=True)
class _Seen:
    """An earlier entry, as much as the comparison and the message need."""

    index: int
    key: str
    where: str
    preprint: bool
    year: int | None
    families: frozenset[int]


def _years_fit(a: _Seen, b: _Seen) -> bool:
    if a.year is None or b.year is None:
        return True
    if a.preprint != b.preprint:  # the published version: a year before to six after
        preprint, published = (a, b) if a.preprint else (b, a)
        return -1 <= published.year - preprint.year <= PUBLISHED_AFTER_PREPRINT  # type: ignore[operator]
    return abs(a.year - b.year) <= 1


def _families(c: Citation) -> frozenset[int]:
    """The first three shown authors' family names, as hashes."""
    return frozenset(_name_hash(p.family or p.literal) for p in c.authors[:3])


@lru_cache(maxsize=8192)  # co-authors recur from entry to entry
def _name_hash(name: str) -> int:
    return hash(fold_name(name))


# Duplicates are looked for among this many entries (a researcher's library is a few
# thousand; a million-entry conversion still streams in bounded memory, about 25 MB here)
WINDOW = 100_000


class DuplicateFinder:
    """Remembers the works seen so far, compactly: per entry its key (the string the key
    stage keeps anyway), line, year, kind and the hashes of its first three authors' names;
    per identifier and title only a 64-bit hash, whose collision between two of a hundred
    thousand titles has a chance near 10^-9. `first_of(c)` is the earlier entry that is the
    same work as `c`, if any; past WINDOW entries, `full` is set and no entry is added."""

    def __init__(self, file: str = "") -> None:
        self.file = file
        self.full = False
        self._by: dict[int, int] = {}  # hash of an identifier or title -> first index
        self._keys: list[str] = []
        self._lines = array("l")
        self._years = array("l")  # 0: no year
        self._preprint = bytearray()
        self._families = array("q")  # three hashes an entry, 0 where there is none

    def _seen(self, i: int) -> _Seen:
        line = self._lines[i]
        families = frozenset(h for h in self._families[3 * i : 3 * i + 3] if h)
        return _Seen(i, self._keys[i], f"{self.file}:{line}" if line else self.file,
                     bool(self._preprint[i]), self._years[i] or None, families)

    def first_of(self, c: Citation) -> tuple[int, _Seen | None, str]:
        """(this entry's index, the earlier entry of the same work or None, why)."""
        index = len(self._keys)
        year = c.cited_year
        preprint = c.kind is Kind.PREPRINT
        families = _families(c)
        if index < WINDOW:
            self._keys.append(c.key)
            self._lines.append(c.origin.line)
            self._years.append(year or 0)
            self._preprint.append(preprint)
            self._families.extend([*families, 0, 0, 0][:3])
        else:
            self.full = True
        by = self._by
        found: _Seen | None = None
        why = ""
        ids = id_keys(c)
        hashes = [hash(k) for k in ids]
        for h, name in zip(hashes, ids, strict=True):
            if h in by:
                found = self._seen(by[h])
                why = "the same arXiv id" if name.startswith("arxiv:") else "the same DOI"
                break
        title = fold_title(c.title)
        if title:
            hashes.append(hash("title:" + title))
            if found is None and hashes[-1] in by:
                other = self._seen(by[hashes[-1]])
                me = _Seen(index, c.key, "", preprint, year, families)
                if (not families or not other.families or families & other.families) \
                        and _years_fit(me, other):
                    found, why = other, "the same title, authors and year"
        if not self.full:
            first = found.index if found is not None else index
            for h in hashes:
                by.setdefault(h, first)
        return index, found, why


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
    _say_window(finder, diags)


def _say_window(finder: DuplicateFinder, diags: Diagnostics) -> None:
    if finder.full:
        diags.info("BK204", f"duplicates were looked for among the first {WINDOW:,} entries "
                   "(memory stays bounded on huge inputs)")


def works(citations: Iterable[Citation], diags: Diagnostics,
          merged: Callable[[Citation, Citation], str] = lambda c, first: "merged into it "
          "(--dedupe)") -> list[tuple[Citation, list[Citation]]]:
    """Each work once, where its first record stood: (that record, the later records of
    the same work). Each later one is said (BK204), with `merged(later, first)` saying what
    became of it."""
    finder = DuplicateFinder(diags.file)
    out: list[tuple[Citation, list[Citation]]] = []
    slot: dict[int, int] = {}  # a work's first index -> its place in `out`
    for c in citations:
        index, other, why = finder.first_of(c)
        if other is None:
            slot[index] = len(out)
            out.append((c, []))
            continue
        first, later = out[slot[other.index]]
        diags.warning("BK204", f"the same work as {other.key!r} ({other.where}): {why}; "
                      f"{merged(c, first)}", line=c.origin.line, key=c.key)
        later.append(c)
    _say_window(finder, diags)
    return out


def dedupe(citations: Iterable[Citation], diags: Diagnostics) -> list[Citation]:
    """One entry per work, where the first of them stood: the published version over a
    preprint, filled from the others (both identifiers, the links of each), under the key
    the first had. Each duplicate is said (BK204), and that it was merged."""
    return [reduce(one_of, later, first) for first, later in works(citations, diags)]


def one_of(first: Citation, later: Citation) -> Citation:
    """The cited version of two records of one work, under the first's key."""
    if first.kind is Kind.PREPRINT and later.kind is not Kind.PREPRINT:
        cited, other = later, first
    else:
        cited, other = first, later
    merged, _ = merge(cited, other, f"duplicate {other.key}", 1.0, same_work_by_id=True)
    links = merged.links + tuple(link for link in other.links if link not in merged.links)
    return evolve(merged, key=first.key, links=links)
