"""The options several commands share (reading, enrichment, --sync, --key-pattern,
--dedupe), declared once, and what they become: the enrichment settings."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from ..enrich.services import ALIASES, EnrichError, service_names
from ..formats import registry
from ..io.files import UsageError

if TYPE_CHECKING:  # the enrich modules load only when a run enriches
    from ..enrich.session import EnrichSettings


def complete_formats(role: str, incomplete: str) -> list[str]:
    """Shell completion of --from/--to: the formats that can be read or written."""
    return [name for name, spec in registry.formats().items()
            if (spec.reader if role == "read" else spec.writer) and name.startswith(incomplete)]


def _stdin_when_omitted(ctx: click.Context, param: click.Parameter, value: str | None) -> str:
    """INPUT left out reads standard input when it is a pipe (pandoc's habit); at a terminal
    that would wait for typing nobody meant, so it is a usage error."""
    if value is not None:
        return value
    if sys.stdin is None or sys.stdin.isatty():
        raise click.UsageError("no INPUT: give a file, or - for standard input (or pipe the "
                               "text in)", ctx)  # click's: it is raised while parsing
    return "-"


def input_argument(fn: Any) -> Any:
    """INPUT: a file, `-` for standard input, or omitted when standard input is a pipe.
    A click.Path, so that shell completion offers file names."""
    return click.argument("input", metavar="[INPUT]", required=False,
                          type=click.Path(allow_dash=True), callback=_stdin_when_omitted)(fn)


def output_option(fn: Any) -> Any:
    """-o FILE (a click.Path: shell completion offers file names)."""
    return click.option("-o", "--output", metavar="FILE", type=click.Path(),
                        help="Write here (atomically) instead of stdout.")(fn)


def to_option(help: str) -> Any:
    """-t/--to FORMAT, completing the formats that can be written."""
    return click.option(
        "-t", "--to", "to", metavar="FORMAT", help=help,
        shell_complete=lambda ctx, param, incomplete: complete_formats("write", incomplete))


class IsoDate(click.ParamType):
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


_common = [
    click.option(
        "-f",
        "--from",
        "from_",
        metavar="FORMAT",
        shell_complete=lambda ctx, param, incomplete: complete_formats("read", incomplete),
        help="Input format (default: from the file suffix, else from the content).",
    ),
    click.option(
        "--as-of",
        type=IsoDate(),
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
                 "BIBKIT_S2_URL, BIBKIT_OPENALEX_URL (the API root), BIBKIT_ORCID_URL (the "
                 "v3.0 root)."),
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


def sync_option(fn: Any) -> Any:
    fn = click.option(
        "--prune", is_flag=True,
        help="With --sync on a .bib or CSL-JSON file: remove the entries the run does not "
        "have (each is said).",
    )(fn)
    fn = click.option(
        "--dry-run", is_flag=True,
        help="Write nothing: print the unified diff the run would make to the -o or --sync "
        "file.",
    )(fn)
    return click.option(
        "--sync", metavar="FILE", type=click.Path(),
        help="Update FILE in place instead of replacing it (instead of -o): a .bib or CSL-JSON "
        "file keeps its comments, @strings, order, keys and values, takes what its entries "
        "lack and gets new works appended; a JSON Resume keeps every section but its "
        "publications.",
    )(fn)


def output_target(output: str | None, sync: str | None) -> tuple[str, bool]:
    """(where to write, whether to update it in place) from -o and --sync."""
    if output and sync:
        raise UsageError("-o and --sync both name the output; give one")
    return (sync, True) if sync else (output or "-", False)


def key_pattern_option(fn: Any) -> Any:
    return click.option(
        "--key-pattern", default="[auth][year][title]", show_default=True, metavar="PATTERN",
        help="Keys for new works (a key the input or a --merge library gives is kept): "
        "[auth] [Auth] [authors] [year] [shortyear] [title] [shorttitle] [venue] and text, "
        "e.g. '[Auth]:[year]:[venue]'.",
    )(fn)


def dedupe_option(fn: Any) -> Any:
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


def enrich_settings(services: str | None, kw: dict[str, Any]) -> EnrichSettings | None:
    """The settings for --enrich and its companions, or None when nothing is to be enriched."""
    exclusive(offline=kw.get("offline"), refresh=kw.get("refresh"))
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
    from ..enrich.session import EnrichSettings

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
        if not sep or not ident.strip() or service not in ("dblp", "s2", "orcid", "openalex"):
            raise UsageError(f"--owner-id takes dblp:ID, s2:ID, orcid:ID or openalex:ID, "
                             f"not {pair!r}")
        out[service] = ident.strip()
    return out


def exclusive(**flags: object) -> None:
    """Options that contradict each other are a usage error naming both."""
    given = [f"--{name.replace('_', '-')}" for name, value in flags.items() if value]
    if len(given) > 1:
        raise UsageError(f"{' and '.join(given)} contradict each other; give one")


def parse_options(pairs: tuple[str, ...]) -> dict[str, str]:
    options = {}
    for pair in pairs:
        key, sep, value = pair.partition("=")
        if not sep or not key:
            raise UsageError(f"-O takes key=value, not {pair!r}")
        options[key.strip()] = value.strip()
    return options
