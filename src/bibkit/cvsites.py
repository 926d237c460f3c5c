"""Where researchers publish their publication lists, beside the CV layouts of bibkit.cv:

- `jsonresume`: a JSON Resume document whose `publications` section the résumé themes and
  sites built on JSON Resume read (schema 1.3.1: `name`, `publisher`, `releaseDate`, `url`,
  `summary`);
- `al-folio`: the `_bibliography/papers.bib` of the Jekyll al-folio theme, BibTeX with the
  theme's own fields (`abbr` for the venue badge, `arxiv`, `code`, `website`, `pdf`,
  `selected`, `bibtex_show`), in UTF-8 since the theme renders it as HTML.

The CV's selection options (--since, --exclude, --only, ...) apply to both.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterable
from typing import TextIO

from . import render as richtext
from .context import WriteContext
from .cv import choose, group, options_from, selector_hits
from .identifiers import display_doi, is_web_url
from .model import Citation, Kind, arxiv_abs_url, evolve
from .text import escape_latex, safe_url

JSON_RESUME_SCHEMA = ("https://raw.githubusercontent.com/jsonresume/resume-schema/v1.3.1/"
                      "schema.json")


def _ordered(citations: Iterable[Citation], ctx: WriteContext, fmt: str
             ) -> tuple[list[Citation], tuple[str, ...]]:
    opts = options_from(fmt, ctx.options)
    citations = list(citations)  # read to the end: the listing's owner is known now
    profile = ctx.source.profile if ctx.source is not None else None
    kept, excluded, names, _ = choose(citations, opts, profile, ctx.diags)
    ctx.results.update(shown=len(kept), excluded=excluded, owner_hidden=0)
    return group(kept, "none")[0][1], names


def _work_url(c: Citation) -> str:
    """Where the work is: its DOI, else its own page or arXiv page."""
    if c.ids.doi and not c.ids.doi.startswith("10.48550/"):
        return f"https://doi.org/{display_doi(c.ids.doi)}"
    return c.ids.landing_url


def _publisher(c: Citation) -> str:
    if c.venue.name:
        return richtext.plain(c.venue.name)
    if c.kind is Kind.PREPRINT and c.ids.on_arxiv:
        return "arXiv"
    return c.venue.publisher


def publication(c: Citation) -> dict[str, str]:
    """One JSON Resume publication: the authors (as the listing showed them) are its
    summary, since the schema has no field for them."""
    item = {"name": richtext.plain(c.title)}
    publisher = _publisher(c)
    if publisher:
        item["publisher"] = publisher
    year = c.cited_year
    if year is not None:
        # the cited version's date: a venue's year, else the day the preprint went online
        item["releaseDate"] = str(year) if c.venue.year is not None else c.issued.iso()
    url = safe_url(_work_url(c))
    if url and is_web_url(url):
        item["url"] = url
    people = [p.display() for p in c.authors] + (["et al."] if c.authors_truncated else [])
    if people:
        item["summary"] = ", ".join(people)
    return item


def write_jsonresume(citations: Iterable[Citation], out: TextIO, ctx: WriteContext) -> int:
    """Write a JSON Resume document with the publications section; returns how many."""
    ordered, names = _ordered(citations, ctx, "jsonresume")
    doc: dict[str, object] = {"$schema": JSON_RESUME_SCHEMA}
    if names:
        doc["basics"] = {"name": names[0]}
    doc["publications"] = [publication(c) for c in ordered]
    out.write(json.dumps(doc, ensure_ascii=False, indent=2) + "\n")
    return len(ordered)


# --- al-folio --------------------------------------------------------------------------------


def alfolio_fields(c: Citation, selected: bool) -> tuple[tuple[str, str], ...]:
    """al-folio's fields for one entry, as `bibtex:` extras the BibTeX writer writes."""
    fields: list[tuple[str, str]] = []
    abbr = c.venue.short_name or ("arXiv" if c.kind is Kind.PREPRINT and c.ids.on_arxiv
                                  else "")
    if abbr:
        fields.append(("abbr", escape_latex(richtext.plain(abbr))))
    if c.ids.arxiv:
        fields.append(("arxiv", c.ids.arxiv_base))
    roles = {"code": "code", "project": "website", "pdf": "pdf"}
    for link in c.links:
        name = roles.get(link.role)
        url = safe_url(link.url)
        if name and is_web_url(url) and name not in dict(fields):
            fields.append((name, url))
    if "pdf" not in dict(fields) and c.ids.arxiv:
        fields.append(("pdf", arxiv_abs_url(c.ids.arxiv_base).replace("/abs/", "/pdf/")))
    if selected:
        fields.append(("selected", "true"))
    fields.append(("bibtex_show", "true"))
    return tuple((f"bibtex:{name}", value) for name, value in fields)


def write_alfolio(citations: Iterable[Citation], out: TextIO, ctx: WriteContext) -> int:
    """Write al-folio's papers.bib; returns how many entries."""
    from .writers.bibtex import write as write_bibtex

    opts = options_from("al-folio", ctx.options)
    ordered, _ = _ordered(citations, ctx, "al-folio")
    themed = [evolve(c, extra=c.extra + alfolio_fields(c, selector_hits(c, opts.selected)))
              for c in ordered]
    # the theme renders the file as HTML: characters as they are, not LaTeX commands
    return write_bibtex(themed, out, dataclasses.replace(ctx, charset="utf8"))

