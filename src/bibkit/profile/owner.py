"""Whose works are these? A source's list is evidence, not truth.

The person id the user named first (the primary: `bibkit profile dblp:h/BoHan3`) decides:
its works are the owner's. A work only another source lists is held back when some source's
person ids give the author of the owner's name another id than the owner's there (OpenAlex
filing a namesake's paper under the owner, which Semantic Scholar's record tells apart). The
owner's id at a service is the one given (`--also`, `--owner-id`), else the id most of the
primary's works give the owner's name there. When a service gives the owner's name another
id on works the primary lists, the person may be split over two ids there: that is
suggested, with the works, and never merged without the user saying so.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from ..enrich.enricher import learn_owner_ids, owner_ids_of
from ..enrich.resolver import author_ids
from ..infer.names import owner_matcher
from ..model.citation import Person
from .ids import PersonId
from .works import Work


@dataclass
class Verdict:
    kept: list[Work] = field(default_factory=list)
    held_back: list[tuple[Work, str]] = field(default_factory=list)  # (work, why)
    one_source: list[Work] = field(default_factory=list)
    # (service, the other id, the id known for the owner) -> the primary's works it is on
    splits: dict[tuple[str, str, str], list[Work]] = field(default_factory=dict)
    ids: dict[str, set[str]] = field(default_factory=dict)  # the owner's ids by service
    learned: dict[str, tuple[str, int, int]] = field(default_factory=dict)  # id, votes, of
    names: tuple[str, ...] = ()


def owner_names(works: list[Work], primary: PersonId, given: tuple[str, ...]) -> tuple[str, ...]:
    """The names the primary source gives the author with the primary id, most used first
    (with any the user gave first)."""
    seen: Counter[str] = Counter()
    for w in works:
        for r in w.records:
            if r.listed and r.source == primary.source:
                seen.update(name for name, ident in author_ids(r.citation).get(primary.source, [])
                            if ident == primary.ident)
    return tuple(dict.fromkeys([*given, *(n for n, _ in seen.most_common())]))


def _ids_of_owner_name(w: Work, is_owner: Callable[[Person], bool]) -> dict[str, set[str]]:
    """service -> the ids the work's records give an author of the owner's name."""
    out: dict[str, set[str]] = defaultdict(set)
    for r in w.records:
        for service, ids in owner_ids_of(r.citation, is_owner).items():
            out[service] |= ids
    return out


def judge(works: list[Work], primary: PersonId, given: dict[str, set[str]],
          names: tuple[str, ...]) -> Verdict:
    v = Verdict(ids={k: set(s) for k, s in given.items()}, names=names)
    if not names:
        v.kept = list(works)
        return v
    is_owner = owner_matcher(names)
    found = [_ids_of_owner_name(w, is_owner) for w in works]
    mine = [i for i, w in enumerate(works) if primary.source in w.listed_by]
    # the rule enrichment learns the owner's ids by (BK908), over the primary's works
    v.learned = learn_owner_ids([found[i] for i in mine], {s: "" for s in v.ids})
    for service, (ident, _, _) in v.learned.items():
        v.ids[service] = {ident}
    for i, w in enumerate(works):
        contrary = [(s, sorted(ids - v.ids[s])[0]) for s, ids in found[i].items()
                    if s in v.ids and ids and not ids & v.ids[s]]
        if i in mine:
            v.kept.append(w)
            for service, other in contrary:
                key = (service, other, sorted(v.ids[service])[0])
                v.splits.setdefault(key, []).append(w)
        elif contrary:
            v.held_back.append((w, ", ".join(f"{s}:{o}" for s, o in contrary)))
        else:
            v.kept.append(w)
            if len(w.listed_by) == 1:
                v.one_source.append(w)
    return v
