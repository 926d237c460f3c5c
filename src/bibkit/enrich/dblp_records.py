"""One reading of a DBLP record, whichever API gave it: the search API's JSON `info` object,
or a person page's XML record put in that shape (dblp_person.py).

DBLP knows where computer-science papers were published: conference or journal, year,
volume, pages and DOI. A paper usually has two records, the arXiv one (venue "CoRR", volume
`abs/ID`) and the published one; an `ee` link of the published one may name its arXiv id.
"""

from __future__ import annotations

import re
from typing import Any

from ..infer.venues import KIND_OF_VENUE, venue_from_name
from ..model.citation import Citation, Identifiers, Kind, PartialDate, Status, Venue
from .resolver import as_dict, as_list, author_ids_extra, doi, part_of, person, text_of, year_of

_TYPES = {
    "Conference and Workshop Papers": "conference",
    "Journal Articles": "journal",
}
_OTHER_KINDS = {
    "Parts in Books or Collections": Kind.CHAPTER,
    "Books and Theses": Kind.BOOK,
}
_CORR_VOLUME = re.compile(r"^abs/(.+)$")
_ARXIV_EE = re.compile(r"arxiv\.org/abs/((?:\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7}))",
                       re.IGNORECASE)


def record_citation(info: dict[str, Any]) -> Citation:
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
    ees = info.get("ee")
    ees = [ees] if isinstance(ees, str) else as_list(ees)
    arxiv = next((m.group(1) for e in ees if isinstance(e, str)
                  and (m := _ARXIV_EE.search(e))), "")
    if venue_name == "CoRR":
        m = _CORR_VOLUME.match(volume)
        arxiv = m.group(1) if m else arxiv
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
