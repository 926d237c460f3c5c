"""Text between LaTeX and Unicode: decoding, escaping, title protection, ASCII folding.

Decoding is table-driven and single-pass: one compiled alternation scans the text once, so
what a replacement produces is never re-read (`\\textbackslash{}'e` stays a backslash, an
apostrophe and an e). Only text that holds a backslash, a brace, a dollar or a LaTeX ligature
is scanned at all. A control word the table does not know is looked up in pylatexenc's macro
database (hundreds of symbols); running pylatexenc's full parser on every field would be an
order of magnitude slower, and it reads `%` inside `\\url{}` as a comment.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from functools import lru_cache

# --- LaTeX -> Unicode -------------------------------------------------------------------

COMBINING = {
    "'": "\u0301",
    '"': "\u0308",
    "`": "\u0300",
    "^": "\u0302",
    "~": "\u0303",
    "=": "\u0304",
    ".": "\u0307",
    "u": "\u0306",
    "v": "\u030c",
    "H": "\u030b",
    "c": "\u0327",
    "k": "\u0328",
    "r": "\u030a",
    "b": "\u0331",
    "d": "\u0323",
    "t": "\u0361",
}

# Control words that stand for a character or a string.
SYMBOLS = {
    "ss": "ß",
    "o": "ø",
    "O": "Ø",
    "ae": "æ",
    "AE": "Æ",
    "oe": "œ",
    "OE": "Œ",
    "aa": "å",
    "AA": "Å",
    "l": "ł",
    "L": "Ł",
    "i": "ı",
    "j": "ȷ",
    "dh": "ð",
    "DH": "Ð",
    "th": "þ",
    "TH": "Þ",
    "ng": "ŋ",
    "NG": "Ŋ",
    "dj": "đ",
    "DJ": "Đ",
    "textbackslash": "\\",
    "textasciitilde": "~",
    "textasciicircum": "^",
    "textbraceleft": "{",
    "textbraceright": "}",
    "textunderscore": "_",
    "textbar": "|",
    "textless": "<",
    "textgreater": ">",
    "textdollar": "$",
    "textpercent": "%",
    "textampersand": "&",
    "textquotesingle": "'",
    "textasciigrave": "`",
    "textquotedbl": '"',
    "ldots": "…",
    "dots": "…",
    "textellipsis": "…",
    "textendash": "–",
    "textemdash": "—",
    "textquoteleft": "‘",
    "textquoteright": "’",
    "textquotedblleft": "“",
    "textquotedblright": "”",
    "guillemotleft": "«",
    "guillemotright": "»",
    "guilsinglleft": "‹",
    "guilsinglright": "›",
    "quotedblbase": "„",
    "S": "§",
    "P": "¶",
    "copyright": "©",
    "textcopyright": "©",
    "textregistered": "®",
    "texttrademark": "™",
    "pounds": "£",
    "textsterling": "£",
    "euro": "€",
    "texteuro": "€",
    "textyen": "¥",
    "dag": "†",
    "ddag": "‡",
    "textdagger": "†",
    "textdaggerdbl": "‡",
    "textbullet": "•",
    "textdegree": "°",
    "textperiodcentered": "·",
    "textexclamdown": "¡",
    "textquestiondown": "¿",
    "textmu": "µ",
    "textonehalf": "½",
    "LaTeX": "LaTeX",
    "TeX": "TeX",
    "BibTeX": "BibTeX",
    "LaTeXe": "LaTeX2e",
    "textvisiblespace": "␣",
    # math-mode letters and operators common in titles and abstracts
    "alpha": "α",
    "beta": "β",
    "gamma": "γ",
    "delta": "δ",
    "epsilon": "ϵ",
    "varepsilon": "ε",
    "zeta": "ζ",
    "eta": "η",
    "theta": "θ",
    "vartheta": "ϑ",
    "iota": "ι",
    "kappa": "κ",
    "lambda": "λ",
    "mu": "μ",
    "nu": "ν",
    "xi": "ξ",
    "pi": "π",
    "varpi": "ϖ",
    "rho": "ρ",
    "varrho": "ϱ",
    "sigma": "σ",
    "varsigma": "ς",
    "tau": "τ",
    "upsilon": "υ",
    "phi": "ϕ",
    "varphi": "φ",
    "chi": "χ",
    "psi": "ψ",
    "omega": "ω",
    "Gamma": "Γ",
    "Delta": "Δ",
    "Theta": "Θ",
    "Lambda": "Λ",
    "Xi": "Ξ",
    "Pi": "Π",
    "Sigma": "Σ",
    "Upsilon": "Υ",
    "Phi": "Φ",
    "Psi": "Ψ",
    "Omega": "Ω",
    "times": "×",
    "cdot": "⋅",
    "cdots": "⋯",
    "pm": "±",
    "mp": "∓",
    "leq": "≤",
    "le": "≤",
    "geq": "≥",
    "ge": "≥",
    "neq": "≠",
    "ne": "≠",
    "approx": "≈",
    "sim": "∼",
    "simeq": "≃",
    "equiv": "≡",
    "propto": "∝",
    "infty": "∞",
    "to": "→",
    "rightarrow": "→",
    "leftarrow": "←",
    "Rightarrow": "⇒",
    "Leftarrow": "⇐",
    "leftrightarrow": "↔",
    "mapsto": "↦",
    "in": "∈",
    "notin": "∉",
    "subset": "⊂",
    "subseteq": "⊆",
    "cup": "∪",
    "cap": "∩",
    "forall": "∀",
    "exists": "∃",
    "partial": "∂",
    "nabla": "∇",
    "sum": "∑",
    "prod": "∏",
    "int": "∫",
    "sqrt": "√",
    "ell": "ℓ",
    "log": "log",
    "exp": "exp",
    "min": "min",
    "max": "max",
    "arg": "arg",
    "lim": "lim",
    "sup": "sup",
    "inf": "inf",
    "circ": "∘",
    "star": "⋆",
    "ast": "∗",
    "oplus": "⊕",
    "otimes": "⊗",
    "langle": "⟨",
    "rangle": "⟩",
    "lfloor": "⌊",
    "rfloor": "⌋",
    "lceil": "⌈",
    "rceil": "⌉",
    "mid": "∣",
    "vert": "|",
    "emptyset": "∅",
    "varnothing": "∅",
    "top": "⊤",
    "bot": "⊥",
    "land": "∧",
    "lor": "∨",
    "neg": "¬",
    "prime": "′",
    # spacing and no-op commands
    "quad": " ",
    "qquad": " ",
    "newline": " ",
    "par": " ",
    "linebreak": " ",
    "relax": "",
    "protect": "",
    "noindent": "",
    "xspace": "",
    "nobreak": "",
    "hfill": " ",
    "smallskip": " ",
    "medskip": " ",
    "bigskip": " ",
    "left": "",
    "right": "",
    "big": "",
    "Big": "",
    "bigl": "",
    "bigr": "",
    "displaystyle": "",
    "limits": "",
    "nolinebreak": "",
    "allowbreak": "",
}

# Commands whose argument is the text itself: the command goes, its {group} stays.
_WRAPPERS = frozenset(
    [
        "emph",
        "textit",
        "textbf",
        "texttt",
        "textsc",
        "textrm",
        "textsf",
        "textsl",
        "textup",
        "textmd",
        "textnormal",
        "mathrm",
        "mathbf",
        "mathit",
        "mathsf",
        "mathtt",
        "mathcal",
        "mathbb",
        "mathfrak",
        "mathscr",
        "boldsymbol",
        "bm",
        "text",
        "textup",
        "mbox",
        "hbox",
        "fbox",
        "underline",
        "uline",
        "ensuremath",
        "operatorname",
        "NoCaseChange",
        "enquote",
        "textsuperscript",
        "textsubscript",
        "it",
        "bf",
        "em",
        "sc",
        "rm",
        "tt",
        "sf",
        "sl",
        "small",
        "footnotesize",
        "large",
        "Large",
        "normalsize",
        "tiny",
        "scriptsize",
        "bfseries",
        "itshape",
        "mdseries",
        "scshape",
        "upshape",
        "ttfamily",
        "sffamily",
        "rmfamily",
        "normalfont",
        "hat",
        "bar",
        "tilde",
        "vec",
        "dot",
        "ddot",
        "widetilde",
        "widehat",
        "overline",
        "mathring",
        "textcolor",
    ]
)

# Control symbols: backslash + one non-letter.
CONTROL_SYMBOLS = {
    "&": "&",
    "%": "%",
    "$": "$",
    "#": "#",
    "_": "_",
    "{": "{",
    "}": "}",
    " ": " ",
    "\\": " ",
    ",": " ",
    ";": " ",
    ":": " ",
    "!": "",
    "-": "\u00ad",  # a discretionary hyphen: the soft hyphen
    "/": "",
    "@": "",
    "(": "",
    ")": "",
    "[": "",
    "]": "",
    "|": "‖",
    "\n": " ",
    "\t": " ",
    "*": "",
    "": "",
}

_BASE = r"(?:\\[ij](?![A-Za-z])|[A-Za-z])"
# One alternation whose every branch starts with a literal character, so the regex engine
# skips ahead to the next candidate character instead of trying each branch everywhere
# (ten times faster on a long abstract).
_DECODE_RE = re.compile(
    r"\\(?:(?:url|path)\{(?P<urlarg>[^{}]*)\}"
    r"|href\{(?P<hrefarg>[^{}]*)\}"
    r"|(?P<acc>['\"`^~=.])\s*(?:\{\s*(?P<b1>" + _BASE + r")?\s*\}|(?P<b2>" + _BASE + r"))"
    r"|(?P<wacc>[uvHckrbdt])(?:\s*\{\s*(?P<w1>" + _BASE + r")\s*\}|\s+(?P<w2>" + _BASE + r"))"
    r"|(?P<word>[A-Za-z]+)\*?(?:\s*\{\}|(?P<space>[ \t]*))"
    r"|(?P<sym>[^A-Za-z]|$))"
    r"|---|--|``|''|!`|\?`|\{|\}|\$|~"
)
_PLAIN = {
    "---": "—",
    "--": "–",
    "``": "“",
    "''": "”",
    "!`": "¡",
    "?`": "¿",
    "{": "",
    "}": "",
    "$": "",
    "~": "\u00a0",
}


def _base_char(spec: str) -> str:
    return {"\\i": "ı", "\\j": "ȷ"}.get(spec, spec)


def _accent(mark: str, base: str | None) -> str:
    combining = COMBINING[mark]
    if base is None:  # an accent over nothing prints as the accent itself
        return mark
    # a dotless i or j under an accent is the ordinary letter in Unicode
    base = {"ı": "i", "ȷ": "j"}.get(_base_char(base), _base_char(base))
    return unicodedata.normalize("NFC", base + combining)


class _Replacer:
    """The substitution callback; remembers whether it is inside $math$, where a control
    word does not swallow the space after it ($\\alpha \\leq \\beta$ -> "α ≤ β")."""

    __slots__ = ("math",)

    def __init__(self) -> None:
        self.math = False

    def __call__(self, m: re.Match[str]) -> str:
        text = m.group()
        if text[0] != "\\":
            if text == "$":
                self.math = not self.math
            return _PLAIN[text]
        if m.group("urlarg") is not None:
            return m.group("urlarg")
        if m.group("hrefarg") is not None:
            return ""
        if m.group("acc"):
            return _accent(m.group("acc"), m.group("b1") or m.group("b2"))
        if m.group("wacc"):
            return _accent(m.group("wacc"), m.group("w1") or m.group("w2"))
        word = m.group("word")
        if word is None:
            return CONTROL_SYMBOLS.get(m.group("sym"), "")
        if word in _WRAPPERS:
            out = ""
        elif word in SYMBOLS:
            out = SYMBOLS[word]
        else:
            out = pylatexenc_symbol(word)
        return out + " " if self.math and m.group("space") else out


@lru_cache(maxsize=4096)
def pylatexenc_symbol(word: str) -> str:
    """What pylatexenc's macro database says a control word prints as ("aleph" -> "ℵ").

    Macros it gives no plain string for (formatting, \\input, unknown ones) print nothing
    and their {arguments} stay as text, as in pylatexenc's own latex2text; nothing is ever
    executed or read from disk. Its marks for what it cannot resolve ("<cit.>" for \\cite,
    "<ref>") are no text either: `See \\cite{knuth}` prints "See knuth", not "See <cit.>knuth"
    (which CSL-JSON would even take for a tag).
    """
    from pylatexenc.latex2text import get_default_latex_context_db

    spec = get_default_latex_context_db().get_macro_spec(word)
    repl = getattr(spec, "simplify_repl", None)
    return repl if isinstance(repl, str) and "%" not in repl and "<" not in repl else ""


def latex_to_text(text: str) -> str:
    """Decode LaTeX markup in a field or abstract into plain Unicode text.

    >>> latex_to_text(r"Schr{\\"o}dinger's \\emph{cat} costs \\$5 -- or \\textasciitilde{}4")
    "Schrödinger's cat costs $5 – or ~4"
    """
    if (
        "\\" in text
        or "{" in text
        or "}" in text
        or "$" in text
        or "~" in text
        or "`" in text
        or ("-" in text and "--" in text)
        or ("'" in text and "''" in text)
    ):
        if "\\symbol" in text or "\\char" in text:
            text = _CHAR_COMMAND.sub(_char_of_code, text)
        return _DECODE_RE.sub(_Replacer(), text)
    return text  # the common case: nothing to decode, decided by memchr-speed tests


# `\symbol{44}`, `\char44`: a printable ASCII character by its code (the biblatex writer
# spells a comma inside a name so, for biber)
_CHAR_COMMAND = re.compile(r"\\symbol\{\s*(\d{1,3})\s*\}|\\char(\d{1,3})\s*")


def _char_of_code(m: re.Match[str]) -> str:
    code = int(m.group(1) or m.group(2))
    return chr(code) if 32 < code < 127 else m.group()


# --- Unicode -> BibTeX --------------------------------------------------------------------

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


# C0 controls other than tab and line feed, DEL and the C1 controls: never text in a
# citation, and on a terminal they move the cursor or clear the screen. CR is a line end.
# The one set of control characters bibkit removes (the input's cleaner, JSON escapes,
# services, URLs): C0 but tab, LF and CR, then DEL and C1. CR is a line end, handled apart.
# The Unicode noncharacters U+FDD0-U+FDEF are bibkit's internal span marks (bibkit.tex.spans):
# never text, so removed on input like the controls.
CONTROL_CHARS = "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufdd0-\ufdef"
_CONTROLS = re.compile(f"[{CONTROL_CHARS}]")
# half of a UTF-16 surrogate pair, which only a JSON escape (\ud800) can put in a str: no
# encoder writes one, so it becomes U+FFFD, the replacement character
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def without_controls(text: str) -> tuple[str, int]:
    """`text` without control characters, and how many were removed or changed: CR LF and a
    lone CR become LF; tab and LF stay.

    >>> without_controls("a\\x1b[2Jb\\r\\nc\\u009b")
    ('a[2Jb\\nc', 3)
    """
    count = 0
    if "\r" in text:
        count = text.count("\r")
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text, removed = _CONTROLS.subn("", text)
    return text, count + removed


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


# --- folding ------------------------------------------------------------------------------

_FOLD = str.maketrans(
    {
        "ß": "ss",
        "ø": "o",
        "Ø": "O",
        "æ": "ae",
        "Æ": "AE",
        "œ": "oe",
        "Œ": "OE",
        "ł": "l",
        "Ł": "L",
        "đ": "d",
        "Đ": "D",
        "þ": "th",
        "Þ": "Th",
        "ð": "d",
        "ı": "i",
    }
)


def ascii_fold(text: str) -> str:
    """Drop accents and map letters to their ASCII look-alikes: "Seán Ø" -> "Sean O"."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFKD", text.translate(_FOLD))
    return "".join(c for c in decomposed if c.isascii())


_NOT_ALNUM = re.compile(r"[^a-z0-9]+")


def fold(text: str) -> str:
    """The one form in which names and titles are compared and keys are made: ASCII
    look-alikes, case folded, words of letters and digits separated by one space.

    >>> fold("Seán O'Brien-Smith, Jr.")
    'sean o brien smith jr'
    """
    return " ".join(w for w in _NOT_ALNUM.split(ascii_fold(text).casefold()) if w)


_BREAKING_SPACE_RE = re.compile(r"[^\S\u00a0]+")


def squash(text: str) -> str:
    """Collapse runs of white space (newlines, tabs, Unicode spaces) to one space and strip
    the ends; a no-break space (LaTeX `~`) is content and stays."""
    # isprintable() is False for any white space but " " (one fast C scan)
    if not text.isprintable() or "  " in text or text[:1] == " " or text[-1:] == " ":
        if "\u00a0" in text:
            return _BREAKING_SPACE_RE.sub(" ", text).strip(" ")
        # the same without a no-break space to keep: split() breaks at exactly the white
        # space `\s` matches, in C, several times faster than the regex on an abstract
        return " ".join(text.split())
    return text
