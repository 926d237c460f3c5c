"""The one HTTP client every resolver shares.

What a polite, robust client of scholarly APIs needs, in one place: a descriptive User-Agent,
a timeout on every request, a per-service rate limit (arXiv asks for one request every three
seconds), retries with exponential backoff on 429 and 5xx that honour `Retry-After`, a cap on
response size, the on-disk cache consulted first, and an offline mode that never touches the
network. All waiting goes through the service's RateLimiter, whose clock and sleep are
injectable, so tests check the waiting without waiting.

The standard library's urllib is enough here: the retry, rate-limit and cache policies are
the point of this module, and a third-party session would not remove any of them.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import http.client
import os
import socket
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import Counter, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..version import __version__
from .cache import DEFAULT_TTL, HttpCache, request_key
from .waits import quota_spent, retry_after

MAILTO_ENV = "BIBKIT_MAILTO"


def user_agent() -> str:
    """`bibkit/VERSION (URL; mailto:ADDRESS)`: the shape Crossref's etiquette asks for, with a
    contact address when the user gives one (BIBKIT_MAILTO), so an operator can write
    instead of blocking."""
    mailto = os.environ.get(MAILTO_ENV, "").strip()
    contact = f"; mailto:{mailto}" if mailto else ""
    return f"bibkit/{__version__} (https://pypi.org/project/bibkit/{contact})"


RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
MAX_BODY = 32 * 1024 * 1024  # a metadata response is kilobytes; more is a broken server


class ServiceError(Exception):
    """A service did not answer usefully after the retries; the message says why."""


class ServiceUnreachable(ServiceError):
    """No connection at all (no DNS, no route, refused): asking again would not help."""


class Throttled(ServiceError):
    """The service kept saying "too many requests": the entries wait for the next run."""


class QuotaSpent(Throttled):
    """The service's budget for the day (or hour) is spent: no request is answered until it
    resets, so the service is not asked again this run."""


class Blocked(ServiceError):
    """The service answered a data request with a web page (DBLP's bot check, a captive
    portal's login): not data, and asking again this run gets the same page."""


class ConnectTimeout(OSError):
    """No connection within the connect timeout: packets are dropped (a firewall, captive
    Wi-Fi). Not retried: the next attempt would wait as long for the same silence."""


def looks_like_html(data: bytes) -> bool:
    """A web page where JSON or XML data was asked for."""
    head = data[:512].lstrip().lower()
    return head.startswith((b"<!doctype html", b"<html")) or (
        head.startswith(b"<?xml") and b"<html" in head)


# What a throttled service answers instead of data, with any status (arXiv: 200 or 429 and a
# plain-text "Rate exceeded."; Semantic Scholar: {"message": "Too Many Requests. ..."})
_THROTTLE_BODIES = (b"rate exceeded", b"too many requests", b'{"message": "too many requests')
MAX_INTERVAL = 60.0  # a throttled service is slowed down to at most one request a minute


def is_throttle_answer(data: bytes) -> bool:
    return len(data) < 512 and data.strip().lower().startswith(_THROTTLE_BODIES)


def _unreachable(reason: object) -> bool:
    """No DNS answer, no route, nobody listening: the host cannot be reached now."""
    if isinstance(reason, (socket.gaierror, ConnectTimeout)):
        return True
    return isinstance(reason, OSError) and reason.errno in (
        errno.ECONNREFUSED, errno.ENETUNREACH, errno.EHOSTUNREACH, errno.ENETDOWN)


BRIEF_TTL = 24 * 3600.0  # an answer that may be transient is asked again the next day
OFFLINE_MISS = 0  # Response.status when --offline and the cache does not hold the request


@dataclass
class RateLimiter:
    """At most one request per `interval` seconds (shared by all requests to one service)."""

    interval: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _next: float = 0.0
    base: float = -1.0  # the interval the service asks for; throttling raises `interval`
    # told of every wait of a second or more, with why: "rate limit", "throttled", "retrying"
    notify: Callable[[float, str], None] | None = None
    _why: str = "rate limit"
    # also at most `window[0]` requests in any `window[1]` seconds (DBLP: "about 12 a
    # minute"): a short burst goes at `interval`, a long run at the window's average
    window: tuple[int, float] | None = None
    _sent: deque[float] = field(default_factory=deque)

    def __post_init__(self) -> None:
        if self.base < 0:
            self.base = self.interval

    def wait(self) -> None:
        now = self.clock()
        if self.window is not None and len(self._sent) >= self.window[0]:
            self._next = max(self._next, self._sent[-self.window[0]] + self.window[1])
        if now < self._next:
            if self.notify is not None and self._next - now >= 1.0:
                self.notify(self._next - now, self._why)
            self.sleep(self._next - now)
            now = self._next
        self._next = now + self.interval
        if self.window is not None:
            self._sent.append(now)
            while len(self._sent) > self.window[0]:
                self._sent.popleft()
        self._why = "throttled: slowed down" if self.interval > self.base else "rate limit"

    def defer(self, seconds: float) -> None:
        """The service asked us to wait (Retry-After), or a retry waits: no request before
        then."""
        self._next = max(self._next, self.clock() + seconds)
        self._why = "retrying"

    def slow_down(self) -> None:
        """The service throttled us: every later request to it waits twice as long."""
        self.interval = min(MAX_INTERVAL, max(self.interval, 0.5) * 2)

    def recover(self) -> None:
        """An answer: a slowed-down service speeds up again, a little at a time (halving at
        once would meet the same limit again)."""
        if self.interval > self.base:
            self.interval = max(self.base, self.interval * 0.8)


@dataclass(frozen=True)
class Response:
    status: int  # 200; 404 (a lookup that found nothing is an answer too); OFFLINE_MISS
    body: bytes
    key: str = ""  # its cache key: forget() it when it turns out to be no answer


@dataclass
class HttpClient:
    cache: HttpCache | None = None
    offline: bool = False
    refresh: bool = False  # fetch even when cached (and store the new answer)
    timeout: float = 20.0
    # a connection is made in well under a second where the network works; silence this
    # long means dropped packets, and the service is left for the run at once
    connect_timeout: float = 4.0
    retries: int = 3
    backoff: float = 2.0  # first retry after 2 s, then 4 s, 8 s
    max_wait: float = 120.0  # a Retry-After longer than this gives up on the service
    user_agent: str = field(default_factory=user_agent)
    ttl: float = DEFAULT_TTL
    wall_clock: Callable[[], float] = time.time
    stats: Counter[str] = field(default_factory=Counter)
    # told after every answer (fetched or cached): the progress line lives on it
    observer: Callable[[], None] | None = None
    # a whole request (connection, headers and body) ends after deadline seconds, however
    # slowly a server trickles its answer; `timeout` bounds each wait for a byte
    deadline: float = 60.0
    # the cache keys stored since mark(): unstore() forgets them when the resolver could not
    # read the answers (a nonsense 200 is not an answer to keep)
    _stored: list[str] = field(default_factory=list)

    def mark(self) -> None:
        self._stored.clear()

    def forget(self, response: Response) -> None:
        """This answer is not one (a bot check's page, a body that does not parse): it is
        not served again from the cache."""
        if self.cache is not None and response.key:
            self.cache.delete([response.key])
            self.stats["answers not kept"] += 1

    def keep_briefly(self, seconds: float = BRIEF_TTL) -> None:
        """The answers stored since mark() expire after `seconds` rather than the usual
        month: they may be transient (a `null` in a Semantic Scholar batch is also what an
        overloaded shard answers)."""
        if self.cache is not None:
            for key in self._stored:
                self.cache.backdate(key, self.wall_clock() - self.ttl + seconds)

    def unstore(self) -> None:
        if self.cache is not None and self._stored:
            self.cache.delete(list(self._stored))
            self.stats["answers not kept"] += len(self._stored)
        self._stored.clear()

    def get(self, url: str, limiter: RateLimiter, headers: dict[str, str] | None = None
            ) -> Response:
        return self.request("GET", url, limiter, headers=headers)

    def post(self, url: str, body: bytes, limiter: RateLimiter,
             headers: dict[str, str] | None = None) -> Response:
        return self.request("POST", url, limiter, body=body, headers=headers)

    def request(self, method: str, url: str, limiter: RateLimiter, *, body: bytes = b"",
                headers: dict[str, str] | None = None) -> Response:
        response = self._answer(method, url, limiter, body, headers or {})
        if self.observer is not None:
            self.observer()
        return response

    def _answer(self, method: str, url: str, limiter: RateLimiter, body: bytes,
                headers: dict[str, str]) -> Response:
        key = request_key(method, url, body)
        if self.cache is not None and not self.refresh:
            hit = self.cache.get(key, self.ttl)
            if hit is not None:
                self.stats["cache hits"] += 1
                return Response(hit[0], hit[1], key)
        if self.offline:  # an unanswered lookup, not a failure: the entry stays as it is
            self.stats["offline misses"] += 1
            return Response(OFFLINE_MISS, b"")
        status, data = self._fetch(method, url, body, headers, limiter)
        if self.cache is not None:
            self.cache.put(key, status, data)
            self._stored.append(key)
        return Response(status, data, key)

    def _retry_or_raise(self, exc: urllib.error.HTTPError, url: str, wait: float
                        ) -> tuple[str, bool, float] | None:
        """An HTTP error answer: None for 404 (nothing there), else (the problem, whether it
        throttles the service, how long to wait) for a status worth another attempt; raises
        for any other status, or when the server asks for a longer wait than allowed."""
        answer = exc.read(512) if exc.fp is not None else b""
        exc.close()
        if exc.code == 404:
            return None
        if exc.code not in RETRY_STATUSES:
            raise ServiceError(f"{_host(url)}: HTTP {exc.code} {exc.reason}") from None
        spent = quota_spent(exc.code, exc.headers, answer, self.wall_clock())
        if spent is not None:  # no retry answers before the reset: stop asking at once
            raise QuotaSpent(f"{_host(url)}: {spent}") from None
        asked = retry_after(exc.headers.get("Retry-After"), self.wall_clock())
        # a Retry-After says how long; without one, throttling slows the service
        throttled = asked is None and (exc.code in (429, 503) or is_throttle_answer(answer))
        if asked is not None:
            if asked > self.max_wait:
                raise Throttled(f"{_host(url)}: HTTP {exc.code}, asked to wait "
                                f"{asked:.0f} s") from None
            wait = max(wait, asked)
        return f"HTTP {exc.code}", throttled, wait

    def _fetch(self, method: str, url: str, body: bytes, headers: dict[str, str],
               limiter: RateLimiter) -> tuple[int, bytes]:
        try:
            request = urllib.request.Request(url, data=body or None, method=method)
        except ValueError as exc:  # endpoints are checked first; this is the last guard
            raise ServiceError(f"{url[:60]}: not a URL ({exc})") from None
        request.add_header("User-Agent", self.user_agent)
        for name, value in headers.items():
            request.add_header(name, value)
        problem = ""
        for attempt in range(self.retries + 1):
            limiter.wait()
            self.stats["requests"] += 1
            wait = self.backoff * 2**attempt
            throttled = False
            watch = _Watch(self.connect_timeout)
            timer = threading.Timer(self.deadline, watch.expire)
            timer.daemon = True
            timer.start()
            try:
                with _opener(watch).open(request, timeout=self.timeout) as reply:
                    data = _whole_answer(reply, watch, url)
                    if not is_throttle_answer(data):
                        limiter.recover()
                        return reply.status, data
                    throttled, problem = True, f"throttled ({data.strip()[:40]!r})"
            except urllib.error.HTTPError as exc:
                retry = self._retry_or_raise(exc, url, wait)
                if retry is None:
                    return 404, b""
                problem, throttled, wait = retry
            except TimeoutError:
                problem = (f"no whole answer within {self.deadline:g} s" if watch.expired
                           else f"no answer within {self.timeout:g} s")
            except (urllib.error.URLError, http.client.HTTPException, OSError) as exc:
                # OSError: a reset connection, an SSL failure while reading
                reason = getattr(exc, "reason", exc)
                if watch.expired:
                    problem = f"no whole answer within {self.deadline:g} s"
                elif _unreachable(reason):
                    raise ServiceUnreachable(f"{_host(url)}: cannot connect ({reason})") from None
                else:
                    problem = f"cannot connect ({reason})"
            finally:
                timer.cancel()
            if throttled:
                # no Retry-After (arXiv, DBLP and Semantic Scholar send none): the whole
                # service slows down, not only this request
                self.stats["throttled"] += 1
                limiter.slow_down()
                wait = max(wait, limiter.interval)
            if attempt < self.retries:
                self.stats["retries"] += 1
                limiter.defer(wait)  # the next limiter.wait() sleeps it
        error = Throttled if throttled or problem in ("HTTP 429", "HTTP 503") else ServiceError
        raise error(f"{_host(url)}: {problem} after {self.retries + 1} attempts")


def _whole_answer(reply: Any, watch: _Watch, url: str) -> bytes:
    """The body of a reply: all of it within the deadline, and no more than MAX_BODY."""
    data: bytes = reply.read(MAX_BODY + 1)
    if watch.expired:  # cut off: what came is not the whole answer
        raise TimeoutError
    if len(data) > MAX_BODY:
        raise ServiceError(f"{_host(url)}: response larger than {MAX_BODY // 2**20} MB")
    return data


class _Watch:
    """The connection of the request under way, so that a timer can end it at the deadline
    (a socket timeout bounds one wait for a byte, not a server that sends one a second)."""

    def __init__(self, connect_timeout: float = 4.0) -> None:
        self.sock: socket.socket | None = None
        self.expired = False
        self.connect_timeout = connect_timeout

    def expire(self) -> None:
        self.expired = True
        if self.sock is not None:
            with contextlib.suppress(OSError):
                self.sock.shutdown(socket.SHUT_RDWR)  # the blocked read returns at once


class _Watched:
    """A connection that tells its watch its socket, once connected."""

    sock: socket.socket
    timeout: float | None

    def __init__(self, *args: Any, watch: _Watch, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.watch = watch

    def connect(self) -> None:
        # the connection gets its own, shorter timeout; reads get the request's
        read_timeout = self.timeout
        self.timeout = self.watch.connect_timeout
        try:
            super().connect()  # type: ignore[misc]  # the connection class after it in the MRO
        except TimeoutError:
            raise ConnectTimeout(f"no connection within {self.watch.connect_timeout:g} s "
                                 "(packets dropped?)") from None
        finally:
            self.timeout = read_timeout
        self.sock.settimeout(read_timeout)
        self.watch.sock = self.sock


class _WatchedHTTP(_Watched, http.client.HTTPConnection):
    pass


class _WatchedHTTPS(_Watched, http.client.HTTPSConnection):
    pass


class _Redirects(urllib.request.HTTPRedirectHandler):
    """Redirects to http(s) only (urllib also follows ftp://), and from https to https only:
    an answer that was asked for securely is not taken from a plain connection."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> urllib.request.Request | None:
        scheme = urllib.parse.urlsplit(newurl).scheme.lower()
        was = urllib.parse.urlsplit(req.full_url).scheme.lower()
        if scheme not in ("http", "https") or (was == "https" and scheme != "https"):
            raise ServiceError(f"{_host(req.full_url)}: redirected to {newurl[:80]!r}; only "
                               "http(s) is followed, and from https only https")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _opener(watch: _Watch) -> urllib.request.OpenerDirector:
    class Http(urllib.request.HTTPHandler):
        def http_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(functools.partial(_WatchedHTTP, watch=watch), req)

    class Https(urllib.request.HTTPSHandler):
        def https_open(self, req: urllib.request.Request) -> Any:
            return self.do_open(functools.partial(_WatchedHTTPS, watch=watch), req,
                                context=self._context)  # type: ignore[attr-defined]

    return urllib.request.build_opener(Http, Https, _Redirects)


def _host(url: str) -> str:
    return urllib.parse.urlsplit(url).netloc or url
