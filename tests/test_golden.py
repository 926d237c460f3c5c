"""Every sample input through every writer equals its reviewed golden file, twice over."""

from __future__ import annotations

import pytest

from golden import expected_path, inputs, render, writers

CASES = [(r, p, w) for r, p in inputs() for w in writers()]


def test_there_are_golden_cases():
    assert len(CASES) >= 4  # the matrix is generated: make sure it did not come out empty


@pytest.mark.parametrize(("reader", "path", "writer"), CASES,
                         ids=[f"{p.name}->{w}" for _, p, w in CASES])
def test_golden(reader, path, writer):
    expected = expected_path(path, writer)
    assert expected.exists(), f"no golden file {expected}; run `python tests/golden.py --update`"
    got = render(reader, path, writer)
    assert got == expected.read_bytes().decode("utf-8"), (
        f"{path.name} -> {writer} differs from {expected.name}; if intended, run "
        "`python tests/golden.py --update` and review the diff"
    )
    assert render(reader, path, writer) == got  # deterministic
