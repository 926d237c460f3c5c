"""The floor for reading a listing: a bare Python split of the file into cards.

Reads the file line by line as bibkit does (UTF-8, text mode), strips each line and starts a
new card at every line the listing reader's own header pattern matches (the same length
bound, the same regex), collecting each card's lines. Nothing is parsed, inferred or written:
this is what any Python program must spend to see the cards at all.

    python benchmarks/split.py LISTING     # prints the number of cards
"""

from __future__ import annotations

import sys

from bibkit.formats.readers.listing import _MAX_HEADER_LEN, CARD_HEADER_RE


def split(path: str) -> int:
    match = CARD_HEADER_RE.fullmatch
    cards = 0
    body: list[str] = []
    with open(path, encoding="utf-8") as fh:
        for raw in fh:
            text = raw.strip()
            if text and len(text) <= _MAX_HEADER_LEN and match(text):
                cards += 1
                body = []
            else:
                body.append(text)
    return cards


if __name__ == "__main__":
    print(split(sys.argv[1]))
