"""One enrichment run as the CLI and the API start it: settings in, enriched citations and a
change report out. Owns the shared HTTP client and its cache for the length of the run."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..infer.names import owner_matcher
from ..model.citation import Citation, Kind, Profile
from ..model.diagnostics import Diagnostics
from .cache import CacheError, HttpCache, default_cache_dir
from .enricher import Enricher, EntryReport, Progress, check_owner, make_resolvers
from .http import HttpClient, RateLimiter
from .resolver import OwnerHint
from .services import service_names


@dataclass
class EnrichSettings:
    services: Sequence[str] = ()
    offline: bool = False
    refresh: bool = False
    use_cache: bool = True
    cache_dir: str | Path | None = None
    endpoints: dict[str, str] = field(default_factory=dict)
    prefer_remote: bool = False
    owner: tuple[str, ...] = ()  # default: the listing's owner
    owner_ids: dict[str, str] = field(default_factory=dict)  # {"dblp": "h/BoHan3", "s2": ...}
    timeout: float = 20.0
    connect_timeout: float = 4.0
    limiters: dict[str, RateLimiter] = field(default_factory=dict)  # tests: no waiting


@dataclass
class EnrichOutcome:
    citations: list[Citation]
    entries: list[EntryReport]
    services: dict[str, Any]
    summary: dict[str, int]

    def report(self) -> dict[str, Any]:
        return {"services": self.services, "summary": self.summary,
                "entries": [e.to_json() for e in self.entries]}

    def none_reached(self) -> bool:
        """Every service asked failed before answering anything (no connection, blocked, a
        spent budget): the enrichment asked for was not done at all."""
        return bool(self.services) and all(
            str(s.get("status", "")).startswith("failed") and not s.get("matched")
            and not s.get("cache_hits") for s in self.services.values())


def open_client(settings: Any, diags: Diagnostics) -> HttpClient:
    """The run's HTTP client and its cache, from settings with `use_cache`, `cache_dir`,
    `offline`, `refresh`, `timeout` and `connect_timeout` (enrichment's and profile's): a
    cache that cannot be used, or was damaged and moved aside, is said once (BK907)."""
    cache = None
    if settings.use_cache:
        try:
            cache = HttpCache(settings.cache_dir or default_cache_dir())
            if cache.moved_aside is not None:
                diags.warning("BK907", f"{cache.path}: {cache.why}; kept as "
                              f"{cache.moved_aside.name} and a new cache started")
        except CacheError as exc:
            diags.warning("BK907", f"{exc}; going on without a cache")
    return HttpClient(cache=cache, offline=settings.offline, refresh=settings.refresh,
                      timeout=settings.timeout, deadline=3 * settings.timeout,
                      connect_timeout=min(settings.connect_timeout, settings.timeout))


def enrich_citations(citations: Sequence[Citation], settings: EnrichSettings,
                     diags: Diagnostics, profile: Profile | None = None,
                     progress: Progress | None = None) -> EnrichOutcome:
    service_names(",".join(settings.services))  # a bad name is refused before anything is made
    names = tuple(n for n in settings.owner if n.strip()) or (
        (profile.name,) if profile and profile.name else ())
    client = open_client(settings, diags)
    cache = client.cache
    try:
        resolvers = make_resolvers(settings.services, client, settings.endpoints,
                                   settings.limiters)
        enricher = Enricher(resolvers, diags, settings.prefer_remote, progress)
        before = list(citations)
        out = enricher.run(before, OwnerHint(owner_matcher(names) if names else None,
                                             dict(settings.owner_ids)))
    finally:
        if cache is not None:
            cache.close()
    if names:
        out = check_owner(out, owner_matcher(names), names[0], diags, enricher.entries,
                          settings.owner_ids)
    summary = {
        "entries": len(out),
        "changed": sum(1 for e in enricher.entries if e.changes),
        "author_lists_completed": sum(1 for a, b in zip(before, out, strict=True)
                                      if a.authors_truncated and not b.authors_truncated),
        "published_versions": sum(1 for a, b in zip(before, out, strict=True)
                                  if a.kind is Kind.PREPRINT and b.kind is not Kind.PREPRINT),
        "arxiv_ids_found": sum(1 for a, b in zip(before, out, strict=True)
                               if not a.ids.arxiv and b.ids.arxiv),
        "dois_found": sum(1 for a, b in zip(before, out, strict=True)
                          if not a.ids.doi and b.ids.doi),
        "still_truncated": sum(1 for c in out if c.authors_truncated),
        "owner_not_listed": sum(1 for e in enricher.entries if e.owner == "not-listed"),
        "owner_namesake": sum(1 for e in enricher.entries if e.owner == "namesake"),
        **{f"http_{k.replace(' ', '_')}": v for k, v in sorted(Counter(client.stats).items())},
    }
    services = {name: s.to_json() for name, s in enricher.services.items()}
    return EnrichOutcome(out, enricher.entries, services, summary)
