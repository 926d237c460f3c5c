"""LaTeX <-> Unicode: the decoder's table, escaping, title protection, and their round trip."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bibkit.tex.decode import to_plain
from bibkit.tex.escape import escape_latex, protect_title
from bibkit.tex.text import ascii_fold, squash

# Text as people paste it: any printable character, the LaTeX specials over-represented.
SPECIALS = "{}\\%&$#_~^@\"'`-<>|!?"
text_strategy = st.text(
    alphabet=st.one_of(
        # U+FDD0-FDEF are the model's span marks (bibkit.tex.spans); readers remove them (BK305)
        st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"),
                      blacklist_characters="".join(map(chr, range(0xFDD0, 0xFDF0)))),
        st.sampled_from(SPECIALS),
    ),
    max_size=80,
).map(squash)


@pytest.mark.parametrize(("latex", "text"), [
    (r"{\"u}ber \'{e}t\'e", "über été"),
    (r"{\'\i}", "í"),
    (r"\v{s}\v{C}", "šČ"),
    (r"\ss{} and \o \AA", "ß and øÅ"),
    (r"\c{c}a \k{a} \H{o} \r{a} \u{g} \={a} \.{z} \~{n} \^{o} \`{a}", "ça ą ő å ğ ā ż ñ ô à"),
    (r"\v s", "š"),
    ("a--b---c ``q'' ~x", "a–b—c “q” \u00a0x"),
    (r"\& \% \$ \# \_ \{ \}", "& % $ # _ { }"),
    (r"\textbackslash{}x \textasciitilde{} \textasciicircum{}", "\\x ~ ^"),
    (r"\textbraceleft{}\textbraceright{} \textless{}\textgreater{}\textbar{}", "{} <>|"),
    (r"\emph{a} \textbf{b} \textit{c} \texttt{d} \textsc{e} {\em f}", "a b c d e f"),
    (r"$x^{2}$ and $\alpha \leq \beta$", "x^2 and α ≤ β"),
    (r"\url{http://a.b/c_d%20}", "http://a.b/c_d%20"),
    (r"\href{http://a.b}{text}", "text"),
    (r"\LaTeX\ is \aleph", "LaTeX is ℵ"),
    (r"\unknownmacro{kept}", "kept"),
    (r"\input{/etc/passwd}", "/etc/passwd"),  # never executed, never read
    ("plain text, nothing to do", "plain text, nothing to do"),
    ("trailing backslash \\", "trailing backslash "),
])
def test_to_plain(latex, text):
    assert to_plain(latex) == text


@pytest.mark.parametrize(("text", "latex"), [
    ("50% & $5 #1 a_b", r"50\% \& \$5 \#1 a\_b"),
    ("{x}", r"\textbraceleft{}x\textbraceright{}"),
    ("\\", r"\textbackslash{}"),
    ("~^", r"\textasciitilde{}\textasciicircum{}"),
    ("a--b ``q'' ?`", "a-{}-b `{}`q'{}' ?{}`"),
    ("<|>", r"\textless{}\textbar{}\textgreater{}"),
    ("plain", "plain"),
])
def test_escape_latex(text, latex):
    assert escape_latex(text) == latex


@pytest.mark.parametrize(("title", "protected"), [
    ("Graph Neural Networks", "Graph Neural Networks"),
    ("GNNs for MM-Snowball", "{GNNs} for {MM-Snowball}"),
    ("Out-of-Distribution Detection", "Out-of-Distribution Detection"),
    ("DeepInception and iPhone", "{DeepInception} and {iPhone}"),
    ("GPT-4o beats T5", "{GPT-4o} beats {T5}"),
    ("R&D at 50%", r"R\&D at 50\%"),
    ("ŁoDŹ Case", "{ŁoDŹ} Case"),
])
def test_protect_title(title, protected):
    assert protect_title(title) == protected


def test_ascii_fold():
    assert ascii_fold("Seán Øster Straße Łukasz") == "Sean Oster Strasse Lukasz"


@given(text_strategy)
def test_escaped_text_decodes_to_itself(text):
    assert to_plain(escape_latex(text)) == text


@given(text_strategy)
def test_protected_title_decodes_to_itself(text):
    assert to_plain(protect_title(text)) == text


@given(text_strategy)
def test_escaped_text_has_balanced_braces_and_no_bare_specials(text):
    out = escape_latex(text)
    depth = 0
    for ch in out:
        depth += {"{": 1, "}": -1}.get(ch, 0)
        assert depth >= 0
    assert depth == 0
    stripped = out.replace("\\\\", "")
    for special in "%&$#_":
        assert stripped.count(special) == stripped.count("\\" + special)


# --- fast paths: each must give exactly what the rule it shortcuts gives -------------------

_SPACES = st.sampled_from([" ", "  ", "\t", "\n", "\r\n", "\u00a0", "\u2003", "\x1c", "\u3000",
                           "\u200b", "a", "b", "é", "--", "{", "}", "\\", "$", "~", "`", "'",
                           "''", "``", "!`", "?`", "!", "?", "-"])
_PIECES = st.lists(_SPACES, max_size=30).map("".join)


@given(_PIECES | st.text())
def test_squash_is_the_breaking_space_rule(text):
    import re

    reference = re.sub(r"[^\S\u00a0]+", " ", text).strip(" ")
    assert squash(text) == reference


@given(_PIECES | st.text())
def test_needs_decoding_is_the_special_sequence_rule(text):
    from bibkit.tex.decode import _BIB_SPECIAL, needs_decoding

    assert needs_decoding(text) == (_BIB_SPECIAL.search(text) is not None)


def test_pylatexenc_marks_for_what_it_cannot_resolve_are_no_text():
    from bibkit.tex import render
    from bibkit.tex.spans import tex_span

    for command in ("\\cite{knuth}", "\\citep{knuth}", "\\ref{knuth}", "\\eqref{knuth}"):
        assert "<" not in to_plain(command)
        assert render.csl("See " + tex_span(command)).startswith("See ")
        assert "<" not in render.plain("See " + tex_span(command))
