"""Writers: each writes citations in its format, one at a time.

A citation carries the fields of its source that the model has no slot for (`extra`,
"bibtex:mrnumber", "csl:event-place"); each writer writes back those of its own format. What
it cannot write is said (BK402) with `left_out`, never dropped unsaid.
"""

from __future__ import annotations

from collections.abc import Callable

from ...model.citation import Citation
from ...model.context import WriteContext

# a listing's own data (the site's category code, score and badges) is no bibliographic
# field: every format leaves it out, by design, without a word
_SITE_DATA = "listing:"


def left_out(c: Citation, writes: Callable[[str], bool], fmt: str, ctx: WriteContext) -> None:
    """Say which kept source fields a writer of `fmt` leaves out: every one it does not
    write back (`writes(name)` is False)."""
    names = [name for name, _ in c.extra if not name.startswith(_SITE_DATA) and not writes(name)]
    if names:
        ctx.diags.info("BK402", f"{', '.join(names)} left out: {fmt} has no field for "
                       f"{'it' if len(names) == 1 else 'them'}", line=c.origin.line, key=c.key)
    # a name given with its original script ("Li Na (李娜)") is written in its Latin form;
    # the original has a place in CSL-JSON (custom) only
    scripts = [p.evidence for p in c.provenance if p.rule == "original-script"]
    if scripts:
        ctx.diags.info("BK402", f"the original script of {'; '.join(scripts)} left out: {fmt} "
                       "has no field for a name's other form (CSL-JSON keeps it)",
                       line=c.origin.line, key=c.key)
