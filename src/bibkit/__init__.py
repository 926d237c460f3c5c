"""bibkit: turn publication listings into clean citations and convert between formats.

>>> import bibkit
>>> lib = bibkit.load("listing.txt")               # doctest: +SKIP
>>> print(bibkit.dump(lib, "biblatex"))            # doctest: +SKIP
"""

from __future__ import annotations

from .api import Library, convert, dump, enrich_library, load, loads
from .formats.registry import FormatSpec, register
from .model.citation import (
    Citation,
    Identifiers,
    Kind,
    Link,
    PartialDate,
    Person,
    Profile,
    Provenance,
    Status,
    Venue,
)
from .model.diagnostics import Diagnostic, Diagnostics, Severity
from .version import __version__

__all__ = [
    "Citation",
    "Diagnostic",
    "Diagnostics",
    "FormatSpec",
    "Identifiers",
    "Kind",
    "Library",
    "Link",
    "PartialDate",
    "Person",
    "Profile",
    "Provenance",
    "Severity",
    "Status",
    "Venue",
    "__version__",
    "convert",
    "dump",
    "enrich_library",
    "load",
    "loads",
    "register",
]
