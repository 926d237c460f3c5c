"""Checks a format can reuse: hypothesis strategies for citations (hostile Unicode, every
LaTeX and RIS special, every model field a format may carry) and the properties bibkit holds
its own formats to, for a plugin's `FormatSpec` to meet the same (needs hypothesis, which
`bibkit[test]` installs; bibkit itself never imports this module).

    from hypothesis import given
    from bibkit.testing import assert_stable_round_trip, citations

    @given(citations())
    def test_my_format_round_trips(c):
        assert_stable_round_trip([c], "myformat")
"""

from __future__ import annotations

from collections.abc import Sequence

from hypothesis import strategies as st

from bibkit.model.citation import (
    Citation,
    Identifiers,
    Kind,
    Link,
    PartialDate,
    Person,
    Provenance,
    Status,
    Venue,
)
from bibkit.tex.text import squash

SPECIALS = "{}\\%&$#_~^@\"'`-<>|!?\u00a0"
INJECTIONS = ["}", "@misc{x,", "\\input{/etc/passwd}", "\\immediate\\write18{rm -rf /}",
              "\nER  - \nTY  - JOUR", "<script>alert(1)</script>", "]]>", "--", "``", "%",
              "<img src=x onerror=alert(1)>", "&lt;b&gt;", "^^5cinput^^7b/etc/passwd^^7d"]

text = st.one_of(
    st.text(
        alphabet=st.one_of(
            st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
                          blacklist_characters="".join(map(chr, range(0xFDD0, 0xFDF0)))),
            st.sampled_from(SPECIALS),
        ),
        max_size=60,
    ),
    st.sampled_from(INJECTIONS),
).map(squash)

word = st.text(alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lo")), min_size=1,
               max_size=10)
person = st.one_of(
    st.builds(Person, family=word, given=st.one_of(st.just(""), word)),
    st.builds(Person, family=word, given=word, particle=st.sampled_from(["van", "de la"])),
    st.builds(Person, literal=word.map(lambda w: w + " Consortium")),
)
year = st.integers(1800, 2100)
date = st.one_of(
    st.builds(PartialDate, year),
    st.builds(PartialDate, year, st.integers(1, 12)),
    st.builds(PartialDate, year, st.integers(1, 12), st.integers(1, 28)),
)
arxiv_id = st.from_regex(r"2[0-4](0[1-9]|1[0-2])\.\d{5}(v[1-9])?", fullmatch=True)


@st.composite
def citations(draw: st.DrawFn, full: bool = False) -> Citation:
    """A citation; with full=True every field, including those only CSL-JSON keeps."""
    kind = draw(st.sampled_from(list(Kind)))
    arxiv = draw(st.one_of(st.just(""), arxiv_id))
    base = Citation(
        key=draw(st.from_regex(r"[a-z]{1,8}[0-9]{0,4}", fullmatch=True)),
        kind=kind,
        title=draw(text.filter(str.strip)),
        authors=tuple(draw(st.lists(person, max_size=4))),
        authors_truncated=draw(st.booleans()),
        issued=draw(date),
        abstract=draw(text),
        venue=Venue(name=draw(text), volume=draw(st.sampled_from(["", "12", "3"]))),
        ids=Identifiers(arxiv=arxiv, doi=draw(st.sampled_from(["", "10.1000/xyz123"]))),
        keywords=tuple(draw(st.lists(word, max_size=3))),
    )
    if not full:
        return base
    from bibkit.model.citation import evolve

    return evolve(
        base,
        status=draw(st.sampled_from(list(Status))),
        title_nocase=tuple(draw(st.lists(word, max_size=2))),
        editors=tuple(draw(st.lists(person, max_size=2))),
        venue=Venue(name=draw(text), short_name=draw(text), kind=draw(
            st.sampled_from(["", "conference", "journal", "workshop"])),
            volume=draw(text), issue=draw(text), pages=draw(text), publisher=draw(text),
            year=draw(st.one_of(st.none(), year)), place=draw(text), series=draw(text),
            edition=draw(text)),
        ids=Identifiers(doi=draw(st.sampled_from(["", "10.1000/abc"])), arxiv=arxiv,
                        arxiv_class=draw(st.sampled_from(["", "cs.LG", "hep-th"])),
                        isbn=draw(st.sampled_from(["", "978-3-16-148410-0"])),
                        url=draw(st.sampled_from(["", "https://example.org/a?b=c&d"]))),
        links=tuple(draw(st.lists(st.builds(Link, st.sampled_from(["code", "project"]),
                                            st.sampled_from(["https://github.com/a/b",
                                                             "https://x.github.io/"])),
                                  max_size=2))),
        affiliations=tuple(draw(st.lists(word, max_size=2))),
        note=draw(text),
        language=draw(st.sampled_from(["", "en", "de"])),
        genre=draw(st.sampled_from(["", "Master's thesis", "Habilitation", "<i>x</i> & y"])),
        accessed=draw(st.one_of(st.just(PartialDate()), date)),
        extra=tuple(draw(st.lists(st.tuples(st.sampled_from(["bibtex:mrnumber", "ris:M3",
                                                             "listing:score"]), word),
                                  max_size=2, unique_by=lambda kv: kv[0]))),
        provenance=tuple(draw(st.lists(st.builds(Provenance, st.just("venue"),
                                                 st.just("infer"), word,
                                                 st.sampled_from([0.9, 1.0]), text),
                                       max_size=2))),
    )


def assert_stable_round_trip(cs: Sequence[Citation], fmt: str) -> None:
    """write(read(write(x))) == write(x): what a format writes, it reads back to the same
    output, with no error (for a format that both reads and writes)."""
    from .api import dump, loads

    first = dump(cs, fmt) or ""
    back = loads(first, fmt, infer=False)
    assert back.diagnostics.errors == 0, [d.format() for d in back.diagnostics]
    assert (dump(back.citations, fmt) or "") == first


def assert_hostile_text_stays_in_its_record(cs: Sequence[Citation], fmt: str) -> None:
    """Every citation, whatever its text (INJECTIONS: braces, `@misc{`, RIS's `ER  -`,
    markup), is one record when its own output is read back: no field ends early and no
    text starts a record of its own (for a format that both reads and writes)."""
    from .api import dump, loads

    back = loads(dump(cs, fmt) or "", fmt, infer=False)
    assert len(back) == len(cs), [d.format() for d in back.diagnostics]

