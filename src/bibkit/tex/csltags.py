"""CSL 1.0.2 rich text in CSL-JSON values (`<i>`, `<b>`, `<sup>`, `<sub>`, small caps and
`nocase` spans) as model spans; a tag CSL does not define, or one never closed, is text."""

from __future__ import annotations

import re

from .decode import math_only
from .spans import rich_span

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
