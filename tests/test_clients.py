"""The output as LaTeX users consume it: bibtex with plain.bst, pdflatex, and biber's data
model validation. Skipped with a reason where the client is not installed; CI installs them
(Debian texlive-latex-base, texlive-bibtex-extra, biber)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from bibkit import dump, load
from conftest import AS_OF, SAMPLES

pytestmark = pytest.mark.client

LISTINGS = sorted((SAMPLES / "listing").glob("*.txt"))


def need(tool: str) -> str:
    path = shutil.which(tool)
    if path is None:
        if os.environ.get("BIBKIT_REQUIRE_CLIENTS"):  # set by .ci/run: never skip in CI
            pytest.fail(f"{tool} is required (BIBKIT_REQUIRE_CLIENTS is set) but missing")
        pytest.skip(f"{tool} is not installed (CI installs it with apt-get)")
    return path


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)


BIBTEX_DOC = r"""\documentclass{article}
\usepackage{url}
\begin{document}
\nocite{*}
\bibliographystyle{plain}
\bibliography{refs}
\end{document}
"""


@pytest.mark.parametrize("listing", LISTINGS, ids=[p.name for p in LISTINGS])
def test_bibtex_plain_bst_runs_without_warnings_and_the_document_compiles(listing, tmp_path):
    pdflatex, bibtex = need("pdflatex"), need("bibtex")
    lib = load(listing, as_of=AS_OF)
    (tmp_path / "refs.bib").write_text(dump(lib, "bibtex"), encoding="utf-8")
    (tmp_path / "doc.tex").write_text(BIBTEX_DOC, encoding="utf-8")
    first = run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"], tmp_path)
    assert first.returncode == 0, first.stdout[-2000:]
    result = run([bibtex, "doc"], tmp_path)
    blg = (tmp_path / "doc.blg").read_text(encoding="utf-8", errors="replace")
    assert result.returncode == 0, blg
    assert "Warning--" not in blg and "error message" not in blg, blg
    assert (tmp_path / "doc.bbl").read_text(encoding="utf-8").count(r"\bibitem") == len(lib)
    for _ in range(2):
        final = run([pdflatex, "-interaction=nonstopmode", "-halt-on-error", "doc.tex"],
                    tmp_path)
        assert final.returncode == 0, final.stdout[-3000:]
    log = (tmp_path / "doc.log").read_text(encoding="utf-8", errors="replace")
    assert "Citation" not in re.findall(r"LaTeX Warning: (\w+)", log)


@pytest.mark.parametrize("listing", LISTINGS, ids=[p.name for p in LISTINGS])
def test_biber_validates_the_biblatex_data_model(listing, tmp_path):
    biber = need("biber")
    lib = load(listing, as_of=AS_OF)
    (tmp_path / "refs.bib").write_text(dump(lib, "biblatex"), encoding="utf-8")
    result = run([biber, "--tool", "--validate-datamodel", "refs.bib"], tmp_path)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    problems = [line for line in output.splitlines() if line.startswith(("WARN", "ERROR"))]
    assert problems == []
    # biber's own re-serialisation keeps every entry
    tool_out = (tmp_path / "refs_bibertool.bib").read_text(encoding="utf-8")
    assert tool_out.count("@") >= len(lib)
