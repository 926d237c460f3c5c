"""RIS reader, tolerant of what exporters write: a BOM, CRLF or LF, lower-case tags or
types, a missing final `ER`, values continued on the next line, repeated tags. Tags the
model has no slot for are kept in `extra` (`ris:TAG`) and written back by the RIS writer.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from ..context import ReadContext
from ..dates import DateError, make_date
from ..formatdata import load_toml
from ..identifiers import find_arxiv_id
from ..model import (
    LINK_LABELS,
    TRUNCATION_NOTE,
    Citation,
    Identifiers,
    Kind,
    Link,
    Origin,
    PartialDate,
    Person,
    Status,
    Venue,
    arxiv_abs_url,
)
from ..names import parse_inverted_name
from . import RecordReader

_LINE = re.compile(r"^([A-Za-z][A-Za-z0-9])\s{1,2}-(?: (.*)|)$")
_DATE = re.compile(r"(\d{4})(?:[/-](\d{1,2})?(?:[/-](\d{1,2})?)?)?")
_ISBN = re.compile(r"^(?:97[89][- ]?)?\d[\d -]{8,}[\dXx]$")
_ARXIV_NOTE = re.compile(r"^arXiv(?::(\S+))?(?: \[([^\]]+)\])?$")
_LINK_NOTE = re.compile(r"^(" + "|".join(re.escape(v) for v in LINK_LABELS.values()) + r"): (\S+)$")
_ROLE_OF_LABEL = {label: role for role, label in LINK_LABELS.items()}


@cache
def _tables() -> tuple[dict[str, str], dict[str, str]]:
    data = load_toml("ris.toml")["read"]
    tag_role = {tag: role for role, tags in data["tags"].items() for tag in tags}
    return data["types"], tag_role


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
    """RIS writes "Lastname, Firstname, Suffix"; a name without a comma is an organisation's."""
    if "," not in value:
        return Person(literal=value)
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


def to_citation(line: int, fields: list[tuple[str, str]], ctx: ReadContext) -> Citation:
    types, roles = _tables()
    ty = fields[0][1]
    kind = Kind(types.get(ty, "document"))
    if ty not in types:
        ctx.diags.info("BK703", f"type {ty!r} read as a document", line=line)
    authors: list[Person] = []
    editors: list[Person] = []
    title = container = series = ""
    year_date = date = PartialDate()
    venue: dict[str, Any] = {}
    doi = url = isbn = issn = arxiv = arxiv_class = key = language = ""
    abstract_parts: list[str] = []
    notes: list[str] = []
    keywords: list[str] = []
    links: list[Link] = []
    extra: list[tuple[str, str]] = []
    truncated = False
    for tag, value in fields[1:]:
        role = roles.get(tag)
        if role == "authors":
            authors.append(ris_person(value))
        elif role == "editors":
            editors.append(ris_person(value))
        elif role == "title":
            title = title or value
        elif role == "container":
            container = container or value
        elif role == "series":
            series = series or value
        elif role == "year":
            year_date = year_date if year_date.year else _date(value)
        elif role == "date":
            date = date if date.year else _date(value)
        elif tag == "J2":
            venue.setdefault("short_name", value)
        elif tag == "VL":
            venue.setdefault("volume", value)
        elif tag in ("IS", "CP"):
            venue.setdefault("issue", value)
        elif tag == "SP":
            venue["pages"] = value + venue.get("pages", "")
        elif tag == "EP":
            venue["pages"] = venue.get("pages", "") + "–" + value
        elif tag == "ET":
            venue.setdefault("edition", value)
        elif tag == "PB":
            venue.setdefault("publisher", value)
        elif tag == "CY":
            venue.setdefault("place", value)
        elif tag == "SN":
            if _ISBN.match(value):
                isbn = isbn or value
            else:
                issn = issn or value
        elif tag == "DO":
            doi = doi or value  # normalised by Identifiers
        elif tag == "UR":
            if not url:
                url = value
            else:
                links.append(Link("other", value))
        elif tag == "L1":
            links.append(Link("pdf", value))
        elif tag in ("AB", "N2"):
            abstract_parts.append(value)
        elif tag == "KW":
            keywords.append(value)
        elif tag == "N1":
            m = _ARXIV_NOTE.match(value)
            link = _LINK_NOTE.match(value)
            if m and not arxiv and (m.group(1) or m.group(2)):
                arxiv, arxiv_class = m.group(1) or "", m.group(2) or ""
            elif value == TRUNCATION_NOTE:
                truncated = True
            elif link:
                links.append(Link(_ROLE_OF_LABEL[link.group(1)], link.group(2)))
            else:
                notes.append(value)
        elif tag == "ID":
            key = key or value
        elif tag == "LA":
            language = language or value
        else:
            extra.append((f"ris:{tag}", value))
    arxiv = arxiv or find_arxiv_id(url)  # an id in a note's prose: the pipeline's inference
    if arxiv and url == arxiv_abs_url(arxiv):
        url = ""  # the arXiv page follows from the id (writers derive exactly this URL)
    issued = (
        date if date.year and (not year_date.year or date.year == year_date.year) else year_date
    )
    status = Status.UNKNOWN
    # a preprint: GEN/UNPB with an arXiv id, or any type published by arXiv alone
    on_arxiv = bool(arxiv or arxiv_class)
    if (arxiv and kind is Kind.DOCUMENT) or (
        on_arxiv and venue.get("publisher") == "arXiv" and not container
    ):
        kind, status = Kind.PREPRINT, Status.PREPRINT
        if venue.get("publisher") == "arXiv":
            del venue["publisher"]
    if ty == "INPR":
        status = Status.ACCEPTED
    return Citation(
        key=key,
        kind=kind,
        title=title,
        authors=tuple(authors),
        authors_truncated=truncated,
        editors=tuple(editors),
        issued=issued,
        status=status,
        venue=Venue(name=container, series=series, **venue),
        ids=Identifiers(
            doi=doi, arxiv=arxiv, arxiv_class=arxiv_class, isbn=isbn, issn=issn, url=url
        ),
        links=tuple(links),
        abstract="\n\n".join(abstract_parts),
        keywords=tuple(keywords),
        note="\n".join(notes),
        language=language,
        extra=tuple(extra),
        origin=Origin(ctx.diags.file, line),
    )


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
