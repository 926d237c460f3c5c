"""What the command line prints: the summary line, the progress line on a terminal, the
JSON report, and the one place an exception becomes a message and an exit code."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any

import click

from ..data import FormatDataError
from ..formats import registry
from ..io.files import InputError, Output, UsageError
from ..model.citation import Citation
from ..model.context import ReadContext
from ..model.diagnostics import Diagnostic, Diagnostics, Severity, printable

if TYPE_CHECKING:  # the enrich modules load only when a run enriches
    from ..enrich.session import EnrichOutcome, EnrichSettings
    from ..pipeline import Outcome



EXIT_OK, EXIT_ERRORS, EXIT_USAGE = 0, 1, 2
EXIT_NOT_ENRICHED = 3  # enrichment was asked for and no service could be reached


class Printer:
    """Prints diagnostics to stderr as they happen; notes (info) only with --verbose. Past
    the first few of one code, the rest are counted and said in one line before the summary
    (a file read as the wrong format would print hundreds); --verbose prints every one, and
    --report keeps every one."""

    SHOWN = 10  # of one code, before the rest are counted

    def __init__(self, verbose: bool, quiet: bool) -> None:
        self.min = Severity.INFO if verbose else Severity.WARNING
        self.quiet = quiet
        self.verbose = verbose
        self.seen: dict[tuple[Severity, str], int] = {}

    def __call__(self, d: Diagnostic) -> None:
        if self.quiet or d.severity < self.min:
            return
        kind = (d.severity, d.code)
        self.seen[kind] = n = self.seen.get(kind, 0) + 1
        if n <= self.SHOWN or self.verbose:
            progress_clear()
            say(d.format())

    def more(self) -> list[str]:
        """One line for each code some of whose diagnostics were not printed."""
        return [f"bibkit: … and {n - self.SHOWN} more {severity}[{code}] (-v prints them, "
                "--report keeps them)"
                for (severity, code), n in self.seen.items()
                if n > self.SHOWN and not self.verbose]


_progress_shown = False
clock = time.monotonic  # a name of our own, so tests can move time for the progress line only


def progress_clear() -> None:
    global _progress_shown
    if _progress_shown:
        click.echo("\r\033[K", err=True, nl=False)
        _progress_shown = False


def with_progress(citations: Iterable[Citation], enabled: bool) -> Iterator[Citation]:
    """Count entries on stderr when the run lasts over a second and stderr is a terminal."""
    global _progress_shown
    if not enabled:
        yield from citations
        return
    start = last = clock()
    for n, c in enumerate(citations, 1):
        yield c
        if n % 500 == 0:
            now = clock()
            if now - start > 1.0 and now - last > 0.25:
                click.echo(f"\r  {n:,} entries …", err=True, nl=False)
                _progress_shown = True
                last = now
    progress_clear()


def exit_code(outcome: Outcome, strict: bool, quiet: bool) -> int:
    """1 for errors (warnings with --strict); else 3 when enrichment was asked for and no
    service answered at all, as `git fetch` fails when the remote cannot be reached (the
    entries are still written, as read); else 0."""
    if outcome.failed(strict):
        return EXIT_ERRORS
    if outcome.enrichment is not None and outcome.enrichment.none_reached():
        if not quiet:
            say("bibkit: no service could be reached: nothing was enriched (exit status 3)")
        return EXIT_NOT_ENRICHED
    return EXIT_OK


def say(message: str) -> None:
    """A line to stderr; user text in it (a title, a key, a file name) cannot move the
    cursor or clear the screen: control characters are shown as escapes."""
    click.echo(printable(message), err=True)


def counted(n: int, word: str, plural: str = "") -> str:
    return f"{n} {word}" if n == 1 else f"{n} {plural or word + 's'}"


def summary_line(diags: Diagnostics, entries: int, verb: str, ctx: ReadContext) -> str:
    c = diags.counts
    parts = [f"{counted(entries, 'entry', 'entries')} {verb}"]
    if ctx.profile and ctx.profile.name:
        parts[0] += f" (profile: {ctx.profile.name})"
    parts.append(
        ", ".join(
            [
                counted(c[Severity.ERROR], "error"),
                counted(c[Severity.WARNING], "warning"),
                counted(c[Severity.INFO], "note"),
            ]
        )
    )
    if isinstance(diags.sink, Printer):  # the diagnostics not printed, said just before
        for line in diags.sink.more():
            say(line)
    return "bibkit: " + "; ".join(parts)


def report_json(data: dict[str, Any]) -> str:
    import json  # only a run that reports loads it: start-up stays lean

    return json.dumps(data, indent=2, ensure_ascii=False)


def write_report(path: str, data: dict[str, Any]) -> None:
    with Output(path, newline="\n") as out:
        out.stream.write(report_json(data) + "\n")


def report_data(
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


def run_command(fn: Any) -> None:
    """Turn every failure into a one-line message and an exit code."""
    try:
        fn()
    except UsageError as exc:
        say(f"bibkit: error: {exc}")
        sys.exit(EXIT_USAGE)
    except registry.UnknownFormat as exc:
        say(f"bibkit: error: {exc}")
        sys.exit(EXIT_USAGE)
    except InputError as exc:
        say(f"bibkit: error: {exc}")
        sys.exit(exc.exit_code)
    except FormatDataError as exc:
        say(f"bibkit: internal data error: {exc}")
        sys.exit(EXIT_ERRORS)
    except BrokenPipeError:
        # the reader of our stdout went away (`| head`): stop quietly, as shell tools do
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(141)
    except KeyboardInterrupt:
        say("bibkit: interrupted; no output file was changed")
        sys.exit(130)
    except OSError as exc:
        say(f"bibkit: error: {exc.filename or 'output'}: {exc.strerror or exc}")
        sys.exit(EXIT_ERRORS)


def enrich_progress(tty: bool) -> Callable[[str, int, int, int, str], None]:
    """The enrichment progress line: on a terminal, once a run lasts over a second; it says
    what is being waited for ("DBLP: ... waiting 5 s (rate limit)")."""
    start = clock()

    def progress(label: str, done: int, total: int, answers: int, waiting: str) -> None:
        global _progress_shown
        if tty and clock() - start > 1.0:
            click.echo(f"\r\033[K  {label}: {done}/{total} entries looked up, {answers} "
                       f"{'answer' if answers == 1 else 'answers'}"
                       f"{'; ' + waiting if waiting else ''} …", err=True, nl=False)
            _progress_shown = True

    return progress


def enrich_summary(outcome: EnrichOutcome, settings: EnrichSettings) -> str:
    s = outcome.summary
    return (f"bibkit: enriched with {', '.join(settings.services)}: {s['changed']} of "
            f"{s['entries']} entries changed; {s['author_lists_completed']} author lists "
            f"completed, {s['published_versions']} published versions, "
            f"{s['arxiv_ids_found']} arXiv ids, {s['dois_found']} DOIs; "
            f"{s.get('http_requests', 0)} requests, {s.get('http_cache_hits', 0)} from the "
            "cache")
