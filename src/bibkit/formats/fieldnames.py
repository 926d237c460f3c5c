"""What a field or tag may be called, per format: readers take only such names, and writers
write back a kept field (`extra`) only under such a name, whoever made the Citation (a
CSL-JSON file's custom.bibkit, a plugin, the Python API), so no name can break the syntax of
the file it goes to (`x = {1}}\\n@misc{evil,` as a BibTeX field name, a line break in a RIS
tag)."""

from __future__ import annotations

import re

# BibTeX refuses white space and "#%'(),={} in a name (a key, a field, a macro)
BIBTEX_NAME = r"[^\s=,{}\"#()%']+"
_BIBTEX_NAME = re.compile(BIBTEX_NAME)
_RIS_TAG = re.compile(r"[A-Z][A-Z0-9]")


def is_bibtex_name(name: str) -> bool:
    return _BIBTEX_NAME.fullmatch(name) is not None


def is_ris_tag(tag: str) -> bool:
    return _RIS_TAG.fullmatch(tag) is not None
