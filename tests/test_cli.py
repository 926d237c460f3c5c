"""The command line as a user meets it: outputs, exit codes, messages, files."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from bibkit.formats import registry
from conftest import SAMPLE_LISTING, SAMPLES

AS_OF = ["--as-of", "2026-11-27"]
GOLDEN_BIBTEX = (SAMPLES / "listing/profile-listing.expected/bibtex.bib").read_text("utf-8")


def test_convert_to_stdout_matches_the_golden_file(cli):
    res = cli("convert", str(SAMPLE_LISTING), "--to", "bibtex", *AS_OF)
    assert res.exit_code == 0
    assert res.stdout == GOLDEN_BIBTEX
    assert "50 entries written as bibtex to standard output (profile: Bo Han)" in res.stderr


def test_convert_from_stdin_with_from(cli):
    res = cli("convert", "-", "--from", "listing", "--to", "bibtex", *AS_OF,
              input=SAMPLE_LISTING.read_bytes())
    assert res.exit_code == 0 and res.stdout == GOLDEN_BIBTEX


def test_pandocs_habits_short_f_and_t_and_a_pipe_without_input(cli):
    res = cli("convert", "-f", "listing", "-t", "bibtex", *AS_OF,
              input=SAMPLE_LISTING.read_bytes())
    assert res.exit_code == 0 and res.stdout == GOLDEN_BIBTEX
    res = cli("cv", "-t", "text", *AS_OF, input=SAMPLE_LISTING.read_bytes())
    assert res.exit_code == 0 and "Bo Han" in res.stdout


def test_no_input_at_a_terminal_is_a_usage_error_not_a_wait(monkeypatch):
    from click.testing import CliRunner

    from bibkit.cli import main

    runner = CliRunner()
    with runner.isolation() as _:
        monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
        with pytest.raises(SystemExit) as exit_:
            main.main(["convert", "--to", "bibtex"], prog_name="bibkit")
    assert exit_.value.code == 2


@pytest.mark.parametrize("words", ["bibkit convert sam", "bibkit convert x -o re",
                                   "bibkit cv x -o re", "bibkit check sam",
                                   "bibkit enrich sam"])
def test_bash_completion_offers_file_names_for_input_and_output(words):
    """click's bash script completes file names only when the parameter says `file`; a
    plain string parameter turned file-name completion off."""
    from click.testing import CliRunner

    from bibkit.cli import main

    env = {"_BIBKIT_COMPLETE": "bash_complete", "COMP_WORDS": words,
           "COMP_CWORD": str(len(words.split()) - 1)}
    res = CliRunner().invoke(main, [], prog_name="bibkit", env=env)
    assert res.stdout.split("\n")[0] == f"file,{words.split()[-1]}"


def test_a_forced_wrong_from_is_one_error_naming_what_the_file_looks_like(cli):
    res = cli("convert", str(SAMPLE_LISTING), "--from", "ris", *AS_OF)
    assert res.exit_code == 1 and res.stdout == ""
    lines = res.stderr.splitlines()
    assert len(lines) == 2 and "error[BK310]" in lines[0], res.stderr
    assert "looks like listing; give --from listing" in lines[0]
    res = cli("convert", str(SAMPLES / "bibtex/real-world.bib"), "-f", "listing")
    assert res.exit_code == 1 and "looks like bibtex" in res.stderr
    assert "profile:" not in res.stderr  # nothing the wrong reader took for an owner
    # biblatex is read by the BibTeX reader: no mismatch
    res = cli("convert", str(SAMPLES / "bibtex/real-world.bib"), "-f", "biblatex")
    assert "BK310" not in res.stderr and res.stdout.count("@") > 10


def test_many_diagnostics_of_one_kind_are_summarised_after_ten(cli):
    junk = "".join(f"stray line {i}\n" for i in range(30))
    ris = junk + "TY  - JOUR\nTI  - A title\nAU  - Doe, Jane\nPY  - 2020\nER  - \n"
    res = cli("convert", "-", "--from", "ris", input=ris)
    assert res.exit_code == 0 and res.stdout.count("@") == 1
    assert res.stderr.count("<stdin>:") == 10
    assert "\nbibkit: … and 20 more warning[BK701]" in res.stderr
    res = cli("convert", "-", "--from", "ris", "-v", input=ris)
    assert res.stderr.count("<stdin>:") == 30 and "more warning" not in res.stderr


def test_stdin_is_sniffed_without_from(cli):
    res = cli("convert", "-", *AS_OF, input=SAMPLE_LISTING.read_bytes())
    assert res.exit_code == 0 and res.stdout == GOLDEN_BIBTEX


def test_output_file_is_written_and_format_follows_its_suffix(cli, tmp_path):
    out = tmp_path / "refs.bib"
    res = cli("convert", str(SAMPLE_LISTING), "-o", str(out), *AS_OF)
    assert res.exit_code == 0 and res.stdout == ""
    assert out.read_text("utf-8") == GOLDEN_BIBTEX
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]  # no temporary file left


def test_biblatex_and_options(cli):
    res = cli("convert", str(SAMPLE_LISTING), "--to", "biblatex", "--no-abstract", *AS_OF)
    assert res.exit_code == 0
    assert res.stdout.count("@") == 50 and "abstract" not in res.stdout
    # an arXiv preprint is `@online` with its eprint; biblatex's `prepublished` would print
    # "Pre-published." after every one of them, which no biblatex user writes for arXiv
    assert "prepublished" not in res.stdout


def test_check_reports_and_exit_codes(cli):
    res = cli("check", str(SAMPLE_LISTING), *AS_OF)
    assert res.exit_code == 0 and res.stdout == ""
    assert "50 entries read as listing" in res.stderr
    edge = str(SAMPLES / "listing/edge-cases.txt")
    res = cli("check", edge, *AS_OF)
    assert res.exit_code == 1  # one card has no title: an error
    assert "edge-cases.txt:55: error[BK102]" in res.stderr
    assert "edge-cases.txt:41: warning[BK104]" in res.stderr


def test_check_json_report(cli):
    res = cli("check", str(SAMPLES / "listing/edge-cases.txt"), "--json", *AS_OF)
    data = json.loads(res.stdout)
    assert data["entries"] == 8 and data["blocks"] == 9 and data["errors"] == 1
    assert data["profile"]["name"] == "Seán O'Brien"
    assert {"severity": "error", "code": "BK102", "line": 55} .items() <= (
        next(d for d in data["diagnostics"] if d["code"] == "BK102").items())


def test_strict_turns_warnings_into_failure_and_keeps_the_old_output(cli, tmp_path):
    listing = tmp_path / "l.txt"
    listing.write_text("GTJul 4, 2022\nTitle\n\nAnn Lee\n\nText.\n", encoding="utf-8")
    out = tmp_path / "out.bib"
    out.write_text("old\n", encoding="utf-8")
    res = cli("convert", str(listing), "-o", str(out), "--strict", *AS_OF)
    assert res.exit_code == 1 and "left as it was (--strict)" in res.stderr
    assert out.read_text("utf-8") == "old\n"
    res = cli("convert", str(listing), "-o", str(out), *AS_OF)
    assert res.exit_code == 0 and out.read_text("utf-8").startswith("@misc{lee2022title,")


def test_report_file(cli, tmp_path):
    report = tmp_path / "report.json"
    res = cli("convert", str(SAMPLE_LISTING), "--report", str(report), *AS_OF)
    assert res.exit_code == 0
    data = json.loads(report.read_text("utf-8"))
    assert data["entries"] == 50 and data["to"] == "bibtex" and data["ok"] is True
    assert [d["code"] for d in data["diagnostics"]].count("BK201") == 3


def test_notes_only_with_verbose(cli):
    quiet = cli("check", str(SAMPLE_LISTING), *AS_OF)
    assert "BK201" not in quiet.stderr
    loud = cli("check", str(SAMPLE_LISTING), "-v", *AS_OF)
    assert "profile-listing.txt:40: info[BK201] year 2026 inferred for 'May 30'" in loud.stderr


def test_formats_lists_the_registry(cli):
    res = cli("formats")
    assert res.exit_code == 0
    names = [line.split()[0] for line in res.stdout.splitlines()]
    assert names == list(registry.formats())
    assert {"listing", "bibtex", "biblatex", "csljson"} <= set(names)


@pytest.mark.parametrize(("args", "setup", "code", "message"), [
    (["convert", "{tmp}/missing.txt"], None, 2, "missing.txt: no such file"),
    (["convert", "{tmp}"], None, 2, "is a directory"),
    (["convert", "{tmp}/bin.txt"], ("bin.txt", b"\x00\x01\x02\x00\x00\x00binary\x00\x00"), 1,
     "is a binary file"),
    (["check", "{tmp}/empty.txt"], ("empty.txt", b""), 1, "error[BK301] input is empty"),
    (["convert", "{tmp}/x.txt", "--to", "docx"], ("x.txt", b"LGMar 1, 2023\nT\n"), 2,
     "unknown write format 'docx' (known: bibtex, biblatex, csljson"),
    (["convert", "{tmp}/x.txt", "--from", "nope"], ("x.txt", b"x"), 2,
     "unknown read format 'nope'"),
    (["convert", "{tmp}/x.dat"], ("x.dat", b"hello world\n"), 2, "cannot tell the input format"),
    (["convert", "{tmp}/x.txt", "--as-of", "yesterday"], ("x.txt", b"x"), 2, "--as-of"),
    (["convert", "{tmp}/x.txt", "-O", "novalue"], ("x.txt", b"LGMar 1, 2023\nT\n"), 2,
     "-O takes key=value"),
    (["convert", "{tmp}/x.txt", "-O", "ris_type=UNPB"], ("x.txt", b"LGMar 1, 2023\nT\n"), 2,
     "-O ris_type: not an option of the bibtex writer"),
    (["convert", "{tmp}/x.txt", "-o", "{tmp}/x.txt"], ("x.txt", b"x"), 2, "is the input file"),
    (["convert", "{tmp}/x.txt", "-o", "{tmp}/no/such/dir/out.bib"], ("x.txt", b"x"), 2,
     "does not exist"),
])
def test_bad_input_gives_one_clear_line_and_no_traceback(cli, tmp_path, args, setup, code,
                                                         message):
    if setup:
        (tmp_path / setup[0]).write_bytes(setup[1])
    res = cli(*[a.replace("{tmp}", str(tmp_path)) for a in args])
    assert res.exit_code == code, res.stderr
    assert message in res.stderr
    assert "Traceback" not in res.stderr + res.stdout


def test_undecodable_bytes_are_reported_with_line_and_column(cli, tmp_path):
    listing = tmp_path / "l.txt"
    listing.write_bytes("LGMar 1, 2023\nZoë Title\n\nAnn Lee\n\nCaf".encode() + b"\xe9.\n")
    res = cli("convert", str(listing), *AS_OF)
    assert res.exit_code == 1
    assert "l.txt:6: error[BK303] invalid UTF-8 byte 0xe9 at column 4" in res.stderr
    assert "Zoë Title" in res.stdout and "Caf\ufffd." in res.stdout  # the card survives


def test_windows_1252_file_is_read_with_a_warning(cli, tmp_path):
    listing = tmp_path / "l.txt"
    listing.write_bytes(b"LGMar 1, 2023\r\nCaf\xe9 \x93Title\x94\r\n\r\nAnn Lee\r\n")
    res = cli("convert", str(listing), *AS_OF)
    assert res.exit_code == 0
    assert "l.txt: warning[BK306] not UTF-8: read as Windows-1252" in res.stderr
    assert "Café “Title”" in res.stdout


def test_nul_and_control_characters_are_removed_with_a_warning(cli, tmp_path):
    listing = tmp_path / "l.txt"
    listing.write_bytes(b"LGMar 1, 2023\nA\x00 Ti\x1btle\n\nAnn Lee\n")
    res = cli("convert", str(listing), *AS_OF)
    assert res.exit_code == 0
    assert "l.txt:2: warning[BK305] 2 control character(s)" in res.stderr
    assert "A Title" in res.stdout


def test_utf16_input_with_bom(cli, tmp_path):
    listing = tmp_path / "l.txt"
    listing.write_bytes("LGMar 1, 2023\r\nZoë's Title\r\n\r\nAnn Lee\r\n".encode("utf-16"))
    res = cli("convert", str(listing), *AS_OF)
    assert res.exit_code == 0 and "Zoë's Title" in res.stdout


def run_module(*args: str, stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    return subprocess.run([sys.executable, "-m", "bibkit", *args], input=stdin,
                          capture_output=True, timeout=120, env=env)


def test_python_dash_m_and_a_pipe():
    proc = run_module("convert", "-", "--to", "biblatex", *AS_OF,
                      stdin=SAMPLE_LISTING.read_bytes())
    assert proc.returncode == 0
    assert proc.stdout.decode("utf-8").count("@") == 50
    assert b"Traceback" not in proc.stderr


def test_closed_stdout_ends_quietly():
    big = SAMPLE_LISTING.read_bytes() * 40
    proc = subprocess.run(
        f'"{sys.executable}" -m bibkit convert - --as-of 2026-11-27 | head -n 3',
        shell=True, input=big, capture_output=True, timeout=120,
    )
    assert proc.stdout.decode().startswith("@misc{zhu2023combating,")
    assert b"Traceback" not in proc.stderr and b"Error" not in proc.stderr


def test_help_is_helpful(cli):
    res = cli("convert", "--help")
    assert res.exit_code == 0
    for option in ("--to", "--from", "--as-of", "--strict", "--report", "--ascii",
                   "--no-abstract", "-o"):
        assert option in res.stdout


# --- faults: the old output survives, no temporary file is left -------------------------------


@pytest.mark.parametrize(("fault", "code", "message"), [
    (OSError(28, "No space left on device"), 1, "No space left on device"),
    (KeyboardInterrupt(), 130, "interrupted; no output file was changed"),
])
def test_a_failed_write_leaves_the_old_file(cli, tmp_path, monkeypatch, fault, code, message):
    from bibkit.formats import registry

    target = tmp_path / "refs.bib"
    target.write_text("precious\n", encoding="utf-8")

    def failing(citations, out, ctx):
        for c in citations:
            out.write(f"@misc{{{c.key},}}\n")
            raise fault
        return 0

    monkeypatch.setattr(registry, "writer", lambda name: failing)
    res = cli("convert", str(SAMPLE_LISTING), "-o", str(target), *AS_OF)
    assert res.exit_code == code and message in res.stderr
    assert "Traceback" not in res.stderr
    assert target.read_text("utf-8") == "precious\n"
    assert [p.name for p in tmp_path.iterdir()] == ["refs.bib"]


def test_read_only_directory(cli, tmp_path):
    if os.geteuid() == 0:
        pytest.skip("root writes into read-only directories; checked as a normal user only")
    ro = tmp_path / "ro"
    ro.mkdir()
    ro.chmod(0o500)
    try:
        res = cli("convert", str(SAMPLE_LISTING), "-o", str(ro / "out.bib"), *AS_OF)
        assert res.exit_code == 1 and "cannot write" in res.stderr
    finally:
        ro.chmod(0o700)


def test_enrich_with_no_service_reachable_exits_3_and_still_writes(cli, tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on: connection refused at once
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    out = tmp_path / "out.json"
    endpoints = [arg for name in ("arxiv", "dblp", "s2")
                 for arg in ("--endpoint", f"{name}=http://127.0.0.1:{port}/{name}")]
    res = cli("enrich", str(SAMPLE_LISTING), "-o", str(out), "--no-cache", *endpoints, *AS_OF)
    assert res.exit_code == 3, res.stderr
    assert "no service could be reached" in res.stderr
    assert len(json.loads(out.read_text("utf-8"))) == 50  # the entries, as read
