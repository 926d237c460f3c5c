"""One `bibkit profile` run: the person ids in, one citation per work and a report out.

Reads every named source at once (gather), pairs records into works (works), decides which
works are the owner's (owner), and says what it did: the pairs merged with their evidence,
the works held back and why, a possibly split profile, the works one source alone has.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..enrich.enricher import endpoint_urls
from ..enrich.http import RateLimiter
from ..enrich.services import PERSON_SOURCES
from ..enrich.session import open_client
from ..model.citation import Citation
from ..model.diagnostics import Diagnostics
from .gather import gather
from .ids import PersonId
from .owner import Verdict, judge, owner_names
from .works import Work, group_works, work_entry


@dataclass
class ProfileSettings:
    people: Sequence[PersonId]  # the first is the primary: its works are the owner's
    offline: bool = False
    refresh: bool = False
    use_cache: bool = True
    cache_dir: str | Path | None = None
    endpoints: dict[str, str] = field(default_factory=dict)
    owner: tuple[str, ...] = ()
    owner_ids: dict[str, str] = field(default_factory=dict)
    timeout: float = 20.0
    connect_timeout: float = 4.0
    since: int | None = None
    until: int | None = None
    limiters: dict[str, RateLimiter] = field(default_factory=dict)  # tests: no waiting


@dataclass
class ProfileOutcome:
    citations: list[Citation]
    report_data: dict[str, Any]

    def report(self) -> dict[str, Any]:
        return self.report_data


def build_profile(settings: ProfileSettings, diags: Diagnostics) -> ProfileOutcome:
    client = open_client(settings, diags)
    try:
        got = gather(settings.people, client, endpoint_urls(settings.endpoints),
                     settings.limiters)
    finally:
        if client.cache is not None:
            client.cache.close()
    for who, why in got.failures.items():
        diags.warning("BK904", f"{who}: not read: {why}")
    works = group_works(got.records)
    primary = settings.people[0]
    given: dict[str, set[str]] = {}
    for p in settings.people:
        given.setdefault(p.source, set()).add(p.ident)
    for service, ident in settings.owner_ids.items():
        given.setdefault(service, set()).add(ident)
    verdict = judge(works, primary, given, owner_names(works, primary, settings.owner))
    _say(verdict, primary, diags)
    entries = [(work_entry(w), w) for w in verdict.kept]
    entries = [(c, w) for c, w in entries if _in_years(c, settings.since, settings.until)]
    entries.sort(key=lambda cw: (-(cw[0].issued.year or 0), -(cw[0].issued.month or 0),
                                 cw[0].title.casefold()))
    for c, w in entries:
        if len(w.records) > 1:
            diags.info("BK914", f"{len(w.records)} records, one work "
                       f"({'; '.join(w.evidence) or 'one source'}): "
                       + ", ".join(f"{r.source}:{r.ident}" for r in w.records), key=c.title[:60])
    return ProfileOutcome([c for c, _ in entries], _report(got.read, got.failures, verdict,
                                                           entries, dict(client.stats)))


def _in_years(c: Citation, since: int | None, until: int | None) -> bool:
    year = c.cited_year
    if year is None:
        return since is None and until is None
    return (since is None or year >= since) and (until is None or year <= until)


def _label(service: str) -> str:
    spec = PERSON_SOURCES.get(service)
    return spec.label if spec else service


def _say(v: Verdict, primary: PersonId, diags: Diagnostics) -> None:
    owner = v.names[0] if v.names else str(primary)
    for service, (ident, n, total) in sorted(v.learned.items()):
        diags.info("BK908", f"{owner}'s {_label(service)} id is {ident} ({n} of {total} of "
                   f"{primary}'s works naming {owner} there)")
    for w, why in v.held_back:
        title = w.records[0].citation.title
        listed = ", ".join(sorted(_label(s) for s in w.listed_by))
        diags.warning("BK911", f"held back: {title[:70]!r}: {listed} files it under {owner}, "
                      f"but {why} is not {owner}'s id there (another person of the name?)")
    for (service, other, known), works in sorted(v.splits.items()):
        titles = "; ".join(repr(w.records[0].citation.title[:40]) for w in works[:3])
        diags.warning("BK912", f"{_label(service)} gives {owner} the id {other} on "
                      f"{len(works)} of {primary}'s works ({titles}), {known} on the others: "
                      f"one person split over two ids? Not merged; if both are yours: "
                      f"--also {service}:{other}")
    if v.one_source:
        by: dict[str, int] = {}
        for w in v.one_source:
            for s in w.listed_by:
                by[_label(s)] = by.get(_label(s), 0) + 1
        diags.info("BK913", f"{len(v.one_source)} works found in one source only, kept: "
                   + ", ".join(f"{n} in {s}" for s, n in sorted(by.items())))


def _report(read: dict[str, int], failures: dict[str, str], v: Verdict,
            entries: list[tuple[Citation, Work]], stats: dict[str, int]) -> dict[str, Any]:
    def work_json(w: Work) -> dict[str, Any]:
        return {"title": w.records[0].citation.title,
                "records": [f"{r.source}:{r.ident}" for r in w.records],
                "listed_by": sorted(w.listed_by), "evidence": w.evidence}

    return {
        "sources": {who: {"records": n} for who, n in read.items()}
        | {who: {"failed": why} for who, why in failures.items()},
        "owner": {"names": list(v.names),
                  "ids": {s: sorted(ids) for s, ids in sorted(v.ids.items())}},
        "works": len(entries),
        "merged": [{**work_json(w), "title": c.title} for c, w in entries
                   if len(w.records) > 1],
        "held_back": [{**work_json(w), "why": why} for w, why in v.held_back],
        "split_profiles": [{"service": s, "other_id": o, "owner_id": k,
                            "works": [w.records[0].citation.title for w in ws]}
                           for (s, o, k), ws in sorted(v.splits.items())],
        "one_source_only": [work_json(w) for w in v.one_source],
        "http": {k.replace(" ", "_"): n for k, n in sorted(stats.items())},
    }
