"""BibTeX source as raw entries: entry blocks found by counting braces, each parsed by a
small scanner (keys, fields, braced and quoted values, @string macros and `#`); a block
the scanner rejects goes to bibtexparser v2, whose recovery reports or rescues it."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from ....infer.dates import MONTH_MACROS
from ....model.context import ReadContext
from ....model.diagnostics import silenced
from ....tex.decode import Report, from_bibtex
from ....tex.text import squash
from ...fieldnames import BIBTEX_NAME, is_bibtex_name

_ENTRY_START = re.compile(r"\s*@\s*([A-Za-z][\w:-]*)\s*([{(])")
_FIELD_NAME = re.compile(rf"\s*({BIBTEX_NAME})\s*=\s*")
_KEY = re.compile(r"\s*([^\s,{}()]*)\s*(,|\}|\))")
BRACES = re.compile(r"[{}]")
_QUOTE_OR_BRACE = re.compile(r'[{}"]')
_NUMBER_OR_MACRO = re.compile(r"[^\s,#{}\"=()]+")
_MAX_STRING_EXPANSION = 1 << 20  # @string values are bounded: no exponential blow-up
MONTHS = {name: i for i, name in enumerate(MONTH_MACROS, 1)}


class BlockError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


# --- blocks -------------------------------------------------------------------------------


def blocks(lines: Iterable[str]) -> Iterator[tuple[int, str, bool]]:
    """(first line, text, balanced) for each `@...` block; text outside blocks is comment.

    A block ends where its braces balance. A line starting with `@` while a block is still
    open means the open block was never closed: it is yielded unbalanced and a new one starts.
    """
    buf: list[str] = []
    start = 0
    depth = 0
    for n, line in enumerate(lines, 1):
        if not buf:
            at = line.find("@")
            if at == -1 or not _ENTRY_START.match(line, at):
                continue  # comment text between entries
            line = line[at:]
            start, depth = n, 0
        elif line.lstrip().startswith("@") and _ENTRY_START.match(line) and depth > 0:
            yield start, "\n".join(buf), False
            buf, start, depth = [], n, 0
        buf.append(line)
        depth += line.count("{") - line.count("}")
        if depth <= 0 and ("{" in line or "}" in line or len(buf) > 1):
            yield start, "\n".join(buf), depth == 0
            buf = []
    if buf:
        yield start, "\n".join(buf), False


# --- values -------------------------------------------------------------------------------


def match_brace(text: str, pos: int) -> int:
    """Index just past the brace group opening at text[pos] == '{'."""
    close = text.find("}", pos + 1)
    if close != -1 and text.find("{", pos + 1, close) == -1:  # no group inside: most values
        return close + 1
    depth = 0
    for m in BRACES.finditer(text, pos):
        depth += 1 if m.group() == "{" else -1
        if depth == 0:
            return m.end()
    raise BlockError("unbalanced braces in a field value", pos)


def _match_quote(text: str, pos: int) -> int:
    """Index just past the "..." string opening at text[pos] == '"'."""
    depth = 0
    for m in _QUOTE_OR_BRACE.finditer(text, pos + 1):
        ch = m.group()
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                break
        elif depth == 0:
            return m.end()
    raise BlockError('unterminated "quoted" value', pos)


@dataclass(slots=True)
class RawEntry:
    entry_type: str
    key: str
    fields: dict[str, str]  # lower-case name -> raw value (braces kept, macros expanded)
    line: int


_SPACE = re.compile(r"[ \t\r\n]*")


def _skip_space(text: str, pos: int) -> int:
    if pos < len(text) and text[pos] not in " \t\r\n":  # nothing to skip: most calls
        return pos
    return _SPACE.match(text, pos).end()  # type: ignore[union-attr]  # always matches


def parse_block(text: str, line: int, strings: dict[str, str], ctx: ReadContext) -> RawEntry | None:
    """Parse one block; @string definitions update `strings`; @comment/@preamble -> None."""
    head = _ENTRY_START.match(text)
    if head is None:
        raise BlockError("not an entry", 0)
    entry_type = head.group(1).lower()
    close = "}" if head.group(2) == "{" else ")"
    pos = head.end()
    if entry_type == "comment":
        return None
    if entry_type in ("string", "preamble"):
        if entry_type == "string":
            m = _FIELD_NAME.match(text, pos)
            if m is None:
                raise BlockError("@string without a name", pos)
            value, pos = _value(text, m.end(), strings, ctx, line)
            strings[m.group(1).lower()] = value
        return None
    m = _KEY.match(text, pos)
    if m is None:
        raise BlockError("entry has no citekey", pos)
    key = m.group(1)
    fields: dict[str, str] = {}
    pos = m.end()
    if m.group(2) != ",":
        return RawEntry(entry_type, key, fields, line)
    while True:
        pos = _skip_space(text, pos)
        while pos < len(text) and text[pos] == ",":
            pos = _skip_space(text, pos + 1)
        if pos >= len(text):
            raise BlockError("entry is not closed", pos)
        if text[pos] == close:
            return RawEntry(entry_type, key, fields, line)
        m = _FIELD_NAME.match(text, pos)
        if m is None:
            raise BlockError(f"expected a field name, found {text[pos : pos + 20]!r}", pos)
        name = m.group(1).lower()
        value, pos = _braced_value(text, m.end()) or _value(text, m.end(), strings, ctx, line)
        if name in fields:
            ctx.diags.warning(
                "BK502",
                f"field {name!r} appears twice; the first is kept",
                line=line + text.count("\n", 0, m.start()),
                key=key,
            )
        else:
            fields[name] = value
        pos = _skip_space(text, pos)
        if pos < len(text) and text[pos] not in ",}" + close:
            missing = _FIELD_NAME.match(text, pos)
            if missing is None:
                raise BlockError(f"expected ',' after field {name!r}", pos)
            # `title = {A}` then `author = {B}` on the next line: a comma forgotten, not a
            # title that goes on; read the next field as one, and say so
            ctx.diags.warning("BK506", f"no comma between fields {name!r} and "
                              f"{missing.group(1).lower()!r}; read as if there were one",
                              line=line + text.count("\n", 0, pos), key=key)


def _braced_value(text: str, pos: int) -> tuple[str, int] | None:
    """The common value, `{text without groups}` and no `#` after it, as `_value` reads it
    (and the position after it and its spaces); None for any other value."""
    if not text.startswith("{", pos):
        return None
    close = text.find("}", pos + 1)
    if close == -1 or text.find("{", pos + 1, close) != -1 or close - pos > _MAX_STRING_EXPANSION:
        return None
    end = _skip_space(text, close + 1)
    if text.startswith("#", end):
        return None
    return text[pos + 1 : close], end


def _value(
    text: str, pos: int, strings: dict[str, str], ctx: ReadContext, line: int
) -> tuple[str, int]:
    """A field value: pieces joined by '#'; returns (raw value, position after it). `line`
    is the block's first line (a warning counts the lines to its own)."""
    pieces: list[str] = []
    while True:
        pos = _skip_space(text, pos)
        if pos >= len(text):
            raise BlockError("field has no value", pos)
        ch = text[pos]
        if ch == "{":
            end = match_brace(text, pos)
            pieces.append(text[pos + 1 : end - 1])
        elif ch == '"':
            end = _match_quote(text, pos)
            pieces.append(text[pos + 1 : end - 1])
        else:
            m = _NUMBER_OR_MACRO.match(text, pos)
            if m is None:
                raise BlockError(f"expected a value, found {text[pos : pos + 20]!r}", pos)
            end = m.end()
            word = m.group()
            if word.isdigit():
                pieces.append(word)
            elif word.lower() in strings:
                pieces.append(strings[word.lower()])
            elif word.lower() in MONTHS:  # jan ... dec, BibTeX's predefined macros
                pieces.append(word.lower())
            else:
                ctx.diags.warning("BK503", f"undefined macro {word!r} kept as text",
                                  line=line + text.count("\n", 0, pos))
                pieces.append(word)
        pos = _skip_space(text, end)
        if pos < len(text) and text[pos] == "#":
            pos += 1
            continue
        value = "".join(pieces)
        if len(value) > _MAX_STRING_EXPANSION:
            raise BlockError("value longer than 1 MiB after @string expansion", pos)
        return value, pos


def recover(text: str, line: int, exc: BlockError, ctx: ReadContext) -> RawEntry | None:
    """Give a block the fast scanner rejected to bibtexparser; report what it cannot save."""
    import bibtexparser

    where = line + text.count("\n", 0, min(exc.offset, len(text)))
    try:
        # bibtexparser logs its own account of the failure; ours, with file and line, suffices
        with silenced("bibtexparser"):
            lib = bibtexparser.parse_string(text)
    except Exception:  # bibtexparser itself failed: the block is lost, and said so
        lib = None
    if lib is not None and lib.entries and not lib.failed_blocks:
        e = lib.entries[0]
        ctx.diags.warning(
            "BK501", f"entry parsed by the tolerant parser after: {exc}", line=where, key=e.key
        )
        fields = {}
        for name, fld in e.fields_dict.items():
            if is_bibtex_name(name):
                fields[name.lower()] = str(fld.value)
            else:  # a commented-out line it read as a field ("% year"): no BibTeX field
                ctx.diags.warning("BK501", f"{name!r} is no field name (a commented-out "
                                  "line?); left out", line=where, key=e.key)
        return RawEntry(e.entry_type.lower(), e.key, fields, line)
    key_match = re.match(r"\s*@\s*\w+\s*[{(]\s*([^,\s]*)", text)
    ctx.diags.error(
        "BK501", f"entry skipped: {exc}", line=where, key=key_match.group(1) if key_match else ""
    )
    return None


def decode_field(text: str, report: Report | None = None) -> str:
    """A text field: model text, TeX that has no exact Unicode form kept as TeX."""
    return squash(from_bibtex(text, report)) if text else ""
