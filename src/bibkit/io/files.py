"""Input and output at the edges: decoding with exact error locations, atomic writes.

Input is read as bytes and decoded line by line, so an invalid byte is reported with its
line and column and costs only that line's characters (replaced, and reported), never the
run. Output to a file goes to a temporary file in the target directory that replaces the
target only when the whole output was written and the caller commits it.
"""

from __future__ import annotations

import codecs
import contextlib
import hashlib
import io
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO, Any

from ..model.diagnostics import Diagnostics
from ..tex.text import CONTROL_CHARS

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
        # lines ended by CR alone (classic Mac OS, old exports): a CR is the line end, as
        # the bibtex program and bibtexparser read it, not a control inside one long line
        self.cr_lines = b"\r" in self._head and b"\n" not in self._head
        if self.cr_lines:
            self._head = self._head.replace(b"\r", b"\n")
        self.head = self._head.decode(self.encoding, errors="replace")
        # the whole input was read into the head and holds nothing but white space
        self.blank = len(self._head) < _SNIFF_BYTES and not self._head.strip()

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
        if self.cr_lines:
            diags.info("BK308", "lines end in CR alone (classic Mac OS): read as line ends")
        if self.encoding != "utf-8":  # rare; decoded whole
            data = pending + self._raw.read()
            if self.cr_lines:
                data = data.replace(b"\r", b"\n")
            text = data.decode(self.encoding, errors="replace").lstrip("\ufeff")
            yield from cleaner.clean(text, text.split("\n"), 1)
            return
        line_no = 0
        while True:
            more = self._raw.read(_CHUNK)
            if self.cr_lines:
                more = more.replace(b"\r", b"\n")
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
# C0 controls but tab, LF and CR, DEL, and the C1 controls (U+0080-U+009F, terminal
# commands such as CSI). A CR is a line end only before LF or at the end of a line.
_CONTROL = re.compile(f"[{CONTROL_CHARS}]")
_LONE_CR = re.compile(r"\r(?!\n|\Z)")
_MID_LINE_CONTROL = re.compile(_CONTROL.pattern + r"|\r(?!\Z)")


_BINARY_BYTES = re.compile(rb"[\x00-\x08\x0e-\x1a\x1c-\x1f\x7f]")


def _looks_binary(head: bytes) -> bool:
    """A known binary signature, NUL bytes beyond what a damaged text file has, or control
    bytes that no text holds (random bytes: one in eight) in more than 2% of the start."""
    sample = head[:8192]
    return (head.startswith(_BINARY_MAGIC)
            or sample.count(b"\x00") > max(2, len(sample) // 100)
            or len(_BINARY_BYTES.findall(sample)) > max(8, len(sample) // 50))


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
        self.composed = 0  # lines whose decomposed letters were composed
        self.first_composed = 0

    def clean(self, text: str, lines: list[str], first: int) -> list[str]:
        """`lines` (the split of `text`, numbered from `first`) without control characters,
        their decomposed letters composed. One regex scan of the whole block decides each:
        a clean block, the common case, is returned as it is, with no per-line work."""
        # NFC text, nearly all of it, passes unicodedata's quick check at C speed (five
        # times a regex scan for combining marks); only a block that fails it is looked at
        if not text.isascii() and not unicodedata.is_normalized("NFC", text):
            lines = self._composed(lines, first)
        if _CONTROL.search(text) is None and ("\r" not in text or not _LONE_CR.search(text)):
            return lines
        out = []
        for n, line in enumerate(lines, first):
            if _MID_LINE_CONTROL.search(line):
                # a CR inside a line was a line break somewhere: a space keeps words apart
                line, k = _MID_LINE_CONTROL.subn(_replacement, line)
                self.count += k
                self.first_line = self.first_line or n
            out.append(line)
        return out

    def _composed(self, lines: list[str], first: int) -> list[str]:
        """Letters written as a base and combining accents (NFD: macOS, some copy-pastes)
        as the one character Unicode has for them (NFC): `Tra` U+0302 U+0300 `n` is Trần.
        Only such clusters change; a compatibility character (a CJK compatibility
        ideograph, the Ångström sign) stays as written, which NFC of the whole text would
        not leave."""
        out = []
        for n, line in enumerate(lines, first):
            composed = _CLUSTER.sub(_nfc, line) if _DECOMPOSED.search(line) else line
            if composed != line:
                self.composed += 1
                self.first_composed = self.first_composed or n
            out.append(composed)
        return out

    def report(self) -> None:
        if self.composed:
            self.diags.info("BK309", f"letters written decomposed (NFD) composed (NFC) on "
                            f"{self.composed} line(s), the first this one",
                            line=self.first_composed)
        if self.count:
            self.diags.warning("BK305", f"{self.count} control character(s) such as NUL, ESC "
                               "or a CR inside a line removed (a CR became a space), the first "
                               "on this line", line=self.first_line)


# combining accents (U+0300-U+036F) and Hangul's conjoining vowels and finals: what
# decomposed text holds; a letter with its accents, a syllable of jamo, is one cluster
_DECOMPOSED = re.compile("[\u0300-\u036f\u1160-\u11ff]")
_CLUSTER = re.compile("[^\u0300-\u036f][\u0300-\u036f]+|[\u1100-\u115f][\u1160-\u11a7]"
                      "[\u11a8-\u11ff]?")


def _nfc(m: re.Match[str]) -> str:
    return unicodedata.normalize("NFC", m.group())


def _replacement(m: re.Match[str]) -> str:
    return " " if m.group() == "\r" else ""


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


def text_input(name: str, data: bytes) -> Input:
    """An input from bytes in memory (`bibkit.loads`, the web page's paste, a page's
    cite.bib), read as a file is."""
    return Input(name, io.BufferedReader(io.BytesIO(data)), None)


def content_hash(text: str) -> str:
    """A short hash of a text as bibkit wrote it, for the sidecars that remember what bibkit
    wrote (whitespace at its ends aside)."""
    return hashlib.sha256(text.strip().encode("utf-8")).hexdigest()[:16]


def keep_text(path: Path, text: str) -> None:
    """Write a bookkeeping file (a sidecar) atomically, only when its text changed; a
    failure costs the next run's memory of what bibkit wrote, never the user's file."""
    try:
        if path.exists() and path.read_text(encoding="utf-8") == text:
            return
        with Output(os.fspath(path), newline="\n") as out:
            out.stream.write(text)
    except OSError:
        pass


def _stdout(newline: str) -> io.TextIOWrapper:
    """Standard output as a buffered text stream of bibkit's own. Over the descriptor where
    there is one: sys.stdout's buffer is a bare FileIO under PYTHONUNBUFFERED, whose short
    write at a file-size limit or a full disk the text layer takes as done, unsaid; a
    BufferedWriter writes the rest and raises."""
    if sys.stdout is None:  # started with stdout closed (>&-)
        raise InputError("standard output is closed; name an output file with -o")
    sys.stdout.flush()
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # a stream with no descriptor (tests)
        buffer: Any = sys.stdout.buffer
    else:
        buffer = io.BufferedWriter(io.FileIO(fd, "w", closefd=False))
    return io.TextIOWrapper(buffer, encoding="utf-8", newline=newline, write_through=False)


class Output:
    """A text sink: stdout; a file replaced atomically on `commit`; or, for a target that is
    not a regular file (a FIFO, /dev/null, a terminal), that target written directly.

    A symlink is followed: its target is replaced, the link stays a link. The new content is
    written to an unnamed temporary file (Linux O_TMPFILE) that gets a name only at commit,
    an instant before it replaces the target, so a run killed at any point leaves nothing
    behind. Elsewhere a named temporary file is used and removed on every path bibkit
    controls (an error, Ctrl-C, a full disk at commit).
    """

    def __init__(self, path: str | None, newline: str = "") -> None:
        self.path = None if path in (None, "-") else Path(path)
        self._tmp: str | None = None  # a named temporary file, until commit or discard
        self._fd: int | None = None  # the unnamed temporary file
        self._target: Path | None = None  # what commit replaces: the path, symlinks followed
        self.keep_old = False  # set before leaving the `with` block: discard, do not commit
        if self.path is None:
            self.stream: io.TextIOWrapper = _stdout(newline)
            return
        try:
            st = os.stat(self.path)  # follows symlinks
        except OSError:
            st = None
        if (st is not None and stat.S_ISDIR(st.st_mode)) or (path or "").endswith(("/", os.sep)):
            raise UsageError(f"{path}: is a directory" if st is not None
                             else f"{path}: names a directory, which does not exist")
        dest = self.path
        if st is not None and not stat.S_ISREG(st.st_mode):  # written directly
            self.stream = self._open(lambda: os.open(dest, os.O_WRONLY), newline)
            return
        target = self._target = Path(os.path.realpath(self.path))
        directory = target.parent
        if not directory.is_dir():
            raise UsageError(f"{self.path}: directory {directory} does not exist")
        fd = _unnamed_file(directory)
        if fd is not None:
            self._fd = fd
            self.stream = self._open(lambda: fd, newline)
            return

        def named() -> int:
            import tempfile  # only where an unnamed file cannot be made: start-up stays lean

            fd, self._tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp",
                                             dir=directory)
            return fd

        self.stream = self._open(named, newline)

    def _open(self, opener: Callable[[], int], newline: str) -> io.TextIOWrapper:
        try:
            return open(opener(), "w", encoding="utf-8", newline=newline)
        except OSError as exc:
            self._remove_tmp()
            raise InputError(f"{self.path}: cannot write ({exc.strerror or exc})") from exc

    def __enter__(self) -> Output:
        return self

    def __exit__(self, kind: type[BaseException] | None, *_: object) -> None:
        """Commit when the block ended normally (unless `keep_old` was set); else discard."""
        if kind is None and not self.keep_old:
            self.commit()
        else:
            self.discard()

    def commit(self) -> None:
        if self.path is None:
            # through to the file now: a full disk or a file-size limit (EFBIG) is an error
            # of this run, not one lost when the interpreter flushes at exit
            self.stream.flush()
            self.stream.detach().flush()  # leave sys.stdout usable
            return
        if self._target is None:  # written directly: a FIFO, a device
            self.stream.close()
            return
        try:
            self.stream.flush()
            fd = self.stream.fileno()
            os.fsync(fd)
            try:  # keep the target's permissions
                mode = os.stat(self._target).st_mode & 0o7777
            except OSError:
                mode = 0o666 & ~_umask()
            os.fchmod(fd, mode)
            if self._fd is not None:  # name the unnamed file next to the target
                self._tmp = _link_unnamed(fd, self._target)
            self.stream.close()
            os.replace(self._tmp, self._target)  # type: ignore[arg-type]
            self._tmp = None
        except BaseException:
            self.discard()
            raise

    def discard(self) -> None:
        if self.path is None:
            with contextlib.suppress(Exception):
                self.stream.flush()
                self.stream.detach()
            return
        with contextlib.suppress(OSError):
            self.stream.close()
        self._remove_tmp()

    def _remove_tmp(self) -> None:
        if self._tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(self._tmp)
            self._tmp = None


def _unnamed_file(directory: Path) -> int | None:
    """An unnamed file in `directory` (Linux O_TMPFILE), or None where the system or the file
    system has none. Opened for reading too, so that it can be copied if it cannot be linked."""
    flag = getattr(os, "O_TMPFILE", None)
    if flag is None:
        return None
    try:
        return os.open(directory, flag | os.O_RDWR | os.O_CLOEXEC, 0o600)
    except OSError:  # EOPNOTSUPP, EISDIR, EINVAL: this file system cannot; a named file can
        return None


def _link_unnamed(fd: int, target: Path) -> str:
    """Give the unnamed file a fresh name beside `target`: linkat through /proc, else
    linkat(AT_EMPTY_PATH) (some kernels refuse the first), else a copy."""
    for _ in range(100):
        name = str(target.parent / f".{target.name}.{os.urandom(6).hex()}.tmp")
        if os.path.lexists(name):
            continue
        try:
            os.link(f"/proc/self/fd/{fd}", name)
        except FileExistsError:
            continue
        except OSError:
            if not _link_empty_path(fd, name):
                _copy_to(fd, name)
        return name
    raise FileExistsError(f"no free temporary name beside {target}")


def _link_empty_path(fd: int, name: str) -> bool:
    import ctypes

    try:
        libc = ctypes.CDLL(None, use_errno=True)
        at_fdcwd, at_empty_path = -100, 0x1000
        return int(libc.linkat(fd, b"", at_fdcwd, os.fsencode(name), at_empty_path)) == 0
    except (OSError, AttributeError):  # no libc symbol: not Linux
        return False


def _copy_to(fd: int, name: str) -> None:
    out = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, 0o600)
    try:
        offset = 0
        while chunk := os.pread(fd, 1 << 20, offset):
            os.write(out, chunk)
            offset += len(chunk)
        os.fchmod(out, os.fstat(fd).st_mode & 0o7777)
        os.fsync(out)
    except BaseException:
        os.close(out)
        os.unlink(name)
        raise
    os.close(out)


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def same_file(a: str, b: str | None) -> bool:
    """Whether input `a` ("-": standard input, `< mine.txt`) is the file `b` names."""
    if b in (None, "-"):
        return False
    try:
        if a == "-":
            if sys.stdin is None:
                return False
            mine, theirs = os.fstat(sys.stdin.fileno()), os.stat(b)
            return stat.S_ISREG(mine.st_mode) and os.path.samestat(mine, theirs)
        return os.path.samefile(a, b)
    except (OSError, ValueError, AttributeError):  # no such file; a stdin with no descriptor
        return False
