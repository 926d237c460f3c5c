"""Input and output at the edges: decoding with exact error locations, atomic writes.

Input is read as bytes and decoded line by line, so an invalid byte is reported with its
line and column and costs only that line's characters (replaced, and reported), never the
run. Output to a file goes to a temporary file in the target directory that replaces the
target only when the whole output was written and the caller commits it.
"""

from __future__ import annotations

import codecs
import contextlib
import io
import os
import re
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from .diagnostics import Diagnostics

_SNIFF_BYTES = 64 * 1024
_CHUNK = 1 << 20


class InputError(Exception):
    """An input that cannot be read at all; the message is one line for the user."""

    exit_code = 1


class UsageError(InputError):
    exit_code = 2


class Input:
    """An opened input: its display name, the decoded start (for sniffing) and its lines."""

    def __init__(self, name: str, raw: IO[bytes], closer: IO[bytes] | None) -> None:
        self.name = name
        self._raw = raw
        self._closer = closer
        # read (not peek) the start: a pipe may hold less than asked for in its buffer
        self._head = raw.read(_SNIFF_BYTES) or b""
        self.encoding = "utf-8"
        if self._head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            self.encoding = "utf-16"
        elif _looks_binary(self._head):
            self.close()
            raise InputError(f"{name}: is a binary file, not text")
        elif not _is_utf8(self._head) and _is_cp1252(self._head):
            self.encoding = "cp1252"  # a Windows export: said once, at the start (BK306)
        self.head = self._head.decode(self.encoding, errors="replace")

    def lines(self, diags: Diagnostics) -> Iterator[str]:
        """Decoded lines without their "\n" (a CRLF line keeps its "\r"); lines are what
        "\n" separates, as editors number them. An undecodable line is reported (BK303) and
        kept with U+FFFD.

        Decoding works a chunk of whole lines at a time (C speed); only a chunk that fails
        is decoded again line by line, to name the line and column of each bad byte.
        """
        cleaner = _ControlCleaner(diags)
        yield from self._lines(diags, cleaner)
        cleaner.report()

    def _lines(self, diags: Diagnostics, cleaner: _ControlCleaner) -> Iterator[str]:
        pending, self._head = self._head, b""
        pending = pending.removeprefix(codecs.BOM_UTF8)  # a BOM is not content
        if self.encoding == "cp1252":
            diags.warning("BK306", "not UTF-8: read as Windows-1252 (cp1252); check accents")
        if self.encoding != "utf-8":  # rare; decoded whole
            data = pending + self._raw.read()
            text = data.decode(self.encoding, errors="replace").lstrip("\ufeff")
            yield from cleaner.clean(text, text.split("\n"), 1)
            return
        line_no = 0
        while True:
            more = self._raw.read(_CHUNK)
            pending += more
            if not more:  # end of input: the last line may lack its "\n"
                cut = len(pending) + 1
            else:
                cut = pending.rfind(b"\n") + 1
                if cut == 0:  # no line end yet (one very long line): read on
                    continue
            block, pending = pending[: cut - 1], pending[cut:]
            if block or more:
                try:
                    text = block.decode("utf-8")
                    lines = text.split("\n")
                except UnicodeDecodeError:
                    lines = list(self._decode_lines(block, line_no, diags))
                    text = "\n".join(lines)
                yield from cleaner.clean(text, lines, line_no + 1)
                line_no += len(lines)
            if not more:
                return

    @staticmethod
    def _decode_lines(data: bytes, line_no: int, diags: Diagnostics) -> Iterator[str]:
        for n, raw_line in enumerate(data.split(b"\n"), line_no + 1):
            try:
                yield raw_line.decode("utf-8")
            except UnicodeDecodeError as exc:
                diags.error(
                    "BK303",
                    f"invalid UTF-8 byte 0x{raw_line[exc.start]:02x} at "
                    f"column {exc.start + 1}; replaced by U+FFFD",
                    line=n,
                )
                yield raw_line.decode("utf-8", errors="replace")

    def close(self) -> None:
        if self._closer is not None:
            self._closer.close()


_BINARY_MAGIC = (b"%PDF", b"\x89PNG", b"PK\x03\x04", b"\x1f\x8b", b"\x7fELF", b"GIF8",
                 b"\xff\xd8\xff", b"BZh", b"\xfd7zXZ")
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def _looks_binary(head: bytes) -> bool:
    """A known binary signature, or NUL bytes beyond what a damaged text file has."""
    sample = head[:8192]
    return head.startswith(_BINARY_MAGIC) or sample.count(b"\x00") > max(2, len(sample) // 100)


def _is_utf8(head: bytes) -> bool:
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        return exc.start >= len(head) - 3  # only a character cut at the end of the sample
    return True


_UTF8_SEQUENCE = re.compile(
    rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")


def _is_cp1252(head: bytes) -> bool:
    """Decodes as cp1252 and holds no UTF-8 sequence at all: a single-byte file, not a UTF-8
    file with a few bad bytes (that one stays UTF-8, its bad bytes reported: BK303)."""
    if _UTF8_SEQUENCE.search(head):
        return False
    try:
        head.decode("cp1252")
    except UnicodeDecodeError:
        return False
    return True


class _ControlCleaner:
    """Removes control characters (NUL, form feeds, escapes: never content in citations)
    and reports them once (BK305), with the first line and the total."""

    def __init__(self, diags: Diagnostics) -> None:
        self.diags = diags
        self.count = 0
        self.first_line = 0

    def clean(self, text: str, lines: list[str], first: int) -> list[str]:
        """`lines` (the split of `text`, numbered from `first`) without control characters.
        One regex scan of the whole block decides: a clean block, the common case, is
        returned as it is, with no per-line work."""
        if _CONTROL.search(text) is None:
            return lines
        out = []
        for n, line in enumerate(lines, first):
            if _CONTROL.search(line):
                line, k = _CONTROL.subn("", line)
                self.count += k
                self.first_line = self.first_line or n
            out.append(line)
        return out

    def report(self) -> None:
        if self.count:
            self.diags.warning("BK305", f"{self.count} control character(s) such as NUL "
                               "removed, the first on this line", line=self.first_line)


def open_input(path: str) -> Input:
    if path == "-":
        return Input("<stdin>", sys.stdin.buffer, None)
    p = Path(path)
    if not p.exists():
        raise UsageError(f"{path}: no such file")
    if p.is_dir():
        raise UsageError(f"{path}: is a directory, not a file")
    try:
        fh = p.open("rb")
    except OSError as exc:
        raise InputError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    return Input(path, fh, fh)


class Output:
    """A text sink: stdout, or a temporary file that `commit` moves over the target."""

    def __init__(self, path: str | None, newline: str = "") -> None:
        self.path = None if path in (None, "-") else Path(path)
        self._tmp: str | None = None
        if self.path is None:
            self.stream: io.TextIOWrapper = io.TextIOWrapper(
                sys.stdout.buffer, encoding="utf-8", newline=newline, write_through=False
            )
            return
        directory = self.path.parent if str(self.path.parent) else Path(".")
        if not directory.is_dir():
            raise UsageError(f"{self.path}: directory {directory} does not exist")
        try:
            fd, self._tmp = tempfile.mkstemp(
                prefix=f".{self.path.name}.", suffix=".tmp", dir=directory
            )
        except OSError as exc:
            raise InputError(f"{self.path}: cannot write ({exc.strerror or exc})") from exc
        self.stream = open(fd, "w", encoding="utf-8", newline=newline)  # noqa: SIM115

    def commit(self) -> None:
        if self.path is None:
            self.stream.flush()
            self.stream.detach()  # leave sys.stdout usable
            return
        assert self._tmp is not None
        self.stream.flush()
        os.fsync(self.stream.fileno())
        self.stream.close()
        with contextlib.suppress(OSError):  # keep the target's permissions
            os.chmod(self._tmp, os.stat(self.path).st_mode & 0o7777)
        if not self.path.exists():
            os.chmod(self._tmp, 0o666 & ~_umask())
        os.replace(self._tmp, self.path)
        self._tmp = None

    def discard(self) -> None:
        if self.path is None:
            with contextlib.suppress(Exception):
                self.stream.flush()
                self.stream.detach()
            return
        with contextlib.suppress(OSError):
            self.stream.close()
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._tmp)
            self._tmp = None


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def same_file(a: str, b: str | None) -> bool:
    if a == "-" or b in (None, "-"):
        return False
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
