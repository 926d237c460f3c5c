"""RIS writer: `TAG  - value` lines with CRLF, `ER  - ` after each record, UTF-8 without BOM.

A value is always one line: any line break or control character inside it is folded to a
space, so no text can start a line of its own and forge a tag (`\\nER  - \\nTY  - JOUR`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import TextIO

from ..context import WriteContext
from ..formatdata import load_toml, require
from ..identifiers import display_doi
from ..model import LINK_LABELS, TRUNCATION_NOTE, Citation, Kind, Person

_FOLD = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_PAGES = re.compile(r"\s*[-–—]+\s*")


@cache
def _types() -> dict[str, str]:
    types = load_toml("ris.toml")["write"]["types"]
    require(set(types) == {k.value for k in Kind}, "ris.toml", "write.types must map every kind")
    return types


def fold(value: str) -> str:
    """One line, whatever the text: breaks and control characters become one space."""
    return _FOLD.sub(" ", value).strip()


def ris_name(p: Person) -> str:
    if p.literal or not p.family:
        return p.literal or p.given
    family = p.full_family
    parts = [family, p.given] if p.given else [family]
    if p.suffix:
        parts += ([""] if not p.given else []) + [p.suffix]
    return ", ".join(parts)


def record(c: Citation, key: str, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    """(tag, value) pairs of one record, in the order Zotero writes them."""
    ty = _types()[c.kind.value]
    # a GEN record with an arXiv id reads as a preprint, so one is written as a preprint
    preprint = c.kind is Kind.PREPRINT or (bool(c.ids.arxiv) and ty == "GEN")
    if preprint:
        ty = ctx.options.get("ris_type", _types()[Kind.PREPRINT.value])
    yield "TY", ty
    yield "ID", key
    if c.title:
        yield "TI", c.title
    for p in c.authors:
        yield "AU", ris_name(p)
    for p in c.editors:
        yield "A2", ris_name(p)
    year = c.cited_year
    if year is not None:
        yield "PY", str(year)
    if c.venue.year is None and c.issued.year is not None and c.issued.month:
        d = c.issued
        yield "DA", f"{d.year:04d}/{d.month:02d}/{f'{d.day:02d}' if d.day else ''}/"
    v = c.venue
    if v.name:
        yield "T2", v.name
    if v.short_name:
        yield "J2", v.short_name
    if v.series:
        yield "T3", v.series
    if v.volume:
        yield "VL", v.volume
    if v.issue:
        yield "IS", v.issue
    if v.pages:
        first, _, last = _PAGES.sub("-", v.pages).partition("-")
        yield "SP", first
        if last:
            yield "EP", last
    if v.edition:
        yield "ET", v.edition
    on_arxiv = bool(c.ids.arxiv or c.ids.arxiv_class)
    publisher = v.publisher or ("arXiv" if preprint and on_arxiv else "")
    if publisher:
        yield "PB", publisher
    if v.place:
        yield "CY", v.place
    for value in (c.ids.isbn, c.ids.issn):
        if value:
            yield "SN", value
    if c.ids.doi:
        yield "DO", display_doi(c.ids.doi)
    if c.ids.landing_url:
        yield "UR", c.ids.landing_url
    if c.language:
        yield "LA", c.language
    for kw in c.keywords:
        yield "KW", kw
    if c.abstract and ctx.abstract:
        yield "AB", c.abstract
    if on_arxiv:  # as Zotero notes it: arXiv:2303.01234 [cs.LG]
        cls = f" [{c.ids.arxiv_class}]" if c.ids.arxiv_class else ""
        yield "N1", f"arXiv:{c.ids.arxiv}{cls}" if c.ids.arxiv else f"arXiv{cls}"
    if c.note:
        yield "N1", c.note
    if c.authors_truncated:
        yield "N1", TRUNCATION_NOTE
    for link in c.links:
        yield "N1", f"{LINK_LABELS.get(link.role, 'Link')}: {link.url}"
    for name, value in c.extra:
        if name.startswith("ris:"):
            yield name[4:], value


def write(citations: Iterable[Citation], out: TextIO, ctx: WriteContext) -> int:
    """Write citations as RIS records; returns how many."""
    n = 0
    for c in citations:
        lines = []
        for tag, value in record(c, c.key, ctx):  # keys: made by the pipeline
            text = fold(value)
            if text or tag in ("TY", "ER"):  # a tag with nothing to say is left out
                lines.append(f"{tag}  - {text}")
        lines.append("ER  - ")
        out.write("\r\n".join(lines) + "\r\n\r\n")
        n += 1
    return n

