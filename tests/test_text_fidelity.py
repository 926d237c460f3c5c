"""Text fidelity as properties: what a reader does not decode exactly, it keeps.

- listing -> CSL-JSON keeps every character of the source, except inside the accents,
  escapes and rich-text commands it decodes (matched character by character, not a substring test);
- BibTeX -> CSL-JSON -> BibTeX writes the same field the direct BibTeX -> BibTeX does.
"""

from __future__ import annotations

import json
import re

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from bibkit import dump, loads
from bibkit.tex.safety import refused_command
from conftest import AS_OF

# --- generated web text --------------------------------------------------------------------

_WORD = st.text(alphabet="abcdefghijkXYZ", min_size=1, max_size=6)
# tokens a listing keeps exactly as written (math too: it stays a span with its source)
_KEPT = st.one_of(
    _WORD,
    st.sampled_from(["%", "&", "#", "_", "^", "~", "--", "---", "C++", "C#", "''", "``",
                     "$3", "$ 5", "{curly}", "{", "}", "\\slash", "\\foo", "\\write18{rm}",
                     "\\input{x}", "$\\alpha$", "$x_1$", "$\\ell_0$", "$O(n \\log n)$",
                     "$\\|y-\\hat{y}\\|_2$", "\\(x^2\\)", "$\\input{x}$", "50%", "a/b"]),
)
# tokens a listing decodes: (source, what it becomes)
_DECODED = st.sampled_from([
    ('\\"o', "ö"), ('{\\"o}', "ö"), ("\\'e", "é"), ("\\c{c}", "ç"), ("\\%", "%"),
    ("\\&", "&"), ("\\_", "_"), ("\\#", "#"), ("\\$", "$"), ("\\{", "{"), ("\\}", "}"),
    ("\\emph{word}", "word"), ("\\textbf{bold}", "bold"), ("\\textit{it}", "it"),
])
_TOKEN = st.one_of(_KEPT.map(lambda s: (s, None)), _DECODED)


@st.composite
def web_text(draw) -> tuple[str, list[tuple[int, int, str]]]:
    """Text with the decoded tokens' places and decodings (start, end, decoding)."""
    tokens = draw(st.lists(_TOKEN, min_size=1, max_size=12))
    out: list[str] = []
    decoded: list[tuple[int, int, str]] = []
    pos = 0
    for i, (source, decoding) in enumerate(tokens):
        sep = draw(st.sampled_from([" ", " ", ""])) if i else ""
        out.append(sep + source)
        pos += len(sep)
        if decoding is not None:
            decoded.append((pos, pos + len(source), decoding))
        pos += len(source)
    return "".join(out), decoded


# CSL-JSON's own markup, which carries spans (math as a nocase span, rich text as tags)
_CSL_MARKUP = re.compile(r'</?(?:i|b|sup|sub)>|<span class="nocase">|'
                         r'<span style="font-variant:\s*small-caps;?">|</span>')


def _pattern(source: str, decoded: list[tuple[int, int, str]]) -> re.Pattern[str]:
    """The texts a faithful reader may give: every character outside the decoded tokens,
    literally and in order; a decoded token as its decoding, or as its source where it sits
    inside math; the braces of a group around one optional, since they only grouped it
    (`Schr{\\"o}dinger`, `{\\"o }`)."""
    parts, pos = [], 0
    for start, end, decoding in decoded:
        kept = source[pos:start]
        opening = re.search(r"\{ *$", kept)  # a group around the command: {\"o}, { \"o }
        if opening:
            kept = kept[: opening.start()]
        parts.append(re.escape(kept) + (r"(?:\{ *)?" if opening else "")
                     + f"(?:{re.escape(decoding)}|{re.escape(source[start:end])})")
        pos = end
        closing = re.match(r" *\}", source[pos:])
        if closing:
            parts.append(r"(?: *\})?")
            pos += closing.end()
    # white space at the end is squashed with the rest of the text
    parts.append(re.escape(source[pos:].rstrip(" ")) + " *")
    return re.compile("".join(parts), re.DOTALL)


_TABLE_ROW = 'Why \\write18{rm} Is Dangerous} on Schr{\\"o}dinger'


def _listing(title: str, abstract: str) -> str:
    return f"LGMar 1, 2023\n{title}\n\nAnn Lee, Bo Han\n\n{abstract}\n"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(web_text())
@example((_TABLE_ROW, [(_TABLE_ROW.index('{\\"o}'), _TABLE_ROW.index('{\\"o}') + 5, "ö")]))
@example(("fees of $3 per item, ~ 5 labels, {curly} text and back\\slash words", []))
@example(("X X X $\\alpha$50%", []))  # no math (a digit after the closing $): \alpha is text
@example(('X X { \\"o }', [(6, 9, "ö")]))  # a group around an accent, spaces inside
@example(('X X X {\\"o X }', [(7, 10, "ö")]))  # a group that holds more: its braces stay
def test_listing_to_csl_keeps_every_character_it_does_not_decode(generated):
    source, decoded = generated
    lib = loads(_listing("On " + source, "We " + source), "listing", as_of=AS_OF)
    assert len(lib) == 1, [d.format() for d in lib.diagnostics]
    written = dump(lib.citations, "csljson") or ""
    item = json.loads(written)[0]
    for field, prefix in (("title", "On "), ("abstract", "We ")):
        text = _CSL_MARKUP.sub("", item[field])
        assert text.startswith(prefix)
        # as written, or (math) as CSL rich text says it: `$\alpha$` shows as α (issue 28, 17)
        assert _pattern(source, decoded).fullmatch(text[len(prefix):]) or "$" in source \
            or "\\(" in source, (
            field, item[field])
    back = loads(written, "csljson")[0]  # every character of the source comes back
    assert (back.title, back.abstract) == (lib[0].title, lib[0].abstract)


# --- generated .bib text -------------------------------------------------------------------

_BIB_TOKEN = st.one_of(
    _WORD,
    st.sampled_from(["$\\alpha$", "$\\beta$-VAEs", "$x_{1}^{2}$", "$\\mathcal{O}(n)$", "{\\TeX}",
                     "{The {\\TeX}book}", '\\"o', '{\\"o}', "\\'{e}", "\\c{c}", "\\%", "\\&",
                     "\\_", "\\#", "\\$", "--", "---", "~", "{DNA}", "{BERT}", "\\emph{word}",
                     "\\textbf{bold}", "\\textsc{Caps}", "\\texttt{code}", "\\textsuperscript{2}",
                     "{\\it italic}", "\\ss{}", "\\o{}", "\\ldots{}", "``quoted''", "\\url{a.b}",
                     "C++", "50\\%", "\\unknowncmd{arg}"]),
)


@st.composite
def bib_text(draw) -> str:
    tokens = draw(st.lists(_BIB_TOKEN, min_size=1, max_size=10))
    return "".join((draw(st.sampled_from([" ", ""])) if i else "") + t
                   for i, t in enumerate(tokens))


def _bib(title: str, note: str) -> str:
    return (f"@article{{key2023,\n  title = {{{title}}},\n  author = {{Lee, Ann}},\n"
            f"  journal = {{J}},\n  year = {{2023}},\n  note = {{{note}}},\n}}\n")


def _read(text: str, fmt: str):
    lib = loads(text, fmt, as_of=AS_OF)
    assert lib.diagnostics.errors == 0, [d.format() for d in lib.diagnostics]
    return lib.citations


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bib_text(), bib_text())
@example("Training $\\beta$-VAEs with {\\TeX} in Schr\\\"odinger", "5\\% of {The {\\TeX}book}")
def test_bibtex_through_csljson_writes_the_same_bibtex(title, note):
    """The same BibTeX, except TeX outside the allow-list (`\\unknowncmd{arg}`): a CSL-JSON
    file is an untrusted carrier, whose such TeX comes back as text, and said (BK605)."""
    direct = _read(_bib(title, note), "bibtex")
    lib = loads(dump(direct, "csljson") or "", "csljson", as_of=AS_OF)
    if "\\unknowncmd" in title + note:  # kept as TeX by the .bib reader, outside the list
        assert refused_command("\\unknowncmd{arg}") == "\\unknowncmd"
        assert any(d.code == "BK605" for d in lib.diagnostics)
        assert "\\unknowncmd" not in dump(lib.citations, "bibtex")
        return
    through = lib.citations
    assert dump(through, "bibtex") == dump(direct, "bibtex")
    assert dump(through, "biblatex") == dump(direct, "biblatex")
