"""What CSL-JSON reading and writing share: formats/csl.toml's statement table and its
order, the converters, the type nearest a kind, names, dates and the note bibkit writes."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from ...data import load_toml
from ...infer.categories import is_category
from ...infer.identifiers import display_doi
from ...infer.names import zotero_parts
from ...model.citation import (
    TRUNCATION_NOTE,
    Citation,
    Kind,
    Link,
    PartialDate,
    Person,
    link_from_note,
)
from ..mapping import Statement, getter, statements

KEYLIKE = re.compile(r"(?!\w+://)[^\s{}(),\\\"#%'=~]+")


_RULES = frozenset({"key", "type", "issued", "accessed", "publisher", "number", "status",
                    "url", "keyword", "note", "custom"})  # variables mapped in code, below


@cache


def table() -> tuple[frozenset[str], tuple[Statement, ...]]:
    """(every variable the schema allows, bibkit's statement list in write order)."""
    table = statements("csl.toml", _RULES, WRITE_CONVERTERS)
    return frozenset(load_toml("csl.toml")["variables"]), table


@cache


def rank() -> dict[str, int]:
    """Each variable's place in formats/csl.toml's write order."""
    rank: dict[str, int] = {}
    for st in table()[1]:
        rank.setdefault(st.tag, len(rank))
    return rank


@cache


def copied() -> tuple[tuple[str, Any, Any, bool], ...]:
    """The statements that copy a model field: (variable, getter, converter, many)."""
    return tuple((st.tag, getter(st.field), WRITE_CONVERTERS.get(st.convert), st.many)
                 for st in table()[1] if st.field)


def csl_name(p: Person) -> dict[str, str]:
    if p.literal:
        return {"literal": p.literal}
    out = {"family": p.family}
    if p.given:
        out["given"] = p.given
    if p.particle:
        out["dropping-particle" if p.dropping else "non-dropping-particle"] = p.particle
    if p.suffix:
        out["suffix"] = p.suffix
    return out


WRITE_CONVERTERS: dict[str, Any] = {"name": csl_name, "doi": display_doi}


def csl_date(d: PartialDate) -> dict[str, Any] | None:
    if d.year is None:
        return None
    parts = [d.year]
    if d.month:
        parts.append(d.month)
        if d.day:
            parts.append(d.day)
    return {"date-parts": [parts]}


# custom.bibkit's key for the profile owner of the listing the items came from, so that a
# CV made from bibkit's CSL-JSON highlights the owner as one made from the listing does


PROFILE_OWNER = "profile-owner"
# A truncated author list's last name, as pandoc writes BibTeX's "and others" and its
# citeproc prints "et al." (citation.js prints "& others"); Zotero would import it as a
# person, so `-O names=zotero` leaves it out (the note says the list is truncated)
OTHERS = {"literal": "others"}


def note_text(c: Citation) -> str:
    """The `note` variable: the citation's note, its code and project links (CSL has no
    variable for them, and Zotero keeps `note` in Extra), then what a reader should know.
    An arXiv item's class leads, in the line Zotero's own export writes ("arXiv:ID [cs.LG]"):
    CSL has no variable for it, and Zotero keeps that line in Extra as it keeps its own."""
    ids = c.ids
    parts = [f"arXiv:{ids.arxiv_base} [{ids.arxiv_class}]"] if (
        ids.arxiv and is_category(ids.arxiv_class)) else []
    parts += [c.note] if c.note else []
    parts += [link.note() for link in c.links]
    if c.authors_truncated:
        parts.append(TRUNCATION_NOTE)
    return "\n".join(parts)


def read_note(note: str) -> tuple[str, tuple[Link, ...], bool]:
    """(note, links, truncated) from a `note` written by another tool (note_text's form)."""
    lines = note.split("\n")
    truncated = lines[-1] == TRUNCATION_NOTE
    if truncated:
        lines.pop()
    links: list[Link] = []
    while lines and (link := link_from_note(lines[-1])) is not None:
        links.insert(0, link)
        lines.pop()
    return "\n".join(lines), tuple(links), truncated


@cache


def name_variables() -> frozenset[str]:
    """The name variables formats/csl.toml carries (author, editor)."""
    return frozenset(st.tag for st in table()[1] if st.convert == "name")


def zotero_name(name: dict[str, str]) -> dict[str, str]:
    """A CSL name in the two parts Zotero imports (names.zotero_parts)."""
    if "literal" in name or not (
            {"non-dropping-particle", "dropping-particle", "suffix"} & name.keys()):
        return name
    dropping = "dropping-particle" in name
    p = Person(family=name["family"], given=name.get("given", ""),
               particle=name.get("dropping-particle" if dropping else "non-dropping-particle",
                                 ""),
               suffix=name.get("suffix", ""), dropping=dropping)
    family, given = zotero_parts(p)
    return {"family": family, "given": given} if given else {"family": family}


@cache


def nearest_kinds() -> dict[str, Kind]:
    kinds = {k.value: k for k in Kind}
    table = load_toml("csl.toml").get("nearest_kind", {})
    return {**{t: kinds[k] for t, k in table.items()}, **kinds}


def kind_of_type(csl_type: str) -> Kind:
    """The model's kind for a CSL type: its own, the nearest one, else a document."""
    return nearest_kinds().get(csl_type, Kind.DOCUMENT)
