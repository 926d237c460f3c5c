"""A run made from the command line's options: its diagnostics, the --merge libraries it
reads, and the pipeline with its progress line."""

from __future__ import annotations

import datetime as dt
import sys

from .. import pipeline
from ..api import Library, load
from ..enrich.services import EnrichError
from ..io.files import UsageError
from ..model.diagnostics import Diagnostics
from ..pipeline import Outcome, Run
from .output import (
    Printer,
    enrich_progress,
    enrich_summary,
    progress_clear,
    report_data,
    say,
    with_progress,
    write_report,
)


def make_diagnostics(verbose: bool, quiet: bool, report: str | None) -> Diagnostics:
    """The run's collector: printed as they happen, kept for --report."""
    return Diagnostics(sink=Printer(verbose, quiet), keep=bool(report))


def read_libraries(paths: tuple[str, ...], diags: Diagnostics, as_of: dt.date | None
               ) -> list[Library]:
    """The user's own libraries for --merge, read as of the run's date: their diagnostics,
    under their file names, count in the run's summary and exit code."""
    return [load(p, as_of=as_of, diagnostics=Diagnostics(p, sink=diags.adopt, keep=False))
            for p in paths]


def run_pipeline(spec: Run, diags: Diagnostics, quiet: bool, report: str | None,
                 extra: dict[str, object] | None = None) -> Outcome:
    """The pipeline with the CLI's printer, progress lines and --report."""
    tty = sys.stderr.isatty() and not quiet
    try:
        outcome = pipeline.run(spec, diags, progress=lambda s: with_progress(s, tty),
                               enrich_progress=enrich_progress(tty))
    except EnrichError as exc:
        raise UsageError(str(exc)) from None
    finally:
        progress_clear()
    if outcome.enrichment is not None and spec.enrich is not None and not quiet:
        say(enrich_summary(outcome.enrichment, spec.enrich))
    if report:
        kind = outcome.output_format
        data = report_data(outcome.context.diags.file, outcome.input_format, kind,
                       outcome.entries, outcome.diagnostics, outcome.context, spec.strict)
        if outcome.enrichment is not None:
            data["enrichment"] = outcome.enrichment.report()
        data.update(extra or {})
        write_report(report, data)
    return outcome
