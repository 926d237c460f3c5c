"""What each CV output escapes and how it marks text, links, venues and headings."""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from functools import cache

from ..data import load_toml, require
from ..infer.identifiers import display_doi, is_web_url
from ..model.citation import (
    Citation,
    Kind,
    arxiv_abs_url,
)
from ..tex import render as richtext
from ..tex.chars import CharEncoder
from ..tex.escape import escape_latex, safe_url, url_argument
from ..tex.spans import RICH_COMMANDS

_TEMPLATE_KEYS = (
    "group_start",
    "group_heading",
    "list_start",
    "list_end",
    "group_end",
    "item",
    "number",
    "entry",
    "title",
    "highlight",
    "links",
    "link",
    "link_separator",
    "document_start",
)
KIND_HEADINGS = {
    Kind.JOURNAL_ARTICLE: "Journal articles",
    Kind.CONFERENCE_PAPER: "Conference papers",
    Kind.CHAPTER: "Book chapters",
    Kind.BOOK: "Books",
    Kind.THESIS: "Theses",
    Kind.REPORT: "Reports",
    Kind.PREPRINT: "Preprints",
    Kind.MANUSCRIPT: "Manuscripts",
    Kind.DATASET: "Datasets",
    Kind.SOFTWARE: "Software",
    Kind.WEBPAGE: "Web pages",
    Kind.DOCUMENT: "Other",
}
KIND_COLOURS = {
    Kind.JOURNAL_ARTICLE: "#1b9e77",
    Kind.CONFERENCE_PAPER: "#d95f02",
    Kind.PREPRINT: "#7570b3",
    Kind.CHAPTER: "#e7298a",
}
OTHER_COLOUR = "#999999"


# --- escaping per output ---------------------------------------------------------------------

# Markdown's markup characters, and `@`, which pandoc reads as a citation (`@word`)
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#+!|<>~^$@])")


def _md(text: str) -> str:
    return _MD_SPECIAL.sub(r"\\\1", text)


_ASCII = CharEncoder("ascii")  # the CV's LaTeX is ASCII: it compiles whatever the input encoding


def _latex(text: str) -> str:
    return _ASCII.encode(escape_latex(text))


ESCAPE: dict[str, Callable[[str], str]] = {
    "markdown": _md,
    "latex": _latex,
    "html": lambda t: html.escape(t, quote=True),
    "text": lambda t: t,
}

# Rich text (italic, bold, ...) in each output; the inner text is already escaped.
_RICH_MARKUP: dict[str, dict[str, tuple[str, str]]] = {
    "html": {c: (o.replace('style="font-variant:small-caps;"', 'class="smallcaps"'), e)
             for c, (o, e) in RICH_COMMANDS.items()},
    # italic inside the italic title would close it: Markdown keeps bold only
    "markdown": {"textbf": ("**", "**")},
    "latex": {c: (f"\\{c}{{", "}") for c in RICH_COMMANDS},
}


def display(text: str, fmt: str) -> str:
    """Model text for this output, escaped: math as LaTeX math in LaTeX, elsewhere in Unicode
    where that is exact (else its TeX source); rich text as the output's markup."""
    markup = _RICH_MARKUP.get(fmt, {})

    def rich(command: str, inner: str) -> str:
        open_, close = markup.get(command, ("", ""))
        return open_ + inner + close

    return richtext.display(text, ESCAPE[fmt], "latex" if fmt == "latex" else "unicode", rich)


def url_for(url: str, fmt: str) -> str | None:
    """A URL safe in this output, or None when it is not a web URL (javascript:, data:).
    Characters a URL may not hold unencoded (space, braces, `^`, `\\`) are percent-encoded
    first, as a browser would: the same address, and nothing TeX or Markdown reads."""
    url = safe_url(url)
    if not is_web_url(url):
        return None
    if fmt == "html":
        return html.escape(url, quote=True)
    if fmt == "markdown":
        return url.replace("(", "%28").replace(")", "%29")
    if fmt == "latex":
        return url_argument(url)
    return url


# --- layouts ---------------------------------------------------------------------------------


@cache
def layout(fmt: str) -> dict[str, str]:
    name = f"cv/{fmt}.toml"
    data = load_toml(name)
    for key in _TEMPLATE_KEYS:
        require(isinstance(data.get(key), str), name, f"'{key}' must be a template string")
    return {k: data[k] for k in _TEMPLATE_KEYS}


def links_of(c: Citation) -> list[tuple[str, str]]:
    out = []
    if c.ids.arxiv:
        out.append(("arXiv", arxiv_abs_url(c.ids.arxiv_base)))
    if c.ids.publisher_doi:
        out.append(("DOI", f"https://doi.org/{display_doi(c.ids.doi)}"))
    if c.ids.url and "arxiv.org/abs/" not in c.ids.url:  # http or https: the arXiv link
        out.append(("web", c.ids.url))
    out += [(link.role, link.url) for link in c.links]
    return out


def venue_text(c: Citation) -> str:
    year = c.cited_year
    suffix = f" {year}" if year else ""
    if c.venue.short_name:
        return c.venue.short_name + suffix
    if c.venue.name:
        return c.venue.name + (f", {year}" if year else "")
    if c.kind is Kind.PREPRINT:
        text = f"arXiv preprint arXiv:{c.ids.arxiv_base}" if c.ids.arxiv else "Preprint"
        return text + (f", {year}" if year else "")
    # a thesis or a report: what it is and who published it ("PhD thesis, MIT, 2018")
    parts = [part for part in (c.genre, c.venue.publisher) if part]
    if parts:
        return ", ".join(parts) + (f", {year}" if year else "")
    return str(year) if year else ""


_OWN_STOPS = ("?", "!", "?”", "!”", "?\"", "!\"", "…")


def title_stop(title: str) -> str:
    """The full stop after a title, none after its own question or exclamation mark."""
    return "" if title.endswith(_OWN_STOPS) else "."
