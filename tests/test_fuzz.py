"""Every reader, fed anything: never an exception, and every block it saw is an entry or an
error diagnostic. Generated from the registry; inputs are arbitrary text, arbitrary bytes and
mutations of the real samples."""

from __future__ import annotations

import io
import subprocess
import sys

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bibkit.api import iter_citations
from bibkit.formats import registry
from bibkit.io.files import Input, InputError
from bibkit.model.context import ReadContext
from bibkit.model.diagnostics import Diagnostics, Severity
from conftest import AS_OF, ROOT, SAMPLES

READERS = [name for name, spec in registry.formats().items() if spec.reader]
SAMPLE_BYTES = {p.name: p.read_bytes() for d in SAMPLES.iterdir() if d.is_dir()
                for p in d.iterdir() if p.is_file()}


def read_all(data: bytes, fmt: str) -> tuple[int, ReadContext]:
    """Read like the CLI does; returns (entries, context). InputError (binary input) is the
    one refusal allowed, and it is a message, not a crash."""
    diags = Diagnostics("fuzz")
    ctx = ReadContext(diags, AS_OF)
    try:
        inp = Input("fuzz", io.BufferedReader(io.BytesIO(data)), None)  # type: ignore[arg-type]
    except InputError:
        return 0, ctx
    entries = sum(1 for _ in iter_citations(inp, fmt, ctx))
    return entries, ctx


def check(data: bytes, fmt: str) -> None:
    entries, ctx = read_all(data, fmt)
    errors = sum(1 for d in ctx.diags if d.severity is Severity.ERROR)
    assert entries <= ctx.blocks
    assert ctx.blocks - entries <= errors, [d.format() for d in ctx.diags]


SPECIALS = st.sampled_from(["@", "{", "}", "\\", "TY  - ", "ER  - ", "[", "]", '"', ",",
                            "LGMar 1, 2023Code", "et al.", "·", "\n", "\r\n", "=", "#", "%"])
texty = st.lists(st.one_of(st.text(max_size=20), SPECIALS), max_size=40).map("".join)


@pytest.mark.parametrize("fmt", READERS)
@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.one_of(texty.map(lambda t: t.encode("utf-8", "surrogatepass")),
                      st.binary(max_size=300)))
def test_any_input(fmt, data):
    check(data, fmt)


@st.composite
def mutated(draw: st.DrawFn) -> tuple[str, bytes]:
    name = draw(st.sampled_from(sorted(SAMPLE_BYTES)))
    data = bytearray(SAMPLE_BYTES[name][:6000])
    for _ in range(draw(st.integers(1, 8))):
        op = draw(st.sampled_from(["delete", "insert", "duplicate", "flip"]))
        pos = draw(st.integers(0, max(0, len(data) - 1)))
        if op == "delete":
            del data[pos : pos + draw(st.integers(1, 50))]
        elif op == "insert":
            data[pos:pos] = draw(st.sampled_from([b"{", b"}", b"@", b"\n\n", b"\\", b"\xff",
                                                  b"\x00", b"TY  - JOUR\n", b'"']))
        elif op == "duplicate":
            data[pos:pos] = data[pos : pos + draw(st.integers(1, 200))]
        else:
            data[pos] = draw(st.integers(0, 255))
    return name, bytes(data)


@pytest.mark.parametrize("fmt", READERS)
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=mutated())
def test_mutated_samples(fmt, case):
    check(case[1], fmt)


REGRESSIONS = sorted((ROOT / "tests/fuzz-regressions").glob("*"))


@pytest.mark.parametrize("fmt", READERS)
@pytest.mark.parametrize("path", REGRESSIONS, ids=[p.name for p in REGRESSIONS])
def test_inputs_the_fuzzer_found(path, fmt):
    """Each once hung or crashed a reader; run as a process so a hang fails, not blocks."""
    proc = subprocess.run([sys.executable, "-m", "bibkit", "check", str(path), "--from", fmt,
                           "-q"], capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    assert proc.returncode in (0, 1) and b"Traceback" not in proc.stderr
    check(path.read_bytes(), fmt)
