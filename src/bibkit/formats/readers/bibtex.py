"""BibTeX and BibLaTeX reader.

A streaming fast path does the common work: lines are grouped into entry blocks by counting
braces (a C-speed `str.count` per line), and each block is parsed by a small scanner that
finds brace-balanced values with one regex scan over the braces alone. A block the scanner
rejects is handed to bibtexparser v2, whose recovery then reports or rescues it; every block
becomes a citation or a diagnostic with its 1-based line, and the rest of the file goes on.

LaTeX is decoded only in fields that hold a backslash, a brace, a dollar or a ligature
(text.to_plain, table-driven); verbatim fields (url, doi, eprint, file) never are.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import Any

from ...data import load_toml, require
from ...infer.dates import MONTH_MACROS, MONTH_NAMES, DateError, make_date, parse_iso
from ...infer.identifiers import find_arxiv_id
from ...infer.names import is_particle
from ...model.citation import (
    LINK_LABELS,
    ROLE_OF_LABEL,
    Citation,
    Identifiers,
    Kind,
    Link,
    Origin,
    PartialDate,
    Person,
    Status,
    Venue,
    is_arxiv_page,
)
from ...model.context import ReadContext
from ...model.diagnostics import silenced
from ...tex.decode import Report, from_bibtex, needs_decoding, to_plain
from ...tex.text import squash
from ..fieldnames import BIBTEX_NAME, is_bibtex_name
from ..genres import read_genre
from . import RecordReader

_ENTRY_START = re.compile(r"\s*@\s*([A-Za-z][\w:-]*)\s*([{(])")
_FIELD_NAME = re.compile(rf"\s*({BIBTEX_NAME})\s*=\s*")
_KEY = re.compile(r"\s*([^\s,{}()]*)\s*(,|\}|\))")
_BRACES = re.compile(r"[{}]")
_QUOTE_OR_BRACE = re.compile(r'[{}"]')
_NUMBER_OR_MACRO = re.compile(r"[^\s,#{}\"=()]+")
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_YEAR = re.compile(r"\d{4}")
_MAX_STRING_EXPANSION = 1 << 20  # @string values are bounded: no exponential blow-up

_MONTHS = {name: i for i, name in enumerate(MONTH_MACROS, 1)}
_PUBSTATE = {
    "prepublished": Status.PREPRINT,
    "preprint": Status.PREPRINT,
    "inpress": Status.ACCEPTED,
    "forthcoming": Status.ACCEPTED,
    "submitted": Status.PREPRINT,
    "published": Status.PUBLISHED,
}


class BlockError(ValueError):
    def __init__(self, message: str, offset: int) -> None:
        super().__init__(message)
        self.offset = offset


@dataclass(frozen=True, slots=True)
class _Tables:
    types: dict[str, str]
    fields: dict[str, str]
    publisher_fields: tuple[str, ...]
    verbatim: frozenset[str]
    preprint_containers: re.Pattern[str]


@cache
def _tables() -> _Tables:
    data = load_toml("bibtex.toml")["read"]
    kinds = {k.value for k in Kind}
    for bib_type, kind in data["types"].items():
        require(kind in kinds, "bibtex.toml", f"read.types.{bib_type}: unknown kind {kind}")
    return _Tables(
        types=data["types"],
        fields=data["fields"],
        publisher_fields=tuple(data["publisher_fields"]["fields"]),
        verbatim=frozenset(data["verbatim"]["fields"]),
        preprint_containers=re.compile(
            "|".join(data["preprint_containers"]["patterns"]), re.IGNORECASE
        ),
    )


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


def _match_brace(text: str, pos: int) -> int:
    """Index just past the brace group opening at text[pos] == '{'."""
    close = text.find("}", pos + 1)
    if close != -1 and text.find("{", pos + 1, close) == -1:  # no group inside: most values
        return close + 1
    depth = 0
    for m in _BRACES.finditer(text, pos):
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
            end = _match_brace(text, pos)
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
            elif word.lower() in _MONTHS:  # jan ... dec, BibTeX's predefined macros
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


# --- names --------------------------------------------------------------------------------


def _split_depth0(text: str, sep: re.Pattern[str]) -> list[str]:
    """Split where `sep` matches outside braces."""
    if "{" not in text:
        return sep.split(text)
    out, start, depth, counted = [], 0, 0, 0
    for m in sep.finditer(text):
        # depth at the separator, counted incrementally: linear in the text, however many
        # separators (10^6 authors) there are
        depth += text.count("{", counted, m.start()) - text.count("}", counted, m.start())
        counted = m.start()
        if depth == 0:
            out.append(text[start : m.start()])
            start = m.end()
    out.append(text[start:])
    return out


_WORDS = re.compile(r"\s+")
_COMMA = re.compile(r",")


def _is_von(word: str) -> bool:
    """BibTeX's rule: a word starting with a lower-case letter (at brace depth 0, or the
    letter of a special character like {\\'e}) is part of the particle."""
    if word.startswith("{"):
        if not word.startswith("{\\"):
            return False  # a braced word is case-less: never a particle
        return is_particle(to_plain(word))
    return is_particle(word)


def _decode_name(text: str) -> str:
    """A name part or a date word: the text it prints (names hold no math)."""
    return squash(to_plain(text)) if text else ""


def _decode(text: str, report: Report | None = None) -> str:
    """A text field: model text, TeX that has no exact Unicode form kept as TeX."""
    return squash(from_bibtex(text, report)) if text else ""


@lru_cache(maxsize=4096)  # co-authors recur from entry to entry; a Person is immutable
def parse_bibtex_name(raw: str) -> Person:
    """One name in any of BibTeX's three forms: First von Last, von Last, First, and
    von Last, Jr, First."""
    raw = raw.strip()
    if raw.startswith("{") and raw.endswith("}") and _match_brace_safe(raw) == len(raw):
        return Person(literal=_decode_name(raw[1:-1]))
    parts = [p.strip() for p in _split_depth0(raw, _COMMA)]
    if len(parts) == 1:
        words = [w for w in _split_depth0(parts[0], _WORDS) if w]
        if not words:
            return Person()
        last = len(words) - 1
        vons = [i for i in range(last) if _is_von(words[i])]
        if vons:
            first_von, last_von = vons[0], vons[-1]
            given, particle = words[:first_von], words[first_von : last_von + 1]
            family = words[last_von + 1 :]
        else:
            given, particle, family = words[:last], [], words[last:]
        suffix = ""
    else:
        head = [w for w in _split_depth0(parts[0], _WORDS) if w]
        i = 0
        while i < len(head) - 1 and _is_von(head[i]):
            i += 1
        particle, family = head[:i], head[i:]
        if len(parts) == 2:
            suffix, given = "", [parts[1]]
        else:
            suffix, given = parts[1], [", ".join(parts[2:])]
    return Person(
        family=_decode_name(" ".join(family)),
        given=_decode_name(" ".join(given)),
        particle=_decode_name(" ".join(particle)),
        suffix=_decode_name(suffix),
    )


def _match_brace_safe(text: str) -> int:
    try:
        return _match_brace(text, 0)
    except BlockError:
        return -1


def parse_names(raw: str) -> tuple[tuple[Person, ...], bool]:
    """(people, truncated): `and others` at the end marks a truncated list."""
    names = [n.strip() for n in _split_depth0(squash(raw), _AND)]
    truncated = bool(names) and names[-1].lower() == "others"
    if truncated:
        names.pop()
    return tuple(parse_bibtex_name(n) for n in names if n), truncated


# --- titles -------------------------------------------------------------------------------


def _follows_command(raw: str, start: int) -> bool:
    """Whether the group opening at `start` is an argument: `\\cmd {`, `\\cmd*{`. Scans back
    only to the previous group's end, so all groups together are one pass over the text."""
    i = start
    while i > 0 and raw[i - 1].isspace():
        i -= 1
    if i > 0 and raw[i - 1] == "*":
        i -= 1
    letters_end = i
    while i > 0 and raw[i - 1].isascii() and raw[i - 1].isalpha():
        i -= 1
    return i < letters_end and i > 0 and raw[i - 1] == "\\"


def nocase_spans(raw: str) -> tuple[str, ...]:
    """Decoded text of the top-level brace groups that protect case: `{BERT}: a {Bayesian}
    view` -> ("BERT", "Bayesian"). Groups that are a command's argument or a special
    character ({\\'e}) do not count."""
    if "{" not in raw:
        return ()
    spans: list[str] = []
    depth, start = 0, 0
    for m in _BRACES.finditer(raw):
        if m.group() == "{":
            if depth == 0:
                start = m.start()
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                group = raw[start + 1 : m.start()]
                if not _follows_command(raw, start) and not group.startswith("\\"):
                    text = _decode(group)
                    if text and any(c.isalpha() for c in text):
                        spans.append(text)
            if depth < 0:
                return tuple(spans)
    return tuple(dict.fromkeys(spans))


# --- entry -> citation ----------------------------------------------------------------------


def _date(fields: dict[str, str], key: str, ctx: ReadContext, line: int) -> PartialDate:
    if "date" in fields:
        try:
            date = parse_iso(fields["date"])
            if date is not None:
                return date
        except DateError as exc:
            ctx.diags.warning("BK504", f"date {fields['date']!r}: {exc}", line=line, key=key)
    year_raw = _decode_name(fields.get("year", ""))
    m = _YEAR.search(year_raw)
    if not m:
        if year_raw:
            ctx.diags.warning(
                "BK504", f"year {year_raw!r} has no four-digit year", line=line, key=key
            )
        return PartialDate()
    year = int(m.group())
    month_raw = fields.get("month", "")
    month, month_day, rest = _month(month_raw, year)
    if month is None and month_raw.strip():
        ctx.diags.warning("BK504", f"month {month_raw!r} is not a month; the date keeps its "
                          "year", line=line, key=key)
    elif month is not None and rest:
        ctx.diags.warning("BK504", f"month {month_raw!r}: read as {MONTH_NAMES[month - 1]}"
                          f" ({rest!r} left out)", line=line, key=key)
    day_raw = fields.get("day", "").strip()
    day = int(day_raw) if day_raw.isdigit() else month_day
    try:
        return make_date(year, month, day) if month else PartialDate(year)
    except DateError as exc:  # Feb 29 of a year without one: the month holds
        ctx.diags.warning("BK504", f"{exc}; the date keeps its month", line=line, key=key)
        return PartialDate(year, month)


_MONTH_TOKENS = re.compile(r"[^\W\d_]+|\d+")  # the words and the numbers of a month field


def _month(raw: str, year: int) -> tuple[int | None, int | None, str]:
    """(month, day, what was left out) of a month field: `jul`, `7`, `July`, `sep.`, and a
    day with its month, `jul # "~5"` or `5 July` (the entry's year beside them is no loss)."""
    simple = _MONTHS.get(raw.strip().lower())  # `feb`, the macro: nearly every month field
    if simple is not None:
        return simple, None, ""
    tokens = _MONTH_TOKENS.findall(_decode_name(raw).lower())
    if len(tokens) == 1 and tokens[0].isdigit():
        n = int(tokens[0])
        return (n, None, "") if 1 <= n <= 12 else (None, None, "")
    month = day = None
    rest: list[str] = []
    for token in tokens:
        if month is None and not token.isdigit():
            month = next((n for name, n in _MONTHS.items() if token.startswith(name)), None)
            if month is not None:
                continue
        if day is None and token.isdigit() and 1 <= int(token) <= 31:
            day = int(token)
        elif token != str(year):
            rest.append(token)
    if month is None:
        return None, None, ""
    return month, day, " ".join(rest)


# fields read by rules in code rather than by the [read.fields] table
_READ_BY_RULES = frozenset({
    "author", "editor", "title", "year", "month", "day", "date", "pages", "doi", "url",
    "eprint", "archiveprefix", "eprinttype", "primaryclass", "eprintclass", "isbn", "issn",
    "pmid", "keywords", "urldate", "howpublished", "pubstate", "type",
})
_EPRINT_FIELDS = ("eprint", "archiveprefix", "eprinttype", "primaryclass", "eprintclass")


class _Fields:
    """One entry's fields, each decoded once when first asked for, and the names the model
    took (the others travel in `extra`)."""

    def __init__(self, fields: dict[str, str], t: _Tables, ctx: ReadContext, entry: RawEntry
                 ) -> None:
        self.raw, self.t, self.ctx, self.entry = fields, t, ctx, entry
        self.decoded: dict[str, str] = {}
        self.mapped = set(_READ_BY_RULES)

    def text(self, name: str) -> str:
        value = self.decoded.get(name)
        if value is None:
            raw = self.raw.get(name)
            if raw is None:
                return ""  # most fields asked for are absent: nothing to decode or keep
            if name in self.t.verbatim or not needs_decoding(raw):
                value = squash(raw)
            else:
                value = _decode(raw, self.reporter(name))
            self.decoded[name] = value
        return value

    def reporter(self, name: str) -> Report:
        """Where a change that is not an exact decoding is said: entry line, field, column."""
        def report(offset: int, message: str) -> None:
            self.ctx.diags.warning("BK507", f"{name}, column {offset + 1}: {message}",
                                   line=self.entry.line, key=self.entry.key)
        return report

    def extra(self) -> tuple[tuple[str, str], ...]:
        return tuple((f"bibtex:{n}", v) for n, v in self.raw.items() if n not in self.mapped)


def to_citation(entry: RawEntry, ctx: ReadContext) -> Citation:
    t = _tables()
    fs = _Fields(entry.fields, t, ctx, entry)
    f = entry.fields
    kind_name = t.types.get(entry.entry_type)
    if kind_name is None:
        ctx.diags.info("BK505", f"entry type @{entry.entry_type} read as a document",
                       line=entry.line, key=entry.key)
    kind = Kind(kind_name or "document")
    authors, truncated = parse_names(f["author"]) if "author" in f else ((), False)
    editors, _ = parse_names(f["editor"]) if "editor" in f else ((), False)
    venue, other, links = _table_fields(fs)
    ids, on_arxiv, preprint_marker = _identifiers(fs, venue, other)
    # preprints: arXiv-style @misc, @online with an eprint, "howpublished = {arXiv preprint}",
    # or a "journal" that is arXiv or CoRR (DBLP, Google Scholar)
    status = _PUBSTATE.get(fs.text("pubstate").lower(), Status.UNKNOWN)
    if on_arxiv and (kind in (Kind.DOCUMENT, Kind.WEBPAGE) or preprint_marker):
        kind = Kind.PREPRINT
        if t.preprint_containers.search(venue.get("name", "")):
            venue.pop("name", None)
            if venue.get("volume", "").lower().startswith("abs/"):
                venue.pop("volume")
        if status is Status.UNKNOWN:
            status = Status.PREPRINT
    keywords = tuple(k.strip() for k in re.split(r"[,;]", fs.text("keywords")) if k.strip())
    return Citation(
        key=entry.key, kind=kind, genre=read_genre(entry.entry_type, fs.text("type")),
        title=fs.text("title"),
        title_nocase=nocase_spans(f.get("title", "")), authors=authors,
        authors_truncated=truncated, editors=editors,
        issued=_date(f, entry.key, ctx, entry.line), status=status, venue=Venue(**venue),
        ids=ids, links=tuple(links), abstract=other.get("abstract", ""), keywords=keywords,
        note=other.get("note", ""), language=other.get("language", ""),
        accessed=_accessed(fs.text("urldate")), extra=fs.extra(),
        origin=Origin(ctx.diags.file, entry.line),
    )


def _table_fields(fs: _Fields) -> tuple[dict[str, Any], dict[str, str], list[Link]]:
    """The fields formats/bibtex.toml maps: venue parts, other slots (abstract, note,
    language; repeated slots joined), and links taken out of notes."""
    t, f = fs.t, fs.raw
    venue: dict[str, Any] = {}
    other: dict[str, str] = {}
    links: list[Link] = []
    for name in f:
        slot = t.fields.get(name)
        if slot is None:
            continue
        fs.mapped.add(name)
        if slot == "note":  # "Code: \url{...}. Project page: \url{...}" -> links
            value = _decode(_take_links(f[name], links), fs.reporter(name))
            if not value:
                continue
        else:
            value = fs.text(name)
        if slot.startswith("venue."):
            venue.setdefault(slot[6:], value)
        else:
            other.setdefault(slot, value if not other.get(slot) else other[slot] + ". " + value)
    if "publisher" not in venue:  # a thesis's school, a report's institution
        for name in t.publisher_fields:
            if name in f:
                venue["publisher"] = fs.text(name)
                fs.mapped.add(name)  # the others (if several) stay in `extra`
                break
    if "pages" in f:
        venue["pages"] = fs.text("pages")
    return venue, other, links


def _identifiers(fs: _Fields, venue: dict[str, Any], other: dict[str, str]
                 ) -> tuple[Identifiers, bool, bool]:
    """(identifiers, on arXiv, marked a preprint by its container or howpublished); a
    howpublished that is neither a URL nor a preprint marker joins the note."""
    t, f, text = fs.t, fs.raw, fs.text
    eprint_type = (text("archiveprefix") or text("eprinttype")).lower()
    arxiv = ""
    if "eprint" in f:
        if eprint_type in ("arxiv", ""):
            arxiv = find_arxiv_id("arXiv:" + text("eprint"))
        if not arxiv:  # another archive's eprint (pubmed, hdl, ...): kept verbatim
            fs.mapped.difference_update(_EPRINT_FIELDS)
    # the fields where tools put the id (Google Scholar: journal = {arXiv preprint arXiv:ID});
    # an id in the note's prose is the pipeline's inference, as for every reader
    for name in ("journal", "journaltitle", "howpublished", "url", "doi"):
        if not arxiv and name in f:
            arxiv = find_arxiv_id(text(name))
    url = text("url")
    if arxiv and is_arxiv_page(url, arxiv):
        url = ""  # the arXiv page follows from the id (writers derive exactly this URL)
    howpublished = text("howpublished")
    preprint_marker = bool(t.preprint_containers.search(venue.get("name", ""))
                           or (howpublished and t.preprint_containers.search(howpublished)))
    if howpublished.startswith(("http://", "https://")) and not url:
        url = howpublished
    elif howpublished and not preprint_marker:
        other["note"] = howpublished + (". " + other["note"] if other.get("note") else "")
    on_arxiv = bool(arxiv) or eprint_type == "arxiv" or preprint_marker
    ids = Identifiers(
        doi=text("doi"),  # normalised by Identifiers
        arxiv=arxiv,
        arxiv_class=(text("primaryclass") or text("eprintclass")) if on_arxiv else "",
        isbn=text("isbn"), issn=text("issn"), pmid=text("pmid"), url=url,
    )
    return ids, on_arxiv, preprint_marker


_LABELLED_URL = re.compile(
    r"(?:^|(?<=\.\s))("
    + "|".join(re.escape(v) for v in LINK_LABELS.values())
    + r"):\s*\\url\{([^{}]*)\}\s*(?:\.\s*|$)"
)


def _take_links(raw: str, links: list[Link]) -> str:
    """Move "Code: \\url{...}" parts of a note into `links`; return the rest of the note."""
    if "\\url{" not in raw:
        return raw
    for m in _LABELLED_URL.finditer(raw):
        links.append(
            Link(ROLE_OF_LABEL[m.group(1)], m.group(2).replace("\\%", "%").replace("\\#", "#"))
        )
    return _LABELLED_URL.sub("", raw).strip().rstrip(".")


def _accessed(raw: str) -> PartialDate:
    try:
        return (parse_iso(raw) if raw else None) or PartialDate()
    except DateError:
        return PartialDate()


# --- the reader -----------------------------------------------------------------------------


def records(stream: Iterable[str], ctx: ReadContext) -> Iterator[tuple[int, str, RawEntry | None]]:
    """Each entry parsed into its raw fields; a block that cannot be parsed even by the
    tolerant parser is reported and yielded as None. @string, @preamble and @comment are
    not records: their macros serve the entries after them."""
    strings: dict[str, str] = {}
    any_block = False
    for line, text, balanced in blocks(stream):
        any_block = True
        try:
            if not balanced:
                raise BlockError("braces do not balance: the entry is not closed", 0)
            entry = parse_block(text, line, strings, ctx)
        except BlockError as exc:
            entry = _recover(text, line, exc, ctx)
            if entry is None:
                yield line, "", None
                continue
        if entry is not None:
            yield line, entry.key, entry
    if not any_block:
        ctx.diags.error("BK304", "no BibTeX entries found (an entry starts with '@type{key,')")


# --- crossref --------------------------------------------------------------------------------

# What a child entry takes from the entry its `crossref` names, when it lacks them: the
# container's fields (as BibTeX and biber inherit them). Never the parent's identity (its
# DOI, URL, abstract, author), which would become the child's.
_INHERITED = frozenset({
    "booktitle", "booksubtitle", "booktitleaddon", "maintitle", "editor", "publisher",
    "address", "location", "organization", "institution", "school", "year", "month", "date",
    "series", "volume", "number", "edition", "isbn", "journal", "journaltitle", "eventtitle",
    "eventdate", "venue",
})
_RecordItem = tuple[int, str, "RawEntry | None"]
# entries held back at most while a child waits: memory stays bounded whatever the file
_CROSSREF_WINDOW = 10_000


def _inherit(child: RawEntry, parent: RawEntry) -> None:
    for name in _INHERITED & (parent.fields.keys() - child.fields.keys()):
        child.fields[name] = parent.fields[name]
    if "booktitle" not in child.fields and "title" in parent.fields:
        child.fields["booktitle"] = parent.fields["title"]  # a proceedings' title (biber)


def with_crossrefs(items: Iterable[_RecordItem], ctx: ReadContext) -> Iterator[_RecordItem]:
    """Entries in their order, each child of a `crossref` filled from its parent, which
    BibTeX wants after it: entries are held back only while a child waits for its parent.
    A parent that never comes (or not within _CROSSREF_WINDOW entries) is said (BK508); the
    child is read as it is."""
    held: deque[_RecordItem] = deque()
    waiting: dict[str, list[RawEntry]] = {}  # parent key (case-folded, as BibTeX) -> children
    pending: set[int] = set()  # id() of the children still waiting

    def unresolved(child: RawEntry) -> None:
        ctx.diags.warning("BK508", f"crossref {child.fields['crossref']!r} names no entry "
                          "in this file; read without it", line=child.line, key=child.key)

    for item in items:
        entry = item[2]
        if entry is not None:
            for child in waiting.pop(entry.key.casefold(), ()):
                _inherit(child, entry)
                pending.discard(id(child))
            parent = entry.fields.get("crossref", "").strip()
            if parent:
                waiting.setdefault(parent.casefold(), []).append(entry)
                pending.add(id(entry))
        if not held and not pending:  # no child waits for its parent: nearly always
            yield item
            continue
        held.append(item)
        if len(held) > _CROSSREF_WINDOW and (oldest := held[0][2]) is not None:
            unresolved(oldest)  # given up on: the entries after it go on
            pending.discard(id(oldest))
            waiting[oldest.fields["crossref"].strip().casefold()].remove(oldest)
        while held and (held[0][2] is None or id(held[0][2]) not in pending):
            yield held.popleft()
    for children in waiting.values():
        for child in children:
            unresolved(child)
    yield from held


READER = RecordReader(lambda lines, ctx: with_crossrefs(records(lines, ctx), ctx),
                      lambda line, entry, ctx: to_citation(entry, ctx), "BK501", "entry")


def _recover(text: str, line: int, exc: BlockError, ctx: ReadContext) -> RawEntry | None:
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


def looks_like_bibtex(head: str) -> bool:
    return re.search(r"(?m)^\s*@\s*[A-Za-z]+\s*[{(]", head) is not None
