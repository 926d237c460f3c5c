"""ORCID: the works on a person's record, from the public API v3.0.

`/{ORCID}/works` gives the summaries, grouped by shared identifiers (one group a work, or
two when Crossref and DataCite each added one: the published DOI and arXiv's); summaries
have no contributors, so the full works come in bulk reads, `/{ORCID}/works/{put-codes}`,
at most 100 put-codes a request. The public API allows 12 requests a second and answers
bursts with 503. Contributors are written as the source gave them, often "Family, Given".
"""

from __future__ import annotations

import re
from typing import Any

from ..infer.venues import venue_from_name
from ..model.citation import (
    ARXIV_DOI_PREFIX,
    Citation,
    Identifiers,
    Kind,
    PartialDate,
    Status,
    Venue,
)
from .http import ServiceError
from .openalex import arxiv_of_doi
from .resolver import Service, as_dict, as_list, author_ids_extra, doi, person, text_of

BULK = 100  # put-codes a bulk read may name
_ORCID = re.compile(r"^(?:https?://orcid\.org/)?(\d{4}-\d{4}-\d{4}-\d{3}[\dX])$", re.IGNORECASE)
_KINDS = {  # ORCID work type -> (kind, the venue's kind)
    "journal-article": (Kind.JOURNAL_ARTICLE, "journal"),
    "conference-paper": (Kind.CONFERENCE_PAPER, "conference"),
    "book-chapter": (Kind.CHAPTER, "book"),
    "book": (Kind.BOOK, "book"),
    "dissertation-thesis": (Kind.THESIS, ""),
    "dissertation": (Kind.THESIS, ""),
}
_ARXIV_ID = re.compile(r"(\d{4}\.\d{4,5})(?:v\d+)?$")


def orcid_id(text: str) -> str:
    """The ORCID iD from the id or its URL, when its ISO 7064 check digit is right; else ""."""
    m = _ORCID.match(text.strip())
    if not m:
        return ""
    ident = m.group(1).upper()
    total = 0
    for ch in ident.replace("-", "")[:-1]:
        total = (total + int(ch)) * 2
    check = (12 - total % 11) % 11
    return ident if ident[-1] == ("X" if check == 10 else str(check)) else ""


class OrcidSource(Service):
    name = "orcid"
    label = "ORCID"
    default_endpoint = "https://pub.orcid.org/v3.0"
    interval = 1 / 12  # the public API's 12 requests a second

    def _get(self, url: str) -> object:
        return self._json(self.client.get(url, self.limiter,
                                          headers={"Accept": "application/json"}))

    def works_of(self, ident: str) -> list[Citation]:
        data = self._get(f"{self.endpoint}/{ident}/works")
        if data is None:
            return []
        groups = as_dict(data).get("group")
        if not isinstance(groups, list):
            raise ServiceError("ORCID: the works answer has no group list")
        codes = [code for g in groups if (code := _preferred(as_dict(g)))]
        out = []
        for start in range(0, len(codes), BULK):
            part = ",".join(codes[start:start + BULK])
            bulk = as_dict(self._get(f"{self.endpoint}/{ident}/works/{part}")).get("bulk")
            out += [work_citation(w) for item in as_list(bulk)
                    if (w := as_dict(as_dict(item).get("work")))]
        return out


def _preferred(group: dict[str, Any]) -> str:
    """The put-code of a group's preferred summary (the highest display index)."""
    summaries = [as_dict(s) for s in as_list(group.get("work-summary"))]
    if not summaries:
        return ""
    best = max(summaries, key=lambda s: int(text_of(s.get("display-index")) or 0))
    return text_of(best.get("put-code"))


def _value(obj: object, *path: str) -> str:
    for step in path:
        obj = as_dict(obj).get(step)
    return text_of(obj)


def work_citation(work: dict[str, Any]) -> Citation:
    ids = {text_of(as_dict(e).get("external-id-type")).lower():
           text_of(as_dict(e).get("external-id-value"))
           for e in as_list(_external(work))}
    ident = doi(ids.get("doi", ""))
    arxiv = arxiv_of_doi(ident)
    if (m := _ARXIV_ID.search(ids.get("arxiv", ""))) is not None:
        arxiv = m.group(1)
    people = []
    for c in as_list(as_dict(work.get("contributors")).get("contributor")):
        name = _value(c, "credit-name", "value")
        role = _value(c, "contributor-attributes", "contributor-role")
        if name and role in ("", "author", "http://credit.niso.org/contributor-roles/"):
            people.append((person(name), _value(c, "contributor-orcid", "path")))
    kind, where = _KINDS.get(text_of(work.get("type")), (Kind.PREPRINT, ""))
    year = _value(work, "publication-date", "year", "value")
    month = _value(work, "publication-date", "month", "value")
    issued = PartialDate(int(year) if year.isdigit() else None,
                         int(month) if month.isdigit() and year.isdigit() else None)
    journal = _value(work, "journal-title", "value")
    venue, status = Venue(), Status.PREPRINT
    if where and journal:
        found = venue_from_name(journal, where, issued.year)
        venue = Venue(name=found.name, short_name=found.short_name, kind=found.kind or where,
                      publisher=found.publisher, year=issued.year)
        status = Status.PUBLISHED
    elif kind is not Kind.PREPRINT:
        status = Status.PUBLISHED
    return Citation(
        kind=kind, status=status, title=_value(work, "title", "title", "value"),
        authors=tuple(p for p, _ in people), issued=issued, venue=venue,
        ids=Identifiers(doi="" if ident.startswith(ARXIV_DOI_PREFIX) else ident, arxiv=arxiv),
        extra=(("record:orcid", text_of(work.get("put-code"))),
               *author_ids_extra("orcid", [(p.display(), o) for p, o in people])),
    )


def _external(work: dict[str, Any]) -> object:
    return as_dict(work.get("external-ids")).get("external-id")
