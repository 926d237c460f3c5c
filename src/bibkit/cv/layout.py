"""The publications section of a CV: selected, grouped, numbered, the owner highlighted.

Layouts are data (formats/cv/<format>.toml): templates into which bibkit puts text it has
already escaped for that output, so no title or name can add markup or a LaTeX command.
With `csl`, each entry is formatted by a CSL style through citeproc-py instead.
"""

from __future__ import annotations

import html
import json
import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, TextIO

from ..formats.data import formats_dir, load_toml, require
from ..formats.registry import CV_LAYOUTS, CV_OPTIONS, CV_SITES
from ..infer.identifiers import display_doi, is_web_url
from ..infer.names import OwnerMatcher, owner_matcher
from ..io.files import UsageError
from ..model.citation import (
    Citation,
    Kind,
    Person,
    Profile,
    arxiv_abs_url,
    arxiv_base,
    evolve,
)
from ..model.context import WriteContext
from ..model.diagnostics import Diagnostics
from ..tex import render as richtext
from ..tex.chars import CharEncoder
from ..tex.spans import RICH_COMMANDS, has_spans, parse, unparse
from ..tex.text import escape_latex, safe_url, url_argument

FORMATS = CV_LAYOUTS
SITE_FORMATS = CV_SITES
GROUPINGS = CV_OPTIONS["group_by"]
NUMBERINGS = CV_OPTIONS["numbering"]
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
_OTHER_COLOUR = "#999999"


@dataclass
class CvOptions:
    fmt: str = "markdown"
    group_by: str = "year"
    numbering: str = "desc"
    highlight: tuple[str, ...] = ()
    since: int | None = None
    until: int | None = None
    kinds: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    only: tuple[str, ...] = ()
    links: bool = True
    csl: str | None = None
    style: str | None = None  # a pybtex BibTeX style: plain, unsrt, alpha, unsrtalpha
    template: str | None = None  # a Jinja2 template file (bibkit.cv.template)
    standalone: bool = False
    # leave out entries whose complete author list lacks the owner (a namesake's paper)
    exclude_unconfirmed: bool = False
    selected: tuple[str, ...] = ()  # al-folio: the entries marked `selected`
    hugo_admin: str = ""  # hugo: the site user the owner is written as


@dataclass
class CvResult:
    text: str
    shown: int
    excluded: int
    owner_hidden: int  # entries whose shown authors end in "et al." without the owner
    keys: list[str] = field(default_factory=list)


# --- the owner's name ----------------------------------------------------------------------


# --- selection and order ---------------------------------------------------------------------


def _year(c: Citation) -> int | None:
    return c.cited_year


def _selector_hits(c: Citation, selector: str) -> bool:
    s = selector.strip()
    if not s:
        return False
    low = s.casefold()
    if low in (c.key.casefold(), c.ids.doi, c.ids.arxiv.casefold()):
        return True
    if c.ids.arxiv and c.ids.arxiv_base == arxiv_base(s):
        return True
    return low in c.title.casefold()


def unconfirmed(c: Citation, is_owner: Callable[[Person], bool] | None) -> bool:
    """The owner check said no (`bibkit enrich`), or the complete author list lacks the owner.
    A list that ends in "et al." proves nothing: the owner may be among the hidden authors."""
    if any(p.rule == "owner-not-listed" for p in c.provenance):
        return True
    return (is_owner is not None and not c.authors_truncated and bool(c.authors)
            and not any(is_owner(p) for p in c.authors))


def select(citations: Iterable[Citation], opts: CvOptions,
           is_owner: Callable[[Person], bool] | None = None) -> tuple[list[Citation], int]:
    kept, excluded = [], 0
    kinds = {k.strip() for k in opts.kinds if k.strip()}
    for c in citations:
        year = _year(c)
        ok = (
            (opts.since is None or (year is not None and year >= opts.since))
            and (opts.until is None or (year is not None and year <= opts.until))
            and (
                not kinds
                or c.kind.value in kinds
                or KIND_HEADINGS[c.kind].casefold() in {k.casefold() for k in kinds}
            )
            and not any(_selector_hits(c, s) for s in opts.exclude)
            and (not opts.only or any(_selector_hits(c, s) for s in opts.only))
            and not (opts.exclude_unconfirmed and unconfirmed(c, is_owner))
        )
        if ok:
            kept.append(c)
        else:
            excluded += 1
    return kept, excluded


def _sort_key(c: Citation) -> tuple[int, int, int, str]:
    d = c.issued
    return (-(_year(c) or 0), -(d.month or 0), -(d.day or 0), c.title.casefold())


def group(citations: Sequence[Citation], by: str) -> list[tuple[str, list[Citation]]]:
    ordered = sorted(citations, key=_sort_key)
    if by == "none":
        return [("", ordered)]
    groups: dict[str, list[Citation]] = {}
    if by == "year":
        for c in ordered:
            groups.setdefault(str(_year(c) or "Undated"), []).append(c)
        return list(groups.items())
    if by == "kind":
        for c in ordered:
            groups.setdefault(KIND_HEADINGS[c.kind], []).append(c)
        order = list(KIND_HEADINGS.values())
        return sorted(groups.items(), key=lambda g: order.index(g[0]))
    for c in ordered:  # venue
        name = (
            c.venue.short_name
            or c.venue.name
            or ("Preprints" if c.kind is Kind.PREPRINT else "Other")
        )
        groups.setdefault(name, []).append(c)
    return sorted(groups.items(), key=lambda g: (g[0] in ("Preprints", "Other"), g[0]))


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


def _url(url: str, fmt: str) -> str | None:
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


def _links(c: Citation) -> list[tuple[str, str]]:
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
    year = _year(c)
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


_OWN_STOPS = ("?", "!", "?”", "!”", "?\"", "!\"", "…")


def title_stop(title: str) -> str:
    """The full stop after a title, none after its own question or exclamation mark."""
    return "" if title.endswith(_OWN_STOPS) else "."


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
        for label, url in _links(c):
            safe = _url(url, fmt)
            if safe is not None:
                link_items.append(t["link"].format(label=esc(label), url=safe))
    link_text = t["links"].format(items=t["link_separator"].join(link_items)) if link_items else ""
    if styled is not None:
        return styled + link_text, hidden
    if csl is not None:
        body = csl(c, fmt, is_owner)
        if c.authors_truncated:  # a style cannot know: say it rather than drop "et al."
            body += " " + esc("(Author list truncated in the source.)")
        return body + link_text, hidden
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
_DOUBLED_STOP = re.compile(r"([?!])((?:[”’\"]|</[a-z]+>)*)\.")
_STYLE_LABEL = re.compile(r"^\s*(?:<[^<>]*>)*\s*\[\d+\]\s*")


def csl_renderer(style: str) -> Callable[[Citation, str, OwnerMatcher], str]:
    """Format one citation with a CSL style; "apa" and "ieee" are shipped in formats/csl."""
    from citeproc import Citation as CpCitation
    from citeproc import CitationItem, CitationStylesBibliography, CitationStylesStyle, formatter
    from citeproc.source.json import CiteProcJSON

    from ..formats.csl import to_csl

    path = Path(style)
    if not path.exists():
        path = formats_dir() / "csl" / f"{style}.csl"
    if not path.exists():
        raise FileNotFoundError(f"CSL style {style!r} not found (shipped: apa, ieee)")
    parsed = CitationStylesStyle(str(path), validate=False)

    def render(c: Citation, fmt: str, is_owner: OwnerMatcher) -> str:
        held = _HeldSpans(fmt)
        item = to_csl(held.hold_in(c), c.key or "item")
        item.pop("custom", None)
        item.pop("citation-key", None)
        item.pop("abstract", None)
        item.pop("note", None)
        item.pop("URL", None)  # links follow the entry, once
        shield = _MarkupShield(item) if fmt == "html" else None
        source = CiteProcJSON([shield.hide(item) if shield else json.loads(json.dumps(item))])
        bib = CitationStylesBibliography(
            parsed, source, formatter.html if fmt == "html" else formatter.plain
        )
        bib.register(CpCitation([CitationItem(item["id"])]))
        text = _DOUBLED_STOP.sub(r"\1\2", str(bib.bibliography()[0]))
        # the list's number is bibkit's: a numeric style's own label ("[1]") goes
        text = _STYLE_LABEL.sub("", text, count=1)
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


# --- the whole section -----------------------------------------------------------------------


def choose(citations: Iterable[Citation], opts: CvOptions, profile: Profile | None,
           diags: Diagnostics | None
           ) -> tuple[list[Citation], int, tuple[str, ...], OwnerMatcher]:
    """(the entries the options keep, how many they left out, the owner's names, the owner
    test); a selector that matches nothing is a warning: a typo must not pass unseen."""
    names = opts.highlight or ((profile.name,) if profile and profile.name else ())
    is_owner = owner_matcher(names)
    citations = list(citations)
    kept, excluded = select(citations, opts, is_owner if names else None)
    if diags is not None:
        for flag, selectors in (("--exclude", opts.exclude), ("--only", opts.only),
                                ("--selected", opts.selected)):
            for selector in selectors:
                if not any(_selector_hits(c, selector) for c in citations):
                    diags.warning("BK802", f"{flag} {selector!r} matches no entry (a citekey, "
                                  "an arXiv id, a DOI or part of a title)")
    return kept, excluded, names, is_owner


def selector_hits(c: Citation, selectors: Iterable[str]) -> bool:
    return any(_selector_hits(c, s) for s in selectors)


def number_of(position: int, total: int, numbering: str) -> int | None:
    """The number the entry at `position` (1 = first shown) gets: counting down from the
    total (desc), up (asc), or none."""
    if numbering == "none":
        return None
    return total - position + 1 if numbering == "desc" else position


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
    numbering = "none" if labelled else opts.numbering  # [HYL23] names the entry
    t, esc = layout(opts.fmt), ESCAPE[opts.fmt]
    total = len(kept)
    parts = [t["document_start"].format()]
    hidden_count = 0
    n = 0
    keys = []
    for heading, members in groups:
        first = number_of(n + 1, total, numbering)  # the group's first entry
        ol_attrs = (
            ""
            if numbering == "none"
            else (f' start="{first}"' + (" reversed" if numbering == "desc" else ""))
        )
        parts.append(t["group_start"].format())
        if heading:
            parts.append(
                t["group_heading"].format(group=esc(heading), underline="-" * len(heading))
            )
        parts.append(
            t["list_start"].format(
                ol_class=" plain" if numbering == "none" else "", ol_attrs=ol_attrs
            )
        )
        for c in members:
            n += 1
            number = number_of(n, total, numbering)
            style_label, style_text = styled.get(id(c), ("", None))
            entry, hidden = render_entry(c, opts.fmt, is_owner, opts.links, csl, style_text)
            if labelled:
                entry = esc(f"[{style_label}]") + " " + entry
            hidden_count += hidden
            keys.append(c.key)
            label = "" if numbering == "none" else t["number"].format(n=number)
            parts.append(
                t["item"].format(
                    number=label,
                    entry=entry,
                    li_attrs="" if numbering == "none" else f' value="{number}"',
                )
            )
        parts.append(t["list_end"].format())
        parts.append(t["group_end"].format())
    body = "".join(parts)
    if opts.fmt == "html":
        body = html_page(body, kept, names[0] if names else "", total)
    elif opts.fmt == "latex" and opts.standalone:
        body = (
            "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n"
            "\\usepackage[hidelinks]{hyperref}\n"
            "\\begin{document}\n\\section*{Publications}\n" + body + "\\end{document}\n"
        )
    if diags is not None and not names:
        diags.info("BK801", "no owner to highlight (no listing header; use --highlight NAME)")
    return CvResult(body, total, excluded, hidden_count, keys)


# --- as a registered writer (`--to cv-html`, `bibkit cv`) -----------------------------------

def options_from(fmt: str, options: dict[str, Any]) -> CvOptions:
    """CvOptions from writer options: typed values (the API, `bibkit cv`) or -O strings
    ("kinds=a,b", "since=2020", "links=no")."""
    opts = CvOptions(fmt=fmt)
    for key, value in options.items():
        current = getattr(opts, key)
        if isinstance(value, str):
            if isinstance(current, bool):
                value = value.lower() in ("yes", "true", "1")
            elif isinstance(current, tuple):
                value = tuple(v.strip() for v in value.split(",") if v.strip())
            elif key in ("since", "until"):
                if not value.isdigit():
                    raise UsageError(f"-O {key}={value}: expected a year")
                value = int(value)
        setattr(opts, key, value)
    check_options(opts)
    return opts


def _o_flag(key: str, value: object) -> str:
    return f"-O {key}={'yes' if value is True else value}"


def check_options(opts: CvOptions, flag: Callable[[str, object], str] = _o_flag) -> None:
    """The rules between CV options, for `bibkit cv`, `-O` and the API alike (a usage error
    naming the options as `flag(name, value)` writes them: `--csl apa`, `-O csl=apa`)."""
    formatters = [flag(k, v) for k, v in (("csl", opts.csl), ("style", opts.style),
                                          ("template", opts.template)) if v]
    if len(formatters) > 1:
        raise UsageError(f"{' and '.join(formatters)} each format the entries; give one")
    site_only = [flag(k, v) for k, v in (("csl", opts.csl), ("style", opts.style),
                                         ("standalone", opts.standalone))
                 if v]
    if opts.fmt in CV_SITES and site_only:
        raise UsageError(f"format {opts.fmt} writes data, not formatted entries: "
                         f"{' and '.join(site_only)} do not apply")
    if opts.standalone and opts.fmt != "latex":
        raise UsageError(f"{flag('standalone', True)} makes a LaTeX document; format "
                         f"{opts.fmt} has no such option (use format latex)")
    if opts.since is not None and opts.until is not None and opts.since > opts.until:
        raise UsageError(f"{flag('since', opts.since)} is after {flag('until', opts.until)}: "
                         "no year is in both")
    both = sorted(set(opts.exclude) & set(opts.only))
    if both:
        raise UsageError(f"{flag('only', both[0])} and {flag('exclude', both[0])}: an entry "
                         "cannot be both kept and left out")
    if opts.hugo_admin and opts.fmt != "hugo":
        raise UsageError(f"{flag('hugo_admin', opts.hugo_admin)} is for format hugo, not "
                         f"format {opts.fmt}")


def source_facts(ctx: WriteContext) -> tuple[Profile | None, str]:
    """(the listing's owner, the --as-of date) from the run's reading side; call it after
    the citations were read to the end (the owner is known once the header was read)."""
    if ctx.source is None:
        return None, ""
    return ctx.source.profile, ctx.source.as_of.isoformat()


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


# --- HTML page and chart ---------------------------------------------------------------------

STYLESHEET = """
:root { color-scheme: light; --fg: #1d1d1f; --muted: #5f6368; --accent: #7570b3; }
body { font: 16px/1.55 Georgia, "Times New Roman", serif; color: var(--fg); margin: 0; }
main { max-width: 52rem; margin: 2.5rem auto; padding: 0 1.25rem; }
h1 { font-size: 2rem; margin: 0 0 .25rem; }
p.summary { color: var(--muted); margin: 0 0 1.5rem; }
figure { margin: 0 0 2rem; }
figcaption { color: var(--muted); font-size: .85rem; }
h2 { font-size: 1.3rem; border-bottom: 1px solid #ddd; padding-bottom: .2rem; margin-top: 2rem; }
ol.pubs { padding-left: 2.6rem; }
ol.pubs.plain { list-style: none; padding-left: 0; }
ol.pubs li { margin: .55rem 0; }
cite { font-style: italic; }
.owner { font-weight: 700; }
.venue { color: #333; }
.links a { font: .8rem/1 system-ui, sans-serif; color: var(--accent); text-decoration: none;
           border: 1px solid currentColor; border-radius: .25rem; padding: 0 .3rem; }
@media print {
  main { max-width: none; margin: 0; }
  figure { display: none; }
  .links a { border: none; padding: 0; color: inherit; }
  .links a::after { content: " <" attr(href) ">"; font-size: .7rem; }
  h2 { break-after: avoid; }
  li { break-inside: avoid; }
}
"""


_LABEL_EM = 6.5  # a generous width a character of 11 px Georgia takes


def _tick_step(tallest: int) -> int:
    """An axis step of 1, 2 or 5 times a power of ten giving at most five ticks: 0, 1, 2, 3
    for 3 (never 0, 1, 3)."""
    step = 1
    while tallest / step > 4:
        step = _next_nice(step)
    return step


def _next_nice(step: int) -> int:
    """1 -> 2 -> 5 -> 10 -> 20 -> ..."""
    lead = int(str(step)[0])
    scale = 10 ** (len(str(step)) - 1)
    return {1: 2, 2: 5, 5: 10}[lead] * scale


def chart_svg(citations: Sequence[Citation]) -> str:
    """Publications per year as stacked bars by kind: an inline SVG, no script, no assets."""
    counts: Counter[tuple[int, Kind]] = Counter()
    for c in citations:
        year = _year(c)
        if year is not None:
            counts[(year, c.kind)] += 1
    if not counts:
        return ""
    years = list(range(min(y for y, _ in counts), max(y for y, _ in counts) + 1))
    kinds = sorted({k for _, k in counts}, key=lambda k: list(KIND_HEADINGS).index(k))
    tallest = max(sum(counts[(y, k)] for k in kinds) for y in years)
    step = _tick_step(tallest)
    axis_top = -(-tallest // step) * step  # the tallest bar, rounded up to a tick
    bar, gap, left, top, height = 28, 10, 36, 12, 150
    labels = [KIND_HEADINGS[k] for k in kinds]
    # the legend is one row a kind, under the bars: every label inside the chart
    legend_width = left + 14 + max(_LABEL_EM * len(label) for label in labels)
    width = max(left + len(years) * (bar + gap) + 10, round(legend_width) + 10)
    full_height = top + height + 30 + 16 * len(kinds) + 6
    scale = height / axis_top
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{width}" '
        f'height="{full_height}" viewBox="0 0 {width} {full_height}" '
        'aria-labelledby="chart-title">',
        '<title id="chart-title">Publications per year, by kind</title>',
        f'<line x1="{left}" y1="{top + height}" x2="{width - 6}" y2="{top + height}" '
        'stroke="#999"/>',
    ]
    for tick in range(0, axis_top + 1, step):
        y = top + height - tick * scale
        out.append(
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" '
            f'fill="#5f6368">{tick}</text>'
        )
    for i, year in enumerate(years):
        x = left + i * (bar + gap) + gap / 2
        base = float(top + height)
        for k in kinds:
            n = counts[(year, k)]
            if not n:
                continue
            h = n * scale
            base -= h
            out.append(
                f'<rect x="{x:.1f}" y="{base:.1f}" width="{bar}" height="{h:.1f}" '
                f'fill="{KIND_COLOURS.get(k, _OTHER_COLOUR)}">'
                f"<title>{year}: {n} {html.escape(KIND_HEADINGS[k].lower())}</title>"
                "</rect>"
            )
        out.append(
            f'<text x="{x + bar / 2:.1f}" y="{top + height + 14}" font-size="11" '
            f'text-anchor="middle" fill="#5f6368">{year}</text>'
        )
    for row, k in enumerate(kinds):
        y = top + height + 30 + 16 * row
        out.append(
            f'<rect x="{left}" y="{y}" width="10" height="10" '
            f'fill="{KIND_COLOURS.get(k, _OTHER_COLOUR)}"/>'
        )
        out.append(f'<text x="{left + 14}" y="{y + 9}" font-size="11" fill="#333">'
                   f"{html.escape(KIND_HEADINGS[k])}</text>")
    out.append("</svg>")
    return "\n".join(out)


def html_page(body: str, citations: Sequence[Citation], owner: str, total: int) -> str:
    who = html.escape(owner)
    title = f"Publications of {who}" if who else "Publications"
    chart = chart_svg(citations)
    figure = (
        (f"<figure>\n{chart}\n<figcaption>Publications per year, by kind</figcaption>\n</figure>\n")
        if chart
        else ""
    )
    return (
        f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{title}</title>\n<style>{STYLESHEET}</style>\n</head>\n<body>\n<main>\n"
        f'<h1>{title}</h1>\n<p class="summary">{total} publications</p>\n'
        f"{figure}{body}</main>\n</body>\n</html>\n"
    )
