"""What untrusted TeX must pass before bibkit writes it as TeX: an allow-list of commands
(math symbols and the structure of everyday math, text symbols, the rich-text commands),
never a command that reaches outside the document (\\input, \\write, \\pdfobj...); text
that TeX would typeset without stopping; braces that balance for every reader, and how deep
they nest (one pass, so a text of deeply nested groups costs linear time)."""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from .spans import RICH_COMMANDS
from .tables import ACCENT_WORDS, SYMBOLS, TRANSPARENT

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
    words = (_math_commands() | _TYPESETTING_ONLY | TRANSPARENT | ACCENT_WORDS
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
