"""Unicode text as TeX that prints as itself: escaping for a BibTeX field or a LaTeX
document, title protection (the braces that keep a style from lower-casing an acronym), and
URLs that cannot break out of a field."""

from __future__ import annotations

import re
from collections.abc import Callable

from .text import CONTROL_CHARS

# Every character special to BibTeX or LaTeX, so text prints as itself. Braces become
# \textbraceleft/right rather than \{ \}: BibTeX counts a backslashed brace as a brace, so an
# unbalanced \{ would end the field early. < > | are named because LaTeX's default OT1
# encoding prints them as ¡ ¿ and an em dash.
_ESCAPES = str.maketrans(
    {
        "\\": r"\textbackslash{}",
        "{": r"\textbraceleft{}",
        "}": r"\textbraceright{}",
        "&": r"\&",
        "%": r"\%",
        "$": r"\$",
        "#": r"\#",
        "_": r"\_",
        "~": r"\textasciitilde{}",
        "^": r"\textasciicircum{}",
        "<": r"\textless{}",
        ">": r"\textgreater{}",
        "|": r"\textbar{}",
        "\u00a0": "~",  # a no-break space is LaTeX's tie
    }
)
_ESCAPED = re.compile("[" + re.escape("".join(map(chr, _ESCAPES))) + "]")
_escaped = _ESCAPES.__getitem__
# LaTeX ligatures (`--` prints an en dash, ``` `` ``` a quote): an empty group between the
# two characters keeps them apart.
_LIGATURE_RE = re.compile(r"[-`'!?](?=[-`'])")


# Characters that are not valid unencoded in a URI (RFC 3986) and that TeX would read as
# markup: `\\`, braces and `^` (`^^5c` is TeX's notation for a backslash), and white space.
# Percent-encoding them keeps the URL the same address; line breaks and other controls are
# not part of any URL and go.
_URL_UNSAFE: dict[int, str | None] = {
    c: None for c in range(0xA0) if re.fullmatch(f"[{CONTROL_CHARS}\n\r]", chr(c))}
_URL_UNSAFE.update({ord(k): v for k, v in {"\\": "%5C", "{": "%7B", "}": "%7D", "^": "%5E",
                                          " ": "%20", "\t": "%09"}.items()})


_AFTER_AUTHORITY = re.compile(r"(?:[A-Za-z][A-Za-z0-9+.\-]*://[^/?#]*)?")


def brackets_encoded(url: str) -> str:
    """`url` with square brackets after its host percent-encoded (`?f[year]=2020` becomes
    `?f%5Byear%5D=2020`): the same address to every server, and a URI by RFC 3986, which
    allows brackets only around an IP literal.

    >>> brackets_encoded("https://[::1]/x?f[year]=2020")
    'https://[::1]/x?f%5Byear%5D=2020'
    """
    if "[" not in url and "]" not in url:
        return url
    start = _AFTER_AUTHORITY.match(url).end()  # type: ignore[union-attr]  # matches ""
    return url[:start] + url[start:].replace("[", "%5B").replace("]", "%5D")


def safe_url(url: str) -> str:
    """A URL for a BibTeX field, TeX or an XML anyURI: it cannot unbalance braces, end a
    field, or hold a TeX command; its brackets after the host are encoded.

    >>> safe_url("https://x.org/^^5cinput{a b}")
    'https://x.org/%5E%5E5cinput%7Ba%20b%7D'
    """
    return brackets_encoded(url.translate(_URL_UNSAFE))


def url_argument(url: str) -> str:
    r"""A URL as the argument of a LaTeX command (`\url`, `\href` inside another macro),
    where `%` and `#` are read before the command sees them and need a backslash."""
    return safe_url(url).replace("%", r"\%").replace("#", r"\#")


def escape_latex(text: str) -> str:
    r"""Escape text for a BibTeX field or a LaTeX document so it prints as itself.

    >>> escape_latex("50% of {R&D} -- \\o/")
    '50\\% of \\textbraceleft{}R\\&D\\textbraceright{} -{}- \\textbackslash{}o/'
    """
    # One-character `in` tests (memchr) decide first: on a long abstract, thirteen of them
    # cost a tenth of one regex scan or of str.translate, and most fields need neither.
    if (
        "\\" in text
        or "{" in text
        or "}" in text
        or "&" in text
        or "%" in text
        or "$" in text
        or "#" in text
        or "_" in text
        or "~" in text
        or "^" in text
        or "\u00a0" in text
        or "<" in text
        or ">" in text
        or "|" in text
    ):
        # one pass, as str.translate would make, but translate looks up every character of
        # a non-ASCII text in the table: on an abstract the regex is nine times faster
        text = _ESCAPED.sub(lambda m: _escaped(ord(m.group())), text)
    if ("-" in text and "--" in text) or "`" in text or ("'" in text and "''" in text):
        text = _LIGATURE_RE.sub(r"\g<0>{}", text)
    return text


# A title word (letters/digits, hyphen compounds kept together), and the sign that a word
# must keep its case: a letter or digit followed by a capital (GNNs, iPhone, MM-Snowball,
# DeepInception) or a capital followed by a digit (T5), which Title Case words
# (Out-of-Distribution) never have.
_WORD_RE = re.compile(r"[^\W_]+(?:[-‐][^\W_]+)*")
_INNER_CAPITAL_RE = re.compile(
    r"[^\W_][A-Z\u00c0-\u00d6\u00d8-\u00de]|[A-Z\u00c0-\u00d6\u00d8-\u00de]\d"
)


def _needs_protection(word: str) -> bool:
    if _INNER_CAPITAL_RE.search(word):
        return True
    if word.isascii():
        return False
    # other scripts' capitals (Ł, Σ, Ж): the exact, slower test
    return any(c.isupper() for part in re.split(r"[-‐]", word) for c in part[1:])


def protect_title(
    text: str, escape: Callable[[str], str] = escape_latex, nocase: tuple[str, ...] = ()
) -> str:
    """Escape a title and brace the words a style must not lower-case: acronyms and mixed
    case, and every span the source marked as case-protected (`nocase`).

    >>> protect_title("MM-Snowball: Out-of-Distribution GNNs")
    '{MM-Snowball}: Out-of-Distribution {GNNs}'
    >>> protect_title("A Bayesian View", nocase=("Bayesian",))
    'A {Bayesian} View'
    """
    if nocase:
        spans = re.compile("|".join(re.escape(s) for s in sorted(nocase, key=len, reverse=True)))
        out: list[str] = []
        pos = 0
        for m in spans.finditer(text):
            out.append(protect_title(text[pos : m.start()], escape))
            out.append("{" + escape(m.group()) + "}")
            pos = m.end()
        out.append(protect_title(text[pos:], escape))
        return "".join(out)
    if text.isascii() and not _INNER_CAPITAL_RE.search(text):
        return escape(text)
    out = []
    pos = 0
    for m in _WORD_RE.finditer(text):
        word = m.group()
        if _needs_protection(word):
            out.append(escape(text[pos : m.start()]))
            out.append("{" + escape(word) + "}")
            pos = m.end()
    out.append(escape(text[pos:]))
    return "".join(out)
