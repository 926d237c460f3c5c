"""The one pipeline every entry point runs: read -> infer -> merge -> settle -> keys ->
duplicates -> enrich -> settle -> select -> transforms -> write. `bibkit convert`, `bibkit
cv`, `bibkit check`, `bibkit.convert` and `bibkit.load` are this function with different
stages switched on (`stages` is the list, by name); the CLI only parses options and prints.

Stages are generators, so a conversion holds one entry at a time; enrichment, which asks the
services in batches, is the one stage that takes the whole list. Readers only find records
and read them (`readers.RecordReader` counts every block and guards each record, the same
for every format); inference is a stage here, the same for every reader.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .formats import registry
from .infer.keys import assign_keys, key_maker
from .infer.rules import settle_status
from .io.files import Output, UsageError, open_input, same_file, text_input
from .model.citation import Citation, Profile
from .model.context import ReadContext, WriteContext
from .model.diagnostics import Diagnostic, Diagnostics, Severity
from .reading import input_format, iter_citations, read_checked

if TYPE_CHECKING:  # loaded only when a run enriches: start-up stays lean
    from .enrich.session import EnrichOutcome, EnrichSettings, Progress


def output_format(output: str | None, explicit: str | None) -> str:
    """The format asked for, else the target's suffix, else BibTeX (a target without a
    suffix). A suffix no writer claims, with no format asked for, is a usage error."""
    if explicit:
        return registry.get(explicit, "write").name
    spec = registry.by_suffix(output or "", "write")
    if spec is not None:
        return spec.name
    suffix = _suffix(output)
    if suffix:
        raise UsageError(f"{output}: no format writes {suffix!r} files; name the output format "
                         "(--to, or to= in Python)")
    return "bibtex"


def _suffix(path: str | None) -> str:
    name = os.path.basename(path or "")
    return os.path.splitext(name)[1].lower() if path not in (None, "-") else ""


def check_suffix(path: str | None, fmt: str, diags: Diagnostics) -> None:
    """A target whose suffix another format claims (`-o refs.json --to bibtex`): written as
    asked, and said (BK404), since the next program to open it will go by the suffix."""
    suffix = _suffix(path)
    spec = registry.get(fmt, "write")
    claimed = registry.by_suffix(path or "", "write")
    if suffix and suffix not in spec.suffixes and claimed is not None:
        diags.adopt(Diagnostic(Severity.WARNING, "BK404", f"the suffix {suffix!r} says "
                               f"{claimed.name}, the format asked for is {fmt}; written as "
                               f"{fmt}", file=str(path)))


@dataclass
class Library:
    """What `load` returns: the citations, the listing owner if any, and the diagnostics."""

    citations: list[Citation]
    profile: Profile | None = None
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    name: str = ""  # where it was read from

    def __iter__(self) -> Iterator[Citation]:
        return iter(self.citations)

    def __len__(self) -> int:
        return len(self.citations)

    def __getitem__(self, i: int) -> Citation:
        return self.citations[i]


# --- the whole run ---------------------------------------------------------------------------


@dataclass
class Run:
    """What a run asks for. Only `source` is required; everything else has the CLI's default."""

    source: str  # a path, or "-" for stdin; the name of `citations` or `text` when given
    text: bytes | None = None  # the input itself (the web page's paste), instead of a file
    # citations made elsewhere (`bibkit profile`), instead of reading `source`
    citations: Sequence[Citation] | None = None
    target: str | TextIO | None = None  # a path ("-": stdout), a stream, None: return text
    to: str | None = None  # output format; default: from the target's suffix, else bibtex
    from_: str | None = None
    as_of: dt.date | None = None
    infer: bool = True
    merge: Sequence[Any] = ()  # paths or Libraries to fill entries from (`--merge`)
    enrich: EnrichSettings | None = None
    select: Callable[[Citation], bool] | None = None
    # pure functions of a citation, applied in order after select and before keys
    transforms: Sequence[Callable[[Citation], Citation]] = ()
    dedupe: bool | None = None  # one entry per work; None: for a CV only (`--dedupe`)
    sync: bool = False  # update the target in place, keeping what the writer does not write
    key_pattern: str = "[auth][year][title]"  # keys for new works (infer.keys.KEY_FIELDS)
    dry_run: bool = False  # write nothing; Outcome.text is the diff the run would make
    prune: bool = False  # with sync: entries of the file the run does not have are removed
    unmatched: str = ""  # with sync: why an entry of the file the run lacks is said (BK915)
    charset: str = "pdflatex"  # LaTeX outputs: bibkit.tex.chars.CHARSETS
    abstract: bool = True
    options: dict[str, Any] = field(default_factory=dict)  # writer options (-O key=value)
    strict: bool = False  # warnings fail the run: a target file is then left as it was
    write: bool = True  # False: read and check only (`bibkit check`)


@dataclass
class Outcome:
    """What a run did."""

    entries: int
    input_format: str
    output_format: str | None
    diagnostics: Diagnostics
    context: ReadContext
    enrichment: EnrichOutcome | None = None
    written: bool = False  # the target holds the new output
    text: str | None = None  # the output, when the run had no target
    results: dict[str, Any] = field(default_factory=dict)  # what the writer tells (CV counts)

    def failed(self, strict: bool = False) -> bool:
        return self.diagnostics.failed(strict)


def check_writer_options(fmt: str, options: dict[str, Any]) -> None:
    """Every -O key is one the writer declares, with an allowed value (values given as
    text, as -O gives them; the API may pass typed values)."""
    known = registry.get(fmt, "write").options
    for key, value in options.items():
        if key not in known:
            names = ", ".join(sorted(known)) or "none"
            raise UsageError(f"-O {key}: not an option of the {fmt} writer (its options: {names})")
        if known[key] and isinstance(value, str) and value not in known[key]:
            raise UsageError(f"-O {key}={value}: expected one of {', '.join(known[key])}")


def check_reader_options(fmt: str, options: dict[str, Any]) -> None:
    """A keyword the reader does not declare is refused, not ignored (`load(path, typo=1)`);
    a TypeError, as Python gives for an unknown keyword."""
    known = registry.get(fmt, "read").reader_options
    for key in options:
        if key not in known:
            names = ", ".join(sorted(known)) or "none"
            raise TypeError(f"option {key!r} is not an option of the {fmt} reader (its "
                            f"options: {names})")


def run(spec: Run, diags: Diagnostics | None = None,
        progress: Callable[[Iterator[Citation]], Iterator[Citation]] | None = None,
        enrich_progress: Progress | None = None) -> Outcome:
    """Read, infer, merge, enrich, select, key and write, as `spec` says. Diagnostics go to
    `diags` (give it a sink to see them as they happen); `progress` may wrap the stream of
    citations on its way to the writer (a progress line)."""
    target = spec.target
    path = target if isinstance(target, str) else None
    if path is not None and same_file(spec.source, path):
        raise UsageError(f"{path}: is the input file; choose another output")
    fmt_out = output_format(path, spec.to) if spec.write else None
    existing = None
    if fmt_out is not None:
        check_writer_options(fmt_out, spec.options)
        existing = _file_to_update(fmt_out, path, spec.sync, spec.prune)
    try:
        key_maker(spec.key_pattern)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    # read first (they are small), as of the run's date: a library's "accepted" follows it
    diags = diags if diags is not None else Diagnostics()
    libraries = [_library(m, spec.as_of, diags) for m in spec.merge]
    inp = (text_input(spec.source, spec.text)
           if spec.text is not None else
           open_input(spec.source) if spec.citations is None else None)
    try:
        diags.file = inp.name if inp is not None else spec.source
        ctx = ReadContext(diags, spec.as_of or dt.date.today())
        if inp is not None and inp.blank:  # a file or a pipe alike: said once, no output
            diags.error("BK301", "input is empty")
            return Outcome(0, spec.from_ or "", fmt_out, diags, ctx)
        fmt_in = input_format(inp, spec.from_) if inp is not None else spec.from_ or "given"
        outcome = Outcome(0, fmt_in, fmt_out, diags, ctx)
        if fmt_out is not None and path is not None:
            check_suffix(path, fmt_out, diags)
        stream = (read_checked(inp, fmt_in, ctx, spec.infer, forced=bool(spec.from_))
                  if inp is not None
                  else iter(spec.citations or ()))
        dedupe = _dedupes(spec, fmt_out)
        for _name, stage in stages(spec, ctx, libraries, outcome, enrich_progress, dedupe):
            stream = stage(stream)
        if progress is not None:
            stream = progress(stream)
        if fmt_out is None:
            outcome.entries = sum(1 for _ in stream)
        else:
            _write(stream, fmt_out, spec, outcome, existing)
    finally:
        if inp is not None:
            inp.close()
    return outcome


def _dedupes(spec: Run, fmt_out: str | None) -> bool:
    """One entry per work: asked for, or a CV (the same paper twice is the classic CV bug)."""
    if spec.dedupe is not None:
        return spec.dedupe
    return fmt_out is not None and fmt_out.startswith("cv-")


Stage = Callable[[Iterator[Citation]], Iterator[Citation]]


def stages(spec: Run, ctx: ReadContext, libraries: list[tuple[Any, str]], outcome: Outcome,
           enrich_progress: Progress | None = None, dedupe: bool = False
           ) -> list[tuple[str, Stage]]:
    """What a run does to the citations after reading them, in order, by name: merge (the
    user's libraries, whose keys the works they match take), settle (an "accepted" venue's
    status against the reference date), keys (given before enrichment, which never renames
    a work: `zhu2023combating` stays when a service finds its 2024 venue), enrich (the
    services, in batches: the whole list), settle again, select, the user's transforms, and
    after them keys again (a transform's clash is renamed and said). Before enrichment, the
    same work twice is said (BK204) or, with `dedupe`, kept once. Each stage takes and gives
    a stream."""
    settle: Stage = partial(map, partial(settle_status, as_of=ctx.as_of))
    out: list[tuple[str, Stage]] = []
    if libraries:
        out.append(("merge", partial(_merged, libraries=libraries, diags=ctx.diags)))
        if spec.infer:  # a merged venue's "accepted" follows the date too
            out.append(("settle", settle))
    out.append(("keys", partial(assign_keys, diags=ctx.diags, pattern=spec.key_pattern)))
    if dedupe:
        out.append(("dedupe", partial(_deduped, diags=ctx.diags)))
    else:
        out.append(("duplicates", partial(_duplicates_said, diags=ctx.diags)))
    if spec.enrich is not None:
        settings = spec.enrich

        def enrich(stream: Iterator[Citation]) -> Iterator[Citation]:
            from .enrich.session import enrich_citations

            outcome.enrichment = enrich_citations(list(stream), settings, ctx.diags,
                                                  ctx.profile, enrich_progress)
            return iter(outcome.enrichment.citations)

        out.append(("enrich", enrich))
        if spec.infer:  # a service's "accepted" follows the reference date too
            out.append(("settle", settle))
    if spec.select is not None:
        out.append(("select", partial(filter, spec.select)))
    for transform in spec.transforms:
        out.append((getattr(transform, "__name__", "transform"), partial(map, transform)))
    if spec.transforms:  # a transform may give a key twice: made unique, and said
        out.append(("keys", partial(assign_keys, diags=ctx.diags, pattern=spec.key_pattern)))
    return out


def _duplicates_said(stream: Iterator[Citation], diags: Diagnostics) -> Iterator[Citation]:
    from .enrich.duplicates import report_duplicates

    return report_duplicates(stream, diags)


def _deduped(stream: Iterator[Citation], diags: Diagnostics) -> Iterator[Citation]:
    from .enrich.duplicates import dedupe

    return iter(dedupe(stream, diags))


def _library(source: Any, as_of: dt.date | None, diags: Diagnostics) -> tuple[Any, str]:
    """A --merge library, indexed; the same work twice in it is said (BK204), with its
    file's positions, as in the input."""
    from .enrich.duplicates import report_duplicates
    from .enrich.localbib import LibraryIndex

    lib = source if isinstance(source, Library) else read_library(
        os.fspath(source), ctx=ReadContext(Diagnostics(), as_of or dt.date.today()))
    name = lib.name or "(in memory)"
    for _ in report_duplicates(lib.citations, Diagnostics(name, sink=diags.adopt, keep=False)):
        pass
    return LibraryIndex(lib.citations), name


def read_library(path: str, fmt: str | None = None, ctx: ReadContext | None = None,
                 infer: bool = True) -> Library:
    """A whole input as a Library (`bibkit.load`, `--merge FILE`)."""
    inp = open_input(path)
    try:
        ctx = ctx if ctx is not None else ReadContext(Diagnostics(), dt.date.today())
        ctx.diags.file = inp.name
        fmt = input_format(inp, fmt)
        check_reader_options(fmt, ctx.options)
        citations = list(iter_citations(inp, fmt, ctx, infer=infer))
    finally:
        inp.close()
    return Library(citations, ctx.profile, ctx.diags, inp.name)


def _merged(stream: Iterator[Citation], libraries: list[tuple[Any, str]], diags: Diagnostics
            ) -> Iterator[Citation]:
    if not libraries:
        return stream
    from .enrich.localbib import merge_library

    for index, name in libraries:
        stream = merge_library(stream, index, f"library {name}", diags)
    return stream


def _file_to_update(fmt: str, path: str | None, sync: bool, prune: bool = False
                    ) -> str | None:
    """With `sync`, the text of the file the run updates (None: there is none yet); without
    it, a usage error where `-o` would replace what the writer does not write back (a
    résumé's work and education)."""
    spec = registry.get(fmt, "write")
    here = path is not None and path != "-" and os.path.isfile(path)
    if prune and not (sync and spec.syncs is not None):
        raise UsageError("--prune removes entries of the file --sync updates (a .bib, "
                         "CSL-JSON or al-folio's papers.bib): give --sync FILE")
    if sync:
        if spec.in_place is None and spec.syncs is None and not spec.directory:
            raise UsageError(f"--sync updates a file in place; {fmt} cannot yet (use -o)")
        if path in (None, "-"):
            raise UsageError("--sync needs the file to update")
        return Path(path).read_text(encoding="utf-8") if here else None
    if here and spec.in_place is not None:
        text = Path(path).read_text(encoding="utf-8", errors="replace")  # type: ignore[arg-type]
        if registry.load_target(spec.in_place)(text):
            raise UsageError(f"{path}: holds more than bibkit writes (other sections); "
                             f"--sync {path} updates it and keeps them")
    return None


def _write(stream: Iterator[Citation], fmt: str, spec: Run, outcome: Outcome,
           existing: str | None = None) -> None:
    wctx = WriteContext(outcome.diagnostics, charset=spec.charset, abstract=spec.abstract,
                        options=dict(spec.options), source=outcome.context,
                        results=outcome.results, existing=existing, prune=spec.prune,
                        unmatched=spec.unmatched,
                        target=spec.target if isinstance(spec.target, str) else None,
                        dry_run=spec.dry_run, sync=spec.sync, dedupe=_dedupes(spec, fmt))

    def keep_old(entries: int) -> bool:
        # a file is replaced only by a run that read something (not by one that found
        # nothing but errors), and with --strict only by a run without warnings
        nothing = entries == 0 and outcome.diagnostics.errors > 0
        return nothing or (spec.strict and outcome.failed(True))

    if spec.dry_run:
        outcome.entries, outcome.text = _what_would_change(stream, fmt, spec, wctx)
        return
    syncs = registry.get(fmt, "write").syncs
    if spec.sync and syncs is not None and isinstance(spec.target, str):
        entries, text = _rendered(stream, fmt, spec, wctx)
        with Output(spec.target) as out:
            out.stream.write(text)
            out.keep_old = keep_old(entries)
        outcome.entries, outcome.written = entries, not out.keep_old
        outcome.results.clear()  # a writer's counts from one entry at a time say nothing
        return
    if registry.get(fmt, "write").directory:
        target = spec.target
        if not isinstance(target, str) or target == "-":
            raise UsageError(f"{fmt} writes a directory of files: name it (-o DIR)")
        outcome.entries = registry.writer(fmt)(stream, Path(target), wctx)
        outcome.written = True
        return
    outcome.entries, outcome.text, outcome.written = write_to(
        spec.target, registry.writer(fmt), stream, wctx, keep_old)


def _rendered(stream: Iterator[Citation], fmt: str, spec: Run, wctx: WriteContext
              ) -> tuple[int, str]:
    """(entries, the text the run writes): updated in place with `--sync` where the format
    can (the file's own text kept), else as written anew."""
    syncs = registry.get(fmt, "write").syncs
    if spec.sync and syncs is not None:
        update = registry.load_target(syncs)
        return update(stream, wctx.existing or "", registry.writer(fmt), wctx)
    entries, text, _ = write_to(None, registry.writer(fmt), stream, wctx)
    return entries, text or ""


def _what_would_change(stream: Iterator[Citation], fmt: str, spec: Run, wctx: WriteContext
                       ) -> tuple[int, str]:
    """`--dry-run`: (entries, the unified diff from the target file as it is to what the run
    would write); nothing is written."""
    import difflib

    path = spec.target
    if not isinstance(path, str) or path == "-" or registry.get(fmt, "write").directory:
        raise UsageError("--dry-run shows what a run would change in a file: name it (-o FILE "
                         "or --sync FILE)")
    entries, text = _rendered(stream, fmt, spec, wctx)
    before = Path(path).read_text(encoding="utf-8") if os.path.isfile(path) else ""
    diff = difflib.unified_diff(before.splitlines(keepends=True),
                                (text or "").splitlines(keepends=True),
                                f"{path} (as it is)", f"{path} (as bibkit would write it)")
    return entries, "".join(line if line.endswith("\n") else line + "\n" for line in diff)


def write_to(target: str | TextIO | None, write: Callable[..., int],
             stream: Iterable[Citation], wctx: WriteContext,
             keep_old: Callable[[int], bool] = lambda entries: False
             ) -> tuple[int, str | None, bool]:
    """Run a writer into a target: None (the text is returned), a stream, or a path ("-":
    stdout) written atomically, which `keep_old(entries)` can leave as it was. Returns
    (entries, text or None, whether the target holds the new output)."""
    if target is None:
        buf = io.StringIO(newline="")
        return write(stream, buf, wctx), buf.getvalue(), False
    if not isinstance(target, str):
        return write(stream, target, wctx), None, True
    with Output(target) as out:
        entries = write(stream, out.stream, wctx)
        out.keep_old = out.path is not None and keep_old(entries)
    return entries, None, not out.keep_old
