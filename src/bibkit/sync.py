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
from .pipeline import write_to


def sync_bib(citations: Iterable[Citation], existing: str, write: Callable[..., int],
             ctx: WriteContext) -> tuple[int, str]:
    """(entries written or kept, the file's new text)."""
    state = _Sync(existing, write, ctx)
    n = 0
    for c in citations:
        n += 1
        state.take(c)
    if ctx.prune:
        state.prune()
    for c in state.old:  # entries kept as they were keep what bibkit knew of them
        if c.key in state.wrote and c.key not in state.now \
                and c.origin.line not in state.replaced:
            state.now[c.key] = state.wrote[c.key]
    if not ctx.dry_run:
        _keep_sidecar(ctx.target, state.now)
    return n, _joined(state.lines, state.spans, state.replaced, state.appended)


class _Sync:
    """The file being updated, and what the run does to it so far."""

    def __init__(self, existing: str, write: Callable[..., int], ctx: WriteContext) -> None:
        self.write, self.ctx = write, ctx
        self.lines = existing.split("\n")
        self.texts = {start: text for start, text, _ in blocks(self.lines)}
        self.spans = {start: start + text.count("\n") for start, text in self.texts.items()}
        self.old = [c for c in loads(existing, "bibtex", infer=False,
                                     name=ctx.diags.file or "sync")
                    if c.origin.line in self.spans]
        self.by_key = {c.key: c for c in self.old}
        self.index = LibraryIndex(self.old)
        self.wrote = _sidecar(ctx.target)  # key -> hash of the entry as bibkit wrote it
        self.replaced: dict[int, str] = {}  # first line of an entry -> its new text
        self.appended: list[str] = []
        self.matched: set[int] = set()
        self.now: dict[str, str] = {}  # the sidecar after this run

    def take(self, c: Citation) -> None:
        """One work of the run: its entry of the file updated, or a new one appended."""
        mine = self.by_key.get(c.key)
        if mine is None:
            accepted, _ = judge(c, self.index.candidates(c))
            mine = accepted[0][1] if accepted else None
        if mine is None:
            text = write_to(None, self.write, [c], self.ctx)[1] or ""
            self.appended.append(text)
            self.now[c.key] = _hash(text)
            self.ctx.diags.info("BK411", "--sync: a new entry, appended", line=c.origin.line,
                                key=c.key)
        elif mine.origin.line not in self.matched:  # else the run's first work decided
            self.matched.add(mine.origin.line)
            self._update(mine, c)

    def _update(self, mine: Citation, c: Citation) -> None:
        raw = self.texts[mine.origin.line]
        bibkits = self.wrote.get(mine.key) == _hash(raw)  # untouched since bibkit wrote it
        by_id = bool(mine.ids.arxiv and mine.ids.arxiv_base == c.ids.arxiv_base) or bool(
            mine.ids.publisher_doi and mine.ids.doi == c.ids.doi)
        updated, changes = merge(mine, c, "the run", 1.0, prefer_other=bibkits,
                                 same_work_by_id=by_id)
        where = f"{mine.key} (line {mine.origin.line} of the file)"  # not the input's line
        if not bibkits and mine.key in self.wrote:
            # edited by hand since bibkit wrote it: the user's values stay; what the run
            # would have replaced as well is said, once an entry
            _, all_changes = merge(mine, c, "the run", 1.0, prefer_other=True,
                                   same_work_by_id=by_id)
            differ = sorted({ch.field for ch in all_changes} - {ch.field for ch in changes})
            if differ:
                self.ctx.diags.warning("BK412", f"--sync: {where} was edited by hand; kept: "
                                       f"{', '.join(differ)}", line=c.origin.line, key=c.key)
        if not changes:
            if mine.key in self.wrote:
                self.now[mine.key] = self.wrote[mine.key]
            return
        text = (write_to(None, self.write, [updated], self.ctx)[1] or "").rstrip("\n")
        if _hash(text) == _hash(raw):  # nothing new, however the run spells its values:
            # an entry exactly as bibkit writes it is bibkit's, unless the user edited it
            edited = not bibkits and mine.key in self.wrote
            self.now[mine.key] = self.wrote[mine.key] if edited else _hash(text)
            return
        self.replaced[mine.origin.line] = text
        self.now[mine.key] = _hash(text)
        upgraded = " (the published version)" if (
            mine.kind is Kind.PREPRINT and updated.kind is not Kind.PREPRINT) else ""
        self.ctx.diags.info("BK411", f"--sync: {where} updated{upgraded}: "
                            f"{', '.join(ch.field for ch in changes)}", line=c.origin.line,
                            key=c.key)

    def prune(self) -> None:
        for c in self.old:
            if c.origin.line not in self.matched:
                self.replaced[c.origin.line] = ""
                self.ctx.diags.warning("BK411", f"--sync --prune: {c.key} (line "
                                       f"{c.origin.line} of the file) removed: the run does "
                                       "not have it", key=c.key)


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
