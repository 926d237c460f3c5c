"""`bibkit profile SOURCE:ID`: a whole publication list from a person id, written as any
format `convert` writes (a CV included), or merged into a file with --sync."""

from __future__ import annotations

import datetime as dt
import sys
from typing import TYPE_CHECKING, Any

import click

from ..enrich.services import EnrichError
from ..formats import registry
from ..io.files import UsageError
from ..pipeline import Run
from .app import main
from .options import (
    IsoDate,
    complete_formats,
    enrich_options,
    key_pattern_option,
    output_option,
    output_target,
)
from .output import EXIT_ERRORS, EXIT_OK, run_command, say, summary_line
from .runs import make_diagnostics, run_pipeline

if TYPE_CHECKING:  # the profile modules load only when the command runs
    from ..profile.session import ProfileSettings


@main.command(short_help="A whole publication list from dblp:, orcid:, openalex: or s2: ids.")
@click.argument("person", metavar="SOURCE:ID")
@click.option("--also", "also", multiple=True, metavar="SOURCE:ID",
              help="Another id of the same person to read and pair with the first "
              "(repeatable): orcid:0000-…, openalex:A…, s2:…, dblp:….")
@output_option
@click.option("-t", "--to", metavar="FORMAT",
              shell_complete=lambda ctx, param, incomplete: complete_formats("write", incomplete),
              help="Output format, a CV's included (default: from the -o suffix, else "
              "csljson, which keeps where each field came from).")
@click.option("--sync", metavar="FILE",
              help="Update FILE in place (a .bib or CSL-JSON): keys and your edits kept, new "
              "works appended, entries no source lists said (BK915).")
@click.option("--prune", is_flag=True, help="With --sync: remove the entries no source lists.")
@click.option("--dry-run", is_flag=True, help="With --sync or -o: print the diff, write nothing.")
@click.option("--since", type=int, metavar="YEAR", help="Only works of this year or later.")
@click.option("--until", type=int, metavar="YEAR", help="Only works of this year or earlier.")
@click.option("--as-of", type=IsoDate(), metavar="YYYY-MM-DD",
              help="Reference date for 'accepted' venues (default: today).")
@click.option("--connect-timeout", type=click.FloatRange(min=0.1), default=4.0,
              show_default=True, metavar="SECONDS",
              help="Give up on a service when no connection is made in this long (not retried).")
@click.option("--strict", is_flag=True, help="Exit 1 on warnings too.")
@click.option("--report", type=click.Path(dir_okay=False), metavar="FILE.json",
              help="Write per source the records read, the pairs merged with their evidence "
              "and the works held back, and every diagnostic, as JSON.")
@click.option("-v", "--verbose", is_flag=True, help="Also print notes (each pair merged).")
@click.option("-q", "--quiet", is_flag=True, help="No diagnostics or summary.")
@key_pattern_option
@enrich_options
def profile(person: str, also: tuple[str, ...], output: str | None, to: str | None,
            sync: str | None, prune: bool, dry_run: bool, since: int | None,
            until: int | None, as_of: dt.date | None, connect_timeout: float,
            strict: bool, report: str | None, verbose: bool, quiet: bool,
            key_pattern: str, **kw: Any) -> None:
    """Build a publication list from a person id alone: SOURCE:ID is dblp:PID, orcid:ORCID,
    openalex:AUTHOR or s2:AUTHOR (a dblp.org/pid, orcid.org or openalex.org URL works too).

    Each work is one entry: a preprint and its published version are paired (by arXiv id or
    DOI first; by title, an author in common and compatible years second) and written as
    the published version with its arXiv id. The first id decides whose works these are: a
    work another source lists but whose person ids name someone else is held back (BK911),
    and a person split over two ids is suggested, never merged (BK912).

    \b
    Examples:
      bibkit profile dblp:h/BoHan3 -o refs.bib
      bibkit profile dblp:h/BoHan3 --also orcid:0000-0002-1825-0097 --report profile.json
      bibkit profile orcid:0000-0002-1825-0097 --since 2020 --to cv-markdown
      bibkit profile dblp:h/BoHan3 --sync refs.bib
    """

    def run() -> None:
        from ..profile.session import build_profile

        settings = _settings(person, also, since, until, connect_timeout, kw)
        people = settings.people
        diags = make_diagnostics(verbose, quiet, report)
        target, in_place = output_target(output, sync)
        diags.file = str(people[0])
        try:
            built = build_profile(settings, diags)
        except EnrichError as exc:
            raise UsageError(str(exc)) from None
        fmt = to or (None if registry.by_suffix(output or sync or "", "write") else "csljson")
        spec = Run(source=str(people[0]), citations=built.citations, target=target, to=fmt,
                   as_of=as_of, infer=False, strict=strict,
                   sync=in_place, prune=prune, dry_run=dry_run, key_pattern=key_pattern,
                   unmatched="no source lists it as the owner's")
        outcome = run_pipeline(spec, diags, quiet, report, extra={"profile": built.report()})
        if dry_run:
            click.echo(outcome.text or "", nl=False)
        if not quiet:
            http = built.report()["http"]
            say(f"bibkit: {', '.join(str(p) for p in people)}: {len(built.citations)} works; "
                f"{http.get('requests', 0)} requests, {http.get('cache_hits', 0)} from the "
                "cache")
            where = (f"written to {target}" + (" (updated in place)" if in_place else "")
                     if target != "-" else "written to standard output")
            say(summary_line(outcome.diagnostics, outcome.entries, where, outcome.context))
        sys.exit(EXIT_ERRORS if outcome.failed(strict) else EXIT_OK)

    run_command(run)


def _settings(person: str, also: tuple[str, ...], since: int | None, until: int | None,
              connect_timeout: float, kw: dict[str, Any]) -> ProfileSettings:
    """The run's settings from the options; a usage error for a bad id or year range."""
    from ..profile.ids import person_id
    from ..profile.session import ProfileSettings
    from .options import enrich_settings

    if since is not None and until is not None and since > until:
        raise UsageError(f"--since {since} is after --until {until}")
    try:
        people = [person_id(p) for p in (person, *also)]
    except EnrichError as exc:
        raise UsageError(str(exc)) from None
    es = enrich_settings("dblp", kw)
    assert es is not None
    return ProfileSettings(
        people=people, offline=es.offline, refresh=es.refresh, use_cache=es.use_cache,
        cache_dir=es.cache_dir, endpoints=es.endpoints, owner=es.owner,
        owner_ids=es.owner_ids, timeout=es.timeout, connect_timeout=connect_timeout,
        since=since, until=until)
