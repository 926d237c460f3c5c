"""CSL-JSON items to the model: each variable read by the statement table or its rule, the
values of the wrong shape said with their JSON pointer, `custom.bibkit` taken back."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from typing import Any

from ...infer.dates import DateError, parse_iso
from ...infer.identifiers import arxiv_base, arxiv_note, find_arxiv_id
from ...infer.names import from_zotero_parts
from ...model.citation import (
    Citation,
    Kind,
    Link,
    Origin,
    PartialDate,
    Person,
    Provenance,
    Status,
)
from ...tex.csltags import from_csl as text_from_csl
from ...tex.escape import escape_latex
from ...tex.safety import safe_tex
from ...tex.spans import from_tree
from ..mapping import assemble
from .table import KEYLIKE, OTHERS, kind_of_type, read_note, table


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
        if name == OTHERS and i == len(value) - 1:
            continue  # pandoc's "et al.": the list is truncated (from_csl says so)
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


def read_date(item: dict[str, Any], var: str) -> tuple[PartialDate, str]:
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


def _one_short_name(item: dict[str, Any]) -> dict[str, Any]:
    """Zotero's `journalAbbreviation` is the container's short title: its value when CSL's
    own variable is missing, and no second copy of the same value (bibkit writes both)."""
    abbreviation = item.get("journalAbbreviation")
    if not isinstance(abbreviation, str):
        return item
    short = item.get("container-title-short")
    if short is None:
        return {**item, "container-title-short": abbreviation}
    if short == abbreviation:
        return {k: v for k, v in item.items() if k != "journalAbbreviation"}
    return item


def from_csl(item: dict[str, Any], origin_line: int = 0, file: str = "",
             report: Callable[[str, str], None] | None = None) -> Citation:
    """The citation for a CSL-JSON item; raises CslError for values of the wrong shape.
    `report(code, message)` hears of a value read in part (BK604: a date range, "Spring
    2018", also kept as written in `extra`) and of TeX in custom.bibkit that is read as
    text (BK605)."""
    exact = item.get("custom", {}).get("bibkit", {}) if isinstance(item.get("custom"), dict) else {}
    item = _one_short_name(item)
    kind_name = _text(item, "type")
    kind = kind_of_type(kind_name)
    refused: list[str] = []  # TeX in custom.bibkit that bibkit would not write verbatim

    def tree(data: object) -> str:  # exact text from the file: its TeX checked, not trusted
        return from_tree(data, safe_tex, refused.append)

    values = _read_copied(item, exact.get("text", {}), tree)  # variables copied to a field
    arxiv, url, publisher = _arxiv_and_url(item, exact, kind)
    note = tree(exact["note"]) if "note" in exact else text_from_csl(_text(item, "note"))
    truncated = bool(exact.get("authors-truncated"))
    links = tuple(Link(role, u) for role, u in exact.get("links", []))
    arxiv_class = exact.get("arxiv-class", "")
    if not exact:
        note, links, truncated = read_note(note)
        note, arxiv, arxiv_class = _zotero_arxiv_note(note, arxiv)
    authors = item.get("author")
    truncated = truncated or (isinstance(authors, list) and authors[-1:] == [OTHERS])
    issued, accessed, partial = _dates(item, exact)
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
    if not KEYLIKE.fullmatch(key):  # Zotero's ids are URIs: a citekey is made instead
        key = ""
        if "id" in item:
            extra.append(("csl:id", json.dumps(item["id"], ensure_ascii=False)))
    if "doi" in exact:
        values["ids.doi"] = exact["doi"]
    values.update({
        "key": key, "kind": kind,
        "title_nocase": tuple(tree(t) for t in exact.get("title-nocase", ())),
        "authors_truncated": truncated, "issued": issued, "status": _status(item, exact),
        "venue.kind": exact.get("venue-kind", ""), "venue.publisher": publisher,
        "venue.year": exact.get("venue-year"), "ids.arxiv": arxiv,
        "ids.arxiv_class": arxiv_class, "ids.url": url,
        "links": links,
        "keywords": _keywords(item, exact, tree),
        "affiliations": tuple(exact.get("affiliations", ())),
        "note": note, "accessed": accessed, "extra": tuple(extra),
        "provenance": tuple(Provenance(*p) for p in exact.get("provenance", [])),
        "origin": Origin(file, origin_line),
    })
    return assemble(values)


def _zotero_arxiv_note(note: str, arxiv: str) -> tuple[str, str, str]:
    """(note, arXiv id, class): Zotero notes an arXiv item's id and class as the note's first
    line ("arXiv:1706.03762 [cs]"), as the RIS reader reads it in N1; a line that names
    another id stays a note."""
    first, _, rest = note.partition("\n")
    noted = arxiv_note(first)
    if noted is None or (arxiv and noted[0] and arxiv_base(noted[0]) != arxiv_base(arxiv)):
        return note, arxiv, ""
    return rest, arxiv or noted[0], noted[1]


def _status(item: dict[str, Any], exact: dict[str, Any]) -> Status:
    """bibkit's own status if it wrote one, else CSL's `status` ("forthcoming" is accepted)."""
    status_name = exact.get("status")
    if status_name in {s.value for s in Status}:
        return Status(status_name)
    return {"forthcoming": Status.ACCEPTED, "withdrawn": Status.WITHDRAWN}.get(
        _text(item, "status").lower(), Status.UNKNOWN)


def _keywords(item: dict[str, Any], exact: dict[str, Any], tree: Callable[[object], str]
              ) -> tuple[str, ...]:
    if "keywords" in exact:
        return tuple(tree(k) for k in exact["keywords"])
    return tuple(k.strip() for k in text_from_csl(_text(item, "keyword")).split(",")
                 if k.strip())


def _read_copied(item: dict[str, Any], texts: dict[str, Any], tree: Callable[[object], str]
                 ) -> dict[str, Any]:
    """The copied variables by model path, rich text read into spans (or taken exactly from
    custom.bibkit.text, through `tree`); a value of the wrong shape raises CslError."""
    values: dict[str, Any] = {}
    for st in table()[1]:
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
    issued, issued_partly = read_date(item, "issued")
    if "issued" in exact:
        issued, issued_partly = PartialDate(*exact["issued"]), ""
    if exact.get("year-inferred"):
        issued = PartialDate(issued.year, issued.month, issued.day, True)
    accessed, accessed_partly = read_date(item, "accessed")
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
    mapped = {st.tag for st in table()[1]}
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
