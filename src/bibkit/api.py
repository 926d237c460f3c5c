"""The Python API: load, loads, dump, convert. The CLI is a thin layer over these."""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, TextIO

from . import registry
from .context import ReadContext, WriteContext
from .diagnostics import Diagnostics
from .fileio import Input, Output, UsageError, open_input
from .keys import assign_keys
from .model import Citation, Profile


@dataclass
class Library:
    """What `load` returns: the citations, the listing owner if any, and the diagnostics."""

    citations: list[Citation]
    profile: Profile | None = None
    diagnostics: Diagnostics = field(default_factory=Diagnostics)

    def __iter__(self) -> Iterator[Citation]:
        return iter(self.citations)

    def __len__(self) -> int:
        return len(self.citations)

    def __getitem__(self, i: int) -> Citation:
        return self.citations[i]


def input_format(inp: Input, explicit: str | None) -> str:
    """--from beats the file suffix beats sniffing the content."""
    if explicit:
        registry.get(explicit, "read")
        return explicit
    spec = registry.by_suffix(inp.name, "read")
    if spec is not None:
        return spec.name
    found = registry.sniff(inp.head)
    if len(found) == 1:
        return found[0]
    if not found:
        readable = ", ".join(n for n, s in registry.formats().items() if s.reader)
        raise UsageError(
            f"{inp.name}: cannot tell the input format; name it with --from ({readable})"
        )
    raise UsageError(f"{inp.name}: the input could be {' or '.join(found)}; name it with --from")


def output_format(output: str | None, explicit: str | None) -> str:
    """--to, else the -o suffix, else BibTeX."""
    if explicit:
        registry.get(explicit, "write")
        return explicit
    spec = registry.by_suffix(output or "", "write")
    return spec.name if spec else "bibtex"


def iter_citations(inp: Input, fmt: str, ctx: ReadContext) -> Iterator[Citation]:
    """Citations of an input, inferred and keyed, one at a time."""
    read = registry.reader(fmt)
    return assign_keys(read(inp.lines(ctx.diags), ctx), ctx.diags)


def _read_context(
    name: str, as_of: dt.date | None, diags: Diagnostics | None, options: dict[str, Any] | None
) -> ReadContext:
    diags = diags if diags is not None else Diagnostics()
    diags.file = name
    return ReadContext(diags, as_of or dt.date.today(), dict(options or {}))


def load(
    source: str | os.PathLike[str],
    format: str | None = None,
    *,
    as_of: dt.date | None = None,
    diagnostics: Diagnostics | None = None,
    **options: Any,
) -> Library:
    """Read a file ("-" for stdin) into a Library.

    >>> lib = load("samples/listing/profile-listing.txt", as_of=dt.date(2026, 11, 27))
    >>> len(lib), lib.profile.name, lib[0].key
    (50, 'Bo Han', 'zhu2023combating')
    """
    inp = open_input(os.fspath(source))
    try:
        ctx = _read_context(inp.name, as_of, diagnostics, options)
        citations = list(iter_citations(inp, input_format(inp, format), ctx))
    finally:
        inp.close()
    return Library(citations, ctx.profile, ctx.diags)


def loads(
    text: str,
    format: str,
    *,
    as_of: dt.date | None = None,
    diagnostics: Diagnostics | None = None,
    name: str = "<string>",
    **options: Any,
) -> Library:
    """Read citations from a string in the named format."""
    raw = io.BufferedReader(io.BytesIO(text.encode("utf-8")))
    inp = Input(name, raw, None)
    ctx = _read_context(name, as_of, diagnostics, options)
    citations = list(iter_citations(inp, input_format(inp, format), ctx))
    return Library(citations, ctx.profile, ctx.diags)


def write_citations(citations: Iterable[Citation], fmt: str, out: TextIO, ctx: WriteContext) -> int:
    return registry.writer(fmt)(citations, out, ctx)


def dump(
    citations: Iterable[Citation],
    format: str = "bibtex",
    file: TextIO | str | os.PathLike[str] | None = None,
    *,
    ascii: bool = False,
    abstract: bool = True,
    diagnostics: Diagnostics | None = None,
    **options: Any,
) -> str | None:
    """Write citations in a format: to a text stream, to a path (atomically), or, with no
    file, return the text."""
    ctx = WriteContext(
        diagnostics if diagnostics is not None else Diagnostics(),
        ascii=ascii,
        abstract=abstract,
        options=options,
    )
    if file is None:
        buf = io.StringIO(newline="")
        write_citations(citations, format, buf, ctx)
        return buf.getvalue()
    if isinstance(file, str | os.PathLike):
        out = Output(os.fspath(file))
        try:
            write_citations(citations, format, out.stream, ctx)
        except BaseException:
            out.discard()
            raise
        out.commit()
        return None
    write_citations(citations, format, file, ctx)
    return None


def convert(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str] | None = None,
    to: str | None = None,
    *,
    from_: str | None = None,
    as_of: dt.date | None = None,
    ascii: bool = False,
    abstract: bool = True,
) -> str | None:
    """Read `source` and write it in format `to` (default: from the target's suffix, else
    BibTeX); returns the text when there is no target."""
    lib = load(source, from_, as_of=as_of)
    path = None if target is None else os.fspath(target)
    return dump(lib.citations, output_format(path, to), path, ascii=ascii, abstract=abstract)


def enrich_library(
    library: Library | Iterable[Citation],
    services: Iterable[str] = ("arxiv", "dblp", "s2"),
    *,
    offline: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
    endpoints: dict[str, str] | None = None,
    prefer_remote: bool = False,
    owner: Iterable[str] = (),
    diagnostics: Diagnostics | None = None,
) -> Library:
    """Fill citations from online services (see `bibkit enrich`); returns a new Library
    whose `diagnostics` say what was filled, what was not applied and what failed.

    >>> lib = bibkit.enrich_library(bibkit.load("listing.txt"), ["arxiv", "dblp"])  # doctest: +SKIP
    """
    from .enrich.session import EnrichSettings, enrich_citations

    profile = library.profile if isinstance(library, Library) else None
    diags = diagnostics if diagnostics is not None else Diagnostics()
    settings = EnrichSettings(services=list(services), offline=offline,
                              cache_dir=None if cache_dir is None else os.fspath(cache_dir),
                              endpoints=dict(endpoints or {}), prefer_remote=prefer_remote,
                              owner=tuple(owner))
    outcome = enrich_citations(list(library), settings, diags, profile)
    return Library(outcome.citations, profile, diags)
