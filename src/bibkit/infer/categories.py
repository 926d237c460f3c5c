"""arXiv categories: bare listing codes ("LG") to full categories ("cs.LG")."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

from ..data import load_toml, require

_FILE = "arxiv-categories.toml"


@dataclass(frozen=True, slots=True)
class CategoryMatch:
    category: str  # "" when unresolved
    candidates: tuple[str, ...]  # every category the bare code can name
    preferred: bool = False  # resolved through [preferred], not uniquely


@cache
def _tables() -> tuple[dict[str, str], dict[str, str], dict[str, tuple[str, ...]], dict[str, str]]:
    data = load_toml(_FILE)
    categories: dict[str, str] = data.get("categories", {})
    aliases: dict[str, str] = data.get("aliases", {})
    preferred: dict[str, str] = data.get("preferred", {})
    require(bool(categories), _FILE, "no [categories]")
    for alias, target in aliases.items():
        require(alias in categories and target in categories, _FILE, f"bad alias {alias}")
    by_code: dict[str, set[str]] = {}
    for cat in categories:
        canonical = aliases.get(cat, cat)
        code = cat.split(".", 1)[1] if "." in cat else cat
        by_code.setdefault(code, set()).add(canonical)
    for code, target in preferred.items():
        require(target in by_code.get(code, ()), _FILE, f"preferred {code} = {target}")
    frozen = {code: tuple(sorted(c)) for code, c in by_code.items()}
    return categories, aliases, frozen, preferred


@cache
def resolve_code(code: str) -> CategoryMatch:
    """Map a bare code, or a full category, to its canonical category."""
    categories, aliases, by_code, preferred = _tables()
    if code in categories:
        canonical = aliases.get(code, code)
        return CategoryMatch(canonical, (canonical,))
    candidates = by_code.get(code, ())
    if len(candidates) == 1:
        return CategoryMatch(candidates[0], candidates)
    if code in preferred:
        return CategoryMatch(preferred[code], candidates, preferred=True)
    return CategoryMatch("", candidates)


# where a code that is no arXiv category is kept (in `extra`): as written, never as a class
CATEGORY_AS_WRITTEN = "arxiv-category-as-written"


def is_category(name: str) -> bool:
    """Whether `name` is an arXiv category ("cs.LG", "hep-th") or archive ("cs", as Zotero
    notes it), not a code kept as written ("XYZ", the ambiguous "GT")."""
    return name in _archives()


@cache
def _archives() -> frozenset[str]:
    categories = _tables()[0]
    return frozenset(categories) | {c.split(".", 1)[0] for c in categories}
