"""The format registry: one FormatSpec per format, built-ins in code, plugins by entry point.

Targets are "module:function" strings imported on first use, so `bibkit formats` and
sniffing never import a writer they do not need. Third-party formats register through the
versioned entry-point group `bibkit.formats.v1`, whose objects are FormatSpec instances; a
broken plugin is reported and skipped, never fatal.
"""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

ENTRY_POINT_GROUP = "bibkit.formats.v1"


@dataclass(frozen=True, slots=True, kw_only=True)
class FormatSpec:
    name: str  # value of --to / --from
    summary: str
    suffixes: tuple[str, ...] = ()
    reader: str | None = None  # "bibkit.formats.readers.listing:read"
    writer: str | None = None  # "bibkit.formats.writers.bibtex:write"
    sniff: str | None = None  # "module:func", (first text of the input) -> bool
    # the writer's -O keys, each with its allowed values (empty: any value)
    options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # the reader's keywords (`bibkit.load(path, **options)`), likewise; none of bibkit's
    # own readers takes one, so any keyword given them is refused, not ignored
    reader_options: dict[str, tuple[str, ...]] = field(default_factory=dict)
    aliases: tuple[str, ...] = ()  # other names users type for it (`bib`, `json`)
    # the writer makes a directory of files at the target path: write(citations, Path, ctx)
    directory: bool = False
    # the writer updates a file in place (`--sync`: WriteContext.existing holds its text);
    # "module:func", (the file's text) -> whether it holds what the writer would not write
    # back, so that `-o` without `--sync` refuses to replace it
    in_place: str | None = None
    # "module:func" that updates a file of this format in place (`--sync`): (citations, the
    # file's text, the writer, WriteContext) -> (entries, the new text)
    syncs: str | None = None


# the CV's formats (bibkit.cv.layout's layouts; bibkit.cv.sites: where researchers publish), named
# here so the CLI offers them without loading the CV code
CV_LAYOUTS = ("markdown", "latex", "html", "text")
CV_SITES = ("jsonresume", "al-folio", "hugo")

# the CV writers' -O keys: the registry holds every format's options without loading its code
CV_OPTIONS: dict[str, tuple[str, ...]] = {
    "group_by": ("year", "kind", "venue", "none"), "numbering": ("desc", "asc", "none"),
    "highlight": (), "since": (), "until": (), "kinds": (), "exclude": (), "only": (),
    "links": ("yes", "no"), "csl": (), "standalone": ("yes", "no"),
    "exclude_unconfirmed": ("yes", "no"), "selected": (),
    "style": ("plain", "unsrt", "alpha", "unsrtalpha"),  # pybtex's styles (bibkit.cv.styles)
    "template": (), "hugo_admin": (),
}

BUILTINS: tuple[FormatSpec, ...] = (
    FormatSpec(
        name="listing",
        summary="scholarfeed.org author page copied as text",
        suffixes=(".txt",),
        reader="bibkit.formats.readers.listing:READER",
        aliases=("txt", "scholarfeed"),
        sniff="bibkit.formats.sniff:looks_like_listing",
    ),
    FormatSpec(
        name="bibtex",
        summary="BibTeX (.bib) for bibtex and natbib styles",
        suffixes=(".bib",),
        reader="bibkit.formats.readers.bibtex:READER",
        writer="bibkit.formats.writers.bibtex:write",
        syncs="bibkit.sync:sync_bib",
        aliases=("bib",),
        sniff="bibkit.formats.readers.bibtex:looks_like_bibtex",
    ),
    FormatSpec(
        name="biblatex",
        summary="BibLaTeX (.bib) for biber and biblatex styles",
        suffixes=(".bib",),  # .bib reads and writes as bibtex, the first with the suffix
        reader="bibkit.formats.readers.bibtex:READER",
        writer="bibkit.formats.writers.biblatex:write",
        syncs="bibkit.sync:sync_bib",
    ),
    FormatSpec(
        name="csljson",
        summary="CSL-JSON for Zotero, pandoc, citation.js and CSL processors",
        suffixes=(".json",),
        reader="bibkit.formats.readers.csljson:READER",
        aliases=("json", "csl", "csl-json"),
        writer="bibkit.formats.writers.csljson:write",
        sniff="bibkit.formats.readers.csljson:looks_like_csljson",
        syncs="bibkit.sync:sync_csljson",
        # names=zotero: particle in the family name and suffix after a comma in the given
        # name, the two parts Zotero's import reads (names.zotero_parts)
        options={"names": ("csl", "zotero")},
    ),
    FormatSpec(
        name="ris",
        summary="RIS for EndNote, Zotero, Mendeley and reference managers",
        suffixes=(".ris",),
        reader="bibkit.formats.readers.ris:READER",
        writer="bibkit.formats.writers.ris:write",
        sniff="bibkit.formats.readers.ris:looks_like_ris",
        options={"ris_type": ("GEN", "UNPB", "JOUR")},  # the type of a preprint
    ),
    *(
        FormatSpec(
            name=f"cv-{fmt}",
            summary=f"CV publications section: {what} (as `bibkit cv --format {fmt}`)",
            suffixes=suffixes,
            writer=f"bibkit.cv.layout:write_{fmt}",
            options=CV_OPTIONS,
            aliases=aliases,
        )
        for fmt, what, suffixes, aliases in (
            ("markdown", "Markdown", (".md",), ("md", "markdown")),
            ("latex", "LaTeX fragment", (".tex",), ("tex", "latex")),
            ("html", "an HTML page with a chart", (".html", ".htm"), ("html",)),
            ("text", "plain text", (".txt",), ("txt", "text")),
        )
    ),
    *(  # where researchers publish (bibkit.cv.sites); .json and .bib keep naming csljson and
        # bibtex, listed first, unless the format is named
        FormatSpec(name=f"cv-{name}", summary=summary, suffixes=suffixes,
                   writer=f"bibkit.cv.sites:{function}", options=CV_OPTIONS, aliases=aliases,
                   in_place="bibkit.cv.sites:holds_more_than_publications"
                   if name == "jsonresume" else None,
                   syncs="bibkit.sync:sync_bib" if name == "al-folio" else None)
        for name, summary, suffixes, function, aliases in (
            ("jsonresume", "CV publications as a JSON Resume document (schema 1.3.1)",
             (".json",), "write_jsonresume", ("jsonresume", "json-resume")),
            ("al-folio", "CV publications as the Jekyll al-folio theme's "
             "_bibliography/papers.bib", (".bib",), "write_alfolio", ("al-folio", "alfolio")),
        )
    ),
    FormatSpec(
        name="cv-hugo",
        summary="CV publications as Hugo Blox (Academic) pages: a folder per paper (-o DIR)",
        writer="bibkit.cv.sites:write_hugo",
        options=CV_OPTIONS,
        aliases=("hugo", "hugo-blox"),
        directory=True,
    ),
    FormatSpec(
        name="mods",
        summary="MODS 3.7 XML for library systems (bibutils, Zotero)",
        suffixes=(".xml", ".mods"),
        reader="bibkit.formats.readers.mods:READER",
        writer="bibkit.formats.writers.mods:write",
        sniff="bibkit.formats.readers.mods:looks_like_mods",
        aliases=("xml",),
        options={"names": ("mods", "zotero")},  # as for csljson
    ),
)


class UnknownFormat(KeyError):
    def __init__(self, name: str, role: str) -> None:
        super().__init__(name)
        self.name, self.role = name, role

    def __str__(self) -> str:
        names = ", ".join(
            s.name for s in formats().values() if (s.reader if self.role == "read" else s.writer)
        )
        return f"unknown {self.role} format {self.name!r} (known: {names})"


_runtime: dict[str, FormatSpec] = {}


def register(spec: FormatSpec) -> None:
    """Register a format at run time (tests, embedding applications); wins over plugins."""
    _runtime[spec.name] = spec
    _table.cache_clear()


def entry_points(group: str) -> Any:
    """The installed plugins' entry points; importlib.metadata is imported only here."""
    from importlib import metadata

    return metadata.entry_points(group=group)


def formats() -> dict[str, FormatSpec]:
    """All formats by name: built-ins, then plugins, then runtime registrations."""
    return _table(True)


@cache
def _table(plugins: bool) -> dict[str, FormatSpec]:
    """The formats without plugins (plugins=False) answer most look-ups: a built-in or
    registered name, or a built-in's suffix, is found before any plugin in the full table,
    so finding it there is final. Plugins are looked for only when needed, because
    importlib.metadata costs a quarter of bibkit's start-up."""
    table = {spec.name: spec for spec in BUILTINS}
    if not plugins:
        table.update(_runtime)
        return table
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        try:
            spec = ep.load()
            if not isinstance(spec, FormatSpec):
                raise TypeError(f"{ep.value} is not a bibkit FormatSpec")
        except Exception as exc:  # a broken plugin must not break bibkit
            warnings.warn(f"bibkit: format plugin {ep.name!r} skipped: {exc}", stacklevel=2)
            continue
        table.setdefault(spec.name, spec)
    table.update(_runtime)
    return table


def load_target(target: str) -> Callable[..., Any]:
    module, _, attr = target.partition(":")
    return getattr(importlib.import_module(module), attr)


def get(name: str, role: str) -> FormatSpec:
    """The format a user names for reading or writing: its name or an alias, in any case
    (`BibTeX`, `bib`, `json`; `txt` reads a listing and writes a plain-text CV)."""
    key = name.strip().lower()
    known = _table(False).get(key)
    if known is not None and (known.reader if role == "read" else known.writer):
        return known  # an exact name: no plugin comes before it
    table = formats()
    candidates = [table[key]] if key in table else []
    candidates += [s for s in table.values() if key in s.aliases]
    for spec in candidates:
        if spec.reader if role == "read" else spec.writer:
            return spec
    raise UnknownFormat(name, role)


def reader(name: str) -> Callable[..., Any]:
    return load_target(get(name, "read").reader or "")


def writer(name: str) -> Callable[..., Any]:
    return load_target(get(name, "write").writer or "")


def by_suffix(filename: str, role: str) -> FormatSpec | None:
    lower = filename.lower()

    def claims(spec: FormatSpec) -> bool:
        return bool(spec.reader if role == "read" else spec.writer) and any(
            lower.endswith(s) for s in spec.suffixes)

    # the full table starts with the built-ins (as registered): a claim there is final
    builtins = list(_table(False).values())[: len(BUILTINS)]
    return (next((s for s in builtins if claims(s)), None)
            or next((s for s in formats().values() if claims(s)), None))


def sniff(head: str) -> list[str]:
    """Names of the readable formats whose sniffer accepts this start of the input."""
    return [
        spec.name
        for spec in formats().values()
        if spec.reader and spec.sniff and load_target(spec.sniff)(head)
    ]
