"""The `bibkit` command line: a thin click layer over bibkit.api.

Exit codes: 0 success (warnings allowed), 1 errors in the input (or warnings with --strict),
2 usage errors (bad option, unknown format, missing file). No traceback reaches the user.
"""

from __future__ import annotations

from . import convert, cv, profile, serve  # noqa: F401 - each command registers itself on the group
from .app import main

__all__ = ["main"]
