"""The one pipeline: what every entry point shares. Inference for every reader, one failure
boundary per record, one DOI rule, keys made once, the API doing all the CLI does, CV
layouts as writers, and a lean start-up."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

import bibkit
from bibkit.formats import registry
from bibkit.io.files import Output
from bibkit.model.citation import Citation, Identifiers, Kind, evolve
from bibkit.model.diagnostics import Diagnostics, Severity
from conftest import AS_OF, SAMPLE_LISTING, SAMPLES

ACCEPTED_BIB = "@misc{a, title={Some Paper}, author={Doe, Jane}, year={2023},\n" \
               "  note={Accepted at ICLR 2023}}\n"
ACCEPTED = {
    "bibtex": ACCEPTED_BIB,
    "ris": "TY  - GEN\nTI  - Some Paper\nAU  - Doe, Jane\nPY  - 2023\n"
           "N1  - Accepted at ICLR 2023\nER  - \n",
    "csljson": json.dumps([{"id": "a", "type": "article", "title": "Some Paper",
                            "author": [{"family": "Doe", "given": "Jane"}],
                            "issued": {"date-parts": [[2023]]},
                            "note": "Accepted at ICLR 2023"}]),
}


@pytest.mark.parametrize("fmt", sorted(ACCEPTED))
def test_every_reader_infers_the_venue_from_a_note(fmt):
    c = bibkit.loads(ACCEPTED[fmt], fmt, as_of=AS_OF)[0]
    assert c.kind is Kind.CONFERENCE_PAPER and c.venue.short_name == "ICLR"
    assert c.venue.year == 2023
    assert any(p.rule == "venue-phrase" for p in c.provenance)


@pytest.mark.parametrize("fmt", sorted(ACCEPTED))
def test_no_infer_keeps_what_the_fields_say(fmt):
    c = bibkit.loads(ACCEPTED[fmt], fmt, as_of=AS_OF, infer=False)[0]
    assert c.kind is not Kind.CONFERENCE_PAPER and not c.venue.name


def test_no_infer_on_the_command_line(cli, tmp_path):
    path = tmp_path / "a.bib"
    path.write_text(ACCEPTED_BIB, encoding="utf-8")
    inferred = cli("convert", str(path), "--to", "csljson")
    kept = cli("convert", str(path), "--to", "csljson", "--no-infer")
    assert '"paper-conference"' in inferred.stdout and '"paper-conference"' not in kept.stdout


def test_an_arxiv_id_in_a_note_is_found_for_every_reader():
    lib = bibkit.loads("@misc{a, title={T}, note={See arXiv:2303.01234v2}}", "bibtex")
    assert lib[0].ids.arxiv == "2303.01234v2"
    assert lib[0].ids.doi == "10.48550/arxiv.2303.01234"  # found in text: its DOI derived


def test_a_malformed_value_costs_only_its_item():
    items = [{"id": "good", "type": "article-journal", "title": "Good"},
             {"id": "bad", "type": "article-journal", "title": "Bad",
              "custom": {"bibkit": {"links": [1]}}},
             {"id": "after", "type": "article-journal", "title": "After"}]
    lib = bibkit.loads(json.dumps(items), "csljson")
    assert [c.key for c in lib] == ["good", "after"]
    errors = [d for d in lib.diagnostics if d.severity is Severity.ERROR]
    assert len(errors) == 1 and errors[0].key == "bad" and errors[0].line == 1


@pytest.mark.parametrize(("fmt", "text"), [
    ("csljson", '[{"id": "a", "type": "article-journal", "title": "T",'
                ' "DOI": "https://doi.org/10.1000/ABC."}]'),
    ("bibtex", "@article{a, title={T}, doi={https://doi.org/10.1000/ABC.}}"),
    ("ris", "TY  - JOUR\nTI  - T\nDO  - https://doi.org/10.1000/ABC.\nER  - \n"),
])
def test_a_doi_url_from_any_reader_comes_out_normalised(fmt, text):
    c = bibkit.loads(text, fmt)[0]
    assert c.ids.doi == "10.1000/ABC"  # the resolver and the full stop go; the case stays
    assert "doi           = {10.1000/ABC}" in bibkit.dump([c], "bibtex")


def test_doi_rule_holds_for_the_constructor_and_evolve():
    assert Identifiers(doi="DOI: 10.1000/X)").doi == "10.1000/X"
    assert evolve(Identifiers(), doi="https://dx.doi.org/10.5555/Y").doi == "10.5555/Y"
    assert Identifiers(doi="10.5555/Y").doi_key == Identifiers(doi="10.5555/y").doi_key
    assert Identifiers(doi="not a doi").doi == "not a doi"  # kept, never dropped silently


def test_keys_are_made_once_by_the_pipeline():
    same = [Citation(key="k", title="A"), Citation(key="k", title="B"),
            Citation(key="bad key{", title="C")]
    diags = Diagnostics()
    text = bibkit.dump(same, "csljson", diagnostics=diags)
    assert [i["id"] for i in json.loads(text)] == ["k", "ka", "badkey"]
    assert [d.code for d in diags] == ["BK401"]


def test_the_api_does_what_the_cli_does(tmp_path):
    library = tmp_path / "mine.bib"
    library.write_text("@inproceedings{mine, title={Combating Exacerbated Heterogeneity for "
                       "Robust Models in Federated Learning}, author={Zhu, Jianing and Yao, "
                       "Jiangchao and Liu, Tongliang and Xu, Qian and Han, Bo}, booktitle="
                       "{ICLR}, year={2023}}\n", encoding="utf-8")
    diags = Diagnostics()
    text = bibkit.convert(SAMPLE_LISTING, to="ris", as_of=AS_OF, merge=[library],
                          select=lambda c: c.cited_year == 2023, ris_type="JOUR",
                          diagnostics=diags)
    assert text is not None
    records = text.split("ER  - ")
    assert "AU  - Han, Bo" in records[0]  # the full author list came from the library
    assert any(d.code == "BK901" for d in diags)
    assert all("PY  - 2023" in r for r in records if "TY  -" in r)


def test_unknown_writer_option_is_a_usage_error():
    from bibkit.io.files import UsageError

    with pytest.raises(UsageError, match="not an option of the bibtex writer"):
        bibkit.convert(SAMPLE_LISTING, to="bibtex", as_of=AS_OF, colour="red")


def test_cv_layouts_are_writers_of_the_registry(cli):
    for fmt in ("markdown", "latex", "html", "text"):
        assert registry.get(f"cv-{fmt}", "write").options["group_by"]
    via_convert = cli("convert", str(SAMPLE_LISTING), "--to", "cv-markdown", "--as-of",
                      AS_OF.isoformat(), "-O", "group_by=kind")
    via_cv = cli("cv", str(SAMPLE_LISTING), "--format", "markdown", "--as-of",
                 AS_OF.isoformat(), "--group-by", "kind")
    assert via_convert.exit_code == via_cv.exit_code == 0
    assert via_convert.stdout == via_cv.stdout and "**Bo Han**" in via_cv.stdout
    expected = (SAMPLES / "listing/profile-listing.expected/cv-markdown.md").read_text("utf-8")
    assert bibkit.convert(SAMPLE_LISTING, to="cv-markdown", as_of=AS_OF) == expected


def test_output_as_a_context_manager(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with Output(str(target)) as out:
        out.stream.write("new")
    assert target.read_text() == "new"
    with Output(str(target)) as out:
        out.stream.write("kept out")
        out.keep_old = True
    assert target.read_text() == "new"
    with pytest.raises(RuntimeError), Output(str(target)) as out:
        out.stream.write("half")
        raise RuntimeError
    assert target.read_text() == "new" and sorted(p.name for p in tmp_path.iterdir()) == [
        "out.txt"]


def test_start_up_loads_no_network_xml_or_database_code():
    """`bibkit formats` and a listing to BibTeX must not pay for enrichment's imports."""
    code = ("import sys, bibkit.cli; heavy = ('bibkit.enrich.http', 'bibkit.enrich.session', "
            "'lxml', 'sqlite3', 'urllib.request', 'http.client', 'citeproc'); "
            "print([m for m in sys.modules if m.startswith(heavy)])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=True)
    assert out.stdout.strip() == "[]"


def test_no_logger_of_the_process_is_changed():
    import logging

    names = ("bibtexparser", "pylatexenc.latexencode")
    before = [logging.getLogger(n).level for n in names]
    bibkit.loads("@article{a, title={x}, author = {Doe, J}", "bibtex")  # the tolerant parser
    bibkit.dump([Citation(key="k", title="ℵ ∰")], "bibtex", charset="ascii")
    assert [logging.getLogger(n).level for n in names] == before


@pytest.mark.parametrize(("statement", "problem"), [
    ({"tag": "TI", "field": "titel"}, "no field of the model"),
    ({"tag": "TI", "rule": "magic"}, "unknown rule"),
    ({"tag": "TI", "field": "title", "convert": "rot13"}, "unknown converter"),
    ({"tag": "TI"}, "needs a field or a rule"),
])
def test_a_field_map_is_checked_against_the_model_when_loaded(monkeypatch, statement, problem):
    from bibkit.data import FormatDataError
    from bibkit.formats import mapping

    monkeypatch.setattr(mapping, "load_toml", lambda name: {"record": [statement]})
    with pytest.raises(FormatDataError, match=problem):
        mapping.statements("x.toml", {"type"}, {"name"})


def test_ris_is_read_and_written_from_one_statement_list():
    from bibkit.formats.mapping import statements
    from bibkit.formats.readers import ris as reader
    from bibkit.formats.writers import ris as writer

    table = statements("ris.toml", reader._RULES, reader._CONVERTERS)
    assert set(reader._RULES) == set(writer._RULES)
    assert set(reader._CONVERTERS) == set(writer._CONVERTERS)
    lib = bibkit.load(SAMPLES / "ris/zotero-export.ris")
    written = [line[:2] for line in bibkit.dump(lib, "ris").splitlines() if line[2:6] == "  - "]
    order = [st.tag for st in table]
    known = [t for t in written if t in order or t == "EP" or t == "ER"]
    # tags come out in the table's order within each record
    for record in "|".join(known).split("ER"):
        tags = [t for t in record.split("|") if t and t != "EP"]
        assert tags == sorted(tags, key=order.index)


def test_a_field_kept_from_another_format_is_said_when_a_writer_leaves_it_out():
    from bibkit import dump, load, loads

    lib = loads("@article{a, title={T}, journal={J}, year=2020, mrnumber={MR123}}", "bibtex")
    for fmt, said in (("bibtex", False), ("biblatex", True), ("csljson", False),
                      ("ris", True), ("mods", True)):
        diags = Diagnostics()
        out = dump(lib, fmt, diagnostics=diags)
        notes = [d.message for d in diags if d.code == "BK402"]
        assert notes == ([f"bibtex:mrnumber left out: {fmt} has no field for it"]
                         if said else []), fmt
        assert ("MR123" in out) is not said, fmt  # written back, or said to be left out
    # biblatex: a field biber knows (even by its BibTeX name) is written back, no other one
    dblp = loads("@article{d, title={T}, journal={J}, year=2020, timestamp={Tue},\n"
                 "  biburl={https://dblp.org/x.bib}, school={S}, eid={e1}}", "bibtex")
    out = dump(dblp, "biblatex", diagnostics=(diags := Diagnostics()))
    assert "eid" in out and "school" not in out and "timestamp" not in out
    assert ("bibtex:timestamp, bibtex:biburl left out: biblatex has no field for them"
            in [d.message for d in diags if d.code == "BK402"])
    # a listing's own data (category badge, score) is left out of every format unsaid
    diags = Diagnostics()
    dump(load(SAMPLE_LISTING, as_of=AS_OF), "mods", diagnostics=diags)
    assert not [d for d in diags if d.code == "BK402"]
