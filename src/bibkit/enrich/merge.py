"""Merging a matched record into a citation, with provenance for every field it fills.

Policy: fill what is missing; replace a truncated author list ("et al.") by a full one that
starts with the same shown authors; upgrade a preprint to the published kind and venue while
keeping its arXiv fields, and to the published title when the paper was renamed at
publication (known only through an identifier match: the titles differ).

A field the citation already has is kept unless `prefer_other` (the
user's own library is the better source than a scraped listing, so `--merge` prefers it).
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from ..model.citation import (
    Citation,
    Identifiers,
    Kind,
    Person,
    Provenance,
    Status,
    Venue,
    evolve,
)
from .match import fold_name, fold_title
from .resolver import AUTHOR_IDS


@dataclass(frozen=True, slots=True)
class Change:
    field: str
    old: str
    new: str


def _shown_prefix(short: tuple, full: tuple) -> bool:
    """The shown authors are the first authors of the full list, in order."""
    if len(full) < len(short):
        return False
    pairs = zip(short, full, strict=False)
    return all(fold_name(a.family) == fold_name(b.family) for a, b in pairs)


def _cased_badly(title: str) -> bool:
    """All lower case or all capitals: how hand-kept .bib files and some indexes write a
    title, which loses the case a citation style needs ("BERT", "Label-Noise")."""
    letters = [ch for ch in title if ch.isalpha()]
    return bool(letters) and (all(ch.islower() for ch in letters)
                              or all(ch.isupper() for ch in letters))


def _capitals(title: str) -> set[tuple[int, int]]:
    """Where a title's words have capitals that carry meaning: a word's first letter and
    the inner capitals of a name like "DeepInception" (one after a hyphen is a style's
    choice: "Label-Noise" or "Label-noise")."""
    return {(n, i) for n, word in enumerate(title.split()) for i, ch in enumerate(word)
            if ch.isupper() and (i == 0 or word[i - 1] != "-")}


def _less_case(theirs: str, ours: str) -> bool:
    """Whether `theirs` (the same words) says less about case than `ours`: all one case
    where ours is mixed, or ours has every capital theirs has and more ("Deepinception:
    Hypnotize large ..." against "DeepInception: Hypnotize Large ...")."""
    if _cased_badly(theirs) and not _cased_badly(ours):
        return True
    mine, other = _capitals(ours), _capitals(theirs)
    return other < mine


def _initials_only(given: str) -> bool:
    words = given.replace(".", " ").replace("-", " ").split()
    return bool(words) and all(len(w) == 1 for w in words)


def _keep_full_given_names(ours: tuple[Person, ...], theirs: tuple[Person, ...]
                           ) -> tuple[Person, ...]:
    """Their list, except that where they have only initials for one of ours ("B." for
    "Bo", same family name), ours stays: an initial never replaces a full given name."""
    kept = list(theirs)
    by_family: dict[str, Person] = {fold_name(p.family): p for p in ours if p.family}
    for i, p in enumerate(theirs):
        mine = by_family.get(fold_name(p.family)) if p.family else None
        if (mine is not None and _initials_only(p.given) and mine.given
                and not _initials_only(mine.given)
                and mine.given[:1].casefold() == p.given[:1].casefold()):
            kept[i] = mine
    return tuple(kept)


def _with_author_ids(ours: tuple[tuple[str, str], ...], theirs: tuple[tuple[str, str], ...]
                     ) -> tuple[tuple[str, str], ...]:
    new = {k: v for k, v in theirs if k.startswith(AUTHOR_IDS)}
    if not new:
        return ours
    return tuple((k, v) for k, v in ours if k not in new) + tuple(new.items())


def merge(c: Citation, other: Citation, source: str, confidence: float,
          prefer_other: bool = False, same_work_by_id: bool = False
          ) -> tuple[Citation, list[Change]]:
    m = _Merge(c, other, source, confidence, prefer_other)
    m.authors()
    m.title()
    m.published_version(same_work_by_id)
    m.venue_and_ids()
    if m.take("abstract", c.abstract, other.abstract):
        m.updates["abstract"] = other.abstract
    # a genre ("Master's thesis") says what kind of work it is: only for the same kind
    if m.updates.get("kind", c.kind) is other.kind and m.take("genre", c.genre, other.genre):
        m.updates["genre"] = other.genre
    extra = _with_author_ids(c.extra, other.extra)
    if not m.changes:
        # the ids a service gives the authors are kept even when nothing else is new: the
        # owner check tells namesakes apart by them
        return (c if extra == c.extra else evolve(c, extra=extra)), []
    m.updates["extra"] = extra
    m.updates["provenance"] = c.provenance + tuple(m.prov)
    return evolve(c, **m.updates), m.changes


class _Merge:
    """One merge of `other` into `c`: the fields taken, and each change and its provenance."""

    def __init__(self, c: Citation, other: Citation, source: str, confidence: float,
                 prefer_other: bool) -> None:
        self.c, self.other, self.source, self.confidence = c, other, source, confidence
        self.prefer_other = prefer_other
        self.changes: list[Change] = []
        self.updates: dict = {}
        self.prov: list[Provenance] = []

    def said(self, name: str, old: str, new: str, how: str, value: str) -> None:
        self.changes.append(Change(name, old, new))
        self.prov.append(Provenance(name, self.source, how, self.confidence, value))

    def take(self, name: str, old: object, new: object) -> bool:
        if not new or old == new or (old and not self.prefer_other):
            return False
        self.said(name, str(old), str(new), "merge", str(new)[:80])
        return True

    def authors(self) -> None:
        c, other = self.c, self.other
        if c.authors_truncated and not other.authors_truncated and _shown_prefix(
                c.authors, other.authors):
            self.said("authors", f"{len(c.authors)} shown, et al.",
                      f"{len(other.authors)} authors", "full-author-list", "")
            self.updates["authors"] = _keep_full_given_names(c.authors, other.authors)
            self.updates["authors_truncated"] = False
        elif not c.authors_truncated and self.take("authors", c.authors, other.authors):
            # a truncated list whose shown authors do not open the other list is conflicting
            # evidence: it stays as it is, "et al." included
            self.updates["authors"] = _keep_full_given_names(c.authors, other.authors)
            self.updates["authors_truncated"] = other.authors_truncated

    def title(self) -> None:
        c, other = self.c, self.other
        same_words = fold_title(c.title) == fold_title(other.title)
        if not (same_words and _less_case(other.title, c.title)) and self.take(
                "title", c.title, other.title):
            # (the same words in worse case, "Deepinception: hypnotize large language model",
            # never replace ours: a style can lower a capital, never restore one)
            self.updates["title"] = other.title

    def published_version(self, same_work_by_id: bool) -> None:
        c, other, updates = self.c, self.other, self.updates
        upgrade = c.kind is Kind.PREPRINT and other.kind not in (
            Kind.PREPRINT, Kind.DOCUMENT, Kind.WEBPAGE) and bool(other.venue.name)
        if (upgrade and same_work_by_id and "title" not in updates and other.title
                and fold_title(other.title) != fold_title(c.title)
                and not any(p.field == "title" and p.source.startswith("library")
                            for p in c.provenance)):
            # the paper was renamed at publication (matched through its arXiv id or DOI, not
            # its title): citing the published version under the preprint's title is wrong
            self.said("title", c.title, other.title, "published-title", c.title[:80])
            updates["title"], updates["title_nocase"] = other.title, other.title_nocase
        if upgrade:
            self.said("kind", c.kind.value, other.kind.value, "published-version",
                      other.venue.name[:80])
            updates["kind"], updates["status"] = other.kind, other.status if (
                other.status is not Status.UNKNOWN) else Status.PUBLISHED

    def venue_and_ids(self) -> None:
        c, other = self.c, self.other
        venue = {f.name: getattr(c.venue, f.name) for f in fields(Venue)}
        for f in fields(Venue):
            if self.take(f"venue.{f.name}", venue[f.name], getattr(other.venue, f.name)):
                venue[f.name] = getattr(other.venue, f.name)
        if (venue["name"] == other.venue.name and other.venue.name and venue["year"] is None
                and other.cited_year is not None):
            # the venue taken from the other record is cited with that record's year (a
            # library's `year = {2023}`), not with the day the preprint went online
            self.said("venue.year", "", str(other.cited_year), "merge", str(other.cited_year))
            venue["year"] = other.cited_year
        ids = {f.name: getattr(c.ids, f.name) for f in fields(Identifiers)}
        for f in fields(Identifiers):
            old, new = ids[f.name], getattr(other.ids, f.name)
            if f.name == "doi" and old and not c.ids.publisher_doi and other.ids.publisher_doi:
                old = ""  # the publisher's DOI is the better one; arXiv's stays derivable
            elif f.name == "doi" and old.lower() == new.lower():
                continue  # the same DOI (case-insensitive): kept as this record writes it
            if self.take(f"ids.{f.name}", old, new):
                ids[f.name] = new
        self.updates["venue"] = Venue(**venue)
        self.updates["ids"] = Identifiers(**ids)
