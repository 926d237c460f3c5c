"""A raw entry as a citation: the type and field tables of formats/bibtex.toml, titles' case
protection, dates and months, names, identifiers, links and publication status."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

from ....data import load_toml, require
from ....infer.dates import MONTH_NAMES, DateError, make_date, parse_iso
from ....infer.identifiers import find_arxiv_id
from ....infer.names import original_forms
from ....model.citation import (
    LINK_LABELS,
    ROLE_OF_LABEL,
    Citation,
    Identifiers,
    Kind,
    Link,
    Origin,
    PartialDate,
    Status,
    Venue,
    is_arxiv_page,
)
from ....model.context import ReadContext
from ....tex.decode import Report, needs_decoding
from ....tex.text import squash
from ...genres import read_genre
from .names import decode_name, parse_names, split_names
from .scan import BRACES, MONTHS, RawEntry, decode_field

_YEAR = re.compile(r"\d{4}")
_PUBSTATE = {
    "prepublished": Status.PREPRINT,
    "preprint": Status.PREPRINT,
    "inpress": Status.ACCEPTED,
    "forthcoming": Status.ACCEPTED,
    "submitted": Status.PREPRINT,
    "published": Status.PUBLISHED,
    "withdrawn": Status.WITHDRAWN,
}


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
    for m in BRACES.finditer(raw):
        if m.group() == "{":
            if depth == 0:
                start = m.start()
            depth += 1
        else:
            depth -= 1
            if depth == 0:
                group = raw[start + 1 : m.start()]
                if not _follows_command(raw, start) and not group.startswith("\\"):
                    text = decode_field(group)
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
    year_raw = decode_name(fields.get("year", ""))
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
    simple = MONTHS.get(raw.strip().lower())  # `feb`, the macro: nearly every month field
    if simple is not None:
        return simple, None, ""
    tokens = _MONTH_TOKENS.findall(decode_name(raw).lower())
    if len(tokens) == 1 and tokens[0].isdigit():
        n = int(tokens[0])
        return (n, None, "") if 1 <= n <= 12 else (None, None, "")
    month = day = None
    rest: list[str] = []
    for token in tokens:
        if month is None and not token.isdigit():
            month = next((n for name, n in MONTHS.items() if token.startswith(name)), None)
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
                if name in _URL_FIELDS and "\\" in value:
                    value = _ESCAPED_IN_URL.sub(r"\1", value)
            else:
                value = decode_field(raw, self.reporter(name))
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


# A URL is verbatim, but DBLP and others escape it as TeX text (`paper\_files`): no URL holds
# a backslash (RFC 3986), so a backslash before a character TeX would read as markup is the
# escape, and the character is the URL's
_URL_FIELDS = frozenset({"url", "urlraw", "doi"})
_ESCAPED_IN_URL = re.compile(r"\\([_%#&~$])")


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
    # a name's original script stands in parentheses: only then are the names split again
    originals = tuple(p for role in ("author", "editor") if ")" in f.get(role, "")
                      or "）" in f.get(role, "")
                      for p in original_forms(split_names(f[role]), f"{role}s", "input"))
    return Citation(
        key=entry.key, kind=kind, genre=read_genre(entry.entry_type, fs.text("type")),
        title=fs.text("title"),
        title_nocase=nocase_spans(f.get("title", "")), authors=authors,
        authors_truncated=truncated, editors=editors,
        issued=_date(f, entry.key, ctx, entry.line), status=status, venue=Venue(**venue),
        ids=ids, links=tuple(links), abstract=other.get("abstract", ""), keywords=keywords,
        note=other.get("note", ""), language=other.get("language", ""),
        accessed=_accessed(fs.text("urldate")), extra=fs.extra(), provenance=originals,
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
            value = decode_field(_take_links(f[name], links), fs.reporter(name))
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
            bare = _ARXIV_PREPRINT.match(text(name)) if not arxiv else None
            if bare:  # Google Scholar's "arXiv preprint hep-th/9901001": no "arXiv:"
                arxiv = find_arxiv_id("arXiv:" + bare.group(1))
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


# Google Scholar's journal for a preprint, whose id may lack the "arXiv:" before it
_ARXIV_PREPRINT = re.compile(r"arxiv\s+preprint\s+(\S+)\s*$", re.IGNORECASE)

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
