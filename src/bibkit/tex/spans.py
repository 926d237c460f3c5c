"""Marked spans in model text: TeX that must stay TeX, and rich text (italic, bold, ...).

Model text is a `str`, so every field stays hashable, comparable and cheap. Two kinds of span
are marked inside it with Unicode noncharacters (U+FDD0-U+FDD4), which the standard reserves
for a program's internal use and which never occur in interchange text (the readers' input
cleaner replaces any that arrive):

- **TeX**: `TEX + source + END`, source kept verbatim: math (`$\\ell_0$`, `\\(x\\)`) or a
  command a .bib file holds that has no exact Unicode form (`{\\TeX}`, `\\foo{bar}`).
- **Rich**: `RICH + command + SEP + inner + RICH_END`, where `command` is a LaTeX text command
  (`textit`, `textbf`, `textsc`, `textsuperscript`, `textsubscript`) and `inner` is model text
  again (it may hold spans).

Writers render spans for their format (bibkit.tex.render): LaTeX outputs write TeX verbatim, CSL
writes math as its source and rich text as CSL's HTML-like markup, RIS and MODS as text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

TEX, END, RICH, SEP, RICH_END = "\ufdd0", "\ufdd1", "\ufdd2", "\ufdd3", "\ufdd4"
MARKS = TEX + END + RICH + SEP + RICH_END
MARK_RE = re.compile(f"[{MARKS}]")

# The text commands a span may carry, and what CSL calls them (CSL 1.0.2, "Rich text").
RICH_COMMANDS = {
    "textit": ("<i>", "</i>"),
    "emph": ("<i>", "</i>"),
    "textbf": ("<b>", "</b>"),
    "textsc": ('<span style="font-variant:small-caps;">', "</span>"),
    "textsuperscript": ("<sup>", "</sup>"),
    "textsubscript": ("<sub>", "</sub>"),
}


def tex_span(source: str) -> str:
    return TEX + source + END


def rich_span(command: str, inner: str) -> str:
    return RICH + command + SEP + inner + RICH_END


def has_spans(text: str) -> bool:
    """Whether `text` holds any span (one C-speed test for the common ASCII case)."""
    return not text.isascii() and (TEX in text or RICH in text)


@dataclass(frozen=True, slots=True)
class Tex:
    source: str

    @property
    def is_math(self) -> bool:
        return self.source.startswith(("$", "\\(", "\\[", "\\ensuremath"))


@dataclass(frozen=True, slots=True)
class Rich:
    command: str
    children: tuple[Node, ...]


Node = str | Tex | Rich


def parse(text: str) -> list[Node]:
    """The text as a list of plain strings, Tex spans and Rich spans (nested).

    >>> parse("a" + tex_span("$x$") + rich_span("textit", "b"))
    ['a', Tex(source='$x$'), Rich(command='textit', children=('b',))]
    """
    if not has_spans(text):
        return [text] if text else []
    nodes, _ = _parse(text, 0, top=True)
    return nodes


def _parse(text: str, pos: int, top: bool) -> tuple[list[Node], int]:
    out: list[Node] = []
    while pos < len(text):
        m = MARK_RE.search(text, pos)
        if m is None:
            out.append(text[pos:])
            return out, len(text)
        if m.start() > pos:
            out.append(text[pos : m.start()])
        mark = m.group()
        if mark == TEX:
            end = text.find(END, m.end())
            if end == -1:  # never built by bibkit; read the rest as text rather than fail
                out.append(text[m.end() :])
                return out, len(text)
            out.append(Tex(text[m.end() : end]))
            pos = end + 1
        elif mark == RICH:
            sep = text.find(SEP, m.end())
            if sep == -1:
                out.append(text[m.end() :])
                return out, len(text)
            inner, pos = _parse(text, sep + 1, top=False)
            out.append(Rich(text[m.end() : sep], tuple(inner)))
        elif mark == RICH_END and not top:
            return out, m.end()
        else:  # a stray mark: skip it
            pos = m.end()
    return out, pos


def strip_marks(text: str) -> str:
    """The text with every mark removed (sources and inner text stay): for comparing and
    folding, where only the characters matter."""
    return MARK_RE.sub("", text) if has_spans(text) else text


def to_tree(text: str) -> list[object]:
    """Model text as JSON-safe data, marks spelled out: for formats that must carry it
    exactly (CSL-JSON's custom.bibkit). `from_tree` is its inverse.

    >>> from_tree(to_tree("a" + tex_span("$x$"))) == "a" + tex_span("$x$")
    True
    """
    return [_node_tree(node) for node in parse(text)]


def _node_tree(node: Node) -> object:
    if isinstance(node, str):
        return node
    if isinstance(node, Tex):
        return {"tex": node.source}
    return {"rich": node.command, "text": [_node_tree(n) for n in node.children]}


def from_tree(tree: object, tex_ok: Callable[[str], bool] | None = None,
              refused: Callable[[str], None] | None = None) -> str:
    """Model text from `to_tree`'s data. A tree from an untrusted file is checked: a TeX
    source `tex_ok` refuses, and a rich command bibkit does not write, come back as the
    characters they hold (writers escape them), and `refused` hears of each."""
    if isinstance(tree, str):
        return tree
    if isinstance(tree, list):
        return "".join(from_tree(n, tex_ok, refused) for n in tree)
    if isinstance(tree, dict):
        if isinstance(tree.get("tex"), str):
            source = tree["tex"]
            if tex_ok is None or tex_ok(source):
                return tex_span(source)
            if refused is not None:
                refused(source)
            return source
        if isinstance(tree.get("rich"), str):
            inner = from_tree(tree.get("text", []), tex_ok, refused)
            if tree["rich"] in RICH_COMMANDS:
                return rich_span(tree["rich"], inner)
            if refused is not None:
                refused(f"\\{tree['rich']}")
            return inner
    raise ValueError("not a bibkit text tree")


def exact_text(text: str) -> object:
    """A string as itself when it has no spans, else its tree."""
    return to_tree(text) if has_spans(text) else text


def unparse(nodes: tuple[Node, ...] | list[Node]) -> str:
    """Model text from nodes: the inverse of `parse`."""
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Tex):
            out.append(tex_span(node.source))
        else:
            out.append(rich_span(node.command, unparse(node.children)))
    return "".join(out)
