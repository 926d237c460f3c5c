"""Shared fixtures: the bundled sample, a fixed reference date, and a CLI runner."""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from bibkit.cli import main

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
SAMPLE_LISTING = SAMPLES / "listing" / "profile-listing.txt"
# Golden files are made as of this date, so yearless listing dates resolve the same forever.
AS_OF = dt.date(2026, 11, 27)


@dataclass
class Result:
    exit_code: int
    stdout: str
    stderr: str


@pytest.fixture(autouse=True, scope="session")
def _private_cache(tmp_path_factory):
    """No test writes into the user's home: the HTTP cache lives in a temporary folder for
    the whole session (processes the tests start inherit it)."""
    before = os.environ.get("BIBKIT_CACHE_DIR")
    os.environ["BIBKIT_CACHE_DIR"] = str(tmp_path_factory.mktemp("bibkit-cache"))
    yield
    if before is None:
        os.environ.pop("BIBKIT_CACHE_DIR", None)
    else:
        os.environ["BIBKIT_CACHE_DIR"] = before


@pytest.fixture
def cli():
    """Run `bibkit ARGS` in-process; returns exit code, stdout and stderr separately."""

    def run(*args: str, input: str | bytes | None = None) -> Result:
        runner = CliRunner()
        res = runner.invoke(main, list(args), input=input, catch_exceptions=False)
        return Result(res.exit_code, res.stdout, res.stderr)

    return run
