"""RIS writer: `TAG  - value` lines with CRLF, `ER  - ` after each record, UTF-8 without BOM.

A value is always one line: any line break or control character inside it is folded to a
space, so no text can start a line of its own and forge a tag (`\\nER  - \\nTY  - JOUR`).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any, TextIO

from ...data import load_toml, require
from ...infer.categories import is_category
from ...infer.identifiers import display_doi
from ...infer.names import last_first
from ...model.citation import (
    TRUNCATION_NOTE,
    Citation,
    Kind,
    PartialDate,
    Person,
    status_notes,
)
from ...model.context import WriteContext
from ...tex import render
from ..fieldnames import is_ris_tag
from ..genres import ris_genre_kinds
from ..mapping import getter, statements
from . import left_out

_FOLD = re.compile(r"[\x00-\x1f\x7f\x85\u2028\u2029]+")
_PAGES = re.compile(r"\s*[-–—]+\s*")


@cache
def _types() -> dict[str, str]:
    types = load_toml("ris.toml")["write"]["types"]
    require(set(types) == {k.value for k in Kind}, "ris.toml", "write.types must map every kind")
    return types


def fold(value: str) -> str:
    """One line, whatever the text: breaks and control characters become one space; math
    as its TeX source, other spans as the text they print (RIS has no markup)."""
    return _FOLD.sub(" ", render.plain(value)).strip()


def ris_name(p: Person) -> str:
    if p.literal or not p.family:
        return p.literal or p.given
    family, given = last_first(p)
    parts = [family, given] if given else [family]
    if p.suffix:
        parts += ([""] if not given else []) + [p.suffix]
    return ", ".join(parts)


def _preprint(c: Citation) -> bool:
    # a GEN record with an arXiv id reads as a preprint, so one is written as a preprint
    return c.kind is Kind.PREPRINT or (bool(c.ids.arxiv) and _types()[c.kind.value] == "GEN")


def _type(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    ty = _types()[c.kind.value]
    if _preprint(c):
        ty = ctx.options.get("ris_type", _types()[Kind.PREPRINT.value])
    yield "TY", ty


def _year(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    if c.cited_year is not None:
        yield "PY", str(c.cited_year)


def _ris_date(d: PartialDate) -> str:
    """RIS's date form, YYYY/MM/DD/ (parts unknown left empty)."""
    month = f"{d.month:02d}" if d.month else ""
    return f"{d.year:04d}/{month}/{f'{d.day:02d}' if d.day else ''}/"


def _date(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    d = c.cited_date  # PY holds its year; DA the rest of it, when there is more
    if d.year is not None and d.month:
        yield "DA", _ris_date(d)


def _accessed(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    if c.accessed.year is not None:
        yield "Y2", _ris_date(c.accessed)


def _genre(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    if c.genre and c.kind in ris_genre_kinds():
        yield "M3", c.genre
    elif c.genre:
        ctx.diags.info("BK402", f"genre {c.genre!r} left out: RIS has it (M3) for theses, "
                       "reports, manuscripts, web pages and preprints only",
                       line=c.origin.line, key=c.key)


def _pages(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    if c.venue.pages:
        first, _, last = _PAGES.sub("-", c.venue.pages).partition("-")
        yield "SP", first
        if last:
            yield "EP", last


def _container(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    name, short = c.venue.name, c.venue.short_name
    if c.kind is Kind.CONFERENCE_PAPER and name:
        yield "T2", short or name  # the conference
        yield "C3", name  # its proceedings
        return
    if name:
        yield "T2", name
    if short:
        yield "J2", short


def _archive(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    if _preprint(c) and c.ids.arxiv:
        yield "DB", "arXiv"
        yield "AN", f"arXiv:{c.ids.arxiv_base}"


def _publisher(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    publisher = c.venue.publisher or ("arXiv" if _preprint(c) and c.ids.on_arxiv else "")
    if publisher:
        yield "PB", publisher


def _standard_numbers(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    for value in (c.ids.isbn, c.ids.issn):
        if value:
            yield "SN", value


def _doi(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    if c.cited_doi:
        yield "DO", display_doi(c.cited_doi)


def _urls(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    if c.ids.landing_url:
        yield "UR", c.ids.landing_url


def _keywords(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    """The keywords, then the arXiv category (a tag in Zotero, which is what it is)."""
    yield from (("KW", k) for k in c.keywords)
    cls = c.ids.arxiv_class
    if c.ids.on_arxiv and is_category(cls) and cls not in c.keywords:
        yield "KW", cls


def _abstract(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    if c.abstract and ctx.abstract:
        yield "AB", c.abstract


def _notes(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    # Zotero makes each N1 a child note: the arXiv id is one only where no field holds it (a
    # published version's preprint; a preprint's is in DB/AN), its category is a KW tag
    if c.ids.arxiv and not _preprint(c):
        yield "N1", f"arXiv:{c.ids.arxiv_base}"
    for note in status_notes(c):
        yield "N1", note
    if c.note:
        yield "N1", c.note
    if c.authors_truncated:
        yield "N1", TRUNCATION_NOTE
    for link in c.links:
        yield "N1", link.note()


_RULES: dict[str, Callable[[Citation, WriteContext], Iterator[tuple[str, str]]]] = {
    "type": _type, "year": _year, "date": _date, "container": _container, "pages": _pages,
    "publisher": _publisher, "standard-number": _standard_numbers, "doi": _doi, "urls": _urls,
    "archive": _archive, "abstract": _abstract, "notes": _notes, "genre": _genre,
    "keywords": _keywords,
    "accessed": _accessed,
}
_CONVERTERS: dict[str, Callable[[Any], str]] = {"name": ris_name}


# A compiled statement: (tag, rule or None, value getter, converter or None, many)
_Step = tuple[str, Any, Any, Any, bool]


@cache
def _steps() -> tuple[_Step, ...]:
    """The statements of formats/ris.toml, compiled once: C-speed getters for fields."""
    return tuple(
        (st.tag, _RULES[st.rule] if st.rule else None, st.field and getter(st.field),
         _CONVERTERS.get(st.convert), st.many)
        for st in statements("ris.toml", _RULES, _CONVERTERS)
    )


def record(c: Citation, ctx: WriteContext) -> Iterator[tuple[str, str]]:
    """(tag, value) pairs of one record, in the order of formats/ris.toml (Zotero's)."""
    for tag, rule, get, convert, many in _steps():
        if rule is not None:
            yield from rule(c, ctx)
            continue
        value = get(c)
        if many:
            for v in value:
                yield tag, convert(v) if convert else v
        elif value:
            yield tag, convert(value) if convert else value
    for name, value in c.extra:
        if _writes_back(name):
            yield name[4:], value


def _writes_back(extra_name: str) -> bool:
    """Whether a kept field is written back: a RIS tag, under a name that is one, and never
    TY or ER, which open and close a record (a kept one would forge a record)."""
    return (extra_name.startswith("ris:") and is_ris_tag(extra_name[4:])
            and extra_name[4:] not in ("TY", "ER"))


def write(citations: Iterable[Citation], out: TextIO, ctx: WriteContext) -> int:
    """Write citations as RIS records; returns how many."""
    n = 0
    for c in citations:
        left_out(c, _writes_back, "ris", ctx)
        lines = []
        for tag, value in record(c, ctx):
            text = fold(value)
            if text or tag in ("TY", "ER"):  # a tag with nothing to say is left out
                lines.append(f"{tag}  - {text}")
        lines.append("ER  - ")
        out.write("\r\n".join(lines) + "\r\n\r\n")
        n += 1
    return n

