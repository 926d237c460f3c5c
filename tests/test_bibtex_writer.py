"""BibTeX and BibLaTeX writers: the conventions of DESIGN.md §5, and proof by re-parsing the
output with the parsers users have (bibtexparser v2, pybtex)."""

from __future__ import annotations

import re

import bibtexparser
import pybtex.database
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bibkit import dump, load
from bibkit.model.citation import (
    Citation,
    Identifiers,
    Kind,
    Link,
    PartialDate,
    Person,
    Status,
    Venue,
)
from bibkit.tex.decode import to_plain
from bibkit.tex.spans import Tex, unparse
from bibkit.tex.spans import parse as parse_spans
from conftest import AS_OF, SAMPLE_LISTING
from test_text import text_strategy


@pytest.fixture(scope="module")
def sample():
    return load(SAMPLE_LISTING, as_of=AS_OF)


def parse(text: str):
    lib = bibtexparser.parse_string(text)
    assert not lib.failed_blocks, [b.error for b in lib.failed_blocks]
    return lib


def field(entry, name: str) -> str:
    return entry.fields_dict[name].value


def unprotect(value: str) -> str:
    return to_plain(value)


def shown(text: str) -> str:
    """Model text as a LaTeX reader's text: its spans' TeX flattened the same way."""
    out = []
    for node in parse_spans(text):
        if isinstance(node, str):
            out.append(node)
        elif isinstance(node, Tex):
            out.append(to_plain(node.source))
        else:
            out.append(shown(unparse(node.children)))
    return "".join(out)


# --- the sample re-parsed by the parsers users have ---------------------------------------


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_sample_reparses_with_bibtexparser(sample, fmt):
    lib = parse(dump(sample, fmt))
    assert len(lib.entries) == 50
    assert [e.key for e in lib.entries] == [c.key for c in sample]
    for entry, c in zip(lib.entries, sample, strict=True):
        assert unprotect(field(entry, "title")) == shown(c.title)
        year = field(entry, "year") if fmt == "bibtex" else field(entry, "date")[:4]
        assert year == str(c.issued.year)
        assert unprotect(field(entry, "abstract")) == shown(c.abstract)


def test_sample_reparses_with_pybtex(sample):
    db = pybtex.database.parse_string(dump(sample, "bibtex"), "bibtex")
    assert len(db.entries) == 50
    for c in sample:
        entry = db.entries[c.key]
        assert unprotect(entry.fields["title"]) == c.title
        assert entry.fields["year"] == str(c.issued.year)
        families = [" ".join(p.last_names) for p in entry.persons["author"]]
        expected = [p.family for p in c.authors] + (["others"] if c.authors_truncated else [])
        assert families == expected


# --- conventions -----------------------------------------------------------------------


def one(c: Citation, fmt: str = "bibtex", **kw) -> str:
    return dump([c], fmt, **kw) or ""


PREPRINT = Citation(
    key="zhu2023combating", kind=Kind.PREPRINT, status=Status.PREPRINT,
    title="Combating GNNs", authors=(Person("Zhu", "Jianing"), Person("Berg", "Jan", "van der")),
    authors_truncated=True, issued=PartialDate(2023, 3, 1),
    ids=Identifiers(arxiv="2303.01234v2", doi="10.48550/arxiv.2303.01234", arxiv_class="cs.LG"),
    links=(Link("code", "https://github.com/a/b_c"),), abstract="We do 100% better.",
)


def test_preprint_bibtex():
    assert one(PREPRINT) == """\
@misc{zhu2023combating,
  author        = {Zhu, Jianing and van der Berg, Jan and others},
  title         = {Combating {GNNs}},
  howpublished  = {arXiv preprint arXiv:2303.01234},
  year          = {2023},
  month         = mar,
  eprint        = {2303.01234},
  eprinttype    = {arxiv},
  archivePrefix = {arXiv},
  primaryClass  = {cs.LG},
  doi           = {10.48550/arXiv.2303.01234},
  url           = {https://arxiv.org/abs/2303.01234},
  note          = {Code: \\url{https://github.com/a/b_c}},
  abstract      = {We do 100\\% better.},
}
"""


def test_preprint_biblatex():
    assert one(PREPRINT, "biblatex") == """\
@online{zhu2023combating,
  author       = {Zhu, Jianing and van der Berg, Jan and others},
  title        = {Combating {GNNs}},
  date         = {2023-03-01},
  eprint       = {2303.01234},
  eprinttype   = {arxiv},
  eprintclass  = {cs.LG},
  doi          = {10.48550/arXiv.2303.01234},
  url          = {https://arxiv.org/abs/2303.01234},
  note         = {Code: \\url{https://github.com/a/b_c}},
  abstract     = {We do 100\\% better.},
}
"""


def test_preprint_without_arxiv_id_never_invents_one(sample):
    text = dump(sample, "bibtex")
    assert "eprint " not in text and "arxiv.org/abs" not in text and "doi " not in text
    assert text.count("howpublished  = {arXiv preprint},") + text.count(
        "howpublished = {arXiv preprint},") == 50


def test_published_paper_keeps_its_arxiv_fields():
    c = Citation(key="k", kind=Kind.CONFERENCE_PAPER, status=Status.PUBLISHED, title="T",
                 authors=(Person("Lee", "Ann"),), issued=PartialDate(2022, 11, 2),
                 venue=Venue(name="International Conference on Learning Representations",
                             short_name="ICLR", kind="conference", year=2023),
                 ids=Identifiers(arxiv="2211.00001", arxiv_class="cs.LG"))
    text = one(c)
    assert text.startswith("@inproceedings{k,")
    assert "booktitle     = {International Conference on Learning Representations}," in text
    assert "year          = {2023}," in text and "month" not in text
    assert "eprint        = {2211.00001}," in text
    journal = one(Citation(key="j", kind=Kind.JOURNAL_ARTICLE, title="T",
                           venue=Venue(name="Journal of Machine Learning Research", volume="24",
                                       pages="1-10", year=2023)), "biblatex")
    assert "journaltitle" in journal and "pages        = {1--10}," in journal


def test_no_abstract_and_ascii(sample):
    assert "abstract" not in dump(sample, "bibtex", abstract=False)
    c = Citation(key="k", title="Über Łódź", authors=(Person("Müller", "Zoë"),))
    text = one(c, charset="ascii")
    assert text.isascii()
    entry = parse(text).entries[0]
    assert unprotect(field(entry, "title")) == "Über Łódź"
    assert unprotect(field(entry, "author")) == "Müller, Zoë"


def test_site_metrics_never_appear(sample):
    snowball = [c for c in sample if c.extra_value("listing:score") == "95.6"]
    assert len(snowball) == 1  # the score is kept in the model ...
    for fmt in ("bibtex", "biblatex"):
        text = dump(snowball, fmt)
        assert "95.6" not in text and "listing" not in text  # ... and never printed


def test_month_is_a_bare_macro(sample):
    text = dump(sample, "bibtex")
    assert re.search(r"month\s+= (jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec),\n", text)
    assert "month         = {" not in text


def test_unsafe_keys_and_urls_cannot_break_the_entry():
    c = Citation(key="a b,{c}", title="T", ids=Identifiers(url="https://x.y/a}b{c d"),
                 links=(Link("project", "https://x.y/p}q{r s"),))
    entry = parse(one(c)).entries[0]
    assert entry.key == "abc"
    assert field(entry, "url") == "https://x.y/a%7Db%7Bc%20d"
    assert field(entry, "note") == "Project page: \\url{https://x.y/p\\%7Dq\\%7Br\\%20s}"


def test_a_code_link_is_never_the_url():
    # a style prints `url` as where the work is: a code repository is not the work
    c = Citation(key="k", title="T", links=(Link("code", "https://github.com/a/b"),))
    entry = parse(one(c)).entries[0]
    assert "url" not in entry.fields_dict
    assert field(entry, "note") == "Code: \\url{https://github.com/a/b}"


# --- properties ------------------------------------------------------------------------

name_part = st.text(
    alphabet=st.characters(whitelist_categories=("Lu", "Ll", "Lo")), min_size=1, max_size=12
)


@st.composite
def citations(draw):
    authors = tuple(
        Person(family=draw(name_part), given=draw(st.one_of(st.just(""), name_part)))
        for _ in range(draw(st.integers(0, 4)))
    )
    return Citation(
        key=draw(st.from_regex(r"[a-z]{1,8}[0-9]{0,4}", fullmatch=True)),
        kind=draw(st.sampled_from(list(Kind))),
        title=draw(text_strategy.filter(str.strip)),
        authors=authors,
        authors_truncated=draw(st.booleans()),
        issued=PartialDate(draw(st.integers(1900, 2100)), draw(st.integers(1, 12))),
        abstract=draw(text_strategy),
        note=draw(text_strategy),
        venue=Venue(name=draw(text_strategy)),
    )


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(citations(), min_size=1, max_size=4), st.sampled_from(["bibtex", "biblatex"]))
def test_any_text_survives_a_round_trip_through_bibtexparser(cs, fmt):
    # --utf8: every character is written; the default leaves out invisible formatting
    # characters pdflatex cannot typeset (BK406, test_latexchars)
    text = dump(cs, fmt, charset="utf8") or ""
    lib = parse(text)
    assert len(lib.entries) == len(cs)
    keys = [e.key for e in lib.entries]
    assert len(set(keys)) == len(keys) or len({c.key for c in cs}) < len(cs)
    for entry, c in zip(lib.entries, cs, strict=True):
        assert unprotect(field(entry, "title")) == c.title
        if c.abstract:
            assert unprotect(field(entry, "abstract")) == c.abstract
        if c.authors:
            assert field(entry, "author").count(" and ") == len(c.authors) - 1 + (
                1 if c.authors_truncated else 0)


@settings(max_examples=100)
@given(citations())
def test_pybtex_reads_the_same_title_and_names(c):
    db = pybtex.database.parse_string(one(c), "bibtex")
    entry = db.entries[c.key]
    assert unprotect(entry.fields["title"]) == c.title
    if c.authors:
        people = entry.persons["author"]
        shown = people[: len(c.authors)]
        assert [unprotect(" ".join(p.last_names)) for p in shown] == [
            a.family for a in c.authors]


def test_a_code_that_is_no_arxiv_category_is_not_written_as_one():
    from bibkit.model.citation import evolve

    for code, written in (("cs.LG", True), ("cs", True), ("XYZ", False), ("GT", False)):
        c = Citation(key="k", kind=Kind.PREPRINT, title="T",
                     ids=Identifiers(arxiv="2303.01234", arxiv_class=code))
        assert (f"primaryClass  = {{{code}}}" in dump([c], "bibtex")) is written
        assert (f"eprintclass  = {{{code}}}" in dump([c], "biblatex")) is written
        assert (f"KW  - {code}\r\n" in dump([c], "ris")) is written  # Zotero: a tag
        assert (f"<topic>{code}</topic>" in dump([evolve(c)], "mods")) is written


def test_arxivs_doi_is_not_the_doi_of_a_published_version():
    # 10.48550/arXiv.ID names the preprint: a proceedings paper is not cited with it, in any
    # format; the arXiv id still travels, and CSL-JSON keeps the DOI for a lossless read
    import json

    from bibkit import loads

    ids = Identifiers(arxiv="2201.00001", doi="10.48550/arxiv.2201.00001")
    published = Citation(key="k", kind=Kind.CONFERENCE_PAPER, title="T", ids=ids,
                         venue=Venue(name="ICLR", year=2022))
    for fmt in ("bibtex", "biblatex", "ris", "mods", "csljson"):
        text = dump([published], fmt) or ""
        assert "10.48550" not in text.replace('"doi": "10.48550', ""), fmt
        assert "2201.00001" in text
    back = loads(dump([published], "csljson") or "", "csljson", infer=False)[0]
    assert back.ids.doi == "10.48550/arxiv.2201.00001"
    preprint = Citation(key="p", kind=Kind.PREPRINT, title="T", ids=ids)
    assert "doi           = {10.48550/arXiv.2201.00001}" in dump([preprint], "bibtex")
    assert json.loads(dump([preprint], "csljson") or "")[0]["DOI"] == "10.48550/arXiv.2201.00001"


def test_an_edited_volume_is_a_biblatex_collection_and_a_bibtex_book():
    c = Citation(key="e", kind=Kind.BOOK, title="Proceedings of Something",
                 editors=(Person("Editor", "E."),), issued=PartialDate(2021))
    assert one(c, "biblatex").startswith("@collection{e,")  # @book must have an author
    assert one(c, "bibtex").startswith("@book{e,")  # plain.bst takes an editor instead
    authored = Citation(key="a", kind=Kind.BOOK, title="T", authors=(Person("Roe", "J."),),
                        editors=(Person("Editor", "E."),), issued=PartialDate(2021))
    assert one(authored, "biblatex").startswith("@book{a,")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet="ab {}\\%#\"@,=\n", max_size=30))
@example("\n@{}")  # a line starting with @ opens an entry for bibtexparser
@example("a } b")
def test_a_kept_field_can_never_end_its_entry_early(raw):
    # a value as a tolerant parse or a plugin may hand over: braces that need not balance
    c = Citation(key="k", kind=Kind.DOCUMENT, title="T", extra=(("bibtex:mrnumber", raw),))
    after = Citation(key="next", kind=Kind.DOCUMENT, title="T")
    for fmt in ("bibtex", "biblatex"):
        lib = parse(dump([c, after], fmt))
        assert [e.key for e in lib.entries] == ["k", "next"]  # nothing swallowed or split
