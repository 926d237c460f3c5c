"""A work's genre ("Master's thesis", "Technical report") across formats: a master's thesis
stays one in every format, and nothing says a genre the source did not."""

from __future__ import annotations

import json

import pytest

from bibkit import Diagnostics, Kind, dump, loads

MASTERS = "@mastersthesis{m, author={Roe, Jane}, title={A Thesis}, school={MIT}, year={2018}}"


def csl(text: str, fmt: str = "bibtex") -> list[dict]:
    return json.loads(dump(loads(text, fmt), "csljson"))


@pytest.mark.parametrize(("entry", "genre"), [
    (MASTERS, "Master's thesis"),
    ("@phdthesis{p, title={T}, school={S}, year=2018}", "PhD thesis"),
    ("@phdthesis{p, title={T}, school={S}, year=2018, type={Habilitation}}", "Habilitation"),
    ("@thesis{t, title={T}, institution={S}, date={2018}, type={mathesis}}", "Master's thesis"),
    ("@thesis{t, title={T}, institution={S}, date={2018}}", ""),  # biblatex: no type, no genre
    ("@techreport{r, title={T}, institution={I}, year=2018}", "Technical report"),
    ("@report{r, title={T}, institution={I}, date={2018}, type={resreport}}", "Research report"),
    ("@manual{m, title={T}, organization={O}, year=2018}", "Manual"),
    ("@article{a, title={T}, journal={J}, year=2018}", ""),
])
def test_bibtex_genre_from_entry_type_type_field_or_biblatex_key(entry, genre):
    c = loads(entry, "bibtex")[0]
    assert c.genre == genre
    assert not any(name == "bibtex:type" for name, _ in c.extra)  # read, not kept twice
    assert csl(entry)[0].get("genre", "") == genre


def test_a_masters_thesis_stays_one_in_every_format():
    lib = loads(MASTERS, "bibtex")
    assert dump(lib, "bibtex").startswith("@mastersthesis{m,")
    assert "type" not in dump(lib, "bibtex")  # @mastersthesis says it already
    biblatex = dump(lib, "biblatex")
    assert biblatex.startswith("@thesis{m,") and "type         = {mathesis}," in biblatex
    assert "M3  - Master's thesis" in dump(lib, "ris")
    assert "<genre>Master's thesis</genre>" in dump(lib, "mods")
    for fmt in ("csljson", "ris", "biblatex"):
        again = loads(dump(lib, fmt), fmt)[0]
        assert (again.kind, again.genre) == (Kind.THESIS, "Master's thesis"), fmt
        assert dump(loads(dump(lib, fmt), fmt), "bibtex").startswith("@mastersthesis{m,")


@pytest.mark.parametrize(("genre", "entry_type"), [
    ("Master's thesis", "mastersthesis"), ("MSc thesis", "mastersthesis"),
    ("M.A. thesis", "mastersthesis"), ("Masterarbeit", "mastersthesis"),
    ("PhD thesis", "phdthesis"), ("Doctoral dissertation", "phdthesis"), ("", "phdthesis"),
])
def test_csl_thesis_genre_chooses_the_bibtex_thesis_type(genre, entry_type):
    item = {"id": "t", "type": "thesis", "title": "T", "publisher": "U", "genre": genre}
    out = dump(loads(json.dumps([item]), "csljson"), "bibtex")
    assert out.startswith(f"@{entry_type}{{t,")
    stated = {"phdthesis": "phd thesis", "mastersthesis": "master's thesis"}[entry_type]
    has_type = bool(genre) and genre.casefold() != stated
    assert ("type          = {" + genre + "}") in out if has_type else "type " not in out


def test_biblatex_type_is_written_only_where_its_data_model_allows_it():
    item = {"id": "a", "type": "article-journal", "title": "T", "container-title": "J",
            "genre": "Editorial"}
    lib = loads(json.dumps([item]), "csljson")
    assert "type          = {Editorial}" in dump(lib, "bibtex")  # BibTeX ignores it: kept
    diags = Diagnostics()
    assert "type" not in dump(lib, "biblatex", diagnostics=diags)  # biber would reject it
    assert [(d.code, d.key) for d in diags] == [("BK402", "a")]  # and it is said
    diags = Diagnostics()
    assert "M3" not in dump(lib, "ris", diagnostics=diags)  # Zotero would read a DOI
    assert [(d.code, d.key) for d in diags] == [("BK402", "a")]


def test_ris_m3_is_a_genre_only_where_zotero_reads_it_so():
    thesis = "TY  - THES\r\nTI  - T\r\nM3  - Master's thesis\r\nER  - \r\n"
    assert loads(thesis, "ris")[0].genre == "Master's thesis"
    article = "TY  - JOUR\r\nTI  - T\r\nM3  - 10.1000/xyz\r\nER  - \r\n"
    c = loads(article, "ris")[0]
    assert c.genre == "" and ("ris:M3", "10.1000/xyz") in c.extra
    assert "M3  - 10.1000/xyz" in dump(loads(article, "ris"), "ris")  # kept as written
