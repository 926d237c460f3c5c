"""Model text (with its TeX and rich-text spans, bibkit.tex.spans) rendered for each output.

- `latex`: LaTeX outputs. Text goes through the caller's escape; TeX spans are written
  verbatim (a .bib's own TeX, or math a reader checked was safe); rich spans as `\\cmd{..}`.
- `latex_title`: the same for a BibTeX title, where styles change case: every span is
  protected so that `$\\Delta$` is not lowered to `$\\delta$` nor `\\TeX` to `\\tex`.
- `csl`: CSL-JSON's rich text: math as its TeX source (as arXiv and Zotero keep it), rich
  spans as `<i>`, `<b>`, `<sup>`, `<sub>`, small caps; other TeX as the text it prints.
- `plain`: formats without markup (RIS, MODS, messages): math as its source, the rest as
  the text it prints.
- `display`: what a reader sees in a CV: math in Unicode where that is exact (`ℓ₀`, `α`),
  else its TeX source.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping

from .decode import to_plain
from .mathcsl import math_to_csl
from .safety import safe_tex
from .spans import RICH_COMMANDS, Node, Rich, Tex, has_spans, parse, unparse
from .tables import pylatexenc_symbol


def _fold(nodes: list[Node] | tuple[Node, ...], text: Callable[[str], str],
          tex: Callable[[Tex], str], rich: Callable[[Rich, str], str]) -> str:
    out = []
    for node in nodes:
        if isinstance(node, str):
            out.append(text(node))
        elif isinstance(node, Tex):
            out.append(tex(node))
        else:
            out.append(rich(node, _fold(node.children, text, tex, rich)))
    return "".join(out)


def _tex_text(node: Tex) -> str:
    """What a TeX span prints, as text: math keeps its source."""
    return node.source if node.is_math else to_plain(node.source)


def plain(text: str) -> str:
    """>>> from bibkit.tex.spans import tex_span, rich_span
    >>> plain("On " + tex_span("$\\\\ell_0$") + " and " + tex_span("{\\\\TeX}")
    ...       + rich_span("emph", "x"))
    'On $\\\\ell_0$ and TeXx'
    """
    if not has_spans(text):
        return text
    return _fold(parse(text), str, _tex_text, lambda node, inner: inner)


def csl(text: str, protect: bool = True) -> str:
    """CSL rich text: math as CSL's tags where they say it exactly (`ℓ<sub>2</sub>`,
    bibkit.tex.mathcsl), else as its source; in a value a style may change the case of
    (`protect`: not an abstract, which is never case-changed, and where Zotero shows the
    span), marked case-protected."""
    if not has_spans(text):
        return text

    def rich(node: Rich, inner: str) -> str:
        open_, close = RICH_COMMANDS.get(node.command, ("", ""))
        return open_ + inner + close

    def tex(node: Tex) -> str:
        if not node.is_math:
            return _tex_text(node)
        # a style's title case would turn $\ell_1$ into $\Ell_1$ (pandoc's citeproc does)
        # and <i>n</i> into N: math is marked as case-protected, CSL's nocase span
        shown = math_to_csl(node.source) or node.source
        return f'<span class="nocase">{shown}</span>' if protect else shown

    return _fold(parse(text), str, tex, rich)


def latex(text: str, escape: Callable[[str], str], rename: Mapping[str, str] | None = None
          ) -> str:
    """TeX for text with spans; `rename` writes a rich span's command under another name."""
    if not has_spans(text):
        return escape(text)
    names = rename or {}
    return _fold(parse(text), escape, lambda node: node.source,
                 lambda node, inner: f"\\{names.get(node.command, node.command)}{{{inner}}}")


_COMMAND_NAMES = re.compile(r"\\[A-Za-z]+")


def _needs_double_braces(source: str) -> bool:
    """Whether a span has letters outside command names that a style could re-case: in a
    brace group led by a command BibTeX changes the case of those letters, so the span needs
    a second pair of braces."""
    return any(c.isalpha() for c in _COMMAND_NAMES.sub("", source))


def latex_title(text: str, protect: Callable[[str], str], escape: Callable[[str], str],
                rename: Mapping[str, str] | None = None) -> str:
    """A title: text through `protect` (escape and brace acronyms), every span protected."""
    if not has_spans(text):
        return protect(text)
    out = []
    for node in parse(text):
        if isinstance(node, str):
            out.append(protect(node))
            continue
        body = node.source if isinstance(node, Tex) else latex(unparse((node,)), escape, rename)
        if isinstance(node, Tex) and body.startswith("\\(") and body.endswith("\\)"):
            body = "$" + body[2:-2] + "$"  # the same math; a group led by `\(` would be re-cased
        if isinstance(node, Tex) and node.is_math and not body.startswith("\\"):
            out.append("{" + body + "}")  # {$\Delta$}: a group led by `$` is kept as it is
        elif body.startswith("{") and body.endswith("}") and not _needs_double_braces(body):
            out.append(body)  # {\TeX}: command names keep their case
        else:
            out.append("{{" + body + "}}" if _needs_double_braces(body) else "{" + body + "}")
    return "".join(out)


# --- math in Unicode, where exact -----------------------------------------------------------------

_SUPERSCRIPT = str.maketrans("0123456789+-=()ni", "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻⁼⁽⁾ⁿⁱ")
_SUBSCRIPT = str.maketrans("0123456789+-=()aeoxhklmnpst", "₀₁₂₃₄₅₆₇₈₉₊₋₌₍₎ₐₑₒₓₕₖₗₘₙₚₛₜ")
_SUP_CHARS = set("0123456789+-=()ni")
_SUB_CHARS = set("0123456789+-=()aeoxhklmnpst")
_MATH_TOKEN = re.compile(
    r"\\([A-Za-z]+)\s*|\\(.)|([_^])(?:\{([^{}]*)\}|(\\[A-Za-z]+|.))|([{}])|(.)", re.DOTALL)
_FUNCTIONS = frozenset([
    "log", "ln", "exp", "sin", "cos", "tan", "lim", "max", "min", "sup", "inf", "arg", "det",
    "dim", "ker", "deg", "gcd", "Pr"
])


def math_unicode(source: str) -> str | None:
    """Inline math in Unicode when every piece has an exact Unicode form, else None.

    >>> math_unicode(r"$\\ell_0$"), math_unicode(r"$O(n \\log n)$"), math_unicode(r"$\\hat{y}$")
    ('ℓ₀', 'O(n log n)', None)
    """
    for open_, close in (("$$", "$$"), ("$", "$"), ("\\(", "\\)"), ("\\[", "\\]")):
        if source.startswith(open_) and source.endswith(close) and len(source) > 2 * len(open_) - 1:
            body = source[len(open_) : len(source) - len(close)]
            break
    else:
        return None
    out = []
    for m in _MATH_TOKEN.finditer(body):
        word, sym, script, arg, arg1, brace, char = m.groups()
        if word is not None:
            if word in _FUNCTIONS:
                out.append(word + (" " if m.group().endswith(" ") else ""))
                continue
            text = _symbol(word)
            if text is None:
                return None
            out.append(text)
        elif sym is not None:
            if sym in "{}|":
                out.append({"|": "‖"}.get(sym, sym))
            elif sym in ",;: ":
                out.append(" ")
            else:
                return None
        elif script is not None:
            target = arg if arg is not None else arg1
            if target.startswith("\\"):
                return None
            chars = _SUP_CHARS if script == "^" else _SUB_CHARS
            if not target or not set(target) <= chars:
                return None
            out.append(target.translate(_SUPERSCRIPT if script == "^" else _SUBSCRIPT))
        elif brace is not None:
            continue  # grouping only
        else:
            out.append(char)
    return re.sub(r"\s+", " ", "".join(out)).strip()


def _symbol(word: str) -> str | None:
    text = pylatexenc_symbol(word)
    return text if len(text) == 1 else None


def display(text: str, escape: Callable[[str], str], math_as: str = "unicode",
            rich: Callable[[str, str], str] | None = None) -> str:
    """Text for a CV: `escape` applied to every piece of text; math in Unicode where exact
    (else its TeX source, escaped) or, with math_as="latex", verbatim; rich spans through
    `rich(command, inner)` (default: the inner text)."""
    if not has_spans(text):
        return escape(text)

    def tex(node: Tex) -> str:
        if node.is_math:
            if math_as == "latex":
                return node.source if safe_tex(node.source) else escape(node.source)
            uni = math_unicode(node.source)
            return escape(uni if uni is not None else node.source)
        if math_as != "latex":
            return escape(to_plain(node.source))
        # a .bib's own TeX goes into its .bib as it was; into a LaTeX document (the CV) only
        # what the allow-list passes: \pdfobj or \input from any file is text there
        return node.source if safe_tex(node.source) else escape(node.source)

    def rich_span(node: Rich, inner: str) -> str:
        return rich(node.command, inner) if rich else inner

    return _fold(parse(text), escape, tex, rich_span)
