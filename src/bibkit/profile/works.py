"""Records into works: one entry per work, whatever number of sources and versions had it.

Two records are one work when they share an identifier (an arXiv id in any version, a
publisher's DOI), or, second, when the matching rule every source is held to (enrich.match:
a near-equal title, a shown author in common, compatible years) says so and nothing
contradicts it: two different publisher DOIs or arXiv ids, or two published versions of
different kinds (a conference paper and its journal extension are two entries). A paper
renamed at publication pairs only through an identifier: the Semantic Scholar record that
holds both its arXiv id and its published title (gather.py).

A work's entry is its published version (the most detailed source first), filled from the
others: the arXiv id, the DOI, the full author list; each field says where it came from.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from ..enrich.match import SAME_ARXIV, SAME_DOI, fold_title, id_keys, match
from ..enrich.merge import merge
from ..model.citation import Citation, Kind, Provenance, evolve
from .gather import Record

# whose published record is the entry when several have one: the most detailed first
SOURCE_RANK = {"dblp": 0, "s2": 1, "openalex": 2, "orcid": 3}


@dataclass
class Work:
    records: list[Record]
    evidence: list[str] = field(default_factory=list)  # why its records are one work

    @property
    def listed_by(self) -> set[str]:
        return {r.source for r in self.records if r.listed}


class _Groups:
    def __init__(self, records: list[Record]) -> None:
        self.records = records
        self.parent = list(range(len(records)))
        self.why: dict[int, list[str]] = defaultdict(list)

    def find(self, i: int) -> int:
        while self.parent[i] != i:
            self.parent[i] = self.parent[self.parent[i]]
            i = self.parent[i]
        return i

    def members(self) -> dict[int, list[int]]:
        out: dict[int, list[int]] = defaultdict(list)
        for i in range(len(self.records)):
            out[self.find(i)].append(i)
        return out

    def union(self, i: int, j: int, why: str) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[b] = a
            self.why[a] += [*self.why.pop(b, []), why]


def _conflict(a: list[Citation], b: list[Citation]) -> bool:
    """What says two groups are two works though their titles agree."""
    def values(group: list[Citation], get: object) -> set[str]:
        return {v for c in group if (v := get(c))}  # type: ignore[operator]
    for get in (lambda c: c.ids.publisher_doi.lower(), lambda c: c.ids.arxiv_base):
        x, y = values(a, get), values(b, get)
        if x and y and not x & y:
            return True
    kinds_a = {c.kind for c in a if c.kind is not Kind.PREPRINT}
    kinds_b = {c.kind for c in b if c.kind is not Kind.PREPRINT}
    return bool(kinds_a and kinds_b and not kinds_a & kinds_b)


def group_works(records: list[Record]) -> list[Work]:
    g = _Groups(records)
    first: dict[str, int] = {}
    for i, r in enumerate(records):
        for key in id_keys(r.citation):
            if key in first:
                g.union(first[key], i, SAME_ARXIV if key.startswith("arxiv:") else SAME_DOI)
            else:
                first[key] = i
    # second, titles: each group against the groups before it with a title in common or,
    # for near titles, every group (a person has hundreds of works, not millions)
    _pair_by_title(g)
    works = []
    for root, members in g.members().items():
        works.append(Work([records[i] for i in members], sorted(set(g.why.get(root, [])))))
    return works


_Folded = list[tuple[Citation, str]]  # a group's records, each with its folded title


def _pair_by_title(g: _Groups) -> None:
    groups = g.members()
    roots = list(groups)
    # titles folded once, not once a comparison: the loop is over pairs of groups
    cites: dict[int, _Folded] = {
        root: [(c, fold_title(c.title)) for i in groups[root]
               for c in (g.records[i].citation,)] for root in roots}
    for n, a in enumerate(roots):
        for b in roots[:n]:
            ra, rb = g.find(a), g.find(b)
            if ra == rb:
                continue
            verdict = _same_work(cites[ra], cites[rb])
            if verdict and not _conflict([c for c, _ in cites[ra]], [c for c, _ in cites[rb]]):
                g.union(ra, rb, verdict)  # ra stays the root
                cites[ra] = cites[ra] + cites.pop(rb)


def _same_work(a: _Folded, b: _Folded) -> str:
    titles_b = {t for _, t in b}
    for x, folded in a:
        for y, _ in b:
            if folded not in titles_b and not _close(x, y):
                continue
            m = match(x, y)
            if m.accepted:
                return m.reason
    return ""


def _close(x: Citation, y: Citation) -> bool:
    """Cheap: titles near enough in length to be near equal (the rule's own bound)."""
    a, b = len(x.title), len(y.title)
    return a > 0 and b > 0 and min(a, b) / max(a, b) >= 0.85


def work_entry(work: Work) -> Citation:
    """The work as one entry: the published version, filled from every other record."""
    ranked = sorted(work.records, key=lambda r: (r.citation.kind is Kind.PREPRINT,
                                                 not r.listed, SOURCE_RANK.get(r.source, 9)))
    entry = ranked[0].citation
    for r in ranked[1:]:
        entry, _ = merge(entry, r.citation, r.source, 1.0, same_work_by_id=True)
    records = tuple(Provenance("record", r.source, "profile" if r.listed else "pairing",
                               1.0, r.ident) for r in ranked)
    kept = tuple(p for p in entry.provenance if p.field != "record")
    return evolve(entry, provenance=(*kept, *records),
                  extra=tuple(x for x in entry.extra if not x[0].startswith("record:")))
