"""Inline TeX math as CSL rich text, where TeX has an exact rendering in it: `$\\ell_2$` is
`ℓ<sub>2</sub>`, `$O(n \\log n)$` is `<i>O</i>(<i>n</i> log <i>n</i>)`, `$\\mathbb{R}^d$` is
`ℝ<sup><i>d</i></sup>`. CSL processors (citeproc-js, pandoc, Zotero) print CSL's rich-text
tags and not TeX, so `$\\ell_2$` showed as its source. Math with anything that has no such
rendering (a fraction, a matrix, an accent over more than one letter, an unknown command)
is None: the caller keeps the source.
The exact TeX travels in `custom.bibkit`, so reading CSL-JSON back gives it again."""

from __future__ import annotations

import html
import re
import unicodedata
from functools import lru_cache

from .tables import SYMBOLS, pylatexenc_symbol

_TOKEN = re.compile(r"\\([A-Za-z]+)|\\(.)|([A-Za-z]+)|(\s+)|(.)", re.DOTALL)
# operator names TeX sets upright, with the space a reader expects after them
_OPERATORS = frozenset(["log", "ln", "exp", "sin", "cos", "tan", "max", "min", "sup", "inf",
                        "lim", "det", "dim", "arg", "deg", "gcd", "Pr", "ker", "mod"])
_FONTS = {"mathbb": "DOUBLE-STRUCK", "mathcal": "SCRIPT", "mathfrak": "FRAKTUR"}
# letters Unicode gave a place of their own before the mathematical alphabets
_LETTERLIKE = {("DOUBLE-STRUCK", "C"): "ℂ", ("DOUBLE-STRUCK", "H"): "ℍ",
               ("DOUBLE-STRUCK", "N"): "ℕ", ("DOUBLE-STRUCK", "P"): "ℙ",
               ("DOUBLE-STRUCK", "Q"): "ℚ", ("DOUBLE-STRUCK", "R"): "ℝ",
               ("DOUBLE-STRUCK", "Z"): "ℤ", ("SCRIPT", "B"): "ℬ", ("SCRIPT", "E"): "ℰ",
               ("SCRIPT", "F"): "ℱ", ("SCRIPT", "H"): "ℋ", ("SCRIPT", "I"): "ℐ",
               ("SCRIPT", "L"): "ℒ", ("SCRIPT", "M"): "ℳ", ("SCRIPT", "R"): "ℛ",
               ("FRAKTUR", "C"): "ℭ", ("FRAKTUR", "H"): "ℌ", ("FRAKTUR", "I"): "ℑ",
               ("FRAKTUR", "R"): "ℜ", ("FRAKTUR", "Z"): "ℨ"}
_UPRIGHT = frozenset(["mathrm", "text", "textrm", "operatorname", "mathit", "mathbf"])
# control symbols in math and what they print (spacing, escaped specials, the norm bars)
_CONTROL_SYMBOLS = {",": " ", ";": " ", ":": " ", "!": "", " ": " ", "{": "{", "}": "}",
                    "|": "‖", "%": "%", "&": "&amp;", "#": "#", "_": "_", "$": "$"}
_IGNORED = frozenset(["left", "right", "big", "Big", "bigl", "bigr", "displaystyle", "limits"])
# math accents over one letter: the letter and Unicode's combining mark are the same glyph
# (\hat{x} is x̂); over more than one (\widehat{xy}, \hat{xy}) there is no such rendering
_ACCENTS = {"hat": "\u0302", "tilde": "\u0303", "bar": "\u0304", "vec": "\u20d7",
            "dot": "\u0307", "ddot": "\u0308", "check": "\u030c", "breve": "\u0306",
            "acute": "\u0301", "grave": "\u0300", "mathring": "\u030a"}
_ONE_LETTER = re.compile(r"(<i>)?([^\W\d_])(</i>)?")


class _NoRendering(Exception):
    """The math holds something CSL rich text cannot say exactly."""


@lru_cache(maxsize=4096)  # the CSL writer renders a span, and says which it kept as source
def math_to_csl(source: str) -> str | None:
    """CSL rich text for inline math (`$…$` or `\\(…\\)`), or None.

    >>> math_to_csl(r"$\\ell_2$"), math_to_csl(r"$O(n \\log n)$")
    ('ℓ<sub>2</sub>', '<i>O</i>(<i>n</i> log <i>n</i>)')
    >>> math_to_csl(r"$\\mathbb{R}^d$"), math_to_csl(r"$\\frac{1}{2}$")
    ('ℝ<sup><i>d</i></sup>', None)
    >>> math_to_csl(r"$\\tilde{O}(\\sqrt{T})$"), math_to_csl(r"$\\hat{xy}$")
    ('<i>Õ</i>(√<i>T</i>)', None)
    """
    if source.startswith("$$") or not source.endswith(("$", "\\)")):
        return None
    body = source[1:-1] if source.startswith("$") else source[2:-2]
    tokens = [m for m in _TOKEN.finditer(body)]
    try:
        out, end = _run(tokens, 0, len(tokens))
    except _NoRendering:
        return None
    return " ".join(out.split()) if end == len(tokens) and out.strip() else None


def _run(tokens: list[re.Match[str]], i: int, end: int) -> tuple[str, int]:
    out: list[str] = []
    while i < end:
        m = tokens[i]
        word, symbol, letters, space, other = m.groups()
        i += 1
        if space:
            out.append(" ")
        elif letters:
            out.append(f"<i>{letters}</i>")
        elif other in ("_", "^"):
            atom, i = _atom(tokens, i, end)
            tag = "sub" if other == "_" else "sup"
            out.append(f"<{tag}>{atom}</{tag}>")
        elif other == "{":
            inner, i = _group(tokens, i, end)
            out.append(inner)
        elif other in ("}", "$"):  # a brace never opened; a dollar inside the math
            raise _NoRendering
        elif other is not None:
            out.append(html.escape(other, quote=False))
        elif symbol is not None:
            if symbol not in _CONTROL_SYMBOLS:
                raise _NoRendering
            out.append(_CONTROL_SYMBOLS[symbol])
        else:
            text, i = _command(word, tokens, i, end)
            out.append(text)
    return "".join(out), i


def _command(word: str, tokens: list[re.Match[str]], i: int, end: int) -> tuple[str, int]:
    if word in _IGNORED:
        return "", i
    if word in _OPERATORS:
        return f" {word} ", i
    if word in _FONTS:
        inner, i = _atom(tokens, i, end, raw=True)
        if not inner.isalpha() or not inner.isascii():
            raise _NoRendering
        return "".join(_styled(_FONTS[word], ch) for ch in inner), i
    if word in _UPRIGHT:
        inner, i = _atom(tokens, i, end)
        return re.sub(r"</?i>", "", inner), i
    if word in _ACCENTS:
        inner, i = _atom(tokens, i, end)
        m = _ONE_LETTER.fullmatch(inner)
        if m is None or bool(m.group(1)) != bool(m.group(3)):
            raise _NoRendering
        accented = unicodedata.normalize("NFC", m.group(2) + _ACCENTS[word])
        return f"<i>{accented}</i>" if m.group(1) else accented, i
    if word == "sqrt":
        inner, i = _atom(tokens, i, end)
        return f"√{inner}" if len(re.sub(r"<[^>]+>", "", inner)) == 1 else f"√({inner})", i
    char = SYMBOLS.get(word) or pylatexenc_symbol(word)
    if len(char) != 1 or unicodedata.category(char)[0] not in "LSNP":
        raise _NoRendering
    return html.escape(char, quote=False), i


def _styled(style: str, letter: str) -> str:
    if (style, letter) in _LETTERLIKE:
        return _LETTERLIKE[(style, letter)]
    case = "CAPITAL" if letter.isupper() else "SMALL"
    try:
        return unicodedata.lookup(f"MATHEMATICAL {style} {case} {letter.upper()}")
    except KeyError:
        raise _NoRendering from None


def _atom(tokens: list[re.Match[str]], i: int, end: int, raw: bool = False
          ) -> tuple[str, int]:
    """The one thing a `_`, `^` or command takes: a group, or the next token (a letter of a
    run of letters alone)."""
    while i < end and tokens[i].group(4):
        i += 1
    if i >= end:
        raise _NoRendering
    m = tokens[i]
    if m.group(5) == "{":
        if raw:
            close = _closing(tokens, i + 1, end)
            return "".join(t.group() for t in tokens[i + 1:close]).strip(), close + 1
        return _group(tokens, i + 1, end)
    if m.group(3):  # x_ab is x_a b in TeX
        letters = m.group(3)
        if len(letters) > 1:
            raise _NoRendering  # x_ab: rare; kept as source rather than half rendered
        return (letters if raw else f"<i>{letters}</i>"), i + 1
    return _run(tokens, i, i + 1)


def _group(tokens: list[re.Match[str]], i: int, end: int) -> tuple[str, int]:
    close = _closing(tokens, i, end)
    inner, _ = _run(tokens, i, close)
    return inner, close + 1


def _closing(tokens: list[re.Match[str]], i: int, end: int) -> int:
    depth = 1
    for j in range(i, end):
        other = tokens[j].group(5)
        if other == "{":
            depth += 1
        elif other == "}":
            depth -= 1
            if depth == 0:
                return j
    raise _NoRendering
