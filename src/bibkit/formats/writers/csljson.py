"""CSL-JSON writer: a valid JSON array written one item at a time (memory stays flat)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import TextIO

from ...model.citation import Citation
from ...model.context import WriteContext
from ...tex.mathcsl import math_to_csl
from ...tex.spans import TEX, Tex, parse
from ..csl import OTHERS, PROFILE_OWNER, name_variables, to_csl, zotero_name

_encode = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": ")).encode
_encode_str = json.encoder.encode_basestring  # what _encode gives a str, without its wrapper


def _value(value: object) -> str:
    return _encode_str(value) if type(value) is str else _encode(value)


def write(citations: Iterable[Citation], out: TextIO, ctx: WriteContext) -> int:
    """Write citations as a CSL-JSON array; returns how many."""
    n = 0
    zotero = ctx.options.get("names") == "zotero"
    owner = ""
    as_source: list[str] = []  # math CSL's rich text cannot say: kept as TeX source
    out.write("[")
    for c in citations:
        item = to_csl(c, c.key)  # keys: made by the pipeline
        if TEX in c.title or (TEX in c.abstract and ctx.abstract):
            as_source += math_without_rendering(c.title, c.abstract if ctx.abstract else "")
        if n == 0 and ctx.source is not None and ctx.source.profile is not None:
            owner = ctx.source.profile.name  # known once the listing's header was read
        if owner:
            item.setdefault("custom", {}).setdefault("bibkit", {})[PROFILE_OWNER] = owner
        if zotero:
            for var in name_variables() & item.keys():
                item[var] = [zotero_name(name) for name in item[var] if name != OTHERS]
        if not ctx.abstract:
            item.pop("abstract", None)
        out.write(",\n  {\n" if n else "\n  {\n")
        # one variable a line, each value in compact JSON: readable, diffable, and made by
        # the C encoder (json's indent= mode runs a pure-Python encoder, 5x slower)
        out.write(",\n".join(f"    {_encode_str(k)}: {_value(v)}" for k, v in item.items()))
        out.write("\n  }")
        n += 1
    out.write("\n]\n" if n else "]\n")
    if as_source:
        shown = ", ".join(dict.fromkeys(as_source[:5]))
        ctx.diags.info("BK413", f"{len(as_source)} math span(s) kept as TeX source in CSL-JSON "
                       f"(no exact CSL rich text for them; CSL processors show them as "
                       f"written): {shown}")
    return n


def math_without_rendering(*texts: str) -> list[str]:
    """The inline math in the texts that CSL rich text cannot say exactly."""
    return [node.source for text in texts if TEX in text for node in parse(text)
            if isinstance(node, Tex) and node.is_math and math_to_csl(node.source) is None]

