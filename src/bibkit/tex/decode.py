"""TeX source to model text: what is decoded, what stays TeX, what stays as written.

Two policies, one scanner:

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

Everything that is not an exact decoding is reported (`report(offset, message)`): an
unpaired `$` or an unmatched brace in a .bib field, a math span that could not be kept.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import cache

from .spans import RICH, RICH_COMMANDS, RICH_END, TEX, has_spans, rich_span, tex_span
from .text import COMBINING, CONTROL_SYMBOLS, SYMBOLS, pylatexenc_symbol

Report = Callable[[int, str], None]

_ACCENT_SYMBOLS = "'\"`^~=."
_ACCENT_WORDS = frozenset("uvHckrbdt")
_SPECIALS = {"%": "%", "&": "&", "_": "_", "#": "#", "$": "$", "{": "{", "}": "}"}
# control symbols that are spacing or hyphenation hints: what they print (text's table)
_SPACING = {k: v for k, v in CONTROL_SYMBOLS.items() if k in "\\,;: \n\t!-/@"}
# commands whose argument is the text itself and which add nothing a citation keeps
_TRANSPARENT = frozenset(["mbox", "hbox", "textnormal", "textrm", "textup", "textmd",
                          "NoCaseChange", "text"])
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

# Math commands a listing's math may use: every symbol pylatexenc knows, and the structure
# commands of everyday math. Anything else (\input, \write, \def, \catcode, ...) keeps the
# whole `$..$` as text, so untrusted text never reaches TeX as a command.
_MATH_STRUCTURE = frozenset([
    "frac", "dfrac", "tfrac", "sqrt", "hat", "widehat", "bar", "overline", "underline", "tilde",
    "widetilde", "vec", "dot", "ddot", "mathring", "check", "breve", "acute", "grave",
    "mathcal", "mathbb", "mathbf", "mathrm", "mathit", "mathsf", "mathtt", "mathfrak",
    "mathscr", "boldsymbol", "bm", "text", "textrm", "textit", "textbf", "operatorname", "left",
    "right", "middle", "big", "Big", "bigg", "Bigg", "bigl", "bigr", "Bigl", "Bigr", "biggl",
    "biggr", "langle", "rangle", "lceil", "rceil", "lfloor", "rfloor", "quad", "qquad",
    "limits", "nolimits", "displaystyle", "textstyle", "scriptstyle", "top", "mid", "not",
    "prime", "log", "ln", "exp", "sin", "cos", "tan", "sec", "csc", "cot", "arcsin", "arccos",
    "arctan", "sinh", "cosh", "tanh", "lim", "liminf", "limsup", "max", "min", "sup", "inf",
    "arg", "det", "dim", "ker", "deg", "gcd", "Pr", "hom", "lg", "mod", "bmod", "pmod",
    "overrightarrow", "overleftarrow", "underbrace", "overbrace", "stackrel", "binom", "tbinom",
    "dbinom", "ell"
])


@cache
def _math_commands() -> frozenset[str]:
    from pylatexenc.latex2text import get_default_latex_context_db

    symbols = {s.macroname for s in get_default_latex_context_db().iter_macro_specs()
               if isinstance(getattr(s, "simplify_repl", None), str)
               and "%" not in s.simplify_repl and s.macroname.isalpha()}
    return frozenset((symbols - {"today"}) | _MATH_STRUCTURE)


_MATH_WORD = re.compile(r"\\([A-Za-z]+)|\\(.)|([%#&])", re.DOTALL)


def _spells_characters(source: str) -> bool:
    """Whether TeX would read `^^` notation here: `^^5cinput` is `\\input` to TeX, whatever
    the text shows."""
    return "^^" in source


def safe_math(source: str) -> bool:
    """Whether math from untrusted text may reach TeX verbatim: every command a known math
    command, no `%`, `#` or `&`, no `^^` (which spells any character, a backslash too), and
    braces balanced for BibTeX and for TeX alike."""
    if _spells_characters(source):
        return False
    for m in _MATH_WORD.finditer(source):
        word = m.group(1)
        # the structure commands first: most math needs no look into pylatexenc's table
        if m.group(3) or (word and word not in _MATH_STRUCTURE
                          and word not in _math_commands()):
            return False
        if m.group(2) and m.group(2) not in "{}|,;:! $_^":
            return False
    return _braces_balance_for_every_reader(source)


# Untrusted TeX (a CSL-JSON file's custom.bibkit text and kept .bib fields) passes by an
# allow-list: the commands bibkit decodes (accents, special letters, symbols, rich text), math
# commands, and commands known to only typeset (font switches, logos, sizes, references).
# Anything else is read as text: pdfTeX reaches files, the shell and PDF actions under many
# names (\pdfobj file, \pdfximage, \pdfcatalog /OpenAction, \pdfstartlink /Launch), and
# \loop, \def or \catcode can stall or redefine the run; a deny-list of names misses some.
_TYPESETTING_ONLY = frozenset([
    # logos and letters
    "TeX", "LaTeX", "LaTeXe", "BibTeX", "XeTeX", "XeLaTeX", "LuaTeX", "LuaLaTeX", "AmS",
    "AmSTeX", "METAFONT", "MF", "MP", "SLiTeX", "noopsort", "relax", "nobreakspace", "space",
    "slash", "enspace", "thinspace", "quad", "qquad", "hfill", "allowbreak", "nolinebreak",
    "linebreak", "newline", "par", "ensuremath", "textcolor", "color",
    # fonts, shapes and sizes
    "texttt", "textsf", "textsl", "textmd", "textup", "textnormal", "textrm", "textsc",
    "textit", "textbf", "emph", "underline", "uppercase", "lowercase", "MakeUppercase",
    "MakeLowercase", "bf", "it", "em", "sc", "tt", "rm", "sf", "sl", "up", "bfseries",
    "mdseries", "itshape", "scshape", "slshape", "upshape", "ttfamily", "rmfamily", "sffamily",
    "normalfont", "tiny", "scriptsize", "footnotesize", "small", "normalsize", "large",
    "Large", "LARGE", "huge", "Huge", "mathversion", "symbol", "char",
    # references resolved from the document's own .aux
    "cite", "citep", "citet", "citealp", "citeauthor", "citeyear", "ref", "eqref",
])
_CONTROL_SYMBOLS_OK = frozenset("\\,;:! \n\t-/@%&_#${}'\"`^~=.|()[]*")
# Names that reach files, shells or Lua (\input, \IfFileExists, \pdffiledump, \openin,
# \write18, \directlua, ...): never allowed, whatever a table lists (a second net under
# the allow-list, should pylatexenc's table ever name one).
_REACHES_OUT = ("input", "include", "import", "file", "read", "write", "open", "close",
                "lua", "shell", "exec", "special", "mdfivesum", "pdf", "catcode", "def")


@cache
def allowed_commands() -> frozenset[str]:
    """The control words untrusted TeX may hold."""
    from .text import SYMBOLS

    words = (_math_commands() | _TYPESETTING_ONLY | _TRANSPARENT | _ACCENT_WORDS
             | set(RICH_COMMANDS) | {w for w in SYMBOLS if w.isalpha()})
    return frozenset(w for w in words
                     if not any(part in w.lower() for part in _REACHES_OUT))


_CONTROL_WORD = re.compile(r"\\([A-Za-z@]+)|\\(.)|(%)", re.DOTALL)


def refused_command(source: str) -> str | None:
    """The first command of `source` that the allow-list refuses (`\\pdfobj`), or None."""
    words = allowed_commands()
    for m in _CONTROL_WORD.finditer(source):
        word, symbol = m.group(1), m.group(2)
        if m.group(3):
            return "%"
        if word is not None and word not in words:
            return "\\" + word
        if symbol is not None and symbol not in _CONTROL_SYMBOLS_OK:
            return "\\" + symbol
    return None


def safe_tex(source: str) -> bool:
    """Whether TeX from an untrusted source (a CSL-JSON file's custom.bibkit text or kept
    .bib fields) may reach a LaTeX output verbatim: it cannot end its field (braces balance
    for every reader, no backslash ends it), its dollars pair, no bare `%` comments out
    what follows, no `^^` spells a character, and every command is on the allow-list
    (`allowed_commands`): `\\pdfobj`, `\\input`, `\\loop` and any command bibkit does not
    know to only typeset make it text.

    >>> safe_tex(r"{\\TeX} on $\\ell_0$ by Schr{\\"o}dinger \\cite{x}")
    True
    >>> safe_tex(r"\\pdfobj stream file {secret.txt}"), safe_tex(r"\\loop\\iftrue\\repeat")
    (False, False)
    """
    if not stays_in_its_field(source) or _spells_characters(source):
        return False
    if refused_command(source) is not None or _invisible(source):
        return False
    return _typesets(source)


def _invisible(source: str) -> bool:
    """Whether `source` holds what no TeX source holds and TeX cannot set: a bidi override, a
    zero-width joiner, U+2028 (the LaTeX writers leave them out of text, but TeX spans are
    written as they are)."""
    return not source.isascii() and any(
        unicodedata.category(c) in ("Cf", "Zl", "Zp") for c in source if not c.isascii())


def _typesets(text: str) -> bool:
    """Whether TeX would typeset `text` without stopping: every `$` opens inline math
    closed by a `$` at the same brace depth (`{$}{$}` and an empty or display `$$` stop it),
    `_` and `^` only in math, and no bare `#` or `&` (a macro parameter, an alignment tab)."""
    if not any(c in text for c in "$_^#&"):
        return True
    if "$$" in text.replace("\\\\", "").replace("\\$", ""):
        return False
    depth, opened, i, n = 0, -1, 0, len(text)  # opened: the depth where the math began
    while i < n:
        ch = text[i]
        if ch == "\\":
            after = text[i + 1 : i + 2]
            if after in ("(", "[") and opened < 0:  # \( \[ open math, \) \] close it
                opened = depth
            elif after in (")", "]") and opened == depth:
                opened = -1
            i += 2  # an escaped character, or the first letter of a command
            continue
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if opened > depth:
                return False
        elif ch == "$":
            if opened < 0:
                opened = depth
            elif opened == depth:
                opened = -1
            else:
                return False
        elif ch in "#&" or (ch in "_^" and opened < 0):
            return False
        i += 1
    return opened < 0


def stays_in_its_field(text: str) -> bool:
    """Whether text can stand between a field's braces as it is, for every reader: its
    braces balance as BibTeX counts them and as parsers that skip an escaped brace do
    (bibtexparser), and no backslash ends it (bibtexparser takes any `\\}` for an escaped
    brace, even after another backslash)."""
    return not text.endswith("\\") and _braces_balance_for_every_reader(text)


def _braces_balance_for_every_reader(text: str) -> bool:
    return braces_balance(text) and braces_balance(text.replace("\\{", "").replace("\\}", ""))


def braces_balance(text: str) -> bool:
    """Whether every brace closes one opened before it, counted as BibTeX counts them (an
    escaped brace too)."""
    if "{" not in text and "}" not in text:
        return True
    depth = 0
    for ch in text:
        if ch == "{":
            depth += 1
        elif ch == "}":
            depth -= 1
            if depth < 0:
                return False
    return depth == 0


_BRACE = re.compile(r"[{}]")
# TeX's own limit (pdfTeX's "grouping levels=255"): a value nested deeper is no TeX any
# program would typeset, and the decoder, which follows groups by recursion, stops there
MAX_DEPTH = 255


def brace_pairs(src: str) -> tuple[dict[int, int], int]:
    """Where each `{` closes (an escaped brace counts, as for BibTeX; a `{` never closed has
    no entry), and how deep the braces nest: one pass, so a text of deeply nested groups
    costs linear time, not a scan per group."""
    pairs: dict[int, int] = {}
    stack: list[int] = []
    deepest = 0
    for m in _BRACE.finditer(src):
        if m.group() == "{":
            stack.append(m.start())
            if len(stack) > deepest:
                deepest = len(stack)
        elif stack:
            pairs[stack.pop()] = m.start()
    return pairs, deepest


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
            return mark if mark in _ACCENT_SYMBOLS else "", j + 1  # an accent over nothing
        m = _BASE.match(src, j, end)
        if m:
            k = m.end()
            while k < end and src[k] == " ":
                k += 1
            if k < end and src[k] == "}":
                return _accent(mark, m.group()), k + 1
        return None
    if mark in _ACCENT_WORDS and i == pos:
        return None  # \c needs a space or a brace before its letter: \cc is another word
    m = _BASE.match(src, i, end)
    return (_accent(mark, m.group()), m.end()) if m else None


class _Decoder:
    __slots__ = ("_pairs", "math_only", "report", "src", "web")

    def __init__(self, src: str, web: bool, report: Report | None, math_only: bool = False,
                 pairs: dict[int, int] | None = None) -> None:
        self.src, self.web, self.report, self.math_only = src, web, report, math_only
        self._pairs = pairs

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
            if close != -1 and safe_math(src[pos + 1 : close]):
                return tex_span(src[pos : close + 1]), close + 1
            return "$", pos + 1
        fence = "$$" if src.startswith("$$", pos) else "$"
        close = _unescaped(src, fence, pos + len(fence), end)
        if close == -1:
            self.warn(pos, "unpaired '$' kept as a dollar sign")
            return "$", pos + 1
        return tex_span(src[pos : close + len(fence)]), close + len(fence)

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
            return "\\", pos + 1
        nxt = src[pos + 1]
        if nxt in "([":
            found = self.paren_math(pos, end, "\\)" if nxt == "(" else "\\]")
            if found:
                return found
        if self.math_only:
            return "\\", pos + 1
        if nxt in _SPECIALS:
            return _SPECIALS[nxt], pos + 2
        if nxt in _ACCENT_SYMBOLS:
            found_accent = _accent_at(src, pos + 2, end, nxt)
            if found_accent:
                return found_accent
            return "\\", pos + 1
        if not nxt.isascii() or not nxt.isalpha():
            if not self.web and nxt in _SPACING:
                return _SPACING[nxt], pos + 2
            return "\\", pos + 1
        word_m = _WORD.match(src, pos + 1, end)
        assert word_m is not None
        word, after = word_m.group(), word_m.end()
        if word in _ACCENT_WORDS:
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
        # a letter, a sign, a no-op; web text decodes the special letters only (\ss, \o):
        # a math symbol outside math ("$\alpha$5" is no math) is text as written
        if word in SYMBOLS and len(SYMBOLS[word]) <= 1 and (
                not self.web or word in _WEB_LETTERS):
            return SYMBOLS[word], _skip_terminator(src, after, end)
        rich = word in (_WEB_RICH if self.web else RICH_COMMANDS)
        if (rich or (not self.web and word in _TRANSPARENT)) and after < end and src[after] == "{":
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


# CSL 1.0.2 rich text in CSL-JSON values, and the spans it becomes
_CSL_TAG = re.compile(r"<(/?)(i|b|sup|sub|span)(\s[^<>]*)?>")
_CSL_COMMANDS = {"i": "emph", "b": "textbf", "sup": "textsuperscript", "sub": "textsubscript"}


def _csl_command(tag: str, attrs: str) -> str | None:
    """The rich command for an opening tag; "" for a nocase span (its text stays, case
    protection travels apart); None for a tag CSL does not define (kept as text)."""
    if tag != "span":
        return _CSL_COMMANDS[tag] if not attrs.strip() else None
    attrs = attrs.replace(" ", "")
    if attrs == 'style="font-variant:small-caps;"':
        return "textsc"
    if attrs == 'class="nocase"':
        return ""
    return None


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


def from_csl(src: str) -> str:
    """Model text from a CSL-JSON value: its rich-text tags, and inline math in between.

    >>> from bibkit.tex.spans import parse
    >>> parse(from_csl("On <i>$\\\\ell_0$ norms</i>"))
    ['On ', Rich(command='emph', children=(Tex(source='$\\\\ell_0$'), ' norms'))]
    """
    if "<" not in src:
        return math_only(src)
    stack: list[tuple[str, str | None, list[str]]] = [("", None, [])]  # (tag, command, parts)
    pos = 0
    for m in _CSL_TAG.finditer(src):
        stack[-1][2].append(math_only(src[pos : m.start()]))
        pos = m.end()
        closing, tag, attrs = m.group(1), m.group(2), m.group(3) or ""
        if not closing:
            command = _csl_command(tag, attrs)
            if command is None:
                stack[-1][2].append(m.group())
            else:
                stack.append((tag, command, [m.group()]))
            continue
        if len(stack) > 1 and stack[-1][0] == tag:
            _, command, parts = stack.pop()
            inner = "".join(parts[1:])
            stack[-1][2].append(rich_span(command, inner) if command else inner)
        else:
            stack[-1][2].append(m.group())
    stack[-1][2].append(math_only(src[pos:]))
    while len(stack) > 1:  # a tag never closed is text
        _, _, parts = stack.pop()
        stack[-1][2].append("".join(parts))
    return "".join(stack[0][2])
