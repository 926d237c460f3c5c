"""BibTeX and BibLaTeX reader.

A streaming fast path does the common work: lines are grouped into entry blocks by counting
braces (a C-speed `str.count` per line), and each block is parsed by a small scanner that
finds brace-balanced values with one regex scan over the braces alone. A block the scanner
rejects is handed to bibtexparser v2, whose recovery then reports or rescues it; every block
becomes a citation or a diagnostic with its 1-based line, and the rest of the file goes on.

LaTeX is decoded only in fields that hold a backslash, a brace, a dollar or a ligature
(tex.decode, one scanner); verbatim fields (url, doi, eprint, file) never are.

The package by concern, as bibtexparser v2 splits its parse stack: `scan` (blocks, values,
@string, the tolerant fallback), `names`, `entry` (the mapped entry), `crossref`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from ....model.context import ReadContext
from .. import RecordReader
from .crossref import with_crossrefs
from .entry import nocase_spans, to_citation
from .names import parse_bibtex_name, parse_names
from .scan import BlockError, RawEntry, blocks, parse_block, recover

__all__ = ["READER", "blocks", "looks_like_bibtex", "nocase_spans", "parse_bibtex_name",
           "parse_names", "records"]


# --- the reader -----------------------------------------------------------------------------


def records(stream: Iterable[str], ctx: ReadContext) -> Iterator[tuple[int, str, RawEntry | None]]:
    """Each entry parsed into its raw fields; a block that cannot be parsed even by the
    tolerant parser is reported and yielded as None. @string, @preamble and @comment are
    not records: their macros serve the entries after them."""
    strings: dict[str, str] = {}
    any_block = False
    for line, text, balanced in blocks(stream):
        any_block = True
        try:
            if not balanced:
                raise BlockError("braces do not balance: the entry is not closed", 0)
            entry = parse_block(text, line, strings, ctx)
        except BlockError as exc:
            entry = recover(text, line, exc, ctx)
            if entry is None:
                yield line, "", None
                continue
        if entry is not None:
            yield line, entry.key, entry
    if not any_block:
        ctx.diags.error("BK304", "no BibTeX entries found (an entry starts with '@type{key,')")


READER = RecordReader(lambda lines, ctx: with_crossrefs(records(lines, ctx), ctx),
                      lambda line, entry, ctx: to_citation(entry, ctx), "BK501", "entry")


def looks_like_bibtex(head: str) -> bool:
    return re.search(r"(?m)^\s*@\s*[A-Za-z]+\s*[{(]", head) is not None
