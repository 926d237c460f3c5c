"""`--sync refs.bib`: a BibTeX or BibLaTeX file updated in place, not replaced.

The file is the user's: its comments, `@string`s, `@preamble`, its order, its keys, the
fields bibkit has no slot for and the values the user wrote all stay. Each work of the run
is matched to an entry of the file (the same key, else the rules every source is matched
by: an identifier, or title, authors and year); a matched entry is filled from the run
(what it lacks, a full author list for "et al.", the published version for a preprint) and
rewritten only when something changed, under its own key; a work the file does not have is
appended. Nothing is deleted unless `--prune`. A second run with nothing new leaves the file
byte-identical.

Whose value wins is a three-way decision, by entry: beside the file a sidecar
(`.refs.bib.bibkit`, JSON) holds a hash of each entry as bibkit last wrote it. An entry that
is still exactly that is bibkit's, and the run's values replace its own; an entry the user
has edited since (or one bibkit never wrote) is the user's: its values win, the run only
fills what it lacks, and a change the run would have made is said (BK412).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path

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
    texts = {start: text for start, text, _ in blocks(lines)}
    spans = {start: start + text.count("\n") for start, text in texts.items()}
    old = [c for c in loads(existing, "bibtex", infer=False, name=ctx.diags.file or "sync")
           if c.origin.line in spans]
    by_key = {c.key: c for c in old}
    index = LibraryIndex(old)
    wrote = _sidecar(ctx.target)  # key -> hash of the entry as bibkit last wrote it
    replaced: dict[int, str] = {}  # first line of an entry -> its new text
    appended: list[str] = []
    matched: set[int] = set()
    now: dict[str, str] = {}  # the sidecar after this run
    n = 0
    for c in citations:
        n += 1
        mine = by_key.get(c.key)
        if mine is None:
            accepted, _ = judge(c, index.candidates(c))
            mine = accepted[0][1] if accepted else None
        if mine is None:
            text = _written([c], write, ctx)
            appended.append(text)
            now[c.key] = _hash(text.rstrip("\n"))
            ctx.diags.info("BK411", "--sync: a new entry, appended", line=c.origin.line,
                           key=c.key)
            continue
        if mine.origin.line in matched:
            continue  # a second work of the run for one entry: the first one decided
        matched.add(mine.origin.line)
        raw = texts[mine.origin.line]
        bibkits = wrote.get(mine.key) == _hash(raw)  # untouched since bibkit wrote it
        by_id = bool(mine.ids.arxiv and mine.ids.arxiv_base == c.ids.arxiv_base) or bool(
            mine.ids.publisher_doi and mine.ids.doi == c.ids.doi)
        updated, changes = merge(mine, c, "the run", 1.0, prefer_other=bibkits,
                                 same_work_by_id=by_id)
        if not bibkits and mine.key in wrote:
            # the user edited this entry since bibkit wrote it: their values stay; what the
            # run would have replaced as well is said, once an entry
            _, all_changes = merge(mine, c, "the run", 1.0, prefer_other=True,
                                   same_work_by_id=by_id)
            differ = sorted({ch.field for ch in all_changes} - {ch.field for ch in changes})
            if differ:
                ctx.diags.warning("BK412", f"--sync: {mine.key} (line {mine.origin.line} of "
                                  f"the file) was edited by hand; kept: {', '.join(differ)}",
                                  line=c.origin.line, key=c.key)
        if not changes:
            if mine.key in wrote:
                now[mine.key] = wrote[mine.key]
            continue
        text = _written([updated], write, ctx).rstrip("\n")
        now[mine.key] = _hash(text)
        if _hash(text) == _hash(raw):
            continue  # the same entry, however the run's values are spelled
        replaced[mine.origin.line] = text
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
    for c in old:  # entries kept as they were keep what bibkit knew of them
        if c.key in wrote and c.key not in now and c.origin.line not in replaced:
            now[c.key] = wrote[c.key]
    if not ctx.dry_run:
        _keep_sidecar(ctx.target, now)
    return n, _joined(lines, spans, replaced, appended)


def _hash(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:16]


def sidecar_path(target: str) -> Path:
    path = Path(target)
    return path.with_name(f".{path.name}.bibkit")


def _sidecar(target: str | None) -> dict[str, str]:
    """What bibkit wrote last time: key -> hash of the entry's text (empty if unknown)."""
    if not target:
        return {}
    try:
        data = json.loads(sidecar_path(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entries = data.get("entries") if isinstance(data, dict) else None
    return {k: v for k, v in entries.items() if isinstance(k, str) and isinstance(v, str)} \
        if isinstance(entries, dict) else {}


def _keep_sidecar(target: str | None, entries: dict[str, str]) -> None:
    """Write the sidecar beside the file (atomically; a failure costs only the next run's
    knowledge of what bibkit wrote, never the file)."""
    if not target:
        return
    from .io.files import Output

    path = sidecar_path(target)
    text = json.dumps({"bibkit-sync": 1, "entries": dict(sorted(entries.items()))},
                      ensure_ascii=False, indent=0) + "\n"
    try:
        if path.exists() and path.read_text(encoding="utf-8") == text:
            return
        with Output(os.fspath(path)) as out:
            out.stream.write(text)
    except OSError:
        pass


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
