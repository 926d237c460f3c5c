"""Failures as data: every problem has a severity, a stable code and a 1-based location.

Readers never raise on bad content and never drop a block silently: they report here and go
on. Whether warnings fail a run (`--strict`) is decided per call by the caller.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from enum import IntEnum
from typing import Any


class Severity(IntEnum):
    INFO = 0
    WARNING = 1
    ERROR = 2

    def __str__(self) -> str:
        return self.name.lower()


# Stable codes, documented in the README. 1xx: listing reader, 2xx: inference,
# 3xx: input/output, 4xx: writers.
CODES: dict[str, str] = {
    "BK101": "card could not be parsed",
    "BK102": "card has no title",
    "BK103": "card has no author line",
    "BK104": "arXiv category code is unknown or ambiguous",
    "BK105": "date could not be read",
    "BK106": "header line not understood",
    "BK107": "header paper count differs from the cards present",
    "BK109": "the site's own text after a card left out of its abstract",
    "BK201": "year inferred for a yearless date",
    "BK203": "a yearless date's year contradicted by the card's arXiv id",
    "BK207": "a work its authors withdrew: cited as withdrawn",
    "BK206": "a code that is no arXiv category: kept as written, never as a class",
    "BK205": "a journal read from the text that the venue table does not hold: check it",
    "BK204": "the same work twice (an identifier, or title, authors and year)",
    "BK301": "input is empty",
    "BK303": "input is not valid UTF-8",
    "BK304": "input holds no records",
    "BK305": "control characters removed",
    "BK306": "input read as Windows-1252",
    "BK307": "lone UTF-16 surrogate in JSON replaced by U+FFFD",
    "BK308": "lines end in CR alone (classic Mac OS): read as line ends",
    "BK309": "letters written decomposed (NFD) composed (NFC)",
    "BK310": "--from forced a format the content does not look like; (almost) nothing read",
    "BK401": "citekey made unique with a suffix",
    "BK402": "field left out by the writer (the format has no field for it)",
    "BK403": "empty MODS collection",
    "BK404": "output file suffix names another format",
    "BK405": "characters pdflatex cannot typeset kept as they are",
    "BK406": "invisible formatting characters left out of a LaTeX output, or separators spaced",
    "BK407": "a BibTeX field kept from the source has unbalanced braces: written as text",
    "BK408": "a Hugo page folder named otherwise than its citekey (one safe path component)",
    "BK409": "a CV page with no title: its citekey stands in",
    "BK410": "biblatex: letters biber decodes to UTF-8 that pdflatex cannot set",
    "BK413": "CSL-JSON: math with no exact CSL rich text, kept as TeX source",
    "BK411": "--sync: an entry of the file updated from the run, or a new one appended",
    "BK412": "--sync: a value edited by hand stays the user's; said when the source changes it",
    "BK501": "BibTeX entry could not be parsed",
    "BK502": "BibTeX field appears twice",
    "BK503": "undefined BibTeX macro",
    "BK504": "BibTeX date could not be read, or only in part",
    "BK505": "unknown BibTeX entry type",
    "BK506": "missing comma between BibTeX fields (repaired)",
    "BK507": "TeX in a BibTeX field that is not exact (an unpaired $, an unmatched brace)",
    "BK508": "BibTeX crossref names no entry in the file",
    "BK601": "not valid JSON",
    "BK602": "CSL-JSON item is not an object",
    "BK603": "CSL-JSON value of the wrong shape",
    "BK604": "CSL-JSON date read in part (a range, a season, a literal)",
    "BK605": "TeX in CSL-JSON custom.bibkit that bibkit would not write: read as text",
    "BK701": "RIS text outside a record",
    "BK702": "RIS record without ER",
    "BK703": "unknown RIS type",
    "BK704": "RIS record could not be read",
    "BK721": "MODS: not well-formed XML",
    "BK722": "MODS: no <mods> record in the MODS namespace",
    "BK723": "MODS record could not be read",
    "BK724": "MODS date read in part",
    "BK801": "no CV owner to highlight",
    "BK802": "a CV selector matches no entry",
    "BK901": "fields merged from a library",
    "BK902": "possible match not applied",
    "BK903": "fields filled by an online service",
    "BK904": "online service unavailable",
    "BK905": "lookups not in the cache (--offline)",
    "BK906": "profile owner not among the complete authors",
    "BK907": "cache cannot be used",
    "BK908": "the owner's person id at a service",
    "BK909": "an author's name corrected by agreeing services",
    "BK910": "a title or author list replaced by the library's (--merge)",
    "BK911": "a work held back: a source's person ids name someone else",
    "BK912": "one person split over two ids at a service (suggested, not merged)",
    "BK913": "works found in one source only",
    "BK914": "records of one work merged into one entry",
    "BK915": "an entry no source attributes to the owner (--sync)",
}


# Every control character, and the line breaks Unicode adds, as a visible escape.
_VISIBLE = {c: f"\\x{c:02x}" if c < 0x100 else f"\\u{c:04x}"
            for c in [*range(0x00, 0x20), *range(0x7F, 0xA0), 0x2028, 0x2029]}
_VISIBLE.update({0x09: "\\t", 0x0A: "\\n", 0x0D: "\\r"})


def printable(text: str) -> str:
    r"""`text` safe to print on a terminal: control characters shown as escapes, so a quoted
    title or key cannot move the cursor, clear the screen or fake a line of output.

    >>> printable("a\rFAKE\x1b[2J")
    'a\\rFAKE\\x1b[2J'
    """
    return text.translate(_VISIBLE)


@contextmanager
def silenced(logger: str) -> Iterator[None]:
    """A library's log messages held back while bibkit calls it (bibkit reports the same
    problem itself, with file and line); the logger's level is restored after, so the host
    application's logging is not changed."""
    import logging  # the libraries that log load it anyway; bibkit's start-up need not

    log = logging.getLogger(logger)
    before = log.level
    log.setLevel(logging.CRITICAL + 1)
    try:
        yield
    finally:
        log.setLevel(before)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    severity: Severity
    code: str
    message: str
    file: str = ""
    line: int = 0  # 1-based; 0 when the problem concerns the whole input
    key: str = ""

    def format(self) -> str:
        """`file:line: severity[CODE] key: message`, the shape compilers use."""
        where = self.file or "<input>"
        if self.line:
            where += f":{self.line}"
        who = f" {self.key}:" if self.key else ""
        return printable(f"{where}: {self.severity}[{self.code}]{who} {self.message}")

    def to_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["severity"] = str(self.severity)
        return out


class Diagnostics:
    """A collector handed to readers, transforms and writers; knows the current file name."""

    __slots__ = ("_items", "counts", "file", "keep", "sink")

    def __init__(self, file: str = "", sink: Any = None, keep: bool = True) -> None:
        self.file = file
        self._items: list[Diagnostic] = []
        self.counts = {Severity.INFO: 0, Severity.WARNING: 0, Severity.ERROR: 0}
        self.sink = sink  # optional callable, told of each diagnostic as it happens
        # keep=False: count and pass to the sink only, so memory stays flat on huge inputs
        self.keep = keep

    def add(
        self, severity: Severity, code: str, message: str, *, line: int = 0, key: str = ""
    ) -> Diagnostic:
        diag = Diagnostic(severity, code, message, self.file, line, key)
        if self.keep:
            self._items.append(diag)
        self.counts[severity] += 1
        if self.sink is not None:
            self.sink(diag)
        return diag

    def adopt(self, diag: Diagnostic) -> None:
        """Take a diagnostic another collector made (a --merge library's), keeping its file:
        it counts in this run's summary and exit code like the input's own."""
        if self.keep:
            self._items.append(diag)
        self.counts[diag.severity] += 1
        if self.sink is not None:
            self.sink(diag)

    def info(self, code: str, message: str, *, line: int = 0, key: str = "") -> Diagnostic:
        return self.add(Severity.INFO, code, message, line=line, key=key)

    def warning(self, code: str, message: str, *, line: int = 0, key: str = "") -> Diagnostic:
        return self.add(Severity.WARNING, code, message, line=line, key=key)

    def error(self, code: str, message: str, *, line: int = 0, key: str = "") -> Diagnostic:
        return self.add(Severity.ERROR, code, message, line=line, key=key)

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def errors(self) -> int:
        return self.counts[Severity.ERROR]

    @property
    def warnings(self) -> int:
        return self.counts[Severity.WARNING]

    def failed(self, strict: bool = False) -> bool:
        """Whether a run with these diagnostics should exit non-zero."""
        return self.errors > 0 or (strict and self.warnings > 0)
