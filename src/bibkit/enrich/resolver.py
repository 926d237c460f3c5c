"""What every remote resolver is: a name, an endpoint that can be changed, a rate limit, and one
method that turns a batch of citations into candidate records for each.

A resolver only fetches and parses; deciding whether a candidate is the same work (match.py)
and what to take from it (merge.py) is the pipeline's job, so every service is held to the
same rules. Candidates are Citations, so the rules need to know nothing about a service.
"""

from __future__ import annotations

import json
import os
import re
import time
import urllib.parse
from abc import ABC, abstractmethod
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

from ..infer.dates import DateError, parse_iso
from ..infer.names import parse_display_name
from ..model.citation import Citation, Kind, PartialDate, Person, normalise_doi
from ..tex.text import LONE_SURROGATE, without_controls
from .http import Blocked, HttpClient, RateLimiter, Response, ServiceError, looks_like_html
from .services import EnrichError

_DBLP_HOMONYM = re.compile(r"\s+\d{4}$")  # DBLP tells people apart with "Bo Han 0003"


class Service:
    """A remote service as bibkit asks it: a name, an endpoint the user may change
    (`--endpoint NAME=URL`, `BIBKIT_NAME_URL`), a rate limit, and the shared client."""

    name: ClassVar[str]  # as given to --enrich and recorded in provenance
    label: ClassVar[str]  # as people write it, for messages
    default_endpoint: ClassVar[str]
    interval: ClassVar[float]  # seconds between requests, as the service asks
    window: ClassVar[tuple[int, float] | None] = None  # and at most N requests in S seconds

    @classmethod
    def make_limiter(cls, clock: Callable[[], float] = time.monotonic,
                     sleep: Callable[[float], None] = time.sleep) -> RateLimiter:
        return RateLimiter(cls.interval, clock, sleep, window=cls.window)

    def __init__(self, client: HttpClient, endpoint: str | None = None,
                 limiter: RateLimiter | None = None) -> None:
        self.client = client
        source = "--endpoint" if endpoint else self.env_var()
        given = endpoint or os.environ.get(self.env_var()) or self.default_endpoint
        check_endpoint(given, f"{source} for {self.name}")
        self.endpoint = given.rstrip("/")
        self.limiter = limiter or self.make_limiter()

    @classmethod
    def env_var(cls) -> str:
        return f"BIBKIT_{cls.name.upper()}_URL"

    def _json(self, response: Response) -> object:
        if response.status != 200:  # 404 or an offline cache miss: nothing found
            return None
        self._not_a_page(response)
        try:
            return json.loads(response.body)
        except (ValueError, UnicodeDecodeError, RecursionError) as exc:
            self.client.forget(response)
            raise ServiceError(f"{self.label}: the answer is not JSON ({exc})") from None

    def _not_a_page(self, response: Response) -> None:
        if looks_like_html(response.body):
            self.client.forget(response)
            raise Blocked(f"{self.label}: answered with a web page, not data (a bot check "
                          "or a login page?); not asked again this run")


class Resolver(Service, ABC):
    batch_size: ClassVar[int] = 1  # citations per lookup() call

    def wants(self, c: Citation) -> bool:
        """Whether this service may add something to `c` (saves requests)."""
        return c.authors_truncated or c.kind is Kind.PREPRINT or not c.ids.doi

    def lacks_author_ids(self, c: Citation) -> bool:
        """No record of this service was merged into `c` yet: it would give the person ids
        that tell the owner from a namesake, and its venue record."""
        return all(key != AUTHOR_IDS + self.name for key, _ in c.extra)

    def prepare(self, cards: Sequence[Citation], owner: OwnerHint
                ) -> dict[int, list[Citation]]:
        """Candidates for some cards found before the lookups, cheaper than one lookup each
        (DBLP: the owner's person page). The cards answered here are not looked up again."""
        return {}

    @abstractmethod
    def lookup(self, batch: Sequence[Citation]) -> list[list[Citation]]:
        """Candidate records for each citation of the batch, in order (none for a lookup
        --offline could not answer from the cache). Raises ServiceError when the service
        fails or answers nonsense."""


@dataclass(frozen=True)
class OwnerHint:
    """What a run knows of the profile owner before any lookup: the test of a name, and the
    owner's person ids the user gave (`--owner-id dblp:h/BoHan3`)."""

    is_owner: Callable[[Person], bool] | None = None
    ids: dict[str, str] = field(default_factory=dict)


def check_endpoint(url: str, where: str) -> None:
    """An http(s) URL with a host, or a usage error naming where it came from."""
    try:
        parts = urllib.parse.urlsplit(url)
        ok = parts.scheme in ("http", "https") and bool(parts.hostname) and " " not in url
        parts.port  # noqa: B018 - raises ValueError for a port that is not a number
    except ValueError:
        ok = False
    if not ok:
        raise EnrichError(f"{where}: {url!r} is not an http(s) URL with a host")


# Where a record keeps the ids its service gives its authors (DBLP's person id "h/BoHan3",
# Semantic Scholar's authorId): one `extra` line a service, "name<TAB>id" a line. The owner
# check tells namesakes apart with them (pipeline.check_owner).
AUTHOR_IDS = "author-ids:"


def author_ids_extra(service: str, pairs: list[tuple[str, str]]) -> tuple[tuple[str, str], ...]:
    lines = [f"{name}\t{ident}" for name, ident in pairs if name and ident]
    return ((AUTHOR_IDS + service, "\n".join(lines)),) if lines else ()


def author_ids(c: Citation) -> dict[str, list[tuple[str, str]]]:
    """service -> [(author name, id)] as the records merged into `c` gave them."""
    out: dict[str, list[tuple[str, str]]] = {}
    for key, value in c.extra:
        if key.startswith(AUTHOR_IDS):
            out[key[len(AUTHOR_IDS):]] = [tuple(line.split("\t", 1))  # type: ignore[misc]
                                          for line in value.split("\n") if "\t" in line]
    return out


def person(name: str) -> Person:
    return parse_display_name(_DBLP_HOMONYM.sub("", " ".join(name.split())))


def doi(text: object) -> str:
    return normalise_doi(text) if isinstance(text, str) else ""


def first_family(c: Citation) -> str:
    for p in c.authors:
        if p.family:
            return p.family
    return ""


def as_dict(value: object) -> dict[str, Any]:
    """A JSON object, or {} for anything else: remote answers are untrusted in shape too."""
    return value if isinstance(value, dict) else {}


def as_list(value: object) -> list[Any]:
    return value if isinstance(value, list) else []


def text_of(value: object) -> str:
    """A JSON value that should be a string (or a one-element list, as in Crossref)."""
    if isinstance(value, list):
        value = value[0] if value else ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return one_line(value) if isinstance(value, str) else ""


def one_line(text: str) -> str:
    """Remote text on one line: white space collapsed, control characters (an escape
    sequence in a title from a service) removed."""
    return " ".join(LONE_SURROGATE.sub("\ufffd", without_controls(text)[0]).split())


# What indexes put where a volume, issue or page is not known yet: IEEE's early-access
# volume "PP", a 0, "early access", "in press" (a placeholder copied is a wrong value)
_PLACEHOLDERS = frozenset({"pp", "0", "00", "0-0", "early access", "early-access",
                           "ahead of print", "ahead-of-print", "in press", "-", "n/a", "na",
                           "tba", "tbd", "online first"})


def part_of(value: object) -> str:
    """A volume, issue or page range from a service, "" for a placeholder (`PP`, `0`)."""
    text = text_of(value)
    return "" if text.casefold() in _PLACEHOLDERS else text


def iso_date(text: str) -> PartialDate | None:
    """An ISO date from a service, or None when it is not one (a "2023-02-30" included)."""
    try:
        return parse_iso(text)
    except DateError:
        return None


def year_of(value: object) -> int | None:
    text = text_of(value)
    return int(text[:4]) if len(text) >= 4 and text[:4].isdigit() else None
