"""BibLaTeX writer: the BibTeX engine with biblatex's types and fields (@online, date,
eprinttype, eprintclass, pubstate, addendum)."""

from __future__ import annotations

from .bibtex import make_writer

write = make_writer("biblatex")
