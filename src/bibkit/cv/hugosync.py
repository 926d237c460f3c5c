"""`--sync DIR` for Hugo Blox pages: the page folders bibkit wrote are updated in place.

A page is found by its citekey (the key in its `cite.bib`), else by the work's arXiv id or
DOI (a preprint's page takes its published version). In its `index.md`, each front-matter
field bibkit writes is replaced by the run's value, unless the user edited it since bibkit
last wrote it (what bibkit wrote is remembered beside the folder, as for a synced .bib):
then the user's stays, and it is said once (BK412). Every other field, its place, and the
page's text below the front matter are the user's and stay as they are. `cite.bib` is
replaced unless the user edited it. A file whose text would not change is not written, so
a second run with nothing new touches nothing; pages the run does not have are kept.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..enrich.match import id_keys
from ..formats import registry
from ..io.files import Output, content_hash, keep_text, text_input
from ..model.citation import Citation
from ..model.context import ReadContext
from ..model.diagnostics import Diagnostics

# a top-level front-matter key at the start of its line; lines indented or starting a list
# item below it are its value's
_KEY = re.compile(r"^([A-Za-z_][\w-]*)\s*:")
SIDECAR_VERSION = 1


@dataclass
class Page:
    """What the run writes for one work: its two files."""

    key: str
    index: str
    cite: str
    citation: Citation


@dataclass
class _FrontMatter:
    blocks: list[tuple[str | None, str]]  # (key, its lines) in the file's order
    body: str  # everything after the closing `---`

    @classmethod
    def parse(cls, text: str) -> _FrontMatter | None:
        if not text.startswith("---\n"):
            return None
        end = text.find("\n---\n", 3)
        if end < 0:
            return None
        blocks: list[tuple[str | None, str]] = []
        for line in text[4:end + 1].splitlines(keepends=True):
            m = _KEY.match(line)
            if m or not blocks:
                blocks.append((m.group(1) if m else None, line))
            else:  # a continuation line belongs to the block above
                key, lines = blocks[-1]
                blocks[-1] = (key, lines + line)
        return cls(blocks, text[end + 5:])

    def values(self) -> dict[str, str]:
        return {key: lines for key, lines in self.blocks if key is not None}

    def text(self) -> str:
        return "---\n" + "".join(lines for _, lines in self.blocks) + "---\n" + self.body


@dataclass
class HugoSync:
    """One run's update of a page folder tree; `plan` fills `writes` (path -> text)."""

    target: Path
    diags: Diagnostics
    before: dict[str, dict[str, object]] = field(init=False)  # the sidecar's pages
    now: dict[str, dict[str, object]] = field(default_factory=dict)
    writes: dict[Path, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.before = _read_sidecar(self.target)

    def existing_pages(self) -> dict[str, str]:
        """Identity keys ("key:…", "arxiv:…", "doi:…") -> the folder holding that page."""
        found: dict[str, str] = {}
        for folder in sorted(p for p in self.target.iterdir() if p.is_dir()):
            text = _read(folder / "cite.bib")
            for c in _page_entries(text or "", str(folder / "cite.bib"))[:1]:
                for ident in (f"key:{c.key}", *id_keys(c)):
                    found.setdefault(ident, folder.name)
        return found

    def plan(self, pages: list[Page], name_new: Callable[[Citation], str]) -> None:
        """Match each page to its folder; a page no folder holds gets `name_new`'s."""
        found = self.existing_pages()
        used: set[str] = set()
        for page in pages:
            idents = (f"key:{page.key}", *id_keys(page.citation))
            folder = next((found[i] for i in idents if i in found and found[i] not in used),
                          None)
            if folder is None:
                folder = name_new(page.citation)
                self.writes[self.target / folder / "index.md"] = page.index
                self.writes[self.target / folder / "cite.bib"] = page.cite
                self.now[folder] = {"index": {k: content_hash(v) for k, v in
                                              _parsed(page.index).values().items()},
                                    "cite": content_hash(page.cite)}
            else:
                self._update(folder, page)
            used.add(folder)
        kept = sorted({f for f in found.values()} - used)
        for folder in kept:
            self.now[folder] = self.before.get(folder, {})
            self.diags.info("BK411", f"--sync: page {folder} is not in this run: kept")

    def _update(self, folder: str, page: Page) -> None:
        where = self.target / folder
        old_index = _read(where / "index.md")
        old_cite = _read(where / "cite.bib")
        last = self.before.get(folder, {})
        recorded = last.get("index")
        last_fields: dict[str, str] | None = recorded if isinstance(recorded, dict) else None
        new = _parsed(page.index)
        old = _FrontMatter.parse(old_index) if old_index is not None else None
        kept: list[str] = []
        if old_index is None:  # the folder lost its page: the run's
            merged = page.index
        elif old is None:  # TOML front matter, or none: the user's, as it is
            merged = old_index
            self.diags.warning("BK412", f"--sync: {folder}/index.md has no YAML front matter "
                               "bibkit can read; kept as it is", key=page.key)
        else:
            merged, kept = _merged(old, new, last_fields)
        said = [k for k in kept if last_fields is None or
                last_fields.get(k) != content_hash(new.values().get(k, ""))]
        if said and last_fields is not None:
            self.diags.warning("BK412", f"--sync: page {folder} was edited by hand; kept: "
                               f"{', '.join(said)}", key=page.key)
        if merged != old_index:
            self.writes[where / "index.md"] = merged
        cite_is_users = (old_cite is not None
                         and last.get("cite") not in (None, content_hash(old_cite))
                         and content_hash(old_cite) != content_hash(page.cite))
        if cite_is_users:
            self.diags.warning("BK412", f"--sync: {folder}/cite.bib was edited by hand; kept",
                               key=page.key)
        elif old_cite != page.cite:
            self.writes[where / "cite.bib"] = page.cite
        self.now[folder] = {"index": {k: content_hash(v) for k, v in new.values().items()},
                            "cite": last.get("cite") if cite_is_users else content_hash(page.cite)}

    def commit(self) -> None:
        """Write what changed (each file atomically), then the sidecar."""
        for path, text in self.writes.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with Output(os.fspath(path), newline="\n") as out:
                out.stream.write(text)
        _keep_sidecar(self.target, self.now)


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _page_entries(text: str, name: str) -> list[Citation]:
    """The entries of a page's cite.bib as written (its problems are the page's, not the
    run's: they are not said)."""
    diags = Diagnostics(name, keep=False)
    return list(registry.reader("bibtex")(text_input(name, text.encode("utf-8")).lines(diags),
                                          ReadContext(diags)))


def _parsed(text: str) -> _FrontMatter:
    parsed = _FrontMatter.parse(text)
    assert parsed is not None, "bibkit's own page has front matter"
    return parsed


def _merged(old: _FrontMatter, new: _FrontMatter, last: dict[str, str] | None
            ) -> tuple[str, list[str]]:
    """(the page's new text, the bibkit fields whose value stays the user's). Without a
    record of what bibkit wrote (a page bibkit did not write, or one written with -o), the
    run only adds the fields the page lacks."""
    theirs, ours = old.values(), new.values()

    def users(key: str) -> bool:
        return last is None or last.get(key) != content_hash(theirs[key])

    kept: list[str] = []
    blocks: list[tuple[str | None, str]] = []
    for key, lines in old.blocks:
        if key is None or (key not in ours and key not in (last or {})):
            blocks.append((key, lines))  # the user's own field, where it stands
        elif users(key):
            blocks.append((key, lines))
            if ours.get(key) is not None and content_hash(ours[key]) != content_hash(lines):
                kept.append(key)
        elif key in ours:
            blocks.append((key, ours[key]))
        # else: a field bibkit wrote and no longer has, untouched since: it goes
    present = {key for key, _ in blocks}
    blocks += [(key, lines) for key, lines in new.blocks if key not in present]
    return _FrontMatter(blocks, old.body).text(), kept


def sidecar_of(target: Path) -> Path:
    return target.with_name(f".{target.name}.bibkit")


def _read_sidecar(target: Path) -> dict[str, dict[str, object]]:
    try:
        data = json.loads(sidecar_of(target).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    pages = data.get("pages") if isinstance(data, dict) else None
    return {k: v for k, v in pages.items() if isinstance(v, dict)} if isinstance(
        pages, dict) else {}


def _keep_sidecar(target: Path, pages: dict[str, dict[str, object]]) -> None:
    keep_text(sidecar_of(target), json.dumps(
        {"bibkit-hugo-sync": SIDECAR_VERSION, "pages": {k: pages[k] for k in sorted(pages)}},
        ensure_ascii=False, indent=0, sort_keys=True) + "\n")
