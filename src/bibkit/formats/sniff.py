"""Content sniffers: does this start of an input look like format X?"""

from __future__ import annotations

from .readers.listing import CARD_HEADER_RE


def looks_like_listing(head: str) -> bool:
    """A scholarfeed listing has card header lines ("LGMar 1, 2023Code")."""
    return any(
        CARD_HEADER_RE.fullmatch(line.strip())
        for line in head.splitlines()[:400]
        if 0 < len(line.strip()) <= 48
    )
