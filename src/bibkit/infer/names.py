"""Personal names: splitting "Given particle Family, Suffix" as people write them.

BibTeX's rules (a lower-case word starts the particle, "Jr" parts after a comma) applied to
the display order used by listings. Fast for the common case: a name of capitalised words
is split at its last space without further work.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from functools import lru_cache

from ..model.citation import Person, Provenance
from ..tex.text import fold as _fold

_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv", "v", "2nd", "3rd"})
# Words that mark a name as an organisation rather than a person.
_ORG_WORDS = frozenset(
    [
        "collaboration",
        "consortium",
        "team",
        "group",
        "project",
        "committee",
        "institute",
        "university",
        "laboratory",
        "association",
        "society",
        "corporation",
        "inc",
        "inc.",
        "ltd",
        "ltd.",
        "foundation",
        "organization",
        "organisation",
    ]
)


def is_particle(word: str) -> bool:
    """BibTeX's rule for every format: a word whose first letter is lower case (van, der,
    de, di, bin; d'Alembert's d', 't Hooft's 't) belongs to the particle."""
    for ch in word:
        if ch.isalpha():
            return ch.islower()
    return False


def last_first(p: Person) -> tuple[str, str]:
    """(last name, first names) as a list of names sorts a person: the particle with the last
    name ("van der Berg", "Jan"), a dropping one with the first ("Beethoven", "Ludwig van")."""
    if p.dropping and p.particle:
        return p.family, f"{p.given} {p.particle}" if p.given else p.particle
    return p.full_family, p.given


def zotero_parts(p: Person) -> tuple[str, str]:
    """(last name, first name) as Zotero stores a person: the particle in the last name (a
    dropping one at the end of the first), a suffix after a comma in the first ("van der
    Berg"; "Ludwig van"; "Martin Luther, Jr."). Zotero keeps only these two (its CSL-JSON and
    MODS imports read family and given alone) and splits them again for citeproc-js
    (zotero/utilities, utilities_item.js, parseParticles)."""
    family, given = last_first(p)
    return family, f"{given}, {p.suffix}" if p.suffix else given


def from_zotero_parts(family: str, given: str) -> Person:
    """The person zotero_parts wrote: leading lower-case words of the last name are the
    particle, what follows a comma in the first name the suffix. (A dropping particle at
    the end of the first name stays there: lower-case given names are common enough in
    pasted data that BibTeX's lower-case rule would misread them.)"""
    words = family.split(" ")
    n = 0
    while n < len(words) - 1 and is_particle(words[n]):
        n += 1
    given, _, suffix = given.partition(", ")
    return Person(family=" ".join(words[n:]), given=given, particle=" ".join(words[:n]),
                  suffix=suffix)


# a name's form in its own script after it, in parentheses: "Li Na (李娜)", "Wang, Wei (王伟)"
_IN_PARENTHESES = re.compile(r"\s*[(（]([^()（）]+)[)）]\s*$")


def original_script(name: str) -> tuple[str, str]:
    """(the name, its form in another script) for a name followed by that form in
    parentheses; (the name, "") for any other.

    >>> original_script("Li Na (李娜)")
    ('Li, Na', '李娜')
    >>> original_script("Wei Wang (王伟)")
    ('Wei Wang', '王伟')
    >>> original_script("John Smith (Jr.)")
    ('John Smith (Jr.)', '')
    """
    if ")" not in name and "）" not in name:
        return name, ""
    m = _IN_PARENTHESES.search(name)
    if m is None or not name[: m.start()].strip():
        return name, ""
    letters = [c for c in m.group(1) if c.isalpha()]
    if not letters or any(unicodedata.name(c, "").startswith("LATIN") for c in letters):
        return name, ""
    romanised, original = name[: m.start()].rstrip(), m.group(1).strip()
    words = romanised.split()
    if ("," not in romanised and 2 <= len(words) <= 3 and _family_first(original)
            and words[0].lower() in _EAST_ASIAN_FAMILY_NAMES
            and words[-1].lower() not in _EAST_ASIAN_FAMILY_NAMES):
        # written in the original's order, family name first: "Li Na (李娜)" is Li, Na
        romanised = f"{words[0]}, {' '.join(words[1:])}"
    return romanised, original


def _family_first(original: str) -> bool:
    """Han or Hangul without kana: a Chinese or Korean name, written family name first (a
    Japanese name's romanised order varies too much to guess)."""
    names = [unicodedata.name(c, "") for c in original if c.isalpha()]
    return all(n.startswith(("CJK UNIFIED", "HANGUL")) for n in names)


# Common Chinese and Korean family names that are rarely given names: the evidence that a
# romanised name paired with its Han or Hangul form keeps the original's order
_EAST_ASIAN_FAMILY_NAMES = frozenset([
    "wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun",
    "ma", "zhu", "hu", "guo", "he", "lin", "luo", "gao", "zheng", "liang", "xie", "tang", "feng",
    "deng", "cao", "peng", "zeng", "xiao", "tian", "dong", "pan", "yuan", "cai", "jiang", "du",
    "ye", "cheng", "su", "lu", "ding", "ren", "shen", "yao", "zhong", "cui", "tan", "fan", "jin",
    "kim", "lee", "park", "choi", "jung", "kang", "cho", "yoon", "jang", "lim",
])


def original_forms(names: Iterable[str], role: str, source: str) -> tuple[Provenance, ...]:
    """Provenance keeping each name written with its original script ("Li Na (李娜)"): the
    name is read without it, and the form as written stays here."""
    return tuple(Provenance(role, source, "original-script", 1.0, name.strip())
                 for name in names if original_script(name)[1])


def looks_like_a_person(name: str) -> bool:
    """A name without a comma that reads as a person's, given name first (IEEE Xplore's RIS
    writes every author so: "J. K. Rowling"): two to four words, each capitalised or a
    particle, none of them an organisation's word."""
    words = name.split()
    if not 2 <= len(words) <= 4 or not _ORG_WORDS.isdisjoint(w.lower() for w in words):
        return False
    return all(w[0].isupper() or is_particle(w) for w in words) and words[-1][0].isupper()


def is_suffix(word: str) -> bool:
    """"Jr.", "Sr", "III": a word that ends a name rather than being one."""
    return word.lower() in _SUFFIXES


@lru_cache(maxsize=4096)  # co-authors recur from card to card; a Person is immutable
def parse_display_name(text: str) -> Person:
    """Split a name written in display order.

    >>> parse_display_name("Jan van der Berg")
    Person(family='Berg', given='Jan', particle='van der', suffix='', literal='', dropping=False)
    >>> parse_display_name("Martin Luther King Jr.").suffix
    'Jr.'
    """
    text = original_script(text)[0]
    words = text.split()
    if not words:
        return Person()
    if len(words) > 1 and not _ORG_WORDS.isdisjoint(w.lower() for w in words):
        return Person(literal=" ".join(words))
    if "," in text:  # "Family, Given" or "Family, Jr., Given" (BibTeX order)
        return parse_inverted_name(text)
    suffix = ""
    if len(words) > 2 and is_suffix(words[-1]):
        suffix = words.pop()
    if len(words) == 1:
        return Person(family=words[0], suffix=suffix)
    # fast path: no lower-case word, so given = all but the last word
    if not any(is_particle(w) for w in words[1:-1]):
        return Person(family=words[-1], given=" ".join(words[:-1]), suffix=suffix)
    # BibTeX's von rule: the particle is the run of lower-case words after the given names
    first = next(i for i in range(1, len(words) - 1) if is_particle(words[i]))
    last = first
    while last + 1 < len(words) - 1 and is_particle(words[last + 1]):
        last += 1
    return Person(
        family=" ".join(words[last + 1 :]),
        given=" ".join(words[:first]),
        particle=" ".join(words[first : last + 1]),
        suffix=suffix,
    )


def parse_inverted_name(text: str) -> Person:
    """Split "particle Family, Given" or "particle Family, Suffix, Given"."""
    parts = [p.strip() for p in text.split(",")]
    family_part = parts[0].split()
    if len(parts) >= 3:
        suffix, given = parts[1], ", ".join(parts[2:])
    else:
        suffix, given = "", parts[1] if len(parts) > 1 else ""
    # the particle is the run of lower-case words before the last word: found by index,
    # not by popping from the front (that was quadratic in the number of words)
    cut = 0
    while cut < len(family_part) - 1 and is_particle(family_part[cut]):
        cut += 1
    return Person(
        family=" ".join(family_part[cut:]),
        given=given,
        particle=" ".join(family_part[:cut]),
        suffix=suffix,
    )


# --- the profile owner among the authors -------------------------------------------------


def _initials(given: str) -> str:
    return "".join(w[0] for w in _fold(given).split())


def _given_compatible(a: str, b: str) -> bool:
    """ "Bo" ~ "B." ~ "B"; "Diederik P." ~ "D. P." ~ "D."; never "Bo" ~ "Bin"."""
    fa, fb = _fold(a), _fold(b)
    if not fa or not fb or fa == fb:
        return fa == fb or not fa or not fb
    ia, ib = _initials(a), _initials(b)
    a_initials = all(len(w) == 1 for w in fa.split())
    b_initials = all(len(w) == 1 for w in fb.split())
    if a_initials or b_initials:
        return ia.startswith(ib) or ib.startswith(ia)
    return False


class OwnerMatcher:
    """Which author is the profile owner, for each way the owner's name is written: "Bo Han",
    "B. Han", "Han, B.", and the given/family order swapped (East Asian order).

    `matcher(p)` says whether an author could be the owner; `owner_in(authors)` picks the one
    author of an entry who is: an entry has one owner, so when "Han Bo" and "B. Han" sign the
    same paper, the closer match is the owner and the other a namesake.
    """

    def __init__(self, names: Iterable[str]) -> None:
        self.owners = [parse_display_name(n) for n in names if n.strip()]

    def strength(self, p: Person) -> int:
        """3: the name as written (given names equal, or a literal); 2: the order swapped;
        1: initials for the given names; 0: not the owner."""
        if p.literal:
            literal = _fold(p.literal)
            return 3 if any(literal in (_fold(f"{o.given} {o.family}"),
                                        _fold(f"{o.family} {o.given}"))
                            for o in self.owners) else 0
        family, given, best = _fold(p.full_family), p.given, 0
        for o in self.owners:
            of = _fold(o.full_family)
            if family == of and _given_compatible(given, o.given):
                best = max(best, 3 if _fold(given) == _fold(o.given) else 1)
            if family == _fold(o.given) and _fold(given) == of:  # "Han Bo" for "Bo Han"
                best = max(best, 2)
        return best

    def __call__(self, p: Person) -> bool:
        return self.strength(p) > 0

    def owner_in(self, authors: Sequence[Person]) -> int | None:
        """The position of the entry's owner: the strongest match, the first of equals."""
        best, at = 0, None
        for i, p in enumerate(authors):
            s = self.strength(p)
            if s > best:
                best, at = s, i
        return at


def owner_matcher(names: Iterable[str]) -> OwnerMatcher:
    return OwnerMatcher(names)
