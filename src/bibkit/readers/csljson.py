"""CSL-JSON reader: an array of items or a single item (Zotero, pandoc, citation.js).

Every problem names the item by its JSON pointer (`/3/author/0`); the other items convert.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from ..context import ReadContext
from ..csl import CslError, from_csl
from ..model import Citation


def read(stream: Iterable[str], ctx: ReadContext) -> Iterator[Citation]:
    text = "\n".join(stream)
    if not text.strip():
        ctx.diags.error("BK301", "input is empty")
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        ctx.diags.error("BK601", f"not valid JSON: {exc.msg} (column {exc.colno})", line=exc.lineno)
        return
    items = data if isinstance(data, list) else [data]
    prefix = "" if isinstance(data, list) else None
    if not items:
        ctx.diags.warning("BK304", "the JSON array holds no items")
    for i, item in enumerate(items):
        ctx.blocks += 1
        pointer = f"/{i}" if prefix is not None else ""
        if not isinstance(item, dict):
            ctx.diags.error("BK602", f"item {pointer or '/'} is not an object; skipped")
            continue
        try:
            yield from_csl(item, 0, ctx.diags.file)
        except CslError as exc:
            ctx.diags.error(
                "BK603",
                f"item {pointer}{exc.pointer}: {exc}; item skipped",
                key=str(item.get("id", "")),
            )


def looks_like_csljson(head: str) -> bool:
    start = head.lstrip()[:1]
    return start in ("[", "{") and ('"type"' in head or '"title"' in head or start == "[")
