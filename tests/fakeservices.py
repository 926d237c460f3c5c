"""A local fake of arXiv, DBLP, Crossref and Semantic Scholar on 127.0.0.1, for offline tests.

It answers the same requests as the real services, in each service's documented response
format (arXiv API user manual: Atom 1.0 with the arxiv: extension; DBLP search API JSON;
Crossref REST API `work-list`/`work` messages; Semantic Scholar Graph API paper objects), from
a small in-memory world of papers. It can also misbehave on request (429/503 with
Retry-After, a hang past the client's timeout, a malformed body), and it logs every request.

The world is made from the sample listing: titles, shown authors, dates and classes are the
listing's; the further authors, arXiv ids, venues and DOIs are invented for the tests and
are NOT bibliographic facts about these papers.
"""

from __future__ import annotations

import json
import os
import re
import threading
import time
import urllib.parse
import zlib
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from xml.sax.saxutils import escape

from bibkit import load
from bibkit.enrich.match import fold_name, fold_title
from conftest import AS_OF, SAMPLE_LISTING

# A proxy set for the package registries must not catch requests to the fake services.
for _var in ("no_proxy", "NO_PROXY"):
    os.environ[_var] = ",".join(filter(None, (os.environ.get(_var), "127.0.0.1", "localhost")))

# (DBLP venue string, Crossref container title, kind, short name in bibkit's table)
VENUES = [
    ("ICLR", "", "conference", "ICLR"),
    ("NeurIPS", "Advances in Neural Information Processing Systems 36", "conference", "NeurIPS"),
    ("ICML", "Proceedings of the 40th International Conference on Machine Learning",
     "conference", "ICML"),
    ("CVPR", "2023 IEEE/CVF Conference on Computer Vision and Pattern Recognition (CVPR)",
     "conference", "CVPR"),
    ("KDD", "Proceedings of the 29th ACM SIGKDD Conference on Knowledge Discovery and Data "
     "Mining", "conference", "KDD"),
    ("IEEE Trans. Pattern Anal. Mach. Intell.",
     "IEEE Transactions on Pattern Analysis and Machine Intelligence", "journal", "TPAMI"),
    ("J. Mach. Learn. Res.", "Journal of Machine Learning Research", "journal", "JMLR"),
]
UNPUBLISHED = {5, 17, 23, 31, 38, 46}  # 44 of 50 published, as in the issue
RETITLED = {7, 29}  # the published version has another title
NOT_THE_OWNER = {12, 40}  # a namesake's paper: the complete list has no Bo Han
# a namesake's paper whose complete list has a Bo Han: another person, as DBLP's person id
# ("Bo Han 0002", h/BoHan2) and Semantic Scholar's authorId tell
NAMESAKES = {25, 33}
# arXiv's metadata (and the listing copied from it) has this name surname first; DBLP and
# Semantic Scholar write it given name first, as the person does
SURNAME_FIRST = {"Wan Chaoqun": "Chaoqun Wan"}
OWNER_IDS = {"dblp": "h/BoHan3", "s2": "1737000", "orcid": "0000-0002-1825-0097",
             "openalex": "A5000000001"}
NAMESAKE_IDS = {"dblp": "h/BoHan2", "s2": "9990001", "orcid": "0000-0001-5109-3700",
                "openalex": "A5000000002"}
# The traps of the person lists (issue 27): OpenAlex files this namesake's paper under the
# owner; Semantic Scholar may split the owner over two ids (`split_s2`, set by a test)
OPENALEX_CONFLATED = 25
SPLIT_S2_ID = "1737999"
SPLIT_S2: set[int] = set()


# How each service throttles a client that asks too fast, from its documentation and its
# clients' reports: (requests, per seconds, status, body, content type)
THROTTLING: dict[str, tuple[int, float, int, bytes, str]] = {
    # arXiv API terms of use: one request every three seconds; a too-fast client gets
    # "Rate exceeded." as plain text (status 429, sometimes 200), no Retry-After
    "/arxiv/": (1, 3.0, 429, b"Rate exceeded.", "text/plain"),
    # DBLP publishes no rate; clients report 429 (an HTML page) above about 12 a minute
    "/dblp/": (12, 60.0, 429, b"<html><body><h1>429 Too Many Requests</h1></body></html>",
               "text/html"),
    # Semantic Scholar without a key: a shared pool; 429 with a JSON message, no Retry-After
    "/s2/": (1, 1.0, 429, b'{"message": "Too Many Requests. Please wait and try again or '
             b'apply for a key for higher rate limits.", "code": "429"}', "application/json"),
    # Crossref's public pool: 5 requests a second
    "/crossref/": (5, 1.0, 429, b"Too Many Requests", "text/plain"),
}


def person_id(service: str, name: str, paper: int) -> str:
    """A person's id at a service: the same for every paper of one person (DBLP pids look
    like "h/BoHan3", S2 authorIds are numbers)."""
    if name == "Bo Han":
        if service == "s2" and paper in SPLIT_S2:
            return SPLIT_S2_ID
        if service == "openalex" and paper == OPENALEX_CONFLATED:
            return OWNER_IDS["openalex"]
        return (NAMESAKE_IDS if paper in NAMESAKES else OWNER_IDS)[service]
    n = zlib.crc32(name.encode())
    return f"{name[:1].lower()}/{n % 100000}" if service == "dblp" else str(n)


@dataclass
class Paper:
    index: int
    arxiv: str  # with version
    title: str
    published_title: str
    authors: list[str]
    date: str
    primary: str
    dblp_venue: str = ""
    container: str = ""
    kind: str = ""  # conference | journal | "" (unpublished)
    short: str = ""
    year: int = 0
    doi: str = ""
    journal_ref: str = ""
    comment: str = ""


def make_world() -> list[Paper]:
    cards = load(SAMPLE_LISTING, as_of=AS_OF).citations
    world = []
    for i, c in enumerate(cards):
        y, m = c.issued.year or 2023, c.issued.month or 1
        shown = [p.display() for p in c.authors]
        extra = [f"Coauthor{i} Extra"]
        if i not in NOT_THE_OWNER and not any(fold_name(p.family) == "han" for p in c.authors):
            extra.append("Bo Han")
        paper = Paper(
            index=i,
            arxiv=f"{y % 100:02d}{m:02d}.{10000 + i:05d}v{1 + i % 2}",
            title=c.title,
            published_title=c.title if i not in RETITLED else f"{c.title}: Extended Analysis",
            authors=shown + (extra if c.authors_truncated else []),
            date=f"{y:04d}-{m:02d}-{c.issued.day or 1:02d}T17:59:59Z",
            primary=c.ids.arxiv_class or "cs.LG",
        )
        if i not in UNPUBLISHED:
            dblp_venue, container, kind, short = VENUES[i % len(VENUES)]
            paper.dblp_venue, paper.container, paper.kind, paper.short = (
                dblp_venue, container or dblp_venue, kind, short)
            paper.year = y + (i % 3 == 0)  # some appear the year after the preprint
            if container:
                paper.doi = f"10.5555/fake.{paper.year}.{i:03d}"
            if i % 4 == 0:
                paper.journal_ref = f"{short} {paper.year}"
            elif i % 4 == 1:
                paper.comment = f"Accepted at {short} {paper.year}. 20 pages"
        world.append(paper)
    return world


# --- response formats ------------------------------------------------------------------------


def atom_feed(papers: list[Paper], query: str) -> bytes:
    entries = []
    for p in papers:
        authors = "".join(f"<author><name>{escape(a)}</name></author>" for a in p.authors)
        extra = ""
        if p.journal_ref:
            extra += f"<arxiv:journal_ref>{escape(p.journal_ref)}</arxiv:journal_ref>"
        if p.comment:
            extra += f"<arxiv:comment>{escape(p.comment)}</arxiv:comment>"
        if p.doi:
            extra += (f"<arxiv:doi>{p.doi}</arxiv:doi><link title=\"doi\" "
                      f"href=\"https://doi.org/{p.doi}\" rel=\"related\"/>")
        entries.append(
            f"<entry><id>http://arxiv.org/abs/{p.arxiv}</id>"
            f"<updated>{p.date}</updated><published>{p.date}</published>"
            f"<title>{escape(p.title)}</title><summary>An abstract.</summary>{authors}{extra}"
            f"<link href=\"http://arxiv.org/abs/{p.arxiv}\" rel=\"alternate\" type=\"text/html\"/>"
            f"<arxiv:primary_category term=\"{p.primary}\" "
            f"scheme=\"http://arxiv.org/schemas/atom\"/>"
            f"<category term=\"{p.primary}\" scheme=\"http://arxiv.org/schemas/atom\"/>"
            f"<category term=\"stat.ML\" scheme=\"http://arxiv.org/schemas/atom\"/></entry>")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom" '
        'xmlns:opensearch="http://a9.com/-/spec/opensearch/1.1/" '
        'xmlns:arxiv="http://arxiv.org/schemas/atom">'
        f'<title type="html">ArXiv Query: {escape(query)}</title>'
        f"<opensearch:totalResults>{len(papers)}</opensearch:totalResults>"
        "<opensearch:startIndex>0</opensearch:startIndex>"
        + "".join(entries) + "</feed>"
    ).encode()


def dblp_hits(hits: list[dict[str, Any]], query: str) -> bytes:
    return json.dumps({"result": {
        "query": query, "status": {"@code": "200", "text": "OK"},
        "hits": {"@total": str(len(hits)), "@sent": str(len(hits)), "@first": "0",
                 "hit": [{"@score": "5", "@id": str(n), "info": h, "url": "URL#" + str(n)}
                         for n, h in enumerate(hits)]}}}).encode()


def dblp_records(p: Paper) -> list[dict[str, Any]]:
    def authors(names: list[str]) -> dict[str, Any]:
        people = [{"@pid": person_id("dblp", name, p.index),
                   "text": SURNAME_FIRST.get(name, name) + (
                       (" 0002" if p.index in NAMESAKES else " 0003") if name == "Bo Han" else "")}
                  for name in names]
        return {"author": people[0] if len(people) == 1 else people}

    corr = {"authors": authors(p.authors), "title": p.title + ".", "venue": "CoRR",
            "volume": f"abs/{p.arxiv[:-2]}", "year": p.date[:4],
            "type": "Informal and Other Publications", "key": f"journals/corr/abs-{p.index}",
            "doi": f"10.48550/ARXIV.{p.arxiv[:-2]}", "ee": f"https://arxiv.org/abs/{p.arxiv}"}
    out = [corr]
    if p.kind:
        pub = {"authors": authors(p.authors), "title": p.published_title + ".",
               "venue": p.dblp_venue, "year": str(p.year),
               "type": "Journal Articles" if p.kind == "journal" else
               "Conference and Workshop Papers", "key": f"conf/x/{p.index}"}
        if p.kind == "journal":
            pub.update({"volume": "45", "number": str(1 + p.index % 12),
                        "pages": f"{100 + p.index}-{120 + p.index}"})
        if p.doi:
            pub["doi"] = p.doi
        out.append(pub)
    return out


def dblp_xml_record(info: dict[str, Any]) -> str:
    """A search-API record as dblp.xml writes it: <inproceedings>/<article> with <author
    pid=…>, <booktitle> or <journal>, <ee> links (a DOI as https://doi.org/…)."""
    kind = info["type"]
    tag = "inproceedings" if kind.startswith("Conference") else "article"
    attrs = f' key="{info["key"]}" mdate="2026-01-01"' + (
        ' publtype="informal"' if kind.startswith("Informal") else "")
    people = info["authors"]["author"]
    people = [people] if isinstance(people, dict) else people
    parts = [f'<author pid="{a["@pid"]}">{escape(a["text"])}</author>' for a in people]
    parts.append(f"<title>{escape(info['title'])}</title>")
    for name in ("pages", "year", "volume", "number"):
        if name in info:
            parts.append(f"<{name}>{escape(info[name])}</{name}>")
    where = "booktitle" if tag == "inproceedings" else "journal"
    parts.append(f"<{where}>{escape(info['venue'])}</{where}>")
    if info.get("ee"):
        parts.append(f'<ee type="oa">{escape(info["ee"])}</ee>')
    if info.get("doi") and info["venue"] != "CoRR":
        parts.append(f"<ee>https://doi.org/{escape(info['doi'])}</ee>")
    return f"<{tag}{attrs}>{''.join(parts)}</{tag}>"


def openalex_works(p: Paper) -> list[dict[str, Any]]:
    def authorships(names: list[str]) -> list[dict[str, Any]]:
        return [{"author_position": "first" if n == 0 else "middle",
                 "author": {"id": f"https://openalex.org/{person_id('openalex', a, p.index)}"
                            if a == "Bo Han" else f"https://openalex.org/A9{zlib.crc32(a.encode())}",
                            "display_name": SURNAME_FIRST.get(a, a),
                            "orcid": f"https://orcid.org/{OWNER_IDS['orcid']}"
                            if a == "Bo Han" and p.index not in NAMESAKES else None},
                 "raw_author_name": a} for n, a in enumerate(names)]

    base = p.arxiv[:-2]
    arxiv_loc = {"landing_page_url": f"https://arxiv.org/abs/{base}",
                 "source": {"display_name": "arXiv (Cornell University)", "type": "repository"}}
    out = [{"id": f"https://openalex.org/W1{p.index:05d}", "doi": f"https://doi.org/10.48550/"
            f"arxiv.{base}", "title": p.title, "display_name": p.title,
            "publication_year": int(p.date[:4]), "publication_date": p.date[:10],
            "type": "preprint", "primary_location": arxiv_loc, "locations": [arxiv_loc],
            "authorships": authorships(p.authors), "biblio": {}}]
    if p.kind:
        where = {"landing_page_url": f"https://doi.org/{p.doi}" if p.doi else None,
                 "source": {"display_name": p.container, "type": p.kind}}
        out.append({"id": f"https://openalex.org/W2{p.index:05d}",
                    "doi": f"https://doi.org/{p.doi}" if p.doi else None,
                    "title": p.published_title, "display_name": p.published_title,
                    "publication_year": p.year, "publication_date": f"{p.year}-06-01",
                    "type": "article", "primary_location": where, "locations": [where],
                    "authorships": authorships(p.authors),
                    "biblio": {"volume": "45" if p.kind == "journal" else None,
                               "first_page": str(100 + p.index),
                               "last_page": str(120 + p.index)}})
    return out


def orcid_works(p: Paper) -> list[dict[str, Any]]:
    """The works ORCID holds for a paper: DataCite's record of the arXiv DOI and, once
    published with a DOI, Crossref's: two groups, names "Family, Given"."""
    def contributors() -> dict[str, Any]:
        people = []
        for n, a in enumerate(p.authors):
            given, _, family = SURNAME_FIRST.get(a, a).rpartition(" ")
            entry: dict[str, Any] = {
                "credit-name": {"value": f"{family}, {given}"},
                "contributor-attributes": {"contributor-sequence": "first" if n == 0
                                           else "additional", "contributor-role": "author"}}
            if a == "Bo Han":
                entry["contributor-orcid"] = {"path": OWNER_IDS["orcid"],
                                              "uri": f"https://orcid.org/{OWNER_IDS['orcid']}"}
            people.append(entry)
        return {"contributor": people}

    def ext(kind: str, value: str) -> dict[str, Any]:
        return {"external-id": [{"external-id-type": kind, "external-id-value": value,
                                 "external-id-relationship": "self"}]}

    year, month = p.date[:4], p.date[5:7]
    out = [{"put-code": 1000 + p.index, "title": {"title": {"value": p.title}},
            "type": "preprint", "publication-date": {"year": {"value": year},
                                                     "month": {"value": month}, "day": None},
            "external-ids": ext("doi", f"10.48550/arXiv.{p.arxiv[:-2]}"),
            "source": {"source-name": {"value": "DataCite"}}, "contributors": contributors()}]
    if p.doi:
        out.append({"put-code": 2000 + p.index, "title": {"title": {"value": p.published_title}},
                    "type": "journal-article" if p.kind == "journal" else "conference-paper",
                    "publication-date": {"year": {"value": str(p.year)},
                                         "month": {"value": "06"}, "day": None},
                    "journal-title": {"value": p.container},
                    "external-ids": ext("doi", p.doi),
                    "source": {"source-name": {"value": "Crossref"}},
                    "contributors": contributors()})
    return out


def crossref_item(p: Paper) -> dict[str, Any]:
    authors = []
    for n, name in enumerate(p.authors):
        given, _, family = name.rpartition(" ")
        authors.append({"given": given, "family": family,
                        "sequence": "first" if n == 0 else "additional", "affiliation": []})
    return {"DOI": p.doi, "type": "journal-article" if p.kind == "journal" else
            "proceedings-article", "title": [p.published_title], "author": authors,
            "container-title": [p.container], "publisher": "Fake Publisher",
            "issued": {"date-parts": [[p.year, 6]]}, "volume": "45" if p.kind == "journal"
            else None, "page": f"{100 + p.index}-{120 + p.index}"}


def s2_paper(p: Paper, published: bool = True) -> dict[str, Any]:
    pub = p.kind and published
    return {
        "paperId": f"{p.index:040x}",
        "externalIds": {"ArXiv": p.arxiv[:-2], "DOI": p.doi or f"10.48550/arXiv.{p.arxiv[:-2]}",
                        "CorpusId": 1000 + p.index},
        "title": p.published_title if pub else p.title,
        "authors": [{"authorId": person_id("s2", a, p.index), "name": SURNAME_FIRST.get(a, a)}
                    for a in p.authors],
        "year": p.year if pub else int(p.date[:4]),
        "venue": p.container if pub else "arXiv.org",
        "publicationVenue": {"id": "v", "name": p.container, "type": p.kind,
                             "alternate_names": [p.short]} if pub else None,
        "publicationTypes": (["JournalArticle"] if p.kind == "journal" else ["Conference"])
        if pub else None,
        "journal": {"name": p.container, "volume": "45", "pages": "100 - 120"} if pub else
        {"name": "ArXiv", "volume": f"abs/{p.arxiv[:-2]}"},
        "publicationDate": f"{p.year}-06-01" if pub else p.date[:10],
    }


# --- the server --------------------------------------------------------------------------------


def _words(text: str) -> set[str]:
    return set(fold_title(text).split())


@dataclass
class FakeServices:
    world: list[Paper] = field(default_factory=make_world)
    # path prefix -> list of faults to serve before normal answers: ("status", 503, "2"),
    # ("hang", seconds), ("body", b"garbage"), ("answer", 429, b"Rate exceeded.", "text/plain")
    faults: dict[str, list[tuple[Any, ...]]] = field(default_factory=dict)
    log: list[tuple[str, str, float]] = field(default_factory=list)  # (method, path, time)
    agents: set[str] = field(default_factory=set)
    # path prefix -> (requests, window seconds, status, body, content type): the services'
    # throttling as their documentation and their clients' issue trackers describe it (see
    # THROTTLING); `clock` is the time the window is counted in (a test's fake clock)
    throttle: dict[str, tuple[int, float, int, bytes, str]] = field(default_factory=dict)
    clock: Any = time.monotonic
    _seen: dict[str, list[float]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                fake._handle(self, b"")

            def do_POST(self) -> None:
                size = int(self.headers.get("Content-Length") or 0)
                fake._handle(self, self.rfile.read(size))

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def endpoints(self) -> dict[str, str]:
        return {"arxiv": f"{self.url}/arxiv/api/query", "dblp": f"{self.url}/dblp/search/publ/api",
                "crossref": f"{self.url}/crossref", "s2": f"{self.url}/s2/graph/v1",
                "openalex": f"{self.url}/openalex", "orcid": f"{self.url}/orcid"}

    def env(self) -> dict[str, str]:
        return {f"BIBKIT_{k.upper()}_URL": v for k, v in self.endpoints().items()}

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def requests(self, prefix: str = "") -> list[str]:
        return [path for _, path, _ in self.log if path.startswith(prefix)]

    # --- dispatch ---

    def _handle(self, h: BaseHTTPRequestHandler, body: bytes) -> None:
        self.log.append((h.command, h.path, time.monotonic()))
        self.agents.add(h.headers.get("User-Agent", ""))
        for prefix, (limit, window, status, text, ctype) in self.throttle.items():
            if h.path.startswith(prefix):
                now = self.clock()
                seen = [t for t in self._seen.get(prefix, []) if t > now - window]
                self._seen[prefix] = [*seen, now]
                if len(seen) >= limit:
                    return self._send(h, status, text, ctype)
        for prefix, queue in self.faults.items():
            if h.path.startswith(prefix) and queue:
                fault = queue.pop(0)
                if fault[0] == "status":
                    h.send_response(fault[1])
                    if len(fault) > 2:
                        h.send_header("Retry-After", fault[2])
                    h.send_header("Content-Length", "0")
                    h.end_headers()
                    return
                if fault[0] == "hang":
                    time.sleep(fault[1])
                    return
                if fault[0] == "body":
                    return self._send(h, 200, fault[1], "application/octet-stream")
                if fault[0] == "answer":  # ("answer", status, body, content type[, headers])
                    return self._send(h, fault[1], fault[2], fault[3],
                                      fault[4] if len(fault) > 4 else None)
        url = urllib.parse.urlsplit(h.path)
        q = {k: v[0] for k, v in urllib.parse.parse_qs(url.query).items()}
        if h.headers.get("Content-Type", "").startswith("application/x-www-form-urlencoded"):
            q.update({k: v[0] for k, v in urllib.parse.parse_qs(body.decode()).items()})
        route = url.path
        if route.startswith("/arxiv/"):
            return self._send(h, 200, self._arxiv(q), "application/atom+xml")
        if route.startswith("/openalex/works"):
            return self._send(h, 200, self._openalex(q), "application/json")
        if route.startswith("/orcid/"):
            found = self._orcid(route.removeprefix("/orcid/"))
            if found is None:
                return self._send(h, 404, b'{"response-code": 404}', "application/json")
            return self._send(h, 200, found, "application/json")
        if "/author/" in route and route.endswith("/papers"):
            return self._send(h, 200, self._s2_author(route.split("/author/")[1].split("/")[0],
                                                      q), "application/json")
        if route.startswith("/dblp/pid/") and route.endswith(".xml"):
            page = self._dblp_person(route.removeprefix("/dblp/pid/").removesuffix(".xml"))
            if page is None:
                return self._send(h, 404, b"<html><body>Not Found</body></html>", "text/html")
            return self._send(h, 200, page, "application/xml")
        if route.startswith("/dblp/"):
            return self._send(h, 200, self._dblp(q), "application/json")
        if route.startswith("/crossref/works/"):
            doi = urllib.parse.unquote(route.removeprefix("/crossref/works/"))
            found = [p for p in self.world if p.doi and p.doi == doi.lower()]
            if not found:
                return self._send(h, 404, b"Resource not found.", "text/plain")
            msg = {"status": "ok", "message-type": "work", "message": crossref_item(found[0])}
            return self._send(h, 200, json.dumps(msg).encode(), "application/json")
        if route.startswith("/crossref/works"):
            return self._send(h, 200, self._crossref(q), "application/json")
        if route.endswith("/paper/batch"):
            ids = json.loads(body)["ids"]
            return self._send(h, 200, json.dumps([self._s2_id(i) for i in ids]).encode(),
                              "application/json")
        if route.endswith("/paper/search/match"):
            best = self._best(q.get("query", ""), 0.8)
            if best is None:
                return self._send(h, 404, b'{"error":"Title match not found"}',
                                  "application/json")
            data = {"data": [{**s2_paper(best), "matchScore": 200.0}]}
            return self._send(h, 200, json.dumps(data).encode(), "application/json")
        self._send(h, 404, b"no such route", "text/plain")

    @staticmethod
    def _send(h: BaseHTTPRequestHandler, status: int, data: bytes, ctype: str,
              headers: dict[str, str] | None = None) -> None:
        try:
            h.send_response(status)
            h.send_header("Content-Type", ctype)
            for name, value in (headers or {}).items():
                h.send_header(name, value)
            h.send_header("Content-Length", str(len(data)))
            h.end_headers()
            h.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def _arxiv(self, q: dict[str, str]) -> bytes:
        if "id_list" in q:
            wanted = [i for i in q["id_list"].split(",") if i]
            bad = [i for i in wanted if not re.match(r"^\d{4}\.\d{4,5}(v\d+)?$", i)]
            if bad:  # arXiv's documented error entry
                return (f'<feed xmlns="http://www.w3.org/2005/Atom"><entry><id>'
                        f"http://arxiv.org/api/errors#incorrect_id_format_for_{bad[0]}</id>"
                        f"<title>Error</title><summary>incorrect id format for {bad[0]}"
                        f"</summary></entry></feed>").encode()
            plain = [re.sub(r"v\d+$", "", i) for i in wanted]
            found = [p for i in plain for p in self.world if p.arxiv[:-2] == i]
            return atom_feed(found, q["id_list"])
        query = q.get("search_query", "")
        groups = re.findall(r'ti:"([^"]*)"(?: AND au:([^\s)]+))?', query)
        found = []
        for p in self.world:
            for phrase, author in groups:
                if fold_title(phrase) not in fold_title(p.title):
                    continue
                if author and not any(fold_name(a.split()[-1]) == fold_name(author)
                                      for a in p.authors):
                    continue
                found.append(p)
                break
        return atom_feed(found[: int(q.get("max_results", "10"))], query)

    def _dblp(self, q: dict[str, str]) -> bytes:
        words = _words(q.get("q", ""))
        hits = [r for p in self.world for r in dblp_records(p) if words and words <= _words(
            r["title"])]
        return dblp_hits(hits[: int(q.get("h", "30"))], q.get("q", ""))

    def _dblp_person(self, pid: str) -> bytes | None:
        """dblp.org's `/pid/PID.xml`: a <dblpperson> with each record of the person (CoRR
        twins included) in an <r>, as dblp.xml writes records, and the co-author list."""
        owner = {OWNER_IDS["dblp"]: False, NAMESAKE_IDS["dblp"]: True}
        if pid not in owner:
            return None
        mine = [p for p in self.world if "Bo Han" in p.authors
                and (p.index in NAMESAKES) == owner[pid]]
        records = "".join(f"<r>{dblp_xml_record(rec)}</r>" for p in mine
                          for rec in dblp_records(p))
        number = "0002" if owner[pid] else "0003"
        return (f'<?xml version="1.0" encoding="US-ASCII"?>\n<dblpperson name="Bo Han {number}" '
                f'pid="{pid}" n="{len(mine)}"><person key="homepages/{pid}" mdate="2026-01-01">'
                f'<author pid="{pid}">Bo Han {number}</author></person>{records}'
                "</dblpperson>").encode()

    def owners_papers(self, service: str, ident: str) -> list[Paper]:
        return [p for p in self.world if "Bo Han" in p.authors
                and person_id(service, "Bo Han", p.index) == ident]

    def _openalex(self, q: dict[str, str]) -> bytes:
        """`/works?filter=authorships.author.id:A…&per_page=&cursor=`: a preprint work and,
        once published, an article work per paper (OpenAlex keeps them apart)."""
        ident = q.get("filter", "").rpartition(":")[2]
        works = [w for p in self.owners_papers("openalex", ident) for w in openalex_works(p)]
        start = int(q.get("cursor", "*").replace("*", "0"))
        size = int(q.get("per_page", "25"))
        page = works[start:start + size]
        more = start + size < len(works)
        return json.dumps({"meta": {"count": len(works), "per_page": size,
                                    "next_cursor": str(start + size) if more else None},
                           "results": page}).encode()

    def _orcid(self, rest: str) -> bytes | None:
        """`/{iD}/works` (summary groups: Crossref's published DOI and DataCite's arXiv DOI
        are two groups of one paper) and `/{iD}/works/{put-codes}` (bulk, at most 100)."""
        ident, _, tail = rest.partition("/works")
        papers = self.owners_papers("orcid", ident)
        works = {w["put-code"]: w for p in papers for w in orcid_works(p)}
        if not tail:
            groups = [{"external-ids": w["external-ids"], "work-summary": [
                {"put-code": code, "title": w["title"], "type": w["type"],
                 "display-index": "1", "publication-date": w["publication-date"]}]}
                for code, w in works.items()]
            return json.dumps({"last-modified-date": None, "group": groups}).encode()
        codes = tail.strip("/").split(",")
        if len(codes) > 100:
            return json.dumps({"response-code": 400, "developer-message":
                               "too many put-codes"}).encode()
        return json.dumps({"bulk": [{"work": works[int(c)]} if int(c) in works else
                                    {"error": {"response-code": 404}} for c in codes]}).encode()

    def _s2_author(self, ident: str, q: dict[str, str]) -> bytes:
        papers = [s2_paper(p) for p in self.owners_papers("s2", ident)]
        offset, limit = int(q.get("offset", "0")), int(q.get("limit", "100"))
        page = papers[offset:offset + limit]
        data: dict[str, Any] = {"offset": offset, "data": page}
        if offset + limit < len(papers):
            data["next"] = offset + limit
        return json.dumps(data).encode()

    def _crossref(self, q: dict[str, str]) -> bytes:
        if "filter" in q:
            dois = {f.split(":", 1)[1].lower() for f in q["filter"].split(",")
                    if f.startswith("doi:")}
            items = [crossref_item(p) for p in self.world if p.doi in dois]
        else:
            # fuzzy like the real one: the best few by shared title words, however weak
            words = _words(q.get("query.bibliographic", ""))
            scored = sorted(((len(words & _words(p.published_title)), p.index, p)
                             for p in self.world if p.doi), key=lambda t: (-t[0], t[1]))
            items = [crossref_item(p) for n, _, p in scored[: int(q.get("rows", "5"))] if n]
        msg = {"status": "ok", "message-type": "work-list", "message": {
            "total-results": len(items), "items": items, "items-per-page": len(items)}}
        return json.dumps(msg).encode()

    def _s2_id(self, ident: str) -> dict[str, Any] | None:
        kind, _, value = ident.partition(":")
        for p in self.world:
            if (kind == "ARXIV" and p.arxiv[:-2] == value) or (kind == "DOI" and p.doi == value):
                return s2_paper(p)
        return None

    def _best(self, title: str, threshold: float) -> Paper | None:
        words = _words(title)
        best = max(self.world, key=lambda p: len(words & _words(p.published_title)))
        overlap = len(words & _words(best.published_title)) / max(1, len(words))
        return best if overlap >= threshold else None
