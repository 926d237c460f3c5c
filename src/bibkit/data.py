"""Locate and load the declarative data in `formats/` (shipped in the wheel as bibkit/_formats).

Every table is validated when it is loaded, so a bad edit fails loudly at start-up with the
file name rather than as a wrong citation later.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any


class FormatDataError(Exception):
    """A file under formats/ is missing or malformed."""


def formats_dir() -> Path:
    """`bibkit/_formats` in an installed wheel, else `formats/` of the source checkout."""
    package = Path(__file__).resolve().parent  # bibkit/
    for candidate in (package / "_formats", package.parent.parent / "formats"):
        if candidate.is_dir():
            return candidate
    raise FormatDataError("bibkit's data directory (formats/) was not found")


@cache
def load_toml(name: str) -> dict[str, Any]:
    path = formats_dir() / name
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except FileNotFoundError as exc:
        raise FormatDataError(f"{path}: missing") from exc
    except tomllib.TOMLDecodeError as exc:
        raise FormatDataError(f"{path}: {exc}") from exc
    if data.get("schema") != 1:
        raise FormatDataError(f"{path}: expected 'schema = 1'")
    return data


def require(cond: bool, name: str, what: str) -> None:
    if not cond:
        raise FormatDataError(f"{formats_dir() / name}: {what}")
