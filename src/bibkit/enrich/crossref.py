"""Crossref resolver: the REST works API (`/works`).

DOIs are looked up in batches with a `filter=doi:...` list; citations without a DOI by
`query.bibliographic` (title) and `query.author` (first author). Crossref gives the publisher's
DOI, the container (journal or proceedings), volume, issue, pages, publisher and full authors.
Setting BIBKIT_MAILTO puts a contact address in the User-Agent, as Crossref's etiquette asks
(and routes the requests to its "polite" pool).
"""

from __future__ import annotations

import html
import re
import urllib.parse
from collections.abc import Sequence
from typing import Any

from ..infer.dates import DateError, make_date
from ..infer.venues import gives_dois, venue_from_name
from ..model.citation import (
    Citation,
    Identifiers,
    Kind,
    PartialDate,
    Person,
    Status,
    Venue,
)
from .http import ServiceError
from .resolver import Resolver, as_dict, as_list, doi, first_family, part_of, text_of

_KINDS = {
    "proceedings-article": (Kind.CONFERENCE_PAPER, "conference"),
    "journal-article": (Kind.JOURNAL_ARTICLE, "journal"),
    "book-chapter": (Kind.CHAPTER, ""),
    "book": (Kind.BOOK, ""),
    "monograph": (Kind.BOOK, ""),
    "edited-book": (Kind.BOOK, ""),
    "dissertation": (Kind.THESIS, ""),
    "report": (Kind.REPORT, ""),
    "dataset": (Kind.DATASET, ""),
    "posted-content": (Kind.PREPRINT, ""),
}
# Crossref titles carry the publisher's inline markup (<i>in vivo</i>, <sub>2</sub>, MathML,
# JATS) and HTML entities: the text is kept, the markup is not.
_MARKUP = re.compile(r"</?(?:i|b|em|strong|sub|sup|scp|sc|u|tt|(?:mml|jats):[a-z]+)"
                     r"(?:\s[^<>]{0,200})?/?>", re.IGNORECASE)
_SELECT = "DOI,title,author,container-title,type,issued,volume,issue,page,publisher"


class CrossrefResolver(Resolver):
    name = "crossref"
    label = "Crossref"
    default_endpoint = "https://api.crossref.org"
    interval = 0.5
    batch_size = 20

    def wants(self, c: Citation) -> bool:
        # a paper at ICLR, NeurIPS or PMLR has no DOI: a title search would find nothing
        if c.venue.name and not gives_dois(c.venue):
            return False
        # a publisher's DOI with a venue of unknown year: Crossref's record has the date
        dated = c.venue.year is not None or not c.venue.name
        return super().wants(c) or (not dated and bool(c.ids.publisher_doi))

    def lookup(self, batch: Sequence[Citation]) -> list[list[Citation]]:
        out: list[list[Citation]] = [[] for _ in batch]
        # a DOI with a comma would split the filter list: those go by title instead
        with_doi = [i for i, c in enumerate(batch)
                    if c.ids.publisher_doi and "," not in c.ids.doi]
        if with_doi:
            filters = ",".join(f"doi:{batch[i].ids.doi}" for i in with_doi)
            found = self._works({"filter": filters, "rows": str(len(with_doi)),
                                 "select": _SELECT})
            by_doi = {r.ids.doi_key: r for r in found}
            for i in with_doi:
                if batch[i].ids.doi_key in by_doi:
                    out[i].append(by_doi[batch[i].ids.doi_key])
        for i, c in enumerate(batch):
            if i in with_doi or not c.title:
                continue
            params = {"query.bibliographic": c.title, "rows": "5", "select": _SELECT}
            if first_family(c):
                params["query.author"] = first_family(c)
            out[i] = self._works(params)
        return out

    def _works(self, params: dict[str, str]) -> list[Citation]:
        url = f"{self.endpoint}/works?{urllib.parse.urlencode(params)}"
        return parse_works(self._json(self.client.get(url, self.limiter)))


def parse_works(data: object) -> list[Citation]:
    if data is None:
        return []
    message = as_dict(data).get("message")
    if not isinstance(message, dict):
        raise ServiceError("Crossref: the answer has no message")
    items = message.get("items", [message] if "DOI" in message else [])
    return [_citation(item) for item in as_list(items) if isinstance(item, dict)]


def _date(item: dict[str, Any]) -> PartialDate:
    for key in ("issued", "published-print", "published-online", "published"):
        parts = as_list(as_dict(item.get(key)).get("date-parts"))
        first = as_list(parts[0]) if parts else []
        nums = []
        for p in first[:3]:
            if not isinstance(p, int) or isinstance(p, bool):
                break
            nums.append(p)
        if nums and 1 <= nums[0] <= 9999:
            if len(nums) == 1:
                return PartialDate(nums[0])
            try:
                return make_date(nums[0], nums[1], nums[2] if len(nums) > 2 else None)
            except DateError:  # a month 13 or a day 0: keep the year
                return PartialDate(nums[0])
    return PartialDate()


def _people(item: dict[str, Any]) -> tuple[Person, ...]:
    people = []
    for a in as_list(item.get("author")):
        if not isinstance(a, dict):
            continue
        if text_of(a.get("family")):
            people.append(Person(family=text_of(a.get("family")), given=text_of(a.get("given")),
                                 suffix=text_of(a.get("suffix"))))
        elif text_of(a.get("name")):
            people.append(Person(literal=text_of(a.get("name"))))
    return tuple(people)


def _citation(item: dict[str, Any]) -> Citation:
    kind, venue_kind = _KINDS.get(text_of(item.get("type")), (Kind.DOCUMENT, ""))
    issued = _date(item)
    container = text_of(item.get("container-title"))
    venue = Venue()
    if container:
        found = venue_from_name(container, venue_kind, issued.year)
        venue = Venue(name=found.name, short_name=found.short_name,
                      kind=found.kind or venue_kind, year=issued.year,
                      publisher=text_of(item.get("publisher")) or found.publisher,
                      volume=part_of(item.get("volume")), issue=part_of(item.get("issue")),
                      pages=part_of(item.get("page")))
    return Citation(
        kind=kind,
        status=Status.PREPRINT if kind is Kind.PREPRINT else Status.PUBLISHED,
        title=" ".join(html.unescape(_MARKUP.sub("", text_of(item.get("title")))).split()),
        authors=_people(item),
        issued=issued,
        venue=venue,
        ids=Identifiers(doi=doi(item.get("DOI"))),
    )
