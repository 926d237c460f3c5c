"""The CV's options and the rules between them, one schema for `bibkit cv`, `-O` and the API."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from ..formats.registry import CV_LAYOUTS, CV_OPTIONS, CV_SITES
from ..io.files import UsageError
from ..model.citation import (
    Profile,
)
from ..model.context import WriteContext

FORMATS = CV_LAYOUTS
SITE_FORMATS = CV_SITES
GROUPINGS = CV_OPTIONS["group_by"]
NUMBERINGS = CV_OPTIONS["numbering"]


@dataclass
class CvOptions:
    fmt: str = "markdown"
    group_by: str = "year"
    numbering: str = "desc"
    highlight: tuple[str, ...] = ()
    since: int | None = None
    until: int | None = None
    kinds: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    only: tuple[str, ...] = ()
    links: bool = True
    csl: str | None = None
    style: str | None = None  # a pybtex BibTeX style: plain, unsrt, alpha, unsrtalpha
    template: str | None = None  # a Jinja2 template file (bibkit.cv.template)
    standalone: bool = False
    # leave out entries whose complete author list lacks the owner (a namesake's paper)
    exclude_unconfirmed: bool = False
    selected: tuple[str, ...] = ()  # al-folio: the entries marked `selected`
    hugo_admin: str = ""  # hugo: the site user the owner is written as


@dataclass
class CvResult:
    text: str
    shown: int
    excluded: int
    owner_hidden: int  # entries whose shown authors end in "et al." without the owner
    keys: list[str] = field(default_factory=list)


# --- as a registered writer (`--to cv-html`, `bibkit cv`) -----------------------------------

def options_from(fmt: str, options: dict[str, Any]) -> CvOptions:
    """CvOptions from writer options: typed values (the API, `bibkit cv`) or -O strings
    ("kinds=a,b", "since=2020", "links=no")."""
    opts = CvOptions(fmt=fmt)
    for key, value in options.items():
        current = getattr(opts, key)
        if isinstance(value, str):
            if isinstance(current, bool):
                value = value.lower() in ("yes", "true", "1")
            elif isinstance(current, tuple):
                value = tuple(v.strip() for v in value.split(",") if v.strip())
            elif key in ("since", "until"):
                if not value.isdigit():
                    raise UsageError(f"-O {key}={value}: expected a year")
                value = int(value)
        setattr(opts, key, value)
    check_options(opts)
    return opts


def options_from_flags(fmt: str, flags: dict[str, Any]) -> CvOptions:
    """CvOptions from `bibkit cv`'s flags, checked: each flag named after its option is
    taken out of `flags` (the rest, enrichment's, stay); `--kinds a,b`, `--exclude-file`
    (one value a line, `#` starts a comment) and an absent `--hugo-admin` read as the
    option's type."""
    values: dict[str, Any] = {f.name: flags.pop(f.name) for f in fields(CvOptions)
                              if f.name in flags}
    if values.get("kinds"):
        values["kinds"] = tuple(values["kinds"].split(","))
    excluded = list(values.get("exclude", ()))
    exclude_file = flags.pop("exclude_file", None)
    if exclude_file:
        for line in Path(exclude_file).read_text(encoding="utf-8").splitlines():
            line = line.split("#", 1)[0].strip()
            if line:
                excluded.append(line)
    values.update(exclude=tuple(excluded), hugo_admin=values.get("hugo_admin") or "",
                  kinds=values.get("kinds") or ())
    opts = CvOptions(fmt=fmt, **values)
    check_options(opts, _cli_flag)
    return opts


def _cli_flag(key: str, value: object) -> str:
    return f"--{key.replace('_', '-')}" + ("" if isinstance(value, bool) else f" {value}")


def _o_flag(key: str, value: object) -> str:
    return f"-O {key}={'yes' if value is True else value}"


def check_options(opts: CvOptions, flag: Callable[[str, object], str] = _o_flag) -> None:
    """The rules between CV options, for `bibkit cv`, `-O` and the API alike (a usage error
    naming the options as `flag(name, value)` writes them: `--csl apa`, `-O csl=apa`)."""
    formatters = [flag(k, v) for k, v in (("csl", opts.csl), ("style", opts.style),
                                          ("template", opts.template)) if v]
    if len(formatters) > 1:
        raise UsageError(f"{' and '.join(formatters)} each format the entries; give one")
    site_only = [flag(k, v) for k, v in (("csl", opts.csl), ("style", opts.style),
                                         ("standalone", opts.standalone))
                 if v]
    if opts.fmt in CV_SITES and site_only:
        raise UsageError(f"format {opts.fmt} writes data, not formatted entries: "
                         f"{' and '.join(site_only)} do not apply")
    if opts.standalone and opts.fmt != "latex":
        raise UsageError(f"{flag('standalone', True)} makes a LaTeX document; format "
                         f"{opts.fmt} has no such option (use format latex)")
    if opts.since is not None and opts.until is not None and opts.since > opts.until:
        raise UsageError(f"{flag('since', opts.since)} is after {flag('until', opts.until)}: "
                         "no year is in both")
    both = sorted(set(opts.exclude) & set(opts.only))
    if both:
        raise UsageError(f"{flag('only', both[0])} and {flag('exclude', both[0])}: an entry "
                         "cannot be both kept and left out")
    if opts.hugo_admin and opts.fmt != "hugo":
        raise UsageError(f"{flag('hugo_admin', opts.hugo_admin)} is for format hugo, not "
                         f"format {opts.fmt}")


def source_facts(ctx: WriteContext) -> tuple[Profile | None, str]:
    """(the listing's owner, the --as-of date) from the run's reading side; call it after
    the citations were read to the end (the owner is known once the header was read)."""
    if ctx.source is None:
        return None, ""
    return ctx.source.profile, ctx.source.as_of.isoformat()
