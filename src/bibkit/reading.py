"""Reading an input: its format (--from, the suffix, the content), its records read and
inferred, each under one guard, and a forced format the content does not match said once."""

from __future__ import annotations

from collections.abc import Iterator
from functools import partial

from .formats import registry
from .infer.categories import CATEGORY_AS_WRITTEN, is_category
from .infer.keys import assign_keys
from .infer.rules import infer_all
from .io.files import Input, UsageError
from .model.citation import Citation, evolve
from .model.context import ReadContext
from .model.diagnostics import Diagnostics


def read(inp: Input, fmt: str, ctx: ReadContext, *, infer: bool = True) -> Iterator[Citation]:
    """The citations of an input, inferred (unless `infer` is off), not yet keyed."""
    # a RecordReader counts and guards each record; a plugin's plain function does its own
    stream = map(partial(_category_checked, ctx=ctx),
                 registry.reader(fmt)(inp.lines(ctx.diags), ctx))
    return map(partial(_inferred, ctx=ctx), stream) if infer else stream


def read_checked(inp: Input, fmt: str, ctx: ReadContext, infer: bool, forced: bool
                 ) -> Iterator[Citation]:
    """The input read as `fmt`; when --from forced a format the content does not look like,
    the read is held until it ends: if (almost) nothing read as that format, one error names
    what the file looks like instead of a diagnostic for every line."""
    looks = registry.sniff(inp.head) if forced else []
    if not looks or any(registry.reader(f) is registry.reader(fmt) for f in looks):
        return read(inp, fmt, ctx, infer=infer)
    return _read_forced(inp, fmt, ctx, infer, looks)


def _read_forced(inp: Input, fmt: str, ctx: ReadContext, infer: bool, looks: list[str]
                 ) -> Iterator[Citation]:
    run_diags, held = ctx.diags, Diagnostics(ctx.diags.file)
    ctx.diags = held
    try:
        citations = list(read(inp, fmt, ctx, infer=infer))
    finally:
        ctx.diags = run_diags
    problems = held.errors + held.warnings
    if not citations or problems > 5 * len(citations):
        entries = "1 entry" if len(citations) == 1 else f"{len(citations)} entries"
        run_diags.error("BK310", f"--from {fmt} read {entries} and {problems} "
                        f"problem{'s' * (problems != 1)}: the file looks like "
                        f"{' or '.join(looks)}; give --from {looks[0]} or leave --from out")
        ctx.profile = None  # what the wrong reader took for an owner
        return iter(())
    for d in held:
        run_diags.adopt(d)
    return iter(citations)


def _category_checked(c: Citation, ctx: ReadContext) -> Citation:
    """An arXiv category that is none ("cs.XYZ", a listing's ambiguous "GT") is no class in
    any output: it is said, and kept as written apart from the identifiers."""
    code = c.ids.arxiv_class
    if not code or is_category(code):
        return c
    ctx.diags.warning("BK206", f"{code!r} is not an arXiv category: kept as written, not "
                      "as the entry's category", line=c.origin.line, key=c.key)
    return evolve(c, ids=evolve(c.ids, arxiv_class=""),
                  extra=(*c.extra, (CATEGORY_AS_WRITTEN, code)))


def _inferred(c: Citation, ctx: ReadContext) -> Citation:
    """The inference rules; a rule that overrules what the source said is reported."""
    out = infer_all(c, ctx.as_of)
    for p in out.provenance[len(c.provenance):]:
        if p.rule == "arxiv-id-year":
            ctx.diags.warning("BK203", f"date {out.issued.iso()} instead of {c.issued.iso()}: "
                              f"{p.evidence}", line=c.origin.line)
        elif p.rule == "withdrawn":
            ctx.diags.warning("BK207", f"withdrawn by its authors ({p.evidence!r}): cited as "
                              "withdrawn", line=c.origin.line, key=c.key)
        elif p.rule == "venue-not-in-table":
            ctx.diags.warning("BK205", f"venue {out.venue.name!r} read from {p.evidence!r}: "
                              "not in bibkit's venue table; check it", line=c.origin.line)
    return out


def iter_citations(inp: Input, fmt: str, ctx: ReadContext, *, infer: bool = True
                   ) -> Iterator[Citation]:
    """Citations of an input, inferred and keyed, one at a time."""
    return assign_keys(read(inp, fmt, ctx, infer=infer), ctx.diags)


def input_format(inp: Input, explicit: str | None) -> str:
    """--from beats the file suffix beats sniffing the content."""
    if explicit:
        return registry.get(explicit, "read").name
    spec = registry.by_suffix(inp.name, "read")
    if spec is not None:
        return spec.name
    found = registry.sniff(inp.head)
    if len(found) == 1:
        return found[0]
    if not found:
        readable = ", ".join(n for n, s in registry.formats().items() if s.reader)
        raise UsageError(
            f"{inp.name}: cannot tell the input format; name it with --from ({readable})"
        )
    raise UsageError(f"{inp.name}: the input could be {' or '.join(found)}; name it with --from")


