"""The `bibkit` command line: a thin click layer over bibkit.api.

Exit codes: 0 success (warnings allowed), 1 errors in the input (or warnings with --strict),
2 usage errors (bad option, unknown format, missing file). No traceback reaches the user.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from . import pipeline
from .api import Library, load
from .data import FormatDataError
from .enrich.services import ALIASES, DEFAULT_SERVICES, EnrichError, service_names
from .formats import registry
from .io.files import InputError, Output, UsageError
from .model.citation import Citation
from .model.context import ReadContext
from .model.diagnostics import Diagnostic, Diagnostics, Severity, printable
from .pipeline import Outcome, Run
from .version import __version__

if TYPE_CHECKING:  # the enrich modules load only when a run enriches
    from .enrich.session import EnrichOutcome, EnrichSettings

EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2


def _complete_formats(role: str, incomplete: str) -> list[str]:
    """Shell completion of --from/--to: the formats that can be read or written."""
    return [name for name, spec in registry.formats().items()
            if (spec.reader if role == "read" else spec.writer) and name.startswith(incomplete)]


class _IsoDate(click.ParamType):
    """A YYYY-MM-DD date (click.DateTime would load strptime's regexes at every start)."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.date):
            return value
        try:
            return dt.date.fromisoformat(str(value).strip())
        except ValueError:
            self.fail(f"{value!r} is not a date of the form YYYY-MM-DD", param, ctx)


def _parse_options(pairs: tuple[str, ...]) -> dict[str, str]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"-O takes key=value, not {pair!r}")
        options[key.strip()] = value.strip()
    return options


class _Printer:
    """Prints diagnostics to stderr as they happen; notes (info) only with --verbose."""

    def __init__(self, verbose: bool, quiet: bool) -> None:
        self.min = Severity.INFO if verbose else Severity.WARNING
        self.quiet = quiet

    def __call__(self, d: Diagnostic) -> None:
        if not self.quiet and d.severity >= self.min:
            _progress_clear()
            _say(d.format())


_progress_shown = False
_clock = time.monotonic  # a name of our own, so tests can move time for the progress line only


def _progress_clear() -> None:
    global _progress_shown
    if _progress_shown:
        click.echo("\r\033[K", err=True, nl=False)
        _progress_shown = False


def _with_progress(citations: Iterable[Citation], enabled: bool) -> Iterator[Citation]:
    """Count entries on stderr when the run lasts over a second and stderr is a terminal."""
    global _progress_shown
    if not enabled:
        yield from citations
        return
    start = last = _clock()
    for n, c in enumerate(citations, 1):
        yield c
        if n % 500 == 0:
            now = _clock()
            if now - start > 1.0 and now - last > 0.25:
                click.echo(f"\r  {n:,} entries …", err=True, nl=False)
                _progress_shown = True
                last = now
    _progress_clear()


def _say(message: str) -> None:
    """A line to stderr; user text in it (a title, a key, a file name) cannot move the
    cursor or clear the screen: control characters are shown as escapes."""
    click.echo(printable(message), err=True)


def _count(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


def _summary(diags: Diagnostics, entries: int, verb: str, ctx: ReadContext) -> str:
    c = diags.counts
    parts = [f"{_count(entries, 'entry', 'entries')} {verb}"]
    if ctx.profile and ctx.profile.name:
        parts[0] += f" (profile: {ctx.profile.name})"
    parts.append(
        ", ".join(
            [
                _count(c[Severity.ERROR], "error"),
                _count(c[Severity.WARNING], "warning"),
                _count(c[Severity.INFO], "note"),
            ]
        )
    )
    return "bibkit: " + "; ".join(parts)


def _report_json(data: dict[str, Any]) -> str:
    import json  # only a run that reports loads it: start-up stays lean

    return json.dumps(data, indent=2, ensure_ascii=False)


def _write_report(path: str, data: dict[str, Any]) -> None:
    with Output(path, newline="\n") as out:
        out.stream.write(_report_json(data) + "\n")


def _report(
    input_name: str,
    fmt_in: str,
    fmt_out: str | None,
    entries: int,
    diags: Diagnostics,
    ctx: ReadContext,
    strict: bool,
) -> dict[str, Any]:
    return {
        "input": input_name,
        "from": fmt_in,
        "to": fmt_out,
        "entries": entries,
        "blocks": ctx.blocks,
        "profile": None
        if ctx.profile is None
        else {
            "name": ctx.profile.name,
            "primary_class": ctx.profile.primary_class,
            "stated_count": ctx.profile.stated_count,
        },
        "errors": diags.errors,
        "warnings": diags.warnings,
        "ok": not diags.failed(strict),
        "diagnostics": [d.to_json() for d in diags],
    }


def _run(fn: Any) -> None:
    """Turn every failure into a one-line message and an exit code."""
    try:
        fn()
    except UsageError as exc:
        _say(f"bibkit: error: {exc}")
        sys.exit(EXIT_USAGE)
    except registry.UnknownFormat as exc:
        _say(f"bibkit: error: {exc}")
        sys.exit(EXIT_USAGE)
    except InputError as exc:
        _say(f"bibkit: error: {exc}")
        sys.exit(exc.exit_code)
    except FormatDataError as exc:
        _say(f"bibkit: internal data error: {exc}")
        sys.exit(EXIT_ERRORS)
    except BrokenPipeError:
        # the reader of our stdout went away (`| head`): stop quietly, as shell tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(141)
    except KeyboardInterrupt:
        _say("bibkit: interrupted; no output file was changed")
        sys.exit(130)
    except OSError as exc:
        _say(f"bibkit: error: {exc.filename or 'output'}: {exc.strerror or exc}")
        sys.exit(EXIT_ERRORS)


_common = [
    click.option(
        "--from",
        "from_",
        metavar="FORMAT",
        shell_complete=lambda ctx, param, incomplete: _complete_formats("read", incomplete),
        help="Input format (default: from the file suffix, else from the content).",
    ),
    click.option(
        "--as-of",
        type=_IsoDate(),
        metavar="YYYY-MM-DD",
        help="Reference date for yearless listing dates (default: today).",
    ),
    click.option("--no-infer", is_flag=True,
                 help="Infer nothing from the text (venue phrases such as 'Accepted at ICLR "
                 "2023', arXiv ids in notes): keep what the input's fields say."),
    click.option("--strict", is_flag=True, help="Exit 1 on warnings too."),
    click.option(
        "--report",
        type=click.Path(dir_okay=False),
        metavar="FILE.json",
        help="Write every diagnostic and a summary as JSON.",
    ),
    click.option("-v", "--verbose", is_flag=True, help="Also print notes (info diagnostics)."),
    click.option(
        "-q",
        "--quiet",
        is_flag=True,
        help="No diagnostics or summary (what stops a run is still said).",
    ),
]


def common_options(fn: Any) -> Any:
    for option in reversed(_common):
        fn = option(fn)
    return fn


_enrich_common = [
    click.option("--offline", is_flag=True,
                 help="Answer lookups from the cache only; make no request."),
    click.option("--refresh", is_flag=True, help="Ask the services again even when cached."),
    click.option("--no-cache", is_flag=True, help="Neither read nor write the cache."),
    click.option("--cache-dir", metavar="DIR", envvar="BIBKIT_CACHE_DIR",
                 help="Where the cache lives (default: the user cache dir; env "
                 "BIBKIT_CACHE_DIR)."),
    click.option("--endpoint", "endpoints", multiple=True, metavar="SERVICE=URL",
                 help="Use another address for a service (a mirror, a test server); "
                 "repeatable. Env: BIBKIT_ARXIV_URL, BIBKIT_DBLP_URL, BIBKIT_CROSSREF_URL, "
                 "BIBKIT_S2_URL."),
    click.option("--prefer", type=click.Choice(["local", "remote"]), default="local",
                 show_default=True,
                 help="remote: a service's value replaces one the entry already has (from "
                 "the input or --merge); local: services only fill what is missing."),
    click.option("--owner", "owner", multiple=True, metavar="NAME",
                 help="The profile owner, checked against complete author lists (default: "
                 "the listing's owner)."),
    click.option("--owner-id", "owner_ids", multiple=True, metavar="SERVICE:ID",
                 help="The owner's person id at a service (dblp:h/BoHan3, s2:1737000); an "
                 "author of the owner's name with another id is a namesake. Default: the id "
                 "most entries give the owner's name. Repeatable."),
    click.option("--timeout", type=click.FloatRange(min=0.1), default=20.0, show_default=True,
                 metavar="SECONDS", help="Give up on a request when no byte came for this "
                 "long, or the whole answer not in three times as long (it is retried)."),
]


def _sync_option(fn: Any) -> Any:
    fn = click.option(
        "--prune", is_flag=True,
        help="With --sync on a .bib: remove the entries the run does not have (each is said).",
    )(fn)
    fn = click.option(
        "--dry-run", is_flag=True,
        help="Write nothing: print the unified diff the run would make to the -o or --sync "
        "file.",
    )(fn)
    return click.option(
        "--sync", metavar="FILE",
        help="Update FILE in place instead of replacing it (instead of -o): a .bib keeps its "
        "comments, @strings, order, keys and values, takes what its entries lack and gets "
        "new works appended; a JSON Resume keeps every section but its publications.",
    )(fn)


def _target(output: str | None, sync: str | None) -> tuple[str, bool]:
    """(where to write, whether to update it in place) from -o and --sync."""
    if output and sync:
        raise UsageError("-o and --sync both name the output; give one")
    return (sync, True) if sync else (output or "-", False)


def _key_pattern_option(fn: Any) -> Any:
    return click.option(
        "--key-pattern", default="[auth][year][title]", show_default=True, metavar="PATTERN",
        help="Keys for new works (a key the input or a --merge library gives is kept): "
        "[auth] [Auth] [authors] [year] [shortyear] [title] [shorttitle] [venue] and text, "
        "e.g. '[Auth]:[year]:[venue]'.",
    )(fn)


def _dedupe_option(fn: Any) -> Any:
    return click.option(
        "--dedupe", is_flag=True,
        help="One entry per work: a paper given twice (overlapping pastes, a preprint beside "
        "its published version) is kept once, the cited version with both identifiers, under "
        "the key it had first. Without it each pair is reported (BK204); a CV always does.",
    )(fn)


def enrich_options(fn: Any) -> Any:
    for option in reversed(_enrich_common):
        fn = option(fn)
    return fn


def _enrich_settings(services: str | None, kw: dict[str, Any]) -> EnrichSettings | None:
    """The settings for --enrich and its companions, or None when nothing is to be enriched."""
    _exclusive(offline=kw.get("offline"), refresh=kw.get("refresh"))
    if not services:
        for flag in ("offline", "refresh", "no_cache"):
            if kw.get(flag):
                raise UsageError(f"--{flag.replace('_', '-')} needs --enrich SERVICES")
        return None
    try:
        names = service_names(services)
    except EnrichError as exc:
        raise UsageError(f"--enrich: {exc}") from None
    endpoints = {}
    for pair in kw.get("endpoints", ()):
        name, sep, url = pair.partition("=")
        if not sep or not url.startswith(("http://", "https://")):
            raise UsageError(f"--endpoint takes SERVICE=http(s)://..., not {pair!r}")
        endpoints[name.strip()] = url.strip()
    from .enrich.session import EnrichSettings

    return EnrichSettings(
        services=names, offline=kw.get("offline", False), refresh=kw.get("refresh", False),
        use_cache=not kw.get("no_cache", False), cache_dir=kw.get("cache_dir"),
        endpoints=endpoints, prefer_remote=kw.get("prefer") == "remote",
        owner=tuple(o for o in kw.get("owner", ()) if o.strip()),
        owner_ids=_owner_ids(kw.get("owner_ids", ())),
        timeout=kw.get("timeout", 20.0),
    )


def _owner_ids(pairs: Sequence[str]) -> dict[str, str]:
    out = {}
    for pair in pairs:
        service, sep, ident = pair.partition(":")
        service = ALIASES.get(service.strip().lower(), service.strip().lower())
        if not sep or not ident.strip() or service not in ("dblp", "s2"):
            raise UsageError(f"--owner-id takes dblp:ID or s2:ID, not {pair!r}")
        out[service] = ident.strip()
    return out


def _enrich_progress(tty: bool) -> Callable[[str, int, int, int, str], None]:
    """The enrichment progress line: on a terminal, once a run lasts over a second; it says
    what is being waited for ("DBLP: ... waiting 5 s (rate limit)")."""
    start = _clock()

    def progress(label: str, done: int, total: int, answers: int, waiting: str) -> None:
        global _progress_shown
        if tty and _clock() - start > 1.0:
            click.echo(f"\r\033[K  {label}: {done}/{total} entries looked up, {answers} "
                       f"{'answer' if answers == 1 else 'answers'}"
                       f"{'; ' + waiting if waiting else ''} …", err=True, nl=False)
            _progress_shown = True

    return progress


def _enrich_summary(outcome: EnrichOutcome, settings: EnrichSettings) -> str:
    s = outcome.summary
    return (f"bibkit: enriched with {', '.join(settings.services)}: {s['changed']} of "
            f"{s['entries']} entries changed; {s['author_lists_completed']} author lists "
            f"completed, {s['published_versions']} published versions, "
            f"{s['arxiv_ids_found']} arXiv ids, {s['dois_found']} DOIs; "
            f"{s.get('http_requests', 0)} requests, {s.get('http_cache_hits', 0)} from the "
            "cache")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="bibkit")
def main() -> None:
    """Turn publication listings into clean citations; convert between citation formats.

    \b
    Examples:
      bibkit convert listing.txt --to bibtex -o refs.bib
      bibkit convert listing.txt --to biblatex --as-of 2026-11-27
      cat listing.txt | bibkit convert - --from listing --to bibtex
      bibkit check listing.txt --strict
      bibkit cv listing.txt --format html -o publications.html
      bibkit formats
    """
    if sys.stderr is None:
        # started with stderr closed (2>&-): the messages have nowhere to go, the run and
        # its exit code still do (stdout closed is said when output is written there)
        sys.stderr = open(os.devnull, "w")  # noqa: SIM115 - for the life of the process


@main.command(short_help="Convert INPUT to another format.")
@click.argument("input", metavar="INPUT")
@click.option(
    "--to",
    "to",
    metavar="FORMAT",
    shell_complete=lambda ctx, param, incomplete: _complete_formats("write", incomplete),
    help="Output format (default: from the -o suffix, else bibtex). See `bibkit formats`.",
)
@click.option("-o", "--output", metavar="FILE", help="Write here (atomically) instead of stdout.")
@click.option(
    "--ascii",
    "ascii_",
    is_flag=True,
    help="LaTeX outputs: every non-ASCII character as a LaTeX command.",
)
@click.option(
    "--utf8",
    is_flag=True,
    help="LaTeX outputs: keep every character as it is (XeLaTeX, LuaLaTeX). The default "
    "writes what pdflatex cannot typeset as LaTeX commands.",
)
@click.option("--no-abstract", is_flag=True, help="Leave abstracts out.")
@click.option(
    "--merge",
    "merge_files",
    multiple=True,
    metavar="FILE",
    help="Fill entries from your own library (any format bibkit reads): full author lists, "
    "venues, DOIs. Repeatable; offline.",
)
@click.option(
    "--enrich",
    "services",
    metavar="SERVICES",
    help="Fill entries from online services, in this order: arxiv, dblp, crossref, s2 "
    "(Semantic Scholar), or all. Comma-separated; cached.",
)
@click.option(
    "-O",
    "--option",
    "options",
    multiple=True,
    metavar="KEY=VALUE",
    help="A writer-specific option; repeatable.",
)
@_dedupe_option
@_sync_option
@_key_pattern_option
@enrich_options
@common_options
def convert(
    input: str,
    to: str | None,
    output: str | None,
    ascii_: bool,
    utf8: bool,
    no_abstract: bool,
    options: tuple[str, ...],
    from_: str | None,
    as_of: dt.date | None,
    no_infer: bool,
    strict: bool,
    report: str | None,
    verbose: bool,
    quiet: bool,
    merge_files: tuple[str, ...] = (),
    services: str | None = None,
    dedupe: bool = False,
    sync: str | None = None,
    dry_run: bool = False,
    prune: bool = False,
    key_pattern: str = "[auth][year][title]",
    **enrich_kw: Any,
) -> None:
    """Convert INPUT (a file, or - for stdin) to another format.

    Every input block becomes an entry or a diagnostic printed to stderr as
    `file:line: severity[CODE] message`. With -o the file is replaced only when the
    conversion finished (and, with --strict, only when it produced no warning).
    """

    def run() -> None:
        _exclusive(quiet=quiet, verbose=verbose)
        _exclusive(ascii=ascii_, utf8=utf8)
        diags = _diagnostics(verbose, quiet, report)
        target, in_place = _target(output, sync)
        spec = Run(
            source=input, target=target, to=to, from_=from_, as_of=as_of,
            infer=not no_infer, merge=_libraries(merge_files, diags, as_of),
            enrich=_enrich_settings(services, enrich_kw),
            charset="ascii" if ascii_ else "utf8" if utf8 else "pdflatex",
            abstract=not no_abstract, options=_parse_options(options), strict=strict,
            dedupe=dedupe or None, sync=in_place, key_pattern=key_pattern, dry_run=dry_run,
            prune=prune,
        )
        outcome = _run_pipeline(spec, diags, quiet, report)
        if dry_run:
            click.echo(outcome.text or "", nl=False)  # the diff; nothing was written
        if not quiet:
            to_file = target != "-"
            verb = f"written as {outcome.output_format}" + (
                f" to {target}" + (" (updated in place)" if in_place else "") if to_file
                else " to standard output")
            if dry_run:
                verb = f"compared with {target} (--dry-run: nothing written)"
            if to_file and not outcome.written:
                why = "--strict" if strict and outcome.entries else "nothing was read"
                verb = f"read; {target} left as it was ({why})"
            line = _summary(outcome.diagnostics, outcome.entries, verb, outcome.context)
            _say(line)
        sys.exit(EXIT_ERRORS if outcome.failed(strict) else EXIT_OK)

    _run(run)


def _exclusive(**flags: object) -> None:
    """Options that contradict each other are a usage error naming both."""
    given = [f"--{name.replace('_', '-')}" for name, value in flags.items() if value]
    if len(given) > 1:
        raise UsageError(f"{' and '.join(given)} contradict each other; give one")


def _diagnostics(verbose: bool, quiet: bool, report: str | None) -> Diagnostics:
    """The run's collector: printed as they happen, kept for --report."""
    return Diagnostics(sink=_Printer(verbose, quiet), keep=bool(report))


def _libraries(paths: tuple[str, ...], diags: Diagnostics, as_of: dt.date | None
               ) -> list[Library]:
    """The user's own libraries for --merge, read as of the run's date: their diagnostics,
    under their file names, count in the run's summary and exit code."""
    return [load(p, as_of=as_of, diagnostics=Diagnostics(p, sink=diags.adopt, keep=False))
            for p in paths]


def _run_pipeline(spec: Run, diags: Diagnostics, quiet: bool, report: str | None) -> Outcome:
    """The pipeline with the CLI's printer, progress lines and --report."""
    tty = sys.stderr.isatty() and not quiet
    try:
        outcome = pipeline.run(spec, diags, progress=lambda s: _with_progress(s, tty),
                               enrich_progress=_enrich_progress(tty))
    except EnrichError as exc:
        raise UsageError(str(exc)) from None
    finally:
        _progress_clear()
    if outcome.enrichment is not None and spec.enrich is not None and not quiet:
        _say(_enrich_summary(outcome.enrichment, spec.enrich))
    if report:
        kind = outcome.output_format
        data = _report(outcome.context.diags.file, outcome.input_format, kind,
                       outcome.entries, outcome.diagnostics, outcome.context, spec.strict)
        if outcome.enrichment is not None:
            data["enrichment"] = outcome.enrichment.report()
        _write_report(report, data)
    return outcome


@main.command(short_help="Fill entries from arXiv, DBLP, Crossref, Semantic Scholar.")
@click.argument("input", metavar="INPUT")
@click.option("-o", "--output", metavar="FILE", help="Write here (atomically) instead of stdout.")
@click.option(
    "--to",
    metavar="FORMAT",
    shell_complete=lambda ctx, param, incomplete: _complete_formats("write", incomplete),
    help="Output format (default: from the -o suffix, else csljson, which keeps provenance).",
)
@click.option(
    "-s",
    "--services",
    "--enrich",
    "services",
    default=",".join(DEFAULT_SERVICES),
    show_default=True,
    metavar="SERVICES",
    help="Services to ask, in order: arxiv, dblp, crossref, s2 (Semantic Scholar), or all.",
)
@click.option(
    "--merge",
    "merge_files",
    multiple=True,
    metavar="FILE",
    help="Fill from your own library first (its values win unless --prefer remote).",
)
@_dedupe_option
@_sync_option
@enrich_options
@common_options
def enrich(
    input: str, output: str | None, to: str | None, services: str,
    merge_files: tuple[str, ...], **kw: Any,
) -> None:
    """Fill INPUT's entries from online services: full author lists for "et al.", arXiv ids,
    DOIs, published venues; then check that the profile owner is an author of each.

    Every filled field records its source and confidence (kept in CSL-JSON output);
    --report FILE.json lists each entry's changes, the near matches not applied, and the
    owner check. Responses are cached, so a second run makes no request; --offline uses the
    cache alone. A service that fails is a warning, never a lost entry.

    \b
    Examples:
      bibkit enrich listing.txt -o enriched.json --report changes.json
      bibkit enrich listing.txt --services arxiv,dblp --offline -o refs.bib
      bibkit cv enriched.json --highlight "Bo Han" --exclude-unconfirmed
    """
    click.get_current_context().invoke(
        # csljson unless -o's suffix names a format (refs.bib): a file named without one
        # (refs, refs.txt) gets what --help promises, not convert's BibTeX
        convert, input=input, output=output,
        to=to or (None if registry.by_suffix(output or kw.get("sync") or "", "write")
                  else "csljson"),
        ascii_=False, utf8=False, no_abstract=False, options=(), merge_files=merge_files,
        services=services, **kw)


@main.command(short_help="Read INPUT and report what is wrong with it; write nothing.")
@click.argument("input", metavar="INPUT")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON on stdout.")
@common_options
def check(
    input: str,
    as_json: bool,
    from_: str | None,
    as_of: dt.date | None,
    no_infer: bool,
    strict: bool,
    report: str | None,
    verbose: bool,
    quiet: bool,
) -> None:
    """Parse INPUT and report what it holds and what is wrong with it; write nothing.

    Exit 0 when it converts cleanly, 1 on errors (or warnings with --strict), 2 on usage
    errors.
    """

    def run() -> None:
        _exclusive(quiet=quiet, verbose=verbose)
        spec = Run(source=input, from_=from_, as_of=as_of, infer=not no_infer,
                   strict=strict, write=False)
        diags = Diagnostics(sink=None if as_json else _Printer(verbose, quiet),
                            keep=as_json or bool(report))
        outcome = pipeline.run(spec, diags)
        data = _report(diags.file, outcome.input_format, None, outcome.entries, diags,
                       outcome.context, strict)
        if report:
            _write_report(report, data)
        if as_json:
            click.echo(_report_json(data))
        elif not quiet:
            _say(_summary(diags, outcome.entries, f"read as {outcome.input_format}",
                          outcome.context))
        sys.exit(EXIT_ERRORS if diags.failed(strict) else EXIT_OK)

    _run(run)


_CV_ALIASES = {"md": "markdown", "tex": "latex", "txt": "text", "htm": "html"}


@main.command(short_help="Write the publications section of a CV.")
@click.argument("input", metavar="INPUT")
@click.option(
    "--format",
    "fmt",
    type=click.Choice([*registry.CV_LAYOUTS, *registry.CV_SITES, *_CV_ALIASES],
                      case_sensitive=False),
    default=None,
    help="Output: a CV layout, or jsonresume (a JSON Resume document), al-folio (the Jekyll "
    "theme's papers.bib), hugo (Hugo Blox pages: -o DIR) [default: from the -o suffix "
    "(.md .tex .html .txt), else markdown].",
)
@click.option("-o", "--output", metavar="FILE", help="Write here (atomically) instead of stdout.")
@click.option(
    "--group-by",
    type=click.Choice(registry.CV_OPTIONS["group_by"]),
    default="year",
    show_default=True,
    help="Headings: year (newest first), kind, venue or none.",
)
@click.option(
    "--numbering",
    type=click.Choice(registry.CV_OPTIONS["numbering"]),
    default="desc",
    show_default=True,
    help="desc: the newest entry gets the highest number.",
)
@click.option(
    "--highlight",
    multiple=True,
    metavar="NAME",
    help="The owner's name (repeatable); default: the listing's owner.",
)
@click.option("--since", type=int, metavar="YEAR", help="Only entries from this year on.")
@click.option("--until", type=int, metavar="YEAR", help="Only entries up to this year.")
@click.option(
    "--kinds",
    metavar="KIND,...",
    help="Only these kinds (CSL types or headings: paper-conference, Preprints).",
)
@click.option(
    "--exclude",
    multiple=True,
    metavar="ID",
    help="Leave out: a citekey, arXiv id, DOI or title substring (repeatable).",
)
@click.option(
    "--exclude-file",
    type=click.Path(exists=True, dir_okay=False),
    help="A file of --exclude values, one a line (# starts a comment).",
)
@click.option("--only", multiple=True, metavar="ID", help="Keep only these (same forms).")
@click.option(
    "--links/--no-links",
    default=True,
    show_default=True,
    help="Show arXiv, DOI, code and project links.",
)
@click.option(
    "--csl", metavar="STYLE", help="Format entries with a CSL style: apa, ieee or a .csl file.",
    shell_complete=lambda ctx, param, incomplete: [s for s in ("apa", "ieee")
                                                   if s.startswith(incomplete)],
)
@click.option(
    "--style",
    type=click.Choice(registry.CV_OPTIONS["style"]),
    help="Format entries with a BibTeX style through pybtex (alpha: labels like [HYL23]).",
)
@click.option(
    "--template",
    type=click.Path(exists=True, dir_okay=False),
    help="Render with this Jinja2 template (context in the README; start from "
    "--print-template).",
)
@click.option(
    "--print-template",
    type=click.Choice(registry.CV_LAYOUTS),
    is_eager=True,
    expose_value=False,
    callback=lambda ctx, param, value: _print_template(ctx, value),
    help="Print a built-in layout as a Jinja2 template to copy, and exit.",
)
@click.option("--standalone", is_flag=True, help="LaTeX: a complete document, not a fragment.")
@click.option(
    "--hugo-admin",
    metavar="USER",
    help="hugo: write the owner as this Hugo Blox user (the site's author page, e.g. admin).",
)
@click.option(
    "--selected",
    multiple=True,
    metavar="ID",
    help="al-folio: mark these entries `selected` (same forms as --exclude; repeatable).",
)
@click.option(
    "--exclude-unconfirmed",
    is_flag=True,
    help="Leave out entries whose complete author list does not contain the owner (papers "
    "of a namesake); lists ending in et al. stay.",
)
@click.option(
    "--merge",
    "merge_files",
    multiple=True,
    metavar="FILE",
    help="Fill entries from your own library first (as `bibkit convert --merge`).",
)
@click.option(
    "--enrich",
    "services",
    metavar="SERVICES",
    help="Complete the entries from online services first (as `bibkit enrich`).",
)
@_sync_option
@_key_pattern_option
@enrich_options
@common_options
def cv(input: str, fmt: str | None, output: str | None, merge_files: tuple[str, ...],
       services: str | None, from_: str | None, as_of: dt.date | None, no_infer: bool,
       strict: bool, report: str | None, verbose: bool, quiet: bool, sync: str | None,
       dry_run: bool, prune: bool, key_pattern: str, **flags: Any) -> None:
    """Write the publications section of a CV or homepage from INPUT (a listing or any
    library bibkit reads), grouped and numbered, the owner's name highlighted.

    \b
    Examples:
      bibkit cv listing.txt --format markdown > publications.md
      bibkit cv listing.txt --format latex -o publications.tex
      bibkit cv refs.bib --format html --highlight "Bo Han" --since 2022 --group-by kind
      bibkit cv listing.txt --format html --csl apa -o publications.html
    """

    def run() -> None:
        # loaded by the command that needs it: start-up stays lean
        from .cv.options import options_from_flags

        _exclusive(quiet=quiet, verbose=verbose)
        target, in_place = _target(output, sync)
        cv_format = _cv_format(fmt, None if target == "-" else target)
        # the CV's options and their rules are the writer's: -O gives the same answers
        opts = options_from_flags(cv_format, flags)  # the flags left are enrichment's
        settings = _enrich_settings(services, flags)
        if settings is not None and not settings.owner and opts.highlight:
            settings.owner = opts.highlight
        diags = _diagnostics(verbose, quiet, report)
        spec = Run(source=input, target=target, to=f"cv-{cv_format}", from_=from_, sync=in_place,
                   key_pattern=key_pattern, dry_run=dry_run, prune=prune,
                   as_of=as_of, infer=not no_infer, enrich=settings, strict=strict,
                   merge=_libraries(merge_files, diags, as_of),
                   options={k: v for k, v in vars(opts).items() if k != "fmt"})
        outcome = _run_pipeline(spec, diags, quiet, report)
        if dry_run:
            click.echo(outcome.text or "", nl=False)  # the diff; nothing was written
        if not quiet:
            # (a --sync that found nothing new ran no CV writer: its counts are the run's)
            r = {"shown": outcome.entries, "excluded": 0, "owner_hidden": 0, **outcome.results}
            _say(f"bibkit: {_count(r['shown'], 'entry', 'entries')} in the CV, "
                 f"{r['excluded']} excluded, {r['owner_hidden']} with the owner hidden in "
                 '"et al."; '
                 + _summary(outcome.diagnostics, 0, "", outcome.context).split("; ", 1)[1])
        sys.exit(EXIT_ERRORS if outcome.failed(strict) else EXIT_OK)

    _run(run)


def _print_template(ctx: click.Context, fmt: str | None) -> None:
    if fmt is None or ctx.resilient_parsing:
        return
    from .cv.template import template_source

    click.echo(template_source(fmt), nl=False)
    ctx.exit(EXIT_OK)


def _cv_format(fmt: str | None, output: str | None) -> str:
    """--format as given (an alias resolved), else what the -o suffix says, else Markdown."""
    if fmt is not None:
        return _CV_ALIASES.get(fmt.lower(), fmt.lower())
    suffix = Path(output).suffix.lower() if output and output != "-" else ""
    for name in (*registry.CV_LAYOUTS, *registry.CV_SITES):
        if suffix and suffix in registry.formats()[f"cv-{name}"].suffixes:
            return name
    return "markdown"


@main.command("formats")
def formats_cmd() -> None:
    """List the formats bibkit can read and write."""
    rows = []
    for spec in registry.formats().values():
        modes = ("read" if spec.reader else "    ") + (" write" if spec.writer else "")
        rows.append((spec.name, modes, " ".join(spec.suffixes) or "-", spec.summary))
    width = max(len(r[0]) for r in rows)
    for name, modes, suffixes, summary in rows:
        click.echo(f"{name.ljust(width)}  {modes.ljust(10)}  {suffixes.ljust(10)}  {summary}")


if __name__ == "__main__":  # pragma: no cover
    main()
