"""The third hardening round (issue 24): untrusted TeX by allow-list, Hugo page folders that
cannot leave -o, sandboxed templates, and the smaller holes. Each test failed on the code
before the round."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import ClassVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import bibkit
from bibkit.enrich.cache import HttpCache
from bibkit.enrich.http import HttpClient, RateLimiter, ServiceError
from bibkit.tex.decode import from_bibtex, from_web
from bibkit.tex.safety import allowed_commands, refused_command, safe_tex
from conftest import AS_OF, SAMPLE_LISTING

# --- 1, 2: untrusted TeX passes by an allow-list ------------------------------------------

PDFTEX_PAYLOADS = [
    r"\pdfobj stream file {secret.txt}\pdfrefobj\pdflastobj",
    r"\pdfcatalog{/OpenAction << /S /JavaScript /JS (app.alert(1)) >>}",
    r"\pdfstartlink user{/Subtype/Link /A << /S/Launch /F (calc) >>}x\pdfendlink",
    r"\pdfximage{secret.png}\pdfrefximage\pdflastximage",
    r"\loop\iftrue\repeat",
    r"\input{secret.txt}",
    r"\@input{secret.txt}",
    r"\IfFileExists{secret.txt}{a}{b}",
    r"\catcode`\{=12",
    r"\csname input\endcsname{secret.txt}",
    r"\immediate\write18{touch pwned}",
    r"^^5cinput{secret.txt}",
    r"\directlua{os.execute('x')}",
    r"\href{run:calc}{x}",
]


@pytest.mark.parametrize("payload", PDFTEX_PAYLOADS)
def test_tex_outside_the_allow_list_is_refused(payload):
    assert not safe_tex(payload)


def test_typesetting_tex_passes_the_allow_list():
    for tex in [r"{\TeX}", r"$\mathcal{O}(n^2)$", r"Schr{\"o}dinger", r"\emph{x} \textbf{y}",
                r"{\bf X}", r"\cite{knuth}", r"\v{S}ekerinski", r"50\%", r"\'{\i}",
                r"$\alpha \leq \beta$", r"\ldots", r"{\small x}"]:
        assert safe_tex(tex), (tex, refused_command(tex))


def test_no_allowed_command_reaches_files_shells_or_pdf_actions():
    words = allowed_commands()
    for name in ["input", "include", "openin", "read", "write", "pdfobj", "pdfcatalog",
                 "pdfstartlink", "pdfximage", "loop", "repeat", "def", "let", "catcode",
                 "csname", "directlua", "href", "url", "special", "immediate", "everypar"]:
        assert name not in words


def _csl(tmp_path: Path, bibkit_custom: dict) -> Path:
    item = {"id": "evil2020", "type": "article-journal", "title": "Plain",
            "author": [{"family": "Doe", "given": "Jane"}], "container-title": "J",
            "issued": {"date-parts": [[2020]]}, "custom": {"bibkit": bibkit_custom}}
    path = tmp_path / "evil.json"
    path.write_text(json.dumps([item]), encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_a_kept_field_from_csljson_is_text_when_its_tex_is_not_allowed(cli, tmp_path, fmt):
    path = _csl(tmp_path, {"extra": [["bibtex:note", r"\input{secret.txt}"],
                                     ["bibtex:addendum", r"\pdfobj stream file {s.txt}"],
                                     ["bibtex:mrnumber", r"{\TeX} \emph{ok}"]]})
    res = cli("convert", str(path), "--to", fmt)
    assert res.exit_code == 0
    assert r"\input" not in res.stdout and r"\pdfobj" not in res.stdout
    assert r"\textbackslash{}input\textbraceleft{}secret.txt\textbraceright{}" in res.stdout
    assert r"{\TeX} \emph{ok}" in res.stdout or fmt == "biblatex"  # mrnumber: BibTeX only
    assert "BK605" in res.stderr


@pytest.mark.parametrize("payload", PDFTEX_PAYLOADS[:5])
def test_pdftex_primitives_in_custom_text_reach_no_output_as_tex(cli, tmp_path, payload):
    path = _csl(tmp_path, {"text": {"title": [{"tex": payload}, " and ", {"tex": r"{\TeX}"}]}})
    for args in (["convert", str(path), "--to", "bibtex"],
                 ["cv", str(path), "--format", "latex"]):
        res = cli(*args)
        assert res.exit_code == 0, res.stderr
        command = payload.split("{")[0].split()[0]
        assert command not in res.stdout.replace("\\textbackslash{}", "\\TB"), res.stdout
        assert r"{\TeX}" in res.stdout  # the allowed TeX stays TeX
        assert "BK605" in res.stderr


def test_a_bibs_own_tex_stays_in_its_bib_but_the_latex_cv_makes_it_text(cli, tmp_path):
    bib = tmp_path / "own.bib"
    bib.write_text("@article{own, author={Doe, Jane}, journal={J}, year=2020, title={On "
                   "{\\TeX} and \\pdfobj stream file {secret.txt}\\pdfrefobj\\pdflastobj}}\n")
    assert "\\pdfobj" in cli("convert", str(bib), "--to", "bibtex").stdout
    cv = cli("cv", str(bib), "--format", "latex").stdout
    assert "\\pdfobj" not in cv.replace("\\textbackslash{}pdfobj", "")
    assert "\\textbackslash{}pdfobj" in cv and "{\\TeX}" in cv


# --- 3, 18: Hugo page folders stay under -o ------------------------------------------------

HOSTILE_KEYS = ["../../../victim", "/tmp/abs", "DBLP:journals/corr/abs-1810-04805", ".hidden",
                "a\\b", "CON", "same", "SAME", "..", "."]


def test_hugo_page_folders_are_one_safe_component_each(cli, tmp_path):
    bib = tmp_path / "in.bib"
    bib.write_text("".join(f"@misc{{{k}, title={{T{i}}}, author={{Doe, Jane}}, year=2020}}\n"
                           for i, k in enumerate(HOSTILE_KEYS)), encoding="utf-8")
    site = tmp_path / "site" / "content" / "publication"
    site.parent.mkdir(parents=True)
    before = {p for p in tmp_path.rglob("*")}
    for _ in range(2):  # a new target, then an existing one
        res = cli("cv", str(bib), "--format", "hugo", "-o", str(site))
        assert res.exit_code == 0, res.stderr
    made = {p for p in tmp_path.rglob("*")} - before
    assert all(site in p.parents or p == site for p in made), sorted(made)
    folders = sorted(p.name for p in site.iterdir())
    assert len(folders) == len({f.casefold() for f in folders}) >= 9
    assert not any(f.startswith(".") for f in folders)
    assert "DBLP-journals-corr-abs-1810-04805" in folders
    assert all((site / f / "index.md").is_file() for f in folders)


def test_a_hugo_page_without_a_title_gets_its_key_and_a_warning(cli, tmp_path):
    bib = tmp_path / "in.bib"
    bib.write_text("@misc{untitled2020, title={{}}, author={Doe, Jane}, year=2020}\n")
    res = cli("cv", str(bib), "--format", "hugo", "-o", str(tmp_path / "pub"))
    assert "BK409" in res.stderr
    page = (tmp_path / "pub" / "untitled2020" / "index.md").read_text()
    assert 'title: "untitled2020"' in page


# --- 4: templates are sandboxed -------------------------------------------------------------


def test_a_template_cannot_reach_python(cli, tmp_path):
    template = tmp_path / "evil.j2"
    template.write_text('{{ cycler.__init__.__globals__.os.popen("touch pwned").read() }}\n')
    res = cli("cv", str(SAMPLE_LISTING), "--template", str(template))
    assert res.exit_code == 2 and "unsafe" in res.stderr
    assert not Path("pwned").exists()


# --- 5: lone surrogates in CSL-JSON ---------------------------------------------------------


@pytest.mark.parametrize("fmt", ["bibtex", "csljson", "ris", "mods"])
def test_a_lone_surrogate_is_replaced_and_said(cli, tmp_path, fmt):
    path = tmp_path / "s.json"
    path.write_text('[{"id": "a", "type": "book", "title": "x\\ud800y \\ud83d\\ude00",'
                    ' "issued": {"date-parts": [[2020]]}}]')
    res = cli("convert", str(path), "--to", fmt)
    assert res.exit_code == 0 and "BK307" in res.stderr
    assert "\ufffd" in res.stdout and "\U0001f600" in res.stdout  # a whole pair is one


# --- 6: brace matching in linear time, deep nesting refused early ---------------------------


def test_deep_nesting_is_refused_and_wide_nesting_is_linear():
    said: list[str] = []
    deep = "{" * 100_000 + "x" + "}" * 100_000
    start = time.perf_counter()
    assert from_bibtex(deep, lambda _o, m: said.append(m)) == deep
    from_web("a" + "{\\x" * 16_000 + "}" * 16_000)
    from_web("\\emph{" * 100_000 + "}" * 100_000)
    assert time.perf_counter() - start < 10  # ~0.5 s; was a minute, or a RecursionError
    assert said and "nested 100000 deep" in said[0]


def test_a_deeply_nested_bib_field_converts_with_a_message(cli, tmp_path):
    bib = tmp_path / "deep.bib"
    n = 100_000
    bib.write_text("@misc{a, title={" + "{" * n + "x" + "}" * n + "}, year=2020}\n"
                   "@misc{b, title={ok}, year=2021}\n")
    res = cli("convert", str(bib), "--to", "csljson")
    assert res.exit_code == 0 and "Traceback" not in res.stderr
    assert len(json.loads(res.stdout)) == 2 and "nested" in res.stderr


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="{}\\ab$ ", max_size=60))
def test_brace_pairs_match_a_naive_scan(text):
    from bibkit.tex.safety import brace_pairs

    pairs, _ = brace_pairs(text)
    for i, ch in enumerate(text):
        if ch != "{":
            continue
        depth, found = 0, -1
        for j in range(i, len(text)):
            depth += {"{": 1, "}": -1}.get(text[j], 0)
            if depth == 0:
                found = j
                break
        assert pairs.get(i, -1) == found


# --- 7, 8, 12: the HTTP client ---------------------------------------------------------------


class _Handler(BaseHTTPRequestHandler):
    routes: ClassVar[dict[str, object]] = {}

    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        action = self.routes.get(self.path.split("?")[0])
        if callable(action):
            action(self)
            return
        self.send_response(404)
        self.end_headers()


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}", _Handler.routes
    _Handler.routes.clear()
    httpd.shutdown()
    httpd.server_close()


def _trickle(h: BaseHTTPRequestHandler) -> None:
    h.send_response(200)
    h.send_header("Content-Length", "1000")
    h.end_headers()
    try:
        for _ in range(1000):
            h.wfile.write(b"x")
            h.wfile.flush()
            time.sleep(0.1)
    except OSError:
        pass


def test_a_trickling_server_is_cut_off_at_the_deadline(server):
    base, routes = server
    routes["/slow"] = _trickle
    client = HttpClient(timeout=1.0, deadline=1.0, retries=0)
    start = time.monotonic()
    with pytest.raises(ServiceError, match="no whole answer within 1 s"):
        client.get(base + "/slow", RateLimiter(0.0))
    assert time.monotonic() - start < 5  # a byte every 0.1 s would take 100 s


def _redirect_to(target: str):
    def handle(h: BaseHTTPRequestHandler) -> None:
        h.send_response(302)
        h.send_header("Location", target)
        h.end_headers()
    return handle


@pytest.mark.parametrize("target", ["ftp://127.0.0.1/x", "file:///etc/passwd"])
def test_a_redirect_leaves_http_only_as_an_error(server, target):
    base, routes = server
    routes["/moved"] = _redirect_to(target)
    with pytest.raises(ServiceError):
        HttpClient(retries=0).get(base + "/moved", RateLimiter(0.0))


def test_an_https_request_is_not_redirected_to_http():
    import urllib.request

    from bibkit.enrich.http import _Redirects

    req = urllib.request.Request("https://example.org/x")
    with pytest.raises(ServiceError, match="from https only https"):
        _Redirects().redirect_request(req, None, 302, "Found", {}, "http://example.org/y")
    assert _Redirects().redirect_request(req, None, 302, "Found", {},
                                         "https://example.org/y") is not None


def test_a_redirect_within_http_is_followed(server):
    base, routes = server

    def ok(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Length", "2")
        h.end_headers()
        h.wfile.write(b"{}")

    routes["/old"] = _redirect_to(base + "/new")
    routes["/new"] = ok
    assert HttpClient(retries=0).get(base + "/old", RateLimiter(0.0)).body == b"{}"


def test_a_nonsense_answer_is_not_cached(server, tmp_path, monkeypatch):
    from bibkit.enrich.dblp import DblpResolver

    monkeypatch.setattr(DblpResolver, "interval", 0.0)
    base, routes = server
    portal = b"<html><body>Please log in to the Wi-Fi</body></html>"

    def captive(h: BaseHTTPRequestHandler) -> None:
        h.send_response(200)
        h.send_header("Content-Type", "text/html")
        h.send_header("Content-Length", str(len(portal)))
        h.end_headers()
        h.wfile.write(portal)

    routes["/search/publ/api"] = captive
    lib = bibkit.load(SAMPLE_LISTING, as_of=AS_OF)[:2]
    out = bibkit.enrich_library(lib, ["dblp"], cache_dir=tmp_path,
                                endpoints={"dblp": base + "/search/publ/api"})
    assert any(d.code == "BK904" for d in out.diagnostics)
    rows = sqlite3.connect(tmp_path / "http-cache.sqlite3").execute(
        "SELECT count(*) FROM responses").fetchone()[0]
    assert rows == 0


# --- 9, 13: stdout that fails or is closed --------------------------------------------------


def _bibkit(*args: str, shell_prefix: str = "", **kw: object) -> subprocess.CompletedProcess:
    command = " ".join([shell_prefix, sys.executable, "-m", "bibkit", *args])
    return subprocess.run(["bash", "-c", command], capture_output=True, timeout=120,
                          stdin=subprocess.DEVNULL, **kw)  # type: ignore[call-overload]


@pytest.mark.parametrize("unbuffered", ["1", ""])
def test_stdout_cut_by_a_file_size_limit_is_an_error(tmp_path, unbuffered):
    env = {**os.environ, "PYTHONUNBUFFERED": unbuffered}
    res = _bibkit("convert", str(SAMPLE_LISTING), "--to", "csljson", ">",
                  str(tmp_path / "out.json"), shell_prefix="ulimit -f 20;", env=env)
    assert res.returncode == 1, res.stderr
    assert b"too large" in res.stderr.lower()


def test_a_closed_stdout_is_a_message_not_a_traceback():
    res = _bibkit("convert", str(SAMPLE_LISTING), ">&-")
    assert res.returncode == 1 and b"Traceback" not in res.stderr
    assert b"standard output is closed" in res.stderr


def test_a_closed_stderr_still_writes_the_output():
    res = _bibkit("convert", str(SAMPLE_LISTING), "--to", "bibtex", "2>&-")
    assert res.returncode == 0 and res.stdout.count(b"@") == 50


# --- 10: CR-only line ends -------------------------------------------------------------------


@pytest.mark.parametrize("fmt,text,n", [
    ("bibtex", "@article{a,\r title={One},\r year=2020,\r}\r\r@misc{b,\r title={Two}}\r"
               "@misc{c, title={Three}}\r@misc{d,\r title={Four}}\r", 4),
    ("ris", "TY  - JOUR\rTI  - One\rER  - \rTY  - BOOK\rTI  - Two\rER  - \r", 2),
])
def test_cr_only_line_ends_are_line_ends(cli, tmp_path, fmt, text, n):
    path = tmp_path / f"old.{'bib' if fmt == 'bibtex' else 'ris'}"
    path.write_bytes(text.encode())
    res = cli("convert", str(path), "--to", "csljson", "-v")
    assert res.exit_code == 0 and len(json.loads(res.stdout)) == n
    assert "BK308" in res.stderr and "BK305" not in res.stderr


# --- 11: MODS urls valid for the XSD ---------------------------------------------------------


@pytest.mark.parametrize("url,as_url", [
    ("https://example.org/search?f[year]=2020", True),
    ("https://example.org:abc/x", False), ("https://example.org:/x", False),
    ("https://a@@example.org/", False), ("https://example.org/a b", True),
])
def test_mods_urls_pass_the_xsd(url, as_url):
    from lxml import etree

    from bibkit.model.citation import Citation, Identifiers, Kind, PartialDate

    c = Citation(key="u", kind=Kind.WEBPAGE, title="T", issued=PartialDate(2020),
                 ids=Identifiers(url=url))
    xml = bibkit.dump([c], "mods")
    xsd = etree.XMLSchema(etree.parse(str(Path(__file__).parent / "schemas/mods-3-7.xsd")))
    assert xsd.validate(etree.fromstring(xml.encode())), xsd.error_log.last_error
    assert ("<url" in xml) is as_url


# --- 14: -o is the input, through stdin -------------------------------------------------------


def test_output_onto_the_file_given_as_stdin_is_refused(tmp_path):
    mine = tmp_path / "mine.txt"
    mine.write_bytes(SAMPLE_LISTING.read_bytes())
    with mine.open("rb") as stdin:
        res = subprocess.run([sys.executable, "-m", "bibkit", "convert", "-", "--from",
                              "listing", "-o", str(mine)], stdin=stdin, capture_output=True,
                             timeout=120)
    assert res.returncode == 2 and b"is the input" in res.stderr
    assert mine.read_bytes() == SAMPLE_LISTING.read_bytes()


# --- 15: a cache of another schema ------------------------------------------------------------


def test_a_cache_of_another_version_is_said_and_replaced(tmp_path):
    db = sqlite3.connect(tmp_path / "http-cache.sqlite3")
    db.execute("CREATE TABLE responses (url TEXT, data BLOB)")
    db.execute("PRAGMA user_version = 7")
    db.commit()
    db.close()
    cache = HttpCache(tmp_path)
    assert cache.moved_aside is not None and "another version" in cache.why
    cache.put("k", 200, b"x")
    assert cache.get("k", 60) == (200, b"x")
    cache.close()
    again = HttpCache(tmp_path)  # the next run finds a sound cache and says nothing
    assert again.moved_aside is None and again.get("k", 60) == (200, b"x")


# --- 16: enrich -o without a known suffix ----------------------------------------------------


def test_enrich_to_a_file_without_a_suffix_writes_csljson(cli, tmp_path):
    out = tmp_path / "enriched"
    res = cli("enrich", str(SAMPLE_LISTING), "--offline", "--cache-dir", str(tmp_path / "c"),
              "-o", str(out))
    assert res.exit_code == 0, res.stderr
    assert isinstance(json.loads(out.read_text()), list)


# --- 17: Markdown CV -------------------------------------------------------------------------


def test_an_at_sign_in_a_markdown_cv_is_no_pandoc_citation():
    import pypandoc

    from bibkit.cv.layout import render
    from bibkit.cv.options import CvOptions
    from bibkit.model.citation import Citation, Kind, PartialDate

    c = Citation(key="a", kind=Kind.PREPRINT, title="Scaling @openai style models",
                 issued=PartialDate(2024))
    md = render([c], CvOptions(fmt="markdown")).text
    html = pypandoc.convert_text(md, "html", format="markdown")
    assert "@openai" in html and "citation" not in html


# --- 19: names biber reads ---------------------------------------------------------------------


def test_a_name_part_with_commas_is_written_so_biber_keeps_the_entry(tmp_path):
    from bibkit.model.citation import Citation, Kind, PartialDate, Person

    c = Citation(key="n1", kind=Kind.JOURNAL_ARTICLE, title="T", issued=PartialDate(2020),
                 authors=(Person(family="c", particle="a}, b,", given="X"),
                          Person(family="Smith, Jr., III", given="A")))
    out = bibkit.dump([c], "biblatex")
    assert out.count(r"\symbol{44}") == 4
    back = bibkit.loads(out, "bibtex")[0].authors
    assert [p.family for p in back] == ["a}, b, c", "Smith, Jr., III"]
    if not _have("biber"):
        pytest.skip("biber is not installed")
    (tmp_path / "n.bib").write_text(out)
    res = subprocess.run(["biber", "--tool", "--validate-datamodel", "n.bib"], cwd=tmp_path,
                         capture_output=True, text=True, timeout=120)
    assert "too many commas" not in res.stdout and "ERROR" not in res.stdout, res.stdout


def _have(program: str) -> bool:
    import shutil

    if shutil.which(program):
        return True
    if os.environ.get("BIBKIT_REQUIRE_CLIENTS"):
        pytest.fail(f"{program} is required in CI")
    return False


# --- the compiled PDFs hold no file, no JavaScript, no launch action -------------------------


@pytest.mark.client
def test_pdftex_payloads_from_csljson_reach_no_compiled_pdf(tmp_path):
    """The injection campaign's check (fuzz/injection.py), on pdflatex and bibtex: every
    pdfTeX payload in every custom.bibkit slot, through BibTeX and through the LaTeX CV."""
    if not (_have("pdflatex") and _have("bibtex")):
        pytest.skip("pdflatex or bibtex is not installed")
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "fuzz"))
    import injection

    items = [injection.custom_record(i, field, payload)
             for i, (field, payload) in enumerate((f, p) for f in ("title", "venue", "note")
                                                  for p in injection.PDFTEX)]
    lib = bibkit.loads(json.dumps(items), "csljson")
    assert len(lib) == len(items)
    (tmp_path / injection.SENTINEL_FILE).write_text(injection.SENTINEL_TEXT)
    assert injection.tex_bibtex(bibkit.dump(lib, "bibtex"), tmp_path) == ""
    from bibkit.cv.layout import render
    from bibkit.cv.options import CvOptions

    cv = render(lib.citations, CvOptions(fmt="latex", standalone=True)).text
    assert injection.tex_cv(cv, tmp_path) == ""
    # and the check finds what it looks for: a PDF made to hold all three
    (tmp_path / "bad.tex").write_text(
        "\\documentclass{article}\\begin{document}\\input{" + injection.SENTINEL_FILE + "}"
        "\\pdfcatalog{/OpenAction << /S /JavaScript /JS (app.alert(1)) >>}"
        "\\pdfstartlink user{/Subtype/Link /A << /S/Launch /F (calc) >>}x\\pdfendlink"
        "\\end{document}\n")
    injection.run(["pdflatex", "-interaction=nonstopmode", "bad.tex"], tmp_path)
    assert injection.pdf_leaks(tmp_path / "bad.pdf") == (
        "the sentinel file's text, a /JavaScript action, a /Launch action")
