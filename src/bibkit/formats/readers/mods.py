"""MODS reader: what bibkit's MODS writer and Zotero's MODS export write (a <modsCollection>
or one <mods>; genre, names with marcrelator roles, a host relatedItem for a part of a larger
work, identifiers, subjects, notes), parsed through io/xmlsafe (no entities, no DTD, no
network). Each <mods> is one record; XML that is not well-formed is one error with its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from functools import cache
from typing import Any

from lxml import etree

from ...data import load_toml
from ...infer.categories import is_category
from ...infer.dates import DateError, make_date
from ...infer.identifiers import arxiv_base
from ...infer.names import parse_inverted_name
from ...io.xmlsafe import XmlError, parse_xml
from ...model.citation import (
    TRUNCATION_NOTE,
    WITHDRAWN_NOTE,
    Citation,
    Kind,
    Link,
    Origin,
    PartialDate,
    Person,
    Status,
    is_arxiv_page,
    link_from_note,
)
from ...model.context import ReadContext
from ...tex.decode import math_only
from ..mapping import assemble
from . import RecordReader

NS = "http://www.loc.gov/mods/v3"
M = {"m": NS}
_DECLARATION = re.compile(r"^\s*<\?xml[^>]*\?>")
_W3CDTF = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


@cache
def _kinds() -> tuple[dict[str, str], dict[tuple[str, bool], str]]:
    """(local genre -> kind, (marcgt genre, has a host) -> kind), from the writer's table:
    marcgt "book" is a chapter inside a host and a book on its own."""
    table = load_toml("mods.toml")["write"]
    genres, partial = table["genres"], set(table["partial"])
    local = {names[0]: kind for kind, names in genres.items()}
    marc: dict[tuple[str, bool], str] = {}
    for kind, names in genres.items():
        if names[1]:
            marc.setdefault((names[1], kind in partial), kind)
    for (name, in_host), kind in list(marc.items()):
        marc.setdefault((name, not in_host), kind)
    return local, marc


def records(lines: Iterable[str], ctx: ReadContext
            ) -> Iterator[tuple[int, str, etree._Element | None]]:
    text = _DECLARATION.sub("", "\n".join(line.rstrip("\r") for line in lines), count=1)
    try:
        root = parse_xml(text.encode("utf-8"))
    except XmlError as exc:
        lines = re.findall(r"line (\d+)\)", str(exc))  # where the parser stopped
        line = int(lines[-1]) if lines else 0
        ctx.diags.error("BK721", f"MODS: {exc}", line=line)
        yield line, "", None
        return
    found = [root] if root.tag == f"{{{NS}}}mods" else root.findall("m:mods", M)
    if not found:
        ctx.diags.error("BK722", f"no <mods> record in the MODS namespace ({NS}); the root "
                        f"is <{etree.QName(root).localname}>", line=root.sourceline or 0)
        return
    for mods in found:
        key = _text(mods, "m:identifier[@type='citekey']") or mods.get("ID", "")
        yield mods.sourceline or 0, key, mods


def _text(el: etree._Element, path: str) -> str:
    """The first element's text at an XPath (predicates such as not(@type) included)."""
    found = el.xpath(path, namespaces=M)
    return (found[0].text or "").strip() if found else ""


def _all(el: etree._Element, path: str) -> list[str]:
    return [(e.text or "").strip() for e in el.xpath(path, namespaces=M)
            if (e.text or "").strip()]


def _title(el: etree._Element) -> str:
    """The main title as people cite it: a nonSort article ("The") before it, a subtitle
    after a colon, as Zotero's MODS import joins them."""
    info = el.xpath("m:titleInfo[not(@type)]", namespaces=M)
    if not info:
        return ""
    title = _text(info[0], "m:title")
    non_sort = _text(info[0], "m:nonSort")
    if non_sort:
        title = f"{non_sort} {title}" if not non_sort.endswith(("'", "’")) else non_sort + title
    subtitle = _text(info[0], "m:subTitle")
    return f"{title}: {subtitle}" if subtitle and title else title or subtitle


def _person(name: etree._Element) -> Person:
    if name.get("type") == "corporate":
        return Person(literal=" ".join(_all(name, "m:namePart")))
    family = _text(name, "m:namePart[@type='family']")
    given = _text(name, "m:namePart[@type='given']")
    suffix = _text(name, "m:namePart[@type='termsOfAddress']")
    if family or given:
        return Person(family=family, given=given, suffix=suffix)
    whole = " ".join(_all(name, "m:namePart[not(@type)]"))
    return parse_inverted_name(whole) if "," in whole else Person(literal=whole)


_ROLE_WORDS = {"author": "aut", "creator": "aut", "editor": "edt"}  # roleTerm type="text"


def _names(el: etree._Element, role: str) -> tuple[Person, ...]:
    """The names of one marcrelator role (a code, or its word); a name without a role is an
    author, as Zotero's MODS import reads it."""
    out = []
    for name in el.findall("m:name", M):
        roles = {_ROLE_WORDS.get(r.lower(), r) for r in _all(name, "m:role/m:roleTerm")}
        if role in roles or (role == "aut" and not roles):
            out.append(_person(name))
    return tuple(out)


def _date(text: str, said: list[str] | None = None) -> PartialDate:
    """A W3CDTF date (a time after it is dropped: the model has days); what cannot be a
    date is read as far as it can and put in `said`."""
    m = _W3CDTF.match(text)
    if m is None:
        if text and said is not None:
            said.append(f"date {text!r} is no date; left out")
        return PartialDate()
    if not m.group(2):
        return PartialDate(int(m.group(1)))
    try:
        return make_date(int(m.group(1)), int(m.group(2)),
                         int(m.group(3)) if m.group(3) else None)
    except DateError as exc:
        if said is not None:
            said.append(f"date {text!r}: {exc}; read as the year {m.group(1)}")
        return PartialDate(int(m.group(1)))


def convert(line: int, mods: etree._Element, ctx: ReadContext) -> Citation | None:
    local, marc = _kinds()
    genre = _text(mods, "m:genre[@authority='local']")
    host = mods.find("m:relatedItem[@type='host']", M)
    top = host if host is not None else mods
    marc_genre = _text(top, "m:genre[@authority='marcgt']")
    kind = Kind(local.get(genre) or marc.get((marc_genre, host is not None)) or (
        "article-journal" if host is not None else "document"))
    values: dict[str, Any] = {
        "key": _text(mods, "m:identifier[@type='citekey']") or mods.get("ID", ""),
        "kind": kind,
        "title": math_only(_title(mods)),
        "genre": math_only(_text(mods, "m:genre[not(@authority)]")),
        "authors": _names(mods, "aut"),
        "editors": _names(top, "edt") or (_names(mods, "edt") if host is not None else ()),
        "abstract": math_only(_text(mods, "m:abstract")),
        "language": _text(mods, "m:language/m:languageTerm"),
        "origin": Origin(ctx.diags.file, line),
        "_said": [],  # what was read in part, said once the record is read
    }
    if host is not None:
        values["venue.name"] = math_only(_title(host))
        values["venue.short_name"] = math_only(
            _text(host, "m:titleInfo[@type='abbreviated']/m:title")
            or _text(host, "m:titleInfo[@type='alternative']/m:title"))
    values["venue.series"] = math_only(
        _text(mods, "m:relatedItem[@type='series']/m:titleInfo/m:title"))
    _origin(top, mods, values)
    _part(top, values)
    _identifiers(mods, values)
    _notes(mods, values)
    values["keywords"] = tuple(math_only(t) for t in _all(
        mods, "m:subject[not(@authority='arxiv')]/m:topic"))
    for message in values.pop("_said"):
        ctx.diags.warning("BK724", message, line=line, key=values["key"])
    return assemble(values)


def _origin(top: etree._Element, mods: etree._Element, values: dict[str, Any]) -> None:
    origin = top.find("m:originInfo", M)
    if origin is None:
        origin = mods.find("m:originInfo", M)
    if origin is None:
        return
    values["venue.place"] = _text(origin, "m:place/m:placeTerm")
    values["venue.publisher"] = _text(origin, "m:publisher")
    values["venue.edition"] = _text(origin, "m:edition")
    values["issued"] = _date(_text(origin, "m:dateIssued") or _text(origin, "m:copyrightDate"),
                             values["_said"])
    captured = _text(mods, "m:originInfo/m:dateCaptured")
    if captured:
        values["accessed"] = _date(captured, values["_said"])


def _part(top: etree._Element, values: dict[str, Any]) -> None:
    part = top.find("m:part", M)
    if part is None:
        return
    for detail in ("volume", "issue"):
        values[f"venue.{detail}"] = (_text(part, f"m:detail[@type='{detail}']/m:number")
                                     or _text(part, f"m:detail[@type='{detail}']"))
    start, end = _text(part, "m:extent/m:start"), _text(part, "m:extent/m:end")
    if not values.get("issued") or values["issued"].year is None:
        values["issued"] = _date(_text(part, "m:date"), values["_said"])  # Zotero's article
    listed = _text(part, "m:extent/m:list")
    values["venue.pages"] = (start if not end or end == start else
                             f"{start}–{end}" if start else end) or listed


def _identifiers(mods: etree._Element, values: dict[str, Any]) -> None:
    for id_type in ("doi", "isbn", "issn", "pmid"):  # a journal's ISSN is its host's
        values[f"ids.{id_type}"] = (_text(mods, f"m:identifier[@type='{id_type}']") or
                                    _text(mods, f"m:relatedItem[@type='host']/"
                                                f"m:identifier[@type='{id_type}']"))
    arxiv = _text(mods, "m:identifier[@type='arxiv']")
    values["ids.arxiv"] = arxiv
    category = _text(mods, "m:subject[@authority='arxiv']/m:topic")
    values["ids.arxiv_class"] = category if is_category(category) else ""
    url_el = mods.find("m:location/m:url", M)
    url = (url_el.text or "").strip() if url_el is not None else ""
    if url_el is not None and url_el.get("dateLastAccessed"):
        values["accessed"] = _date(url_el.get("dateLastAccessed", ""), values["_said"])
    if arxiv and is_arxiv_page(url, arxiv_base(arxiv)):
        url = ""  # follows from the id
    values["ids.url"] = url
    if values["kind"] is Kind.PREPRINT and values.get("venue.publisher") == "arXiv" and (
            arxiv or values["ids.arxiv_class"]):
        values["venue.publisher"] = ""  # what the repository says, from the id


def _notes(mods: etree._Element, values: dict[str, Any]) -> None:
    """The notes bibkit writes: its status and truncation notes, labelled links, a URL
    that is no URI; any other note is the note."""
    notes: list[str] = []
    links: list[Link] = []
    for text in _all(mods, "m:note"):
        link = link_from_note(text)
        if text == TRUNCATION_NOTE:
            values["authors_truncated"] = True
        elif text == WITHDRAWN_NOTE:
            values["status"] = Status.WITHDRAWN
        elif link is not None:
            links.append(link)
        elif text.startswith("URL: ") and not values.get("ids.url"):
            values["ids.url"] = text[5:]
        else:
            notes.append(math_only(text))
    values["note"] = "\n".join(notes)
    values["links"] = tuple(links)


def looks_like_mods(head: str) -> bool:
    return "http://www.loc.gov/mods/v3" in head and re.search(r"<(?:\w+:)?mods(?:Collection)?\b",
                                                               head) is not None


READER = RecordReader(records, convert, "BK723", "record")
