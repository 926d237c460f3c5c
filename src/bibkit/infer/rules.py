"""Inference rules: pure functions Citation -> Citation, each result recorded in provenance.

They read only what the citation already holds (title, abstract, note, links), so they apply
the same way to any reader's output.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import fields

from ..model.citation import Citation, Kind, PartialDate, Provenance, Status, Venue, evolve
from .dates import DateError, make_date
from .identifiers import (
    arxiv_doi,
    arxiv_id_month,
    find_arxiv_id,
    find_own_arxiv_id,
    find_stated_doi,
)
from .venues import KIND_OF_VENUE, find_venue


def _prose(c: Citation) -> Iterator[str]:
    """The free text of a citation, in the order evidence is searched (no copying)."""
    yield c.title
    if c.abstract:
        yield c.abstract
    if c.note:
        yield c.note


def _holds(c: Citation, needle: str) -> bool:
    """Whether the prose holds `needle`: one C-speed test a field, before a rule's regex."""
    return needle in c.abstract or needle in c.title or (bool(c.note) and needle in c.note)


def _texts(c: Citation) -> Iterator[str]:
    """The prose, then the link URLs (an arXiv id may hide in a link; a venue never does)."""
    yield from _prose(c)
    for link in c.links:
        yield link.url


def infer_arxiv(c: Citation) -> Citation:
    """arXiv id from an arXiv URL, `arXiv:ID` or arXiv DOI; the arXiv DOI derived from it."""
    ids = c.ids
    found: list[Provenance] = []
    if not ids.arxiv:
        # the prose's ids, unless given for another work; then the links' (a URL is this
        # work's page)
        arxiv = (next(filter(None, map(find_own_arxiv_id, _prose(c))), "")
                 or next(filter(None, (find_arxiv_id(link.url) for link in c.links)), ""))
        if arxiv:
            ids = evolve(ids, arxiv=arxiv)
            found.append(Provenance("ids.arxiv", "infer", "arxiv-id-in-text", 1.0, arxiv))
    # the arXiv DOI for an id found in the text; an id a field gave (BibTeX `eprint`, RIS
    # `N1 arXiv:`) is the source's own record, which then says whether it has a DOI
    if found and not ids.doi:
        ids = evolve(ids, doi=arxiv_doi(ids.arxiv))
        found.append(Provenance("ids.doi", "infer", "arxiv-doi-from-id", 1.0, ids.arxiv))
    if not found:
        return c
    changes: dict[str, object] = {}
    if c.kind is Kind.DOCUMENT:  # an untyped record that names its arXiv id: a preprint
        changes = {"kind": Kind.PREPRINT,
                   "status": c.status if c.status is not Status.UNKNOWN else Status.PREPRINT}
        found.append(Provenance("kind", "infer", "arxiv-id-makes-preprint", 1.0, ids.arxiv))
    return evolve(c, ids=ids, provenance=c.provenance + tuple(found), **changes)


def infer_doi(c: Citation) -> Citation:
    """A DOI the text states for this work ("Published in Nature Communications 15, 123
    (2024). DOI: 10.1038/...") is its DOI, better than arXiv's own."""
    if c.ids.publisher_doi or not _holds(c, "10."):
        return c
    doi = next(filter(None, map(find_stated_doi, _prose(c))), "")
    if not doi:
        return c
    found = Provenance("ids.doi", "infer", "doi-in-text", 0.9, doi)
    return evolve(c, ids=evolve(c.ids, doi=doi), provenance=(*c.provenance, found))


def date_from_arxiv_id(c: Citation) -> Citation:
    """A yearless card date ("May 30", its year taken from --as-of) whose year the card's
    arXiv id contradicts: the id's year wins (an id is assigned in the month of its first
    submission, so a December date with a January id is the year before)."""
    d = c.issued
    said = arxiv_id_month(c.ids.arxiv) if d.year_inferred and c.ids.arxiv else None
    if said is None or d.month is None:
        return c
    id_year, id_month = said
    year = id_year - 1 if d.month > id_month else id_year
    if year == d.year:
        return c
    try:
        issued = make_date(year, d.month, d.day)
    except DateError:  # Feb 29 of a year without one
        issued = PartialDate(year, d.month)
    evidence = f"arXiv:{c.ids.arxiv} is from {id_year}-{id_month:02d}"
    found = Provenance("issued", "infer", "arxiv-id-year", 1.0, evidence)
    return evolve(c, issued=issued, provenance=(*c.provenance, found))


# the kinds that say nothing of where a work appeared: a phrase may place them. A book, a
# thesis or a paper whose source names its kind keeps it ("Proceedings of ICLR 2023" is the
# title of a @proceedings volume, not a paper at ICLR)
_PLACEABLE = frozenset({Kind.PREPRINT, Kind.DOCUMENT, Kind.MANUSCRIPT})


def infer_venue(c: Citation) -> Citation:
    """A publication phrase in the card sets the venue, the kind and the status."""
    if c.venue.name or c.kind not in _PLACEABLE:
        return c
    hit = next(filter(None, map(find_venue, _prose(c))), None)
    if hit is None:
        return c
    status = Status.ACCEPTED if hit.accepted else Status.PUBLISHED
    # what the source said of the venue (its publisher, its place) stays where the phrase
    # says nothing
    kept = {f.name: getattr(c.venue, f.name) for f in fields(Venue)
            if getattr(c.venue, f.name) and not getattr(hit.venue, f.name)}
    venue = evolve(hit.venue, **kept) if kept else hit.venue
    if venue.year is None and c.issued.year is not None:
        # "To appear in TPAMI" names no year: the card's own year is the best evidence
        venue = evolve(venue, year=c.issued.year)
    prov = (
        Provenance("venue", "infer", "venue-phrase" if hit.known else "venue-not-in-table",
                   hit.confidence, hit.evidence),
        Provenance("kind", "infer", "venue-kind", hit.confidence, hit.venue.kind),
    )
    return evolve(
        c,
        venue=venue,
        kind=KIND_OF_VENUE[hit.venue.kind],
        status=status,
        provenance=c.provenance + prov,
    )


_WITHDRAWN = re.compile(
    r"\b(?:this|the)\s+(?:paper|article|manuscript|submission|preprint|work)\s+(?:has\s+been|"
    r"was|is|is\s+being)\s+withdrawn\b|\bwithdrawn\s+by\s+(?:the\s+)?authors?\b"
    r"|\bwithdrawn\s+(?:due\s+to|because)\b", re.IGNORECASE)


def infer_withdrawn(c: Citation) -> Citation:
    """"This paper has been withdrawn by the authors" (arXiv's comment of a withdrawn
    version): the work is cited as withdrawn."""
    if c.status is Status.WITHDRAWN or not _holds(c, "ithdrawn"):
        return c
    for text in _prose(c):
        m = _WITHDRAWN.search(text) if "ithdrawn" in text else None
        if m:
            evidence = " ".join(text[max(0, m.start() - 20): m.end() + 40].split())
            found = Provenance("status", "infer", "withdrawn", 1.0, evidence)
            return evolve(c, status=Status.WITHDRAWN, provenance=(*c.provenance, found))
    return c


def settle_status(c: Citation, as_of: dt.date) -> Citation:
    """"Accepted at ICLR 2023" read in 2026 is a published paper: accepted and to-appear hold
    only while the venue's year is not before the reference date's (whatever said so: a
    phrase, `pubstate = {inpress}`, CSL `forthcoming`, RIS `INPR`, a service)."""
    year = c.cited_year
    if c.status is not Status.ACCEPTED or year is None or year >= as_of.year:
        return c
    evidence = f"cited year {year} before {as_of.isoformat()}"
    passed = Provenance("status", "infer", "venue-year-passed", 0.9, evidence)
    return evolve(c, status=Status.PUBLISHED, provenance=(*c.provenance, passed))


def infer_all(c: Citation, as_of: dt.date | None = None) -> Citation:
    """Every rule; with a reference date, statuses follow it too."""
    c = infer_withdrawn(infer_venue(date_from_arxiv_id(infer_doi(infer_arxiv(c)))))
    return settle_status(c, as_of) if as_of is not None else c
