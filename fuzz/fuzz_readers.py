"""Coverage-guided fuzzing of one reader with atheris (pip install atheris).

    python fuzz/fuzz_readers.py bibtex -max_total_time=600 fuzz/corpus-bibtex

The property is the one tests/test_fuzz.py checks with hypothesis: no exception escapes,
and every block the reader saw became an entry or an error diagnostic. A crash found here
belongs in tests/test_fuzz.py as a regression case.
"""

from __future__ import annotations

import io
import sys

import atheris

with atheris.instrument_imports():
    from bibkit.api import iter_citations
    from bibkit.io.files import Input, InputError
    from bibkit.model.context import ReadContext
    from bibkit.model.diagnostics import Diagnostics, Severity

FORMAT = sys.argv.pop(1) if len(sys.argv) > 1 and not sys.argv[1].startswith("-") else "bibtex"


def test_one_input(data: bytes) -> None:
    diags = Diagnostics("fuzz")
    ctx = ReadContext(diags)
    try:
        inp = Input("fuzz", io.BufferedReader(io.BytesIO(data)), None)  # type: ignore[arg-type]
    except InputError:
        return
    entries = sum(1 for _ in iter_citations(inp, FORMAT, ctx))
    errors = sum(1 for d in diags if d.severity is Severity.ERROR)
    if entries > ctx.blocks or ctx.blocks - entries > errors:
        raise AssertionError(f"{ctx.blocks} blocks, {entries} entries, {errors} errors")


def main() -> None:
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
