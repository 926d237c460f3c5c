"""CV entries formatted by pybtex's BibTeX styles, as a paper's reference list would be:
`plain`, `unsrt`, `alpha` (labels like [HYL23]) and `unsrtalpha`.

The entries go to pybtex as the BibTeX bibkit writes (UTF-8, without abstract, URL, DOI and
eprint, which the CV shows as its own links), pybtex formats them with the style and renders
them with its backend for the output (text, HTML, LaTeX, Markdown), so its escaping is the
output's. Labels of the alpha styles are computed over the whole list, as bibtex does.

pybtex reads field values as LaTeX (braces are groups, `~` a tie, math through latexcodec):
an entry whose text it would not show exactly (math, braces, a backslash), or that lacks a
field the style requires, is written by the CV's own layout instead, with its label.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence

from ..formats.registry import CV_OPTIONS
from ..infer.names import OwnerMatcher
from ..model.citation import Citation, Person, evolve
from ..model.context import WriteContext
from ..model.diagnostics import Diagnostics
from ..tex.chars import CharEncoder
from ..tex.render import plain as unparse_plain
from ..tex.spans import strip_marks

STYLES = CV_OPTIONS["style"]  # the registry offers them without loading this module
LABELLED = frozenset({"alpha", "unsrtalpha"})  # the label names the entry: shown, not a number
_BACKENDS = {"html": "html", "latex": "latex", "markdown": "markdown", "text": "text"}
_SHOWN_AS_LINKS = ("url", "doi", "eprint", "archiveprefix", "primaryclass", "eprinttype")
_SPACE = r"(?:\s|~|&nbsp;|\\ )+"  # how a backend may join the words of a name
_ASCII = CharEncoder("ascii")
_OTHERS = re.compile(r",?(?:\s|~|&nbsp;)+and(?:\s|~|&nbsp;)+others\\?\.?")


def format_entries(citations: Sequence[Citation], style: str, fmt: str,
                   is_owner: OwnerMatcher, highlight: str
                   ) -> list[tuple[str, str | None]]:
    """(label, rendered entry) for each citation, in order, the owner's name highlighted
    with the layout's `highlight` template; None for an entry that lacks a field the style
    requires (an @article without a journal), which the CV's own layout then writes."""
    from pybtex.database import parse_string
    from pybtex.exceptions import PybtexError
    from pybtex.plugin import find_plugin

    from ..formats.writers.bibtex import write as write_bibtex

    if style not in STYLES:
        raise ValueError(f"style must be one of {', '.join(STYLES)}")
    bib = io.StringIO()
    # without links: the CV shows them after the entry, not in the style's note; keyed by
    # position, since pybtex refuses a key twice and the CV's keys need not be unique
    write_bibtex([evolve(c, key=f"e{i}", links=()) for i, c in enumerate(citations)], bib,
                 WriteContext(Diagnostics(), charset="utf8", abstract=False))
    # pybtex reads field values as LaTeX through latexcodec, which knows \% and accents but
    # not these: give it the characters themselves (its backends escape them)
    data = parse_string(_PLAIN_SIGNS.sub(lambda m: _SIGNS[m.group()], bib.getvalue()),
                        "bibtex")
    for entry in data.entries.values():
        for name in _SHOWN_AS_LINKS:
            entry.fields.pop(name, None)
    formatter = find_plugin("pybtex.style.formatting", style)()
    backend = find_plugin("pybtex.backends", _BACKENDS[fmt])()
    out: list[tuple[str, str | None]] = [("", None)] * len(citations)
    entries = formatter.sort(list(data.entries.values()))
    for label, entry in zip(formatter.format_labels(entries), entries, strict=True):
        at = int(entry.key[1:])
        if not _pybtex_keeps(citations[at]):
            out[at] = (label, None)
            continue
        try:
            formatted = formatter.format_entry(label, entry)
        except (KeyError, PybtexError):  # a field the style requires is missing
            out[at] = (label, None)  # the CV's own layout writes this entry
            continue
        text = " ".join(formatted.text.render(backend).split("\n"))
        # pybtex writes BibTeX's "and others" as words; bibtex's styles print "et al."
        text = _OTHERS.sub(", et al.", text)
        owner = is_owner.owner_in(citations[at].authors)  # this entry's own, no other's
        if owner is not None:
            text = _name_pattern(citations[at].authors[owner]).sub(
                lambda m: highlight.format(name=m.group()), text, count=1)
        if fmt == "latex":
            text = _ASCII.encode(text)  # the CV's LaTeX compiles whatever the input encoding
        out[at] = (label, text)
    return out


_SIGNS = {"\\textless{}": "<", "\\textgreater{}": ">", "\\textbar{}": "|"}
_PLAIN_SIGNS = re.compile("|".join(re.escape(k) for k in _SIGNS))
# what pybtex's LaTeX reading would change (braces are groups, ~ a tie, a backslash a command)
_UNKEPT = re.compile(r"[{}\\~^]")


def _pybtex_keeps(c: Citation) -> bool:
    """Whether pybtex shows this entry's text exactly; if not, the CV's layout writes it."""
    texts = [c.title, c.venue.name, c.venue.short_name, c.venue.publisher, c.note,
             *(p.display() for p in c.authors)]
    return not any(_UNKEPT.search(strip_marks(unparse_plain(t))) for t in texts if t)


def _name_pattern(p: Person) -> re.Pattern[str]:
    words = [*p.given.split(), *p.full_family.split()]
    # a backend may escape a name's full stops (pybtex's Markdown writes "B\\. Han")
    return re.compile(r"(?<!\w)" + _SPACE.join(re.escape(w).replace(r"\.", r"\\?\.")
                                                for w in words) + r"(?!\w)")
