"""Reading the person's lists: every source asked at once (they are independent: a dropped
network costs one connect timeout, not one a source), then one Semantic Scholar batch for
the works found, whose merged records link a preprint to a renamed published version and
give every author's Semantic Scholar id (the evidence the owner check needs).
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

from ..enrich.http import HttpClient, RateLimiter, ServiceError
from ..enrich.match import id_keys
from ..enrich.semanticscholar import SemanticScholarResolver
from ..enrich.services import PERSON_SOURCES
from ..model.citation import Citation
from .ids import PersonId

S2_BATCH = 500  # ids a Semantic Scholar batch may hold


@dataclass(frozen=True, slots=True)
class Record:
    source: str  # the service that gave it
    citation: Citation
    listed: bool  # in a person's list (True) or looked up to pair and check (False)

    @property
    def ident(self) -> str:
        """The record's id at its source (a DBLP key, an OpenAlex W-id, an ORCID put-code)."""
        for name, value in self.citation.extra:
            if name in (f"record:{self.source}", f"{self.source}:key"):
                return value
        return ""


@dataclass
class Gathered:
    records: list[Record] = field(default_factory=list)
    read: dict[str, int] = field(default_factory=dict)  # "dblp:h/BoHan3" -> records read
    failures: dict[str, str] = field(default_factory=dict)  # "dblp:h/BoHan3" -> why


def gather(people: Sequence[PersonId], client: HttpClient, endpoints: dict[str, str],
           limiters: dict[str, RateLimiter], lookup: bool = True) -> Gathered:
    out = Gathered()

    def read(p: PersonId) -> tuple[PersonId, list[Citation] | ServiceError]:
        source = PERSON_SOURCES[p.source].load()(client, endpoints.get(p.source),
                                                 limiters.get(p.source))
        try:
            return p, source.works_of(p.ident)
        except ServiceError as exc:
            return p, exc

    with ThreadPoolExecutor(max_workers=max(1, len(people))) as pool:
        for p, got in pool.map(read, people):
            if isinstance(got, ServiceError):
                out.failures[str(p)] = str(got)
                continue
            out.read[str(p)] = len(got)
            out.records += [Record(p.source, c, True) for c in got]
    if lookup and out.records:
        try:
            out.records += _s2_lookup(out.records, client, endpoints, limiters)
        except ServiceError as exc:
            out.failures["s2 (pairing lookup)"] = str(exc)
    return out


def _s2_lookup(records: list[Record], client: HttpClient, endpoints: dict[str, str],
               limiters: dict[str, RateLimiter]) -> list[Record]:
    """Semantic Scholar's record of every work with an arXiv id or DOI, in batches of 500."""
    wanted: dict[str, None] = {}
    for r in records:
        for key in id_keys(r.citation):
            kind, _, value = key.partition(":")
            wanted["ARXIV:" + value if kind == "arxiv" else "DOI:" + value] = None
    s2 = SemanticScholarResolver(client, endpoints.get("s2"), limiters.get("s2"))
    found: list[Record] = []
    seen: set[str] = set()
    ids = list(wanted)
    for start in range(0, len(ids), S2_BATCH):
        client.mark()
        for c in s2.batch(ids[start:start + S2_BATCH]):
            record = Record("s2", c, False) if c is not None else None
            if record is not None and record.ident not in seen:
                seen.add(record.ident)
                found.append(record)
    return found
