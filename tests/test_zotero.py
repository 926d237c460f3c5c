"""What Zotero makes of each format bibkit writes, checked on every sample.

Zotero imports through its translators. The rules below are the ones that decide what our
outputs become, restated from the translators' code (read, not copied):

- zotero/translators BibTeX.js, processField: `eprint` and `eprinttype` are read as a pair
  (then "arXiv: ID" in Extra); one without the other is left as an unknown `_eprint` /
  `_eprinttype` in Extra. `howpublished` that is no URL becomes Extra "Published: ...".
  unescapeBibTeX rewrites `\\v{c}` to `{\\v c}` with a pattern of lower-case command names
  and then decodes from its table, so `\\H{o}` stays undecoded.
- zotero/utilities utilities_item.js, itemFromCSLJSON: a name is `family` and `given` (or
  `literal`); `non-dropping-particle`, `dropping-particle` and `suffix` are not read. CSL
  type `article` is Zotero's preprint; `publisher` its Repository, `number` its Archive ID.
- zotero/translators RIS.js, fieldMap: J2 is journalAbbreviation, which a conferencePaper
  (CPAPER) lacks, so the line would land in Extra; C3 is its proceedingsTitle, T2 its
  conferenceName; DB/AN are archive and archiveLocation.
- zotero/translators MODS.js, doImport: recordInfo/recordIdentifier becomes an "Accession
  Number" in Extra, a classification the Call Number, name parts other than family and
  given are not read. A host's titleInfo[@type="abbreviated"] is the item's
  journalAbbreviation, a field only a journal article has (any other item's lands in Extra,
  with a warning); pages come from part/extent[@unit="pages" or "page"] as start and end
  (start = end: one page), and an extent's other content (a `list`) is no page.
- CSL JSON (itemFromCSLJSON): a journal's abbreviation is read from `journalAbbreviation`;
  `container-title-short` is not read.
- RIS.js: N1 becomes a child note, KW a tag (an arXiv category is a tag, as Zotero's own
  arXiv translator files it).
- BibTeX.js: `\\textit{...}` in a title imports as italics (<i>); `\\emph` is not in its
  table and leaves the command's name in the title ("\\emphOut-of-..."). `note` is read (an
  Extra line or a child note); `addendum` is not read at all.
"""

from __future__ import annotations

import json
import re

import bibtexparser
import pytest
from lxml import etree

from bibkit import dump, load, loads
from bibkit.model.citation import Citation, Identifiers, Kind, PartialDate, Person, Status, Venue
from conftest import AS_OF
from golden import inputs

SAMPLES = inputs()
MODS = {"m": "http://www.loc.gov/mods/v3"}


def _libraries():
    return [load(path, reader, as_of=AS_OF) for reader, path in SAMPLES]


# --- BibTeX.js -------------------------------------------------------------------------------

def bibtex_extra_lines(text: str) -> list[str]:
    """The Extra lines BibTeX.js makes of the eprint fields of each entry."""
    lines = []
    for entry in bibtexparser.parse_string(text).entries:
        fields = {f.key.lower(): f.value for f in entry.fields}
        if "eprint" in fields and "eprinttype" in fields:
            lines.append(f"arXiv: {fields['eprint']}")
        elif "eprint" in fields:
            lines.append("_eprint: " + fields["eprint"])
        elif "eprinttype" in fields:
            lines.append("_eprinttype: " + fields["eprinttype"])
    return lines


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_bibtex_eprints_reach_zotero_as_arxiv_ids(fmt):
    for lib in _libraries():
        text = dump(lib, fmt) or ""
        lines = bibtex_extra_lines(text)
        assert not [line for line in lines if line.startswith("_")], lines
        assert len(lines) == sum(bool(c.ids.arxiv) for c in lib)


def test_bibtex_accents_are_in_the_form_zotero_decodes():
    c = Citation(key="k", title="Erdős and Łącki", authors=(Person("Erdős", "Pál"),))
    text = dump([c], "bibtex", charset="ascii") or ""
    assert "{\\H o}" in text and "{\\k a}" in text
    # what unescapeBibTeX's normalisation misses: an upper-case accent command with braces
    assert not re.search(r"\\[A-Z]\{", text)


# --- CSL JSON.js (itemFromCSLJSON) -------------------------------------------------------------

def zotero_creators(item: dict) -> list[tuple[str, str]]:
    return [(n.get("literal") or n.get("family", ""), n.get("given", ""))
            for n in item.get("author", [])]


def test_csljson_names_reach_zotero_whole_with_names_zotero():
    for lib in _libraries():
        items = json.loads(dump(lib, "csljson", names="zotero") or "")
        for c, item in zip(lib, items, strict=True):
            expected = [(p.literal or p.full_family, f"{p.given}, {p.suffix}" if p.suffix
                         else p.given) for p in c.authors]
            assert zotero_creators(item) == expected
            assert not [n for n in item.get("author", [])
                        if {"non-dropping-particle", "dropping-particle", "suffix"} & n.keys()]
        # and read back, bibkit gives the same people
        back = loads(dump(lib, "csljson", names="zotero") or "", "csljson")
        assert [c.authors for c in back] == [c.authors for c in lib]


def test_csljson_arxiv_preprints_are_zotero_preprints_in_repository_arxiv():
    lib = load("samples/listing/edge-cases.txt", as_of=AS_OF)
    items = {i["id"]: i for i in json.loads(dump(lib, "csljson") or "")}
    for c in lib:
        if c.kind is Kind.PREPRINT and c.ids.on_arxiv:
            item = items[c.key]
            assert item["type"] == "article" and item["publisher"] == "arXiv"
            if c.ids.arxiv:
                assert item["number"] == f"arXiv:{c.ids.arxiv_base}"


# --- RIS.js --------------------------------------------------------------------------------

def ris_records(text: str) -> list[list[tuple[str, str]]]:
    records, current = [], []
    for line in text.replace("\r\n", "\n").split("\n"):
        m = re.match(r"^([A-Z][A-Z0-9])  - ?(.*)$", line)
        if not m:
            continue
        if m[1] == "ER":
            records.append(current)
            current = []
        else:
            current.append((m[1], m[2]))
    return records


def test_ris_conference_papers_carry_no_journal_abbreviation_and_preprints_their_archive():
    for lib in _libraries():
        for c, rec in zip(lib, ris_records(dump(lib, "ris") or ""), strict=True):
            tags = dict(rec)
            if tags["TY"] == "CPAPER":
                assert "J2" not in tags, rec
                if c.venue.name:
                    assert tags["C3"] == c.venue.name
            if c.kind is Kind.PREPRINT and c.ids.arxiv:
                assert (tags["DB"], tags["AN"]) == ("arXiv", f"arXiv:{c.ids.arxiv_base}")


# --- MODS.js -------------------------------------------------------------------------------

def test_mods_puts_nothing_zotero_files_as_accession_or_call_number():
    for lib in _libraries():
        root = etree.fromstring((dump(lib, "mods") or "").encode("utf-8"))
        assert not root.xpath("//m:recordInfo/m:recordIdentifier", namespaces=MODS)
        assert not root.xpath("//m:classification", namespaces=MODS)


def test_mods_names_reach_zotero_whole_with_names_zotero():
    c = Citation(key="k", kind=Kind.PREPRINT, status=Status.PREPRINT, title="T",
                 issued=PartialDate(2020), ids=Identifiers(arxiv="2001.00001"),
                 authors=(Person("Berg", "Jan", "van der"), Person("King", "Martin", "", "Jr.")))
    root = etree.fromstring((dump([c], "mods", names="zotero") or "")
                            .encode("utf-8"))
    names = [(n.xpath("string(m:namePart[@type='family'])", namespaces=MODS),
              n.xpath("string(m:namePart[@type='given'])", namespaces=MODS))
             for n in root.xpath("//m:name", namespaces=MODS)]
    assert names == [("van der Berg", "Jan"), ("King", "Martin, Jr.")]
    assert not root.xpath("//m:namePart[@type='termsOfAddress']", namespaces=MODS)


def test_mods_journal_abbreviation_only_on_journals_and_one_page_as_start_and_end():
    abbreviated = 0
    for lib in _libraries():
        root = etree.fromstring((dump(lib, "mods") or "").encode("utf-8"))
        records = root.xpath("/m:modsCollection/m:mods", namespaces=MODS)
        for c, mods in zip(lib, records, strict=True):
            short = mods.xpath("m:relatedItem[@type='host']/m:titleInfo[@type='abbreviated']",
                               namespaces=MODS)
            assert not short or c.kind is Kind.JOURNAL_ARTICLE, c.key
            abbreviated += bool(short)
            assert not mods.xpath(".//m:extent/m:list", namespaces=MODS) or "," in c.venue.pages
    assert abbreviated  # the samples have journal abbreviations
    one_page = Citation(key="k", kind=Kind.JOURNAL_ARTICLE, title="T", issued=PartialDate(2020),
                        venue=Venue(name="Nature", short_name="Nat.", pages="42"))
    root = etree.fromstring((dump([one_page], "mods") or "").encode("utf-8"))
    extent = root.xpath("//m:extent", namespaces=MODS)[0]
    assert extent.get("unit") in ("pages", "page")
    assert [(e.tag.split("}")[1], e.text) for e in extent] == [("start", "42"), ("end", "42")]


def test_csljson_journals_carry_the_abbreviation_zotero_reads():
    seen = 0
    for lib in _libraries():
        for item in json.loads(dump(lib, "csljson") or ""):
            if item["type"] == "article-journal" and "container-title-short" in item:
                assert item["journalAbbreviation"] == item["container-title-short"]
                seen += 1
            else:
                assert "journalAbbreviation" not in item
    assert seen


def test_ris_categories_are_tags_and_no_arxiv_child_notes():
    from bibkit.infer.identifiers import arxiv_note

    tagged = 0
    for lib in _libraries():
        for c, rec in zip(lib, ris_records(dump(lib, "ris") or ""), strict=True):
            notes = [arxiv_note(v) for tag, v in rec if tag == "N1" and v.startswith("arXiv")]
            # a published version's arXiv id is its one child note (no archive field holds
            # it); a preprint's is its Loc. in Archive, and a class is never a note
            expected = [] if c.kind is Kind.PREPRINT or not c.ids.arxiv else [
                (c.ids.arxiv_base, "")]
            assert notes == expected, rec
            if c.ids.arxiv_class and c.ids.on_arxiv:
                assert ("KW", c.ids.arxiv_class) in rec
                tagged += 1
    assert tagged


@pytest.mark.parametrize("fmt", ["bibtex", "biblatex"])
def test_bibtex_italics_and_links_are_in_what_zotero_reads(fmt):
    italic = Citation(key="k", kind=Kind.JOURNAL_ARTICLE, title="\\emph{Out-of-distribution} X",
                      issued=PartialDate(2020), venue=Venue(name="J"))
    text = dump(loads("@article{k, title={\\emph{Out-of-distribution} X}, journal={J}, "
                      "year={2020}}", "bibtex"), fmt) or ""
    assert "\\textit{Out-of-distribution}" in text and "\\emph" not in text, italic
    linked = 0
    for lib in _libraries():
        for entry in bibtexparser.parse_string(dump(lib, fmt) or "").entries:
            fields = {f.key.lower(): f.value for f in entry.fields}
            assert "addendum" not in fields
            linked += "Code: " in fields.get("note", "")
    assert linked
