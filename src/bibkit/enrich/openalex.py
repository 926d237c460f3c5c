"""OpenAlex: every work filed under an author id, from the works list
(`/works?filter=authorships.author.id:A…&per_page=200&cursor=…`, the paging the API documents
for long lists).

Since 2026 OpenAlex asks for an API key (`api_key=…`; bibkit reads it from
BIBKIT_OPENALEX_API_KEY and never writes it: not in the cache, an output or a report) and
meters a daily credit budget: a list request costs a credit, and a 429 says the day's budget
is spent, so bibkit says so once and stops asking. OpenAlex keeps a preprint and its article
as two works, and files some namesakes' papers under an author: its list is evidence, paired
and checked like every other source's (bibkit.profile).
"""

from __future__ import annotations

import os
import re
import urllib.parse
from typing import Any

from ..infer.venues import KIND_OF_VENUE, venue_from_name
from ..model.citation import ARXIV_DOI_PREFIX, Citation, Identifiers, Kind, PartialDate, Status
from ..model.citation import Venue as VenueT
from .http import ServiceError
from .resolver import (
    Service,
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

API_KEY_ENV = "BIBKIT_OPENALEX_API_KEY"
_AUTHOR = re.compile(r"^(?:https?://openalex\.org/)?(A\d{4,12})$", re.IGNORECASE)
_ARXIV_URL = re.compile(r"arxiv\.org/(?:abs|pdf)/(\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})",
                        re.IGNORECASE)
_KINDS = {"journal": "journal", "conference": "conference", "book series": "book",
          "ebook platform": "book"}
PER_PAGE = 200  # the most a page may hold
MAX_PAGES = 50  # 10,000 works: more is not one person


def author_id(text: str) -> str:
    """"A5023888391" from the id or its URL; "" when it is neither."""
    m = _AUTHOR.match(text.strip())
    return m.group(1).upper() if m else ""


def arxiv_of_doi(ident: str) -> str:
    """"2310.01234" from arXiv's DOI "10.48550/arxiv.2310.01234"; "" for any other DOI."""
    rest = ident[len(ARXIV_DOI_PREFIX):] if ident.startswith(ARXIV_DOI_PREFIX) else ""
    return rest[len("arxiv."):] if rest.lower().startswith("arxiv.") else ""


def short_id(url: object) -> str:
    return text_of(url).rsplit("/", 1)[-1]


class OpenAlexSource(Service):
    name = "openalex"
    label = "OpenAlex"
    default_endpoint = "https://api.openalex.org"
    interval = 0.1  # the documented ceiling is 100 requests a second

    def works_of(self, ident: str) -> list[Citation]:
        out: list[Citation] = []
        cursor = "*"
        for _ in range(MAX_PAGES):
            params = {"filter": f"authorships.author.id:{ident}", "per_page": str(PER_PAGE),
                      "cursor": cursor}
            key = os.environ.get(API_KEY_ENV, "").strip()
            if key:
                params["api_key"] = key
            data = self._json(self.client.get(
                f"{self.endpoint}/works?{urllib.parse.urlencode(params)}", self.limiter))
            if data is None:
                break
            results = as_dict(data).get("results")
            if not isinstance(results, list):
                raise ServiceError("OpenAlex: the answer has no results list")
            out += [work_citation(w) for w in results if isinstance(w, dict)]
            cursor = text_of(as_dict(as_dict(data).get("meta")).get("next_cursor"))
            if not cursor or not results:
                break
        return out


def work_citation(work: dict[str, Any]) -> Citation:
    people = []
    for a in as_list(work.get("authorships")):
        who = as_dict(as_dict(a).get("author"))
        name = text_of(who.get("display_name")) or text_of(as_dict(a).get("raw_author_name"))
        if name:
            people.append((person(name), short_id(who.get("id")), short_id(who.get("orcid"))))
    ident = doi(text_of(work.get("doi")).removeprefix("https://doi.org/"))
    arxiv = arxiv_of_doi(ident)
    for loc in [work.get("primary_location"), *as_list(work.get("locations"))]:
        m = _ARXIV_URL.search(text_of(as_dict(loc).get("landing_page_url")))
        if m and not arxiv:
            arxiv = m.group(1)
    source = as_dict(as_dict(work.get("primary_location")).get("source"))
    hint = _KINDS.get(text_of(source.get("type")), "")
    year = year_of(work.get("publication_year"))
    issued = iso_date(text_of(work.get("publication_date"))) or PartialDate(year)
    venue, kind, status = VenueT(), Kind.PREPRINT, Status.PREPRINT
    if hint and text_of(work.get("type")) != "preprint":
        found = venue_from_name(text_of(source.get("display_name")), hint, year)
        biblio = as_dict(work.get("biblio"))
        first, last = part_of(biblio.get("first_page")), part_of(biblio.get("last_page"))
        venue = VenueT(name=found.name, short_name=found.short_name, kind=found.kind or hint,
                       publisher=found.publisher, year=year,
                       volume=part_of(biblio.get("volume")), issue=part_of(biblio.get("issue")),
                       pages=f"{first}-{last}" if first and last and first != last else first)
        kind, status = KIND_OF_VENUE.get(venue.kind, Kind.DOCUMENT), Status.PUBLISHED
    return Citation(
        kind=kind, status=status,
        title=text_of(work.get("title")) or text_of(work.get("display_name")),
        authors=tuple(p for p, _, _ in people), issued=issued, venue=venue,
        ids=Identifiers(doi="" if ident.startswith(ARXIV_DOI_PREFIX) else ident, arxiv=arxiv),
        extra=(("record:openalex", short_id(work.get("id"))),
               *author_ids_extra("openalex", [(p.display(), a) for p, a, _ in people]),
               *author_ids_extra("orcid", [(p.display(), o) for p, _, o in people])),
    )
