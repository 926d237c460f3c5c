"""`bibkit cv` (the publications section of a CV, from the CV's own option schema) and
`bibkit formats`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from ..formats import registry
from ..pipeline import Run
from .app import main
from .options import (
    common_options,
    enrich_options,
    enrich_settings,
    exclusive,
    input_argument,
    key_pattern_option,
    output_option,
    output_target,
    sync_option,
)
from .output import EXIT_OK, counted, exit_code, run_command, say, summary_line
from .runs import make_diagnostics, read_libraries, run_pipeline

_CV_ALIASES = {"md": "markdown", "tex": "latex", "txt": "text", "htm": "html"}


def _complete_styles(incomplete: str) -> list[Any]:
    """Style names (shipped, and the CSL repository's when installed), else file names."""
    from click.shell_completion import CompletionItem

    from ..cv.cslstyles import style_names

    names = [n for n in style_names() if n.startswith(incomplete)]
    return names or [CompletionItem(incomplete, type="file")]


@main.command(short_help="Write the publications section of a CV.")
@input_argument
@click.option(
    "-t",
    "--format",
    "fmt",
    type=click.Choice([*registry.CV_LAYOUTS, *registry.CV_SITES, *_CV_ALIASES],
                      case_sensitive=False),
    default=None,
    help="Output: a CV layout, or jsonresume (a JSON Resume document), al-folio (the Jekyll "
    "theme's papers.bib), hugo (Hugo Blox pages: -o DIR) [default: from the -o suffix "
    "(.md .tex .html .txt), else markdown].",
)
@output_option
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
    "--csl", metavar="STYLE",
    help="Format entries with a CSL style: apa, ieee, a .csl file, or any style of the CSL "
    "repository by name (nature, chicago-author-date, ...) with "
    "`pip install 'bibkit[styles]'`.",
    shell_complete=lambda ctx, param, incomplete: _complete_styles(incomplete),
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
@sync_option
@key_pattern_option
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
        from ..cv.options import options_from_flags

        exclusive(quiet=quiet, verbose=verbose)
        target, in_place = output_target(output, sync)
        cv_format = _cv_format(fmt, None if target == "-" else target)
        # the CV's options and their rules are the writer's: -O gives the same answers
        opts = options_from_flags(cv_format, flags)  # the flags left are enrichment's
        settings = enrich_settings(services, flags)
        if settings is not None and not settings.owner and opts.highlight:
            settings.owner = opts.highlight
        diags = make_diagnostics(verbose, quiet, report)
        spec = Run(source=input, target=target, to=f"cv-{cv_format}", from_=from_, sync=in_place,
                   key_pattern=key_pattern, dry_run=dry_run, prune=prune,
                   as_of=as_of, infer=not no_infer, enrich=settings, strict=strict,
                   merge=read_libraries(merge_files, diags, as_of),
                   options={k: v for k, v in vars(opts).items() if k != "fmt"})
        outcome = run_pipeline(spec, diags, quiet, report)
        if dry_run:
            click.echo(outcome.text or "", nl=False)  # the diff; nothing was written
        if not quiet:
            # (a --sync that found nothing new ran no CV writer: its counts are the run's)
            r = {"shown": outcome.entries, "excluded": 0, "owner_hidden": 0, **outcome.results}
            say(f"bibkit: {counted(r['shown'], 'entry', 'entries')} in the CV, "
                 f"{r['excluded']} excluded, {r['owner_hidden']} with the owner hidden in "
                 '"et al."; '
                 + summary_line(outcome.diagnostics, 0, "", outcome.context).split("; ", 1)[1])
        sys.exit(exit_code(outcome, strict, quiet))

    run_command(run)


def _print_template(ctx: click.Context, fmt: str | None) -> None:
    if fmt is None or ctx.resilient_parsing:
        return
    from ..cv.template import template_source

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
