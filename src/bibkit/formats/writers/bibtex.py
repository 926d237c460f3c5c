"""BibTeX and BibLaTeX writers (DESIGN.md §5), one engine for both dialects.

Every value goes through one escaping function, so no text can end its field early or add a
command: specials are escaped, braces become \\textbraceleft/right (BibTeX counts a
backslashed brace, so `\\{` could unbalance a field), URLs are percent-encoded where they
would need braces. Entries are written one at a time; memory does not grow with the input.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import TextIO

from ...data import load_toml, require
from ...infer.categories import is_category
from ...infer.dates import MONTH_MACROS
from ...infer.identifiers import display_doi, is_web_url
from ...model.citation import Citation, Kind, Person, Status, status_notes
from ...model.context import WriteContext
from ...tex import render
from ...tex.chars import CharEncoder
from ...tex.escape import escape_latex, protect_title, safe_url, url_argument
from ...tex.safety import stays_in_its_field
from ...tex.text import squash
from ..fieldnames import is_bibtex_name
from ..genres import biblatex_type_field, bibtex_type_field, is_masters
from . import left_out

_RANGE_RE = re.compile(r"\s*(?:[-–—]|-\{\}|\{\})+\s*")


@dataclass(frozen=True, slots=True)
class Dialect:
    name: str  # "bibtex" | "biblatex"
    types: dict[str, str]
    order: tuple[str, ...]
    container: dict[str, str]
    preprint_without_eprint: str
    invalid: dict[str, tuple[str, ...]]
    publisher_field: dict[str, str]
    fields: frozenset[str] | None  # the fields its reader knows; None: any (BibTeX ignores)
    # the fields its data model allows in each entry type (biblatex); None: any
    allowed: dict[str, frozenset[str]] | None = None
    # the fields a type must have (biblatex), else it is written as @misc
    mandatory: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def allows(self, etype: str, name: str) -> bool:
        """Whether the data model allows the field in the type (biber validates by it)."""
        if self.allowed is None:
            return True
        name = _BIBER_ALIASES.get(name.lower(), name.lower())
        if name.endswith("date"):  # biber splits `date`, `urldate`... into their parts
            name = name[:-4] + "year"
        return name in self.allowed.get(etype, self.allowed["*"])

    def writes_back(self, extra_name: str) -> bool:
        """Whether a field kept from a .bib (`extra`, "bibtex:mrnumber") is written back."""
        return (extra_name.startswith("bibtex:") and is_bibtex_name(extra_name[7:]) and (
            self.fields is None or extra_name[7:].lower() in self.fields))


@cache
def dialect(name: str) -> Dialect:
    file = f"{name}.toml"
    data = load_toml(file)["write"]
    types = data["types"]
    require(set(types) == {k.value for k in Kind}, file, "write.types must map every kind")
    invalid = {t: tuple(names) for t, names in data.get("invalid", {}).items()}
    known = data.get("fields")
    return Dialect(
        name,
        types,
        tuple(data["order"]),
        data["container"],
        data.get("preprint_without_eprint", types[Kind.PREPRINT.value]),
        invalid,
        data.get("publisher_field", {}),
        frozenset(known["model"] + known["aliases"]) if known else None,
        _data_model() if data.get("data_model") else None,
        {t: tuple(names) for t, names in data.get("mandatory", {}).items()},
    )


def _data_model() -> dict[str, frozenset[str]]:
    """biblatex's fields by entry type (formats/biblatex-model.toml, made from biblatex's own
    blx-dm.def by tools/biblatex_model.py); "*" the fields of every type."""
    model = load_toml("biblatex-model.toml")
    everywhere = frozenset(model["everywhere"])
    out = {t: everywhere | frozenset(names) for t, names in model["types"].items()}
    out["*"] = everywhere
    return out


# the BibTeX names biber reads as biblatex fields (biber's default source map)
_BIBER_ALIASES = {"address": "location", "journal": "journaltitle", "school": "institution",
                  "annote": "annotation", "archiveprefix": "eprinttype", "key": "sortkey",
                  "primaryclass": "eprintclass", "pdf": "file"}


def _url_in_text(url: str) -> str:
    """A link in a note: \\url{} (a live link with hyperref) for a web URL only; any other
    text (a `javascript:` link, text that is no URI) is printed as text."""
    return r"\url{" + url_argument(url) + "}" if is_web_url(safe_url(url)) else escape_latex(url)


def _brace_if_needed(part: str) -> str:
    """Brace a name part that BibTeX would otherwise split or misread."""
    words = part.lower().split()
    if "and" in words or "," in part or (part[:1].islower()):
        return "{" + part + "}"
    return part


def _commas_for_biber(name: str) -> str:
    """A name whose parts hold commas, for biber: biber counts every comma of a name, braced
    or not, and skips the entry at a third ("too many commas"); a comma inside braces is
    written `\\symbol{44}`, which biber keeps and LaTeX prints as a comma."""
    out, depth = [], 0
    for ch in name:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
        out.append("\\symbol{44}" if ch == "," and depth > 0 else ch)
    return "".join(out)


# Zotero's BibTeX import decodes \textit{x} to italics but mangles \emph{x} ("\emphx"); in
# a title or an abstract, set upright, both print in italics
_ZOTERO_SAFE = {"emph": "textit"}


class _Encoder:
    """Model text to BibTeX values: escaped text, TeX spans verbatim, characters outside
    the chosen character set as LaTeX commands (bibkit.tex.chars)."""

    def __init__(self, ctx: WriteContext, biber: bool = False) -> None:
        self.chars = CharEncoder(ctx.charset)
        self._names: dict[Person, str] = {}  # co-authors recur: each name encoded once
        self.biber = biber  # biber reads the output: no name with more than two commas

    def escape(self, text: str) -> str:
        return self.chars.encode(escape_latex(text))

    def text(self, value: str) -> str:
        return render.latex(squash(value), self.escape, _ZOTERO_SAFE)

    def title(self, value: str, nocase: tuple[str, ...] = ()) -> str:
        def protect(text: str) -> str:
            return self.chars.encode(protect_title(text, nocase=nocase))

        return render.latex_title(squash(value), protect, self.escape, _ZOTERO_SAFE)

    def name_part(self, part: str) -> str:
        """One part of a name; braced where BibTeX would split or misread it."""
        if part.isalpha():  # the common case: one word of letters, nothing to escape
            if part[0].islower() or part.lower() == "and":
                part = "{" + part + "}"
            return self.chars.encode(part)
        return _brace_if_needed(self.text(part))

    def name(self, p: Person) -> str:
        encoded = self._names.get(p)
        if encoded is None:
            if len(self._names) >= 4096:
                self._names.clear()
            encoded = self._name(p)
            if self.biber and encoded.count(",") > 2:
                encoded = _commas_for_biber(encoded)
            self._names[p] = encoded
        return encoded

    def _name(self, p: Person) -> str:
        if p.literal or not p.family:
            return "{" + self.text(p.literal or p.given) + "}"
        family = self.name_part(p.family)
        if p.particle:
            particle = self.text(p.particle)
            if "," in particle:
                # biber counts a braced particle's commas ("too many commas" skips the
                # entry): particle and family go in one braced group, the family as written
                family = "{" + particle + " " + self.text(p.family) + "}"
            else:
                family = f"{particle} {family}"
        if not p.given and not p.suffix:
            return family
        if p.suffix:
            given = self.name_part(p.given) if p.given else ""
            return f"{family}, {self.name_part(p.suffix)}, {given}"
        return f"{family}, {self.name_part(p.given)}"

    def authors(self, c: Citation) -> str:
        names = [self.name(p) for p in c.authors]
        if c.authors_truncated:
            names.append("others")
        return " and ".join(names)


def entry_fields(
    c: Citation, d: Dialect, enc: _Encoder, ctx: WriteContext
) -> tuple[str, dict[str, str]]:
    """(entry type, {field: encoded value}); month values are bare macros."""
    biblatex = d.name == "biblatex"
    arxiv = c.ids.arxiv_base  # cited without its version
    etype, preprint = _entry_type(c, d, arxiv)
    f: dict[str, str] = {}
    if c.authors or c.authors_truncated:
        f["author"] = enc.authors(c)
    if c.editors:
        f["editor"] = " and ".join(enc.name(p) for p in c.editors)
    if c.title:
        f["title"] = enc.title(c.title, c.title_nocase)
    container = d.container.get(c.kind.value)
    if container and c.venue.name:
        f[container] = enc.text(c.venue.name)
    if preprint:
        if etype != "online":
            f["howpublished"] = (
                f"arXiv preprint arXiv:{enc.text(arxiv)}" if arxiv else "arXiv preprint"
            )
        # no pubstate: biblatex prints "prepublished" as "Pre-published.", which is not what
        # an arXiv preprint is; @online with eprinttype arxiv already says it
    elif c.status is Status.ACCEPTED and biblatex:
        f["pubstate"] = "inpress"
    if c.status is Status.WITHDRAWN and biblatex:
        f["pubstate"] = "withdrawn"  # printed as written: biblatex has no string for it

    _date_fields(c, biblatex, f)
    _venue_fields(c, d, enc, etype, f)
    _identifier_fields(c, d, enc, preprint, f)
    _link_fields(c, biblatex, enc, f)
    if c.keywords:
        f["keywords"] = enc.text(", ".join(c.keywords))
    if ctx.abstract and c.abstract:
        f["abstract"] = enc.text(c.abstract)
    if not c.authors and "key" in d.order and c.title:
        # plain.bst sorts by author, else by `key`: without it bibtex warns
        f["key"] = enc.text(c.title)
    if biblatex:
        etype = _as_the_data_model_wants(c, d, etype, f, ctx)
    for name in (*d.invalid.get(etype, ()), *(n for n in list(f) if not d.allows(etype, n))):
        if f.pop(name, None) is not None:
            ctx.diags.info(
                "BK402",
                f"{name} is not a {d.name} field of @{etype}; left out",
                line=c.origin.line,
                key=c.key,
            )
    return etype, f


def _as_the_data_model_wants(c: Citation, d: Dialect, etype: str, f: dict[str, str],
                             ctx: WriteContext) -> str:
    """biblatex's types as its data model has them (biber --validate-datamodel is silent):
    a volume that is no number goes to the note (biblatex's volume is an integer), and an
    entry without a field its type must have (an @article without a journal) is a @misc.
    Each change is said (BK402)."""
    volume = f.get("volume", "")
    if volume and not volume.isdigit():
        del f["volume"]  # into the field biblatex's notes go to, as the writer's own
        f["note"] = f"Volume {volume}" + (f". {f['note']}" if f.get("note") else "")
        ctx.diags.info("BK402", f"volume {volume!r} is no number, which biblatex's volume "
                       "must be: written in the note", line=c.origin.line, key=c.key)
    missing = [name for name in d.mandatory.get(etype, ()) if not f.get(name)]
    if missing:
        ctx.diags.info("BK402", f"@{etype} without {', '.join(missing)}, which biblatex "
                       "requires: written as @misc", line=c.origin.line, key=c.key)
        return "misc"
    return etype


def _entry_type(c: Citation, d: Dialect, arxiv: str) -> tuple[str, bool]:
    """(the entry type, whether it is written as a preprint)."""
    biblatex = d.name == "biblatex"
    etype = d.types[c.kind.value]
    # a @misc or @online with an arXiv eprint is a preprint: readers take it so (arXiv's own
    # export is such a @misc), so writers write it as one and a round trip is stable
    preprint = c.kind is Kind.PREPRINT or (bool(arxiv) and etype in ("misc", "online"))
    if arxiv and not c.venue.name and any(d.container.get(c.kind.value) == name
                                          for name in d.mandatory.get(etype, ())):
        preprint = True  # an arXiv paper whose type must name a container it lacks: cited
        # as the arXiv preprint it is (biblatex's @article must have a journal)
    if preprint:
        etype = d.types[Kind.PREPRINT.value] if arxiv else d.preprint_without_eprint
    elif c.kind is Kind.THESIS and not biblatex and is_masters(c.genre):
        etype = "mastersthesis"  # BibTeX's two thesis types (biblatex's @thesis has `type`)
    elif c.kind is Kind.BOOK and biblatex and c.editors and not c.authors:
        etype = "collection"  # an edited volume: biblatex's @book must have an author
    return etype, preprint


def _venue_fields(c: Citation, d: Dialect, enc: _Encoder, etype: str, f: dict[str, str]
                  ) -> None:
    """Volume, number, publisher, place, language, the thesis or report type, the access
    date and the pages."""
    biblatex = d.name == "biblatex"
    v = c.venue
    for name, value in (
        ("volume", v.volume),
        ("number", v.issue),
        ("series", v.series),
        ("edition", v.edition),
        (d.publisher_field.get(c.kind.value, "publisher"), v.publisher),
        ("location" if biblatex else "address", v.place),
        ("langid" if biblatex else "language", c.language),
    ):
        if value:
            f[name] = enc.text(value)
    genre = biblatex_type_field(c.genre) if biblatex else bibtex_type_field(etype, c.genre)
    if genre:
        f["type"] = enc.text(genre)
    if c.accessed.year:
        f["urldate"] = c.accessed.iso()
    if c.venue.pages:  # page ranges take BibTeX's en dash, "--"
        f["pages"] = _RANGE_RE.sub("--", enc.text(c.venue.pages))



def _date_fields(c: Citation, biblatex: bool, f: dict[str, str]) -> None:
    d = c.cited_date  # a venue's year alone, else the issued date with its month
    if d.year is None:
        return
    if biblatex:
        f["date"] = d.iso()
    else:
        f["year"] = str(d.year)
        if d.month:
            f["month"] = MONTH_MACROS[d.month - 1]


def _identifier_fields(c: Citation, d: Dialect, enc: _Encoder, preprint: bool,
                       f: dict[str, str]) -> None:
    # cited without its version, as arXiv's own BibTeX does (the model keeps the version)
    biblatex, arxiv = d.name == "biblatex", c.ids.arxiv_base
    if arxiv:
        # `eprinttype` in both dialects: Zotero's BibTeX import reads an eprint only beside an
        # eprinttype (else an unknown `_eprint` line lands in Extra), and an eprinttype only
        # beside an eprint (zotero/translators BibTeX.js, processField). bibtex ignores it.
        f["eprint"] = enc.text(arxiv)
        f["eprinttype"] = "arxiv"
        if not biblatex:
            f["archivePrefix"] = "arXiv"  # arXiv's own export: natbib and hyperref styles
    # a code that is no arXiv category ("XYZ", warned about when read) is not written as one
    if is_category(c.ids.arxiv_class) and (arxiv or preprint):
        if biblatex:
            f["eprintclass"] = enc.text(c.ids.arxiv_class)
        else:
            f["primaryClass"] = enc.text(c.ids.arxiv_class)
    if c.cited_doi:
        f["doi"] = safe_url(display_doi(c.cited_doi))
    for name in ("isbn", "issn", "pmid"):
        value = getattr(c.ids, name)
        if value and name in d.order:
            f[name] = enc.text(value)


def _link_fields(c: Citation, biblatex: bool, enc: _Encoder, f: dict[str, str]) -> None:
    # `url` is the work's own page (its URL, else its arXiv page), never its code or project:
    # a style prints `url` as where the work is. Code and project links go to `note`, a field
    # people see: every standard biblatex style prints it (as it prints `addendum`), and
    # Zotero's BibTeX import keeps `note` and reads no `addendum`.
    url = c.ids.landing_url
    if url:
        f["url"] = safe_url(url)
    notes = [] if biblatex else status_notes(c)  # biblatex says it in `pubstate`
    notes += [enc.text(c.note)] if c.note else []
    notes += [link.note(_url_in_text(link.url)) for link in c.links]
    if notes:
        f["note"] = ". ".join(notes)


@cache
def _prefixes(order: tuple[str, ...]) -> dict[str, str]:
    """`  name = ` for every field, aligned on the dialect's longest field name, so every
    entry of a file lines up the same way (and golden files diff cleanly)."""
    width = max(len(n) for n in order if n != "*extra*")
    return {n: f"  {n.ljust(width)} = " for n in order}


def _render(
    key: str,
    etype: str,
    fields: dict[str, str],
    order: tuple[str, ...],
    extra: tuple[tuple[str, str], ...] = (),
) -> str:
    prefixes = _prefixes(order)
    parts = [f"@{etype}{{{key},\n"]
    for n in order:
        if n == "*extra*":
            width = len(prefixes["author"]) - 5
            for name, raw in extra:
                if name.startswith("bibtex:") and name[7:] not in fields:
                    # kept verbatim from a BibTeX source: already valid BibTeX, balanced
                    parts.append(f"  {name[7:].ljust(width)} = {{{raw}}},\n")
            continue
        value = fields.get(n)
        if value is not None:
            # month is a bare macro (mar), everything else a braced value
            parts.append(
                f"{prefixes[n]}{value},\n" if n == "month" else f"{prefixes[n]}{{{value}}},\n"
            )
    parts.append("}\n")
    return "".join(parts)


_LINE_OPENS_ENTRY = re.compile(r"\n\s*@")
_LINE_BREAKS = re.compile(r"[ \t\r]*\n\s*")


def _kept_fields(c: Citation, d: Dialect, enc: _Encoder, ctx: WriteContext, etype: str
                 ) -> tuple[tuple[str, str], ...]:
    """The fields kept from a .bib that this dialect writes back, verbatim: TeX as it was.
    A value whose braces do not balance (a tolerant parse, a plugin's field) would end the
    field early or swallow the entries after it: it is written as escaped text (BK407)."""
    out = []
    for name, raw in c.extra:
        if not d.writes_back(name):
            continue
        if not d.allows(etype, name[7:]):
            ctx.diags.info("BK402", f"{name[7:]} is not a {d.name} field of @{etype}; left "
                           "out", line=c.origin.line, key=c.key)
            continue
        if "\n" in raw and _LINE_OPENS_ENTRY.search(raw):
            # a line of the value that starts with @ opens an entry for bibtexparser and for
            # bibkit's reader: the value's line breaks, spaces to BibTeX, become spaces
            raw = _LINE_BREAKS.sub(" ", raw)
        if not stays_in_its_field(raw):
            ctx.diags.warning("BK407", f"{name[7:]}: braces do not balance; written as text, "
                              "each brace escaped", line=c.origin.line, key=c.key)
            raw = enc.escape(raw)
        # its characters as the other fields' (--ascii is ASCII; a bidi override, which TeX
        # cannot set, is left out and said): TeX syntax is ASCII, so this changes no command
        out.append((name, enc.chars.encode(raw)))
    return tuple(out)


def make_writer(dialect_name: str) -> Callable[[Iterable[Citation], TextIO, WriteContext], int]:
    def write(citations: Iterable[Citation], out: TextIO, ctx: WriteContext) -> int:
        d = dialect(dialect_name)
        enc = _Encoder(ctx, biber=dialect_name == "biblatex")
        n = 0
        batch: list[str] = []  # entries written a few hundred at a time: fewer encoder calls
        for c in citations:
            etype, fields = entry_fields(c, d, enc, ctx)
            left_out(c, d.writes_back, dialect_name, ctx)
            key = c.key  # made unique and safe by the pipeline's key stage
            if n:
                batch.append("\n")
            extra = _kept_fields(c, d, enc, ctx, etype) if c.extra else ()
            batch.append(_render(key, etype, fields, d.order, extra))
            n += 1
            if len(batch) >= 512:
                out.write("".join(batch))
                batch.clear()
        out.write("".join(batch))
        problems = enc.chars.problems()
        if d.name == "biblatex":
            problems += enc.chars.biber_problems()
        for severity, code, message in problems:
            ctx.diags.add(severity, code, message)
        return n

    write.__doc__ = f"Write citations as {dialect_name} entries; returns how many."
    return write


write = make_writer("bibtex")
