"""Semantic Scholar resolver: the Academic Graph API (`/graph/v1`).

Papers with an arXiv id or DOI are fetched in one `POST /paper/batch` (up to 500 ids); others
by `/paper/search/match` (the single best title match, or 404). Semantic Scholar links the
arXiv preprint to its published version even when the title changed at publication, which a
title search cannot do. BIBKIT_S2_API_KEY, if set, is sent as `x-api-key`.
"""

from __future__ import annotations

import json
import os
import urllib.parse
from collections.abc import Sequence
from typing import Any

from ..infer.venues import KIND_OF_VENUE, venue_from_name
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
from .resolver import (
    Resolver,
    as_dict,
    as_list,
    author_ids_extra,
    doi,
    iso_date,
    part_of,
    person,
    text_of,
    year_of,
)

FIELDS = ("title,authors,year,venue,publicationVenue,externalIds,publicationTypes,journal,"
          "publicationDate")
_PREPRINT_VENUES = frozenset({"arxiv", "arxiv.org", "corr", "biorxiv", "medrxiv", "ssrn"})


class SemanticScholarResolver(Resolver):
    name = "s2"
    label = "Semantic Scholar"
    default_endpoint = "https://api.semanticscholar.org/graph/v1"
    interval = 1.0
    batch_size = 100

    def wants(self, c: Citation) -> bool:
        # also for the ids of its authors, which tell the owner from a namesake: papers with
        # an arXiv id or DOI cost a share of one batch request
        return super().wants(c) or self.lacks_author_ids(c)

    def api_headers(self) -> dict[str, str]:
        key = os.environ.get("BIBKIT_S2_API_KEY")
        return {"x-api-key": key} if key else {}

    def lookup(self, batch: Sequence[Citation]) -> list[list[Citation]]:
        self.client.mark()
        out: list[list[Citation]] = [[] for _ in batch]
        ids: dict[int, str] = {}
        for i, c in enumerate(batch):
            if c.ids.arxiv:
                ids[i] = "ARXIV:" + c.ids.arxiv_base
            elif c.ids.doi:
                ids[i] = "DOI:" + c.ids.doi
        if ids:
            for i, paper in zip(ids, self.batch(list(ids.values())), strict=True):
                if paper is not None:
                    out[i].append(paper)
        for i, c in enumerate(batch):
            if i in ids or not c.title:
                continue
            url = f"{self.endpoint}/paper/search/match?" + urllib.parse.urlencode(
                {"query": c.title, "fields": FIELDS})
            data = self._json(self.client.get(url, self.limiter, headers=self.api_headers()))
            if data is None:
                continue  # 404: "Title match not found"
            papers = data.get("data") if isinstance(data, dict) else None
            if not isinstance(papers, list):
                raise ServiceError("Semantic Scholar: the search answer has no data list")
            out[i] = [paper_citation(p) for p in papers if isinstance(p, dict)]
        return out


    def batch(self, ids: list[str]) -> list[Citation | None]:
        """The records of up to 500 ids ("ARXIV:2310.01234", "DOI:10.…"), in order; None for
        an id Semantic Scholar has no record of (an offline miss: every one None)."""
        url = f"{self.endpoint}/paper/batch?" + urllib.parse.urlencode({"fields": FIELDS})
        data = self._json(self.client.post(url, json.dumps({"ids": ids}).encode(),
                                           self.limiter, headers={
            "Content-Type": "application/json", **self.api_headers()}))
        if data is None:
            return [None] * len(ids)
        if not isinstance(data, list) or len(data) != len(ids):
            raise ServiceError("Semantic Scholar: the batch answer is not one item an id")
        if any(paper is None for paper in data):
            # "not found" and "that shard did not answer" look the same: asked again
            # tomorrow, not believed for a month
            self.client.keep_briefly()
        return [paper_citation(p) if isinstance(p, dict) else None for p in data]

    def works_of(self, author: str) -> list[Citation]:
        """Every paper of a Semantic Scholar author (`/author/{id}/papers`, up to 1000 a
        page)."""
        out: list[Citation] = []
        offset: object = 0
        while isinstance(offset, int):
            url = f"{self.endpoint}/author/{urllib.parse.quote(author)}/papers?" + \
                urllib.parse.urlencode({"fields": FIELDS, "limit": "1000", "offset": offset})
            data = self._json(self.client.get(url, self.limiter, headers=self.api_headers()))
            if data is None:
                break
            papers = as_dict(data).get("data")
            if not isinstance(papers, list):
                raise ServiceError("Semantic Scholar: the author's papers have no data list")
            out += [paper_citation(p) for p in papers if isinstance(p, dict)]
            offset = as_dict(data).get("next") if papers else None
        return out


def paper_citation(paper: dict[str, Any]) -> Citation:
    external = as_dict(paper.get("externalIds"))
    year = year_of(paper.get("year"))
    published = iso_date(text_of(paper.get("publicationDate")))
    issued = published or PartialDate(year)
    # `year` is the year of the earliest version (an ICLR 2025 paper has year 2024 when its
    # preprint came out in 2024): the venue's year is its publicationDate's, else unknown
    venue_year = published.year if published is not None else None
    pub = as_dict(paper.get("publicationVenue"))
    journal = as_dict(paper.get("journal"))
    name = text_of(pub.get("name")) or text_of(paper.get("venue")) or text_of(journal.get("name"))
    types = as_list(paper.get("publicationTypes"))
    hint = text_of(pub.get("type")) or ("journal" if "JournalArticle" in types else
                                        "conference" if "Conference" in types else "")
    venue, kind, status = Venue(), Kind.PREPRINT, Status.PREPRINT
    if name and name.casefold() not in _PREPRINT_VENUES and hint in KIND_OF_VENUE:
        found = venue_from_name(name, hint, venue_year)
        venue = Venue(name=found.name, short_name=found.short_name, kind=found.kind or hint,
                      publisher=found.publisher, year=venue_year,
                      volume=part_of(journal.get("volume")) if hint == "journal" else "",
                      pages=part_of(journal.get("pages")).replace(" ", ""))
        kind, status = KIND_OF_VENUE[venue.kind], Status.PUBLISHED
        if published is None:
            issued = PartialDate()  # `year` is the preprint's: no date for this version
    ident = doi(external.get("DOI"))
    people = [(person(text_of(a.get("name"))), text_of(a.get("authorId")))
              for a in as_list(paper.get("authors"))
              if isinstance(a, dict) and text_of(a.get("name"))]
    return Citation(
        kind=kind,
        status=status,
        title=text_of(paper.get("title")),
        authors=tuple(p for p, _ in people),
        issued=issued,
        venue=venue,
        ids=Identifiers(arxiv=text_of(external.get("ArXiv")),
                        doi="" if ident.startswith(ARXIV_DOI_PREFIX) else ident),
        extra=((("record:s2", text_of(paper.get("paperId"))),) if paper.get("paperId") else ())
        + author_ids_extra("s2", [(p.display(), author) for p, author in people]),
    )
