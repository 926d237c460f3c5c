"""Which characters a LaTeX output may hold as they are, and what the others become.

Three character sets for the BibTeX family and the LaTeX CV:

- `pdflatex` (default): characters pdflatex typesets with UTF-8 input and T1 fonts stay as
  they are (é, ß, –, “); every other character with a command that compiles in a default
  document is written as that command, from pylatexenc's `latexencode` table (α ->
  `\\ensuremath{\\alpha}`). Which is which was measured with pdflatex, not guessed:
  formats/latex-chars.toml, made by tools/latex_chars.py.
- `ascii`: every non-ASCII character with a command is written as the command.
- `utf8`: nothing is changed (XeLaTeX, LuaLaTeX, biber with a Unicode engine).

A character with no command is kept and counted (CJK needs a package such as CJKutf8, or
XeLaTeX); an invisible formatting character (Unicode category Cf: bidi controls, zero-width
joiners) has no printed form pdflatex could give it and is left out, counted too. The writer
reports both once.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

from ..data import load_toml
from ..model.diagnostics import Severity
from .decode import to_plain
from .tables import COMBINING

CHARSETS = ("pdflatex", "ascii", "utf8")


@cache
def _measured() -> tuple[frozenset[int], frozenset[int]]:
    data = load_toml("latex-chars.toml")

    def codes(name: str) -> frozenset[int]:
        return frozenset(c for first, last in data[name] for c in range(first, last + 1))

    return codes("raw"), codes("encoded")


@cache
def _commands() -> dict[int, str]:
    from pylatexenc.latexencode import get_builtin_conversion_rules

    rules = get_builtin_conversion_rules("defaults")[0].rule  # a read-only mapping
    return {code: _accent_form(command) for code, command in rules.items()}


# pylatexenc writes an accent as `\\H{o}`. Zotero's BibTeX import decodes accents from its
# own table, which holds `{\\H o}` and `{\\'e}`; it rewrites `\\v{c}` to that form with a
# pattern of lower-case command names only, so `\\H{o}` reached Zotero undecoded (zotero/
# translators BibTeX.js, unescapeBibTeX and reversemappingTable). TeX reads both alike.
_BRACED_ACCENT = re.compile(r"\\([A-Za-z])\{(\\?[A-Za-z])\}|\\([^A-Za-z\s])\{([A-Za-z])\}")


def _accent_form(command: str) -> str:
    """`\\H{o}` -> `\\H o`, `\\.{z}` -> `\\.z`; any other command as it is."""
    return _BRACED_ACCENT.sub(
        lambda m: f"\\{m[1]} {m[2]}" if m[1] else f"\\{m[3]}{m[4]}", command)


_NON_ASCII_RUN = re.compile(r"[^\x00-\x7f]+")


class CharEncoder(dict[int, str]):
    """A `str.translate` table filled on first use of each character; `kept` and `dropped`
    are what this writer could not encode."""

    def __init__(self, charset: str = "pdflatex") -> None:
        super().__init__()
        self.charset = charset
        self.kept: set[str] = set()
        self.dropped: set[str] = set()
        self.spaced: set[str] = set()
        # letters pdflatex sets only as accent commands, which biber decodes back to UTF-8
        self.accented: set[str] = set()

    def __missing__(self, code: int) -> str:
        out = self._decide(code)
        self[code] = out
        return out

    def _decide(self, code: int) -> str:
        ch = chr(code)
        if code < 128:
            return ch
        raw, encoded = _measured()
        if self.charset == "pdflatex" and code in raw:
            return ch
        command = _commands().get(code)
        if command is not None and (self.charset == "ascii" or code in encoded) \
                and _reads_back(code, command):
            return "{" + command + "}"
        stacked = accents_of(ch)
        if stacked is not None and _reads_back(code, stacked):
            self.accented.add(ch)
            return "{" + stacked + "}"
        category = unicodedata.category(ch)
        if category == "Cf":
            self.dropped.add(ch)
            return ""
        if category in ("Zl", "Zp"):  # U+2028, U+2029: a break TeX cannot set, as a space
            self.spaced.add(ch)
            return " "
        self.kept.add(ch)
        return ch

    def encode(self, text: str) -> str:
        if self.charset == "utf8" or text.isascii():
            return text
        if _COMBINED.search(text):  # a letter and an accent Unicode has no one character for
            text = _COMBINED.sub(_accent_command, text)
        # ASCII is itself: only the runs of other characters go through the table (translate
        # looks up every character of a non-ASCII text, a long abstract's many letters too)
        return _NON_ASCII_RUN.sub(lambda run: run.group().translate(self), text)

    def biber_problems(self) -> list[tuple[Severity, str, str]]:
        """For biblatex: biber decodes accent commands to UTF-8 in the .bbl, where pdflatex
        cannot set the letters that have no T1 glyph of their own (ị, ễ); its
        texencoding=ascii writes a stacked accent back as TeX that does not compile
        (`\\~\\^{e}`, biber 2.18). Said, with what does work."""
        if not self.accented:
            return []
        chars = "".join(sorted(self.accented))
        return [(Severity.WARNING, "BK410",
                 f"{len(chars)} letter(s) written as accent commands, which biber turns back "
                 f"into UTF-8 that pdflatex cannot set: {_sample(chars)}; with biblatex use "
                 "XeLaTeX or LuaLaTeX, or with pdflatex write BibTeX (--to bibtex), whose "
                 "commands bibtex keeps")]

    def problems(self) -> list[tuple[Severity, str, str]]:
        """(code, severity, message) for what this writer could not write as asked."""
        out = []
        if self.kept:
            for chars, hint in _kept_by_what_sets_them(self.kept):
                out.append((Severity.WARNING, "BK405",
                            f"{len(chars)} character(s) kept as they are, which pdflatex "
                            f"cannot set here: {_sample(chars)}; {hint}"))
        for changed, what in ((self.dropped, "invisible formatting character(s) left out"),
                              (self.spaced, "line or paragraph separator(s) written as a space")):
            if changed:
                names = ", ".join(f"U+{ord(c):04X} {unicodedata.name(c, '')}".strip()
                                  for c in sorted(changed))
                out.append((Severity.WARNING, "BK406", f"{what}: {names} (pdflatex cannot "
                            "typeset them; --utf8 keeps them)"))
        return out


# A letter followed by a combining accent LaTeX has a command for (L + U+0307 -> {\\.{L}})
_ACCENT_COMMANDS = {combining: mark for mark, combining in COMBINING.items()}
_COMBINED = re.compile(f"([A-Za-z])([{''.join(_ACCENT_COMMANDS)}])")


def _accent_command(m: re.Match[str]) -> str:
    return "{" + _accent_form("\\" + _ACCENT_COMMANDS[m.group(2)] + "{" + m.group(1) + "}") + "}"


# the letters TeX writes as a command, as the base of an accent (ǿ is \\'{\\o})
_LETTER_COMMANDS = {"ø": "\\o", "Ø": "\\O", "æ": "\\ae", "Æ": "\\AE", "ı": "\\i", "ȷ": "\\j"}
_ABOVE = 230  # the canonical combining class of an accent above the letter


@cache
def accents_of(ch: str) -> str | None:
    """A precomposed letter as its base and the accents TeX has, innermost first (ễ is
    `\\~{\\^e}`, ộ `\\^{\\d o}`, ǘ `\\'{\\"u}`); None when a mark has no TeX accent (the
    Vietnamese horn and hook above need T5) or the base is no Latin letter."""
    decomposed = unicodedata.normalize("NFD", ch)
    base, marks = decomposed[0], decomposed[1:]
    if not marks or any(m not in _ACCENT_COMMANDS or m == "\u0361" for m in marks):
        return None  # (U+0361, TeX's \\t, ties two letters: no accent of one)
    if base in _LETTER_COMMANDS:
        text = _LETTER_COMMANDS[base]
    elif base.isascii() and base.isalpha():
        # an accent above an i or a j sits on the dotless letter, as in TeX's own \\'{\\i}
        above = any(unicodedata.combining(m) == _ABOVE for m in marks)
        text = "\\" + base if base in "ij" and above else base
    else:
        return None
    for mark in marks:
        text = _accent_form("\\" + _ACCENT_COMMANDS[mark] + "{" + text + "}")
    return text


@cache
def _reads_back(code: int, command: str) -> bool:
    """Whether bibkit reads the command back as the character, or as TeX it writes back
    verbatim: only such commands are written, so a .bib -> .bib conversion is stable
    (pylatexenc writes ĸ as \\textsc{k}, which would come back as small caps)."""
    from .decode import from_bibtex
    from .spans import tex_span

    written = "{" + command + "}"
    read = from_bibtex(written)
    # TeX kept verbatim must still print as the character: 𝐀 as \\mathbf{A} would come
    # back from a name as a plain A
    return read == chr(code) or (read == tex_span(written) and to_plain(written) == chr(code))


_ENGINE = "or compile with XeLaTeX or LuaLaTeX and write with --utf8"


def _kept_by_what_sets_them(kept: set[str]) -> list[tuple[str, str]]:
    """The characters no command could write, by what would typeset them: (characters,
    what to load or which engine to use)."""
    groups: dict[str, list[str]] = {}
    for ch in sorted(kept):
        what = "cjk" if _is_cjk(ch) else "vietnamese" if _is_vietnamese(ch) else "other"
        groups.setdefault(what, []).append(ch)
    hints = {
        "vietnamese": "Vietnamese letters need the T5 font encoding "
                      "(\\usepackage[T5]{fontenc}, from vntex), " + _ENGINE,
        "cjk": "CJK text needs the CJKutf8 package with pdflatex, " + _ENGINE,
        "other": "pdflatex has no command for them; " + _ENGINE,
    }
    return [("".join(groups[what]), hints[what]) for what in hints if what in groups]


def _is_vietnamese(ch: str) -> bool:
    """A letter with the horn or the hook above, which only T5 (vntex) sets: ơ ư ả ợ ữ."""
    marks = unicodedata.normalize("NFD", ch)[1:]
    return "\u031b" in marks or "\u0309" in marks


def _sample(chars: str, limit: int = 12) -> str:
    shown = chars[:limit]
    return shown + (f" and {len(chars) - limit} more" if len(chars) > limit else "")


def _is_cjk(ch: str) -> bool:
    name = unicodedata.name(ch, "")
    return name.startswith(("CJK", "HANGUL", "HIRAGANA", "KATAKANA", "FULLWIDTH", "IDEOGRAPHIC"))
