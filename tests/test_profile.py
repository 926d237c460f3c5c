"""`bibkit profile SOURCE:ID` (issue 27) against the fake services' person lists: DBLP person
pages with CoRR twins, OpenAlex keeping preprint and article apart and filing a namesake's
paper under the owner, ORCID's duplicate groups with "Family, Given" names, a person split
over two Semantic Scholar ids; and a network that drops packets."""

from __future__ import annotations

import json
import socket
import time
from collections import Counter

import pytest

from bibkit.enrich.http import HttpClient, RateLimiter
from bibkit.enrich.services import EnrichError
from bibkit.model.citation import Kind
from bibkit.model.diagnostics import Diagnostics
from bibkit.profile.ids import person_id
from bibkit.profile.session import ProfileSettings, build_profile
from fakeservices import (
    NAMESAKES,
    NOT_THE_OWNER,
    OPENALEX_CONFLATED,
    OWNER_IDS,
    RETITLED,
    SPLIT_S2,
    SPLIT_S2_ID,
    FakeServices,
)

DBLP = f"dblp:{OWNER_IDS['dblp']}"
ORCID = f"orcid:{OWNER_IDS['orcid']}"
OPENALEX = f"openalex:{OWNER_IDS['openalex']}"
NO_WAIT = {name: RateLimiter(0.0) for name in ("dblp", "s2", "orcid", "openalex", "arxiv")}


@pytest.fixture(scope="module")
def fake():
    f = FakeServices()
    yield f
    f.close()


def _profile(fake, tmp_path, *ids, **kw):
    settings = ProfileSettings(people=[person_id(i) for i in ids], cache_dir=tmp_path / "cache",
                               endpoints=fake.endpoints(), limiters=dict(NO_WAIT), **kw)
    diags = Diagnostics(ids[0])
    return build_profile(settings, diags), diags


def _owners_works(fake):
    return [p for p in fake.world if p.index not in NAMESAKES | NOT_THE_OWNER]


def _check_one_entry_per_work(out, fake):
    mine = _owners_works(fake)
    assert sorted(c.ids.arxiv_base for c in out) == sorted(p.arxiv[:-2] for p in mine)
    dois = [c.ids.publisher_doi for c in out if c.ids.publisher_doi]
    assert len(dois) == len(set(dois)) == sum(1 for p in mine if p.doi)
    by_arxiv = {c.ids.arxiv_base: c for c in out}
    for p in mine:
        c = by_arxiv[p.arxiv[:-2]]
        if p.kind:  # the published version, with its venue's year and the arXiv id
            assert c.kind is not Kind.PREPRINT and c.venue.year == p.year, p.index
            assert c.title == p.published_title
        else:
            assert c.kind is Kind.PREPRINT


def test_person_ids_are_checked_before_any_request():
    assert str(person_id("https://dblp.org/pid/h/BoHan3.html")) == "dblp:h/BoHan3"
    assert str(person_id("https://orcid.org/0000-0002-1825-0097")) == ORCID
    assert str(person_id("openalex:a5000000001")) == OPENALEX
    for bad in ("orcid:0000-0002-1825-0098", "dblp:", "scholar:abc", "s2:abc", "openalex:W1"):
        with pytest.raises(EnrichError):
            person_id(bad)


def test_a_dblp_person_page_gives_every_work_once_in_two_requests(fake, tmp_path):
    before = len(fake.log)
    built, diags = _profile(fake, tmp_path, DBLP)
    _check_one_entry_per_work(built.citations, fake)
    # one person page, one Semantic Scholar batch (it links the renamed papers)
    assert len(fake.log) - before == 2
    report = built.report()
    assert report["sources"] == {DBLP: {"records": 86}}
    renamed = [m for m in report["merged"] if m["title"] in
               {fake.world[i].published_title for i in RETITLED}]
    assert len(renamed) == 2 and all("same arXiv id" in m["evidence"] for m in renamed)
    assert not report["held_back"] and not [d for d in diags if d.severity.name == "WARNING"]


def test_three_sources_pair_and_keep_provenance_and_hold_back_a_namesake(fake, tmp_path):
    built, diags = _profile(fake, tmp_path, DBLP, ORCID, OPENALEX)
    _check_one_entry_per_work(built.citations, fake)
    held = built.report()["held_back"]
    assert [h["title"] for h in held] == [fake.world[OPENALEX_CONFLATED].published_title]
    assert held[0]["listed_by"] == ["openalex"] and held[0]["why"].startswith("s2:")
    assert [d.code for d in diags if d.code == "BK911"] == ["BK911"]
    # every published entry names the record of each source it came from
    published = next(c for c in built.citations if c.ids.publisher_doi)
    sources = {p.source for p in published.provenance if p.field == "record"}
    assert {"dblp", "orcid", "openalex"} <= sources
    # ORCID's "Family, Given" names are read as people
    assert all(p.family and p.given for c in built.citations for p in c.authors)


def test_a_person_split_over_two_ids_is_suggested_never_merged(fake, tmp_path):
    SPLIT_S2.update({3, 9})
    try:
        built, diags = _profile(fake, tmp_path, DBLP)
    finally:
        SPLIT_S2.clear()
    _check_one_entry_per_work(built.citations, fake)  # the primary's works are all kept
    splits = built.report()["split_profiles"]
    assert [(s["service"], s["other_id"], len(s["works"])) for s in splits] == [
        ("s2", SPLIT_S2_ID, 2)]
    said = [d.message for d in diags if d.code == "BK912"]
    assert len(said) == 1 and f"--also s2:{SPLIT_S2_ID}" in said[0]


def test_since_until_and_the_cache(fake, tmp_path):
    built, _ = _profile(fake, tmp_path, DBLP, since=2024, until=2025)
    assert built.citations and all(2024 <= (c.cited_year or 0) <= 2025 for c in built.citations)
    before = len(fake.log)
    again, _ = _profile(fake, tmp_path, DBLP, since=2024, until=2025)
    assert len(fake.log) == before and again.citations == built.citations
    assert again.report()["http"]["cache_hits"] == 2


def test_cli_profile_sync_keeps_keys_flags_the_unlisted_and_is_idempotent(fake, tmp_path,
                                                                          cli, monkeypatch):
    for name, url in fake.env().items():
        monkeypatch.setenv(name, url)
    monkeypatch.setenv("BIBKIT_CACHE_DIR", str(tmp_path / "cache"))
    refs = tmp_path / "refs.bib"
    res = cli("profile", DBLP, "--until", "2024", "-o", str(refs))
    assert res.exit_code == 0, res.stderr
    # the user renames a key they cite and adds a paper no source lists as theirs
    text = refs.read_text()
    first_key = text.split("{", 1)[1].split(",", 1)[0]
    text = text.replace(first_key, "mykey2024", 1) + (
        "\n@misc{talk2020,\n  title = {An Invited Talk},\n  year = {2020},\n}\n")
    refs.write_text(text)
    res = cli("profile", DBLP, "--sync", str(refs), "--report", str(tmp_path / "r.json"))
    assert res.exit_code == 0, res.stderr
    after = refs.read_text()
    assert "mykey2024" in after and "talk2020" in after and first_key not in after
    assert "BK915" in res.stderr and "talk2020" in res.stderr
    keys = [line.split("{", 1)[1].rstrip(",") for line in after.splitlines()
            if line.startswith("@")]
    assert len(keys) == len(set(keys)) == len(_owners_works(fake)) + 1
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["profile"]["works"] == len(_owners_works(fake))
    res = cli("profile", DBLP, "--sync", str(refs))
    assert res.exit_code == 0 and refs.read_text() == after


def test_cli_profile_writes_a_cv_and_refuses_a_bad_id(fake, tmp_path, cli, monkeypatch):
    for name, url in fake.env().items():
        monkeypatch.setenv(name, url)
    monkeypatch.setenv("BIBKIT_CACHE_DIR", str(tmp_path / "cache"))
    res = cli("profile", DBLP, "--to", "cv-markdown", "--since", "2025")
    assert res.exit_code == 0, res.stderr
    assert "**Bo Han**" in res.stdout or "Bo Han" in res.stdout
    bad = cli("profile", "orcid:0000-0002-1825-0098")
    assert bad.exit_code == 2 and "check digit" in bad.stderr and "Traceback" not in bad.stderr


@pytest.fixture
def silent_host():
    """A host that drops connection attempts, as a firewall does: a listening socket whose
    backlog is full, so the kernel ignores further SYNs and connect() waits."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(0)
    fillers = []
    for _ in range(4):  # fill the accept queue
        s = socket.socket()
        s.setblocking(False)
        s.connect_ex(server.getsockname())
        fillers.append(s)
    time.sleep(0.2)
    yield f"http://127.0.0.1:{server.getsockname()[1]}"
    for s in fillers:
        s.close()
    server.close()


def test_a_dropped_packet_network_ends_in_seconds_with_one_line_a_service(silent_host,
                                                                          tmp_path):
    endpoints = {name: f"{silent_host}/{name}" for name in ("dblp", "s2", "orcid", "openalex")}
    endpoints["dblp"] += "/search/publ/api"
    settings = ProfileSettings(people=[person_id(DBLP), person_id(ORCID), person_id(OPENALEX)],
                               use_cache=False, endpoints=endpoints, limiters=dict(NO_WAIT),
                               connect_timeout=1.0, timeout=5.0)
    diags = Diagnostics(DBLP)
    start = time.monotonic()
    built = build_profile(settings, diags)
    took = time.monotonic() - start
    assert built.citations == []
    lines = [d.message for d in diags if d.code == "BK904"]
    assert len(lines) == 3 and all("no connection within 1 s" in m for m in lines), lines
    # asked at once and not retried: one connect timeout, not 3 sources x 4 attempts
    assert took < 3.0, took


def test_enrich_over_a_dropped_packet_network_is_one_line_a_service(silent_host):
    from bibkit.enrich.enricher import Enricher, make_resolvers

    client = HttpClient(connect_timeout=0.5, timeout=5.0)
    endpoints = {"arxiv": f"{silent_host}/api/query", "dblp": f"{silent_host}/search/publ/api",
                 "s2": f"{silent_host}/graph/v1"}
    resolvers = make_resolvers(["arxiv", "dblp", "s2"], client, endpoints, dict(NO_WAIT))
    from bibkit import load
    from conftest import AS_OF, SAMPLE_LISTING
    cards = load(SAMPLE_LISTING, as_of=AS_OF).citations[:5]
    diags = Diagnostics("x")
    start = time.monotonic()
    out = Enricher(resolvers, diags).run(cards)
    assert out == list(cards) and time.monotonic() - start < 3.0
    said = Counter(d.message.split(":")[0] for d in diags if d.code == "BK904")
    assert said == {"arXiv": 1, "DBLP": 1, "Semantic Scholar": 1}


def test_a_bot_check_page_is_blocked_said_once_and_not_cached(fake, tmp_path):
    page = b"<!DOCTYPE html><html><body>Please verify you are a human</body></html>"
    fake.faults["/dblp/"] = [("answer", 200, page, "text/html")]
    try:
        built, diags = _profile(fake, tmp_path, DBLP)
    finally:
        fake.faults["/dblp/"] = []
    assert built.citations == []
    said = [d.message for d in diags if d.code == "BK904"]
    assert len(said) == 1 and "web page" in said[0]
    again, _ = _profile(fake, tmp_path, DBLP)  # the page was not kept as DBLP's answer
    assert len(again.citations) == len(_owners_works(fake))


def test_a_spent_daily_budget_is_said_with_its_reset_and_not_asked_again(fake, tmp_path):
    # OpenAlex's 429 when the day's credits are spent: retrying before the reset is useless
    body = b'{"error": "Rate limit exceeded", "message": "Daily limit exceeded"}'
    spent = ("answer", 429, body, "application/json",
             {"X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "25920"})
    fake.faults["/openalex/"] = [spent] * 4
    before = len(fake.requests("/openalex/"))
    try:
        built, diags = _profile(fake, tmp_path, DBLP, OPENALEX)
    finally:
        fake.faults["/openalex/"] = []
    assert len(fake.requests("/openalex/")) - before == 1  # asked once, not four times
    said = [d.message for d in diags if d.code == "BK904"]
    assert len(said) == 1 and "budget is spent (resets in 7 h 12 min)" in said[0], said
    _check_one_entry_per_work(built.citations, fake)  # DBLP's list stands on its own


@pytest.mark.parametrize(("headers", "body", "expected"), [
    ({"X-RateLimit-Remaining": "0"}, b"", "resets in 1 h 0 min"),  # midnight UTC
    ({}, b'{"message": "daily credits spent", "resets_at": "2026-12-08T00:00:00Z"}',
     "resets in 1 h 0 min"),
    ({"X-RateLimit-Remaining-USD": "0.0000", "X-RateLimit-Reset": "1796688000"}, b"",
     "resets in 1 h 0 min"),
    ({}, b'{"message": "Too Many Requests"}', None),  # an ordinary 429: wait and retry
    ({"X-RateLimit-Remaining": "12"}, b"slow down", None),
])
def test_what_a_429_says_about_a_budget(headers, body, expected):
    from bibkit.enrich.waits import quota_spent

    now = 1796684400.0  # 2026-12-07 23:00 UTC
    said = quota_spent(429, headers, body, now)
    assert (said is None) if expected is None else (expected in (said or "")), said
    assert quota_spent(503, headers, body, now) is None
