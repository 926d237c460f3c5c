"""Small things a new user meets (issue "What users meet"): DOIs as given, templates'
whitespace, CSL styles by name."""

from __future__ import annotations

import json

from bibkit import dump, loads
from bibkit.enrich.match import id_keys
from bibkit.enrich.merge import merge

BIB = "@article{k, title={T}, author={Doe, Jane}, journal={J}, year={2020}, " \
      "doi={https://doi.org/10.1109/TPAMI.2020.1234567}}"


def test_a_doi_keeps_the_case_it_was_given_in_every_format():
    c = next(iter(loads(BIB, "bibtex")))
    assert c.ids.doi == "10.1109/TPAMI.2020.1234567"
    assert "doi           = {10.1109/TPAMI.2020.1234567}" in (dump([c], "bibtex") or "")
    assert json.loads(dump([c], "csljson") or "")[0]["DOI"] == "10.1109/TPAMI.2020.1234567"
    assert "DO  - 10.1109/TPAMI.2020.1234567\r\n" in (dump([c], "ris") or "")


def test_dois_that_differ_only_in_case_are_one_doi():
    mine = next(iter(loads(BIB, "bibtex")))
    theirs = next(iter(loads(BIB.replace("TPAMI", "tpami").replace("Doe, Jane", "Doe, J."),
                             "bibtex")))
    assert id_keys(mine) == id_keys(theirs)
    merged, changes = merge(mine, theirs, "a service", 1.0, prefer_other=True)
    assert merged.ids.doi == "10.1109/TPAMI.2020.1234567"
    assert "ids.doi" not in [ch.field for ch in changes]


def test_templates_trim_blocks_as_the_readme_says_and_plus_keeps_the_newline(tmp_path):
    from click.testing import CliRunner

    from bibkit.cli import main

    listing = ("@article{a, title={First}, author={Doe, Jane}, journal={J}, year={2020}, "
               "doi={10.1/X}}\n@article{b, title={Second}, author={Doe, Jane}, journal={J}, "
               "year={2021}}\n")
    template = tmp_path / "cv.md.j2"
    # the README's example, verbatim, and the catch it warns of
    example = ("{% for e in entries %}\n- {{ e.title|markdown }}{% if e.doi %} "
               "(doi:{{ e.doi }}){% endif +%}\n{% endfor %}\n")
    for text, out in ((example, "- Second\n- First (doi:10.1/X)\n"),
                      (example.replace("+%}", "%}"), "- Second- First (doi:10.1/X)")):
        template.write_text(text)
        res = CliRunner().invoke(main, ["cv", "-", "--from", "bibtex", "--template",
                                        str(template), "--as-of", "2024-01-01"], input=listing)
        assert res.exit_code == 0, res.output
        assert res.stdout == out
    template.write_text("{% for e in entries +%}\n  {%+ if true %}{{ e.key }}{% endif %}\n"
                        "{% endfor %}")
    res = CliRunner().invoke(main, ["cv", "-", "--from", "bibtex", "--template",
                                    str(template), "--as-of", "2024-01-01"], input=listing)
    assert res.stdout == "\n  b\n  a"  # +%} kept the newline, {%+ the indentation


def _cv(*args: str):
    from click.testing import CliRunner

    from bibkit.cli import main
    from conftest import SAMPLE_LISTING

    return CliRunner().invoke(main, ["cv", str(SAMPLE_LISTING), "--format", "text",
                                     "--as-of", "2024-06-01", *args])


def test_any_csl_repository_style_by_name_and_its_own_numbers_left_to_the_cv():
    nature = _cv("--csl", "nature")
    assert nature.exit_code == 0, nature.output
    first = next(line for line in nature.stdout.splitlines() if line.startswith("[50]"))
    # Nature labels its list "1."; the CV numbers its entries itself
    assert first.startswith("[50] Zhang, Y., Nie, J.") and "Preprint at" in first
    digest = _cv("--csl", "nature-digest")  # a dependent style: its parent's formatting
    assert digest.exit_code == 0 and digest.stdout == nature.stdout
    chicago = _cv("--csl", "chicago-author-date")
    assert chicago.exit_code == 0 and "2025. “Detecting Generated Images" in chicago.stdout


def test_a_csl_typo_names_the_close_matches_and_a_missing_file_is_said(tmp_path):
    typo = _cv("--csl", "natur")
    assert typo.exit_code == 2
    assert "CSL style 'natur' not found" in typo.stderr and "did you mean nature" in typo.stderr
    missing = _cv("--csl", str(tmp_path / "mine.csl"))
    assert missing.exit_code == 2 and "mine.csl' not found" in missing.stderr
    from bibkit.data import formats_dir

    own = tmp_path / "mine.csl"
    own.write_bytes((formats_dir() / "csl" / "apa.csl").read_bytes())
    assert _cv("--csl", str(own)).stdout == _cv("--csl", "apa").stdout


def test_al_folio_shows_each_code_link_once():
    from bibkit import load
    from conftest import SAMPLE_LISTING

    lib = load(SAMPLE_LISTING, as_of=__import__("datetime").date(2024, 6, 1))
    text = dump(lib, "cv-al-folio") or ""
    assert text.count("code          = {https://github.com/") >= 10
    assert "Code: \\url{" not in text and "Project page: \\url{" not in text
