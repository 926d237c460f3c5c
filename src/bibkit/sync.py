"""`--sync refs.bib`: a BibTeX or BibLaTeX file updated in place, not replaced.

The file is the user's: its comments, `@string`s, `@preamble`, its order, its keys, the
fields bibkit has no slot for and the values the user wrote all stay. Each work of the run
is matched to an entry of the file (the same key, else the rules every source is matched
by: an identifier, or title, authors and year); a matched entry is filled from the run
(what it lacks, a full author list for "et al.", the published version for a preprint) and
rewritten only when something changed, under its own key; a work the file does not have is
appended. Nothing is deleted unless `--prune`. A second run with nothing new leaves the file
byte-identical.

Whose value wins is a three-way decision, by field: beside the file a sidecar
(`.refs.bib.bibkit`, JSON) holds, for each entry bibkit wrote, a hash of its text and of each
of its values (title, authors, each venue field and identifier...) as bibkit last wrote them.
An entry that is still exactly that is bibkit's, and the run's values replace its own. In an
entry the user has edited since, a value the user changed is theirs and stays, every other
value follows the run; a value of the user's that the run would now change is said once
(BK412), and not again until the source changes it again. An entry bibkit never wrote is
the user's: the run only fills what it lacks.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

from .api import loads
from .enrich.localbib import LibraryIndex
from .enrich.match import judge
from .enrich.merge import Change, merge
from .formats.readers.bibtex import blocks
from .model.citation import Citation, Identifiers, Kind, Venue, evolve
from .model.context import WriteContext
from .pipeline import write_to


@dataclass(frozen=True)
class Written:
    """What bibkit wrote of one entry: a hash of its text, and of each of its values."""

    text: str
    values: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, object]:
        return {"text": self.text, "values": dict(sorted(self.values.items()))}


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
        self.wrote = _sidecar(ctx.target)  # key -> the entry as bibkit wrote it
        self.replaced: dict[int, str] = {}  # first line of an entry -> its new text
        self.appended: list[str] = []
        self.matched: set[int] = set()
        self.now: dict[str, Written] = {}  # the sidecar after this run

    def take(self, c: Citation) -> None:
        """One work of the run: its entry of the file updated, or a new one appended."""
        mine = self.by_key.get(c.key)
        if mine is None:
            accepted, _ = judge(c, self.index.candidates(c))
            mine = accepted[0][1] if accepted else None
        if mine is None:
            text = write_to(None, self.write, [c], self.ctx)[1] or ""
            self.appended.append(text)
            self.now[c.key] = _written(text)
            self.ctx.diags.info("BK411", "--sync: a new entry, appended", line=c.origin.line,
                                key=c.key)
        elif mine.origin.line not in self.matched:  # else the run's first work decided
            self.matched.add(mine.origin.line)
            self._update(mine, c)

    def _update(self, mine: Citation, c: Citation) -> None:
        raw = self.texts[mine.origin.line]
        before = self.wrote.get(mine.key)
        bibkits = before is not None and before.text == _hash(raw)  # untouched since
        by_id = bool(mine.ids.arxiv and mine.ids.arxiv_base == c.ids.arxiv_base) or bool(
            mine.ids.publisher_doi and mine.ids.doi == c.ids.doi)
        where = f"{mine.key} (line {mine.origin.line} of the file)"  # not the input's line
        kept: dict[str, str] = {}  # a value of the user's -> the run's, as bibkit writes it
        if before is None or bibkits:
            updated, changes = merge(mine, c, "the run", 1.0, prefer_other=bibkits,
                                     same_work_by_id=by_id)
        else:
            updated, changes, kept = self._by_field(mine, c, before, by_id, where)
        if not changes:
            if before is not None:
                self.now[mine.key] = replace(before, values={**before.values, **kept})
            return
        text = (write_to(None, self.write, [updated], self.ctx)[1] or "").rstrip("\n")
        if _hash(text) == _hash(raw):  # nothing new, however the run spells its values
            self.now[mine.key] = (replace(before, values={**before.values, **kept})
                                  if before is not None and not bibkits else _written(text))
            return
        self.replaced[mine.origin.line] = text
        written = _written(text)
        # an entry that keeps a value of the user's is not all bibkit's: no text hash, so
        # the next run decides it field by field again
        self.now[mine.key] = replace(written, text="" if kept else written.text,
                                     values={**written.values, **kept})
        upgraded = " (the published version)" if (
            mine.kind is Kind.PREPRINT and updated.kind is not Kind.PREPRINT) else ""
        self.ctx.diags.info("BK411", f"--sync: {where} updated{upgraded}: "
                            f"{', '.join(ch.field for ch in changes)}", line=mine.origin.line,
                            key=c.key)

    def _by_field(self, mine: Citation, c: Citation, before: Written, by_id: bool, where: str
                  ) -> tuple[Citation, list[Change], dict[str, str]]:
        """An entry the user edited since bibkit wrote it: the run's values for every field
        the user left as bibkit wrote it (or left empty), the user's for the others.
        (The entry, the changes made, and for each value of the user's the run would have
        changed: the run's value as bibkit writes it, remembered so it is said only once.)"""
        updated, changes = merge(mine, c, "the run", 1.0, prefer_other=True,
                                 same_work_by_id=by_id)
        now = _values(mine)
        users = {name for name, h in now.items()
                 if before.values.get(name) != h and _value(mine, name)}
        reverted = {ch.field for ch in changes if ch.field in users}
        if not reverted:
            return updated, changes, {}
        theirs = _written(write_to(None, self.write, [updated], self.ctx)[1] or "").values
        for name in reverted:
            updated = _with_value_of(updated, mine, name)
        new = sorted(name for name in reverted if theirs.get(name) != before.values.get(name))
        if new:
            self.ctx.diags.warning("BK412", f"--sync: {where} was edited by hand; kept: "
                                   f"{', '.join(new)}", line=mine.origin.line, key=mine.key)
        kept = {name: theirs[name] for name in reverted if name in theirs}
        return updated, [ch for ch in changes if ch.field not in reverted], kept

    def prune(self) -> None:
        for c in self.old:
            if c.origin.line not in self.matched:
                self.replaced[c.origin.line] = ""
                self.ctx.diags.warning("BK411", f"--sync --prune: {c.key} (line "
                                       f"{c.origin.line} of the file) removed: the run does "
                                       "not have it", key=c.key)


def _hash(text: str) -> str:
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:16]


def _value(c: Citation, name: str) -> object:
    """A value of a citation by the name a merge's change gives it ("venue.name")."""
    group, _, sub = name.partition(".")
    return getattr(getattr(c, group), sub) if sub else getattr(c, name)


# the values a user may edit and a run may change, by the names of the merge's changes
_VALUE_NAMES = ("authors", "title", "kind", "abstract", "genre",
                *(f"venue.{f.name}" for f in fields(Venue)),
                *(f"ids.{f.name}" for f in fields(Identifiers)))


def _values(c: Citation) -> dict[str, str]:
    return {name: _hash(repr(_value(c, name))) for name in _VALUE_NAMES}


def _with_value_of(c: Citation, mine: Citation, name: str) -> Citation:
    """`c` with the user's value of one field (and what belongs with it) back."""
    group, _, sub = name.partition(".")
    if sub:
        return evolve(c, **{group: replace(getattr(c, group), **{sub: _value(mine, name)})})
    if name == "authors":
        return evolve(c, authors=mine.authors, authors_truncated=mine.authors_truncated)
    if name == "title":
        return evolve(c, title=mine.title, title_nocase=mine.title_nocase)
    if name == "kind":
        return evolve(c, kind=mine.kind, status=mine.status)
    return evolve(c, **{name: _value(mine, name)})


def _written(text: str) -> Written:
    """What bibkit wrote: the entry's text, and its values as the next run will read them."""
    if not text.strip():
        return Written(_hash(text))
    read = list(loads(text, "bibtex", infer=False))
    return Written(_hash(text), _values(read[0]) if len(read) == 1 else {})


def sidecar_path(target: str) -> Path:
    path = Path(target)
    return path.with_name(f".{path.name}.bibkit")


def _sidecar(target: str | None) -> dict[str, Written]:
    """What bibkit wrote last time, by key (empty if unknown). A sidecar of the first
    version holds the text's hash alone: its entries are decided as a whole, once."""
    if not target:
        return {}
    try:
        data = json.loads(sidecar_path(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    entries = data.get("entries") if isinstance(data, dict) else None
    out = {}
    for key, value in (entries.items() if isinstance(entries, dict) else ()):
        if isinstance(value, str):
            out[key] = Written(value)
        elif isinstance(value, dict) and isinstance(value.get("text"), str):
            values = value.get("values")
            out[key] = Written(value["text"], {k: v for k, v in values.items()
                                               if isinstance(v, str)}
                               if isinstance(values, dict) else {})
    return out


def _keep_sidecar(target: str | None, entries: dict[str, Written]) -> None:
    """Write the sidecar beside the file (atomically; a failure costs only the next run's
    knowledge of what bibkit wrote, never the file)."""
    if not target:
        return
    from .io.files import Output

    path = sidecar_path(target)
    text = json.dumps({"bibkit-sync": 2, "entries": {key: entries[key].to_json()
                                                     for key in sorted(entries)}},
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
