"""Unicode text as bibkit keeps it: the control characters it removes, white space
squashed, and the folded form in which names and titles are compared and keys are made.
Decoding TeX is bibkit.tex.decode; escaping text as TeX is bibkit.tex.escape."""

from __future__ import annotations

import re
import unicodedata

# C0 controls other than tab and line feed, DEL and the C1 controls: never text in a
# citation, and on a terminal they move the cursor or clear the screen. The one set of
# control characters bibkit removes (the input's cleaner, JSON escapes, services, URLs): C0
# but tab, LF and CR, then DEL and C1. CR is a line end, handled apart.
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
