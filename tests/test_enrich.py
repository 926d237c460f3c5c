"""Online enrichment (issue 5), entirely offline: parsers on recorded responses in each
service's documented format, and resolvers, the HTTP client and the CLI against the local fake
services in tests/fakeservices.py."""

from __future__ import annotations

import functools
import json
import os
import re
import socket
import time
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bibkit import load
from bibkit.enrich import session
from bibkit.enrich.arxiv import ArxivResolver, parse_feed
from bibkit.enrich.cache import HttpCache
from bibkit.enrich.crossref import CrossrefResolver, parse_works
from bibkit.enrich.dblp import DblpResolver, parse_hits
from bibkit.enrich.enricher import RESOLVERS, Enricher, check_owner, make_resolvers
from bibkit.enrich.http import HttpClient, RateLimiter, ServiceError
from bibkit.enrich.match import match
from bibkit.enrich.semanticscholar import SemanticScholarResolver, paper_citation
from bibkit.enrich.waits import retry_after
from bibkit.infer.names import owner_matcher, parse_display_name
from bibkit.io.xmlsafe import XmlError
from bibkit.model.citation import (
    Citation,
    Identifiers,
    Kind,
    PartialDate,
    Person,
    Status,
    Venue,
    evolve,
)
from bibkit.model.diagnostics import Diagnostics
from conftest import AS_OF, SAMPLE_LISTING
from fakeservices import (
    NAMESAKE_IDS,
    NAMESAKES,
    NOT_THE_OWNER,
    OWNER_IDS,
    RETITLED,
    THROTTLING,
    UNPUBLISHED,
    FakeServices,
)

RESPONSES = Path(__file__).parent / "enrich-responses"


class FakeClock:
    """A monotonic clock whose sleep only advances it, recording each wait."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(round(seconds, 3))
        self.now += seconds


@pytest.fixture(scope="module")
def fake():
    services = FakeServices()
    yield services
    services.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


def _limiters(clock: FakeClock) -> dict[str, RateLimiter]:
    return {name: cls.make_limiter(clock, clock.sleep) for name, cls in RESOLVERS.items()}


def _card(title: str, *families: str, year: int = 2023, **ids: str) -> Citation:
    return Citation(kind=Kind.PREPRINT, status=Status.PREPRINT, title=title,
                    authors=tuple(Person(family=f, given="A.") for f in families),
                    authors_truncated=True, issued=PartialDate(year, 3, 1),
                    ids=Identifiers(**ids))


@pytest.fixture(scope="module")
def sample():
    return load(SAMPLE_LISTING, as_of=AS_OF)


# --- parsers on recorded responses ------------------------------------------------------------


def test_arxiv_feed_gives_ids_authors_classes_doi_and_the_venue_in_a_comment():
    manual, ours = parse_feed((RESPONSES / "arxiv-feed.xml").read_bytes())
    assert manual.ids.arxiv == "hep-ex/0307015v1" and manual.ids.arxiv_class == "hep-ex"
    assert manual.title.startswith("Multi-Electron Production") and "\n" not in manual.title
    assert manual.authors == (Person(literal="H1 Collaboration"),)
    # a journal_ref the venue table does not know is kept, but makes no venue
    assert manual.kind is Kind.PREPRINT and not manual.venue.name
    assert manual.extra_value("arxiv:journal_ref") == "Eur.Phys.J. C31 (2003) 17-29"
    assert manual.issued == PartialDate(2003, 7, 7)
    assert ours.ids.arxiv == "2303.99999v3" and ours.ids.doi == "10.5555/Placeholder.2023.1"
    assert [p.family for p in ours.authors] == ["Zhu", "Yao", "Liu", "Yao", "Han"]
    assert ours.kind is Kind.CONFERENCE_PAPER and ours.status is Status.ACCEPTED
    assert (ours.venue.short_name, ours.venue.year) == ("ICLR", 2023)
    assert ours.extra_value("arxiv:categories") == "cs.LG cs.CR"


def test_arxiv_error_entry_and_non_feeds_are_errors_not_records():
    with pytest.raises(XmlError, match="incorrect id format"):
        parse_feed((RESPONSES / "arxiv-error.xml").read_bytes())
    with pytest.raises(XmlError):
        parse_feed(b"<html><body>Service Unavailable</body></html>")
    with pytest.raises(XmlError):
        parse_feed(b"{not xml")


def test_dblp_hits_published_record_corr_twin_and_single_author_object():
    data = json.loads((RESPONSES / "dblp-search.json").read_text())
    published, corr, survey = parse_hits(data)
    assert published.kind is Kind.CONFERENCE_PAPER and published.venue.short_name == "ICLR"
    assert published.venue.year == 2023 and not published.title.endswith(".")
    assert published.authors[0] == Person(family="Zhu", given="Jianing")  # "0001" dropped
    assert published.authors[-1] == Person(family="Han", given="Bo")
    assert corr.kind is Kind.PREPRINT and corr.ids.arxiv == "2303.99999" and not corr.ids.doi
    assert survey.kind is Kind.JOURNAL_ARTICLE and survey.venue.short_name == "TPAMI"
    assert (survey.venue.volume, survey.venue.issue, survey.venue.pages) == ("45", "3",
                                                                              "1000-1020")
    assert survey.authors == (Person(family="Author", given="Solo"),)
    with pytest.raises(ServiceError):
        parse_hits({"result": "nonsense"})


def test_crossref_items_kinds_venues_and_organisation_authors():
    journal, proceedings = parse_works(json.loads((RESPONSES / "crossref-works.json")
                                                  .read_text()))
    assert journal.kind is Kind.JOURNAL_ARTICLE and journal.venue.short_name == "TPAMI"
    assert (journal.venue.volume, journal.venue.issue, journal.venue.pages) == ("47", "2",
                                                                                "900-915")
    assert journal.issued == PartialDate(2025, 2)
    assert proceedings.kind is Kind.CONFERENCE_PAPER
    assert proceedings.venue.name == "International Conference on Machine Learning"
    assert proceedings.authors[-1] == Person(literal="The FL Consortium")
    with pytest.raises(ServiceError):
        parse_works(["not", "a", "message"])


def test_semantic_scholar_papers_published_and_preprint_only():
    iclr, missing, preprint = json.loads((RESPONSES / "s2-batch.json").read_text())
    assert missing is None
    c = paper_citation(iclr)
    assert c.kind is Kind.CONFERENCE_PAPER and c.venue.short_name == "ICLR"
    assert c.ids.arxiv == "2303.99999" and len(c.authors) == 5
    p = paper_citation(preprint)  # "arXiv.org" is where it is, not where it was published
    assert p.kind is Kind.PREPRINT and not p.venue.name and not p.ids.doi
    assert p.authors == (Person(family="García", given="Ana María"),)


def test_semantic_scholar_year_is_not_the_venue_year():
    # S2's `year` is its earliest version's: an ICLR 2025 paper whose preprint came out in 2024
    # has year 2024 (a recorded answer shows this); the venue's year is its publicationDate's
    paper = {"paperId": "x", "title": "T", "year": 2024, "venue": "ICLR",
             "publicationVenue": {"name": "International Conference on Learning Representations",
                                  "type": "conference"},
             "externalIds": {"ArXiv": "2406.00001"}, "publicationTypes": ["Conference"],
             "authors": [{"authorId": "1", "name": "Ann Lee"}]}
    c = paper_citation({**paper, "publicationDate": "2025-01-22"})
    assert (c.venue.year, c.cited_year) == (2025, 2025)
    undated = paper_citation(paper)
    assert undated.venue.year is None and undated.cited_year is None  # unknown, not 2024


def test_placeholder_volumes_and_pages_are_not_values():
    paper = {"title": "T", "year": 2026, "publicationDate": "2026-03-01",
             "journal": {"name": "IEEE Transactions on Pattern Analysis and Machine Intelligence",
                         "volume": "PP", "pages": "1-1"},
             "publicationTypes": ["JournalArticle"], "authors": [{"name": "Ann Lee"}]}
    c = paper_citation(paper)
    assert c.venue.short_name == "TPAMI" and c.venue.volume == "" and c.venue.year == 2026


def test_a_journal_version_years_after_its_preprint_is_the_same_work():
    card = _card("Robust Learning Under Label Noise", "Lee", year=2022)
    journal = Citation(kind=Kind.JOURNAL_ARTICLE, title="Robust learning under label noise",
                       authors=(Person("Lee", "Ann"),), issued=PartialDate(2026),
                       venue=Venue(name="IEEE Transactions on Pattern Analysis and Machine "
                                   "Intelligence", kind="journal", year=2026))
    assert match(card, journal).accepted
    earlier = evolve(journal, issued=PartialDate(2019), venue=evolve(journal.venue, year=2019))
    assert not match(card, earlier).accepted  # published long before the preprint: not it
    preprint_twin = evolve(journal, kind=Kind.PREPRINT, issued=PartialDate(2026),
                           venue=Venue())
    assert not match(card, preprint_twin).accepted  # another preprint: years within one


def test_crossref_is_not_asked_for_papers_at_venues_without_dois(fake, clock):
    client = HttpClient()
    r = CrossrefResolver(client, fake.endpoints()["crossref"], _limiters(clock)["crossref"])
    iclr = evolve(_card("T", "Lee"), venue=Venue(name="International Conference on Learning "
                                                 "Representations", short_name="ICLR"))
    tpami = evolve(iclr, venue=Venue(name="IEEE Transactions on Pattern Analysis and Machine "
                                     "Intelligence", short_name="TPAMI"))
    assert not r.wants(iclr) and r.wants(tpami) and r.wants(_card("T", "Lee"))
    # published, with a DOI, but no year for its venue yet (S2 gave no publicationDate)
    undated = evolve(tpami, kind=Kind.JOURNAL_ARTICLE, authors_truncated=False,
                     ids=Identifiers(doi="10.1109/tpami.2026.1"))
    assert r.wants(undated) and not r.wants(evolve(undated, venue=evolve(undated.venue,
                                                                          year=2026)))


def test_retry_after_reads_seconds_and_http_dates():
    assert retry_after("7", 0.0) == 7.0
    assert retry_after("Wed, 21 Oct 2015 07:28:00 GMT", 1445412470.0) == 10.0
    assert retry_after("soon", 0.0) is None and retry_after(None, 0.0) is None


# --- HTTP client: rate limits, retries, timeouts, cache ---------------------------------------


def test_arxiv_requests_are_over_three_seconds_apart_and_titles_are_searched_ten_at_once(
        fake, clock):
    limiter = RateLimiter(ArxivResolver.interval, clock, clock.sleep)
    client = HttpClient()
    r = ArxivResolver(client, fake.endpoints()["arxiv"], limiter)
    cards = [_card(p.title, p.authors[0].split()[-1], year=int(p.date[:4]))
             for p in fake.world[:35]]
    found = r.lookup(cards)
    assert client.stats["requests"] == 4  # 35 titles, 10 a request
    assert clock.sleeps == [3.2, 3.2, 3.2]  # none before the first; 3 s and a margin
    for card, candidates, paper in zip(cards, found, fake.world, strict=False):
        assert paper.arxiv in {c.ids.arxiv for c in candidates}
        assert sum(match(card, c).accepted for c in candidates) == 1


def test_batching_one_request_for_many_ids(fake, clock):
    cards = [_card(p.title, "Nobody", arxiv=p.arxiv) for p in fake.world[:30]]
    before = len(fake.log)
    client = HttpClient()
    arxiv = ArxivResolver(client, fake.endpoints()["arxiv"], _limiters(clock)["arxiv"])
    s2 = SemanticScholarResolver(client, fake.endpoints()["s2"], _limiters(clock)["s2"])
    assert all(len(f) == 1 for f in arxiv.lookup(cards))
    assert all(len(f) == 1 for f in s2.lookup(cards))
    assert len(fake.log) - before == 2
    assert [m for m, _, _ in fake.log[-2:]] == ["GET", "POST"]
    with_doi = [_card(p.title, "Nobody", doi=p.doi) for p in fake.world if p.doi][:20]
    crossref = CrossrefResolver(client, fake.endpoints()["crossref"], _limiters(clock)["crossref"])
    assert all(len(f) == 1 for f in crossref.lookup(with_doi))
    assert len(fake.log) - before == 3 and "filter=doi" in fake.log[-1][1]


def test_503_with_retry_after_is_retried_after_the_wait(fake, clock):
    fake.faults["/dblp/"] = [("status", 503, "7"), ("status", 429)]
    client = HttpClient()
    r = DblpResolver(client, fake.endpoints()["dblp"], _limiters(clock)["dblp"])
    found = r.lookup([_card(fake.world[0].title, "Zhu")])
    assert found[0], "answered after two retries"
    assert client.stats["retries"] == 2 and client.stats["requests"] == 3
    # Retry-After honoured; then a 429 without one: DBLP slowed from 1 s to 2 s a request,
    # and the retry waits the backoff's 4 s
    assert clock.sleeps == [7.0, 4.0]


def test_a_service_that_keeps_failing_is_a_warning_and_no_entry_is_lost(fake, clock, sample):
    fake.faults["/crossref/"] = [("status", 500)] * 4
    diags = Diagnostics("listing")
    client = HttpClient()
    resolvers = make_resolvers(["crossref"], client, fake.endpoints(), _limiters(clock))
    out = Enricher(resolvers, diags).run(sample.citations)
    assert out == list(sample.citations)
    assert [d.code for d in diags] == ["BK904"]
    assert "Crossref: 50 entries not looked up there" in next(iter(diags)).message
    assert client.stats["requests"] == 4 and clock.sleeps == [2.0, 4.0, 8.0]


def test_a_throttling_burst_costs_one_batch_and_slows_the_service(fake, clock, sample):
    # Crossref's and DBLP's 429 carry no Retry-After: the service is slowed down (every later
    # request waits longer), the batch that met the burst waits for the next run, the rest
    # is looked up; the service is not dropped
    fake.faults["/crossref/"] = [("status", 429)] * 4
    diags = Diagnostics("listing")
    client = HttpClient()
    limiters = _limiters(clock)
    enricher = Enricher(make_resolvers(["crossref"], client, fake.endpoints(), limiters), diags)
    enricher.run(sample.citations)
    report = enricher.services["crossref"]
    assert len(report.not_looked_up) == 20 and report.looked_up == 30
    # 0.5 s doubled at each of the four answers, then a little faster after each good one
    assert client.stats["throttled"] == 4
    assert 0.5 <= limiters["crossref"].interval < 8.0
    assert [d.code for d in diags if d.code == "BK904"] == ["BK904"]
    assert "20 entries not looked up there (throttled: run again" in next(
        d.message for d in diags if d.code == "BK904")


def test_a_plain_text_rate_exceeded_is_throttling_not_a_broken_answer(fake, clock):
    # arXiv answers a too-fast client "Rate exceeded." in plain text, with 200 or 429
    fake.faults["/arxiv/"] = [("answer", 200, b"Rate exceeded.", "text/plain"),
                              ("answer", 429, b"Rate exceeded.\n", "text/plain")]
    client = HttpClient()
    limiter = _limiters(clock)["arxiv"]
    r = ArxivResolver(client, fake.endpoints()["arxiv"], limiter)
    found = r.lookup([_card(fake.world[0].title, "Zhu")])
    assert found[0] and client.stats["throttled"] == 2 and client.stats["requests"] == 3
    assert limiter.interval > ArxivResolver.interval


def test_a_host_that_cannot_be_reached_is_one_line_at_once(clock, sample):
    with socket.socket() as s:  # a port nobody listens on: connection refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    endpoints = {name: f"http://127.0.0.1:{port}/{name}" for name in RESOLVERS}
    diags = Diagnostics("listing")
    client = HttpClient()
    resolvers = make_resolvers(list(RESOLVERS), client, endpoints, _limiters(clock))
    started = time.monotonic()
    out = Enricher(resolvers, diags).run(sample.citations)
    assert time.monotonic() - started < 5
    assert out == list(sample.citations)
    assert [d.code for d in diags] == ["BK904"] * len(RESOLVERS)
    assert client.stats["retries"] == 0 and client.stats["requests"] == len(RESOLVERS)
    assert all("cannot connect" in d.message for d in diags)


def test_a_retry_after_beyond_the_limit_gives_up_at_once(fake, clock):
    fake.faults["/s2/"] = [("status", 429, "86400")]
    client = HttpClient()
    r = SemanticScholarResolver(client, fake.endpoints()["s2"], _limiters(clock)["s2"])
    with pytest.raises(ServiceError, match="asked to wait 86400 s"):
        r.lookup([_card("Anything", "Zhu")])
    assert client.stats["requests"] == 1


def test_timeouts_are_retried(fake, clock):
    fake.faults["/dblp/"] = [("hang", 1.5)]
    client = HttpClient(timeout=0.3)
    r = DblpResolver(client, fake.endpoints()["dblp"], _limiters(clock)["dblp"])
    start = time.monotonic()
    found = r.lookup([_card(fake.world[1].title, "Zhou")])
    assert found[0] and client.stats["retries"] == 1
    assert time.monotonic() - start < 1.5


def test_unreachable_service_fails_cleanly(clock):
    client = HttpClient(timeout=1, retries=1)
    r = DblpResolver(client, "http://127.0.0.1:9/nothing", _limiters(clock)["dblp"])
    with pytest.raises(ServiceError, match="cannot connect"):
        r.lookup([_card("A Title", "Zhu")])


@pytest.mark.parametrize("prefix,body", [
    ("/arxiv/", b"<feed><unclosed>"),
    ("/dblp/", b"{\"result\": "),
    ("/crossref/", b"[1, 2, 3]"),
    ("/s2/", b"\xff\xfe not json"),
])
def test_malformed_responses_become_a_warning(fake, clock, prefix, body):
    fake.faults[prefix] = [("body", body)]
    name = {"/arxiv/": "arxiv", "/dblp/": "dblp", "/crossref/": "crossref", "/s2/": "s2"}[prefix]
    diags = Diagnostics("x")
    cards = [_card(fake.world[2].title, "Zhu", arxiv=fake.world[2].arxiv)]
    resolvers = make_resolvers([name], HttpClient(), fake.endpoints(), _limiters(clock))
    out = Enricher(resolvers, diags).run(cards)
    assert out == cards
    assert [d.code for d in diags] == ["BK904"]
    fake.faults[prefix] = []


def test_cache_answers_the_second_time_and_expires(fake, clock, tmp_path):
    wall = [1_000_000.0]
    cache = HttpCache(tmp_path, clock=lambda: wall[0])
    client = HttpClient(cache=cache, ttl=3600)
    r = DblpResolver(client, fake.endpoints()["dblp"], _limiters(clock)["dblp"])
    card = [_card(fake.world[3].title, "Zhu")]
    first = r.lookup(card)
    second = r.lookup(card)
    assert first == second and client.stats["requests"] == 1
    assert client.stats["cache hits"] == 1
    wall[0] += 3601  # expired: asked again
    r.lookup(card)
    assert client.stats["requests"] == 2
    offline = HttpClient(cache=cache, offline=True)
    r2 = DblpResolver(offline, fake.endpoints()["dblp"], _limiters(clock)["dblp"])
    assert r2.lookup(card) == first
    assert r2.lookup([_card("Never Asked Before", "Zhu")]) == [[]]
    assert offline.stats["offline misses"] == 1 and "requests" not in offline.stats


def test_user_agent_names_bibkit_and_the_contact_address(fake, clock, monkeypatch):
    monkeypatch.setenv("BIBKIT_MAILTO", "someone@example.org")
    DblpResolver(HttpClient(), fake.endpoints()["dblp"], _limiters(clock)["dblp"]).lookup(
        [_card("Some Title", "Zhu")])
    assert any(a.startswith("bibkit/") and a.endswith("; mailto:someone@example.org)")
               for a in fake.agents)


# --- matching through resolvers -----------------------------------------------------------------


def test_false_merges_are_reported_never_applied(fake, clock):
    p = fake.world[0]
    cards = [
        _card(p.title, "Otherperson"),  # same title, other authors
        _card(p.title, p.authors[0].split()[-1], year=2015),  # same title, another year
        _card("Federated Adversarial Training against Exacerbated Heterogeneity: A Journal "
              "Extension", "Zhu"),  # a journal extension with another title
    ]
    diags = Diagnostics("x")
    resolvers = make_resolvers(["dblp", "crossref"], HttpClient(), fake.endpoints(),
                               _limiters(clock))
    enricher = Enricher(resolvers, diags)
    out = enricher.run(cards)
    assert out == cards
    assert {d.code for d in diags} == {"BK902"}
    assert all(not e.changes for e in enricher.entries)
    assert enricher.entries[0].candidates[0]["reason"] == "no shown author in common"
    assert "too far apart" in enricher.entries[1].candidates[0]["reason"]


def test_a_changed_title_is_matched_through_the_arxiv_id(fake, clock, sample):
    i = sorted(RETITLED)[0]
    card = sample.citations[i]
    resolvers = make_resolvers(["arxiv", "dblp", "s2"], HttpClient(), fake.endpoints(),
                               _limiters(clock))
    enricher = Enricher(resolvers, Diagnostics("x"))
    out = enricher.run([card])[0]
    assert out.ids.arxiv == fake.world[i].arxiv
    # cited as published: the published title, the preprint's title in the report
    assert out.kind is not Kind.PREPRINT and out.title == fake.world[i].published_title
    changes = {ch["field"]: ch for ch in enricher.entries[0].changes}
    assert changes["kind"]["source"] == "s2"  # DBLP's title search cannot see it
    assert changes["title"]["old"] == card.title and changes["title"]["reason"] == "same arXiv id"
    assert any(p.rule == "published-title" for p in out.provenance)


def test_crossref_title_markup_is_dropped_text_kept():
    item = {"DOI": "10.5555/x", "type": "journal-article", "title": [
        "CO<sub>2</sub> uptake <i>in vivo</i> &amp; x &lt; y <mml:math><mml:mi>k</mml:mi>"
        "</mml:math>"]}
    assert parse_works({"message": item})[0].title == "CO2 uptake in vivo & x < y k"


# --- the sample end to end ------------------------------------------------------------------------


def test_the_sample_enriched_end_to_end(fake, clock, sample, tmp_path):
    settings = session.EnrichSettings(services=["arxiv", "dblp", "crossref", "s2"],
                                      cache_dir=tmp_path, endpoints=fake.endpoints(),
                                      limiters=_limiters(clock))
    diags = Diagnostics("listing")
    outcome = session.enrich_citations(sample.citations, settings, diags, sample.profile)
    out = outcome.citations
    assert len(out) == 50 and [c.key for c in out] == [c.key for c in sample]
    assert not any(c.authors_truncated for c in out)
    assert all(c.ids.arxiv_base == p.arxiv[:-2] for c, p in zip(out, fake.world, strict=True))
    published = [i for i, c in enumerate(out) if c.kind is not Kind.PREPRINT]
    assert set(published) == set(range(50)) - UNPUBLISHED
    for i in published:
        assert out[i].venue.short_name == fake.world[i].short
        assert out[i].venue.year == fake.world[i].year
        fields = {p.field.split(".")[0] for p in out[i].provenance
                  if p.source not in ("infer", "owner-check")}
        assert {"kind", "venue", "ids"} <= fields
        assert ("authors" in fields) == sample.citations[i].authors_truncated
    assert all(0.93 <= p.confidence <= 1 for c in out for p in c.provenance
               if p.source in RESOLVERS)
    flagged = {i for i, c in enumerate(out) if any(p.rule == "owner-not-listed"
                                                   for p in c.provenance)}
    # both kinds of namesake: no Bo Han in the complete list; a Bo Han with another person id
    assert flagged == NOT_THE_OWNER | NAMESAKES
    namesake_lines = [d.message for d in diags if d.code == "BK906" and "here is" in d.message]
    assert len(namesake_lines) == 2 and all(
        f"DBLP {NAMESAKE_IDS['dblp']}, not the owner's {OWNER_IDS['dblp']}" in m
        for m in namesake_lines)
    assert {d.message.split("'s ")[1].split(" id")[0] for d in diags if d.code == "BK908"} == {
        "DBLP", "Semantic Scholar"}
    # arXiv's surname-first "Wan Chaoqun" outvoted by DBLP and Semantic Scholar
    wan = next(c for c in out if any(p.family == "Wan" for p in c.authors))
    assert Person("Wan", "Chaoqun") in wan.authors
    assert any(d.code == "BK909" and "'Wan Chaoqun' is 'Chaoqun Wan' in DBLP and Semantic "
               "Scholar" in d.message for d in diags)
    assert outcome.summary["author_lists_completed"] == sum(
        c.authors_truncated for c in sample)
    assert outcome.summary["published_versions"] == 44
    assert outcome.summary["owner_not_listed"] == 2 and outcome.summary["owner_namesake"] == 2
    requests = outcome.summary["http_requests"]
    # the owner's DBLP person page (its id learned from two title searches) answers the cards
    # it lists at once, with the arXiv ids of their CoRR twins: arXiv is asked by id_list
    # for the preprints and by title for the four cards the page lacks (a namesake's paper,
    # two papers without the owner), and DBLP searches only those four by title
    assert outcome.services["arxiv"] == {"looked_up": 12, "matched": 12, "skipped": 38,
                                         "requests": 2, "status": "ok"}
    assert len(fake.requests("/dblp/pid/h/BoHan3.xml")) == 1
    assert outcome.services["dblp"]["requests"] == 2 + 1 + 4
    # 10 requests without Crossref (issue 27: from 60), which searches the preprints' titles
    assert requests - outcome.services["crossref"]["requests"] <= 10

    again = session.enrich_citations(sample.citations, settings, Diagnostics("x"),
                                     sample.profile)
    assert again.citations == out
    assert "http_requests" not in again.summary and again.summary["http_cache_hits"] == requests


def test_prefer_remote_replaces_what_the_entry_had(fake, clock):
    p = fake.world[1]
    card = _card(p.title, p.authors[0].split()[-1], arxiv=p.arxiv)
    card = evolve(card, authors_truncated=False, authors=(Person("Wrong", "W."),))
    for prefer, expected in ((False, "Wrong"), (True, p.authors[0].split()[-1])):
        resolvers = make_resolvers(["s2"], HttpClient(), fake.endpoints(), _limiters(clock))
        out = Enricher(resolvers, Diagnostics("x"), prefer_remote=prefer).run([card])[0]
        assert out.authors[0].family == expected


def test_owner_check_leaves_et_al_alone():
    is_owner = owner_matcher(["Bo Han"])
    confirmed = Citation(title="a", authors=(Person("Han", "Bo"),))
    namesake = Citation(title="b", authors=(Person("Han", "Bin"), Person("Li", "X")))
    hidden = Citation(title="c", authors=(Person("Li", "X"),), authors_truncated=True)
    diags = Diagnostics("x")
    out = check_owner([confirmed, namesake, hidden], is_owner, "Bo Han", diags)
    assert [c is orig for c, orig in zip(out, (confirmed, namesake, hidden), strict=True)] == [
        True, False, True]
    assert [d.code for d in diags] == ["BK906"]


def _with_ids(title: str, service: str, pairs: list[tuple[str, str]]) -> Citation:
    people = tuple(parse_display_name(name) for name, _ in pairs)
    return Citation(title=title, authors=people,
                    extra=(("author-ids:" + service, "\n".join(f"{n}\t{i}" for n, i in pairs)),))


def test_owner_ids_tell_a_namesake_from_the_owner():
    is_owner = owner_matcher(["Bo Han"])
    mine = [_with_ids(f"p{n}", "dblp", [("Bo Han", "h/BoHan3"), ("Ann Lee", "l/1")])
            for n in range(3)]
    other = _with_ids("q", "dblp", [("Bo Han", "h/BoHan2"), ("Ann Lee", "l/1")])
    diags = Diagnostics("x")
    out = check_owner([*mine, other], is_owner, "Bo Han", diags)
    flagged = [any(p.rule == "owner-not-listed" for p in c.provenance) for c in out]
    assert flagged == [False, False, False, True]
    assert [d.code for d in diags] == ["BK908", "BK906"]
    assert "DBLP id is h/BoHan3 (3 of 4 entries" in next(iter(diags)).message
    assert "Bo Han here is DBLP h/BoHan2, not the owner's h/BoHan3" in list(diags)[1].message
    # stated by the user, the id wins over the majority
    stated = check_owner([*mine, other], is_owner, "Bo Han", Diagnostics("x"),
                         owner_ids={"dblp": "h/BoHan2"})
    assert [any(p.rule == "owner-not-listed" for p in c.provenance) for c in stated] == [
        True, True, True, False]


def test_dblp_person_ids_are_kept_with_the_record():
    info = {"title": "T.", "venue": "ICLR", "year": "2023", "type": "Conference and Workshop "
            "Papers", "authors": {"author": {"@pid": "h/BoHan3", "text": "Bo Han 0003"}}}
    data = {"result": {"hits": {"hit": {"info": info}}}}
    (c,) = parse_hits(data)
    assert c.authors == (Person("Han", "Bo"),)
    assert ("author-ids:dblp", "Bo Han\th/BoHan3") in c.extra


@pytest.fixture
def throttling(fake, clock):
    """The fake services throttle as the real ones do, in the test's clock."""
    fake.throttle, fake.clock, fake._seen = dict(THROTTLING), clock, {}
    yield fake
    fake.throttle, fake.clock, fake._seen = {}, time.monotonic, {}


def _enrich_sample(fake, clock, sample, cache_dir, limiters=None, owner=True):
    settings = session.EnrichSettings(services=["arxiv", "dblp", "crossref", "s2"],
                                      cache_dir=cache_dir, endpoints=fake.endpoints(),
                                      limiters=limiters or _limiters(clock))
    diags = Diagnostics("listing")
    return session.enrich_citations(sample.citations, settings, diags,
                                    sample.profile if owner else None), diags


def _check_sample(out, fake, owner=True):
    assert all(c.ids.arxiv_base == p.arxiv[:-2] for c, p in zip(out, fake.world, strict=True))
    assert not any(c.authors_truncated for c in out)
    published = {i for i, c in enumerate(out) if c.kind is not Kind.PREPRINT}
    assert published == set(range(50)) - UNPUBLISHED
    assert all((out[i].venue.short_name, out[i].venue.year) == (fake.world[i].short,
                                                               fake.world[i].year)
               for i in published)
    assert not owner or {i for i, c in enumerate(out) if any(p.rule == "owner-not-listed"
                                                for p in c.provenance)} == (
        NOT_THE_OWNER | NAMESAKES)


def test_the_sample_with_the_services_real_throttling(throttling, clock, sample, tmp_path):
    # paced as each service asks, nothing is throttled and everything is found
    outcome, diags = _enrich_sample(throttling, clock, sample, tmp_path)
    _check_sample(outcome.citations, throttling)
    assert outcome.summary.get("http_throttled", 0) == 0
    assert not [d for d in diags if d.code == "BK904"]
    # a second run answers from the cache: no request, the same citations
    again, _ = _enrich_sample(throttling, clock, sample, tmp_path)
    assert again.citations == outcome.citations and "http_requests" not in again.summary


def test_a_too_fast_client_slows_down_and_loses_no_entry_for_good(throttling, clock, sample,
                                                                  tmp_path):
    # DBLP asked once a second, with no window (its clients' 429s start above 12 a minute),
    # and title by title (no owner, so no person page): throttled, the client slows down and
    # speeds up again; what a burst cost is looked up by the next run
    limiters = _limiters(clock)
    limiters["dblp"] = RateLimiter(1.0, clock, clock.sleep)
    first, _ = _enrich_sample(throttling, clock, sample, tmp_path, limiters, owner=False)
    assert first.summary["http_throttled"] > 0
    missed = first.services["dblp"].get("not_looked_up", [])
    assert len(missed) <= 5, missed
    second, _ = _enrich_sample(throttling, clock, sample, tmp_path, limiters, owner=False)
    assert "not_looked_up" not in second.services["dblp"]
    _check_sample(second.citations, throttling, owner=False)


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def fast_cli(monkeypatch, fake, tmp_path, cli):
    """The CLI against the fake services, with no rate-limit waits and a private cache."""
    for name, url in fake.env().items():
        monkeypatch.setenv(name, url)
    monkeypatch.setenv("BIBKIT_CACHE_DIR", str(tmp_path / "cache"))
    for cls in RESOLVERS.values():
        monkeypatch.setattr(cls, "interval", 0.0)
    monkeypatch.setattr(session, "HttpClient", functools.partial(HttpClient, backoff=0.01))
    return cli


def test_cli_enrich_writes_provenance_and_a_change_report(fast_cli, tmp_path):
    out, report = tmp_path / "enriched.json", tmp_path / "changes.json"
    res = fast_cli("enrich", str(SAMPLE_LISTING), "-o", str(out), "--report", str(report),
                   "--as-of", AS_OF.isoformat(), "-s", "arxiv,dblp,s2")
    assert res.exit_code == 0, res.stderr
    assert "50 of 50 entries changed" in res.stderr
    items = json.loads(out.read_text())
    assert len(items) == 50 and all("arxiv" in json.dumps(i) for i in items)
    assert sum(i["type"] != "article" for i in items) == 44
    prov = [p for i in items for p in i["custom"]["bibkit"].get("provenance", [])]
    assert {source for _, source, *_ in prov} >= {"arxiv", "dblp", "s2", "owner-check"}
    data = json.loads(report.read_text())["enrichment"]
    assert data["summary"]["owner_not_listed"] == 2 and len(data["entries"]) == 50
    first = data["entries"][0]
    assert first["owner"] == "confirmed" and first["changes"][0]["source"] == "dblp"
    assert {"field", "old", "new", "source", "confidence", "reason"} == set(first["changes"][0])

    # a second run is served from the cache; --offline gives the same file
    again = fast_cli("enrich", str(SAMPLE_LISTING), "-o", str(tmp_path / "again.json"),
                     "--as-of", AS_OF.isoformat(), "-s", "arxiv,dblp,s2", "--offline")
    assert again.exit_code == 0, again.stderr
    assert "0 requests" in again.stderr
    assert (tmp_path / "again.json").read_text() == out.read_text()

    cv = fast_cli("cv", str(out), "--highlight", "Bo Han", "--exclude-unconfirmed")
    assert cv.exit_code == 0 and "46 entries in the CV, 4 excluded" in cv.stderr


def test_cli_convert_enrich_offline_with_an_empty_cache_changes_nothing(fast_cli, fake):
    before = len(fake.log)
    plain = fast_cli("convert", str(SAMPLE_LISTING), "--to", "bibtex", "--as-of",
                     AS_OF.isoformat())
    res = fast_cli("convert", str(SAMPLE_LISTING), "--to", "bibtex", "--as-of",
                   AS_OF.isoformat(), "--enrich", "arxiv,dblp", "--offline")
    assert res.exit_code == 0 and res.stdout == plain.stdout
    assert len(fake.log) == before
    assert res.stderr.count("[BK905]") == 2
    strict = fast_cli("convert", str(SAMPLE_LISTING), "--as-of", AS_OF.isoformat(),
                      "--enrich", "arxiv", "--offline", "--strict")
    assert strict.exit_code == 1


def test_cli_convert_enrich_to_bibtex(fast_cli):
    res = fast_cli("convert", str(SAMPLE_LISTING), "--to", "bibtex", "--as-of",
                   AS_OF.isoformat(), "--enrich", "arxiv,dblp,s2")
    assert res.exit_code == 0, res.stderr
    assert res.stdout.count("@inproceedings{") + res.stdout.count("@article{") == 44
    assert " and others}" not in res.stdout
    # cited without the version (as arXiv's own BibTeX); the model keeps it
    assert len(re.findall(r"^  eprint += \{\d{4}\.\d{5}\},$", res.stdout, re.M)) == 50


def test_cli_service_down_degrades_to_a_warning(fast_cli, monkeypatch):
    monkeypatch.setenv("BIBKIT_DBLP_URL", "http://127.0.0.1:9/down")
    res = fast_cli("convert", str(SAMPLE_LISTING), "--to", "csljson", "--as-of",
                   AS_OF.isoformat(), "--enrich", "dblp", "--timeout", "1")
    # the entries are written as read; the one service asked was not reached: exit 3
    assert res.exit_code == 3
    assert "[BK904]" in res.stderr and len(json.loads(res.stdout)) == 50


@pytest.mark.parametrize("args,message", [
    (["--enrich", "arxiv,google"], "unknown service 'google'"),
    (["--offline"], "--offline needs --enrich"),
    (["--enrich", "arxiv", "--endpoint", "arxiv=ftp://x"], "--endpoint takes"),
    (["--enrich", "arxiv", "--endpoint", "nope=http://x"], "unknown service 'nope'"),
    (["--enrich", "arxiv", "--endpoint", "arxiv=http://[::1"], "not an http(s) URL with a host"),
    (["--enrich", "dblp", "--endpoint", "dblp=http://h:port/x"], "not an http(s) URL"),
])
def test_cli_enrichment_usage_errors(fast_cli, args, message):
    res = fast_cli("convert", str(SAMPLE_LISTING), *args)
    assert res.exit_code == 2 and message in res.stderr


def test_a_bad_endpoint_in_the_environment_is_a_usage_error(fast_cli, monkeypatch):
    monkeypatch.setenv("BIBKIT_S2_URL", "garbage")
    res = fast_cli("convert", str(SAMPLE_LISTING), "--enrich", "s2")
    assert res.exit_code == 2
    assert "BIBKIT_S2_URL for s2: 'garbage' is not an http(s) URL" in res.stderr


# --- untrusted answers: a parser returns records or raises its one error, nothing else ------

json_values = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False),
              st.text(max_size=20)),
    lambda inner: st.one_of(st.lists(inner, max_size=4),
                            st.dictionaries(st.text(max_size=12), inner, max_size=4)),
    max_leaves=20,
)


def _damage(data: object, draw: Any, depth: int = 0) -> object:
    """A real answer with some of its values, at any depth, replaced by values of another
    shape: how services break in practice (a list where an object was, null, a number)."""
    if draw(st.integers(0, 9)) == 0:
        return draw(json_values)
    if isinstance(data, dict):
        return {k: _damage(v, draw, depth + 1) for k, v in data.items()}
    if isinstance(data, list):
        return [_damage(v, draw, depth + 1) for v in data[:3]]
    return data


def _s2_parse(data: object) -> list[Citation]:
    if not isinstance(data, list):
        raise ServiceError("not a list")
    return [paper_citation(p) for p in data if isinstance(p, dict)]


@pytest.mark.parametrize("name,parse", [
    ("dblp-search.json", parse_hits), ("crossref-works.json", parse_works),
    ("s2-batch.json", _s2_parse),
])
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_json_parsers_survive_any_value_anywhere(name, parse, data):
    damaged = _damage(json.loads((RESPONSES / name).read_text()), data.draw)
    try:
        records = parse(damaged)
    except ServiceError:
        return
    assert all(isinstance(r, Citation) for r in records)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cut=st.integers(min_value=0, max_value=3200), junk=st.binary(max_size=40))
def test_atom_parser_survives_damaged_feeds(cut, junk):
    feed = (RESPONSES / "arxiv-feed.xml").read_bytes()
    try:
        records = parse_feed(feed[:cut] + junk + feed[cut:])
    except XmlError:
        return
    assert all(isinstance(r, Citation) for r in records)


def test_python_api_enrich_library(fake, tmp_path, monkeypatch):
    import bibkit

    for cls in RESOLVERS.values():
        monkeypatch.setattr(cls, "interval", 0.0)
    lib = bibkit.load(SAMPLE_LISTING, as_of=AS_OF)
    out = bibkit.enrich_library(lib, ["arxiv", "s2"], cache_dir=tmp_path,
                                endpoints=fake.endpoints())
    assert len(out) == 50 and out.profile == lib.profile
    assert sum(c.kind is not Kind.PREPRINT for c in out) == 44
    assert [d.key for d in out.diagnostics if d.code == "BK906"] == [
        lib[i].key for i in sorted(NOT_THE_OWNER | NAMESAKES)]
    with pytest.raises(ValueError, match="unknown service"):
        bibkit.enrich_library(lib, ["nope"])


def test_progress_says_what_is_waited_for(fake, clock):
    shown: list[str] = []
    progress = lambda label, done, total, answers, waiting: shown.append(  # noqa: E731
        f"{label}: {waiting}")
    fake.faults["/dblp/"] = [("status", 429)]
    cards = [_card(p.title, p.authors[0].split()[-1]) for p in fake.world[:2]]
    resolvers = make_resolvers(["dblp"], HttpClient(), fake.endpoints(), _limiters(clock))
    Enricher(resolvers, Diagnostics("x"), progress=progress).run(cards)
    waits = [line for line in shown if "waiting" in line]
    assert waits == ["DBLP: waiting 2 s (retrying)", "DBLP: waiting 2 s (throttled: slowed down)"]


def test_progress_is_shown_on_a_terminal_for_runs_over_a_second(fake, monkeypatch, tmp_path):
    import io
    import itertools
    import os
    import pty
    import select

    from bibkit.cli import output as cli_mod
    from bibkit.cli.runs import run_pipeline
    from bibkit.pipeline import Run

    master, slave = pty.openpty()
    terminal = io.TextIOWrapper(os.fdopen(slave, "wb", buffering=0), encoding="utf-8")
    ticks = itertools.count(0.0, 0.4)  # every look at the clock: 0.4 s later
    monkeypatch.setattr(cli_mod, "clock", lambda: next(ticks))
    monkeypatch.setattr(cli_mod.sys, "stderr", terminal)
    for cls in RESOLVERS.values():
        monkeypatch.setattr(cls, "interval", 0.0)
    settings = session.EnrichSettings(services=["s2"], use_cache=False,
                                      endpoints=fake.endpoints())
    three = tmp_path / "three.txt"  # the header and the first three cards
    text = SAMPLE_LISTING.read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(r"(?m)^[A-Z]{2}[A-Z][a-z]{2} \d", text)]
    three.write_text(text[:starts[3]], encoding="utf-8")
    run_pipeline(Run(source=str(three), as_of=AS_OF, enrich=settings, write=False),
                          Diagnostics(), quiet=False, report=None)
    terminal.flush()
    shown = ""
    while select.select([master], [], [], 1.0)[0]:
        shown += os.read(master, 65536).decode()
    terminal.close()
    os.close(master)
    assert "Semantic Scholar: 0/3 entries looked up, 3 answers" in shown  # one per title
    # the line is cleared before the summary
    assert "3/3 entries looked up, 3 answers …\r\033[Kbibkit: enriched with s2" in shown


def test_hostile_remote_strings_stay_linear():
    from bibkit.infer.venues import venue_from_name

    start = time.monotonic()
    venue_from_name(", " * 20000 + "x")  # was 40 s: a quadratic trailing-token pattern
    venue_from_name(" 1" * 20000 + " x")
    long_title = "a" * 200_000
    assert not match(_card(long_title, "Zhu"), _card(long_title + "b", "Zhu")).accepted
    assert time.monotonic() - start < 5


@pytest.mark.parametrize("damage", ["a file where the directory should be", "not a database"])
def test_an_unusable_cache_is_a_warning_and_the_run_goes_on(fake, clock, tmp_path, damage):
    if damage == "not a database":
        cache_dir = tmp_path / "cache"
        cache_dir.mkdir()
        (cache_dir / "http-cache.sqlite3").write_bytes(b"this is no SQLite file" * 100)
    else:
        (tmp_path / "not-a-directory").write_text("x")
        cache_dir = tmp_path / "not-a-directory" / "cache"
    settings = session.EnrichSettings(services=["dblp"], cache_dir=cache_dir,
                                      endpoints=fake.endpoints(), limiters=_limiters(clock))
    diags = Diagnostics("x")
    card = _card(fake.world[0].title, fake.world[0].authors[0].split()[-1],
                 year=int(fake.world[0].date[:4]))
    outcome = session.enrich_citations([card], settings, diags)
    assert [d.code for d in diags if d.severity] == ["BK907"]
    assert outcome.citations[0].kind is not Kind.PREPRINT


@pytest.mark.parametrize("damage", ["truncated", "garbage in the middle"])
def test_a_damaged_cache_is_moved_aside_once_and_replaced(fake, clock, tmp_path, damage):
    """Warned about once: the damaged file is kept for inspection, a new cache is started,
    and the next run uses it without a word."""
    from bibkit.enrich.cache import HttpCache

    cache_dir = tmp_path / "cache"
    cache = HttpCache(cache_dir)
    for i in range(200):
        cache.put(f"GET https://example.org/{i}", 200, bytes(range(256)) * 20)
    cache.close()
    path = cache_dir / "http-cache.sqlite3"
    size = path.stat().st_size
    if damage == "truncated":
        os.truncate(path, size // 2)
    else:
        with path.open("r+b") as fh:
            fh.seek(size // 2)
            fh.write(b"\xff" * 8192)
    settings = session.EnrichSettings(services=["dblp"], cache_dir=cache_dir,
                                      endpoints=fake.endpoints(), limiters=_limiters(clock))
    card = _card(fake.world[0].title, fake.world[0].authors[0].split()[-1],
                 year=int(fake.world[0].date[:4]))
    runs = []
    for _ in range(2):
        diags = Diagnostics("x")
        outcome = session.enrich_citations([card], settings, diags)
        assert outcome.citations[0].kind is not Kind.PREPRINT
        runs.append(([d.code for d in diags if d.severity], outcome.summary))
    assert runs[0][0] == ["BK907"] and runs[1][0] == []
    assert runs[1][1].get("http_requests", 0) == 0 and runs[1][1]["http_cache_hits"] > 0
    assert len(list(cache_dir.glob("http-cache.sqlite3.damaged-*"))) == 1


def test_cli_cv_enriches_first_and_leaves_out_namesakes(fast_cli):
    res = fast_cli("cv", str(SAMPLE_LISTING), "--as-of", AS_OF.isoformat(), "--enrich",
                   "arxiv,s2", "--exclude-unconfirmed", "--format", "markdown")
    assert res.exit_code == 0, res.stderr
    assert "46 entries in the CV, 4 excluded, 0 with the owner hidden" in res.stderr
    assert res.stdout.count("**Bo Han**") == 46 and ", et al." not in res.stdout
