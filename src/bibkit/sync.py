"""`--sync refs.bib`: a BibTeX or BibLaTeX file updated in place, not replaced.

The file is the user's: its comments, `@string`s, `@preamble`, its order, its keys, the
fields bibkit has no slot for and the values the user wrote all stay. Each work of the run
is matched to an entry of the file (the same key, else the rules every source is matched
by: an identifier, or title, authors and year); a matched entry is filled from the run
(what it lacks, a full author list for "et al.", the published version for a preprint) and
rewritten only when something changed, under its own key; a work the file does not have is
appended. Nothing is deleted. A second run with nothing new leaves the file byte-identical.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from .api import loads
from .enrich.localbib import LibraryIndex
from .enrich.match import judge
from .enrich.merge import merge
from .formats.readers.bibtex import blocks
from .model.citation import Citation, Kind
from .model.context import WriteContext


def sync_bib(citations: Iterable[Citation], existing: str, write: Callable[..., int],
             ctx: WriteContext) -> tuple[int, str]:
    """(entries written or kept, the file's new text)."""
    lines = existing.split("\n")
    spans = {start: start + text.count("\n") for start, text, _ in blocks(lines)}
    old = [c for c in loads(existing, "bibtex", infer=False, name=ctx.diags.file or "sync")
           if c.origin.line in spans]
    by_key = {c.key: c for c in old}
    index = LibraryIndex(old)
    replaced: dict[int, str] = {}  # first line of an entry -> its new text
    appended: list[str] = []
    matched: set[int] = set()
    n = 0
    for c in citations:
        n += 1
        mine = by_key.get(c.key)
        if mine is None:
            accepted, _ = judge(c, index.candidates(c))
            mine = accepted[0][1] if accepted else None
        if mine is not None:
            matched.add(mine.origin.line)
        if mine is None:
            appended.append(_written([c], write, ctx))
            ctx.diags.info("BK411", "--sync: a new entry, appended", line=c.origin.line,
                           key=c.key)
            continue
        by_id = bool(mine.ids.arxiv and mine.ids.arxiv_base == c.ids.arxiv_base) or bool(
            mine.ids.publisher_doi and mine.ids.doi == c.ids.doi)
        # the file's values win; the run fills what it lacks and upgrades a preprint
        updated, changes = merge(mine, c, "the run", 1.0, same_work_by_id=by_id)
        if changes and mine.origin.line not in replaced:
            replaced[mine.origin.line] = _written([updated], write, ctx).rstrip("\n")
            what = ", ".join(ch.field for ch in changes)
            upgraded = " (the published version)" if (
                mine.kind is Kind.PREPRINT and updated.kind is not Kind.PREPRINT) else ""
            # (the line is the file's, not the input's the diagnostics name)
            ctx.diags.info("BK411", f"--sync: {mine.key} (line {mine.origin.line} of the "
                           f"file) updated{upgraded}: {what}", line=c.origin.line, key=c.key)
    if ctx.prune:
        for c in old:
            if c.origin.line not in matched:
                replaced[c.origin.line] = ""
                ctx.diags.warning("BK411", f"--sync --prune: {c.key} (line {c.origin.line} "
                                  "of the file) removed: the run does not have it", key=c.key)
    return n, _joined(lines, spans, replaced, appended)


def _written(citations: list[Citation], write: Callable[..., int], ctx: WriteContext) -> str:
    buf = io.StringIO(newline="")
    write(citations, buf, ctx)
    return buf.getvalue()


def _joined(lines: list[str], spans: dict[int, int], replaced: dict[int, str],
            appended: list[str]) -> str:
    out: list[str] = []
    i = 1
    while i <= len(lines):
        if i in replaced:
            end = spans[i]
            if replaced[i]:
                out.append(replaced[i])
            elif end < len(lines) and not lines[end].strip():
                end += 1  # a removed entry takes the blank line after it
            i = end + 1
            continue
        out.append(lines[i - 1])
        i += 1
    text = "\n".join(out)
    if appended:
        text = text.rstrip("\n") + ("\n\n" if text.strip() else "") + "\n".join(appended)
    return text if text.endswith("\n") or not text else text + "\n"
