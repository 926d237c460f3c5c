"""The listing reader, one variation at a time, and the real 50-card sample."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from bibkit import Kind, Person, Severity, Status, load, loads
from bibkit.model.diagnostics import Diagnostics
from bibkit.tex import render
from bibkit.tex.spans import END, TEX, tex_span
from conftest import AS_OF, SAMPLE_LISTING


def read(text: str, as_of: dt.date = AS_OF):
    return loads(text, "listing", as_of=as_of)


def card(header="LGMar 1, 2023Code", title="A Title", authors="Ann Lee, Bo Han",
         abstract="An abstract."):
    return f"{header}\n{title}\n\n{authors}\n\n{abstract}\n"


def codes(lib) -> list[str]:
    return [d.code for d in lib.diagnostics]


# --- the real sample -------------------------------------------------------------------


def test_sample_reads_to_50_entries_without_warnings():
    lib = load(SAMPLE_LISTING, as_of=AS_OF)
    assert len(lib) == 50
    assert lib.diagnostics.errors == 0 and lib.diagnostics.warnings == 0
    assert lib.profile is not None
    assert lib.profile.name == "Bo Han"
    assert lib.profile.primary_class == "cs.LG"
    assert lib.profile.stated_count == 263
    assert ("h-index", "87") in lib.profile.metrics
    assert ("citations", "12368") in lib.profile.metrics
    # the header promises 263 papers; the page shows 50: information, not a problem
    assert "BK107" in codes(lib)


def test_sample_first_card():
    c = load(SAMPLE_LISTING, as_of=AS_OF)[0]
    assert c.key == "zhu2023combating"
    assert c.kind is Kind.PREPRINT and c.status is Status.PREPRINT
    assert c.title.startswith("Combating Exacerbated Heterogeneity")
    assert [p.family for p in c.authors] == ["Zhu", "Yao", "Liu"]
    assert c.authors[0] == Person(family="Zhu", given="Jianing")
    assert c.authors_truncated
    assert c.affiliations == ("tsinghua",)
    assert (c.issued.year, c.issued.month, c.issued.day) == (2023, 3, 1)
    assert c.ids.arxiv_class == "cs.LG"
    assert [(link.role, link.url) for link in c.links] == [
        ("code", "https://github.com/ZFancy/SFAT")
    ]
    assert c.extra_value("listing:code-badge") == "yes"
    assert c.origin.line == 12


def strip_spans(text: str) -> str:
    return re.sub(f"{TEX}[^{END}]*{END}", "", text)


def test_sample_latex_in_abstracts_becomes_text():
    lib = load(SAMPLE_LISTING, as_of=AS_OF)
    by_key = {c.key: c for c in lib}
    deep = by_key["li2023deepinception"].abstract
    # the authors' own math-mode italics stay TeX math
    assert "construct " + tex_span(r"$\textit{a virtual, nested scene}$") + ", allowing" in deep
    assert tex_span(r"$\textit{e.g.}$") + ", Llama-2" in deep
    assert not any("\\" in strip_spans(c.abstract) or "$" in strip_spans(c.abstract) for c in lib)
    apll = [c for c in lib if "APLL" in "".join(link.url for link in c.links)]
    assert [link.url for link in apll[0].links] == ["https://github.com/Ferenas/APLL"]


def test_sample_yearless_dates_resolved_and_marked():
    lib = load(SAMPLE_LISTING, as_of=AS_OF)
    yearless = [c for c in lib if c.issued.year_inferred]
    assert [(c.issued.year, c.issued.month, c.issued.day) for c in yearless] == [
        (2026, 5, 30), (2026, 6, 3), (2026, 2, 9)
    ]
    for c in yearless:
        assert any(p.field == "issued" and p.rule == "yearless-date" for p in c.provenance)
    assert codes(lib).count("BK201") == 3


@pytest.mark.parametrize(("header", "text", "expected", "warned"), [
    ("LGMay 30", "See arXiv:2305.01234v2.", (2023, 5, 30), True),   # the id's year wins
    ("LGMay 30", "See arXiv:2605.01234.", (2026, 5, 30), False),    # agreeing: nothing said
    ("LGDec 31", "See arXiv:2601.00001.", (2025, 12, 31), False),   # December, a January id
    ("LGDec 31", "See arXiv:2401.00001.", (2023, 12, 31), True),
    ("LGFeb 29", "See arXiv:2302.00001.", (2023, 2, None), True),   # no Feb 29 in 2023
    ("LGMay 30, 2021", "See arXiv:2305.01234.", (2021, 5, 30), False),  # a stated year stays
])
def test_a_yearless_date_takes_the_year_of_the_cards_arxiv_id(header, text, expected, warned):
    lib = read(card(header=header, abstract=text), as_of=dt.date(2026, 11, 27))
    d = lib[0].issued
    assert (d.year, d.month, d.day) == expected
    assert ("BK203" in codes(lib)) is warned


def test_page_footer_after_the_last_card_is_reported_not_joined_to_the_abstract():
    text = card(abstract="An abstract.") + (
        "\nLoad more\n\n© 2026 ScholarFeed · About · Privacy · Terms\nAbout · Contact · Help\n")
    lib = read(text)
    assert lib[0].abstract == "An abstract."
    notes = [d for d in lib.diagnostics if d.code == "BK109"]
    assert [d.line for d in notes] == [10, 8]  # the footer paragraph, then "Load more"
    assert "© 2026 ScholarFeed" in notes[0].message


def test_an_abstract_that_ends_like_a_menu_word_keeps_its_text():
    lib = read(card(abstract="We compare A, B and C.\n\nCode: https://github.com/a/b"))
    assert lib[0].abstract.endswith("Code: https://github.com/a/b")
    assert not [d for d in lib.diagnostics if d.code == "BK109"]


def test_a_suffix_after_a_comma_belongs_to_the_name_before_it():
    lib = read(card(authors="Martin Luther King, Jr., Ana de la Cruz, Bo Han III et al."))
    assert lib[0].authors == (Person("King", "Martin Luther", "", "Jr."),
                              Person("Cruz", "Ana", "de la"), Person("Han", "Bo", "", "III"))
    assert lib[0].authors_truncated


def test_sample_score_is_kept_but_apart():
    lib = load(SAMPLE_LISTING, as_of=AS_OF)
    snowball = next(c for c in lib if c.title.startswith("MM-Snowball"))
    assert snowball.extra_value("listing:score") == "95.6"
    assert snowball.ids.arxiv_class == "cs.CV"
    assert [link.role for link in snowball.links] == ["project"]


def test_keys_are_unique_and_stable():
    keys = [c.key for c in load(SAMPLE_LISTING, as_of=AS_OF)]
    assert len(set(keys)) == 50
    assert keys == [c.key for c in load(SAMPLE_LISTING, as_of=AS_OF)]


# --- header variations -----------------------------------------------------------------


def test_header_with_only_a_paper_count():
    lib = read("Ann Lee\n\n3 Papers\n\n" + card())
    assert lib.profile.name == "Ann Lee" and lib.profile.stated_count == 3
    assert lib.profile.metrics == ()
    assert len(lib) == 1


def test_listing_without_header():
    lib = read(card())
    assert len(lib) == 1 and lib.profile is None
    assert lib.diagnostics.warnings == 0


def test_unknown_header_line_is_reported():
    lib = read("Ann Lee\nsomething, odd: here\n\n" + card())
    assert "BK106" in codes(lib)
    assert len(lib) == 1


# --- card header variations -----------------------------------------------------------


@pytest.mark.parametrize(("header", "cls", "date", "badge", "score"), [
    ("LGMar 1, 2023Code", "cs.LG", (2023, 3, 1), True, None),
    ("95.6CVMay 30", "cs.CV", (2026, 5, 30), False, "95.6"),
    ("CVFeb 9Code", "cs.CV", (2026, 2, 9), True, None),
    ("MLJun 3, 2021", "stat.ML", (2021, 6, 3), False, None),
    ("IVDec 31, 2020", "eess.IV", (2020, 12, 31), False, None),
    ("quant-phJan 2, 2019", "quant-ph", (2019, 1, 2), False, None),
    ("mes-hallJul 7, 2018", "cond-mat.mes-hall", (2018, 7, 7), False, None),
    ("cs.AIAug 8, 2024Code", "cs.AI", (2024, 8, 8), True, None),
    ("ITSep 9, 2022", "cs.IT", (2022, 9, 9), False, None),  # math.IT is an alias of cs.IT
    ("7CRDec 24", "cs.CR", (2025, 12, 24), False, "7"),  # yearless, after as-of: last year
])
def test_card_headers(header, cls, date, badge, score):
    lib = read(card(header=header))
    c = lib[0]
    assert c.ids.arxiv_class == cls
    assert (c.issued.year, c.issued.month, c.issued.day) == date
    assert (c.extra_value("listing:code-badge") == "yes") is badge
    assert c.extra_value("listing:score") == score
    assert lib.diagnostics.warnings == 0


def test_ambiguous_and_unknown_categories_are_kept_raw_with_a_warning():
    lib = read(card(header="GTJul 4, 2022") + "\n" + card(header="XYZJun 5, 2022"))
    # kept as written, never as the entry's category (issue 28, 14)
    assert [c.ids.arxiv_class for c in lib] == ["", ""]
    assert [dict(c.extra)["listing:category"] for c in lib] == ["GT", "XYZ"]
    messages = [d.message for d in lib.diagnostics if d.code == "BK104"]
    assert "ambiguous (cs.GT, math.GT)" in messages[0]
    assert "not an arXiv category" in messages[1]


def test_preferred_reading_of_an_ambiguous_code_is_recorded():
    c = read(card(header="CVMar 1, 2023"))[0]
    assert c.ids.arxiv_class == "cs.CV"
    prov = [p for p in c.provenance if p.field == "ids.arxiv_class"]
    assert prov and "math.CV" in prov[0].evidence


def test_leap_day_without_year_goes_to_the_last_leap_year():
    c = read(card(header="LGFeb 29"), as_of=dt.date(2026, 11, 27))[0]
    assert (c.issued.year, c.issued.month, c.issued.day) == (2024, 2, 29)
    assert c.issued.year_inferred


def test_impossible_date_is_a_warning_and_the_card_is_kept():
    lib = read(card(header="LGFeb 30, 2023"))
    assert len(lib) == 1 and lib[0].issued.year is None
    assert codes(lib) == ["BK105"]


# --- authors ---------------------------------------------------------------------------


@pytest.mark.parametrize(("line", "people", "truncated", "tags"), [
    ("Ann Lee", [Person("Lee", "Ann")], False, ()),
    ("Ann Lee, Bo Han", [Person("Lee", "Ann"), Person("Han", "Bo")], False, ()),
    ("Diederik P. Kingma, Jan van der Berg, Seán O'Brien et al.",
     [Person("Kingma", "Diederik P."), Person("Berg", "Jan", "van der"),
      Person("O'Brien", "Seán")], True, ()),
    ("Zoë Müller et al. · mit, eth-zurich", [Person("Müller", "Zoë")], True,
     ("mit", "eth-zurich")),
    ("Ana de la Cruz and Martin Luther King Jr.",
     [Person("Cruz", "Ana", "de la"), Person("King", "Martin Luther", "", "Jr.")], False, ()),
    ("A. B. Smith, The LIGO Collaboration",
     [Person("Smith", "A. B."), Person(literal="The LIGO Collaboration")], False, ()),
])
def test_author_lines(line, people, truncated, tags):
    c = read(card(authors=line))[0]
    assert list(c.authors) == people
    assert c.authors_truncated is truncated
    assert c.affiliations == tags


def test_tags_never_attach_to_a_shown_author():
    c = read(card(authors="Ann Lee, Bo Han et al. · tsinghua"))[0]
    assert all("tsinghua" not in p.display() for p in c.authors)


def test_card_without_author_line():
    lib = read("LGMar 1, 2023\nA Title\n\nThis is an abstract sentence, and it is long.\n")
    assert lib[0].authors == () and lib[0].abstract.startswith("This is an abstract")
    assert codes(lib) == ["BK103"]


# --- abstracts -------------------------------------------------------------------------


def test_multi_line_and_multi_paragraph_abstract():
    c = read(card(abstract="First line\nsecond line.\n\nSecond paragraph."))[0]
    assert c.abstract == "First line second line.\n\nSecond paragraph."


def test_empty_abstract_and_no_final_newline():
    lib = read("LGMar 1, 2023\nA Title\n\nAnn Lee\n\nLGMar 2, 2023\nB Title\n\nBo Han")
    assert [c.abstract for c in lib] == ["", ""]
    assert [c.title for c in lib] == ["A Title", "B Title"]


@pytest.mark.parametrize(("latex", "text", "shown"), [
    (r"an \emph{important} and \textit{new} idea", "an important and new idea",
     "an important and new idea"),
    (r"$\textbf{mo}$derately", r"$\textbf{mo}$derately", r"$\textbf{mo}$derately"),
    (r"see \url{https://a.b/c_d%20e}.", "see https://a.b/c_d%20e.", "see https://a.b/c_d%20e."),
    (r"pages 2--3, a 10\% gain", "pages 2--3, a 10% gain", "pages 2--3, a 10% gain"),
    (r"Schr{\"o}dinger and Erd\H{o}s", "Schrödinger and Erdős", "Schrödinger and Erdős"),
    (r"$\alpha$-divergence", r"$\alpha$-divergence", "α-divergence"),
    (r"fees of $3, ~ 5 labels, {curly} and back\slash",
     r"fees of $3, ~ 5 labels, {curly} and back\slash",
     r"fees of $3, ~ 5 labels, {curly} and back\slash"),
])
def test_latex_in_abstracts(latex, text, shown):
    """Web text: accents, escapes and text commands decode, math stays math (its source in
    plain text, Unicode where exact on display), everything else stays as written."""
    abstract = read(card(abstract=latex))[0].abstract
    assert render.plain(abstract) == text
    assert render.display(abstract, str) == shown


def test_plain_double_dash_is_kept_as_written():
    assert read(card(abstract="from 2--3 to -- here"))[0].abstract == "from 2--3 to -- here"


@pytest.mark.parametrize(("abstract", "links"), [
    ("Code: https://github.com/a/b.", [("code", "https://github.com/a/b")]),
    ("(https://gitlab.com/a/b), and", [("code", "https://gitlab.com/a/b")]),
    ("at https://x.github.io/p/}.", [("project", "https://x.github.io/p/")]),
    ("wiki https://en.wikipedia.org/wiki/A_(b).", [("project",
                                                   "https://en.wikipedia.org/wiki/A_(b)")]),
    ("paper https://arxiv.org/abs/2301.00001", []),
])
def test_urls_cleaned_and_classified(abstract, links):
    c = read(card(abstract=abstract))[0]
    assert [(link.role, link.url) for link in c.links] == links


# --- file-level variations -------------------------------------------------------------


def test_crlf_bom_and_blank_line_runs_are_normal_input():
    text = "\ufeffAnn Lee\r\n\r\n2 Papers\r\n\r\n\r\n" + card().replace("\n", "\r\n") + \
        "\r\n\r\n\r\n" + card(header="CVMay 30", title="Other").replace("\n", "\r\n")
    lib = read(text)
    assert [c.title for c in lib] == ["A Title", "Other"]
    assert lib.profile.name == "Ann Lee"
    assert lib.diagnostics.warnings == 0 and lib.diagnostics.errors == 0
    assert [c.origin.line for c in lib] == [6, 15]


def test_missing_blank_line_before_a_card_does_not_swallow_it():
    lib = read(card().rstrip("\n") + "\n" + card(title="Second"))
    assert [c.title for c in lib] == ["A Title", "Second"]


def test_card_without_title_is_an_error_with_its_line_and_the_rest_goes_on():
    lib = read(card() + "\nLGMar 2, 2023\n\n" + card(title="Third"))
    assert [c.title for c in lib] == ["A Title", "Third"]
    errors = [d for d in lib.diagnostics if d.severity is Severity.ERROR]
    assert [(d.code, d.line) for d in errors] == [("BK102", 8)]


def test_empty_input_and_input_without_cards():
    assert codes(read("")) == ["BK301"]
    assert codes(read("\n\n  \n")) == ["BK301"]
    lib = read("just some text\nwith no cards\n")
    assert len(lib) == 0 and "BK304" in codes(lib)


def test_every_card_is_an_entry_or_a_diagnostic():
    text = "".join(card(header=f"LGMar {d}, 2023", title=f"T{d}" if d % 3 else "")
                   + "\n" for d in range(1, 20))
    diags = Diagnostics()
    lib = loads(text, "listing", as_of=AS_OF, diagnostics=diags)
    errors = [d for d in diags if d.severity is Severity.ERROR]
    # a card whose title line is empty takes its author line as the title; none is lost
    assert len(lib) + len(errors) == 19
