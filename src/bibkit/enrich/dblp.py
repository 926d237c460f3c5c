"""DBLP resolver: the publication search API (`/search/publ/api?format=json`).

DBLP knows where computer-science papers were published: conference or journal, year, volume,
pages and DOI. A paper usually has two records, the arXiv one (venue "CoRR") and the published
one; both are candidates, and the pipeline applies the published one first.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Sequence
from typing import Any

from ..infer.venues import KIND_OF_VENUE, venue_from_name
from ..model.citation import Citation, Identifiers, Kind, PartialDate, Status, Venue
from .http import ServiceError
from .match import fold_title
from .resolver import (
    Resolver,
    as_dict,
    as_list,
    author_ids_extra,
    doi,
    part_of,
    person,
    text_of,
    year_of,
)

_TYPES = {
    "Conference and Workshop Papers": "conference",
    "Journal Articles": "journal",
}
_OTHER_KINDS = {
    "Parts in Books or Collections": Kind.CHAPTER,
    "Books and Theses": Kind.BOOK,
}
_CORR_VOLUME = re.compile(r"^abs/(.+)$")


class DblpResolver(Resolver):
    name = "dblp"
    label = "DBLP"
    default_endpoint = "https://dblp.org/search/publ/api"
    # DBLP publishes no rate; its clients report 429s above about 12 requests a minute and
    # that 5-7 s between requests works (dblp's FAQ asks for moderate use)
    interval = 5.0

    def wants(self, c: Citation) -> bool:
        # also when a venue came from prose (an arXiv comment, a card's "Accepted at"): the
        # venue's record gives its year and the authors' person ids
        return (c.authors_truncated or c.kind is Kind.PREPRINT or not c.venue.name
                or self.lacks_author_ids(c))

    def lookup(self, batch: Sequence[Citation]) -> list[list[Citation]]:
        out: list[list[Citation]] = []
        for c in batch:
            query = fold_title(c.title)
            if not query:
                out.append([])
                continue
            url = f"{self.endpoint}?" + urllib.parse.urlencode(
                {"q": query, "format": "json", "h": "10"})
            out.append(parse_hits(self._json(self.client.get(url, self.limiter))))
        return out


def parse_hits(data: object) -> list[Citation]:
    if data is None:
        return []
    hits_obj = as_dict(data).get("result")
    hits_obj = as_dict(hits_obj).get("hits") if isinstance(hits_obj, dict) else None
    if not isinstance(hits_obj, dict):
        raise ServiceError("DBLP: the answer has no result.hits")
    hits = hits_obj.get("hit", [])
    if isinstance(hits, dict):  # one hit: DBLP's JSON gives an object, not a list
        hits = [hits]
    return [_citation(info) for hit in as_list(hits)
            if (info := as_dict(as_dict(hit).get("info"))) and info.get("type") != "Editorship"]


def _citation(info: dict[str, Any]) -> Citation:
    names = as_dict(info.get("authors")).get("author", [])
    if isinstance(names, dict):  # one author: an object, not a list
        names = [names]
    named = [(text_of(a.get("text") if isinstance(a, dict) else a),
              text_of(a.get("@pid")) if isinstance(a, dict) else "") for a in as_list(names)]
    people = tuple(person(name) for name, _ in named)
    year = year_of(info.get("year"))
    venue_name = text_of(info.get("venue"))
    volume = part_of(info.get("volume"))
    kind_word = _TYPES.get(text_of(info.get("type")), "")
    ident = doi(info.get("doi"))
    arxiv = ""
    corr = venue_name == "CoRR"
    if corr:
        m = _CORR_VOLUME.match(volume)
        arxiv = m.group(1) if m else ""
        venue, kind, status = Venue(), Kind.PREPRINT, Status.PREPRINT
        ident = ""  # the arXiv DOI: derivable from the id, not a publisher's
    else:
        venue = venue_from_name(venue_name, kind_word, year) if venue_name else Venue()
        venue = Venue(name=venue.name, short_name=venue.short_name,
                      kind=venue.kind or kind_word, publisher=venue.publisher, year=year,
                      volume=volume, issue=part_of(info.get("number")),
                      pages=part_of(info.get("pages")))
        kind = KIND_OF_VENUE.get(venue.kind) or _OTHER_KINDS.get(
            text_of(info.get("type")), Kind.DOCUMENT)
        status = Status.PUBLISHED
    return Citation(
        kind=kind,
        status=status,
        title=text_of(info.get("title")).removesuffix("."),
        authors=people,
        issued=PartialDate(year),
        venue=venue,
        ids=Identifiers(doi=ident, arxiv=arxiv),
        extra=((("dblp:key", text_of(info.get("key"))),) if info.get("key") else ())
        + author_ids_extra("dblp", [(p.display(), pid) for p, (_, pid)
                                    in zip(people, named, strict=True)]),
    )
