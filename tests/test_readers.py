"""The BibTeX, RIS and CSL-JSON readers, and format sniffing."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bibkit import Kind, Person, Status, dump, load, loads
from bibkit.formats.readers.bibtex import nocase_spans, parse_bibtex_name, parse_names
from bibkit.model.diagnostics import Diagnostics
from bibkit.tex.spans import rich_span
from conftest import SAMPLES

# --- BibTeX ---------------------------------------------------------------------------------


def bib(text: str):
    return loads(text, "bibtex")


@pytest.mark.parametrize(("raw", "person"), [
    ("Donald E. Knuth", Person("Knuth", "Donald E.")),
    ("Knuth, Donald E.", Person("Knuth", "Donald E.")),
    ("Ludwig van Beethoven", Person("Beethoven", "Ludwig", "van")),
    ("van Beethoven, Ludwig", Person("Beethoven", "Ludwig", "van")),
    ("Jean de La Fontaine", Person("La Fontaine", "Jean", "de")),
    ("King, Jr., Martin Luther", Person("King", "Martin Luther", "", "Jr.")),
    ("{Barnes and Noble, Inc.}", Person(literal="Barnes and Noble, Inc.")),
    ("Erd{\\H{o}}s, Paul", Person("Erdős", "Paul")),
    ("{\\'E}mile Durkheim", Person("Durkheim", "Émile")),
    ("Ming{-}Wei Chang", Person("Chang", "Ming-Wei")),
    ("{van} Gogh, Vincent", Person("van Gogh", "Vincent")),
    ("Plato", Person("Plato")),
])
def test_bibtex_name_forms(raw, person):
    assert parse_bibtex_name(raw) == person


def test_name_lists_and_others():
    people, truncated = parse_names("A. Smith and {Barnes and Noble} AND B. Jones and others")
    assert [p.family or p.literal for p in people] == ["Smith", "Barnes and Noble", "Jones"]
    assert truncated


def test_strings_macros_months_and_concatenation():
    lib = bib('@string{conf = "Proc. of "}\n@string{ml = {ML}}\n'
              '@inproceedings{k, title={T}, booktitle = conf # ml # " 2020", year = 2020,'
              ' month = sep}')
    c = lib[0]
    assert c.venue.name == "Proc. of ML 2020"
    assert (c.issued.year, c.issued.month) == (2020, 9)
    assert lib.diagnostics.warnings == 0


def test_latex_decoded_and_case_protection_remembered():
    c = bib(r"@article{k, title = {The {BERT} Model of {Schr\"{o}dinger} -- \emph{now}},"
            r" author = {M{\"u}ller, J{\"o}rg}, journal={J}, year={2020}}")[0]
    assert c.title == "The BERT Model of Schrödinger – " + rich_span("emph", "now")
    assert c.title_nocase == ("BERT", "Schrödinger")
    assert c.authors == (Person("Müller", "Jörg"),)
    assert "{BERT}" in dump([c], "bibtex") and "{Schrödinger}" in dump([c], "bibtex")


def test_nocase_spans_skip_command_arguments_and_accents():
    assert nocase_spans(r"{\'E}cole and \emph{this} and {NASA}") == ("NASA",)


@pytest.mark.parametrize("entry", [
    "@misc{k, title={T}, eprint={2303.01234}, archivePrefix={arXiv}, primaryClass={cs.LG}}",
    "@online{k, title={T}, eprint={2303.01234}, eprinttype={arxiv}, eprintclass={cs.LG}}",
    "@article{k, title={T}, journal={CoRR}, volume={abs/2303.01234}, eprinttype={arXiv},"
    " eprint={2303.01234}, primaryClass={cs.LG}}",
    "@article{k, title={T}, journal={arXiv preprint arXiv:2303.01234}, primaryClass={cs.LG}}",
])
def test_every_arxiv_style_reads_as_a_preprint(entry):
    c = bib(entry + "\n")[0]
    assert c.kind is Kind.PREPRINT and c.status is Status.PREPRINT
    assert c.ids.arxiv == "2303.01234" and c.ids.arxiv_class == "cs.LG"
    assert c.venue.name == "" and c.venue.volume == ""


def test_unknown_fields_kept_and_written_back():
    c = bib("@article{k, title={T}, journal={J}, year={2020}, mrnumber = {MR1 {x}},"
            " timestamp = {2020}}")[0]
    assert ("bibtex:mrnumber", "MR1 {x}") in c.extra
    out = dump([c], "bibtex")
    assert "mrnumber      = {MR1 {x}}," in out and "timestamp     = {2020}," in out


def test_failed_blocks_duplicates_and_line_numbers():
    text = ("% comment\n"
            "@article{good1, title={One}, year={2020}}\n"
            "@article{broken, title={Never {closed}, year={2020},\n"
            "\n"
            "@article{good2, title={Two}, title={Again}, year={2021}}\n"
            "@article{good1, title={Three}, year={2022}}\n"
            "@article{bad value, title = }\n"
            "@misc{good3, title={Four}}\n")
    lib = bib(text)
    # the unclosed entry is lost (an error); the one with a space in its key is rescued by
    # the tolerant parser (a warning), with the value it could make of `title = }`
    assert [c.title for c in lib] == ["One", "Two", "Three", "", "Four"]
    found = sorted((str(d.severity), d.code, d.line) for d in lib.diagnostics)
    assert found == [("error", "BK501", 3), ("warning", "BK401", 6), ("warning", "BK501", 7),
                     ("warning", "BK502", 5)]
    assert [c.key for c in lib][:3] == ["good1", "good2", "good1a"]


def test_tolerant_parser_rescues_what_the_fast_path_rejects():
    # parenthesised entries are legal BibTeX but rare: bibtexparser handles them
    lib = bib("@article(k, title = {Paren Entry}, year = {2020})\n")
    assert [c.title for c in lib] == ["Paren Entry"]


def test_string_expansion_is_bounded():
    defs = "@string{a0 = {xxxxxxxxxxxxxxxx}}\n" + "".join(
        f"@string{{a{i} = a{i - 1} # a{i - 1}}}\n" for i in range(1, 40))
    lib = bib(defs + "@misc{k, title = a39}\n@misc{ok, title={Fine}}\n")
    assert [c.key for c in lib] == ["k", "ok"] and len(lib[0].title) < 1000
    assert any("1 MiB" in d.message for d in lib.diagnostics)  # the @string that blew up
    assert any(d.code == "BK503" for d in lib.diagnostics)  # so a39 is undefined


def test_no_entries_is_an_error():
    assert [d.code for d in bib("just % text\n").diagnostics] == ["BK304"]


# --- RIS ------------------------------------------------------------------------------------


def test_ris_tolerance():
    text = ("\ufeffty  - jour\r\nTI  - A title that\r\ncontinues here\r\nAU  - Doe, Jane\r\n"
            "AU  - Roe, R., Jr.\r\nPY  - 2020/05/01/\r\nKW  - a\r\nKW  - b\r\nZZ  - custom\r\n"
            "ER  - \r\nTY  - GEN\nTI  - No end marker\nUR  - https://arxiv.org/abs/2001.00001\n")
    lib = loads(text, "ris")
    first, second = lib
    assert first.kind is Kind.JOURNAL_ARTICLE and first.title == "A title that continues here"
    assert first.authors == (Person("Doe", "Jane"), Person("Roe", "R.", "", "Jr."))
    assert (first.issued.year, first.issued.month, first.issued.day) == (2020, 5, 1)
    assert first.keywords == ("a", "b") and ("ris:ZZ", "custom") in first.extra
    assert "ZZ  - custom" in dump([first], "ris")
    assert second.kind is Kind.PREPRINT and second.ids.arxiv == "2001.00001"
    assert lib.diagnostics.errors == 0


def test_ris_values_cannot_forge_records():
    from bibkit.model.citation import Citation

    hostile = Citation(key="k", title="x\nER  - \nTY  - JOUR\nTI  - forged", abstract="a\r\nb")
    text = dump([hostile], "ris")
    lines = text.split("\r\n")
    assert [ln[:2] for ln in lines if ln] == ["TY", "ID", "TI", "AB", "ER"]
    assert loads(text, "ris")[0].title == "x ER  -  TY  - JOUR TI  - forged"


# --- CSL-JSON -------------------------------------------------------------------------------


def test_csl_single_object_and_pointers():
    one = loads(json.dumps({"id": "a", "type": "book", "title": "T"}), "csljson")
    assert [c.title for c in one] == ["T"]
    lib = load(SAMPLES / "csljson/zotero-export.json")
    assert len(lib) == 3
    [diag] = list(lib.diagnostics)
    assert "item /3/author" in diag.message


def test_csl_unknown_variables_are_kept():
    lib = load(SAMPLES / "csljson/zotero-export.json")
    chapter = lib[2]
    assert ("csl:event-place", '"Vienna"') in chapter.extra
    out = json.loads(dump([chapter], "csljson"))[0]
    assert out["event-place"] == "Vienna" and out["custom"]["shelf"] == "B12"


def test_csl_note_lines_of_links_and_truncation_are_read_back_without_custom():
    # what Zotero gives back after importing bibkit's CSL-JSON: custom is gone, `note` (Extra)
    # keeps the code link and the truncation line
    item = {"id": "a", "type": "article", "title": "T",
            "note": "Seen at a workshop.\nCode: https://github.com/a/b\n"
                    "Author list truncated (et al.) in the source."}
    c = loads(json.dumps([item]), "csljson")[0]
    assert c.note == "Seen at a workshop."
    assert [(link.role, link.url) for link in c.links] == [("code", "https://github.com/a/b")]
    assert c.authors_truncated


def test_csl_invalid_json_is_reported_with_its_line():
    lib = loads('[\n {"id": "a",\n  "title": }\n]', "csljson")
    [diag] = list(lib.diagnostics)
    assert diag.code == "BK601" and diag.line == 3


def test_csl_a_broken_item_costs_that_item_only_and_items_know_their_lines():
    text = ('[\n{"id": "a", "title": "A"},\n{"id": "b", "title": },\n'
            '{"id": "c",\n "title": "C"},\n7\n]\n')
    lib = loads(text, "csljson")
    assert [c.key for c in lib] == ["a", "c"] and [c.origin.line for c in lib] == [2, 4]
    assert [(d.code, d.line) for d in lib.diagnostics] == [("BK601", 3), ("BK602", 6)]
    assert "item /1 skipped" in next(iter(lib.diagnostics)).message


@pytest.mark.parametrize(("text", "message", "line", "kept"), [
    ('[\n{"id": "a", "title": "A"},\n{"id": "b", "title": "B"}\n', "not closed", 3, 2),
    ('[{"id": "a", "title": "A"}]\n\nmore', "text after the end of the array: 'more'", 3, 1),
    ("not json", "text before [ or {", 1, 0),
    ('{"id": "a", "title": "A"} {"id": "b"}', "Extra data", 1, 0),
])
def test_csl_what_surrounds_the_items_is_checked(text, message, line, kept):
    lib = loads(text, "csljson")
    [diag] = list(lib.diagnostics)
    assert diag.code == "BK601" and message in diag.message and diag.line == line
    assert len(lib) == kept


# control characters are the input layer's business (BK305), not the JSON reader's
# U+FDD0..U+FDEF are bibkit's span markers: any input loses them, reported as BK305 (the
# hardening tests), so a reader given them cannot equal from_csl on the same value
printable = st.text(alphabet=st.characters(
    blacklist_categories=("Cc", "Cs"),
    blacklist_characters="".join(map(chr, range(0xFDD0, 0xFDF0)))), max_size=30)
json_leaf = st.one_of(st.none(), st.booleans(), st.integers(), printable)
json_value = st.recursive(json_leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(printable, inner, max_size=3)),
    max_leaves=8)


@settings(max_examples=150, deadline=None)
@given(items=st.lists(st.fixed_dictionaries({"id": printable, "title": printable},
                                            optional={"x": json_value}), max_size=6),
       indent=st.sampled_from([None, 0, 1, 4]), chunk=st.sampled_from([1, 7, 64, 1 << 20]))
def test_csl_items_are_what_json_reads_whatever_the_layout_and_chunk(items, indent, chunk):
    from unittest import mock

    from bibkit.formats.csl import from_csl
    from bibkit.formats.readers import csljson
    from bibkit.model.citation import evolve

    text = json.dumps(items, indent=indent, ensure_ascii=False)
    with mock.patch.object(csljson, "_CHUNK", chunk):
        lib = loads(text, "csljson")
    def keyless(cs: list) -> list:  # citekeys are made unique afterwards; not the reader's
        return [evolve(c, key="") for c in cs]

    assert keyless(lib.citations) == keyless([from_csl(i) for i in items])
    if indent:  # each item starts on the line that is its indented "{"
        starts = [n + 1 for n, ln in enumerate(text.split("\n")) if ln == " " * indent + "{"]
        assert [c.origin.line for c in lib] == starts


# --- sniffing -------------------------------------------------------------------------------


@pytest.mark.parametrize(("content", "fmt"), [
    ("@article{k, title={T}}\n", "bibtex"),
    ("TY  - JOUR\nTI  - T\nER  - \n", "ris"),
    ('[{"id": "a", "type": "book", "title": "T"}]', "csljson"),
    ("LGMar 1, 2023\nTitle\n\nAnn Lee\n", "listing"),
])
def test_sniffing_without_from_or_suffix(cli, tmp_path, content, fmt):
    path = tmp_path / "input.dat"
    path.write_text(content, encoding="utf-8")
    res = cli("check", str(path), "--json")
    assert json.loads(res.stdout)["from"] == fmt


def test_ambiguous_content_is_a_usage_error_naming_the_candidates(cli, tmp_path):
    path = tmp_path / "input.dat"
    path.write_text("TY  - JOUR\n@article{k, title={T}}\n", encoding="utf-8")
    res = cli("check", str(path))
    assert res.exit_code == 2
    assert "could be bibtex or ris" in res.stderr and "--from" in res.stderr


def test_braced_values_read_alike_on_every_path():
    # a braced value followed by `#` joins the next piece; an empty one is empty; a value
    # with groups, a duplicate field and a missing comma take the general loop
    lib = bib('@string{ml = {ML}}\n'
              '@article{k, title = {A} # { and } # ml, note = {}, journal = {J {X}},\n'
              '  year = {2020}, year = {2021}\n  volume = {3}}')
    c = lib[0]
    assert c.title == "A and ML"
    assert c.venue.name == "J X" and c.venue.volume == "3"
    assert c.issued.year == 2020
    assert {d.code for d in lib.diagnostics} == {"BK502", "BK506"}
    assert [d.line for d in lib.diagnostics if d.code == "BK502"] == [3]


def test_a_month_that_is_no_month_is_reported_not_dropped_unsaid():
    lib = bib("@article{k, title={T}, journal={J}, year={2022}, month={13}}")
    assert (lib[0].issued.year, lib[0].issued.month) == (2022, None)
    assert [(d.code, d.line) for d in lib.diagnostics] == [("BK504", 1)]
    assert "'13'" in next(iter(lib.diagnostics)).message


@pytest.mark.parametrize(("month", "date", "said"), [
    ('jul # "~5"', (2020, 7, 5), ""),  # BibTeX's idiom for a day
    ("{5 Sept.}", (2020, 9, 5), ""),
    ("{July 2020}", (2020, 7, None), ""),  # the entry's own year beside the month: no loss
    ("{July--August}", (2020, 7, None), "'august' left out"),
    ("{Jul/Aug 12}", (2020, 7, 12), "'aug' left out"),
])
def test_a_month_field_gives_its_day_and_says_what_it_leaves_out(month, date, said):
    lib = bib(f"@misc{{k, title={{T}}, year={{2020}}, month = {month}}}")
    d = lib[0].issued
    assert (d.year, d.month, d.day) == date
    messages = [x.message for x in lib.diagnostics if x.code == "BK504"]
    assert (said in messages[0]) if said else messages == []


def test_a_day_that_does_not_exist_keeps_the_month_and_is_said():
    lib = bib("@misc{k, title={T}, year={2021}, month = feb, day = {29}}")
    assert (lib[0].issued.year, lib[0].issued.month, lib[0].issued.day) == (2021, 2, None)
    assert [d.code for d in lib.diagnostics] == ["BK504"]


@pytest.mark.parametrize(("tags", "name", "short", "kept"), [
    ("JO  - Nat.\r\nJF  - Nature", "Nature", "Nat.", ()),  # EndNote: the order says nothing
    ("T2  - Nature\r\nJ2  - Nature", "Nature", "Nature", ()),  # Zotero
    ("JF  - Nature\r\nJA  - Nat\r\nJO  - Nat.", "Nature", "Nat", (("ris:JO", "Nat."),)),
    ("JO  - Nature", "Nature", "", ()),  # an abbreviation tag alone names the journal
])
def test_ris_container_tags_by_what_they_name_and_none_dropped(tags, name, short, kept):
    c = loads(f"TY  - JOUR\r\nTI  - T\r\n{tags}\r\nER  - \r\n", "ris")[0]
    assert (c.venue.name, c.venue.short_name) == (name, short)
    assert tuple(kv for kv in c.extra if kv[0] in ("ris:JO", "ris:JA", "ris:JF")) == kept


def test_an_access_date_travels_through_ris_and_mods():
    lib = loads("@online{w, title={W}, url={https://example.org/}, urldate={2024-03-01}}",
                "bibtex")
    ris = dump(lib, "ris")
    assert "Y2  - 2024/03/01/" in ris
    assert loads(ris, "ris")[0].accessed == lib[0].accessed
    assert 'dateLastAccessed="2024-03-01"' in dump(lib, "mods")  # where Zotero reads it
    no_url = loads("@misc{m, title={M}, urldate={2024-03-01}}", "bibtex")
    assert '<dateCaptured encoding="w3cdtf">2024-03-01</dateCaptured>' in dump(no_url, "mods")


def csl_items(*items: dict):
    return loads(json.dumps(list(items)), "csljson")


@pytest.mark.parametrize(("csl_type", "kind"), [
    ("article-newspaper", Kind.JOURNAL_ARTICLE), ("entry-encyclopedia", Kind.CHAPTER),
    ("post-weblog", Kind.WEBPAGE), ("speech", Kind.DOCUMENT), ("thesis", Kind.THESIS),
])
def test_a_csl_type_with_no_kind_of_its_own_reads_as_the_nearest_and_goes_back_as_it_was(
        csl_type, kind):
    lib = csl_items({"id": "n", "type": csl_type, "title": "T", "container-title": "The Times"})
    assert lib[0].kind is kind
    assert json.loads(dump(lib, "csljson"))[0]["type"] == csl_type
    if kind is Kind.JOURNAL_ARTICLE:  # as Zotero exports a newspaper article to BibTeX
        assert "journal       = {The Times}" in dump(lib, "bibtex")


@pytest.mark.parametrize(("issued", "date", "said"), [
    ({"literal": "Spring 2018"}, (2018, None), "'Spring 2018' read as 2018"),
    ({"date-parts": [[2020, 5, 1], [2020, 6, 1]]}, (2020, 5), "a range left out"),
    ({"date-parts": [[2017]], "season": 2}, (2017, None), "season left out"),
    ("c. 1850", (1850, None), "read as 1850"),
    ({"literal": "forthcoming"}, (None, None), "is no date"),
    ({"date-parts": [[2019, 11, 3]]}, (2019, 11), ""),
])
def test_a_csl_date_read_in_part_keeps_the_item_says_so_and_goes_back_as_written(
        issued, date, said):
    lib = csl_items({"id": "d", "type": "book", "title": "T", "issued": issued})
    assert len(lib) == 1 and (lib[0].issued.year, lib[0].issued.month) == date
    notes = [d.message for d in lib.diagnostics if d.code == "BK604"]
    assert (said in notes[0]) if said else notes == []
    assert json.loads(dump(lib, "csljson"))[0]["issued"] == issued


CROSSREF = """@inproceedings{child, author={A. Author}, title={Child}, pages={1--2},
  crossref={Parent}}
@misc{between, title={Between}}
@inproceedings{own, title={Own}, booktitle={Its Own}, year=2019, crossref={parent},
  doi={10.1/own}}
@proceedings{parent, editor={E. Editor}, title={Proceedings of Something}, year={2021},
  publisher={ACM}, doi={10.1/proc}, url={https://example.org/proc}}
"""


def test_crossref_children_take_their_parents_container_fields_in_order():
    lib = bib(CROSSREF)
    assert [c.key for c in lib] == ["child", "between", "own", "parent"]  # input order
    child, _, own, _ = lib
    assert child.venue.name == "Proceedings of Something"  # the parent's title (biber)
    assert (child.issued.year, child.venue.publisher) == (2021, "ACM")
    assert [p.family for p in child.editors] == ["Editor"]
    assert child.ids.doi == "" and child.ids.url == ""  # never the parent's identity
    assert (own.venue.name, own.issued.year, own.ids.doi) == ("Its Own", 2019, "10.1/own")
    assert list(lib.diagnostics) == []


def test_a_crossref_to_no_entry_is_said_and_the_entry_read_as_it_is():
    lib = bib("@inproceedings{c, title={C}, crossref={nope}}\n@misc{d, title={D}}")
    assert [c.key for c in lib] == ["c", "d"]
    assert [(d.code, d.line, d.key) for d in lib.diagnostics] == [("BK508", 1, "c")]


def test_a_csl_dropping_particle_stays_dropping():
    lib = csl_items({"id": "b", "type": "book", "title": "T", "author": [
        {"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"},
        {"family": "Gogh", "given": "Vincent", "non-dropping-particle": "van"}]})
    beethoven, gogh = lib[0].authors
    assert (beethoven.particle, beethoven.dropping, gogh.dropping) == ("van", True, False)
    names = json.loads(dump(lib, "csljson"))[0]["author"]
    assert names[0] == {"family": "Beethoven", "given": "Ludwig", "dropping-particle": "van"}
    assert names[1]["non-dropping-particle"] == "van"
    zotero = json.loads(dump(lib, "csljson", names="zotero"))[0]["author"]
    assert zotero[0] == {"family": "Beethoven", "given": "Ludwig van"}  # as citeproc-js splits
    assert "van Beethoven, Ludwig" in dump(lib, "bibtex")  # BibTeX's one "von" part
    assert "AU  - Beethoven, Ludwig van" in dump(lib, "ris")  # sorted as it is cited
    assert '<namePart type="given">Ludwig van</namePart>' in dump(lib, "mods")


def test_entries_are_held_for_a_crossref_only_within_a_window(monkeypatch):
    from bibkit.formats.readers.bibtex import crossref

    monkeypatch.setattr(crossref, "_CROSSREF_WINDOW", 3)
    entries = ["@inproceedings{c, title={C}, crossref={p}}"]
    entries += [f"@misc{{m{i}, title={{M}}}}" for i in range(5)]
    entries += ["@proceedings{p, title={P}, year=2020}"]
    lib = bib("\n".join(entries))
    assert [c.key for c in lib] == ["c", "m0", "m1", "m2", "m3", "m4", "p"]
    assert lib[0].venue.name == ""  # its parent came too late: read without it, and said
    assert [(d.code, d.key) for d in lib.diagnostics] == [("BK508", "c")]


@pytest.mark.parametrize("line", ["  % year = {2020},", "  %year = {2020},"])
def test_a_commented_out_field_line_is_said_and_never_written_as_a_field(line):
    lib = bib(f"@article{{x,\n  title = {{T}},\n{line}\n  journal = {{J}},\n}}")
    assert lib[0].title == "T" and lib[0].venue.name == "J" and lib[0].issued.year is None
    assert all(name == name.strip("% ") for name, _ in lib[0].extra)
    assert any("is no field name" in d.message for d in lib.diagnostics)
    assert "%" not in dump(lib, "bibtex")


def test_ris_lines_as_exporters_write_them():
    ris = ("TY - JOUR\nTI - One space before the dash\nER -\n\n"
           "TY  -JOUR\nTI  -No space after it\nER  -\n\n"
           "ty  - jour\nti  - lower case\ner  - \n")
    lib = loads(ris, "ris")
    assert [c.title for c in lib] == ["One space before the dash", "No space after it",
                                      "lower case"]
    assert list(lib.diagnostics) == []


# --- MODS ------------------------------------------------------------------------------------

def test_mods_as_zotero_exports_it():
    diags = Diagnostics()
    lib = load(SAMPLES / "mods/zotero-export.xml", diagnostics=diags)
    article, preprint, paper, report = lib
    assert (article.key, article.kind, article.venue.name, article.venue.volume,
            article.venue.issue, article.venue.pages) == (
        "lecun_deep_2015", Kind.JOURNAL_ARTICLE, "Nature", "521", "7553", "436–444")
    assert article.issued.iso() == "2015-05-28" and article.accessed.iso() == "2024-01-05"
    assert [p.family for p in article.authors] == ["LeCun", "Bengio", "Hinton"]
    assert (article.ids.doi, article.ids.issn) == ("10.1038/nature14539", "1476-4687")
    assert article.keywords == ("Computer science", "Mathematics and computing")
    assert article.note == "Read for the reading group & the survey chapter."
    assert (preprint.kind, preprint.ids.arxiv, preprint.ids.arxiv_class) == (
        Kind.PREPRINT, "1706.03762", "cs.CL")
    assert paper.kind is Kind.CONFERENCE_PAPER and [p.family for p in paper.editors] == [
        "Bengio"]
    assert paper.venue.publisher == "Curran Associates, Inc."
    assert report.issued.year == 2021
    assert [(d.code, d.line) for d in diags] == [("BK724", 160)]


def test_mods_that_is_not_well_formed_is_one_error_with_its_line(tmp_path):
    diags = Diagnostics()
    lib = loads('<?xml version="1.0"?>\n<modsCollection xmlns="http://www.loc.gov/mods/'
                       'v3">\n<mods><titleInfo><title>T</title></titleInfo>\n</modsCollection>\n',
                       "mods", diagnostics=diags)
    assert len(lib) == 0 and [(d.code, d.line) for d in diags] == [("BK721", 4)]
    diags = Diagnostics()
    loads("<collection><record/></collection>", "mods", diagnostics=diags)
    assert [d.code for d in diags] == ["BK722"]


def test_mods_entities_stay_inert_and_one_mods_root_reads():
    evil = ('<?xml version="1.0"?>\n<!DOCTYPE mods [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
            '<mods xmlns="http://www.loc.gov/mods/v3"><titleInfo><title>a&x;b</title>'
            '</titleInfo></mods>\n')
    lib = loads(evil, "mods")
    assert len(lib) == 1 and "root:" not in lib[0].title


def test_mods_is_recognised_without_from(cli):
    text = (SAMPLES / "mods/zotero-export.xml").read_bytes()
    res = cli("convert", "-", "--to", "ris", input=text)
    assert res.exit_code == 0 and res.stdout.count("ER  - ") == 4


def test_mods_as_bibutils_and_library_catalogues_write_titles_and_names():
    text = """<?xml version="1.0" encoding="UTF-8"?>
<modsCollection xmlns="http://www.loc.gov/mods/v3">
<mods ID="Knuth1984">
  <titleInfo><nonSort>The</nonSort><title>TeXbook</title><subTitle>a guide</subTitle></titleInfo>
  <name type="personal"><namePart>Knuth, Donald E.</namePart>
    <role><roleTerm authority="marcrelator" type="text">author</roleTerm></role></name>
  <name type="personal"><namePart type="family">Bibby</namePart>
    <namePart type="given">Duane</namePart>
    <role><roleTerm authority="marcrelator" type="text">editor</roleTerm></role></name>
  <originInfo><publisher>Addison-Wesley</publisher><dateIssued>1984</dateIssued></originInfo>
  <genre authority="marcgt">book</genre>
  <identifier type="isbn">0-201-13447-0</identifier>
</mods>
</modsCollection>
"""
    c = loads(text, "mods")[0]
    assert (c.key, c.title, c.kind) == ("Knuth1984", "The TeXbook: a guide", Kind.BOOK)
    assert [(p.family, p.given) for p in c.authors] == [("Knuth", "Donald E.")]
    assert [p.family for p in c.editors] == ["Bibby"]
    assert (c.venue.publisher, c.issued.year, c.ids.isbn) == ("Addison-Wesley", 1984,
                                                             "0-201-13447-0")
