"""What an audit with hostile inputs found: control characters that reach a terminal, `-o`
onto things that are not regular files, temporary files left by a killed run, and parsers
whose time grew with the square of the input."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from bibkit.cli import main
from bibkit.io import files as fileio
from conftest import SAMPLE_LISTING

# --- control characters never reach a terminal ---------------------------------------------

# C0 but tab and LF, DEL, and C1 as UTF-8 (U+0080-U+009F is \xc2\x80-\xc2\x9f)
TERMINAL_CONTROL = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")
ESC, CSI = "\x1b[2J", "\u009b2J"

CSL_ITEM = {"id": f"key{ESC}", "type": "article-journal", "title": f"T{ESC}itle\b{CSI}",
            "author": [{"family": f"Doe{ESC}", "given": "J\u0085ane"}],
            "container-title": "J\u0007ournal", "issued": {"date-parts": [[2020]]}}
HOSTILE_INPUTS = {
    "items.json": json.dumps([CSL_ITEM]).encode(),  # controls written as JSON escapes
    "raw.json": json.dumps([CSL_ITEM], ensure_ascii=False).encode(),  # and as raw UTF-8
    "listing.txt": SAMPLE_LISTING.read_bytes().replace(b"Bo Han\n", b"Jane Doe\rPWNED\n", 1),
    "entry.bib": b"@article{a\rFAKE, title={Ti\x1btle \xc2\x9b2J}, author={Doe, J\rane},"
                 b" year={2020}}\n",
    "record.ris": b"TY  - JOUR\nTI  - Ti\x1b[2Jtle\xc2\x9b\nAU  - Doe\r, Jane\nPY  - 2020\n"
                  b"ER  - \n",
}
OUTPUTS = [("convert", "--to", fmt) for fmt in ("bibtex", "biblatex", "csljson", "ris", "mods")]
OUTPUTS += [("cv", "--format", fmt) for fmt in ("text", "markdown", "latex", "html")]


@pytest.mark.parametrize("name", sorted(HOSTILE_INPUTS))
@pytest.mark.parametrize("command", OUTPUTS, ids=lambda c: f"{c[0]}-{c[2]}")
def test_no_control_character_reaches_stdout_or_stderr(name, command, tmp_path):
    path = tmp_path / name
    path.write_bytes(HOSTILE_INPUTS[name])
    res = CliRunner().invoke(main, [command[0], str(path), *command[1:], "--verbose",
                                    "--as-of", "2026-11-27"], catch_exceptions=False)
    assert res.exit_code in (0, 1), res.stderr
    out = res.stdout_bytes.replace(b"\r\n", b"\n")  # RIS lines end in CR LF, as the spec says
    assert not TERMINAL_CONTROL.search(out), TERMINAL_CONTROL.search(out)
    assert not TERMINAL_CONTROL.search(res.stderr_bytes), res.stderr
    assert "BK305" in res.stderr  # said once, not done silently


def test_diagnostics_quote_what_would_move_the_cursor():
    from bibkit.model.diagnostics import Diagnostic, Severity

    d = Diagnostic(Severity.WARNING, "BK501", f"bad{ESC}", "in\rput.bib", 3, "a\rFAKE")
    assert d.format() == "in\\rput.bib:3: warning[BK501] a\\rFAKE: bad\\x1b[2J"


# --- -o onto what is not a plain file -------------------------------------------------------


def _convert_to(target: Path | str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, "-m", "bibkit", "convert", str(SAMPLE_LISTING),
                           "--as-of", "2026-11-27", "-q", "-o", str(target)],
                          capture_output=True, timeout=60, stdin=subprocess.DEVNULL)


def test_output_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    real = tmp_path / "sub" / "real.bib"
    real.parent.mkdir()
    real.write_text("old")
    real.chmod(0o640)
    link = tmp_path / "link.bib"
    link.symlink_to(real)
    assert _convert_to(link).returncode == 0
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text().startswith("@misc{zhu2023combating,")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["link.bib", "real.bib", "sub"]


def test_output_through_a_dangling_symlink_creates_its_target(tmp_path):
    link = tmp_path / "link.bib"
    link.symlink_to(tmp_path / "new.bib")
    assert _convert_to(link).returncode == 0
    assert link.is_symlink() and (tmp_path / "new.bib").read_text().startswith("@misc{")


def test_output_to_a_fifo_writes_into_it(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()))
    reader.start()
    assert _convert_to(fifo).returncode == 0
    reader.join(30)
    assert stat.S_ISFIFO(fifo.lstat().st_mode)  # still a FIFO, not replaced by a file
    assert received and received[0].startswith(b"@misc{zhu2023combating,")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pipe"]


def test_output_to_a_device_or_a_descriptor_is_written_not_replaced(tmp_path):
    link = tmp_path / "stdout"
    link.symlink_to("/proc/self/fd/1")
    res = _convert_to(link)
    assert res.returncode == 0 and res.stdout.startswith(b"@misc{zhu2023combating,")
    assert link.is_symlink()
    if os.geteuid() != 0:
        pytest.skip("making a device node needs root")
    null = tmp_path / "null"
    os.mknod(null, stat.S_IFCHR | 0o666, os.makedev(1, 3))  # a private /dev/null
    assert _convert_to(null).returncode == 0
    assert stat.S_ISCHR(null.lstat().st_mode)


def test_output_onto_a_directory_is_a_usage_error(tmp_path):
    res = _convert_to(tmp_path)
    assert res.returncode == 2 and b"is a directory" in res.stderr


# --- no temporary file survives -------------------------------------------------------------


def _temporary_fds(pid: int, directory: Path) -> list[str]:
    fds = Path(f"/proc/{pid}/fd")
    out = []
    for fd in fds.iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        if target.startswith(str(directory)) and not target.endswith(".ris"):
            out.append(target)
    return out


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_kill_9_during_a_conversion_leaves_no_file_behind(tmp_path):
    record = "TY  - JOUR\nTI  - A title of some length, {with} braces & 50%\nAU  - Doe, J.\n" \
             "PY  - 2020\nER  - \n\n"
    big = tmp_path / "big.ris"
    big.write_text(record * 100_000)
    out = tmp_path / "out.bib"
    proc = subprocess.Popen([sys.executable, "-m", "bibkit", "convert", str(big), "-q",
                             "-o", str(out)], stdin=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    try:
        while not _temporary_fds(proc.pid, tmp_path):  # the output is open: it is writing
            assert proc.poll() is None, "finished before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.01)
        time.sleep(0.2)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(30)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.ris"]


@pytest.mark.parametrize("unnamed", [True, False], ids=["O_TMPFILE", "named"])
def test_a_failed_commit_leaves_the_target_and_no_temporary_file(tmp_path, monkeypatch,
                                                                 unnamed):
    if not unnamed:
        monkeypatch.setattr(fileio, "_unnamed_file", lambda directory: None)
    target = tmp_path / "out.bib"
    target.write_text("old")
    out = fileio.Output(str(target))
    out.stream.write("new content")

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full_disk)
    with pytest.raises(OSError, match="No space"):
        out.commit()
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bib"]


def test_an_unnamed_file_that_cannot_be_linked_is_copied(tmp_path, monkeypatch):
    """Some kernels refuse linkat through /proc or with AT_EMPTY_PATH: the output is copied."""
    monkeypatch.setattr(fileio, "_link_empty_path", lambda fd, name: False)
    real_link = os.link

    def refuse(src: str, dst: str, **kw: object) -> None:
        if src.startswith("/proc/self/fd/"):
            raise OSError(18, "Invalid cross-device link")
        real_link(src, dst, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "link", refuse)
    out = fileio.Output(str(tmp_path / "out.bib"))
    out.stream.write("x" * 3_000_000)
    out.commit()
    assert (tmp_path / "out.bib").read_text() == "x" * 3_000_000
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.bib"]


# --- linear, not quadratic: time for 16n against time for n ---------------------------------


def _growth(fn, make, n: int) -> float:
    """How much longer 16 times the input takes (the best of three, to damp noise): about
    16 for a linear function, about 256 for a quadratic one."""
    def best(arg: object) -> float:
        times = []
        for _ in range(3):
            start = time.perf_counter()
            fn(arg)
            times.append(time.perf_counter() - start)
        return min(times)

    small, large = make(n), make(16 * n)
    best(small)  # warm up
    return best(large) / max(best(small), 1e-6)


def test_brace_groups_are_read_in_one_pass():
    from bibkit.formats.readers.bibtex import nocase_spans

    assert _growth(nocase_spans, lambda n: "\\textbackslash{}" * n, 2000) < 64
    assert _growth(nocase_spans, lambda n: "{A} x " * n, 2000) < 64


def test_name_particles_are_found_in_one_pass():
    from bibkit.infer.names import parse_inverted_name

    assert _growth(parse_inverted_name, lambda n: " ".join(["von"] * n) + ", X", 20000) < 64


def test_bibtex_reads_back_its_own_escaping_of_a_long_backslash_title():
    from bibkit import dump, loads
    from bibkit.model.citation import Citation

    title = "\\" * 10_000
    start = time.perf_counter()
    back = loads(dump([Citation(key="k", title=title)], "bibtex"), "bibtex")
    assert back[0].title == title
    assert time.perf_counter() - start < 10  # was over 20 s; a bound, not a benchmark


_HOSTILE_NAME = st.text(alphabet="ab =,{}\"#%'()\n\r@TYER-", min_size=1, max_size=24)


@settings(max_examples=120, deadline=None)
@given(name=_HOSTILE_NAME, value=st.text(alphabet="ab {}\\\n\r@=-", max_size=24))
def test_a_kept_field_name_from_an_untrusted_source_cannot_forge_an_entry(name, value):
    # custom.bibkit.extra of a CSL-JSON file is the input's: any name, any value
    import bibtexparser

    from bibkit import dump, loads

    item = {"id": "a", "type": "book", "title": "T",
            "custom": {"bibkit": {"extra": [[f"bibtex:{name}", value], [f"ris:{name}", value]]}}}
    lib = loads(json.dumps([item, {"id": "b", "type": "book", "title": "U"}]), "csljson")
    for fmt in ("bibtex", "biblatex"):
        parsed = bibtexparser.parse_string(dump(lib, fmt))
        assert [e.key for e in parsed.entries] == ["a", "b"] and not parsed.failed_blocks
    ris = dump(lib, "ris")
    assert [line for line in ris.split("\r\n") if line.startswith("TY  - ")] == [
        "TY  - BOOK", "TY  - BOOK"]
    assert all(re.fullmatch(r"[A-Z][A-Z0-9]  - .*|ER  - |", line) for line in ris.split("\r\n"))


def test_tex_in_an_untrusted_csl_files_exact_text_cannot_end_its_field_or_read_a_file():
    import bibtexparser

    from bibkit import dump, loads

    custom = {"text": {"title": ["x ", {"tex": "}},\n@misc{evil, title={pwned"}]},
              "note": [{"tex": "\\input{/etc/passwd}"}, " and ", {"tex": "{\\it fine}"},
                       {"rich": "input{/etc/passwd}\\relax", "text": ["y"]}]}
    item = {"id": "a", "type": "book", "title": "T", "note": "n",
            "custom": {"bibkit": custom}}
    lib = loads(json.dumps([item, {"id": "b", "type": "book", "title": "U"}]), "csljson")
    refused = [d.message for d in lib.diagnostics if d.code == "BK605"]
    assert len(refused) == 1 and "\\\\input{/etc/passwd}" in refused[0]
    for fmt in ("bibtex", "biblatex"):
        out = dump(lib, fmt)
        assert [e.key for e in bibtexparser.parse_string(out).entries] == ["a", "b"]
        assert "\\input" not in out and "{\\it fine}" in out  # the .bib's own TeX stays


@pytest.mark.parametrize("fmt", ["listing", "csljson", "ris"])
def test_caret_notation_cannot_spell_a_command_into_a_latex_output(fmt):
    # TeX reads ^^5c as a backslash: "$^^5cinput{/etc/hostname}$" compiled reads that file
    from bibkit import dump, loads

    math = "$^^5cinput{/etc/hostname}$"
    source = {
        "listing": f"Bo Han\n\n1 Papers\n\nLGFeb 9, 2022\nTitle {math}\n\nBo Han\n\nText.\n",
        "csljson": json.dumps([{"id": "a", "type": "book", "title": f"Title {math}"}]),
        "ris": f"TY  - BOOK\nTI  - Title {math}\nER  - \n",
    }[fmt]
    lib = loads(source, fmt)
    for out in (dump(lib, "bibtex"), dump(lib, "biblatex")):
        assert "^^" not in out and "5cinput\\textbraceleft{}" in out
