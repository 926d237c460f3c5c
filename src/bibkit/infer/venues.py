"""Venue phrases in free text ("Accepted at ICLR 2023", "(NeurIPS 2022)") -> a known Venue.

Matching is two-stage for speed: a cheap trigger scan finds the few places a venue can be
named, and only a short window around each is searched for the aliases of
`formats/venues.toml`. An abstract without a trigger costs one regex scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from ..data import load_toml, require
from ..model.citation import Kind, Venue, evolve

_FILE = "venues.toml"
_KINDS = ("conference", "journal", "workshop")
# What a paper at a venue of each kind is, for the listing's inference and for every resolver.
KIND_OF_VENUE = {
    "conference": Kind.CONFERENCE_PAPER,
    "workshop": Kind.CONFERENCE_PAPER,
    "journal": Kind.JOURNAL_ARTICLE,
}


@dataclass(frozen=True, slots=True)
class VenueHit:
    venue: Venue
    accepted: bool  # "accepted"/"to appear" rather than "published"
    confidence: float
    evidence: str  # the phrase that named the venue
    known: bool = True  # False: a journal the text names that the table does not hold


_INDEX_NAMES: dict[str, int] = {}  # exact venue strings of indexes (`names`), case-folded
_YEAR_IN_NAME: set[str] = set()  # venues whose name ends in the year ("...: EMNLP 2023")
_WITHOUT_DOIS: set[str] = set()  # names and short names of venues with `dois = false`


@cache
def _table() -> tuple[list[Venue], re.Pattern[str], dict[str, int]]:
    data = load_toml(_FILE)
    venues: list[Venue] = []
    alias_to_index: dict[str, int] = {}
    _INDEX_NAMES.clear()
    _WITHOUT_DOIS.clear()
    _YEAR_IN_NAME.clear()
    alternatives: list[tuple[int, str]] = []
    for i, row in enumerate(data.get("venue", [])):
        for field in ("short", "name", "kind", "aliases"):
            require(field in row, _FILE, f"venue #{i + 1} lacks '{field}'")
        require(row["kind"] in _KINDS, _FILE, f"venue {row['short']}: kind {row['kind']!r}")
        venues.append(
            Venue(
                name=row["name"],
                short_name=row["short"],
                kind=row["kind"],
                publisher=row.get("publisher", ""),
            )
        )
        for name in row.get("names", []):
            _INDEX_NAMES[name.casefold()] = i
        if row.get("dois", True) is False:
            _WITHOUT_DOIS.update((row["name"].casefold(), row["short"].casefold()))
        if row.get("year_in_name"):
            _YEAR_IN_NAME.add(row["name"].casefold())
        for alias in row["aliases"]:
            folded = alias.casefold() if " " in alias else alias
            require(folded not in alias_to_index, _FILE, f"alias {alias!r} is listed twice")
            alias_to_index[folded] = i
            pattern = re.escape(alias).replace(r"\ ", r"\s+")
            alternatives.append((len(alias), f"(?i:{pattern})" if " " in alias else pattern))
    require(bool(venues), _FILE, "no [[venue]] entries")
    alternatives.sort(key=lambda a: -a[0])  # longest alias first
    regex = re.compile(r"(?<![\w&])(?:" + "|".join(p for _, p in alternatives) + r")(?![\w&])")
    return venues, regex, alias_to_index


def gives_dois(venue: Venue) -> bool:
    """False for a venue whose papers have no DOI (formats/venues.toml `dois = false`)."""
    _table()
    return not ({venue.name.casefold(), venue.short_name.casefold()} & _WITHOUT_DOIS)


def lookup(alias: str) -> Venue | None:
    """The venue an exact alias names ("NeurIPS", "icml" is not one)."""
    venues, _, index = _table()
    key = " ".join(alias.split())
    i = index.get(key.casefold() if " " in key else key)
    return venues[i] if i is not None else None


_PROCEEDINGS = re.compile(
    r"^(?:proceedings\s+of\s+(?:the\s+)?)?(?:(?:19|20)\d\d\s+)?(?:\d+(?:st|nd|rd|th)\s+)?",
    re.IGNORECASE)
# One trailing token: "(12)", "(CVPR)", a year, a volume number. Searched in the last few
# characters only, token by token: a `(?:sep token)+$` pattern over the whole name is
# quadratic on a long run of commas (40 k of them took 40 s).
_TRAILING_TOKEN = re.compile(r"[\s,]+(?:\((?:\d{1,4}|[A-Z][\w&/ -]{0,30})\)|(?:19|20)\d\d|"
                             r"\d{1,3}|volume\s+\d{1,4}|vol\.\s*\d{1,4})\s*$", re.IGNORECASE)
_MAX_VENUE = 300  # longer is not a venue name: kept as given, not normalised
_ACRONYM_IN_PARENS = re.compile(r"\(([A-Z][\w&/ -]{1,30})\)\s*$")


def venue_from_name(name: str, kind: str = "", year: int | None = None) -> Venue:
    """A venue as an index names it (DBLP "ECCV (12)", Crossref "Proceedings of the 40th
    International Conference on Machine Learning", arXiv's journal_ref "ICLR 2023"), normalised
    through the venue table when it is a venue the table knows; as given otherwise."""
    name = " ".join(name.split())
    if len(name) > _MAX_VENUE:
        return Venue(name=name, kind=kind, year=year)
    venues, _, index = _table()
    i = _INDEX_NAMES.get(name.casefold())
    if i is None:
        candidates = [name, _strip_trailing(name)]
        candidates.append(_PROCEEDINGS.sub("", candidates[-1]))
        acronym = _ACRONYM_IN_PARENS.search(name)
        if acronym:
            candidates.append(acronym.group(1))
        for text in candidates:
            key = text.strip()
            i = index.get(key.casefold() if " " in key else key)
            if i is None:
                i = _INDEX_NAMES.get(key.casefold())
            if i is not None:
                break
    if i is None:
        return Venue(name=name, kind=kind, year=year)
    v = venues[i]
    if "workshop" in name.lower() and v.kind != "workshop":
        return Venue(name=f"{v.name} Workshops", short_name=f"{v.short_name} Workshop",
                     kind="workshop", publisher=v.publisher, year=year)
    return Venue(name=v.name, short_name=v.short_name, kind=v.kind, publisher=v.publisher,
                 year=year)


def _strip_trailing(name: str) -> str:
    while (m := _TRAILING_TOKEN.search(name, max(0, len(name) - 48))) is not None:
        name = name[: m.start()]
    return name.rstrip(" ,")


@dataclass(frozen=True, slots=True)
class _Phrase:
    """A publication phrase of formats/venues.toml: `word` (found without its first letter,
    so either case of it matches), then `link` at once and the venue after it, or the venue
    just before the word."""

    first: str  # the word's first letter, lower case
    word: str
    link: re.Pattern[str] | None
    venue_after: bool
    accepted: bool
    whole: bool


@cache
def _phrases() -> tuple[tuple[_Phrase, ...], re.Pattern[str]]:
    data = load_toml(_FILE)
    out = []
    for i, row in enumerate(data.get("phrase", [])):
        where = f"phrase #{i + 1}"
        require(row.get("venue") in ("after", "before"), _FILE, f"{where}: venue after|before")
        require(row.get("status") in ("accepted", "published"), _FILE, f"{where}: status")
        require(row["venue"] == "before" or "link" in row, _FILE, f"{where}: a link")
        out.append(_Phrase(row["word"][0], row["word"][1:], re.compile(row["link"], re.IGNORECASE)
                           if "link" in row else None, row["venue"] == "after",
                           row["status"] == "accepted", bool(row.get("whole"))))
    words = data.get("phrases", {}).get("not_this_entry", [])
    negative = re.compile("|".join(re.escape(w) for w in words) or "(?!)", re.IGNORECASE)
    return tuple(out), negative


_PAREN_YEAR_RE = re.compile(
    r"\([A-Z][\w&/-]{0,30}(?: [A-Z][\w&/-]{0,30}){0,5} ?['’]?\d{2,4}\b[^()]{0,40}\)")
_YEAR_AFTER = re.compile(r"\s*(?:['’](?P<short>\d{2})|(?P<long>(?:19|20)\d{2}))(?!\d)")
# A journal reference after the journal's name: volume(issue):first-last, year (arXiv's
# journal_ref and reference lists: "48(3):1-20, 2020", "vol. 24, pp. 1-30, 2023")
_JOURNAL_REF = re.compile(
    r",?\s{0,3}(?:vol(?:ume)?\.?\s{0,3})?(?P<volume>\d{1,4})\s{0,3}(?:\((?P<issue>[\w-]{1,10})\))?"
    r"\s{0,3}[:,]\s{0,3}(?:pp?\.\s{0,3})?(?P<first>\d{1,6})(?:\s{0,3}[-–—]{1,3}\s{0,3}(?P<last>\d{1,6}))?"
    r"(?:\s{0,3},\s{0,3}(?P<year>(?:19|20)\d{2})(?!\d))?")
_ANY_YEAR = re.compile(r"(?<!\d)(?:19|20)\d{2}(?!\d)")
_SENTENCE_END = re.compile(r"[.;!?](?:\s|$)")
_WINDOW = 100


def _hit(
    text: str,
    start: int,
    window_end: int,
    m: re.Match[str],
    confidence: float,
    accepted: bool,
    need_year: bool,
) -> VenueHit | None:
    """Turn an alias match into a hit, or None if it is too weak. The phrase starts at
    `start`; text[start:window_end] is its sentence (where "workshop" is looked for)."""
    venues, _, index = _table()
    folded = " ".join(m.group().split())
    i = index.get(folded.casefold() if " " in folded else folded)
    if i is None:
        return None
    y = _YEAR_AFTER.match(text, m.end())
    year = None if y is None else int(y["long"]) if y["long"] else 2000 + int(y["short"])
    ref = _JOURNAL_REF.match(text, m.end()) if y is None else None
    if ref and not (ref["issue"] or ref["last"] or ":" in ref.group() or "p" in ref.group()):
        ref = None  # "Nature 3, 2015" is no page 2015: a reference needs its shape
    if ref and ref["year"]:
        year = int(ref["year"])
    if need_year and year is None:
        return None  # "(ICML)" alone is too weak: an abstract may cite a venue by name
    if year is None:  # "Proceedings of the 2023 Conference on ..." / "... (ICML 2023)"
        near = _ANY_YEAR.search(text, start, window_end)
        year = int(near.group()) if near else None
    venue = venues[i]
    if venue.kind == "journal" and _LONGER_NAME.match(text, m.end()):
        return None  # "Nature Communications" is not Nature: another journal's name goes on
    if ref and venue.kind == "journal":  # "TPAMI 48(3):1-20, 2020"
        pages = ref["first"] + ("–" + ref["last"] if ref["last"] else "")
        venue = evolve(venue, volume=ref["volume"], issue=ref["issue"] or "", pages=pages)
    sentence = text[_sentence_start(text, start):window_end]
    if "workshop" in sentence.lower():
        venue = _workshop(venue, sentence)
    if year is not None:
        venue = evolve(venue, year=year)
        if venue.name.casefold() in _YEAR_IN_NAME:  # "Findings of ...: EMNLP 2023"
            venue = evolve(venue, name=f"{venue.name} {year}")
    evidence = " ".join(text[max(0, start - 1) : min(window_end, start + 160)].split())
    return VenueHit(venue, accepted, confidence, evidence)


# "the NeurIPS 2023 Workshop on Distribution Shifts (DistShift)": the workshop's own name
_WORKSHOP_ON = re.compile(r"\b[Ww]orkshop\s+on\s+(?P<topic>[^.;:()\n]{3,120}?)"
                          r"(?:\s*\((?P<acronym>[A-Z][\w-]{1,24})\))?\s*(?=[.;:,(]|$)")


def _workshop(venue: Venue, sentence: str) -> Venue:
    """A workshop held with `venue`: by its own name where the sentence gives one ("NeurIPS
    Workshop on Distribution Shifts", short name its acronym), else the conference's
    workshops as a whole."""
    m = _WORKSHOP_ON.search(sentence)
    if m is None:
        return Venue(name=f"{venue.name} Workshops", short_name=f"{venue.short_name} Workshop",
                     kind="workshop", publisher=venue.publisher)
    topic = " ".join(m.group("topic").split())
    return Venue(name=f"{venue.short_name} Workshop on {topic}",
                 short_name=m.group("acronym") or f"{venue.short_name} Workshop",
                 kind="workshop", publisher=venue.publisher)


def _sentence_end(text: str, start: int, limit: int) -> int:
    end = _SENTENCE_END.search(text, start, min(len(text), limit))
    return end.start() if end else min(len(text), limit)


def _phrase_hit(text: str, pos: int, ph: _Phrase, alias_re: re.Pattern[str],
                negative: re.Pattern[str]) -> tuple[int, VenueHit] | None:
    """The venue the phrase whose word (less its first letter) is at `pos` names."""
    if pos < 1 or text[pos - 1].lower() != ph.first:
        return None
    if ph.whole and ((pos >= 2 and text[pos - 2].isalnum())
                     or text[pos + len(ph.word):pos + len(ph.word) + 1].isalnum()):
        return None
    start = pos - 1  # the word's first letter
    if ph.venue_after:
        joined = ph.link.match(text, pos + len(ph.word)) if ph.link else None
        if not joined:
            return None
        end = _sentence_end(text, joined.end(), joined.end() + _WINDOW)
        m = alias_re.search(text, joined.end(), end)
    else:
        found = list(alias_re.finditer(text, max(0, pos - 40), pos))
        m = found[-1] if found else None
        end = _sentence_end(text, pos, pos + 20)
    if not m or negative.search(text, _sentence_start(text, min(start, m.start())), m.end()):
        return None
    at = start if ph.venue_after else m.start()
    hit = _hit(text, at, end, m, 0.9, ph.accepted, False)
    return (at, hit) if hit else None


def _sentence_start(text: str, pos: int) -> int:
    return max(text.rfind(mark, 0, pos) for mark in (". ", "; ", "! ", "? ")) + 1


def find_venue(text: str) -> VenueHit | None:
    """The first venue a publication phrase in `text` names, or None.

    >>> find_venue("Accepted at ICLR 2023. Code is online.").venue.short_name
    'ICLR'
    """
    _, alias_re, _ = _table()
    phrases, negative = _phrases()
    hits: list[tuple[int, VenueHit]] = []
    for ph in phrases:
        pos = text.find(ph.word)
        while pos != -1:
            found = _phrase_hit(text, pos, ph, alias_re, negative)
            if found:
                hits.append(found)
                break
            pos = text.find(ph.word, pos + 1)
    if "(" in text:
        for paren in _PAREN_YEAR_RE.finditer(text):
            m = alias_re.match(text, paren.start() + 1, paren.end() - 1)
            if m and not negative.search(text, _sentence_start(text, paren.start()),
                                         paren.end()):
                in_parens = _hit(text, paren.start(), paren.end(), m, 0.8, False, True)
                if in_parens:
                    hits.append((paren.start(), in_parens))
                    break
    if hits:
        return min(hits, key=lambda h: h[0])[1]
    return _journal_not_in_table(text)


# a capitalised word right after a journal's name: the name goes on ("Nature Physics")
_LONGER_NAME = re.compile(r"\s+[A-Z][a-z]")
# "Published in Nature Communications 15, 123 (2024)", "Appears in Biometrika 110(2), 2023":
# a journal the table does not hold, known by the reference that follows its name
_JOURNAL_ARTICLE = re.compile(
    r"\b(?:[Pp]ublished|[Aa]ppears?|[Tt]o\s+appear)\s+in\s+(?:the\s+)?"
    r"(?P<name>[A-Z][\w&'.-]*(?:\s+(?:[A-Z][\w&'.-]*|of|and|for|in|on|the|&)){0,8}?)"
    r",?\s+(?:vol\.\s*)?(?P<volume>\d{1,4})\s*(?:\((?P<issue>[\w-]{1,10})\))?"
    r"(?:\s*[:,]\s*(?:pp?\.\s*)?(?P<first>\d{1,6})(?:\s*[-–]\s*(?P<last>\d{1,6}))?)??"
    r"\s*[,(]\s*(?P<year>(?:19|20)\d{2})\)?(?!\d)")


def _journal_not_in_table(text: str) -> VenueHit | None:
    """A journal article the text names with its reference, the journal not in the table:
    read as it is written, and marked for the user to check."""
    if "ppear" not in text and "ublished" not in text:
        return None
    m = _JOURNAL_ARTICLE.search(text)
    if m is None:
        return None
    _, negative = _phrases()
    if negative.search(text, _sentence_start(text, m.start()), m.end()):
        return None
    pages = (m["first"] + ("–" + m["last"] if m["last"] else "")) if m["first"] else ""
    venue = Venue(name=" ".join(m["name"].split()), kind="journal", volume=m["volume"],
                  issue=m["issue"] or "", pages=pages, year=int(m["year"]))
    return VenueHit(venue, False, 0.6, " ".join(m.group().split()), known=False)
