"""What a user types and mistypes: format names as people write them, empty and binary input,
contradicting options, an output name that says another format, a broken --merge library."""

from __future__ import annotations

import datetime as dt
import os

import pytest

import bibkit
from conftest import SAMPLE_LISTING

AS_OF = ("--as-of", "2026-11-27")
LISTING = str(SAMPLE_LISTING)


@pytest.mark.parametrize(("typed", "first_line"), [
    ("BibTeX", "@misc{zhu2023combating,"), ("bib", "@misc{zhu2023combating,"),
    ("json", "["), ("CSL", "["), ("xml", '<?xml version="1.0" encoding="UTF-8"?>'),
    ("md", "# Publications"), ("RIS", "TY  - GEN"),
])
def test_format_names_as_people_type_them(cli, typed, first_line):
    res = cli("convert", LISTING, "--to", typed, "-q", *AS_OF)
    assert res.exit_code == 0, res.stderr
    assert res.stdout.splitlines()[0] == first_line


def test_txt_reads_a_listing_and_writes_a_text_cv(cli):
    res = cli("convert", "-", "--from", "TXT", "--to", "txt", "-q", *AS_OF,
              input=SAMPLE_LISTING.read_bytes())
    assert res.exit_code == 0 and res.stdout.startswith("2026\n----\n\n[50] ")


@pytest.mark.parametrize("how", ["file", "stdin"])
def test_empty_input_is_one_error_either_way_and_replaces_nothing(cli, tmp_path, how):
    out = tmp_path / "refs.bib"
    out.write_text("precious")
    empty = tmp_path / "empty.bib"
    empty.write_text("  \n\n")
    args = (str(empty),) if how == "file" else ("-",)
    res = cli("convert", *args, "-o", str(out), input=b"\n \n")
    assert res.exit_code == 1 and "error[BK301] input is empty" in res.stderr
    assert out.read_text() == "precious" and "left as it was (nothing was read)" in res.stderr


def test_random_bytes_are_refused_in_one_line(cli, tmp_path):
    noise = tmp_path / "noise.bib"
    noise.write_bytes(bytes((i * 7919 + 13) % 256 for i in range(20000)))
    out = tmp_path / "refs.bib"
    out.write_text("precious")
    res = cli("convert", str(noise), "--from", "bibtex", "-o", str(out))
    assert res.exit_code == 1 and res.stderr.strip().count("\n") == 0
    assert "is a binary file" in res.stderr and out.read_text() == "precious"


def test_a_run_that_read_only_errors_leaves_the_old_output(cli, tmp_path):
    broken = tmp_path / "broken.bib"
    broken.write_text("@article{")
    out = tmp_path / "refs.bib"
    out.write_text("precious")
    res = cli("convert", str(broken), "-o", str(out))
    assert res.exit_code == 1 and out.read_text() == "precious"


@pytest.mark.parametrize(("args", "names"), [
    (("convert", LISTING, "-q", "-v"), "--quiet and --verbose"),
    (("check", LISTING, "-q", "-v"), "--quiet and --verbose"),
    (("convert", LISTING, "--enrich", "arxiv", "--offline", "--refresh"),
     "--offline and --refresh"),
    (("cv", LISTING, "--standalone", "--format", "html"), "--standalone"),
    (("cv", LISTING, "--since", "2025", "--until", "2022"), "--since 2025 is after --until"),
    (("cv", LISTING, "--only", "x", "--exclude", "x"), "--only x and --exclude x"),
])
def test_contradicting_options_are_a_usage_error_naming_both(cli, args, names):
    res = cli(*args, *AS_OF)
    assert res.exit_code == 2 and names in res.stderr
    assert res.stderr.startswith("bibkit: error:") and res.stderr.count("\n") == 1


def test_an_output_name_that_says_another_format(cli, tmp_path):
    res = cli("convert", LISTING, "-o", str(tmp_path / "refs.json"), "--to", "bibtex", *AS_OF)
    assert res.exit_code == 0 and "warning[BK404]" in res.stderr
    assert (tmp_path / "refs.json").read_text().startswith("@misc{")
    fine = cli("convert", LISTING, "-o", str(tmp_path / "refs.bib"), "--to", "biblatex", *AS_OF)
    assert "BK404" not in fine.stderr  # .bib is BibLaTeX's suffix too
    unknown = cli("convert", LISTING, "-o", str(tmp_path / "out.yaml"), *AS_OF)
    assert unknown.exit_code == 2 and "no format writes '.yaml' files" in unknown.stderr
    assert not (tmp_path / "out.yaml").exists()


def test_a_broken_merge_library_counts_in_the_summary_and_the_exit_code(cli, tmp_path):
    library = tmp_path / "mine.bib"
    library.write_text("@article{good, title={A}, year={2020}}\n@article{broken, title={\n")
    res = cli("convert", LISTING, "--merge", str(library), "-q", *AS_OF)
    assert res.exit_code == 1
    loud = cli("convert", LISTING, "--merge", str(library), *AS_OF)
    assert f"{library}:2: error[BK501]" in loud.stderr and "; 1 error," in loud.stderr


def test_standard_output_is_named_so(cli):
    res = cli("convert", LISTING, "-o", "-", *AS_OF)
    assert "written as bibtex to standard output" in res.stderr and res.stdout.startswith("@")


def test_command_summaries_are_whole_sentences(cli):
    res = cli("--help")
    commands = res.stdout.split("Commands:")[1]
    assert "..." not in commands and "…" not in commands


def test_api_refuses_an_unknown_service_before_making_anything(tmp_path, monkeypatch):
    from bibkit.enrich.services import EnrichError

    cache = tmp_path / "never"
    monkeypatch.setenv("BIBKIT_CACHE_DIR", str(cache))
    lib = bibkit.load(SAMPLE_LISTING)
    with pytest.raises(EnrichError) as err:
        bibkit.enrich_library(lib, ["nope"])
    assert not cache.exists() and "--" not in str(err.value)


def test_the_suite_keeps_out_of_the_home_cache():
    assert os.environ["BIBKIT_CACHE_DIR"] != os.path.expanduser("~/.cache/bibkit")


def test_a_missing_comma_between_fields_is_repaired_and_said():
    lib = bibkit.loads("@article{a,\n  title = {First}\n  author = {Doe, Jane},\n"
                       "  year = 2020\n  journal = \"J\"\n}\n", "bibtex")
    c = lib[0]
    assert c.title == "First" and [p.family for p in c.authors] == ["Doe"]
    assert c.issued.year == 2020 and c.venue.name == "J"
    warned = [(d.code, d.line) for d in lib.diagnostics]
    assert warned == [("BK506", 3), ("BK506", 5)]


@pytest.mark.parametrize("copy", ["no blank lines", "CRLF and no blank lines", "tabs",
                                  "trailing spaces", "no-break spaces in author lines"])
def test_a_listing_as_other_copy_paths_produce_it(copy):
    text = SAMPLE_LISTING.read_text(encoding="utf-8")
    if "no blank" in copy:
        text = "\n".join(line for line in text.split("\n") if line.strip())
    if "CRLF" in copy:
        text = text.replace("\n", "\r\n")
    if copy == "tabs":
        text = text.replace(", ", ",\t")
    if copy == "trailing spaces":
        text = text.replace("\n", "  \n")
    if "no-break" in copy:
        text = text.replace(" · ", "\u00a0·\u00a0").replace(", ", ",\u00a0")
    got = bibkit.loads(text, "listing", as_of=dt.date(2026, 11, 27))
    want = bibkit.load(SAMPLE_LISTING, as_of=dt.date(2026, 11, 27))
    assert [c.title for c in got] == [c.title for c in want]
    assert [c.authors for c in got] == [c.authors for c in want]
    assert not [d for d in got.diagnostics if d.code == "BK103"]


def test_format_values_complete_in_the_shell(monkeypatch, capsys):
    from bibkit.cli import main

    monkeypatch.setenv("_BIBKIT_COMPLETE", "bash_complete")
    monkeypatch.setenv("COMP_WORDS", "bibkit convert x --to cs")
    monkeypatch.setenv("COMP_CWORD", "4")
    with pytest.raises(SystemExit):
        main(prog_name="bibkit")
    assert "plain,csljson" in capsys.readouterr().out


def test_metrics_split_over_two_lines_read_as_the_page_shows_them():
    text = SAMPLE_LISTING.read_text(encoding="utf-8")
    split = (text.replace("h-index87", "h-index\n87")
             .replace("12,368citations", "12,368\ncitations")
             .replace("Novelty54%", "Novelty\n54%"))
    got = bibkit.loads(split, "listing", as_of=dt.date(2026, 11, 27))
    assert got.profile == bibkit.load(SAMPLE_LISTING, as_of=dt.date(2026, 11, 27)).profile
    assert not [d for d in got.diagnostics if d.code == "BK106"]


def test_page_chrome_copied_above_the_profile_is_not_taken_for_the_owner():
    text = "ScholarFeed\nHome\n" + SAMPLE_LISTING.read_text(encoding="utf-8")
    got = bibkit.loads(text, "listing", as_of=dt.date(2026, 11, 27))
    assert got.profile.name == "Bo Han" and len(got) == 50
    assert [(d.code, d.line) for d in got.diagnostics if d.severity] == [("BK106", 1),
                                                                         ("BK106", 2)]


def test_every_diagnostic_code_is_in_the_readme_and_every_readme_code_is_real():
    # BK507 was raised for a year without being in the README's table of codes
    import re

    from bibkit.model.diagnostics import CODES
    from conftest import ROOT

    readme = set(re.findall(r"^\| (BK\d{3}) \|", (ROOT / "README.md").read_text(), re.M))
    assert readme == set(CODES)
