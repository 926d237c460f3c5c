"""MODS 3.7 writer (lxml), valid against the Library of Congress schema.

Records are built one at a time and serialised into the open <modsCollection>, so memory
does not grow with the input. The shape follows Zotero's MODS export (genre, host
relatedItem for articles and papers, marcrelator roles), which Zotero and bibutils import.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import TextIO

from lxml import etree

from ...data import load_toml, require
from ...infer.categories import is_category
from ...infer.identifiers import display_doi, is_uri
from ...infer.names import last_first, zotero_parts
from ...model.citation import (
    TRUNCATION_NOTE,
    Citation,
    Kind,
    PartialDate,
    Person,
    Venue,
    status_notes,
)
from ...model.context import WriteContext
from ...tex import render
from ...tex.escape import safe_url
from . import left_out

NS = "http://www.loc.gov/mods/v3"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATION = f"{NS} http://www.loc.gov/standards/mods/v3/mods-3-7.xsd"
# XML 1.0 cannot hold these characters at all, not even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_PAGES = re.compile(r"^\s*(\w+)\s*[-–—]+\s*(\w+)\s*$")
_ONE_PAGE = re.compile(r"^\s*(\w+)\s*$")


@cache
def _tables() -> tuple[dict[str, list[str]], frozenset[str]]:
    data = load_toml("mods.toml")["write"]
    require(
        set(data["genres"]) == {k.value for k in Kind},
        "mods.toml",
        "write.genres must map every kind",
    )
    return data["genres"], frozenset(data["partial"])


def _x(text: str) -> str:
    """Text for an element: math as its TeX source, other spans as the text they print
    (MODS has no markup), nothing XML forbids."""
    return _NOT_XML.sub("", render.plain(text))


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrs: str) -> etree._Element:
    el = etree.SubElement(
        parent, f"{{{NS}}}{tag}", {k.replace("_", ""): v for k, v in attrs.items()}
    )
    if text is not None:
        el.text = _x(text)
    return el


def _name(parent: etree._Element, p: Person, role: str, zotero: bool) -> None:
    if p.literal:
        name = _sub(parent, "name", type="corporate")
        _sub(name, "namePart", p.literal)
    else:
        name = _sub(parent, "name", type="personal")
        # Zotero's MODS import reads family and given only: -O names=zotero puts a suffix
        # in the given name, where Zotero keeps it (names.zotero_parts)
        family, given = zotero_parts(p) if zotero else last_first(p)
        _sub(name, "namePart", family, type="family")
        if given:
            _sub(name, "namePart", given, type="given")
        if p.suffix and not zotero:
            _sub(name, "namePart", p.suffix, type="termsOfAddress")
    role_el = _sub(name, "role")
    _sub(role_el, "roleTerm", role, type="code", authority="marcrelator")


def _w3cdtf(d: PartialDate) -> str:
    return d.iso()


def record(c: Citation, key: str, ctx: WriteContext) -> etree._Element:
    genres, partial = _tables()
    mods = etree.Element(f"{{{NS}}}mods", nsmap={None: NS})
    if c.title:
        _sub(_sub(mods, "titleInfo"), "title", c.title)
    _sub(mods, "typeOfResource", "text")
    local, marc = genres[c.kind.value]
    _sub(mods, "genre", local, authority="local")
    if c.genre:  # the kind in words ("Master's thesis"): a genre of no authority
        _sub(mods, "genre", c.genre)
    is_partial = c.kind.value in partial
    host = _sub(mods, "relatedItem", type="host") if is_partial else None
    top = host if host is not None else mods
    if marc:
        _sub(top, "genre", marc, authority="marcgt")
    zotero = ctx.options.get("names") == "zotero"
    for p in c.authors:
        _name(mods, p, "aut", zotero)
    for p in c.editors:
        _name(top, p, "edt", zotero)
    if host is not None and c.venue.name:
        _sub(_sub(host, "titleInfo"), "title", c.venue.name)
    if host is not None and c.venue.short_name:
        # an abbreviated title is a journal's abbreviation to Zotero (MODS.js), a field its
        # other types lack (it lands in Extra); a conference's short name is another name
        abbreviation = c.kind is Kind.JOURNAL_ARTICLE
        title_info = _sub(host, "titleInfo", type="abbreviated" if abbreviation else "alternative")
        _sub(title_info, "title", c.venue.short_name)

    _origin_info(c, top)
    v = c.venue
    if v.series:
        series = _sub(mods, "relatedItem", type="series")
        _sub(_sub(series, "titleInfo"), "title", v.series)

    _part(v, top)

    if c.abstract and ctx.abstract:
        _sub(mods, "abstract", c.abstract)
    for note in (status_notes(c) + ([c.note] if c.note else [])
                 + ([TRUNCATION_NOTE] if c.authors_truncated else [])):
        _sub(mods, "note", note)
    for link in c.links:
        _sub(mods, "note", link.note())
    if c.keywords:
        subject = _sub(mods, "subject")
        for kw in c.keywords:
            _sub(subject, "topic", kw)
    _identifiers_and_location(mods, c, key)
    if c.language:
        _sub(_sub(mods, "language"), "languageTerm", c.language, type="text")
    # the citekey is an identifier of type citekey, as bibutils writes it, and not a
    # recordInfo/recordIdentifier, which Zotero imports as an "Accession Number" in Extra
    return mods


def _identifiers_and_location(mods: etree._Element, c: Citation, key: str) -> None:
    """The identifiers, the arXiv category as a subject, the URL and the access date."""
    ids = c.ids
    for id_type, value in (
        ("doi", display_doi(c.cited_doi)),
        ("arxiv", ids.arxiv_base),
        ("isbn", ids.isbn),
        ("issn", ids.issn),
        ("pmid", ids.pmid),
        ("citekey", key),
    ):
        if value:
            _sub(mods, "identifier", value, type=id_type)
    if is_category(ids.arxiv_class):  # a code kept as written is no category
        # a subject, not a classification: Zotero's MODS import makes a classification its
        # Call Number, a subject's topic a tag (zotero/translators MODS.js, doImport)
        _sub(_sub(mods, "subject", authority="arxiv"), "topic", ids.arxiv_class)
    url = ids.landing_url
    uri = safe_url(url)  # the same address, as an anyURI (?f[y]=1 is ?f%5By%5D=1)
    accessed = _w3cdtf(c.accessed) if c.accessed.year is not None else ""
    if is_uri(uri):
        # the access date where Zotero's MODS export puts it (and its import reads it)
        attrs = {"dateLastAccessed": accessed} if accessed else {}
        _sub(_sub(mods, "location"), "url", uri, usage="primary display", **attrs)
    elif url:  # <url> is an xs:anyURI: text that is no URI travels as a note, as written
        _sub(mods, "note", f"URL: {url}")
    if accessed and not is_uri(uri):
        _sub(_sub(mods, "originInfo"), "dateCaptured", accessed, encoding="w3cdtf")


def _origin_info(c: Citation, top: etree._Element) -> None:
    """Place, publisher, the date the work is cited with, edition, issuance."""
    origin = _sub(top, "originInfo")
    v = c.venue
    if v.place:
        _sub(_sub(origin, "place"), "placeTerm", v.place, type="text")
    publisher = v.publisher or c.repository
    if publisher:
        _sub(origin, "publisher", publisher)
    date = c.cited_date
    if date.year is not None:
        _sub(origin, "dateIssued", _w3cdtf(date), encoding="w3cdtf")
    if v.edition:
        _sub(origin, "edition", v.edition)
    _sub(origin, "issuance", "continuing" if c.kind is Kind.JOURNAL_ARTICLE else "monographic")
    if not len(origin):
        top.remove(origin)


def _part(v: Venue, top: etree._Element) -> None:
    """Volume, issue and pages within the host."""
    part = _sub(top, "part")
    for detail_type, value in (("volume", v.volume), ("issue", v.issue)):
        if value:
            _sub(_sub(part, "detail", type=detail_type), "number", value)
    if v.pages:
        extent = _sub(part, "extent", unit="pages")
        m = _PAGES.match(v.pages) or _ONE_PAGE.match(v.pages)
        if m:  # one page is a start and an end alike (Zotero reads no <list>)
            _sub(extent, "start", m.group(1))
            _sub(extent, "end", m.group(m.lastindex or 1))
        else:
            _sub(extent, "list", v.pages)
    if not len(part):
        top.remove(part)


def write(citations: Iterable[Citation], out: TextIO, ctx: WriteContext) -> int:
    """Write a <modsCollection>, one record at a time; returns how many."""
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(
        f'<modsCollection xmlns="{NS}" xmlns:xsi="{XSI}" xsi:schemaLocation="{SCHEMA_LOCATION}">\n'
    )
    n = 0
    for c in citations:
        key = c.key  # made by the pipeline
        el = record(c, key, ctx)
        left_out(c, lambda name: False, "mods", ctx)  # MODS writes no kept field back
        text = etree.tostring(el, encoding="unicode", pretty_print=True)
        # the collection already declares the namespace
        text = text.replace(f' xmlns="{NS}"', "", 1)
        out.write(text)  # not re-indented: that would change text that holds line breaks
        n += 1
    out.write("</modsCollection>\n")
    if n == 0:
        ctx.diags.warning(
            "BK403",
            "no records: the MODS schema requires at least one <mods> "
            "in a collection, so this empty one is not valid MODS",
        )
    return n

