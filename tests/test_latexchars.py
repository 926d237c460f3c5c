"""What the LaTeX outputs do with characters pdflatex cannot typeset (bibkit.tex.chars)."""

from __future__ import annotations

from bibkit import dump
from bibkit.model.citation import Citation
from bibkit.model.diagnostics import Diagnostics


def test_default_writes_commands_keeps_cjk_and_leaves_out_invisible_controls():
    diags = Diagnostics()
    text = dump([Citation(key="k", title="α → é 中文 a\u202eb\ufff9")], "bibtex",
                diagnostics=diags) or ""
    assert r"{\ensuremath{\alpha}} → é 中文 ab}" in text
    codes = {d.code: d.message for d in diags}
    assert "CJKutf8" in codes["BK405"] and "中文" in codes["BK405"]
    assert "U+202E" in codes["BK406"] and "U+FFF9" in codes["BK406"]


def test_utf8_keeps_every_character_and_ascii_encodes_them():
    title = "α é a\u202eb"
    written = dump([Citation(key="k", title=title)], "bibtex", charset="utf8") or ""
    assert f"{{{title}}}" in written
    ascii_text = dump([Citation(key="k", title="α é")], "bibtex", charset="ascii") or ""
    assert r"{\ensuremath{\alpha}} {\'e}" in ascii_text and ascii_text.isascii()
