"""The canonical model <-> CSL-JSON items, both directions in one place.

The model is CSL-shaped (kinds are CSL types, names and dates are CSL's), so most of this is
renaming. What CSL has no variable for (a truncated author list, provenance, links other than
the URL, fields kept from other formats) goes under `custom.bibkit`, which the reader takes
back: `from_csl(to_csl(c)) == c` for every citation, and the standard variables still carry
everything Zotero, pandoc and citation.js use.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import cache
from typing import Any

from ..data import load_toml
from ..infer.dates import DateError, parse_iso
from ..infer.identifiers import display_doi, find_arxiv_id
from ..infer.names import from_zotero_parts, zotero_parts
from ..model.citation import (
    TRUNCATION_NOTE,
    Citation,
    Kind,
    Link,
    Origin,
    PartialDate,
    Person,
    Provenance,
    Status,
    link_from_note,
)
from ..tex import render
from ..tex.csltags import from_csl as text_from_csl
from ..tex.escape import escape_latex
from ..tex.safety import safe_tex
from ..tex.spans import exact_text, from_tree, has_spans
from .mapping import Statement, assemble, getter, statements

_KEYLIKE = re.compile(r"(?!\w+://)[^\s{}(),\\\"#%'=~]+")


_RULES = frozenset({"key", "type", "issued", "accessed", "publisher", "number", "status",
                    "url", "keyword", "note", "custom"})  # variables mapped in code, below


@cache
def _table() -> tuple[frozenset[str], tuple[Statement, ...]]:
    """(every variable the schema allows, bibkit's statement list in write order)."""
    table = statements("csl.toml", _RULES, _WRITE_CONVERTERS)
    return frozenset(load_toml("csl.toml")["variables"]), table


@cache
def _rank() -> dict[str, int]:
    """Each variable's place in formats/csl.toml's write order."""
    rank: dict[str, int] = {}
    for st in _table()[1]:
        rank.setdefault(st.tag, len(rank))
    return rank


@cache
def _copied() -> tuple[tuple[str, Any, Any, bool], ...]:
    """The statements that copy a model field: (variable, getter, converter, many)."""
    return tuple((st.tag, getter(st.field), _WRITE_CONVERTERS.get(st.convert), st.many)
                 for st in _table()[1] if st.field)


# --- writing ----------------------------------------------------------------------------------


def _name(p: Person) -> dict[str, str]:
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


_WRITE_CONVERTERS: dict[str, Any] = {"name": _name, "doi": display_doi}


def _date(d: PartialDate) -> dict[str, Any] | None:
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


def note_text(c: Citation) -> str:
    """The `note` variable: the citation's note, its code and project links (CSL has no
    variable for them, and Zotero keeps `note` in Extra), then what a reader should know."""
    parts = [c.note] if c.note else []
    parts += [link.note() for link in c.links]
    if c.authors_truncated:
        parts.append(TRUNCATION_NOTE)
    return "\n".join(parts)


def _read_note(note: str) -> tuple[str, tuple[Link, ...], bool]:
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
    return frozenset(st.tag for st in _table()[1] if st.convert == "name")


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


def to_csl(c: Citation, key: str) -> dict[str, Any]:
    """The CSL-JSON item for a citation, keys in the order of formats/csl.toml."""
    known = _table()[0]
    item: dict[str, Any] = {"id": key, "citation-key": key, "type": c.kind.value}
    texts: dict[str, Any] = {}  # model text the rich-text value cannot give back exactly
    for var, get, convert, many in _copied():
        value = get(c)
        if value:
            if many or convert:
                item[var] = [convert(v) for v in value] if many else convert(value)
            elif isinstance(value, str):
                item[var] = rendered = render.csl(value)
                if _lossy(value, rendered):
                    texts[var] = exact_text(value)
            else:
                item[var] = value
    if "DOI" in item and not c.cited_doi:  # arXiv's DOI on a published version: custom keeps it
        del item["DOI"]
    # a published work is cited by its venue's year, not by the day its preprint went online
    issued = _date(c.cited_date)
    if issued:
        item["issued"] = issued
    accessed = _date(c.accessed)
    if accessed:
        item["accessed"] = accessed
    if c.venue.publisher:
        item["publisher"] = c.venue.publisher
    ids = c.ids
    if c.repository:
        # as Zotero and citation.js write an arXiv preprint: repository and archive id
        # (Zotero's preprint item: Repository, Archive ID)
        item.setdefault("publisher", c.repository)
        if ids.arxiv:
            item["number"] = f"arXiv:{ids.arxiv_base}"  # the version: custom.bibkit.arxiv
    if c.status is Status.ACCEPTED:
        item["status"] = "forthcoming"
    url = ids.landing_url  # the work's page; code and project links are in `note`
    if url:
        item["URL"] = url
    if c.keywords:
        item["keyword"] = render.csl(", ".join(c.keywords))
    note = note_text(c)
    if note:
        item["note"] = render.csl(note)
    custom: dict[str, Any] = {}
    exact = _exact(c, item)
    if texts:
        exact["text"] = texts
    if exact:
        custom["bibkit"] = exact
    for name, value in c.extra:
        if name.startswith("csl:"):
            var = name[4:]
            decoded = json.loads(value)
            if var in known and (var not in item or _written_back(var, decoded, item)):
                item[var] = decoded
            else:
                custom[var] = decoded
    if custom:
        item["custom"] = custom
    rank = _rank()  # the table's order, then any other variable in the order it was added
    return dict(sorted(item.items(), key=lambda kv: rank.get(kv[0], len(rank))))


@cache
def _nearest_kinds() -> dict[str, Kind]:
    kinds = {k.value: k for k in Kind}
    table = load_toml("csl.toml").get("nearest_kind", {})
    return {**{t: kinds[k] for t, k in table.items()}, **kinds}


def _kind_of_type(csl_type: str) -> Kind:
    """The model's kind for a CSL type: its own, the nearest one, else a document."""
    return _nearest_kinds().get(csl_type, Kind.DOCUMENT)


def _written_back(var: str, written: Any, item: dict[str, Any]) -> bool:
    """Whether a value kept as written (a newspaper article's type, a date range, "Spring
    2018") still says what the item says: then it goes back as it was, richer than the
    model's value."""
    try:
        if var == "type":
            return isinstance(written, str) and _kind_of_type(written).value == item["type"]
        if var in ("issued", "accessed"):
            return _read_date({var: written}, var)[0] == _read_date(item, var)[0]
    except CslError:
        pass
    return False


_MARKUP_SIGNS = ("\\", "$", "<", "{")


def _lossy(value: str, rendered: str) -> bool:
    """Whether reading the rendered value back would not give the model text exactly."""
    if not has_spans(value) and not any(sign in value for sign in _MARKUP_SIGNS):
        return False
    return text_from_csl(rendered) != value


def _exact(c: Citation, item: dict[str, Any]) -> dict[str, Any]:
    """What the standard variables cannot carry exactly, for a lossless read back."""
    out: dict[str, Any] = {}
    if c.status is not Status.UNKNOWN:
        out["status"] = c.status.value
    if c.authors_truncated:
        out["authors-truncated"] = True
    if c.title_nocase:
        out["title-nocase"] = [exact_text(t) for t in c.title_nocase]
    if c.venue.year is not None and c.issued != PartialDate(c.venue.year):
        out["issued"] = [c.issued.year, c.issued.month, c.issued.day]
    if c.issued.year_inferred:
        out["year-inferred"] = True
    if c.venue.kind:
        out["venue-kind"] = c.venue.kind
    if c.venue.year is not None:
        out["venue-year"] = c.venue.year
    if c.ids.arxiv:
        out["arxiv"] = c.ids.arxiv
    if c.ids.doi and not c.cited_doi:
        out["doi"] = c.ids.doi
    if c.ids.arxiv_class:
        out["arxiv-class"] = c.ids.arxiv_class
    if item.get("URL", "") != c.ids.url:
        out["url"] = c.ids.url  # the URL variable was derived (the arXiv page)
    if c.repository and c.venue.publisher != c.repository:
        out["publisher"] = c.venue.publisher
    if c.links:
        out["links"] = [[link.role, link.url] for link in c.links]
    if item.get("note", "") != c.note or _lossy(c.note, item.get("note", "")):
        out["note"] = exact_text(c.note)
    if c.keywords and (any("," in k for k in c.keywords)
                       or _lossy(", ".join(c.keywords), item["keyword"])):
        out["keywords"] = [exact_text(k) for k in c.keywords]
    if c.affiliations:
        out["affiliations"] = list(c.affiliations)
    if c.extra:
        other = [[k, v] for k, v in c.extra if not k.startswith("csl:")]
        if other:
            out["extra"] = other
    if c.provenance:
        out["provenance"] = [
            [p.field, p.source, p.rule, p.confidence, p.evidence] for p in c.provenance
        ]
    if c.accessed.year_inferred:
        out["accessed-year-inferred"] = True
    return out


# --- reading ----------------------------------------------------------------------------------


class CslError(ValueError):
    """A value of the wrong shape; `pointer` is its JSON pointer within the item."""

    def __init__(self, pointer: str, message: str) -> None:
        super().__init__(message)
        self.pointer = pointer


def _text(item: dict[str, Any], var: str) -> str:
    value = item.get(var)
    if value is None:
        return ""
    if isinstance(value, str | int | float) and not isinstance(value, bool):
        return str(value)
    raise CslError(f"/{var}", f"{var} should be a string, not {type(value).__name__}")


def _names(item: dict[str, Any], var: str) -> tuple[Person, ...]:
    value = item.get(var)
    if value is None:
        return ()
    if not isinstance(value, list):
        raise CslError(f"/{var}", f"{var} should be a list of names")
    people = []
    for i, name in enumerate(value):
        if not isinstance(name, dict):
            raise CslError(f"/{var}/{i}", "a name should be an object")
        if "literal" in name:
            people.append(Person(literal=str(name["literal"])))
            continue
        family, given = str(name.get("family", "")), str(name.get("given", ""))
        dropping, staying = name.get("dropping-particle"), name.get("non-dropping-particle")
        particle = " ".join(str(p) for p in (dropping, staying) if p)
        if particle or name.get("suffix"):
            people.append(Person(family=family, given=given, particle=particle,
                                 suffix=str(name["suffix"]) if name.get("suffix") else "",
                                 dropping=bool(dropping) and not staying))
        else:  # two parts, as Zotero and `-O names=zotero` write them
            people.append(from_zotero_parts(family, given))
    return tuple(people)


_YEAR_IN_TEXT = re.compile(r"(?<!\d)\d{4}(?!\d)")


def _read_date(item: dict[str, Any], var: str) -> tuple[PartialDate, str]:
    """(date, what of it was not read exactly: "" for most). A date the model cannot hold
    whole (a range, a season, "circa", a literal like "Spring 2018") is read as its first
    date, or as the year its text names; the caller keeps the value as written."""
    value = item.get(var)
    if value is None:
        return PartialDate(), ""
    if isinstance(value, dict):
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
            try:
                nums = [int(x) for x in parts[0][:3]]
            except (TypeError, ValueError) as exc:
                raise CslError(f"/{var}/date-parts/0", "date parts should be numbers") from exc
            beyond = [k for k in ("season", "circa", "literal") if value.get(k)]
            if len(parts) > 1 or len(parts[0]) > 3:
                beyond.insert(0, "a range")
            try:
                date = PartialDate(*nums)  # type: ignore[arg-type]
            except (TypeError, ValueError) as exc:
                raise CslError(f"/{var}/date-parts/0", str(exc)) from exc
            return date, (f"read as {date.iso()} ({', '.join(beyond)} left out)"
                          if beyond else "")
        raw = value.get("raw") or value.get("literal")
        if isinstance(raw, str):
            value = raw
        else:
            raise CslError(f"/{var}", "a date needs date-parts or raw")
    if isinstance(value, str):  # EDTF / ISO: 2023, 2023-03, 2023-03-01
        try:
            iso = parse_iso(value)
        except DateError:
            iso = None
        if iso is not None:
            return iso, ""
        year = _YEAR_IN_TEXT.search(value)
        return ((PartialDate(int(year.group())), f"{value!r} read as {year.group()}") if year
                else (PartialDate(), f"{value!r} is no date; left out"))
    raise CslError(f"/{var}", "a date should be an object or a string")


def from_csl(item: dict[str, Any], origin_line: int = 0, file: str = "",
             report: Callable[[str, str], None] | None = None) -> Citation:
    """The citation for a CSL-JSON item; raises CslError for values of the wrong shape.
    `report(code, message)` hears of a value read in part (BK604: a date range, "Spring
    2018", also kept as written in `extra`) and of TeX in custom.bibkit that is read as
    text (BK605)."""
    exact = item.get("custom", {}).get("bibkit", {}) if isinstance(item.get("custom"), dict) else {}
    kind_name = _text(item, "type")
    kind = _kind_of_type(kind_name)
    refused: list[str] = []  # TeX in custom.bibkit that bibkit would not write verbatim

    def tree(data: object) -> str:  # exact text from the file: its TeX checked, not trusted
        return from_tree(data, safe_tex, refused.append)

    values = _read_copied(item, exact.get("text", {}), tree)  # variables copied to a field
    arxiv, url, publisher = _arxiv_and_url(item, exact, kind)
    note = tree(exact["note"]) if "note" in exact else text_from_csl(_text(item, "note"))
    truncated = bool(exact.get("authors-truncated"))
    links = tuple(Link(role, u) for role, u in exact.get("links", []))
    if not exact:
        note, links, truncated = _read_note(note)
    status_name = exact.get("status")
    status = (
        Status(status_name)
        if status_name in {s.value for s in Status}
        else (Status.ACCEPTED if _text(item, "status") == "forthcoming" else Status.UNKNOWN)
    )
    issued, accessed, partial = _dates(item, exact)
    keywords = (
        tuple(tree(k) for k in exact["keywords"])
        if "keywords" in exact
        else tuple(k.strip() for k in text_from_csl(_text(item, "keyword")).split(",")
                   if k.strip())
    )
    extra = _extra(item, exact, keep_number=not (kind is Kind.PREPRINT and arxiv),
                   refused=refused.append)
    if kind_name and kind.value != kind_name:  # a type with no kind of its own: kept
        extra.append(("csl:type", json.dumps(kind_name, ensure_ascii=False)))
    for var, what in partial:
        extra.append((f"csl:{var}", json.dumps(item[var], ensure_ascii=False, sort_keys=True)))
        if report is not None:
            report("BK604", f"{var}: {what}; kept as written for CSL-JSON")
    if refused and report is not None:
        report("BK605", "custom.bibkit TeX read as text, not written as TeX: "
               f"{', '.join(repr(r) for r in refused)}")
    key = _text(item, "citation-key") or _text(item, "id")
    if not _KEYLIKE.fullmatch(key):  # Zotero's ids are URIs: a citekey is made instead
        key = ""
        if "id" in item:
            extra.append(("csl:id", json.dumps(item["id"], ensure_ascii=False)))
    if "doi" in exact:
        values["ids.doi"] = exact["doi"]
    values.update({
        "key": key, "kind": kind,
        "title_nocase": tuple(tree(t) for t in exact.get("title-nocase", ())),
        "authors_truncated": truncated, "issued": issued, "status": status,
        "venue.kind": exact.get("venue-kind", ""), "venue.publisher": publisher,
        "venue.year": exact.get("venue-year"), "ids.arxiv": arxiv,
        "ids.arxiv_class": exact.get("arxiv-class", ""), "ids.url": url,
        "links": links,
        "keywords": keywords, "affiliations": tuple(exact.get("affiliations", ())),
        "note": note, "accessed": accessed, "extra": tuple(extra),
        "provenance": tuple(Provenance(*p) for p in exact.get("provenance", [])),
        "origin": Origin(file, origin_line),
    })
    return assemble(values)


def _read_copied(item: dict[str, Any], texts: dict[str, Any], tree: Callable[[object], str]
                 ) -> dict[str, Any]:
    """The copied variables by model path, rich text read into spans (or taken exactly from
    custom.bibkit.text, through `tree`); a value of the wrong shape raises CslError."""
    values: dict[str, Any] = {}
    for st in _table()[1]:
        if not st.field:
            continue
        if st.many:
            values[st.field] = _names(item, st.tag)
        elif st.tag in texts:
            values[st.field] = tree(texts[st.tag])
        else:
            text = _text(item, st.tag)
            values[st.field] = text if st.convert else text_from_csl(text)
    return values


def _arxiv_and_url(item: dict[str, Any], exact: dict[str, Any], kind: Kind
                   ) -> tuple[str, str, str]:
    """(arXiv id, URL, publisher): a preprint's arXiv id is in `number` (Zotero) or its URL,
    and "arXiv" as its publisher only says where it is."""
    number = _text(item, "number")
    url = _text(item, "URL")
    arxiv = (
        exact.get("arxiv")
        or find_arxiv_id(number)
        or (find_arxiv_id(url) if kind is Kind.PREPRINT else "")
    )
    publisher = _text(item, "publisher")
    if kind is Kind.PREPRINT and (arxiv or exact.get("arxiv-class")):
        publisher = exact.get("publisher", "" if publisher == "arXiv" else publisher)
    return arxiv, exact.get("url", url), publisher


def _dates(item: dict[str, Any], exact: dict[str, Any]
           ) -> tuple[PartialDate, PartialDate, list[tuple[str, str]]]:
    """(issued, accessed, [(variable, what was read in part)]), with what bibkit noted
    beyond CSL: the exact issued date of a paper cited by its venue's year, and a year
    inferred for a yearless date."""
    issued, issued_partly = _read_date(item, "issued")
    if "issued" in exact:
        issued, issued_partly = PartialDate(*exact["issued"]), ""
    if exact.get("year-inferred"):
        issued = PartialDate(issued.year, issued.month, issued.day, True)
    accessed, accessed_partly = _read_date(item, "accessed")
    if exact.get("accessed-year-inferred"):
        accessed = PartialDate(accessed.year, accessed.month, accessed.day, True)
    partial = [("issued", issued_partly), ("accessed", accessed_partly)]
    return issued, accessed, [(var, what) for var, what in partial if what]


def _extra(item: dict[str, Any], exact: dict[str, Any], keep_number: bool,
           refused: Callable[[str], None]) -> list[tuple[str, str]]:
    """The variables the model does not map (csl.toml's `order` lists those it does), and
    `custom` entries of other tools, kept as JSON to be written back as they were. A .bib
    field kept in custom.bibkit.extra is TeX from an untrusted file: TeX the allow-list
    refuses (`\\input{secret.txt}`, `\\pdfobj`) is kept as the text it spells, escaped, and
    `refused` hears of it."""
    mapped = {st.tag for st in _table()[1]}
    if keep_number:
        mapped.discard("number")  # a report's number is kept as it was
    extra = []
    for k, v in exact.get("extra", []):
        if isinstance(k, str) and k.startswith("bibtex:") and isinstance(v, str) \
                and not safe_tex(v):
            refused(v)
            v = escape_latex(v)
        extra.append((k, v))
    for var, value in item.items():
        if var not in mapped:
            extra.append((f"csl:{var}", json.dumps(value, ensure_ascii=False, sort_keys=True)))
    custom = item.get("custom")
    if isinstance(custom, dict):
        for var, value in custom.items():
            if var != "bibkit":
                extra.append((f"csl:{var}", json.dumps(value, ensure_ascii=False, sort_keys=True)))
    return extra
