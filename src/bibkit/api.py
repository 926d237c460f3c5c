"""The Python API: load, loads, dump, convert, enrich_library: the pipeline's entry points
(`pipeline.py`), as the CLI uses them."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from .formats import registry
from .infer.keys import assign_keys
from .io.files import text_input
from .model.citation import Citation
from .model.context import ReadContext, WriteContext
from .model.diagnostics import Diagnostics
from .pipeline import (
    Library,
    Run,
    check_reader_options,
    check_writer_options,
    output_format,
    read_library,
    run,
    write_to,
)
from .reading import input_format, iter_citations

if TYPE_CHECKING:
    from .enrich.session import EnrichSettings

__all__ = ["Library", "convert", "dump", "enrich_library", "input_format", "iter_citations",
           "load", "loads", "output_format"]


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
    infer: bool = True,
    **options: Any,
) -> Library:
    """Read a file ("-" for stdin) into a Library; `infer=False` keeps what the file says
    and infers nothing from its text (venue phrases, arXiv ids in notes).

    >>> lib = load("samples/listing/profile-listing.txt", as_of=dt.date(2026, 11, 27))
    >>> len(lib), lib.profile.name, lib[0].key
    (50, 'Bo Han', 'zhu2023combating')
    """
    ctx = _read_context("", as_of, diagnostics, options)
    return read_library(os.fspath(source), format, ctx, infer=infer)



def loads(
    text: str,
    format: str,
    *,
    as_of: dt.date | None = None,
    diagnostics: Diagnostics | None = None,
    name: str = "<string>",
    infer: bool = True,
    **options: Any,
) -> Library:
    """Read citations from a string in the named format."""
    inp = text_input(name, text.encode("utf-8"))
    ctx = _read_context(name, as_of, diagnostics, options)
    fmt = input_format(inp, format)
    check_reader_options(fmt, options)
    citations = list(iter_citations(inp, fmt, ctx, infer=infer))
    return Library(citations, ctx.profile, ctx.diags, name)


def _charset(name: str) -> str:
    from .tex.chars import CHARSETS

    if name not in CHARSETS:
        raise ValueError(f"charset must be one of {', '.join(CHARSETS)}, not {name!r}")
    return name


def dump(
    citations: Iterable[Citation],
    format: str = "bibtex",
    file: TextIO | str | os.PathLike[str] | None = None,
    *,
    charset: str = "pdflatex",
    abstract: bool = True,
    as_of: dt.date | None = None,
    diagnostics: Diagnostics | None = None,
    **options: Any,
) -> str | None:
    """Write citations in a format: to a text stream, to a path (atomically), or, with no
    file, return the text. Keys are made unique and safe first, as in every run.
    `charset` (LaTeX outputs): "pdflatex" (default), "ascii" or "utf8", see bibkit.tex.chars.
    A Library keeps its owner: a CV highlights the listing's owner as `convert` does."""
    registry.get(format, "write")
    check_writer_options(format, options)
    diags = diagnostics if diagnostics is not None else Diagnostics()
    # a Library brings its owner (the listing's profile) and the date it was read as of
    source = ReadContext(diags, as_of or dt.date.today(), profile=citations.profile) \
        if isinstance(citations, Library) else None
    ctx = WriteContext(diags, charset=_charset(charset), abstract=abstract, options=options,
                       source=source)
    target = os.fspath(file) if isinstance(file, str | os.PathLike) else file
    _, text, _ = write_to(target, registry.writer(format), assign_keys(citations, diags), ctx)
    return text


def convert(
    source: str | os.PathLike[str],
    target: str | os.PathLike[str] | TextIO | None = None,
    to: str | None = None,
    *,
    from_: str | None = None,
    as_of: dt.date | None = None,
    charset: str = "pdflatex",
    abstract: bool = True,
    infer: bool = True,
    merge: Sequence[str | os.PathLike[str] | Library] = (),
    enrich: Iterable[str] | EnrichSettings | None = None,
    select: Callable[[Citation], bool] | None = None,
    transforms: Sequence[Callable[[Citation], Citation]] = (),
    key_pattern: str = "[auth][year][title]",
    sync: bool = False,
    strict: bool = False,
    diagnostics: Diagnostics | None = None,
    **options: Any,
) -> str | None:
    """Read `source` and write it in format `to` (default: from the target's suffix, else
    BibTeX); returns the text when there is no target. Everything `bibkit convert` does:
    `merge` libraries, `enrich` from services (names such as ["arxiv", "dblp"], or
    EnrichSettings), `select` entries, `transforms` (pure functions of a citation, applied
    after select and before keys), `key_pattern` for new works' keys, `sync` (update the
    target file in place: a .bib or a JSON Resume), writer `options`; `strict` leaves an
    existing target untouched when there are warnings. Diagnostics are collected in
    `diagnostics`.

    >>> text = convert("samples/listing/profile-listing.txt", to="ris",
    ...                as_of=dt.date(2026, 11, 27))
    >>> text.splitlines()[:2]
    ['TY  - GEN', 'ID  - zhu2023combating']
    """
    if enrich is not None:
        from .enrich.session import EnrichSettings as Settings

        if not isinstance(enrich, Settings):
            enrich = Settings(services=list(enrich))
    spec = Run(
        source=os.fspath(source),
        target=target if target is None or not isinstance(target, str | os.PathLike)
        else os.fspath(target),
        to=to, from_=from_, as_of=as_of, infer=infer, merge=tuple(merge), enrich=enrich,
        select=select, transforms=tuple(transforms), key_pattern=key_pattern, sync=sync,
        charset=_charset(charset),
        abstract=abstract, options=options, strict=strict,
    )
    return run(spec, diagnostics).text


def enrich_library(
    library: Library | Iterable[Citation],
    services: Iterable[str] = ("arxiv", "dblp", "s2"),
    *,
    offline: bool = False,
    cache_dir: str | os.PathLike[str] | None = None,
    endpoints: dict[str, str] | None = None,
    prefer_remote: bool = False,
    owner: Iterable[str] = (),
    owner_ids: dict[str, str] | None = None,
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
                              owner=tuple(owner), owner_ids=dict(owner_ids or {}))
    outcome = enrich_citations(list(library), settings, diags, profile)
    return Library(outcome.citations, profile, diags)
