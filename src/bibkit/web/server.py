"""The local web server of `bibkit serve`: the standard library's threading HTTP server
(one user on their own machine needs no framework), bound to 127.0.0.1 unless told
otherwise, serving one page, its two assets and the endpoints of web/requests.

Safe by construction: every answer carries a Content-Security-Policy without inline
script; a request whose Host is not the server's own (DNS rebinding) or whose Origin is
another site's (a page elsewhere driving this one from the user's browser) is refused; a
body over the size limit is refused before it is read (413); nothing reads or writes a
file beyond the page's own assets.
"""

from __future__ import annotations

import email.parser
import email.policy
import sys
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any
from urllib.parse import parse_qs, urlsplit

from . import requests
from .requests import Answer

MAX_BODY = 8 * 1024 * 1024  # a pasted profile is kilobytes; a whole .bib library a few MB
PAGE_POLICY = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
               "connect-src 'self'; frame-src 'self'; form-action 'self'; base-uri 'none'; "
               "frame-ancestors 'none'")
_ASSETS = {"/": ("index.html", "text/html; charset=utf-8"),
           "/app.js": ("app.js", "text/javascript; charset=utf-8"),
           "/app.css": ("app.css", "text/css; charset=utf-8")}
_POSTS: dict[str, Callable[[dict[str, str]], Answer]] = {
    "/api/convert": requests.convert, "/api/inspect": requests.inspect}


def asset(name: str) -> bytes:
    return resources.files("bibkit.web").joinpath("static", name).read_bytes()


class Handler(BaseHTTPRequestHandler):
    server_version = "bibkit"
    protocol_version = "HTTP/1.1"
    server: BibkitServer

    def version_string(self) -> str:
        return self.server_version  # not the Python version

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            sys.stderr.write(f"bibkit serve: {format % args}\n")

    def do_GET(self) -> None:  # the standard library's names
        if not self._host_ok():
            return
        path = urlsplit(self.path).path
        if path == "/api/formats":
            self._answer(requests.formats())
        elif path in _ASSETS:
            name, media = _ASSETS[path]
            self._answer(Answer(200, asset(name), media))
        else:
            self._answer(Answer(404, b"not found\n", "text/plain; charset=utf-8"))

    def do_POST(self) -> None:
        if not self._host_ok() or not self._origin_ok():
            return
        path = urlsplit(self.path).path
        endpoint = _POSTS.get(path)
        if endpoint is None:
            self._answer(Answer(404, b"not found\n", "text/plain; charset=utf-8"))
            return
        try:
            length = int(self.headers.get("Content-Length", ""))
        except ValueError:
            self._refuse(HTTPStatus.LENGTH_REQUIRED, "a request body needs its Content-Length")
            return
        if length > self.server.max_body or length < 0:
            self.close_connection = True  # the body is not read
            self._refuse(HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
                         f"the request is over {self.server.max_body // (1024 * 1024)} MB")
            return
        body = self.rfile.read(length)
        try:
            fields = form_fields(self.headers.get("Content-Type", ""), body)
        except ValueError as exc:
            self._refuse(HTTPStatus.BAD_REQUEST, str(exc))
            return
        try:
            answer = endpoint(fields)
        except Exception as exc:  # a bug of bibkit's: said to the page, and the server lives
            self._refuse(HTTPStatus.INTERNAL_SERVER_ERROR, f"bibkit failed on this input "
                         f"({type(exc).__name__}: {exc}); please report it")
            return
        self._answer(answer)

    # --- the checks --------------------------------------------------------------------------

    def _host_ok(self) -> bool:
        host = (self.headers.get("Host") or "").lower()
        if host in self.server.hosts:
            return True
        self._refuse(HTTPStatus.MISDIRECTED_REQUEST, f"this server answers to "
                     f"{sorted(self.server.hosts)[0]}, not {host or 'no Host'}")
        return False

    def _origin_ok(self) -> bool:
        origin = self.headers.get("Origin")
        site = self.headers.get("Sec-Fetch-Site", "")
        if (origin is None or origin.lower() in self.server.origins) and site in (
                "", "same-origin", "none"):
            return True  # a script (no Origin) or this page
        if origin == "null" and site == "same-origin":
            return True  # this page's form into its sandboxed preview frame, which browsers
            # send with an opaque origin; their Sec-Fetch-Site still names the page's site
        self._refuse(HTTPStatus.FORBIDDEN, "requests from other sites are refused")
        return False

    # --- answers ----------------------------------------------------------------------------

    def _refuse(self, status: HTTPStatus, why: str) -> None:
        self._answer(Answer.json(int(status), {"error": why, "diagnostics": []}))

    def _answer(self, answer: Answer) -> None:
        self.send_response(answer.status)
        headers = {"Content-Type": answer.media_type,
                   "Content-Length": str(len(answer.body)),
                   "Content-Security-Policy": PAGE_POLICY,
                   "X-Content-Type-Options": "nosniff",
                   "Referrer-Policy": "no-referrer",
                   "Cache-Control": "no-store",
                   "X-Frame-Options": "SAMEORIGIN",
                   **answer.headers}
        if self.close_connection:
            headers["Connection"] = "close"
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(answer.body)


def form_fields(content_type: str, body: bytes) -> dict[str, str]:
    """The fields of an HTML form's body: urlencoded, or multipart (a file sent by curl -F
    or a browser); each value UTF-8 text."""
    media = content_type.split(";", 1)[0].strip().lower()
    try:
        if media == "application/x-www-form-urlencoded":
            pairs = parse_qs(body.decode("utf-8"), keep_blank_values=True,
                             max_num_fields=100)
            return {name: values[-1] for name, values in pairs.items()}
        if media == "multipart/form-data":
            message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
                b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + body)
            fields = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True)
                if isinstance(name, str) and isinstance(payload, bytes):
                    fields[name] = payload.decode("utf-8")
            return fields
    except UnicodeError:
        raise ValueError("the form is not UTF-8 text") from None
    raise ValueError("send the fields as a form (application/x-www-form-urlencoded or "
                     "multipart/form-data)")


class BibkitServer(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A browser that went away mid-answer is no error worth a traceback."""
        if isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            return
        super().handle_error(request, client_address)

    def __init__(self, host: str, port: int, *, max_body: int = MAX_BODY,
                 verbose: bool = False) -> None:
        super().__init__((host, port), Handler)
        self.max_body = max_body
        self.verbose = verbose
        self.host = host
        port = self.port = int(self.server_address[1])
        names = {"127.0.0.1", "localhost", "[::1]", host.lower()} | (
            _this_machine() if host in ("0.0.0.0", "::", "") else set())
        self.hosts = {f"{name}:{port}" for name in names}
        self.origins = {f"http://{h}" for h in self.hosts}

    @property
    def url(self) -> str:
        host = "127.0.0.1" if self.host in ("0.0.0.0", "", "::") else self.host
        return f"http://{host}:{self.port}/"


def _this_machine() -> set[str]:
    """The names and addresses others reach this machine by, for a server listening on all
    of them (`--host 0.0.0.0`): a Host header naming anything else is still refused."""
    import socket

    names = {socket.gethostname().lower(), socket.getfqdn().lower()}
    try:
        for info in socket.getaddrinfo(socket.gethostname(), None):
            address = str(info[4][0])
            names.add(f"[{address}]" if ":" in address else address)
    except OSError:
        pass
    return names
