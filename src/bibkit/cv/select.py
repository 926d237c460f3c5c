"""Which entries a CV shows, in which groups and order, and their numbers."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from ..infer.names import OwnerMatcher, owner_matcher
from ..model.citation import (
    Citation,
    Kind,
    Person,
    Profile,
    arxiv_base,
)
from ..model.diagnostics import Diagnostics
from .markup import KIND_HEADINGS
from .options import CvOptions

# --- selection and order ---------------------------------------------------------------------


def selector_hit(c: Citation, selector: str) -> bool:
    s = selector.strip()
    if not s:
        return False
    low = s.casefold()
    if low in (c.key.casefold(), c.ids.doi.casefold(), c.ids.arxiv.casefold()):
        return True
    if c.ids.arxiv and c.ids.arxiv_base == arxiv_base(s):
        return True
    return low in c.title.casefold()


def unconfirmed(c: Citation, is_owner: Callable[[Person], bool] | None) -> bool:
    """The owner check said no (`bibkit enrich`), or the complete author list lacks the owner.
    A list that ends in "et al." proves nothing: the owner may be among the hidden authors."""
    if any(p.rule == "owner-not-listed" for p in c.provenance):
        return True
    return (is_owner is not None and not c.authors_truncated and bool(c.authors)
            and not any(is_owner(p) for p in c.authors))


def select(citations: Iterable[Citation], opts: CvOptions,
           is_owner: Callable[[Person], bool] | None = None) -> tuple[list[Citation], int]:
    kept, excluded = [], 0
    kinds = {k.strip() for k in opts.kinds if k.strip()}
    for c in citations:
        year = c.cited_year
        ok = (
            (opts.since is None or (year is not None and year >= opts.since))
            and (opts.until is None or (year is not None and year <= opts.until))
            and (
                not kinds
                or c.kind.value in kinds
                or KIND_HEADINGS[c.kind].casefold() in {k.casefold() for k in kinds}
            )
            and not any(selector_hit(c, s) for s in opts.exclude)
            and (not opts.only or any(selector_hit(c, s) for s in opts.only))
            and not (opts.exclude_unconfirmed and unconfirmed(c, is_owner))
        )
        if ok:
            kept.append(c)
        else:
            excluded += 1
    return kept, excluded


def _sort_key(c: Citation) -> tuple[int, int, int, str]:
    d = c.issued
    return (-(c.cited_year or 0), -(d.month or 0), -(d.day or 0), c.title.casefold())


def group(citations: Sequence[Citation], by: str) -> list[tuple[str, list[Citation]]]:
    ordered = sorted(citations, key=_sort_key)
    if by == "none":
        return [("", ordered)]
    groups: dict[str, list[Citation]] = {}
    if by == "year":
        for c in ordered:
            groups.setdefault(str(c.cited_year or "Undated"), []).append(c)
        return list(groups.items())
    if by == "kind":
        for c in ordered:
            groups.setdefault(KIND_HEADINGS[c.kind], []).append(c)
        order = list(KIND_HEADINGS.values())
        return sorted(groups.items(), key=lambda g: order.index(g[0]))
    for c in ordered:  # venue
        name = (
            c.venue.short_name
            or c.venue.name
            or ("Preprints" if c.kind is Kind.PREPRINT else "Other")
        )
        groups.setdefault(name, []).append(c)
    return sorted(groups.items(), key=lambda g: (g[0] in ("Preprints", "Other"), g[0]))


# --- the whole section -----------------------------------------------------------------------


def choose(citations: Iterable[Citation], opts: CvOptions, profile: Profile | None,
           diags: Diagnostics | None
           ) -> tuple[list[Citation], int, tuple[str, ...], OwnerMatcher]:
    """(the entries the options keep, how many they left out, the owner's names, the owner
    test); a selector that matches nothing is a warning: a typo must not pass unseen."""
    names = opts.highlight or ((profile.name,) if profile and profile.name else ())
    is_owner = owner_matcher(names)
    citations = list(citations)
    kept, excluded = select(citations, opts, is_owner if names else None)
    if diags is not None:
        for flag, selectors in (("--exclude", opts.exclude), ("--only", opts.only),
                                ("--selected", opts.selected)):
            for selector in selectors:
                if not any(selector_hit(c, selector) for c in citations):
                    diags.warning("BK802", f"{flag} {selector!r} matches no entry (a citekey, "
                                  "an arXiv id, a DOI or part of a title)")
    return kept, excluded, names, is_owner


def selector_hits(c: Citation, selectors: Iterable[str]) -> bool:
    return any(selector_hit(c, s) for s in selectors)


def number_of(position: int, total: int, numbering: str) -> int | None:
    """The number the entry at `position` (1 = first shown) gets: counting down from the
    total (desc), up (asc), or none."""
    if numbering == "none":
        return None
    return total - position + 1 if numbering == "desc" else position
