"""What the web page and scripts ask of `bibkit serve`, answered by the one pipeline
`bibkit convert` runs (no second implementation): `convert` gives the file the CLI writes
for the same input and options, `inspect` what bibkit saw (entries, provenance,
diagnostics) as JSON, `formats` the choices the page offers."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ..data import FormatDataError
from ..formats import registry
from ..io.files import InputError
from ..model.citation import Citation
from ..model.diagnostics import Diagnostics
from ..pipeline import Outcome, Run
from ..pipeline import run as run_pipeline
from ..tex import render as richtext

# the media type of each output, for the browser and for scripts (RFC 6838 names where the
# format registered one; BibTeX and RIS have only these de-facto names)
MEDIA_TYPES = {
    "bibtex": "application/x-bibtex", "biblatex": "application/x-bibtex",
    "csljson": "application/vnd.citationstyles.csl+json",
    "ris": "application/x-research-info-systems",
    "mods": "application/mods+xml", "cv-markdown": "text/markdown", "cv-latex": "application/x-tex",
    "cv-html": "text/html", "cv-text": "text/plain", "cv-jsonresume": "application/json",
    "cv-al-folio": "application/x-bibtex",
}
# a CV page may be shown in the page's preview frame: whatever it holds runs nothing
CV_PAGE_POLICY = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
_STYLE_NAME = re.compile(r"[a-z0-9][a-z0-9-]{0,99}")  # a style by name, never a path


@dataclass
class Answer:
    status: int
    body: bytes
    media_type: str
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def json(cls, status: int, data: object) -> Answer:
        return cls(status, json.dumps(data, ensure_ascii=False).encode("utf-8"),
                   "application/json")


class BadRequest(Exception):
    """A request the endpoint refuses (400), with what to do about it."""


def writable() -> list[str]:
    """The formats the page offers: every writer that writes one file."""
    return [name for name, spec in registry.formats().items()
            if spec.writer and not spec.directory]


def formats() -> Answer:
    from ..cv.cslstyles import shipped

    return Answer.json(200, {
        "from": [name for name, spec in registry.formats().items() if spec.reader],
        "to": [{"name": name, "summary": registry.get(name, "write").summary}
               for name in writable()],
        "styles": [*shipped(), *registry.CV_OPTIONS["style"]],
    })


def _run(fields: Mapping[str, str], *, write: bool, transforms: tuple[Any, ...] = ()
         ) -> Outcome:
    """The pipeline for a request's fields: input, from, to, as_of, owner, style."""
    text = fields.get("input", "")
    if not text.strip():
        raise BadRequest("the input is empty: paste a listing, .bib, .ris, CSL-JSON or MODS")
    to = fields.get("to") or "bibtex"
    if write and to not in writable():
        raise BadRequest(f"unknown output format {to!r} (one of {', '.join(writable())})")
    as_of = None
    if fields.get("as_of"):
        try:
            as_of = dt.date.fromisoformat(fields["as_of"])
        except ValueError:
            raise BadRequest(f"as_of {fields['as_of']!r} is no date (YYYY-MM-DD)") from None
    options: dict[str, str] = {}
    if to.startswith("cv-") and fields.get("owner", "").strip():
        options["highlight"] = fields["owner"].strip()
    style = fields.get("style", "")
    if to.startswith("cv-") and style:
        if not _STYLE_NAME.fullmatch(style):
            raise BadRequest(f"style {style!r}: a style is named, not a path")
        options["style" if style in registry.CV_OPTIONS["style"] else "csl"] = style
    spec = Run(source="<input>", text=text.encode("utf-8"), to=to if write else None,
               from_=fields.get("from") or None, as_of=as_of, options=options, write=write,
               transforms=transforms)
    try:
        return run_pipeline(spec, Diagnostics(keep=True))
    except (InputError, FormatDataError, FileNotFoundError, ValueError) as exc:
        raise BadRequest(str(exc)) from None


def _diagnostics(outcome: Outcome) -> list[dict[str, Any]]:
    return [{k: v for k, v in d.to_json().items() if k != "file"} for d in outcome.diagnostics]


def convert(fields: Mapping[str, str]) -> Answer:
    """The converted text with its media type and a file name, or 400 with the
    diagnostics when nothing could be converted."""
    try:
        outcome = _run(fields, write=True)
    except BadRequest as exc:
        return Answer.json(400, {"error": str(exc), "diagnostics": []})
    fmt = outcome.output_format or "bibtex"
    if outcome.entries == 0 and outcome.diagnostics.errors:
        return Answer.json(400, {"error": "nothing could be converted",
                                 "diagnostics": _diagnostics(outcome)})
    suffix = next(iter(registry.get(fmt, "write").suffixes), ".txt")
    counts = outcome.diagnostics.counts
    headers = {"Content-Disposition": f'attachment; filename="bibkit-{fmt}{suffix}"',
               "X-Bibkit-Entries": str(outcome.entries),
               "X-Bibkit-Diagnostics": ", ".join(f"{counts[s]} {s}" for s in counts)}
    if fmt == "cv-html":
        headers["Content-Security-Policy"] = CV_PAGE_POLICY
    if fields.get("disposition") == "inline":  # the page's preview frame
        headers["Content-Disposition"] = "inline"
    return Answer(200, (outcome.text or "").encode("utf-8"),
                  MEDIA_TYPES.get(fmt, "text/plain") + "; charset=utf-8", headers)


def inspect(fields: Mapping[str, str]) -> Answer:
    """What bibkit saw, as JSON: each entry with where its fields came from, every
    diagnostic with its line, and the summary."""
    seen: list[Citation] = []

    def keep(c: Citation) -> Citation:
        seen.append(c)
        return c

    try:
        outcome = _run(fields, write=False, transforms=(keep,))
    except BadRequest as exc:
        return Answer.json(400, {"error": str(exc), "diagnostics": []})
    profile = outcome.context.profile
    return Answer.json(200, {
        "from": outcome.input_format, "owner": profile.name if profile else "",
        "entries": [_entry(c) for c in seen], "diagnostics": _diagnostics(outcome),
        "counts": {str(s): n for s, n in outcome.diagnostics.counts.items()},
    })


def _entry(c: Citation) -> dict[str, Any]:
    return {
        "key": c.key, "line": c.origin.line, "kind": c.kind.value,
        "title": richtext.plain(c.title), "authors": [p.display() for p in c.authors],
        "et_al": c.authors_truncated, "year": c.cited_year,
        "venue": richtext.plain(c.venue.name or c.repository), "arxiv": c.ids.arxiv,
        "doi": c.cited_doi, "links": [{"label": link.label, "url": link.url}
                                      for link in c.links],
        "provenance": [{"field": p.field, "source": p.source, "rule": p.rule,
                        "evidence": p.evidence} for p in c.provenance],
    }
