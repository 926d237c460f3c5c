"""RIS reader, tolerant of what exporters write: a BOM, CRLF or LF, lower-case tags or
types, a missing final `ER`, values continued on the next line, repeated tags. Tags the
model has no slot for are kept in `extra` (`ris:TAG`) and written back by the RIS writer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from ...data import load_toml
from ...infer.categories import is_category
from ...infer.dates import DateError, make_date
from ...infer.identifiers import arxiv_base, arxiv_note, find_arxiv_id
from ...infer.names import (
    looks_like_a_person,
    original_forms,
    original_script,
    parse_display_name,
    parse_inverted_name,
)
from ...model.citation import (
    TRUNCATION_NOTE,
    Citation,
    Kind,
    Link,
    Origin,
    PartialDate,
    Person,
    Status,
    evolve,
    is_arxiv_page,
    link_from_note,
)
from ...model.context import ReadContext
from ...tex.decode import math_only
from ..genres import ris_genre_kinds
from ..mapping import Statement, assemble, statements
from . import RecordReader

# `TAG  - value`; exporters also write one space before the dash, or none after it
_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9])\s{1,2}- ?(.*)$")
_DATE = re.compile(r"(\d{4})(?:[/-](\d{1,2})?(?:[/-](\d{1,2})?)?)?")
_ISBN = re.compile(r"^(?:97[89][- ]?)?\d[\d -]{8,}[\dXx]$")


@cache
def _types() -> dict[str, str]:
    return load_toml("ris.toml")["read"]["types"]


@cache
def _by_tag() -> dict[str, Statement]:
    table = statements("ris.toml", _RULES, _CONVERTERS)
    return {tag: st for st in table for tag in st.tags}


def records(lines: Iterable[str], ctx: ReadContext) -> Iterator[tuple[int, list[tuple[str, str]]]]:
    """(first line, [(TAG, value), ...]) per record."""
    current: list[tuple[str, str]] = []
    start = 0
    for n, raw in enumerate(lines, 1):
        line = raw.rstrip("\r\n").lstrip("\ufeff")
        if not line.strip():
            continue
        m = _LINE.match(line)
        if m is None:
            if current:  # a value continued on the next line
                tag, value = current[-1]
                current[-1] = (tag, f"{value} {line.strip()}".strip())
            else:
                ctx.diags.warning("BK701", f"text outside a record ignored: {line[:40]!r}", line=n)
            continue
        tag, value = m.group(1).upper(), (m.group(2) or "").strip()
        if tag == "TY":
            if current:
                ctx.diags.warning("BK702", "record has no ER line before the next TY", line=n)
                yield start, current
            current, start = [("TY", value.upper())], n
        elif tag == "ER":
            if current:
                yield start, current
            current = []
        elif current:
            current.append((tag, value))
        else:
            ctx.diags.warning("BK701", f"{tag} line outside a record ignored", line=n)
    if current:  # tolerated: many files end without their last ER
        yield start, current


def ris_person(value: str) -> Person:
    """RIS writes "Lastname, Firstname, Suffix"; a name without a comma is an organisation's,
    unless it reads as a person's given name first, as IEEE Xplore writes every author
    ("J. K. Rowling", read as pandoc reads it). A form in another script after the name, in
    parentheses ("Li Na (李娜)"), is no part of it (the reader keeps it in provenance)."""
    value = original_script(value)[0]
    if "," not in value:
        return parse_display_name(value) if looks_like_a_person(value) else Person(literal=value)
    family, _, rest = value.partition(",")
    given, _, suffix = rest.partition(",")
    person = parse_inverted_name(f"{family}, {given}")
    return Person(
        family=person.family, given=person.given, particle=person.particle, suffix=suffix.strip()
    )


def _date(value: str) -> PartialDate:
    m = _DATE.match(value.strip())
    if not m:
        return PartialDate()
    year = int(m.group(1))
    month = int(m.group(2)) if m.group(2) else None
    day = int(m.group(3)) if m.group(3) else None
    try:
        return make_date(year, month, day) if month else PartialDate(year)
    except DateError:
        return PartialDate(year)


class _Record:
    """What one record's lines say, collected statement by statement."""

    def __init__(self) -> None:
        self.values: dict[str, Any] = {}  # by model path
        self.year_date = self.date = PartialDate()
        self.pages: list[str] = ["", ""]
        self.abstract: list[str] = []
        self.notes: list[str] = []
        self.links: list[Link] = []  # in the order the lines give them
        self.keywords: list[str] = []
        self.arxiv = self.arxiv_class = self.url = self.genre = ""
        self.truncated = self.arxiv_noted = False
        self.containers: dict[str, str] = {}  # the first value of each container tag
        self.other: list[tuple[str, str]] = []  # lines a rule did not use: kept in `extra`


def _year(r: _Record, tag: str, value: str) -> None:
    if not r.year_date.year:
        r.year_date = _date(value)


def _day(r: _Record, tag: str, value: str) -> None:
    if not r.date.year:
        r.date = _date(value)


def _accessed(r: _Record, tag: str, value: str) -> None:
    if "accessed" not in r.values:
        r.values["accessed"] = _date(value)


def _container(r: _Record, tag: str, value: str) -> None:
    r.containers.setdefault(tag, value)


# The container tags by what they name (RIS spec; Zotero's RIS.js reads JA and JO as the
# journal's abbreviation, JF and T2 as its title): the first full title present is the
# name, the first abbreviation the short name.
_FULL_TITLES = ("T2", "JF", "BT", "C3", "JO", "JA", "J2")  # abbreviations only as a last resort
_ABBREVIATIONS = ("J2", "JA", "JO")


def _read_container(r: _Record, kind: Kind) -> None:
    """Venue name and short name: a conference paper's C3 (proceedings) with T2 (the
    conference) as its short name; else the first full title, and the first abbreviation.
    A container tag that says something else is kept in `extra`, never dropped."""
    tags = r.containers
    if kind is Kind.CONFERENCE_PAPER and "C3" in tags:
        name = tags["C3"]
        # bibkit writes the conference as its short name, or as the proceedings' name
        short = tags.get("J2") or ("" if tags.get("T2") == name else tags.get("T2", ""))
    else:
        name_tag = next((t for t in _FULL_TITLES if t in tags), "")
        name = tags.get(name_tag, "")
        short = next((tags[t] for t in _ABBREVIATIONS if t in tags and t != name_tag), "")
    if name:
        r.values["venue.name"] = math_only(name)
    if short:
        r.values["venue.short_name"] = math_only(short)
    r.other += [(f"ris:{tag}", value) for tag, value in tags.items()
                if value not in (name, short)]


def _archive(r: _Record, tag: str, value: str) -> None:
    """DB arXiv / AN arXiv:ID: where the record is; any other archive is kept as written."""
    arxiv = find_arxiv_id(value) if tag == "AN" else ""
    if arxiv and not r.arxiv:
        r.arxiv = arxiv
    elif not (tag == "DB" and value == "arXiv") and not (arxiv and arxiv == r.arxiv):
        r.other.append((f"ris:{tag}", value))


def _genre(r: _Record, tag: str, value: str) -> None:
    r.genre = r.genre or value  # whether M3 is a genre depends on the kind: see _finish


def _pages(r: _Record, tag: str, value: str) -> None:
    r.pages[tag == "EP"] = value


def _publisher(r: _Record, tag: str, value: str) -> None:
    r.values.setdefault("venue.publisher", value)


def _standard_number(r: _Record, tag: str, value: str) -> None:
    r.values.setdefault("ids.isbn" if _ISBN.match(value) else "ids.issn", value)


def _doi(r: _Record, tag: str, value: str) -> None:
    r.values.setdefault("ids.doi", value)  # normalised by Identifiers


def _urls(r: _Record, tag: str, value: str) -> None:
    if tag == "L1":
        r.links.append(Link("pdf", value))
    elif not r.url:
        r.url = value
    else:
        r.links.append(Link("other", value))


def _keywords(r: _Record, tag: str, value: str) -> None:
    r.keywords.append(math_only(value))  # an arXiv category among them: see _finish


def _abstract(r: _Record, tag: str, value: str) -> None:
    r.abstract.append(math_only(value))


def _notes(r: _Record, tag: str, value: str) -> None:
    """N1 carries what Zotero and bibkit note: `arXiv:ID [class]`, the et-al. note, labelled
    links; anything else is the note itself."""
    noted = arxiv_note(value)
    link = link_from_note(value)
    if noted and not r.arxiv_noted and (
            not r.arxiv or arxiv_base(noted[0] or r.arxiv) == arxiv_base(r.arxiv)):
        # the first such line: the id (or the same id an AN line gave) and its class
        r.arxiv, r.arxiv_class = r.arxiv or noted[0], noted[1]
        r.arxiv_noted = True
    elif value == TRUNCATION_NOTE:
        r.truncated = True
    elif link:
        r.links.append(link)
    else:
        r.notes.append(math_only(value))


_RULES: dict[str, Any] = {
    "type": None,  # TY opens the record: `records` took it, `to_citation` reads it first
    "year": _year, "date": _day, "container": _container, "pages": _pages,
    "publisher": _publisher, "standard-number": _standard_number, "doi": _doi, "urls": _urls,
    "archive": _archive, "abstract": _abstract, "notes": _notes, "genre": _genre,
    "accessed": _accessed, "keywords": _keywords,
}
_CONVERTERS: dict[str, Any] = {"name": ris_person}


def to_citation(line: int, fields: list[tuple[str, str]], ctx: ReadContext) -> Citation:
    ty = fields[0][1]
    kind = Kind(_types().get(ty, "document"))
    if ty not in _types():
        ctx.diags.info("BK703", f"type {ty!r} read as a document", line=line)
    r = _Record()
    by_tag, values = _by_tag(), r.values
    extra: list[tuple[str, str]] = []
    for tag, value in fields[1:]:
        st = by_tag.get(tag)
        if st is None:
            extra.append((f"ris:{tag}", value))
        elif st.rule:
            _RULES[st.rule](r, tag, value)
        else:
            # text is web text: inline TeX math as Zotero keeps it ($\ell_0$) becomes math
            convert = _CONVERTERS[st.convert] if st.convert else math_only
            if st.many:
                values.setdefault(st.field, []).append(convert(value))
            elif not values.get(st.field):
                values[st.field] = convert(value)
    names = [v for tag, v in fields[1:] if (st := by_tag.get(tag)) is not None
             and st.field in ("authors", "editors")]
    citation = _finish(r, kind, ty, extra, line, ctx)
    originals = original_forms(names, "authors", "input")
    return evolve(citation, provenance=citation.provenance + originals) if originals \
        else citation


def _finish(r: _Record, kind: Kind, ty: str, extra: list[tuple[str, str]], line: int,
            ctx: ReadContext) -> Citation:
    """What follows from the record as a whole: the arXiv id, the date, a preprint."""
    values = r.values
    _read_container(r, kind)
    extra = extra + r.other
    arxiv = r.arxiv or find_arxiv_id(r.url)  # an id in a note's prose: the pipeline's inference
    url = "" if arxiv and is_arxiv_page(r.url, arxiv) else r.url  # follows from the id
    first, last = r.pages
    if first or last:
        values["venue.pages"] = first + ("–" + last if last else "")
    same_year = not r.year_date.year or r.date.year == r.year_date.year
    issued = r.date if r.date.year and same_year else r.year_date
    status = Status.UNKNOWN
    by_arxiv = values.get("venue.publisher") == "arXiv"
    # an arXiv record's category is a KW line (older bibkit and Zotero: the N1 note)
    cls = next((k for k in r.keywords if is_category(k)), "") if arxiv or by_arxiv else ""
    if cls and not r.arxiv_class:
        r.arxiv_class = cls
        r.keywords.remove(cls)
    # a preprint: GEN/UNPB with an arXiv id, or any type published by arXiv alone
    on_arxiv = bool(arxiv or r.arxiv_class)
    if (arxiv and kind is Kind.DOCUMENT) or (
        by_arxiv and not values.get("venue.name") and (on_arxiv or kind is Kind.DOCUMENT)
    ):
        kind, status = Kind.PREPRINT, Status.PREPRINT
        if by_arxiv and on_arxiv:  # follows from the id or category; else it is the only sign
            del values["venue.publisher"]
    if ty == "INPR":
        status = Status.ACCEPTED
    if r.genre and kind in ris_genre_kinds():
        values["genre"] = math_only(r.genre)
    elif r.genre:  # another type's M3 (EndNote's DOI, say): kept as written
        extra.append(("ris:M3", r.genre))
    values["keywords"] = tuple(r.keywords)
    for path in ("authors", "editors"):
        values[path] = tuple(values.get(path, ()))
    values.update({
        "kind": kind, "status": status, "issued": issued, "authors_truncated": r.truncated,
        "ids.arxiv": arxiv, "ids.arxiv_class": r.arxiv_class, "ids.url": url,
        "links": tuple(r.links), "abstract": "\n\n".join(r.abstract),
        "note": "\n".join(r.notes), "extra": tuple(extra), "origin": Origin(ctx.diags.file, line),
    })
    return assemble(values)


def _keyed_records(stream: Iterable[str], ctx: ReadContext
                   ) -> Iterator[tuple[int, str, list[tuple[str, str]]]]:
    any_record = False
    for line, fields in records(stream, ctx):
        any_record = True
        yield line, next((v for t, v in fields if t == "ID"), ""), fields
    if not any_record:
        ctx.diags.error("BK304", "no RIS records found (a record starts with 'TY  - ')")


READER = RecordReader(_keyed_records, to_citation, "BK704", "record")


def looks_like_ris(head: str) -> bool:
    return re.search(r"(?m)^\ufeff?TY {2}- ", head) is not None
