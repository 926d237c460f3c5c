"""What a reader or writer is handed besides the records: diagnostics, options, results."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from .citation import Profile
from .diagnostics import Diagnostics


@dataclass(slots=True)
class ReadContext:
    diags: Diagnostics
    as_of: dt.date = field(default_factory=dt.date.today)
    options: dict[str, Any] = field(default_factory=dict)
    profile: Profile | None = None  # set by readers whose input names an owner (listings)
    blocks: int = 0  # input blocks seen: each became a citation or a diagnostic


@dataclass(slots=True)
class WriteContext:
    diags: Diagnostics
    # LaTeX outputs: which characters stay as they are (bibkit.tex.chars.CHARSETS)
    charset: str = "pdflatex"
    abstract: bool = True
    options: dict[str, Any] = field(default_factory=dict)  # -O key=value, format specific
    # the run's reading side: the listing's owner is known only once its header was read,
    # so a writer that highlights the owner looks here after taking the citations
    source: ReadContext | None = None
    results: dict[str, Any] = field(default_factory=dict)  # what a writer tells beyond a count
    # `--sync`: the text of the file being updated, which a writer that updates in place
    # keeps what it does not write from (JSON Resume: every section but publications)
    existing: str | None = None
    prune: bool = False  # `--sync --prune`: entries of the file the run does not have go
    # `--sync` from a complete list (`bibkit profile`): an entry of the file the run does
    # not have is said with this reason (BK915), when it is not pruned
    unmatched: str = ""
    target: str | None = None  # the path a --sync run updates (its sidecar lies beside it)
    dry_run: bool = False  # `--dry-run`: a writer touches no file, a sidecar included
    sync: bool = False  # `--sync`: a directory writer (Hugo) updates the pages in place
    dedupe: bool = False  # `--sync --dedupe`: the same work twice in the file becomes one
