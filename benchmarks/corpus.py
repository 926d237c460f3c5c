"""Generate realistic listing corpora of N cards from the shape of the bundled sample.

Cards are rebuilt from the sample's own titles, author lines and abstracts, shuffled and
varied (accented and particle names, LaTeX in abstracts, URLs with trailing punctuation,
yearless dates, score prefixes, affiliations, venue phrases), so sizes scale while the
text stays like the real thing. Deterministic for a given N and seed.

    python benchmarks/corpus.py 10000 > /tmp/listing-10k.txt
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Iterator
from pathlib import Path

SAMPLE = Path(__file__).resolve().parent.parent / "samples/listing/profile-listing.txt"
MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
CATS = ["LG", "LG", "LG", "CV", "CV", "CL", "AI", "CR", "ML", "IV", "RO", "quant-ph", "stat.ML"]
EXTRA_NAMES = ["Seán O'Brien", "Jan van der Berg", "Diederik P. Kingma", "Zoë Müller",
               "José Ángel García", "Łukasz Kaiser", "Martin Luther King Jr.", "Ana de la Cruz"]
LATEX_BITS = [r"\emph{robust}", r"$\textbf{mo}$derately", r"\textit{in-the-wild}",
              r"10\% fewer", r"2--3$\times$ faster", r"Schr{\"o}dinger", r"$\alpha$-divergence"]
VENUES = ["Accepted at ICLR 2023.", "Published in NeurIPS 2022.", "To appear in TPAMI.",
          "(ICML 2024)", "CVPR 2023 camera ready."]


_HEADER = re.compile(r"^[\d.]*[A-Za-z.-]+(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d")


def _sample_parts() -> tuple[list[str], list[str], list[str]]:
    """Titles, author lines and abstracts of the sample's cards (blank-line blocks)."""
    blocks = SAMPLE.read_text(encoding="utf-8").split("\n\n")
    titles, authors, abstracts = [], [], []
    for i, block in enumerate(blocks[:-2]):
        lines = block.split("\n")
        if len(lines) == 2 and _HEADER.match(lines[0]):
            titles.append(lines[1])
            authors.append(blocks[i + 1])
            if len(blocks[i + 2]) > 200:
                abstracts.append(blocks[i + 2])
    return titles, authors, abstracts


def cards(n: int, seed: int = 1) -> Iterator[str]:
    rnd = random.Random(seed)
    titles, authors, abstracts = _sample_parts()
    yield "Bo Han\n\nLG\nh-index87\n263papers\n12,368citations\nNovelty54%\nAI Score64\n\n"
    yield f"{n} Papers\n\n"
    for i in range(n):
        score = f"{rnd.uniform(50, 99):.1f}" if rnd.random() < 0.1 else ""
        cat = rnd.choice(CATS)
        date = f"{rnd.choice(MONTHS)} {rnd.randint(1, 28)}"
        if rnd.random() < 0.9:
            date += f", {rnd.randint(2015, 2025)}"
        code = "Code" if rnd.random() < 0.4 else ""
        words = rnd.choice(titles).split()
        rnd.shuffle(words)
        title = " ".join(words) + f" {i}"
        author = rnd.choice(authors)
        if rnd.random() < 0.2:
            author = rnd.choice(EXTRA_NAMES) + ", " + author
        abstract = rnd.choice(abstracts)
        if rnd.random() < 0.15:
            abstract = abstract.replace(" the ", f" the {rnd.choice(LATEX_BITS)} ", 1)
        if rnd.random() < 0.05:
            abstract += " " + rnd.choice(VENUES)
        if rnd.random() < 0.05:
            abstract = abstract.replace(". ", ".\n", 2)  # a multi-line abstract
        yield f"{score}{cat}{date}{code}\n{title}\n\n{author}\n\n{abstract}\n\n"


def main() -> None:
    ap = argparse.ArgumentParser(description="Write N synthetic listing cards to stdout.")
    ap.add_argument("n", type=int, help="number of cards")
    n = ap.parse_args().n
    out = sys.stdout
    for chunk in cards(n):
        out.write(chunk)


if __name__ == "__main__":
    main()
