"""The canonical model every format meets through.

CSL-shaped (kinds are CSL 1.0.2 type names) so the CSL-JSON writer is nearly the identity.
Frozen slotted dataclasses holding tuples: hashable, comparable, cheap to build in bulk.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, fields
from enum import StrEnum
from typing import Any, TypeVar

_T = TypeVar("_T")


class Kind(StrEnum):
    """What a work is; values are CSL 1.0.2 type names."""

    PREPRINT = "article"  # CSL's name for a preprint / working paper
    JOURNAL_ARTICLE = "article-journal"
    CONFERENCE_PAPER = "paper-conference"
    CHAPTER = "chapter"
    BOOK = "book"
    THESIS = "thesis"
    REPORT = "report"
    MANUSCRIPT = "manuscript"
    DATASET = "dataset"
    SOFTWARE = "software"
    WEBPAGE = "webpage"
    DOCUMENT = "document"


class Status(StrEnum):
    """Publication state, independent of kind (a preprint may later be published)."""

    PREPRINT = "preprint"
    PUBLISHED = "published"
    ACCEPTED = "accepted"
    WITHDRAWN = "withdrawn"  # by its authors (arXiv: "This paper has been withdrawn")
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Person:
    """A name in CSL terms. A person with only `literal` is an organisation or an unsplit name."""

    family: str = ""
    given: str = ""
    particle: str = ""  # "van der", "de" (non-dropping: part of the family name when cited)
    suffix: str = ""  # "Jr.", "III"
    literal: str = ""
    # the particle drops when the name is sorted (CSL's dropping-particle: "Beethoven, Ludwig
    # van"); BibTeX has one "von" part for both
    dropping: bool = False

    @property
    def full_family(self) -> str:
        return f"{self.particle} {self.family}" if self.particle else self.family

    def display(self) -> str:
        """The name as people write it: given particle family, suffix."""
        if self.literal:
            return self.literal
        parts = [p for p in (self.given, self.particle, self.family) if p]
        text = " ".join(parts)
        return f"{text}, {self.suffix}" if self.suffix else text


@dataclass(frozen=True, slots=True)
class PartialDate:
    year: int | None = None
    month: int | None = None
    day: int | None = None
    year_inferred: bool = False

    def iso(self) -> str:
        """ISO 8601 with only the known parts: 2023, 2023-03, 2023-03-01."""
        if self.year is None:
            return ""
        out = f"{self.year:04d}"
        if self.month:
            out += f"-{self.month:02d}"
            if self.day:
                out += f"-{self.day:02d}"
        return out


@dataclass(frozen=True, slots=True)
class Identifiers:
    doi: str = ""  # as given, no resolver prefix: normalised here; compare doi_key
    arxiv: str = ""  # "2303.01234v2" or "hep-th/9901001", no "arXiv:" prefix
    arxiv_class: str = ""  # primary class, "cs.LG"
    isbn: str = ""
    issn: str = ""
    pmid: str = ""
    url: str = ""  # the work's own landing page, when it is not derived from an id

    def __post_init__(self) -> None:
        # one rule for every reader and service: "https://doi.org/10.1000/ABC." -> the DOI
        if self.doi and not _is_normal_doi(self.doi):
            object.__setattr__(self, "doi", normalise_doi(self.doi) or self.doi)

    @property
    def arxiv_base(self) -> str:
        """The arXiv id without its version: "2303.01234v2" -> "2303.01234"."""
        return arxiv_base(self.arxiv)

    @property
    def on_arxiv(self) -> bool:
        """Whether the work is on arXiv: an id, or a category the source gave without one."""
        return bool(self.arxiv or self.arxiv_class)

    @property
    def doi_key(self) -> str:
        """The DOI to compare by: DOIs are case-insensitive (the DOI Handbook, 2.4), and
        kept as their source wrote them."""
        return self.doi.lower()

    @property
    def publisher_doi(self) -> str:
        """The DOI unless it is arXiv's (which names the preprint, derivable from its id)."""
        return "" if self.doi.startswith(ARXIV_DOI_PREFIX) else self.doi

    @property
    def landing_url(self) -> str:
        """The work's page: its own URL, else its arXiv abstract page ("" if neither)."""
        return self.url or (arxiv_abs_url(self.arxiv_base) if self.arxiv else "")


ARXIV_DOI_PREFIX = "10.48550/"  # DataCite's prefix for arXiv's DOIs
_DOI_RE = re.compile(r"\b10\.\d{4,9}/[^\s\"<>{}]+")
TRAILING_PUNCTUATION = ".,;:!?'\"”’)]}>"  # ends a sentence, not a DOI or URL
_NORMAL_DOI = re.compile(r"10\.\d{4,9}/[^\s\"<>{}]*[^\s\"<>{}.,;:!?'\"”’)\]}>]")


def _is_normal_doi(doi: str) -> bool:
    return _NORMAL_DOI.fullmatch(doi) is not None


def normalise_doi(text: str) -> str:
    """The DOI without resolver prefix or trailing punctuation, its case kept ("" if none).

    >>> normalise_doi("https://doi.org/10.1000/ABC.")
    '10.1000/ABC'
    """
    m = _DOI_RE.search(text)
    return m.group().rstrip(TRAILING_PUNCTUATION) if m else ""


_VERSION = re.compile(r"v\d+$")


def arxiv_base(arxiv_id: str) -> str:
    """An arXiv id without its version ("" stays "")."""
    return _VERSION.sub("", arxiv_id)


ARXIV_ABS = "https://arxiv.org/abs/"


def arxiv_abs_url(arxiv_id: str) -> str:
    """The abstract page of an arXiv id: the URL every writer derives from the id, and which
    readers therefore drop from `url` (it adds nothing to the id)."""
    return ARXIV_ABS + arxiv_id


def is_arxiv_page(url: str, arxiv_id: str) -> bool:
    """Whether `url` is the abstract page of this id, of any version or none."""
    return url in (arxiv_abs_url(arxiv_id), arxiv_abs_url(arxiv_base(arxiv_id)))


@dataclass(frozen=True, slots=True)
class Venue:
    name: str = ""  # full name: booktitle / journal / container-title
    short_name: str = ""
    kind: str = ""  # conference | journal | workshop | "" (unknown)
    volume: str = ""
    issue: str = ""
    pages: str = ""
    publisher: str = ""
    year: int | None = None
    place: str = ""  # publisher's place (BibTeX address, CSL publisher-place, RIS CY)
    series: str = ""
    edition: str = ""


# What formats without a status of their own (BibTeX, RIS, MODS) say of a withdrawn work, in
# a note; the inference reads it back as the status.
WITHDRAWN_NOTE = "This paper has been withdrawn"


def status_notes(c: Citation) -> list[str]:
    """The note a format without a status writes for a withdrawn work, unless its note
    says so already."""
    if c.status is not Status.WITHDRAWN or "withdrawn" in c.note.lower():
        return []
    return [WITHDRAWN_NOTE]


# What formats without a way to say "et al." (CSL-JSON, RIS, MODS) write in a note instead.
TRUNCATION_NOTE = "Author list truncated (et al.) in the source."

# How links are labelled where a format has no field for them (BibTeX note/addendum, RIS N1):
# writers use these labels and readers recognise them, so links survive a round trip.
LINK_LABELS = {
    "code": "Code",
    "project": "Project page",
    "pdf": "PDF",
    "data": "Data",
    "model": "Model",
    "demo": "Demo",
    "video": "Video",
    "other": "Link",
}


ROLE_OF_LABEL = {label: role for role, label in LINK_LABELS.items()}


@dataclass(frozen=True, slots=True)
class Link:
    role: str  # code | project | pdf | data | model | demo | video | other
    url: str

    @property
    def label(self) -> str:
        return LINK_LABELS.get(self.role, "Link")

    def note(self, url: str | None = None) -> str:
        """The link as a note line ("Code: URL"), the URL as given (a format's form of it)."""
        return f"{self.label}: {self.url if url is None else url}"


_LINK_NOTE = re.compile(r"(" + "|".join(re.escape(v) for v in LINK_LABELS.values()) + r"): (\S+)")


def link_from_note(line: str) -> Link | None:
    """The link a note line written by Link.note holds, else None."""
    m = _LINK_NOTE.fullmatch(line)
    return Link(ROLE_OF_LABEL[m.group(1)], m.group(2)) if m else None


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a field's value came from: the rule or resolver, its evidence and confidence."""

    field: str
    source: str  # "listing", "infer", a resolver name, ...
    rule: str
    confidence: float = 1.0
    evidence: str = ""


@dataclass(frozen=True, slots=True)
class Origin:
    """1-based source location of a record; informative only, ignored by equality."""

    file: str = ""
    line: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class Citation:
    key: str = ""
    kind: Kind = Kind.DOCUMENT
    # the kind in words, CSL's `genre`: "PhD thesis", "Master's thesis", "Technical report"
    # (BibTeX's entry type and `type` field, RIS M3, Zotero's thesis and report type)
    genre: str = ""
    title: str = ""
    # parts of the title whose case a style must keep ({BERT}, {Bayesian} in a .bib): the
    # BibTeX writers brace them, CSL-JSON marks them <span class="nocase">
    title_nocase: tuple[str, ...] = ()
    authors: tuple[Person, ...] = ()
    authors_truncated: bool = False  # the source showed only the first authors ("et al.")
    editors: tuple[Person, ...] = ()
    issued: PartialDate = PartialDate()
    status: Status = Status.UNKNOWN
    venue: Venue = Venue()
    ids: Identifiers = Identifiers()
    links: tuple[Link, ...] = ()
    abstract: str = ""
    keywords: tuple[str, ...] = ()
    affiliations: tuple[str, ...] = ()
    note: str = ""
    language: str = ""
    accessed: PartialDate = PartialDate()
    extra: tuple[tuple[str, str], ...] = ()  # unmapped source fields, "format:name" keys
    provenance: tuple[Provenance, ...] = ()
    origin: Origin = field(default=Origin(), compare=False, hash=False)

    @property
    def cited_doi(self) -> str:
        """The DOI the entry is cited with: its own, but not arXiv's DOI on a version
        published elsewhere (that DOI names the preprint; the arXiv id still travels)."""
        doi = self.ids.doi
        return "" if doi.startswith(ARXIV_DOI_PREFIX) and self.kind is not Kind.PREPRINT else doi

    @property
    def repository(self) -> str:
        """Where a preprint is kept, as Zotero's and citation.js's preprint items name it:
        "arXiv" for a preprint on arXiv (an id, or a category without one), else ""."""
        return "arXiv" if self.kind is Kind.PREPRINT and self.ids.on_arxiv else ""

    @property
    def cited_date(self) -> PartialDate:
        """The date the entry is cited with: its venue's year alone (a proceedings is not
        dated by the month a preprint went online), else its issued date. Every writer's
        year, date and citekey come from here."""
        return PartialDate(self.venue.year) if self.venue.year is not None else self.issued

    @property
    def cited_year(self) -> int | None:
        """The year of `cited_date`."""
        return self.venue.year if self.venue.year is not None else self.issued.year

    def extra_value(self, name: str) -> str | None:
        for k, v in self.extra:
            if k == name:
                return v
        return None


@dataclass(frozen=True, slots=True)
class Profile:
    """The owner of a listing, from its header."""

    name: str = ""
    primary_class: str = ""
    metrics: tuple[tuple[str, str], ...] = ()
    stated_count: int | None = None


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def evolve(obj: _T, **changes: Any) -> _T:
    """A copy of a frozen model object with some fields changed.

    Same result as dataclasses.replace, without re-running __init__ over every field: the
    pipeline calls this once per entry per transform, so it is worth the three lines.
    """
    cls = type(obj)
    names = _FIELD_NAMES.get(cls)
    if names is None:
        names = _FIELD_NAMES[cls] = tuple(f.name for f in fields(obj))  # type: ignore[arg-type]
    for name in changes:
        if name not in names:
            raise TypeError(f"{cls.__name__} has no field {name!r}")
    new = object.__new__(cls)
    setter = object.__setattr__
    for name in names:
        setter(new, name, changes[name] if name in changes else getattr(obj, name))
    post_init = getattr(cls, "__post_init__", None)
    if post_init is not None:  # the class's rules (Identifiers: DOI normalised) hold here too
        post_init(new)
    return new
