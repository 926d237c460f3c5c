"""Enrichment from remote services: each resolver in turn over the whole list, then the owner
check.

Services run in the order the user names them, because each can use what the previous found:
arXiv's title search gives the arXiv id, through which Semantic Scholar finds the published
version even when its title changed. Every candidate goes through the same matching rule
(match.py) and merge policy (merge.py); a service that fails is reported once and skipped, so
the entries keep what they had — a failing service never costs an entry.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..infer.names import parse_display_name
from ..model.citation import Citation, Kind, Person, Provenance, evolve
from ..model.diagnostics import Diagnostics
from .http import (
    Blocked,
    HttpClient,
    QuotaSpent,
    RateLimiter,
    ServiceError,
    ServiceUnreachable,
    Throttled,
)
from .match import fold_name, judge
from .merge import merge
from .resolver import OwnerHint, Resolver, author_ids
from .services import (
    ALIASES,
    DEFAULT_SERVICES,
    PERSON_SOURCES,
    SERVICES,
    EnrichError,
    service_names,
)

__all__ = ["DEFAULT_SERVICES", "RESOLVERS", "EnrichError", "Enricher", "check_owner",
           "make_resolvers", "service_names"]

RESOLVERS: dict[str, type[Resolver]] = {name: spec.load() for name, spec in SERVICES.items()}
OWNER_RULE = "owner-not-listed"
# batches throttled one after another before a service is left for this run
_THROTTLED_BATCHES = 3

# (service label, entries done, entries to do, answers so far, what is waited for or ""):
# after each answer and batch, and before each wait of a second or more
Progress = Callable[[str, int, int, int, str], None]


def make_resolvers(names: Sequence[str], client: HttpClient,
                   endpoints: dict[str, str] | None = None,
                   limiters: dict[str, RateLimiter] | None = None) -> list[Resolver]:
    urls = endpoint_urls(endpoints)
    names = service_names(",".join(names))  # aliases resolved, unknown names refused
    return [RESOLVERS[n](client, urls.get(n), (limiters or {}).get(n)) for n in names]


def endpoint_urls(endpoints: dict[str, str] | None) -> dict[str, str]:
    """--endpoint's NAME=URL pairs by service name (aliases resolved), any service bibkit
    asks (the profile sources openalex and orcid too); an unknown name is refused."""
    urls: dict[str, str] = {}
    for name, url in (endpoints or {}).items():
        key = ALIASES.get(name.lower(), name.lower())
        if key not in RESOLVERS and key not in PERSON_SOURCES:
            raise EnrichError(f"an endpoint for an unknown service {name!r}")
        urls[key] = url
    return urls


@dataclass
class EntryReport:
    key: str
    line: int
    title: str
    changes: list[dict[str, Any]] = field(default_factory=list)
    candidates: list[dict[str, Any]] = field(default_factory=list)
    owner: str = "unknown"  # confirmed | namesake | not-listed | hidden (in "et al.") | unknown
    # the author list each service's matching record gave, for the names cross-check
    author_lists: dict[str, tuple[Person, ...]] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {"key": self.key, "line": self.line, "title": self.title, "owner": self.owner,
                "changes": self.changes, "candidates": self.candidates}


@dataclass
class ServiceReport:
    name: str
    looked_up: int = 0
    matched: int = 0
    skipped: int = 0  # entries it could add nothing to (saves requests)
    stats: Counter[str] = field(default_factory=Counter)
    failure: str = ""
    given_up: bool = False  # a web page for data, or no connection: not asked again this run
    not_looked_up: list[str] = field(default_factory=list)  # keys

    def to_json(self) -> dict[str, Any]:
        stats = {k.replace(" ", "_"): v for k, v in sorted(self.stats.items())}
        left = {"not_looked_up": self.not_looked_up} if self.not_looked_up else {}
        return {"looked_up": self.looked_up, "matched": self.matched,
                "skipped": self.skipped, **stats, **left,
                "status": f"failed: {self.failure}" if self.failure else "ok"}


class Enricher:
    def __init__(self, resolvers: Sequence[Resolver], diags: Diagnostics,
                 prefer_remote: bool = False, progress: Progress | None = None) -> None:
        self.resolvers = resolvers
        self.diags = diags
        self.prefer_remote = prefer_remote
        self.progress = progress
        self.entries: list[EntryReport] = []
        self.services: dict[str, ServiceReport] = {}

    def run(self, citations: Sequence[Citation], owner: OwnerHint | None = None
            ) -> list[Citation]:
        out = list(citations)
        self.entries = [EntryReport(c.key, c.origin.line, c.title) for c in out]
        # what a service answers for many cards at once (DBLP's person page) comes first,
        # so that every service after it starts from what it gave (the arXiv ids of the
        # CoRR twins make arXiv's lookups one id_list request)
        answered = {r.name: self._prepare(r, out, owner or OwnerHint()) for r in self.resolvers}
        for resolver in self.resolvers:
            self._run_one(resolver, out, answered[resolver.name])
        for i, c in enumerate(out):
            out[i] = self._cross_check_names(c, self.entries[i])
        return out

    def _cross_check_names(self, c: Citation, entry: EntryReport) -> Citation:
        """Where the services disagree on which word of a name is the family name (arXiv's
        metadata has "Wan Chaoqun" where DBLP and Semantic Scholar say "Chaoqun Wan"), two
        that agree outvote one, and the change is reported."""
        lists = entry.author_lists
        if len(lists) < 2:
            return c
        people, notes = list(c.authors), []
        for j, p in enumerate(people):
            here = (fold_name(p.family), fold_name(p.given))
            votes: Counter[tuple[str, str]] = Counter()
            forms: dict[tuple[str, str], tuple[Person, list[str]]] = {}
            for source, authors in lists.items():
                q = authors[j] if j < len(authors) else None
                there = (fold_name(q.family), fold_name(q.given)) if q else ("", "")
                if q is not None and not q.literal and sorted(there) == sorted(here):
                    votes[there] += 1
                    forms.setdefault(there, (q, []))[1].append(SERVICES[source].label)
            if not votes or p.literal:
                continue
            best, n = votes.most_common(1)[0]
            if best != here and n >= 2 and n > votes[here]:
                better, said = forms[best]
                people[j] = Person(family=better.family, given=better.given,
                                   particle=better.particle, suffix=better.suffix)
                notes.append(f"author {j + 1} {p.display()!r} is {better.display()!r} in "
                             f"{' and '.join(said)}")
        if not notes:
            return c
        self.diags.info("BK909", "; ".join(notes), line=c.origin.line, key=c.key)
        entry.changes.append({"field": "authors", "old": [p.display() for p in c.authors],
                              "new": [p.display() for p in people], "source": "cross-check",
                              "reason": "; ".join(notes)})
        prov = Provenance("authors", "cross-check", "names-agree", 1.0, "; ".join(notes)[:80])
        return evolve(c, authors=tuple(people), provenance=(*c.provenance, prov))

    def _prepare(self, r: Resolver, out: list[Citation], owner: OwnerHint) -> set[int]:
        """The cards `r` answers at once, merged now; a failure leaves them to the lookups."""
        report = self.services[r.name] = ServiceReport(r.name)
        before = Counter(r.client.stats)
        r.client.mark()
        try:
            found = r.prepare(out, owner)
        except ServiceError as exc:
            r.client.unstore()
            report.stats = Counter(r.client.stats) - before
            report.failure = str(exc)
            # the same page would answer every lookup; no connection now is none in a second
            report.given_up = isinstance(exc, (Blocked, ServiceUnreachable, QuotaSpent))
            return set()
        for i, candidates in found.items():
            out[i] = self._apply(r, out[i], candidates, self.entries[i], report)
        report.looked_up = len(found)
        report.stats = Counter(r.client.stats) - before
        return set(found)

    def _run_one(self, r: Resolver, out: list[Citation], answered: set[int]) -> None:
        report = self.services[r.name]
        todo = [i for i, c in enumerate(out) if i not in answered and r.wants(c)]
        if report.given_up:
            report.not_looked_up = [out[i].key for i in todo]
            self._say_what_was_left(r, report)
            return
        before = Counter(r.client.stats)
        report.skipped = len(out) - len(todo) - len(answered)
        done = 0
        answers = 0

        def tick() -> None:
            nonlocal answers
            answers += 1
            if self.progress:
                self.progress(r.label, done, len(todo), answers, "")

        def waiting(seconds: float, why: str) -> None:
            if self.progress:
                self.progress(r.label, done, len(todo), answers,
                              f"waiting {seconds:.0f} s ({why})")

        r.client.observer = tick
        r.limiter.notify = waiting
        throttled_in_a_row = 0
        for start in range(0, len(todo), r.batch_size):
            chunk = todo[start:start + r.batch_size]
            r.client.mark()
            try:
                found = r.lookup([out[i] for i in chunk])
            except Throttled as exc:
                # a burst of "too many requests" costs these entries this run, not the
                # service: the service was slowed down, the next batch goes on, and a second
                # run picks these entries up (what was answered is cached)
                report.not_looked_up += [out[i].key for i in chunk]
                report.failure = str(exc)
                done += len(chunk)
                throttled_in_a_row += 1
                # a spent budget answers nothing before it resets: no next batch
                if throttled_in_a_row < _THROTTLED_BATCHES and not isinstance(exc, QuotaSpent):
                    continue
                report.not_looked_up += [out[i].key for i in todo[start + len(chunk):]]
                break
            except ServiceError as exc:  # no connection, or answers bibkit cannot read
                r.client.unstore()  # an answer it could not read is not served again
                report.failure = str(exc)
                report.not_looked_up += [out[i].key for i in todo[start:]]
                break
            throttled_in_a_row = 0
            for i, candidates in zip(chunk, found, strict=True):
                out[i] = self._apply(r, out[i], candidates, self.entries[i], report)
            done += len(chunk)
            report.looked_up += len(chunk)
            if self.progress:
                self.progress(r.label, done, len(todo), answers, "")
        r.client.observer = None
        r.limiter.notify = None
        report.stats += Counter(r.client.stats) - before
        self._say_what_was_left(r, report)

    def _say_what_was_left(self, r: Resolver, report: ServiceReport) -> None:
        """The entries a service did not look up, and the lookups --offline could not serve."""
        if report.not_looked_up:
            left = len(report.not_looked_up)
            again = (" (throttled: run again to look them up; answers so far are cached)"
                     if "throttled" in report.failure or "HTTP 429" in report.failure else "")
            self.diags.warning("BK904", f"{r.label}: {left} {'entry' if left == 1 else 'entries'}"
                               f" not looked up there{again}: {report.failure}")
        misses = report.stats.get("offline misses", 0)
        if misses:
            self.diags.warning("BK905", f"{r.label}: {misses} "
                               f"{'lookup' if misses == 1 else 'lookups'} not in the cache "
                               f"(--offline); those entries were not enriched from it")

    def _apply(self, r: Resolver, c: Citation, candidates: list[Citation],
               entry: EntryReport, report: ServiceReport) -> Citation:
        accepted, weak = judge(c, candidates)
        # published records first (a stable sort keeps the best score first among each):
        # DBLP's conference record before its CoRR twin
        accepted.sort(key=lambda r: r[1].kind is not Kind.PREPRINT, reverse=True)
        if accepted:
            report.matched += 1
        if accepted:
            entry.author_lists.setdefault(r.name, accepted[0][1].authors)
        for m, cand in accepted:
            c, changes = merge(c, cand, r.name, round(m.score, 3),
                               prefer_other=self.prefer_remote,
                               same_work_by_id=m.by_identifier)
            for ch in changes:
                entry.changes.append({"field": ch.field, "old": ch.old, "new": ch.new,
                                      "source": r.name, "confidence": round(m.score, 3),
                                      "reason": m.reason})
            if changes:
                names = ", ".join(ch.field for ch in changes)
                self.diags.info("BK903", f"{r.label} ({m.reason}): {names}",
                                line=c.origin.line, key=c.key)
        if weak:
            m, cand = weak
            entry.candidates.append({"source": r.name, "title": cand.title,
                                     "score": round(m.score, 3), "reason": m.reason,
                                     "ids": {"arxiv": cand.ids.arxiv, "doi": cand.ids.doi}})
            self.diags.info("BK902", f"possible {r.label} match not applied: {m.reason} "
                            f"({cand.title[:60]!r})", line=c.origin.line, key=c.key)
        return c


def check_owner(citations: list[Citation], is_owner: Callable[[Any], bool], owner: str,
                diags: Diagnostics, entries: list[EntryReport] | None = None,
                owner_ids: dict[str, str] | None = None) -> list[Citation]:
    """Flag entries that are not the owner's: a profile page lists papers of other people
    with the same name. Two kinds: the complete author list lacks the owner's name, or the
    author of that name has another person id than the owner's at DBLP or Semantic Scholar
    (`owner_ids`, else the id most of the entries give the owner's name). The flag is
    provenance, so it survives into CSL-JSON and `bibkit cv --exclude-unconfirmed` acts on it."""
    ids = dict(owner_ids or {})
    named = [owner_ids_of(c, is_owner) for c in citations]  # once a citation
    for service, found in learn_owner_ids(named, ids).items():
        ident, votes, total = found
        ids[service] = ident
        diags.info("BK908", f"{owner}'s {SERVICES[service].label} id is {ident} "
                   f"({votes} of {total} entries naming {owner} there; --owner-id "
                   f"{service}:ID states it)")
    out = []
    for i, c in enumerate(citations):
        listed = any(is_owner(p) for p in c.authors)
        other = _other_person(named[i], ids) if listed else None
        state = ("namesake" if other else "confirmed" if listed else
                 "hidden" if c.authors_truncated else "not-listed" if c.authors else "unknown")
        if entries is not None:
            entries[i].owner = state
        if state in ("not-listed", "namesake") and not any(
                p.rule == OWNER_RULE for p in c.provenance):
            if other:
                service, theirs = other
                why = (f"{owner} here is {SERVICES[service].label} {theirs}, not the owner's "
                       f"{ids[service]}")
            else:
                why = f"{owner} is not among the {len(c.authors)} authors"
            diags.warning("BK906", f"{why}: probably another person of the same name",
                          line=c.origin.line, key=c.key)
            flag = Provenance("authors", "owner-check", OWNER_RULE, 1.0,
                              f"{owner}: {other[0]}:{other[1]}" if other else owner)
            c = evolve(c, provenance=(*c.provenance, flag))
        out.append(c)
    return out


def owner_ids_of(c: Citation, is_owner: Callable[[Any], bool]) -> dict[str, set[str]]:
    """service -> the ids it gives the authors of `c` that bear the owner's name."""
    return {service: {ident for name, ident in pairs if is_owner(parse_display_name(name))}
            for service, pairs in author_ids(c).items()}


def learn_owner_ids(named: list[dict[str, set[str]]], known: dict[str, str]
                     ) -> dict[str, tuple[str, int, int]]:
    """service -> (id, votes, entries) for the id most entries give the owner's name, when
    it is a clear majority (over half, at least two); services in `known` are not learned."""
    votes: dict[str, Counter[str]] = {}
    for ids_here in named:
        for service, found in ids_here.items():
            if service not in known and len(found) == 1:
                votes.setdefault(service, Counter()).update(found)
    out = {}
    for service, counter in votes.items():
        (ident, n), total = counter.most_common(1)[0], sum(counter.values())
        if n >= 2 and n * 2 > total:
            out[service] = (ident, n, total)
    return out


def _other_person(named: dict[str, set[str]], ids: dict[str, str]) -> tuple[str, str] | None:
    """(service, id) when a service says the author of the owner's name is someone else."""
    for service, found in named.items():
        if service in ids and found and ids[service] not in found:
            return service, sorted(found)[0]
    return None
