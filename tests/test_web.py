"""`bibkit serve`'s endpoint without a browser: POST /api/convert gives what `bibkit convert`
writes, for every format; the server refuses what another site or an oversized body asks."""

from __future__ import annotations

import http.client
import json
import re
import threading
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from bibkit.formats import registry
from bibkit.web.server import PAGE_POLICY, BibkitServer
from conftest import SAMPLE_LISTING, SAMPLES

AS_OF = "2026-11-27"
LISTING = SAMPLE_LISTING.read_text("utf-8")


@pytest.fixture(scope="module")
def server() -> Iterator[BibkitServer]:
    srv = BibkitServer("127.0.0.1", 0, max_body=1024 * 1024)
    thread = threading.Thread(target=srv.serve_forever, daemon=True)
    thread.start()
    yield srv
    srv.shutdown()
    srv.server_close()


@dataclass
class Reply:
    status: int
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)


def request(srv: BibkitServer, method: str, path: str, body: bytes = b"",
            headers: dict[str, str] | None = None) -> Reply:
    conn = http.client.HTTPConnection("127.0.0.1", srv.port, timeout=30)
    try:
        conn.request(method, path, body=body, headers={"Host": f"127.0.0.1:{srv.port}",
                                                       **(headers or {})})
        answer = conn.getresponse()
        return Reply(answer.status, dict(answer.headers), answer.read())
    finally:
        conn.close()


def post(srv: BibkitServer, path: str, fields: dict[str, str],
         headers: dict[str, str] | None = None) -> Reply:
    body = urllib.parse.urlencode(fields).encode("utf-8")
    return request(srv, "POST", path, body, {
        "Content-Type": "application/x-www-form-urlencoded", **(headers or {})})


def cli_output(fmt: str) -> bytes:
    """The bytes `bibkit convert` writes to standard output (CRLF and all)."""
    from click.testing import CliRunner

    from bibkit.cli import main

    res = CliRunner().invoke(main, ["convert", str(SAMPLE_LISTING), "--to", fmt,
                                    "--as-of", AS_OF])
    assert res.exit_code == 0
    return res.stdout_bytes


@pytest.mark.parametrize("fmt", [name for name, spec in registry.formats().items()
                                 if spec.writer and not spec.directory])
def test_every_format_is_what_the_cli_writes(server, fmt):
    answer = post(server, "/api/convert", {"input": LISTING, "to": fmt, "as_of": AS_OF})
    body = answer.body
    assert answer.status == 200, body[:300]
    assert body == cli_output(fmt)
    suffix = next(iter(registry.get(fmt, "write").suffixes), ".txt")
    assert answer.headers["Content-Disposition"] == f'attachment; filename="bibkit-{fmt}{suffix}"'
    assert answer.headers["Content-Type"].endswith("; charset=utf-8")
    assert answer.headers["X-Bibkit-Entries"] == "50"


def test_the_golden_bibtex_and_a_multipart_upload_as_curl_sends_it(server):
    boundary = "b1234"
    parts = [("input", LISTING, 'filename="listing.txt"'), ("as_of", AS_OF, "")]
    body = "".join(f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\""
                   f"{'; ' + extra if extra else ''}\r\n\r\n{value}\r\n"
                   for name, value, extra in parts) + f"--{boundary}--\r\n"
    answer = request(server, "POST", "/api/convert", body.encode("utf-8"), {
        "Content-Type": f"multipart/form-data; boundary={boundary}"})
    assert answer.status == 200
    expected = (SAMPLES / "listing/profile-listing.expected/bibtex.bib").read_bytes()
    assert answer.body == expected


def test_inspect_says_what_bibkit_saw(server):
    answer = post(server, "/api/inspect", {"input": LISTING, "as_of": AS_OF})
    data = answer.json()
    assert answer.status == 200 and data["from"] == "listing" and data["owner"] == "Bo Han"
    assert len(data["entries"]) == 50 and data["entries"][0]["key"] == "zhu2023combating"
    assert any(p["rule"] for e in data["entries"] for p in e["provenance"])


def test_nothing_readable_is_400_with_the_diagnostics_and_their_lines(server):
    broken = "@article{a, title={Broken\n@article{b, title={Also broken\n"
    answer = post(server, "/api/convert", {"input": broken, "from": "bibtex"})
    data = answer.json()
    assert answer.status == 400 and answer.headers["Content-Type"] == "application/json"
    assert data["diagnostics"] and all(d["line"] for d in data["diagnostics"])
    for fields in ({"input": ""}, {"input": LISTING, "to": "cv-hugo"},
                   {"input": LISTING, "as_of": "yesterday"},
                   {"input": LISTING, "to": "cv-text", "style": "../../etc/passwd"}):
        answer = post(server, "/api/convert", fields)
        assert answer.status == 400 and answer.json()["error"]


def test_an_oversized_body_is_413_before_it_is_read(server):
    answer = request(server, "POST", "/api/convert", b"", {
        "Content-Type": "application/x-www-form-urlencoded",
        "Content-Length": str(server.max_body + 1)})
    assert answer.status == 413


@pytest.mark.parametrize("headers", [{"Origin": "https://evil.example"},
                                     {"Origin": "null"},
                                     {"Origin": "null", "Sec-Fetch-Site": "cross-site"},
                                     {"Sec-Fetch-Site": "cross-site"}])
def test_another_site_cannot_drive_it(server, headers):
    answer = post(server, "/api/convert", {"input": LISTING}, headers)
    assert answer.status == 403


def test_a_foreign_host_is_refused_as_dns_rebinding_would_send_it(server):
    answer = request(server, "GET", "/", headers={"Host": "attacker.example:80"})
    assert answer.status == 421
    own = post(server, "/api/convert", {"input": LISTING, "as_of": AS_OF},
               {"Origin": f"http://localhost:{server.port}"})
    assert own.status == 200


def test_the_page_has_a_strict_policy_and_no_inline_script(server):
    answer = request(server, "GET", "/")
    page = answer.body.decode("utf-8")
    assert answer.status == 200 and answer.headers["Content-Security-Policy"] == PAGE_POLICY
    assert "'unsafe-inline'" not in PAGE_POLICY and "script-src 'self'" in PAGE_POLICY
    assert "<script src=\"/app.js\"" in page and "<script>" not in page
    assert not re.search(r"\son[a-z]+\s*=", page)  # no inline event handler either
    for asset in ("/app.js", "/app.css"):
        assert request(server, "GET", asset).status == 200
    assert request(server, "GET", "/../pyproject.toml").status == 404
    formats = request(server, "GET", "/api/formats").json()
    assert "cv-hugo" not in [f["name"] for f in formats["to"]] and "apa" in formats["styles"]


def test_the_pages_own_preview_form_is_let_through(server):
    # browsers send a form posted into a sandboxed frame with an opaque origin
    answer = post(server, "/api/convert", {"input": LISTING, "to": "cv-html", "as_of": AS_OF},
                  {"Origin": "null", "Sec-Fetch-Site": "same-origin"})
    assert answer.status == 200


def test_a_cv_page_answer_runs_nothing_even_opened_alone(server):
    answer = post(server, "/api/convert", {"input": LISTING, "to": "cv-html",
                                           "as_of": AS_OF})
    assert answer.status == 200
    assert answer.headers["Content-Security-Policy"].startswith("sandbox;")


def test_bibkit_serve_says_where_and_stops_on_ctrl_c():
    import signal
    import subprocess
    import sys
    import urllib.request

    proc = subprocess.Popen([sys.executable, "-m", "bibkit", "serve", "--port", "0"],
                            stderr=subprocess.PIPE, text=True)
    try:
        line = proc.stderr.readline() if proc.stderr else ""
        m = re.search(r"serving on (http://127\.0\.0\.1:\d+/)", line)
        assert m, line
        with urllib.request.urlopen(m.group(1), timeout=10) as page:
            assert b"<title>bibkit" in page.read()
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=10) == 0
        assert "stopped" in (proc.stderr.read() if proc.stderr else "")
    finally:
        proc.kill()
        if proc.stderr:
            proc.stderr.close()


def test_a_port_in_use_is_one_line_not_a_traceback(server, cli):
    res = cli("serve", "--port", str(server.port))
    assert res.exit_code == 1 and "cannot listen on 127.0.0.1:" in res.stderr
    assert "Traceback" not in res.stderr


def test_listening_on_every_address_answers_to_this_machines_names_only():
    import socket

    srv = BibkitServer("0.0.0.0", 0)
    try:
        assert f"{socket.gethostname().lower()}:{srv.port}" in srv.hosts
        assert f"attacker.example:{srv.port}" not in srv.hosts
        assert srv.url == f"http://127.0.0.1:{srv.port}/"
    finally:
        srv.server_close()


@pytest.mark.parametrize("sample", ["bibtex/real-world.bib", "bibtex/real-exports.bib",
                                    "csljson/zotero-export.json", "ris/zotero-export.ris",
                                    "listing/edge-cases.txt"])
@pytest.mark.parametrize(("fmt", "style"), [("biblatex", ""), ("ris", ""),
                                            ("cv-markdown", "apa")])
def test_every_sample_as_the_cli_converts_it(server, sample, fmt, style):
    """Pasted text (CRLF as a browser's form sends it) converts as the file does."""
    from click.testing import CliRunner

    from bibkit.cli import main

    path = SAMPLES / sample
    args = ["convert", str(path), "--to", fmt, "--as-of", AS_OF]
    args += ["-O", f"csl={style}"] if style else []
    cli = CliRunner().invoke(main, args)
    text = path.read_text("utf-8").replace("\n", "\r\n")
    answer = post(server, "/api/convert", {"input": text, "to": fmt, "as_of": AS_OF,
                                           "style": style})
    if cli.exit_code == 0 or cli.stdout_bytes:
        assert answer.status == 200 and answer.body == cli.stdout_bytes
    else:
        assert answer.status == 400


def test_a_failure_of_bibkits_own_is_a_500_and_the_server_lives(server, monkeypatch):
    from bibkit.web import server as web_server

    def broken(fields):
        raise RuntimeError("a bug")

    monkeypatch.setitem(web_server._POSTS, "/api/convert", broken)
    answer = post(server, "/api/convert", {"input": LISTING})
    assert answer.status == 500 and "RuntimeError: a bug" in answer.json()["error"]
    monkeypatch.undo()
    assert post(server, "/api/convert", {"input": LISTING, "as_of": AS_OF}).status == 200
