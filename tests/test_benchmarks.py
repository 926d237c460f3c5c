"""The benchmark's floor is the reader's own split: benchmarks/split.py must see exactly the
cards bibkit reads, or its ratio would compare different work."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
from pathlib import Path

import bibkit

ROOT = Path(__file__).resolve().parents[1]


def test_bare_split_sees_the_cards_bibkit_reads(tmp_path):
    samples = sorted((ROOT / "samples" / "listing").glob("*.txt"))
    assert samples
    for sample in samples:
        out = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "split.py"), str(sample)],
                             capture_output=True, text=True, check=True)
        diags = bibkit.Diagnostics(str(sample))
        library = bibkit.load(str(sample), as_of=dt.date(2026, 11, 27), diagnostics=diags)
        skipped = sum(1 for d in diags if d.code == "BK102")  # a card with no title
        assert int(out.stdout) == len(library) + skipped, sample.name
