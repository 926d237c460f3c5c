"""Regenerate formats/latex-chars.toml: which characters pdflatex typesets, and how.

Run on a machine with pdflatex (TeX Live) and pylatexenc installed:

    python tools/latex_chars.py > formats/latex-chars.toml

Every candidate character is typeset in the document pdflatex users have by default today
(article class, UTF-8 input, `\\usepackage[T1]{fontenc}`), once as the raw character and,
where that fails, once as the command pylatexenc's `latexencode` table gives for it. A
character counts as typeset when the run reports neither an error nor a missing glyph.
Candidates are every character the LaTeX kernel's .dfu files declare and every character in
pylatexenc's table. The measurement, not a hand-written list, decides.
"""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import unicodedata
from pathlib import Path

from pylatexenc.latexencode import get_builtin_conversion_rules

PREAMBLE = "\\documentclass{article}\n\\usepackage[T1]{fontenc}\n\\tracinglostchars=2\n"


def declared() -> set[int]:
    base = Path(subprocess.run(["kpsewhich", "utf8enc.dfu"], capture_output=True, text=True,
                               check=True).stdout.strip()).parent
    codes: set[int] = set()
    for dfu in base.glob("*.dfu"):
        for hex_code in re.findall(r"\\DeclareUnicodeCharacter\{([0-9A-F]+)\}",
                                   dfu.read_text(encoding="latin-1")):
            codes.add(int(hex_code, 16))
    return codes


def failures(snippets: dict[int, str]) -> set[int]:
    """The code points whose snippet does not typeset cleanly."""
    items = list(snippets.items())
    bad: set[int] = set()
    for start in range(0, len(items), 50):  # TeX gives up after 100 errors in one run
        bad |= _batch_failures(dict(items[start : start + 50]))
    return bad


def _batch_failures(snippets: dict[int, str]) -> set[int]:
    body = "".join(f"\\typeout{{@@{code}}}{text}\\par\n" for code, text in snippets.items())
    doc = PREAMBLE + "\\begin{document}\n" + body + "\\typeout{@@end}\\end{document}\n"
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "c.tex").write_text(doc, encoding="utf-8")
        subprocess.run(["pdflatex", "-interaction=batchmode", "c.tex"], cwd=tmp,
                       capture_output=True, timeout=600)
        log = Path(tmp, "c.log").read_text(encoding="utf-8", errors="replace")
    if "@@end" not in log:
        raise SystemExit(f"pdflatex stopped early on {list(snippets)}")
    bad: set[int] = set()
    current = None
    for line in log.splitlines():
        if line.startswith("@@"):
            current = None if line == "@@end" else int(line[2:])
        elif current is not None and (line.startswith("!") or "Missing character" in line):
            bad.add(current)
    return bad


def ranges(codes: set[int]) -> list[list[int]]:
    out: list[list[int]] = []
    for code in sorted(codes):
        if out and out[-1][1] == code - 1:
            out[-1][1] = code
        else:
            out.append([code, code])
    return out


def _toml_list(pairs: list[list[int]]) -> str:
    lines, current = [], ""
    for item in (f"[{a}, {b}]" for a, b in pairs):
        if len(current) + len(item) + 2 > 96:
            lines.append(current.rstrip())
            current = ""
        current += item + ", "
    lines.append(current.rstrip())
    return "[\n" + "\n".join("  " + line for line in lines) + "\n]"


def main() -> None:
    table = get_builtin_conversion_rules("defaults")[0].rule
    candidates = {c for c in declared() | set(table)
                  if c >= 0xA0 and unicodedata.category(chr(c)) not in ("Cc", "Cs", "Zl", "Zp")}
    raw_bad = failures({c: chr(c) for c in sorted(candidates)})
    raw = candidates - raw_bad
    encodable = {c for c in raw_bad if c in table}
    encoded = encodable - failures({c: "{" + table[c] + "}" for c in sorted(encodable)})
    out = sys.stdout
    out.write("# Characters pdflatex typesets in a default document (article, UTF-8 input, T1\n"
              "# fonts), measured with TeX Live by tools/latex_chars.py; regenerate, do not\n"
              "# edit. Inclusive [first, last] code point ranges.\n")
    out.write("schema = 1\n\n# raw: written as the character itself.\n")
    out.write(f"raw = {_toml_list(ranges(raw))}\n")
    out.write("# encoded: written as pylatexenc's latexencode command for it.\n")
    out.write(f"encoded = {_toml_list(ranges(encoded))}\n")


if __name__ == "__main__":
    main()
