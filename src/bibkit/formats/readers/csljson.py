"""CSL-JSON reader: an array of items or a single item (Zotero, pandoc, citation.js).

The array is read item by item, not loaded whole, so memory stays flat on a huge file, every
item knows the line it starts on (diagnostics and `origin` name it), and a syntax error
spoils one item, not the file. Two tiers: `_fast` lets json's C decoder take the items one
after another from a megabyte of lines (a well-formed file never leaves it, and reads faster
than `json.loads` of the whole); at the first anomaly the rest goes to `_Scanner`, which
follows only strings and brackets, line by line, to find each item's bounds, so it can say
where a broken item is and read on after it. Every problem names the item by its JSON pointer
(`/3/author/0`); the other items convert.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from typing import Any

from ...model.citation import Citation, Profile
from ...model.context import ReadContext
from ...tex.text import LONE_SURROGATE, without_controls
from ..csl import PROFILE_OWNER, CslError, from_csl
from . import RecordReader

_TOKEN = re.compile(r'[{}\[\]"]')  # what changes the structure, outside strings
_IN_STRING = re.compile(r'["\\]')  # what ends a string or escapes the next character


class _Scanner:
    """Finds the top-level values of a JSON document line by line, without parsing them:
    yields (first line, first column, text) for each item of a top-level array, or for the
    one top-level object. Reports text that is not an item itself."""

    def __init__(self, ctx: ReadContext, in_array: bool = False, items: int = 0) -> None:
        self.ctx = ctx
        self.mode = "array" if in_array else ""  # "array" | "object", from the first character
        self.depth = 1 if in_array else 0
        self.in_string = False
        self.escaped = False  # a backslash ended the previous line inside a string
        self.parts: list[str] | None = None  # the item being collected
        self.start = (0, 0)
        self.scalar = False  # the item being collected is a bare string
        self.closed = False
        self.stop = False
        self.items = items

    def scan(self, lines: Iterable[str], first_line: int = 1
             ) -> Iterator[tuple[int, int, str | None]]:
        line_no = first_line - 1
        for line_no, line in enumerate(lines, first_line):
            yield from self._line(line, line_no)
            if self.stop:
                return
        if not self.mode:
            self.ctx.diags.error("BK301", "input is empty")
        elif self.mode == "object" and self.parts is not None:
            yield self.start[0], self.start[1], "\n".join(self.parts)
        elif self.mode == "array" and not self.closed:
            self.ctx.diags.error("BK601", "not valid JSON: the array is not closed; the items "
                                 "before were read", line=line_no)
        elif self.mode == "array" and self.items == 0:
            self.ctx.diags.warning("BK304", "the JSON array holds no items")

    def _line(self, line: str, line_no: int) -> Iterator[tuple[int, int, str | None]]:
        pos = 0
        seg = 0 if self.parts is not None else -1  # where this line's part of the item starts
        if self.mode == "object":
            assert self.parts is not None
            self.parts.append(line)
            return
        while True:
            if self.in_string:
                if self.escaped:
                    self.escaped, pos = False, pos + 1
                m = _IN_STRING.search(line, pos)
                if m is None:
                    break
                if m.group() == "\\":
                    if m.end() >= len(line):
                        self.escaped = True
                    pos = m.end() + 1
                    continue
                self.in_string, pos = False, m.end()
                if self.scalar and self.depth == 1:
                    yield from self._end(line, line_no, seg, pos)
                    seg = -1
                continue
            m = _TOKEN.search(line, pos)
            gap_end = m.start() if m else len(line)
            if self.depth == 1 and self.parts is None:
                yield from self._gap(line[pos:gap_end], line_no)
            elif (self.closed or not self.mode) and not self._outside(line[pos:gap_end],
                                                                      line_no, m):
                return
            if m is None:
                break
            ch, pos = m.group(), m.end()
            if ch == '"':
                self.in_string = True
                if self.depth == 1 and self.parts is None:  # a bare string item
                    self._begin(line_no, m.start())
                    self.scalar, seg = True, m.start()
            elif ch in "[{":
                if not self.mode and ch == "{":  # one object, not an array: read whole
                    self.mode = "object"
                    self.start, self.parts = (line_no, m.start()), [line[m.start():]]
                    return
                seg = self._open(line_no, m.start(), seg)
            else:
                self.depth -= 1
                if self.depth == 1 and self.parts is not None:
                    yield from self._end(line, line_no, seg, pos)
                    seg = -1
                elif self.depth == 0:
                    self.closed = True
                elif self.depth < 0:
                    self._stop(line_no, f"unexpected {ch!r}")
                    return
        if self.parts is not None and seg >= 0:
            self.parts.append(line[seg:])

    def _open(self, line_no: int, col: int, seg: int) -> int:
        """A `[` or `{` inside the array: the array itself, or an item that begins here."""
        if not self.mode:
            self.mode = "array"
        elif self.depth == 1 and self.parts is None:
            self._begin(line_no, col)
            seg = col
        self.depth += 1
        return seg

    def _begin(self, line_no: int, col: int) -> None:
        self.parts, self.start, self.scalar = [], (line_no, col), False

    def _end(self, line: str, line_no: int, seg: int, pos: int) -> Iterator[tuple[int, int, str]]:
        assert self.parts is not None
        self.parts.append(line[max(seg, 0):pos])
        text, self.parts = "\n".join(self.parts), None
        self.items += 1
        yield self.start[0], self.start[1], text

    def _gap(self, text: str, line_no: int) -> Iterator[tuple[int, int, str | None]]:
        """Between items of the array: commas and space, or bare numbers and literals (each
        an item, reported here and yielded as None)."""
        for value in text.split(","):
            value = value.strip()
            if value:
                self.items += 1
                yield line_no, 0, None
                self.ctx.diags.error("BK602", f"item /{self.items - 1} is not an object "
                                     f"({value[:20]}); skipped", line=line_no)

    def _outside(self, text: str, line_no: int, m: re.Match[str] | None) -> bool:
        """Before the document or after its end only space may stand."""
        if text.strip():
            where = "after the end of the array" if self.closed else "before [ or {"
            self._stop(line_no, f"text {where}: {text.strip()[:20]!r}")
            return False
        if self.closed and m is not None:
            self._stop(line_no, f"text after the end of the array: {m.group()!r}")
            return False
        if not self.mode and m is not None and m.group() not in "[{":
            self._stop(line_no, f"expected [ or {{, found {m.group()!r}")
            return False
        return True

    def _stop(self, line_no: int, message: str) -> None:
        self.ctx.diags.error("BK601", f"not valid JSON: {message}", line=line_no)
        self.stop = True


_SPACE = re.compile(r"[ \t\r\n]*")
_NOT_SPACE = re.compile(r"\S")
_CHUNK = 1 << 20
_DECODER = json.JSONDecoder()


def _fast(lines: Iterator[str], ctx: ReadContext, controls: _ControlEscapes
          ) -> Iterator[tuple[int, int, object, str]]:
    """The common case at C speed: json's own raw_decode takes the items of the array one after
    another from a buffer of about a megabyte of whole lines. Yields (line, column, value,
    pointer). A syntax error, or a document that is not an array, goes with the rest of the
    input to the line scanner, which reports it precisely and reads on.

    A JSON token never spans lines (a string cannot hold a raw newline), so an item that fails
    at the very end of the buffer is merely cut by the chunk: more lines are read and it is
    tried again; an error anywhere else is a real one. Commas between items are not checked:
    a missing or doubled comma loses nothing."""
    b = _Buffer(lines)
    items, started, closed = 0, False, False

    def hand_over() -> Iterator[tuple[int, int, object, str]]:
        first = b.line_of(b.pos)
        col = b.pos - (b.buf.rfind("\n", 0, b.pos) + 1)
        rest = (" " * col + b.buf[b.pos:]).split("\n")  # padded: columns stay true
        rest.pop()  # after the newline more() added to the last line
        scanner = _Scanner(ctx, in_array=started, items=items)
        for line_no, column, text in scanner.scan(_chain(rest, lines), first):
            yield from _parsed(line_no, column, text, scanner, controls)

    while True:
        buf = b.buf
        pos = b.pos = _SPACE.match(buf, b.pos).end()  # type: ignore[union-attr]
        if pos >= len(buf):
            if b.eof or not b.more():
                break
            continue
        ch = buf[pos]
        if not started:
            if ch != "[":  # a single object, or not JSON: the scanner says which
                yield from hand_over()
                return
            started, b.pos = True, pos + 1
        elif ch == ",":
            b.pos += 1
        elif ch == "]":
            closed, b.pos = True, pos + 1
            _after_the_array(buf, b.pos, lines, b.line_of, ctx)
            break
        else:
            try:
                value, end = _DECODER.raw_decode(buf, pos)
            except (json.JSONDecodeError, RecursionError) as exc:
                if (isinstance(exc, json.JSONDecodeError) and exc.pos >= len(buf.rstrip())
                        and not b.eof and b.more()):
                    continue  # cut by the chunk: try again with more lines
                yield from hand_over()
                return
            items += 1
            first = b.line_of(pos)
            value = controls.clean(value, buf, pos, end, first)
            yield first, pos - (buf.rfind("\n", 0, pos) + 1), value, f"/{items - 1}"
            b.pos = end
    last_line = (b.line_of(max(b.line_pos, len(b.buf.rstrip()) - 1))
                 if started and not closed else 0)
    _report_end(ctx, started, closed, items, last_line)


class _Buffer:
    """Whole lines of the input, read about a megabyte at a time; `pos` is where reading
    is, `line` the line number at `line_pos`."""

    __slots__ = ("buf", "eof", "line", "line_pos", "lines", "pos")

    def __init__(self, lines: Iterator[str]) -> None:
        self.lines, self.buf, self.pos, self.line, self.line_pos = lines, "", 0, 1, 0
        self.eof = False

    def more(self) -> bool:
        chunk, self.eof = _chunk(self.lines)
        if not chunk:
            return False
        self.line_of(self.pos)  # count the lines of what is dropped
        self.buf = self.buf[self.pos:] + chunk
        self.line_pos = self.pos = 0
        return True

    def line_of(self, at: int) -> int:
        self.line += self.buf.count("\n", self.line_pos, at)
        self.line_pos = at
        return self.line


def _chunk(lines: Iterator[str]) -> tuple[str, bool]:
    """About a megabyte of whole lines, each ended by "\n", and whether the input ended."""
    chunk, size = [], 0
    for text in lines:
        chunk.append(text)
        size += len(text) + 1
        if size >= _CHUNK:
            return "\n".join(chunk) + "\n", False
    return ("\n".join(chunk) + "\n" if chunk else ""), True


def _report_end(ctx: ReadContext, started: bool, closed: bool, items: int, line: int) -> None:
    """What the end of the input says about the document: empty, unclosed, no items."""
    if not started:
        ctx.diags.error("BK301", "input is empty")
    elif not closed:
        ctx.diags.error("BK601", "not valid JSON: the array is not closed; the items before "
                        "were read", line=line)
    elif items == 0:
        ctx.diags.warning("BK304", "the JSON array holds no items")


def _after_the_array(buf: str, pos: int, lines: Iterator[str], line_of: Any,
                     ctx: ReadContext) -> None:
    """Only space may follow the array; anything else is reported once, with its line."""
    m = _NOT_SPACE.search(buf, pos)
    if m is not None:
        ctx.diags.error("BK601", f"not valid JSON: text after the end of the array: "
                        f"{buf[m.start():m.start() + 20].split()[0]!r}", line=line_of(m.start()))
        return
    base = line_of(len(buf) - 1) + 1
    for n, text in enumerate(lines):
        if text.strip():
            ctx.diags.error("BK601", f"not valid JSON: text after the end of the array: "
                            f"{text.strip()[:20]!r}", line=base + n)
            return


def _chain(first: list[str], rest: Iterator[str]) -> Iterator[str]:
    yield from first
    yield from rest


def _parsed(line_no: int, col: int, text: str | None, scanner: _Scanner,
            controls: _ControlEscapes) -> Iterator[tuple[int, int, object, str]]:
    """An item the line scanner found, parsed; a syntax error is reported where it is."""
    ctx = scanner.ctx
    pointer = f"/{scanner.items - 1}" if scanner.mode == "array" else ""
    if text is None:  # not an object, already reported
        yield line_no, col, None, pointer
        return
    try:
        value = json.loads(text)
    except (json.JSONDecodeError, RecursionError) as exc:
        lineno = getattr(exc, "lineno", 1)
        column = getattr(exc, "colno", 0) + (col if lineno == 1 else 0)
        msg = getattr(exc, "msg", "nested too deeply")
        ctx.diags.error("BK601", f"not valid JSON: {msg} (column {column}); item "
                        f"{pointer or '/'} skipped", line=line_no + lineno - 1)
        yield line_no, col, None, pointer  # a block all the same: counted, reported
        return
    yield line_no, col, controls.clean(value, text, 0, len(text), line_no), pointer


class _ControlEscapes:
    """JSON can write a control character as an escape (`\\u001b`, `\\b`), which the cleaning
    of the raw input cannot see. An item whose text holds one has its strings cleaned like
    raw text; all are reported once (BK305). Items without one, nearly all, cost one scan."""

    # a control character, or half of a UTF-16 surrogate pair (tools that cut strings by
    # UTF-16 units leave one): JSON decodes a whole pair to its character, never a half
    _ESCAPE = re.compile(r"\\(?:u00(?:[01][0-9a-fA-F]|7[fF]|[89][0-9a-fA-F])|[bfr]"
                         r"|u[dD][89a-fA-F][0-9a-fA-F]{2})")

    def __init__(self) -> None:
        self.count = 0
        self.first_line = 0
        self.halves = 0  # lone surrogates, each replaced by U+FFFD
        self.first_half_line = 0

    def clean(self, value: object, text: str, start: int, end: int, line: int) -> object:
        if self._ESCAPE.search(text, start, end) is None:
            return value
        before, halves = self.count, self.halves
        value = self._strings(value)
        if self.count > before and not self.first_line:
            self.first_line = line
        if self.halves > halves and not self.first_half_line:
            self.first_half_line = line
        return value

    def _strings(self, value: object) -> object:
        if isinstance(value, str):
            value, changed = without_controls(value)
            self.count += changed
            value, halves = LONE_SURROGATE.subn("\ufffd", value)
            self.halves += halves
            return value
        if isinstance(value, dict):
            return {self._strings(k): self._strings(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self._strings(v) for v in value]
        return value

    def report(self, ctx: ReadContext) -> None:
        if self.halves:
            ctx.diags.warning("BK307", f"{self.halves} lone UTF-16 surrogate escape(s) (such "
                              "as \\ud800, half of a character cut in two) replaced by U+FFFD; "
                              "the first in the item on this line", line=self.first_half_line)
        if self.count:
            ctx.diags.warning("BK305", f"{self.count} control character(s) written as JSON "
                              "escapes (such as \\u001b) removed, or CR made a line feed; the "
                              "first in the item on this line", line=self.first_line)


def records(stream: Iterable[str], ctx: ReadContext
            ) -> Iterator[tuple[int, str, tuple[object, str] | None]]:
    """Each item with its JSON pointer; an item that is not valid JSON is reported and
    yielded as None."""
    controls = _ControlEscapes()
    for line_no, _col, item, pointer in _fast(iter(stream), ctx, controls):
        key = str(item.get("id", "")) if isinstance(item, dict) else ""
        yield line_no, key, None if item is None else (item, pointer)
    controls.report(ctx)


def _profile_owner(item: dict[str, Any]) -> str:
    custom = item.get("custom")
    mine = custom.get("bibkit") if isinstance(custom, dict) else None
    owner = mine.get(PROFILE_OWNER) if isinstance(mine, dict) else None
    return owner.strip() if isinstance(owner, str) else ""


def convert(line_no: int, data: tuple[object, str], ctx: ReadContext) -> Citation | None:
    item, pointer = data
    if not isinstance(item, dict):
        ctx.diags.error("BK602", f"item {pointer or '/'} is not an object; skipped",
                        line=line_no)
        return None
    if ctx.profile is None:  # the listing's owner, as bibkit's CSL-JSON carries it
        owner = _profile_owner(item)
        if owner:
            ctx.profile = Profile(name=owner)
    def partly(code: str, message: str) -> None:
        ctx.diags.warning(code, message, line=line_no, key=str(item.get("id", "")))

    try:
        return from_csl(item, line_no, ctx.diags.file, partly)
    except CslError as exc:
        ctx.diags.error("BK603", f"item {pointer}{exc.pointer}: {exc}; item skipped",
                        line=line_no, key=str(item.get("id", "")))
        return None


READER = RecordReader(records, convert, "BK603", "item")


def looks_like_csljson(head: str) -> bool:
    start = head.lstrip()[:1]
    return start in ("[", "{") and ('"type"' in head or '"title"' in head or start == "[")
