"""arXiv API resolver: the Atom feed of export.arxiv.org/api/query, read with lxml.

Citations with an arXiv id are looked up in batches (`id_list`, up to 50 a request); the others
by title phrase and first author, ten to a request (`search_query=(ti:"..." AND au:...) OR
(...)`, the boolean grouping the API manual documents). arXiv asks for one request every three
seconds, so batching is what makes a 50-entry listing take 15 s rather than 150 s.

What a record gives: id with version, full authors, primary class and cross-lists,
`journal_ref`, the publisher's DOI, comments; `journal_ref` and comments are read for the
published venue with the same venue table as the listing reader.
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Sequence

from lxml import etree

from ..infer.venues import KIND_OF_VENUE, find_venue, venue_from_name
from ..io.xmlsafe import XmlError, parse_xml
from ..model.citation import Citation, Identifiers, Kind, PartialDate, Status, Venue
from .http import ServiceError
from .match import fold_title
from .resolver import Resolver, doi, first_family, iso_date, one_line, person

ATOM = "{http://www.w3.org/2005/Atom}"
ARXIV = "{http://arxiv.org/schemas/atom}"
_ID_IN_URL = re.compile(r"arxiv\.org/abs/(.+)$")
_YEAR = re.compile(r"(?<!\d)(?:19|20)\d\d(?!\d)")


TITLES_PER_QUERY = 10
# URLs past about 2,000 characters are cut or refused by proxies; longer queries are POSTed
_LONGEST_QUERY = 1800


def _title_query(c: Citation) -> str:
    query = f'ti:"{fold_title(c.title)}"'
    family = fold_title(first_family(c)).split()
    return f"{query} AND au:{family[-1]}" if family else query


class ArxivResolver(Resolver):
    name = "arxiv"
    label = "arXiv"
    default_endpoint = "https://export.arxiv.org/api/query"
    # arXiv asks for one request every 3 s; a gap measured at 2.99 s is a too-fast client
    # to arXiv's counter: a margin (https://info.arxiv.org/help/api/tou.html)
    interval = 3.2
    batch_size = 50

    def wants(self, c: Citation) -> bool:
        return c.authors_truncated or not c.ids.arxiv or c.kind is Kind.PREPRINT

    def lookup(self, batch: Sequence[Citation]) -> list[list[Citation]]:
        out: list[list[Citation]] = [[] for _ in batch]
        with_id = [i for i, c in enumerate(batch) if c.ids.arxiv]
        if with_id:
            ids = [batch[i].ids.arxiv_base for i in with_id]
            records = self._query({"id_list": ",".join(ids), "max_results": str(len(ids))})
            by_id = {r.ids.arxiv_base: r for r in records}
            for i, plain in zip(with_id, ids, strict=True):
                if plain in by_id:
                    out[i].append(by_id[plain])
        searches = [i for i, c in enumerate(batch) if not c.ids.arxiv and fold_title(c.title)]
        for start in range(0, len(searches), TITLES_PER_QUERY):
            group = searches[start:start + TITLES_PER_QUERY]
            # one request for several titles: (ti:"..." AND au:...) OR (...); every card is
            # offered every record of the answer, and the matching rule picks its own
            query = " OR ".join(f"({_title_query(batch[i])})" for i in group)
            records = self._query({"search_query": query,
                                   "max_results": str(5 * len(group))})
            for i in group:
                out[i] = records
        return out

    def _query(self, params: dict[str, str]) -> list[Citation]:
        query = urllib.parse.urlencode(params)
        if len(query) > _LONGEST_QUERY:  # a long id_list goes in a form, as the manual allows
            response = self.client.post(self.endpoint, query.encode(), self.limiter, headers={
                "Content-Type": "application/x-www-form-urlencoded"})
        else:
            response = self.client.get(f"{self.endpoint}?{query}", self.limiter)
        if response.status != 200:
            return []
        self._not_a_page(response)
        try:
            return parse_feed(response.body)
        except XmlError as exc:
            raise ServiceError(f"arXiv: {exc}") from None


def parse_feed(data: bytes) -> list[Citation]:
    """The entries of an arXiv API Atom feed as preprint citations (the venue, when
    `journal_ref` or a comment names one, in `venue` with the published kind)."""
    root = parse_xml(data)
    if root.tag != f"{ATOM}feed":
        raise XmlError(f"not an Atom feed (root element {etree.QName(root).localname!r})")
    records = []
    for entry in root.iter(f"{ATOM}entry"):
        ident = _text(entry, f"{ATOM}id")
        if "/api/errors" in ident:  # arXiv reports a bad query as an entry titled "Error"
            raise XmlError(f"the query was refused: {_text(entry, f'{ATOM}summary')}")
        m = _ID_IN_URL.search(ident)
        if not m:
            continue
        records.append(_citation(entry, m.group(1)))
    return records


def _text(node: etree._Element, tag: str) -> str:
    child = node.find(tag)
    return one_line(child.text or "") if child is not None else ""


def _citation(entry: etree._Element, arxiv_id: str) -> Citation:
    authors = tuple(person(_text(a, f"{ATOM}name")) for a in entry.findall(f"{ATOM}author"))
    published = iso_date(_text(entry, f"{ATOM}published")[:10]) or PartialDate()
    primary = entry.find(f"{ARXIV}primary_category")
    primary_class = primary.get("term", "") if primary is not None else ""
    categories = [c.get("term", "") for c in entry.findall(f"{ATOM}category")]
    journal_ref = _text(entry, f"{ARXIV}journal_ref")
    comment = _text(entry, f"{ARXIV}comment")
    venue, status = Venue(), Status.PREPRINT
    if journal_ref:
        found = venue_from_name(journal_ref.split(",")[0])
        year = _YEAR.search(journal_ref)
        if found.short_name:
            venue, status = found, Status.PUBLISHED
            venue = Venue(name=found.name, short_name=found.short_name, kind=found.kind,
                          publisher=found.publisher,
                          year=int(year.group()) if year else published.year)
    if not venue.name and comment:
        hit = find_venue(comment)
        if hit is not None:
            venue = hit.venue if hit.venue.year is not None else Venue(
                name=hit.venue.name, short_name=hit.venue.short_name, kind=hit.venue.kind,
                publisher=hit.venue.publisher, year=published.year)
            status = Status.ACCEPTED if hit.accepted else Status.PUBLISHED
    extra = []
    if journal_ref:
        extra.append(("arxiv:journal_ref", journal_ref))
    if comment:
        extra.append(("arxiv:comment", comment))
    if len(categories) > 1:
        extra.append(("arxiv:categories", " ".join(categories)))
    return Citation(
        kind=KIND_OF_VENUE.get(venue.kind, Kind.PREPRINT),
        status=status,
        title=_text(entry, f"{ATOM}title"),
        authors=authors,
        issued=published,
        venue=venue,
        ids=Identifiers(arxiv=arxiv_id, arxiv_class=primary_class,
                        doi=doi(_text(entry, f"{ARXIV}doi"))),
        abstract=_text(entry, f"{ATOM}summary"),
        extra=tuple(extra),
    )
