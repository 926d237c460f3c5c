"""TeX source to model text: what is decoded, what stays TeX, what stays as written.

One scanner, four policies (the tables it reads are bibkit.tex.tables; what untrusted TeX
must pass is bibkit.tex.safety):

- **bibtex** (a .bib field is TeX): math (`$..$`, `$$..$$`, `\\(..\\)`, `\\[..\\]`) stays TeX;
  accents, escaped specials, special letters and every command whose meaning is one character
  (`\\textregistered`, `\\ldots`) decode to Unicode; `\\emph{}`, `\\textit{}`, `\\textbf{}`,
  `\\textsc{}`, `\\textsuperscript{}`, `\\textsubscript{}` become rich spans; ties, dashes and
  quote ligatures decode; any other command (a logo, `\\texttt{}`, an unknown one) is kept as
  TeX, with its braced arguments, and a group that starts with one is kept whole (`{\\TeX}`,
  `{\\bf X}`). A group that only holds text or decodable commands loses its braces.
- **web** (listing cards, service answers: text with inline TeX math): a `$..$` pair on one
  line (pandoc's rule: no space inside either dollar, no digit after the closing one) and
  `\\(..\\)` are math when their commands are known math commands; accents, escaped specials,
  special letters, `\\url{}` and the rich-text commands decode; everything else (unknown
  commands, a lone `$`, `~`, `^`, braces, `--`) is text, kept exactly as written.
- **math only** (CSL-JSON and RIS values, which are not TeX): inline math is marked, every
  other character is text.
- **plain** (names, comparison, plain output): every command becomes what it prints, math
  its symbols, braces go.

An accent over an accented letter decodes whole (`\\~{\\^e}` is ễ, `\\^{\\d{o}}` is ộ).

Everything that is not an exact decoding is reported (`report(offset, message)`): an
unpaired `$` or an unmatched brace in a .bib field, a math span that could not be kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

from .safety import MAX_DEPTH, brace_pairs, safe_math
from .spans import RICH, RICH_COMMANDS, RICH_END, TEX, has_spans, rich_span, tex_span
from .tables import (
    ACCENT_SYMBOLS,
    ACCENT_WORDS,
    COMBINING,
    CONTROL_SYMBOLS,
    SYMBOLS,
    TRANSPARENT,
    WRAPPERS,
    pylatexenc_symbol,
)

Report = Callable[[int, str], None]

_SPECIALS = {"%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}"}
# control symbols that are spacing or hyphenation hints: what they print (text's table)
_SPACING = {k: v for k, v in CONTROL_SYMBOLS.items() if k in "\\,;: \n\t!-/@"}
_WEB_RICH = frozenset(["emph", "textit", "textbf"])
# the special letters of text mode, which web text decodes (ß, ø, æ, œ, å, ł, ı, ...)
_WEB_LETTERS = frozenset(["ss", "o", "O", "ae", "AE", "oe", "OE", "aa", "AA", "l", "L", "i",
                          "j", "dh", "DH", "th", "TH", "ng", "NG", "dj", "DJ"])
_LIGATURES = {"---": "—", "--": "–", "``": "“", "''": "”", "!`": "¡", "?`": "¿"}
# every alternative starts with a literal, so `re` skips ahead by their first characters (a
# leading [class] would make it try each alternative at every position: 2.6x slower)
_BIB_SPECIAL = re.compile(r"\\|\{|\}|\$|~|---?|``|''|!`|\?`")
_WEB_SPECIAL = re.compile(r"[\\{$]")
_WORD = re.compile(r"[A-Za-z]+")

def _accent(mark: str, base: str) -> str:
    base = {"\\i": "i", "\\j": "j", "ı": "i", "ȷ": "j"}.get(base, base)
    return unicodedata.normalize("NFC", base + COMBINING[mark])


_BASE = re.compile(r"\\[ij](?![A-Za-z])|[A-Za-z]")


def _accent_at(src: str, pos: int, end: int, mark: str) -> tuple[str, int] | None:
    """The accented letter whose base starts at `pos` (`o`, `{o}`, `{\\i}`, ` o` after a
    word accent), and where it ends; None if there is none."""
    i = pos
    while i < end and src[i] == " ":
        i += 1
    if i < end and src[i] == "{":
        j = i + 1
        while j < end and src[j] == " ":
            j += 1
        if j < end and src[j] == "}":
            return mark if mark in ACCENT_SYMBOLS else "", j + 1  # an accent over nothing
        base = _base_at(src, j, end)
        if base:
            k = base[1]
            while k < end and src[k] == " ":
                k += 1
            if k < end and src[k] == "}":
                return _accent(mark, base[0]), k + 1
        return None
    if mark in ACCENT_WORDS and i == pos:
        return None  # \c needs a space or a brace before its letter: \cc is another word
    m = _BASE.match(src, i, end)
    return (_accent(mark, m.group()), m.end()) if m else None


def _base_at(src: str, pos: int, end: int) -> tuple[str, int] | None:
    """The letter an accent's group holds, and where it ends: `o`, `\\i`, or a letter that
    is itself accented (`\\^e` in `\\~{\\^e}`, ễ; `\\d{o}` in `\\^{\\d{o}}`, ộ)."""
    m = _BASE.match(src, pos, end)
    if m:
        return m.group(), m.end()
    if not src.startswith("\\", pos) or pos + 1 >= end:
        return None
    mark = src[pos + 1]
    if mark in ACCENT_SYMBOLS:
        return _accent_at(src, pos + 2, end, mark)
    word = _WORD.match(src, pos + 1, end)
    if word and word.group() in ACCENT_WORDS:
        return _accent_at(src, word.end(), end, word.group())
    letter = SYMBOLS.get(word.group(), "") if word else ""
    if word and len(letter) == 1 and letter.isalpha():  # \o in \'{\o}: ǿ
        return letter, word.end()
    return None


class _Decoder:
    """One scanner, four policies: a .bib field (`web` False: TeX it cannot decode is kept
    as a TeX span), web text (`web`: only what is unambiguous is decoded), CSL and RIS text
    (`math_only`: inline math is marked, nothing else is TeX), and plain text (`plain`: every
    command becomes the text it prints, for names, comparison and plain output)."""

    __slots__ = ("_pairs", "in_math", "math_only", "plain", "report", "src", "web")

    def __init__(self, src: str, web: bool, report: Report | None, math_only: bool = False,
                 pairs: dict[int, int] | None = None, plain: bool = False) -> None:
        self.src, self.web, self.report, self.math_only = src, web, report, math_only
        self._pairs = pairs
        self.plain, self.in_math = plain, False

    def close_of(self, pos: int, end: int) -> int:
        """Index of the `}` closing the `{` at `pos` before `end`, or -1."""
        src = self.src
        close = src.find("}", pos + 1, end)
        if close == -1 or src.find("{", pos + 1, close) == -1:
            return close  # no group inside, or no closing brace: most groups, decided by find
        if self._pairs is None:
            self._pairs = brace_pairs(src)[0]
        close = self._pairs.get(pos, -1)
        return close if close < end else -1

    def warn(self, offset: int, message: str) -> None:
        if self.report is not None:
            self.report(offset, message)

    def run(self, pos: int, end: int) -> str:
        src, out = self.src, []
        special = _WEB_SPECIAL if self.web else _BIB_SPECIAL
        while pos < end:
            m = special.search(src, pos, end)
            if m is None:
                out.append(src[pos:end])
                break
            out.append(src[pos : m.start()])
            tok, pos = m.group(), m.start()
            if tok == "\\":
                text, pos = self.command(pos, end)
            elif tok == "{":
                text, pos = self.group(pos, end)
            elif tok == "$":
                text, pos = self.dollar(pos, end)
            elif tok == "}":
                if self.plain:  # a stray brace prints nothing
                    text, pos = "", pos + 1
                else:
                    self.warn(pos, "unmatched '}' kept as a brace")
                    text, pos = "}", pos + 1
            elif tok == "~":
                text, pos = "\u00a0", pos + 1
            else:
                text, pos = _LIGATURES[tok], m.end()
            out.append(text)
        return "".join(out)

    # --- math --------------------------------------------------------------------------------

    def dollar(self, pos: int, end: int) -> tuple[str, int]:
        src = self.src
        if self.web:
            close = _web_math_end(src, pos, end)
            # a dollar inside is no math TeX would set ("$X $\alpha$": the first is text)
            if close != -1 and "$" not in src[pos + 1 : close].replace("\\$", "") \
                    and safe_math(src[pos + 1 : close]):
                return tex_span(src[pos : close + 1]), close + 1
            return "$", pos + 1
        fence = "$$" if src.startswith("$$", pos) else "$"
        close = _unescaped(src, fence, pos + len(fence), end)
        if self.plain:
            return self.plain_math(pos + len(fence), close if close != -1 else end,
                                   close + len(fence) if close != -1 else end)
        if close == -1:
            self.warn(pos, "unpaired '$' kept as a dollar sign")
            return "$", pos + 1
        return tex_span(src[pos : close + len(fence)]), close + len(fence)

    def plain_math(self, start: int, close: int, after: int) -> tuple[str, int]:
        """Math as plain text: its symbols, and the spaces between them, which TeX ignores
        in math but a reader expects ("α ≤ β")."""
        outer, self.in_math = self.in_math, True
        text = self.run(start, close)
        self.in_math = outer
        return text, after

    def paren_math(self, pos: int, end: int, closing: str) -> tuple[str, int] | None:
        close = self.src.find(closing, pos + 2, end)
        if close == -1:
            return None
        source = self.src[pos : close + 2]
        if self.web and ("\n" in source or not safe_math(source[2:-2])):
            return None
        return tex_span(source), close + 2

    # --- commands ----------------------------------------------------------------------------

    def command(self, pos: int, end: int) -> tuple[str, int]:
        src = self.src
        if pos + 1 >= end:
            return ("" if self.plain else "\\"), pos + 1
        nxt = src[pos + 1]
        if nxt in "([" and not self.plain:
            found = self.paren_math(pos, end, "\\)" if nxt == "(" else "\\]")
            if found:
                return found
        if self.math_only:
            return "\\", pos + 1
        if nxt in _SPECIALS:
            return _SPECIALS[nxt], pos + 2
        if nxt in ACCENT_SYMBOLS:
            found_accent = _accent_at(src, pos + 2, end, nxt)
            if found_accent:
                return found_accent
            return ("\\", pos + 1) if not self.plain else (CONTROL_SYMBOLS.get(nxt, ""), pos + 2)
        if not nxt.isascii() or not nxt.isalpha():
            if self.plain:
                return CONTROL_SYMBOLS.get(nxt, ""), pos + 2
            if not self.web and nxt in _SPACING:
                return _SPACING[nxt], pos + 2
            return "\\", pos + 1
        word_m = _WORD.match(src, pos + 1, end)
        assert word_m is not None
        return self.control_word(pos, word_m.group(), word_m.end(), end)

    def control_word(self, pos: int, word: str, after: int, end: int) -> tuple[str, int]:
        """`\\word` at `pos`, its name ending at `after`."""
        src = self.src
        if word in ACCENT_WORDS:
            found_accent = _accent_at(src, after, end, word)
            if found_accent:
                return found_accent
        if word in ("symbol", "char") and not self.web:
            found_char = _char_code(src, after, end, braced=word == "symbol")
            if found_char:
                return found_char
        if word in ("url", "path") and after < end and src[after] == "{":
            close = self.close_of(after, end)
            if close != -1:
                return src[after + 1 : close], close + 1
        if self.plain:
            return self.plain_word(word, after, end)
        # a letter, a sign, a no-op; web text decodes the special letters only (\ss, \o):
        # a math symbol outside math ("$\alpha$5" is no math) is text as written
        if word in SYMBOLS and len(SYMBOLS[word]) <= 1 and (
                not self.web or word in _WEB_LETTERS):
            return SYMBOLS[word], _skip_terminator(src, after, end)
        rich = word in (_WEB_RICH if self.web else RICH_COMMANDS)
        if (rich or (not self.web and word in TRANSPARENT)) and after < end and src[after] == "{":
            close = self.close_of(after, end)
            if close != -1:
                inner = self.run(after + 1, close)
                return (rich_span(word, inner) if rich else inner), close + 1
        if self.web:
            return "\\", pos + 1  # everything else in web text is text as written
        if word == "href" and after < end and src[after] == "{":
            close = self.close_of(after, end)
            if close != -1 and close + 1 < end and src[close + 1] == "{":
                close2 = self.close_of(close + 1, end)
                if close2 != -1:
                    return self.run(close + 2, close2), close2 + 1
        symbol = pylatexenc_symbol(word)
        if len(symbol) == 1:
            return symbol, _skip_terminator(src, after, end)
        return self.raw_command(pos, after, end)

    def plain_word(self, word: str, after: int, end: int) -> tuple[str, int]:
        """A control word as the text it prints: a command around text prints nothing (its
        {argument} stays as text), a symbol its character, any other word what pylatexenc's
        database says, or nothing; never executed, nothing read."""
        src = self.src
        if word == "href" and after < end and src[after] == "{":
            close = self.close_of(after, end)
            if close != -1:
                return "", close + 1  # the address; the {text} after it is what prints
        text = "" if word in WRAPPERS else SYMBOLS.get(word, None)
        if text is None:
            text = pylatexenc_symbol(word)
        if after < end and src[after] == "*":
            after += 1
        skipped = _skip_terminator(src, after, end)
        # in math a control word does not swallow the space after it for the reader
        spaced = self.in_math and skipped > after and src[after] != "{"
        return text + " " if spaced else text, skipped

    def raw_command(self, pos: int, after: int, end: int) -> tuple[str, int]:
        """A command kept as TeX: the command, its braced arguments, the space TeX skips."""
        src, i = self.src, after
        if i < end and src[i] == "*":
            i += 1
        if i < end and src[i] == "{":
            while i < end and src[i] == "{":
                close = self.close_of(i, end)
                if close == -1:
                    break
                i = close + 1
        else:
            while i < end and src[i] in " \t\n":
                i += 1
        return tex_span(src[pos:i]), i

    # --- groups ------------------------------------------------------------------------------

    def group(self, pos: int, end: int) -> tuple[str, int]:
        src = self.src
        close = self.close_of(pos, end)
        if close == -1:
            if self.plain:
                return "", pos + 1
            if not self.web:
                self.warn(pos, "unmatched '{' kept as a brace")
            return "{", pos + 1
        inner = self.run(pos + 1, close) if not self.web else None
        if self.math_only:
            return "{", pos + 1
        if self.web:
            # a group that only holds an accent or a special letter: {\"o}, {\ss}
            text = src[pos + 1 : close]
            # a letter's group is short ({\`{\^a}}): a long one is never decoded again here,
            # so nested groups cost no second pass each (and no recursion)
            if text.startswith("\\") and len(text) <= 16:
                decoded = _Decoder(text, True, None).run(0, len(text))
                # one character, nothing else: {\"o X } keeps its braces, which group more
                if len(decoded.strip()) == 1 and decoded.strip() not in "\\{}":
                    return decoded, close + 1
            return "{", pos + 1
        assert inner is not None
        if self.plain:
            return inner, close + 1
        if src.startswith("\\", pos + 1) and has_spans(inner) and not _is_span_only_rich(inner):
            # a group led by a command kept as TeX ({\TeX}, {\bf X}) stays one TeX span
            return tex_span(src[pos : close + 1]), close + 1
        return inner, close + 1


def _is_span_only_rich(text: str) -> bool:
    """Whether the decoded group is exactly one rich span ({\\emph{x}}): no need to keep
    its braces as TeX."""
    return text.startswith(RICH) and text.endswith(RICH_END) and TEX not in text


_CHAR_CODE = re.compile(r"\s*(\d{1,3})\s*")


def _char_code(src: str, pos: int, end: int, braced: bool) -> tuple[str, int] | None:
    """`\\symbol{44}`, `\\char44`: the printable ASCII character of that code (the
    biblatex writer spells a comma in a name so), and where the command ends."""
    if braced:
        if not src.startswith("{", pos):
            return None
        m = _CHAR_CODE.match(src, pos + 1, end)
        if m is None or not src.startswith("}", m.end()):
            return None
        code, after = int(m.group(1)), m.end() + 1
    else:
        m = _CHAR_CODE.match(src, pos, end)
        if m is None:
            return None
        code, after = int(m.group(1)), m.end()
    return (chr(code), after) if 32 < code < 127 else None


def _skip_terminator(src: str, pos: int, end: int) -> int:
    """After a control word: its empty group `{}` or the spaces TeX skips."""
    if src.startswith("{}", pos):
        return pos + 2
    while pos < end and src[pos] in " \t\n":
        pos += 1
    return pos


def _unescaped(src: str, needle: str, pos: int, end: int) -> int:
    while True:
        i = src.find(needle, pos, end)
        if i == -1 or not _escaped(src, i):
            return i
        pos = i + 1


def _escaped(src: str, i: int) -> bool:
    n = 0
    while i > 0 and src[i - 1] == "\\":
        n += 1
        i -= 1
    return n % 2 == 1


def _web_math_end(src: str, pos: int, end: int) -> int:
    """The closing `$` of inline math opened at `pos` by pandoc's tex_math_dollars rule, on
    the same line, or -1."""
    start = pos + 1
    if start >= end or src[start] in " \t\n$":
        return -1
    i = start
    while True:
        i = src.find("$", i, end)
        if i == -1:
            return -1
        if "\n" in src[start:i]:
            return -1
        if not _escaped(src, i) and src[i - 1] not in " \t" and not (
            i + 1 < end and src[i + 1].isdigit()
        ):
            return i
        i += 1


def needs_decoding(src: str) -> bool:
    """Whether a .bib value holds anything `from_bibtex` would change (most do not)."""
    # the same test as _BIB_SPECIAL, as substring tests: each is one fast C scan, together a
    # third of the regex's time on a long abstract (most values hold none of them)
    return ("\\" in src or "{" in src or "}" in src or "$" in src or "~" in src
            or "--" in src or "``" in src or "''" in src or "!`" in src or "?`" in src)


def from_bibtex(src: str, report: Report | None = None) -> str:
    """Model text from a .bib field's TeX.

    >>> from bibkit.tex.spans import parse
    >>> parse(from_bibtex(r"Schr{\\"o}dinger on $\\ell_0$ and {\\TeX}, 5\\%"))
    ['Schrödinger on ', Tex(source='$\\\\ell_0$'), ' and ', Tex(source='{\\\\TeX}'), ', 5%']
    """
    if not needs_decoding(src):
        return src
    pairs = None
    if src.count("{") > MAX_DEPTH:
        pairs, depth = brace_pairs(src)
        if depth > MAX_DEPTH:
            if report is not None:
                report(0, f"braces nested {depth} deep, more than TeX's {MAX_DEPTH}: the "
                       "value is kept as text, each character as written")
            return src
    return _Decoder(src, False, report, pairs=pairs).run(0, len(src))


def to_plain(src: str) -> str:
    """Plain Unicode text from a .bib value's TeX: what it prints, without markup.

    >>> to_plain(r"Schr{\\"o}dinger's \\emph{cat} costs \\$5 -- or \\textasciitilde{}4")
    "Schrödinger's cat costs $5 – or ~4"
    >>> to_plain(r"Nguy{\\~{\\^e}}n, $\\alpha \\leq \\beta$")
    'Nguyễn, α ≤ β'
    """
    if not needs_decoding(src):
        return src
    pairs = None
    if src.count("{") > MAX_DEPTH:
        pairs, depth = brace_pairs(src)
        if depth > MAX_DEPTH:
            return src
    return _Decoder(src, False, None, pairs=pairs, plain=True).run(0, len(src))


def from_web(src: str) -> str:
    """Model text from web text with inline TeX math (listing cards, service answers).

    >>> from bibkit.tex.spans import parse
    >>> parse(from_web(r"Fees of $3, back\\slash, Schr\\"odinger, $\\ell_0$"))
    ['Fees of $3, back\\\\slash, Schrödinger, ', Tex(source='$\\\\ell_0$')]
    """
    if "\\" not in src and "$" not in src and "{" not in src:
        return src
    pairs = None
    if src.count("{") > MAX_DEPTH:
        pairs, depth = brace_pairs(src)
        if depth > MAX_DEPTH:
            return src  # nested deeper than TeX goes: text as written, as web text is
    return _Decoder(src, True, None, pairs=pairs).run(0, len(src))


def math_only(src: str) -> str:
    """Model text from a format whose text is not TeX (CSL-JSON, RIS): only its inline math
    (`$\\ell_0$`, as Zotero and arXiv keep it) is marked; every other character is kept.

    >>> from bibkit.tex.spans import parse
    >>> [str(node) for node in parse(math_only(r"a \\{b\\} $\\alpha$"))]
    ['a \\\\{b\\\\} ', "Tex(source='$\\\\\\\\alpha$')"]
    """
    if "$" not in src and "\\(" not in src:
        return src
    return _Decoder(src, True, None, math_only=True).run(0, len(src))
