"""Reader for scholarfeed.org author pages copied as text (DESIGN.md §4).

    Bo Han                                   <- header: owner, category, glued metrics
    LG / h-index87 / 263papers / ...
    263 Papers
    [score]CAT Mon D[, YYYY][Code]           <- one card per paper
    Title
    (blank)
    Author, Author, Author[ et al.][ · tag, tag]
    (blank)
    Abstract (any number of lines and paragraphs, possibly empty)

One pass over the lines, one card in memory at a time: a card starts at any line that is a
card header, so a missing blank line or a stray paragraph never swallows the next card.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache

from ...infer.categories import resolve_code
from ...infer.dates import MONTHS, DateError, make_date, resolve_yearless
from ...infer.identifiers import links_from_text
from ...infer.names import is_suffix, parse_display_name
from ...model.citation import (
    Citation,
    Identifiers,
    Kind,
    Link,
    Origin,
    PartialDate,
    Person,
    Profile,
    Provenance,
    Status,
)
from ...model.context import ReadContext
from ...model.diagnostics import Diagnostics
from ...tex.decode import from_web
from ...tex.text import squash
from . import RecordReader

_MONTH = (
    r"Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?"
)
CARD_HEADER_RE = re.compile(
    r"(?P<score>\d{1,3}(?:\.\d+)?)?(?P<cat>[A-Za-z][A-Za-z.-]{0,20}?)"
    rf"(?P<mon>{_MONTH})\s?(?P<day>\d{{1,2}})(?:,\s*(?P<year>\d{{4}}))?\s*(?P<code>Code)?"
)
_MAX_HEADER_LEN = 48  # longer lines are prose: skip the regex

_STATED_COUNT_RE = re.compile(r"([\d,]+)\s+Papers?", re.IGNORECASE)
_METRIC_VALUE_FIRST = re.compile(r"(?P<value>[\d,.]+%?)\s*(?P<label>[A-Za-z][A-Za-z -]*)")
_METRIC_LABEL_FIRST = re.compile(r"(?P<label>[A-Za-z][A-Za-z -]*?)\s*(?P<value>[\d,.]+%?)")
_CATEGORY_LINE = re.compile(r"[A-Za-z][A-Za-z.-]{1,20}")
_AND_RE = re.compile(r",?\s+and\s+")
_PARTICLES = frozenset(
    [
        "von",
        "van",
        "der",
        "den",
        "de",
        "del",
        "della",
        "di",
        "da",
        "dos",
        "das",
        "du",
        "le",
        "la",
        "ten",
        "ter",
        "bin",
        "ibn",
        "al",
        "el",
        "zu",
        "y",
        "d'",
        "l'",
    ]
)


@dataclass(slots=True)
class _Card:
    line: int
    header: re.Match[str]
    body: list[str]  # the stripped lines after the header, blank ones included

    def paragraphs(self) -> list[list[str]]:
        out: list[list[str]] = []
        current: list[str] = []
        for text in self.body:
            if text:
                current.append(text)
            elif current:
                out.append(current)
                current = []
        if current:
            out.append(current)
        return out


def cards(stream: Iterable[str], ctx: ReadContext) -> Iterator[tuple[int, str, _Card]]:
    """Each card with its first line; the header before the first card is the profile."""
    header: list[tuple[int, str]] = []
    card: _Card | None = None
    body: list[str] | None = None  # the current card's lines (the loop's hot path)
    cards = 0
    match = CARD_HEADER_RE.fullmatch
    for lineno, raw in enumerate(stream, 1):
        text = raw.strip()
        m = match(text) if text and len(text) <= _MAX_HEADER_LEN else None
        if m is not None:
            if card is not None:
                yield card.line, "", card
            else:
                ctx.profile = _parse_header(header, ctx)
            body = []
            card = _Card(lineno, m, body)
            cards += 1
        elif body is not None:
            body.append(text)
        elif text or header:
            header.append((lineno, text))
    if card is not None:
        yield card.line, "", card
    elif not header:
        ctx.diags.error("BK301", "input is empty")
        return
    else:
        ctx.profile = _parse_header(header, ctx)
        ctx.diags.error(
            "BK304",
            "no paper cards found (a card starts with a line such as 'LGMar 1, 2023Code')",
            line=header[0][0],
        )
    profile = ctx.profile
    if profile and profile.stated_count is not None and profile.stated_count != cards:
        ctx.diags.info(
            "BK107",
            f"the header says {profile.stated_count} papers; "
            f"{cards} cards are present (the page shows only some)",
        )


READER = RecordReader(cards, lambda line, card, ctx: _build(card, ctx), "BK101", "card")


def _clean(text: str) -> str:
    """Model text from a listing field: web text with inline TeX math (bibkit.tex.decode)."""
    return squash(from_web(text))


# The site's own text copied with a page (its footer after the last card, a "Load more"
# between pages): a line with a copyright sign or these words, or a menu ("About · Terms ·
# Privacy"). Only whole trailing paragraphs of such lines leave an abstract, and they are
# reported, never dropped unsaid.
_CHROME_WORDS = re.compile(r"©|\b(?:all rights reserved|privacy policy|terms of (?:service|use)|"
                           r"load more|show more|back to top|powered by|scholarfeed)\b",
                           re.IGNORECASE)
_MENU_ITEM = re.compile(r"[\w'&.-]+(?: [\w'&.-]+){0,2}")


def _is_page_chrome(line: str) -> bool:
    if len(line) > 120:
        return False
    if _CHROME_WORDS.search(line):
        return True
    items = re.split(r"\s+[·|•]\s+", line)
    return len(items) >= 3 and all(_MENU_ITEM.fullmatch(item) for item in items)


def _without_page_chrome(card: _Card, rest: list[list[str]], diags: Diagnostics
                         ) -> list[list[str]]:
    while rest and all(_is_page_chrome(line) for line in rest[-1]):
        page = rest.pop()
        at = len(card.body) - 1 - card.body[::-1].index(page[-1]) - (len(page) - 1)
        diags.info("BK109", f"page text after the card left out of its abstract: "
                   f"{' / '.join(page)[:80]!r}", line=card.line + 1 + at)
    return rest


def _build(card: _Card, ctx: ReadContext) -> Citation | None:
    diags, m = ctx.diags, card.header
    paragraphs = _without_blank_lines(card.paragraphs())
    first, rest = (paragraphs[0], paragraphs[1:]) if paragraphs else ([], [])
    title = _clean(" ".join(first))
    if not title:
        diags.error(
            "BK102", "card has no title line after its header; card skipped", line=card.line
        )
        return None
    prov: list[Provenance] = []

    # authors: the first paragraph after the title, when it reads as a list of names
    authors: tuple[Person, ...] = ()
    truncated = False
    affiliations: tuple[str, ...] = ()
    parsed = parse_author_line(rest[0][0]) if rest and len(rest[0]) == 1 else None
    if parsed is not None:
        authors, truncated, affiliations = parsed
        rest = rest[1:]
    else:
        diags.warning("BK103", "card has no author line; authors left empty", line=card.line)
    rest = _without_page_chrome(card, rest, diags)
    abstract = "\n\n".join(_clean(" ".join(p)) for p in rest)

    issued = _card_date(m, card.line, ctx, prov)
    code = m.group("cat")
    arxiv_class = _category(code, card.line, diags, prov)
    extra: list[tuple[str, str]] = [("listing:category", code)]
    if m.group("score"):
        extra.append(("listing:score", m.group("score")))
    if m.group("code"):
        extra.append(("listing:code-badge", "yes"))
    links: tuple[Link, ...] = links_from_text(abstract)

    citation = Citation(
        kind=Kind.PREPRINT,
        title=title,
        authors=authors,
        authors_truncated=truncated,
        issued=issued,
        status=Status.PREPRINT,
        ids=_ids_for_class(arxiv_class),
        links=links,
        abstract=abstract,
        affiliations=affiliations,
        extra=tuple(extra),
        provenance=tuple(prov),
        origin=Origin(ctx.diags.file, card.line),
    )
    return citation  # venue phrases and arXiv ids in the text: the pipeline's inference


def _card_date(m: re.Match[str], line: int, ctx: ReadContext, prov: list[Provenance]
               ) -> PartialDate:
    """The arXiv v1 submission date; a yearless one is in the capture's year (--as-of)."""
    diags = ctx.diags
    month, day = MONTHS[m.group("mon").lower()], int(m.group("day"))
    try:
        if m.group("year"):
            return make_date(int(m.group("year")), month, day)
        issued = resolve_yearless(month, day, ctx.as_of)
    except DateError as exc:
        diags.warning("BK105", f"{exc}; date left empty", line=line)
        return PartialDate()
    said = f"{m.group('mon')} {day}, as of {ctx.as_of.isoformat()}"
    prov.append(Provenance("issued", "listing", "yearless-date", 0.9, said))
    diags.info("BK201", f"year {issued.year} inferred for '{m.group('mon')} {day}' "
               f"(as of {ctx.as_of.isoformat()})", line=line)
    return issued


def _category(code: str, line: int, diags: Diagnostics, prov: list[Provenance]) -> str:
    """A bare category code as the full arXiv category: "LG" -> "cs.LG"."""
    match = resolve_code(code)
    if not match.category:
        why = (f"is ambiguous ({', '.join(match.candidates)})" if match.candidates
               else "is not an arXiv category")
        diags.warning("BK104", f"category code {code!r} {why}; kept as written, not as "
                      "the entry's category", line=line)
    elif match.preferred:
        prov.append(Provenance("ids.arxiv_class", "listing", "preferred-category", 0.9,
                               f"{code} could be {', '.join(match.candidates)}"))
    return match.category  # a code that is none stays as written in `listing:category` only


def _without_blank_lines(paragraphs: list[list[str]]) -> list[list[str]]:
    """A card copied without blank lines (some browsers copy the page so) is one paragraph:
    title, author line and abstract run together. When no paragraph of its own is an author
    line, the first line of the first paragraph that reads as one splits it again."""
    if not paragraphs or len(paragraphs[0]) < 2:
        return paragraphs
    if len(paragraphs) > 1 and len(paragraphs[1]) == 1 and parse_author_line(paragraphs[1][0]):
        return paragraphs  # the usual shape: title, author line, abstract
    first = paragraphs[0]
    for i in range(1, len(first)):
        if parse_author_line(first[i]) is not None:
            rest = [first[i + 1:]] if i + 1 < len(first) else []
            return [first[:i], [first[i]], *rest, *paragraphs[1:]]
    return paragraphs


@lru_cache(maxsize=512)
def _ids_for_class(arxiv_class: str) -> Identifiers:
    return Identifiers(arxiv_class=arxiv_class)  # immutable, so one per class is enough


def _split_names(line: str) -> tuple[list[str], bool, str] | None:
    """(names, truncated, affiliation tags) when the line reads as a list of short names
    rather than a sentence of an abstract; None otherwise. Any run of white space (tabs,
    no-break spaces a copy put there) counts as one space."""
    head, _, tags = " ".join(line.split()).partition("·")
    truncated = False
    if "al" in head:
        trimmed = head.rstrip(" ,.")
        if trimmed[-6:].lower() in (" et al", ",et al") or trimmed.lower() == "et al":
            truncated = True
            head = trimmed[:-5]
    if " and " in head:
        head = _AND_RE.sub(", ", head)
    names: list[str] = []
    for item in (n.strip() for n in head.split(",")):
        if item and names and is_suffix(item):
            names[-1] += " " + item  # "Martin Luther King, Jr., Ana ...": Jr. is his
        elif item:
            names.append(item)
    if not names:
        return None
    for name in names:
        words = name.split()
        if len(words) > 6:
            return None
        for w in words:
            if w[0].islower() and w.lower() not in _PARTICLES:
                return None
    return names, truncated, tags


def parse_author_line(line: str) -> tuple[tuple[Person, ...], bool, tuple[str, ...]] | None:
    """`A B, C D et al. · tag, tag` -> (people, truncated, affiliation tags), or None when
    the line is not an author line."""
    split = _split_names(line)
    if split is None:
        return None
    names, truncated, tags = split
    affiliations = tuple(t.strip() for t in tags.split(",") if t.strip()) if tags else ()
    return tuple(map(parse_display_name, names)), truncated, affiliations


_BARE_NUMBER = re.compile(r"[\d,.]+%?")


def _join_split_metrics(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """A metric some copies split over two lines ("h-index" / "87", "12,368" / "citations")
    joined again, so it reads as the page shows it."""
    out: list[tuple[int, str]] = []
    i = 0
    while i < len(lines):
        if i + 1 < len(lines):
            first, second = lines[i][1], lines[i + 1][1]
            joined = first + second
            if ((_BARE_NUMBER.fullmatch(first) or _BARE_NUMBER.fullmatch(second))
                    and len(joined) <= 60
                    and (_METRIC_VALUE_FIRST.fullmatch(joined)
                         or _METRIC_LABEL_FIRST.fullmatch(joined))):
                out.append((lines[i][0], joined))
                i += 2
                continue
        out.append(lines[i])
        i += 1
    return out


def _parse_header(lines: list[tuple[int, str]], ctx: ReadContext) -> Profile | None:
    """The owner's name, primary category, metrics and stated paper count."""
    lines = _join_split_metrics([(n, t) for n, t in lines if t])
    if not lines:
        return None
    names: list[tuple[int, str]] = []  # lines that read as a person's name
    primary = ""
    stated: int | None = None
    metrics: list[tuple[str, str]] = []
    for lineno, text in lines:
        count = _STATED_COUNT_RE.fullmatch(text)
        if count:
            stated = int(count.group(1).replace(",", ""))
            continue
        # metrics are short ("12,368citations"); the bound keeps a stray long line linear
        metric = len(text) <= 60 and (
            _METRIC_VALUE_FIRST.fullmatch(text) or _METRIC_LABEL_FIRST.fullmatch(text))
        if metric and any(ch.isdigit() for ch in metric.group("value")):
            label = metric.group("label").strip().lower()
            value = metric.group("value").replace(",", "")
            metrics.append((label, value))
            if label == "papers" and stated is None:
                stated = int(float(value.rstrip("%")))
            continue
        if not primary and _CATEGORY_LINE.fullmatch(text) and resolve_code(text).candidates:
            primary = resolve_code(text).category or text
            continue
        if len(text) <= 80 and "," not in text and _split_names(text):
            names.append((lineno, text))
            continue
        ctx.diags.warning("BK106", f"header line not understood: {text[:60]!r}", line=lineno)
    # the owner: the first name of two words or more; a one-word line ("Home", the site's
    # name copied with the page) is a name only when there is no other
    people = [n for n in names if len(n[1].split()) > 1] or names[:1]
    for lineno, text in names:
        if (lineno, text) not in people[:1]:
            ctx.diags.warning("BK106", f"header line not understood: {text[:60]!r}",
                              line=lineno)
    name = people[0][1] if people else ""
    return Profile(name=name, primary_class=primary, metrics=tuple(metrics), stated_count=stated)
