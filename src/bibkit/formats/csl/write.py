"""The model to CSL-JSON items: the statement table's variables, the rules for the rest, and
`custom.bibkit` for what CSL has no variable for, so that reading it back is exact."""

from __future__ import annotations

import json
from typing import Any

from ...model.citation import (
    Citation,
    Kind,
    PartialDate,
    Status,
)
from ...tex import render
from ...tex.csltags import from_csl as text_from_csl
from ...tex.spans import exact_text, has_spans
from .read import CslError, read_date
from .table import (
    OTHERS,
    copied,
    csl_date,
    kind_of_type,
    note_text,
    rank,
    table,
)


def to_csl(c: Citation, key: str) -> dict[str, Any]:
    """The CSL-JSON item for a citation, keys in the order of formats/csl.toml."""
    item: dict[str, Any] = {"id": key, "citation-key": key, "type": c.kind.value}
    texts = _copy_variables(c, item)
    if c.authors_truncated and item.get("author"):
        item["author"] = [*item["author"], dict(OTHERS)]
    if "DOI" in item and not c.cited_doi:  # arXiv's DOI on a published version: custom keeps it
        del item["DOI"]
    # a published work is cited by its venue's year, not by the day its preprint went online
    issued = csl_date(c.cited_date)
    if issued:
        item["issued"] = issued
    accessed = csl_date(c.accessed)
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
    elif c.status is Status.WITHDRAWN:
        item["status"] = "withdrawn"
    url = ids.landing_url  # the work's page; code and project links are in `note`
    if url:
        item["URL"] = url
    if c.keywords:
        item["keyword"] = render.csl(", ".join(c.keywords))
    if c.kind is Kind.JOURNAL_ARTICLE and "container-title-short" in item:
        # what Zotero reads a journal's abbreviation from (its other types have no field)
        item["journalAbbreviation"] = item["container-title-short"]
    note = note_text(c)
    if note:
        item["note"] = render.csl(note)
    custom: dict[str, Any] = {}
    exact = _exact(c, item)
    if texts:
        exact["text"] = texts
    if exact:
        custom["bibkit"] = exact
    _kept_as_written(c, item, custom)
    if custom:
        item["custom"] = custom
    order = rank()  # the table's order, then any other variable in the order it was added
    order = {**order, "journalAbbreviation": order["container-title-short"]}  # beside it
    return dict(sorted(item.items(), key=lambda kv: order.get(kv[0], len(order))))


def _copy_variables(c: Citation, item: dict[str, Any]) -> dict[str, Any]:
    """Fill the variables formats/csl.toml copies from a field; returns the model text that
    the rich-text value cannot give back exactly (custom.bibkit's `text`)."""
    texts: dict[str, Any] = {}
    for var, get, convert, many in copied():
        value = get(c)
        if value:
            if many or convert:
                item[var] = [convert(v) for v in value] if many else convert(value)
            elif isinstance(value, str):
                item[var] = rendered = render.csl(value, protect=var != "abstract")
                if _lossy(value, rendered):
                    texts[var] = exact_text(value)
            else:
                item[var] = value
    return texts


def _kept_as_written(c: Citation, item: dict[str, Any], custom: dict[str, Any]) -> None:
    """The CSL variables kept as they were read (`csl:` in extra): back in their place when
    they still say what the item says, else under `custom`."""
    known = table()[0]
    for name, value in c.extra:
        if name.startswith("csl:"):
            var = name[4:]
            decoded = json.loads(value)
            if var in known and (var not in item or _written_back(var, decoded, item)):
                item[var] = decoded
            else:
                custom[var] = decoded


def _written_back(var: str, written: Any, item: dict[str, Any]) -> bool:
    """Whether a value kept as written (a newspaper article's type, a date range, "Spring
    2018") still says what the item says: then it goes back as it was, richer than the
    model's value."""
    try:
        if var == "type":
            return isinstance(written, str) and kind_of_type(written).value == item["type"]
        if var in ("issued", "accessed"):
            return read_date({var: written}, var)[0] == read_date(item, var)[0]
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
