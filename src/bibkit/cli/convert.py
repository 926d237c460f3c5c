"""`bibkit convert`, `bibkit enrich` and `bibkit check`: a run made from the options,
the pipeline, what it printed and the exit code."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Any

import click

from .. import pipeline
from ..enrich.services import DEFAULT_SERVICES
from ..formats import registry
from ..model.diagnostics import Diagnostics
from ..pipeline import Outcome, Run
from .app import main
from .options import (
    common_options,
    dedupe_option,
    enrich_options,
    enrich_settings,
    exclusive,
    input_argument,
    key_pattern_option,
    output_option,
    output_target,
    parse_options,
    sync_option,
    to_option,
)
from .output import (
    EXIT_ERRORS,
    EXIT_OK,
    Printer,
    exit_code,
    report_data,
    report_json,
    run_command,
    say,
    summary_line,
    write_report,
)
from .runs import make_diagnostics, read_libraries, run_pipeline


@main.command(short_help="Convert INPUT to another format.")
@input_argument
@to_option("Output format (default: from the -o suffix, else bibtex). See `bibkit formats`.")
@output_option
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
@dedupe_option
@sync_option
@key_pattern_option
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
    """Convert INPUT (a file, or - for stdin; omitted, a pipe is read) to another format.

    Every input block becomes an entry or a diagnostic printed to stderr as
    `file:line: severity[CODE] message`. With -o the file is replaced only when the
    conversion finished (and, with --strict, only when it produced no warning).
    """

    def run() -> None:
        exclusive(quiet=quiet, verbose=verbose)
        exclusive(ascii=ascii_, utf8=utf8)
        diags = make_diagnostics(verbose, quiet, report)
        target, in_place = output_target(output, sync)
        spec = Run(
            source=input, target=target, to=to, from_=from_, as_of=as_of,
            infer=not no_infer, merge=read_libraries(merge_files, diags, as_of),
            enrich=enrich_settings(services, enrich_kw),
            charset="ascii" if ascii_ else "utf8" if utf8 else "pdflatex",
            abstract=not no_abstract, options=parse_options(options), strict=strict,
            dedupe=dedupe or None, sync=in_place, key_pattern=key_pattern, dry_run=dry_run,
            prune=prune,
        )
        outcome = run_pipeline(spec, diags, quiet, report)
        if dry_run:
            click.echo(outcome.text or "", nl=False)  # the diff; nothing was written
        if not quiet:
            verb = _what_was_done(outcome, target, in_place, dry_run, strict)
            say(summary_line(outcome.diagnostics, outcome.entries, verb, outcome.context))
        sys.exit(exit_code(outcome, strict, quiet))

    run_command(run)




def _what_was_done(outcome: Outcome, target: str, in_place: bool, dry_run: bool,
                   strict: bool) -> str:
    """The summary line's verb: where the entries went, or why they did not."""
    to_file = target != "-"
    if to_file and not outcome.written:
        why = "--strict" if strict and outcome.entries else "nothing was read"
        return f"read; {target} left as it was ({why})"
    if dry_run:
        return f"compared with {target} (--dry-run: nothing written)"
    return f"written as {outcome.output_format}" + (
        f" to {target}" + (" (updated in place)" if in_place else "") if to_file
        else " to standard output")


@main.command(short_help="Fill entries from arXiv, DBLP, Crossref, Semantic Scholar.")
@input_argument
@output_option
@to_option("Output format (default: from the -o suffix, else csljson, which keeps provenance).")
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
@dedupe_option
@sync_option
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
@input_argument
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
        exclusive(quiet=quiet, verbose=verbose)
        spec = Run(source=input, from_=from_, as_of=as_of, infer=not no_infer,
                   strict=strict, write=False)
        diags = Diagnostics(sink=None if as_json else Printer(verbose, quiet),
                            keep=as_json or bool(report))
        outcome = pipeline.run(spec, diags)
        data = report_data(diags.file, outcome.input_format, None, outcome.entries, diags,
                       outcome.context, strict)
        if report:
            write_report(report, data)
        if as_json:
            click.echo(report_json(data))
        elif not quiet:
            say(summary_line(diags, outcome.entries, f"read as {outcome.input_format}",
                          outcome.context))
        sys.exit(EXIT_ERRORS if diags.failed(strict) else EXIT_OK)

    run_command(run)
