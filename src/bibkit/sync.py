"""`--sync refs.bib`, `--sync refs.json`: a BibTeX, BibLaTeX or CSL-JSON file updated in
place, not replaced.

The file is the user's: its comments, `@string`s, `@preamble` (in JSON: the items' other
variables and layout), its order, its keys, the
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

import json
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, fields, replace
from functools import reduce
from pathlib import Path

from .api import loads
from .enrich.duplicates import one_of, report_duplicates, works
from .enrich.localbib import LibraryIndex
from .enrich.match import judge
from .enrich.merge import Change, merge
from .formats.readers.bibtex import blocks
from .io.files import content_hash, keep_text
from .model.citation import Citation, Identifiers, Kind, Origin, Venue, evolve
from .model.context import WriteContext
from .model.diagnostics import Diagnostics
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
    """(entries written or kept, the .bib's new text)."""
    return _sync(_BibFile(existing, ctx.diags.file or "sync"), citations, write, ctx)


def sync_csljson(citations: Iterable[Citation], existing: str, write: Callable[..., int],
                 ctx: WriteContext) -> tuple[int, str]:
    """(entries written or kept, the CSL-JSON file's new text)."""
    return _sync(_JsonFile(existing, ctx.diags.file or "sync"), citations, write, ctx)


def _sync(doc: _BibFile | _JsonFile, citations: Iterable[Citation], write: Callable[..., int],
          ctx: WriteContext) -> tuple[int, str]:
    state = _Sync(doc, write, ctx)
    n = 0
    for c in citations:
        n += 1
        state.take(c)
    if ctx.prune:
        state.prune()
    elif ctx.unmatched:
        state.say_unmatched(ctx.unmatched)
    for i, c in doc.entries.items():  # entries kept as they were keep what bibkit knew
        if c.key in state.wrote and c.key not in state.now and i not in state.replaced:
            state.now[c.key] = state.wrote[c.key]
    if not ctx.dry_run:
        _keep_sidecar(ctx.target, state.now)
    return n, doc.joined(state.replaced, state.appended)


class _BibFile:
    """A .bib as entries (by their first line) and the text between them, kept as it is."""

    fmt = "bibtex"

    def __init__(self, existing: str, name: str) -> None:
        self.lines = existing.split("\n")
        self.raw = {start: text for start, text, _ in blocks(self.lines)}
        self.spans = {start: start + text.count("\n") for start, text in self.raw.items()}
        self.entries = {c.origin.line: c for c in loads(existing, "bibtex", infer=False,
                                                        name=name)
                        if c.origin.line in self.spans}

    @staticmethod
    def item(written: str) -> str:
        return written.rstrip("\n")

    @staticmethod
    def read_back(text: str) -> list[Citation]:
        return list(loads(text, "bibtex", infer=False))

    def joined(self, replaced: dict[int, str], appended: list[str]) -> str:
        return _joined(self.lines, self.spans, replaced, appended)


class _JsonFile:
    """A CSL-JSON array as items (by their index) and the text around them, kept as it is:
    an item is replaced where it stands, a new one goes before the closing bracket."""

    fmt = "csljson"

    def __init__(self, existing: str, name: str) -> None:
        self.text = existing
        self.slices = _json_items(existing)  # (start, end) of each item in the text
        self.raw = {i: existing[a:b] for i, (a, b) in enumerate(self.slices)}
        self.entries: dict[int, Citation] = {}
        for i, text in self.raw.items():
            read = self.read_back(text)
            if len(read) == 1:
                line = existing.count("\n", 0, self.slices[i][0]) + 1
                self.entries[i] = evolve(read[0], origin=Origin(name, line))

    @staticmethod
    def item(written: str) -> str:
        """One item of what the writer wrote for one citation, without the array."""
        return written.strip().removeprefix("[").removesuffix("]").strip()

    @staticmethod
    def read_back(text: str) -> list[Citation]:
        return list(loads("[" + text + "]", "csljson", infer=False))

    def joined(self, replaced: dict[int, str], appended: list[str]) -> str:
        if not replaced and not appended:
            return self.text
        kept = [(i, a, b) for i, (a, b) in enumerate(self.slices) if replaced.get(i) != ""]
        if not kept:  # nothing of the file's is left: the array as the writer writes it
            return "[\n" + ",\n".join("  " + a for a in appended) + "\n]\n" if appended \
                else "[]\n"
        out = [self.text[: self.slices[0][0]]]  # "[\n  ", or whatever the file had
        for n, (i, a, b) in enumerate(kept):
            if n:
                prev, _, prev_end = kept[n - 1]
                # the file's own separator between neighbours; one of ours across a gap
                out.append(self.text[prev_end:a] if i == prev + 1 else ",\n  ")
            out.append(replaced.get(i, self.text[a:b]))
        out += [",\n  " + a for a in appended]
        out.append(self.text[kept[-1][2]:] if kept[-1][0] == len(self.slices) - 1
                   else self.text[self.slices[-1][1]:])
        return "".join(out)


def _json_items(text: str) -> list[tuple[int, int]]:
    """Where each item of a JSON array lies in the text (empty if it is not an array)."""
    decoder = json.JSONDecoder()
    pos = len(text) - len(text.lstrip())
    if not text.startswith("[", pos):
        return []
    pos += 1
    out: list[tuple[int, int]] = []
    while True:
        while pos < len(text) and text[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(text) or text[pos] == "]":
            return out
        try:
            _, end = decoder.raw_decode(text, pos)
        except ValueError:
            return out
        out.append((pos, end))
        pos = end


class _Sync:
    """The file being updated, and what the run does to it so far."""

    def __init__(self, doc: _BibFile | _JsonFile, write: Callable[..., int],
                 ctx: WriteContext) -> None:
        self.doc, self.write, self.ctx = doc, write, ctx
        self.replaced: dict[int, str] = {}  # an entry -> its new text ("" to remove it)
        self.matched: set[int] = set()
        aliases = self._file_duplicates()
        self.where = {id(c): i for i, c in doc.entries.items()}  # a citation -> its entry
        self.by_key = {c.key: c for c in doc.entries.values()}
        self.by_key.update({alias: doc.entries[i] for alias, i in aliases.items()})
        self.index = LibraryIndex(list(doc.entries.values()))
        self.wrote = _sidecar(ctx.target)  # key -> the entry as bibkit wrote it
        self.appended: list[str] = []
        self.now: dict[str, Written] = {}  # the sidecar after this run

    def _file_duplicates(self) -> dict[str, int]:
        """The same work twice in the file is said, with the file's positions (BK204). With
        --dedupe the entries of one work become one where the first stood, under its key,
        the published version's values and both identifiers (enrich.duplicates), the other
        keys kept as aliases (biblatex's `ids`, which biber resolves in \\cite). Returns
        each alias with the entry that now answers to it."""
        said = Diagnostics(self.ctx.target or "sync", sink=self.ctx.diags.adopt, keep=False)
        if not self.ctx.dedupe:
            for _ in report_duplicates(self.doc.entries.values(), said):
                pass
            return {}
        where = {id(c): i for i, c in self.doc.entries.items()}
        aliases: dict[str, int] = {}
        for first, later in works(self.doc.entries.values(), said, lambda c, first: (
                f"merged into it (--dedupe), {c.key!r} kept as its alias (`ids`, which biber "
                f"resolves; with BibTeX cite {first.key!r})")):
            if not later:
                continue
            at = where[id(first)]
            merged = reduce(one_of, later, first)
            keys = [c.key for c in later]
            merged = evolve(merged, extra=(*merged.extra, ("bibtex:ids", ", ".join(keys))),
                            origin=first.origin)
            self.doc.entries[at] = merged
            self.replaced[at] = self.entry_text(merged)
            for c in later:
                del self.doc.entries[where[id(c)]]
                self.replaced[where[id(c)]] = ""
                aliases[c.key] = at
        return aliases

    def entry_text(self, c: Citation) -> str:
        return self.doc.item(write_to(None, self.write, [c], self.ctx)[1] or "")

    def written(self, text: str) -> Written:
        """What bibkit wrote: the entry's text, and its values as the next run reads them."""
        if not text.strip():
            return Written(content_hash(text))
        read = self.doc.read_back(text)
        return Written(content_hash(text), _values(read[0]) if len(read) == 1 else {})

    def take(self, c: Citation) -> None:
        """One work of the run: its entry of the file updated, or a new one appended."""
        mine = self.by_key.get(c.key)
        if mine is None:
            accepted, _ = judge(c, self.index.candidates(c))
            mine = accepted[0][1] if accepted else None
        if mine is None:
            text = self.entry_text(c)
            self.appended.append(text)
            self.now[c.key] = self.written(text)
            self.ctx.diags.info("BK411", "--sync: a new entry, appended", line=c.origin.line,
                                key=c.key)
        elif self.where[id(mine)] not in self.matched:  # else the run's first work decided
            self.matched.add(self.where[id(mine)])
            self._update(mine, c)

    def _update(self, mine: Citation, c: Citation) -> None:
        entry = self.where[id(mine)]
        raw = self.doc.raw[entry]
        before = self.wrote.get(mine.key)
        bibkits = before is not None and before.text == content_hash(raw)  # untouched since
        by_id = bool(mine.ids.arxiv and mine.ids.arxiv_base == c.ids.arxiv_base) or bool(
            mine.ids.publisher_doi and mine.ids.doi_key == c.ids.doi_key)
        where = f"{mine.key} (line {mine.origin.line} of the file)"  # not the input's line
        kept: dict[str, str] = {}  # a value of the user's -> the run's, as bibkit writes it
        if bibkits:
            updated, changes = merge(mine, c, "the run", 1.0, prefer_other=True,
                                     same_work_by_id=by_id)
        elif before is None:  # never bibkit's: the run fills what it lacks
            updated, changes = merge(mine, c, "the run", 1.0, same_work_by_id=by_id)
            if changes:
                kept = self._users_values(mine, c, updated, by_id)
        else:
            updated, changes, kept = self._by_field(mine, c, before, by_id, where)
        if not changes:
            if before is not None:
                self.now[mine.key] = replace(before, values={**before.values, **kept})
            return
        text = self.entry_text(updated)
        if content_hash(text) == content_hash(raw) or self._holds_the_same(text, mine):
            # nothing the file can hold is new (a run's venue year or short name that BibTeX
            # has no field for, a value spelt another way): the entry stays as it is written
            self.now[mine.key] = (replace(before, values={**before.values, **kept})
                                  if before is not None and not bibkits else self.written(raw))
            return
        self.replaced[entry] = text
        written = self.written(text)
        # an entry that keeps a value of the user's is not all bibkit's: no text hash, so
        # the next run decides it field by field again
        self.now[mine.key] = replace(written, text="" if kept else written.text,
                                     values={**written.values, **kept})
        upgraded = " (the published version)" if (
            mine.kind is Kind.PREPRINT and updated.kind is not Kind.PREPRINT) else ""
        self.ctx.diags.info("BK411", f"--sync: {where} updated{upgraded}: "
                            f"{', '.join(ch.field for ch in changes)}", line=mine.origin.line,
                            key=c.key)

    def _holds_the_same(self, text: str, mine: Citation) -> bool:
        """Whether `text` reads back as the entry the file already holds."""
        read = self.doc.read_back(text)
        return len(read) == 1 and evolve(read[0], origin=mine.origin) == mine

    def _users_values(self, mine: Citation, c: Citation, updated: Citation, by_id: bool
                      ) -> dict[str, str]:
        """In an entry of the user's that the run updates, the values that stay the user's
        though the run has others: each with the run's value as bibkit writes it, so that
        the next run knows them for the user's and lets the others follow the run."""
        full, _ = merge(mine, c, "the run", 1.0, prefer_other=True, same_work_by_id=by_id)
        theirs = self.written(self.entry_text(full)).values
        ours = self.written(self.entry_text(updated)).values
        return {name: value for name, value in theirs.items() if ours.get(name) != value}

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
        theirs = self.written(self.entry_text(updated)).values
        for name in reverted:
            updated = _with_value_of(updated, mine, name)
        new = sorted(name for name in reverted if theirs.get(name) != before.values.get(name))
        if new:
            self.ctx.diags.warning("BK412", f"--sync: {where} was edited by hand; kept: "
                                   f"{', '.join(new)}", line=mine.origin.line, key=mine.key)
        kept = {name: theirs[name] for name in reverted if name in theirs}
        return updated, [ch for ch in changes if ch.field not in reverted], kept

    def say_unmatched(self, why: str) -> None:
        for i, c in self.doc.entries.items():
            if i not in self.matched:
                self.ctx.diags.warning("BK915", f"--sync: {c.key} (line {c.origin.line} of the "
                                       f"file): {why}; kept (--prune removes it)", key=c.key)

    def prune(self) -> None:
        for i, c in self.doc.entries.items():
            if i not in self.matched:
                self.replaced[i] = ""
                self.ctx.diags.warning("BK411", f"--sync --prune: {c.key} (line "
                                       f"{c.origin.line} of the file) removed: the run does "
                                       "not have it", key=c.key)


def _value(c: Citation, name: str) -> object:
    """A value of a citation by the name a merge's change gives it ("venue.name")."""
    group, _, sub = name.partition(".")
    return getattr(getattr(c, group), sub) if sub else getattr(c, name)


# the values a user may edit and a run may change, by the names of the merge's changes
_VALUE_NAMES = ("authors", "title", "kind", "abstract", "genre",
                *(f"venue.{f.name}" for f in fields(Venue)),
                *(f"ids.{f.name}" for f in fields(Identifiers)))


def _values(c: Citation) -> dict[str, str]:
    return {name: content_hash(repr(_value(c, name))) for name in _VALUE_NAMES}


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
    if target:
        keep_text(sidecar_path(target), json.dumps(
            {"bibkit-sync": 2, "entries": {key: entries[key].to_json()
                                           for key in sorted(entries)}},
            ensure_ascii=False, indent=0) + "\n")


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
