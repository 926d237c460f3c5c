"""DBLP resolver: the owner's person page first, the publication search API for the rest.

The owner's person page (`/pid/PID.xml`) holds every record of theirs, published and CoRR
twin alike, with each co-author's person id, in one request; a title search costs one
request a paper. So when the owner's DBLP id is known (`--owner-id dblp:…`), or a few title
searches show it clearly (the id most of them give the owner's name), the cards are matched
against the page, and only the cards the page lacks (a namesake's paper, one DBLP does not
have) are searched by title, as before (`/search/publ/api?format=json`).
"""

from __future__ import annotations

import urllib.parse
from collections import Counter
from collections.abc import Sequence

from ..infer.names import parse_display_name
from ..io.xmlsafe import XmlError
from ..model.citation import Citation, Kind
from .dblp_person import PersonPage, parse_person, person_url, valid_pid
from .dblp_records import record_citation
from .http import ServiceError
from .match import fold_title, id_keys, judge
from .resolver import OwnerHint, Resolver, as_dict, as_list, author_ids

# title searches made to learn the owner's id before asking for the person page
PROBES = 4


class DblpResolver(Resolver):
    name = "dblp"
    label = "DBLP"
    default_endpoint = "https://dblp.org/search/publ/api"
    # DBLP publishes no rate; its clients report 429s above about 12 requests a minute
    # (dblp's FAQ asks for moderate use): at most 10 a minute, a second apart
    interval = 1.0
    window = (10, 60.0)
    page_pid = ""  # the person page the cards were matched against, once read

    def wants(self, c: Citation) -> bool:
        # also when a venue came from prose (an arXiv comment, a card's "Accepted at"): the
        # venue's record gives its year and the authors' person ids
        return (c.authors_truncated or c.kind is Kind.PREPRINT or not c.venue.name
                or self.lacks_author_ids(c))

    def lookup(self, batch: Sequence[Citation]) -> list[list[Citation]]:
        return [self._search(c) for c in batch]

    def _search(self, c: Citation) -> list[Citation]:
        query = fold_title(c.title)
        if not query:
            return []
        url = f"{self.endpoint}?" + urllib.parse.urlencode(
            {"q": query, "format": "json", "h": "10"})
        return parse_hits(self._json(self.client.get(url, self.limiter)))

    def person_page(self, pid: str) -> PersonPage | None:
        """The person page of `pid`, or None when DBLP has no such person (404) or --offline
        has no copy."""
        response = self.client.get(person_url(self.endpoint, pid), self.limiter)
        if response.status != 200:
            return None
        self._not_a_page(response)
        try:
            return parse_person(response.body)
        except XmlError as exc:
            self.client.forget(response)
            raise ServiceError(f"DBLP: the person page of {pid} is not readable ({exc})"
                               ) from None

    def works_of(self, pid: str) -> list[Citation]:
        """Every record on the person page of `pid` (`bibkit profile dblp:PID`)."""
        page = self.person_page(pid)
        return page.records if page is not None else []

    def prepare(self, cards: Sequence[Citation], owner: OwnerHint
                ) -> dict[int, list[Citation]]:
        answered: dict[int, list[Citation]] = {}
        wanted = [i for i, c in enumerate(cards) if self.wants(c)]
        pid = owner.ids.get(self.name, "")
        if not pid and owner.is_owner is not None:
            pid = self._learn_pid(cards, wanted, owner, answered)
        if not pid or not valid_pid(pid):
            return answered
        page = self.person_page(pid)
        if page is None:
            return answered
        self.page_pid = pid
        pick = _PageIndex(page.records)
        for i in wanted:
            if i not in answered and (found := pick.candidates(cards[i])):
                answered[i] = found
        return answered

    def _learn_pid(self, cards: Sequence[Citation], wanted: list[int], owner: OwnerHint,
                   answered: dict[int, list[Citation]]) -> str:
        """The id most of a few title searches give the owner's name: two of them agreeing,
        and no other id as often (a namesake's paper among the first is outvoted)."""
        assert owner.is_owner is not None
        votes: Counter[str] = Counter()
        for i in wanted[:PROBES]:
            found = answered[i] = self._search(cards[i])
            accepted, _ = judge(cards[i], found)
            for _, record in accepted[:1]:
                votes.update({ident for name, ident in author_ids(record).get(self.name, [])
                              if owner.is_owner(parse_display_name(name))})
            ranked = votes.most_common(2)
            if ranked and ranked[0][1] >= 2 and (len(ranked) == 1 or ranked[1][1] * 2 <
                                                 ranked[0][1]):
                return ranked[0][0]
        return ""


class _PageIndex:
    """A person page's records by identifier and folded title, so a card is judged against
    the few records that could be its own rather than the whole page."""

    def __init__(self, records: list[Citation]) -> None:
        self.records = records
        self.by: dict[str, list[Citation]] = {}
        for r in records:
            for k in (*id_keys(r), "title:" + fold_title(r.title)):
                self.by.setdefault(k, []).append(r)

    def candidates(self, card: Citation) -> list[Citation]:
        near = [r for k in (*id_keys(card), "title:" + fold_title(card.title))
                for r in self.by.get(k, [])]
        accepted, _ = judge(card, near or self.records)
        return [r for _, r in accepted]


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
    return [record_citation(info) for hit in as_list(hits)
            if (info := as_dict(as_dict(hit).get("info"))) and info.get("type") != "Editorship"]
