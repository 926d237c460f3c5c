"""DBLP person pages: every record of one person, with its co-authors' person ids, in one
request (`https://dblp.org/pid/PID.xml`, a `<dblpperson>` document whose `<r>` elements hold
the records as dblp.xml writes them).

A page lists a published paper and its arXiv version (venue CoRR, volume `abs/ID`) as two
records; both are kept, as the search API gives them, so one matching rule pairs them. The
records are turned into the search API's shape and read by the same code (`dblp._citation`),
so a page and a search give the same citation for the same record (dblp_records.py).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from typing import Any

from lxml import etree

from ..io.xmlsafe import XmlError, parse_xml
from ..model.citation import Citation
from .dblp_records import record_citation
from .resolver import one_line

# the search API's type names, by the record's element (an informal article is CoRR's)
_TYPE_OF = {
    "inproceedings": "Conference and Workshop Papers",
    "article": "Journal Articles",
    "incollection": "Parts in Books or Collections",
    "book": "Books and Theses",
    "phdthesis": "Books and Theses",
    "mastersthesis": "Books and Theses",
    "proceedings": "Editorship",
}
_PID = re.compile(r"^[0-9a-z]+(?:/[0-9A-Za-z_\-]+)+$")
_HOMONYM = re.compile(r"\s+\d{4}$")


def valid_pid(pid: str) -> bool:
    """A DBLP person id as dblp.org writes it: "h/BoHan3", "117/4830", "92/3522-1"."""
    return bool(_PID.match(pid))


def person_url(search_endpoint: str, pid: str) -> str:
    """The person page beside the search API, as on dblp.org: `…/search/publ/api` becomes
    `…/pid/PID.xml` (a mirror keeps the same layout)."""
    base = search_endpoint.rstrip("/")
    base = base.removesuffix("/search/publ/api") if base.endswith("/search/publ/api") else (
        urllib.parse.urlunsplit(urllib.parse.urlsplit(base)._replace(path="", query="")))
    return f"{base}/pid/{pid}.xml"


@dataclass(frozen=True)
class PersonPage:
    pid: str
    name: str  # without DBLP's homonym number: "Bo Han", not "Bo Han 0003"
    records: list[Citation]


def parse_person(data: bytes) -> PersonPage:
    root = parse_xml(data)
    if root.tag != "dblpperson":
        raise XmlError(f"not a DBLP person page (root element {root.tag!r})")
    records = []
    for r in root.iterchildren("r"):
        for record in r.iterchildren():
            if isinstance(record.tag, str) and record.tag in _TYPE_OF:
                records.append(record_citation(_as_search_hit(record)))
    name = _HOMONYM.sub("", one_line(root.get("name", "")))
    return PersonPage(root.get("pid", ""), name, records)


def _as_search_hit(record: etree._Element) -> dict[str, Any]:
    """A dblp.xml record in the search API's `info` shape."""
    def text(tag: str) -> str:
        found = record.find(tag)
        return one_line("".join(found.itertext())) if found is not None else ""

    informal = record.get("publtype") == "informal" or text("journal") == "CoRR"
    kind = "Informal and Other Publications" if record.tag == "article" and informal \
        else _TYPE_OF[record.tag]
    authors = [{"@pid": a.get("pid", ""), "text": one_line("".join(a.itertext()))}
               for a in record.iterchildren("author")]
    ees = [one_line("".join(e.itertext())) for e in record.iterchildren("ee")]
    dois = [urllib.parse.unquote(e.split("doi.org/", 1)[1]) for e in ees if "doi.org/" in e]
    info: dict[str, Any] = {
        "authors": {"author": authors}, "title": text("title"),
        "venue": text("booktitle") or text("journal") or text("school") or text("publisher"),
        "volume": text("volume"), "number": text("number"), "pages": text("pages"),
        "year": text("year"), "type": kind, "key": record.get("key", ""),
        "ee": ees,
    }
    if dois:
        info["doi"] = dois[0]
    return info
