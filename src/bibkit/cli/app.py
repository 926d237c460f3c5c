"""The `bibkit` command group; the commands register themselves on it."""

from __future__ import annotations

import os
import sys

import click

from ..version import __version__


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
