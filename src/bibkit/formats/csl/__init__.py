"""The canonical model <-> CSL-JSON items, both directions in one package.

The model is CSL-shaped (kinds are CSL types, names and dates are CSL's), so most of this is
renaming. What CSL has no variable for (a truncated author list, provenance, links other than
the URL, fields kept from other formats) goes under `custom.bibkit`, which the reader takes
back: `from_csl(to_csl(c)) == c` for every citation, and the standard variables still carry
everything Zotero, pandoc and citation.js use. Its parts: `formats/csl/table` what both
directions share, `formats/csl/write`, `formats/csl/read`.
"""

from __future__ import annotations

from .read import CslError, from_csl
from .table import OTHERS, PROFILE_OWNER, name_variables, note_text, zotero_name
from .write import to_csl

__all__ = ["OTHERS", "PROFILE_OWNER", "CslError", "from_csl", "name_variables", "note_text",
           "to_csl", "zotero_name"]
