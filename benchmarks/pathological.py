"""Pathological and huge inputs, as whole `bibkit check` processes: time and peak memory.

Each case is generated at two sizes; a ratio of times near the ratio of sizes shows linear
behaviour (a quadratic one would show the square), and peak RSS shows what memory does.

  nested-braces   one BibTeX title of N nested brace groups
  nested-web      one listing card whose abstract holds N nested brace groups (web text)
  authors         one BibTeX entry with N authors
  duplicate-keys  N BibTeX entries with the same key
  long-line       one listing card whose abstract is one line of N KB
  listing-scale   a listing of N cards (benchmarks/corpus.py), to see memory stay flat

With --huge: a ~1 GB listing (700k cards) converted to BibTeX, and that .bib to CSL-JSON.

    python benchmarks/pathological.py [--scale 1] [--huge]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from run import CORPUS, generate, measure


def make(case: str, n: int) -> Path:
    CORPUS.mkdir(exist_ok=True)
    text_cases = ("long-line", "listing-scale", "nested-web")
    path = CORPUS / f"{case}-{n}.{'txt' if case in text_cases else 'bib'}"
    if path.exists():
        return path
    if case == "listing-scale":
        return generate(n)[0]
    with path.open("w", encoding="utf-8") as fh:
        if case == "nested-braces":
            fh.write("@article{k, title={" + "{" * n + "x" + "}" * n + "}, year={2020}}\n")
        elif case == "nested-web":
            fh.write("LGMar 1, 2023\nA Title\n\nAnn Lee\n\n")
            fh.write("a" + "{\\x" * n + "}" * n + "\n")
        elif case == "authors":
            fh.write("@article{k, title={T}, year={2020}, author={")
            fh.write(" and ".join(f"Family{i}, Given" for i in range(n)))
            fh.write("}}\n")
        elif case == "duplicate-keys":
            for i in range(n):
                fh.write(f"@misc{{dup, title={{Title {i}}}, year={{2020}}}}\n")
        elif case == "long-line":
            fh.write("LGMar 1, 2023\nA Title\n\nAnn Lee\n\n")
            fh.write("word (x) -- a \\emph{b} " * (n * 1024 // 24) + "\n")
    return path


CASES = {  # case -> (small, large) sizes
    "nested-braces": (10_000, 100_000),
    "nested-web": (8_000, 80_000),
    "authors": (100_000, 1_000_000),
    "duplicate-keys": (10_000, 100_000),
    "long-line": (5_000, 50_000),
    "listing-scale": (10_000, 100_000),
}


def huge() -> None:
    """A ~1 GB listing to BibTeX, that ~1 GB .bib to CSL-JSON, and that CSL-JSON to RIS:
    streaming, flat memory."""
    listing = make_listing(700_000)
    bib = CORPUS / "huge.bib"
    print("| conversion | input MB | seconds | MB/s | peak RSS MB |")
    print("|---|---:|---:|---:|---:|")
    for name, src, argv in (
        ("listing -> bibtex", listing, ["--to", "bibtex", "-o", str(bib)]),
        ("bibtex -> csljson", bib, ["--to", "csljson", "-o", str(CORPUS / "huge.json")]),
        ("csljson -> ris", CORPUS / "huge.json", ["--to", "ris", "-o", str(CORPUS / "huge.ris")]),
    ):
        seconds, rss = measure([sys.executable, "-m", "bibkit", "convert", str(src), "-q",
                                "--as-of", "2026-11-27", *argv], check=False)
        mb = src.stat().st_size / 1e6
        print(f"| {name} | {mb:,.0f} | {seconds:.1f} | {mb / seconds:.1f} | {rss / 1024:.0f} |",
              flush=True)


def make_listing(n: int) -> Path:
    from corpus import cards

    path = CORPUS / f"listing-{n}.txt"
    if not path.exists():
        CORPUS.mkdir(exist_ok=True)
        with path.open("w", encoding="utf-8") as fh:
            for chunk in cards(n):
                fh.write(chunk)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=float, default=1.0, help="multiply every size")
    ap.add_argument("--huge", action="store_true", help="the 1 GB conversions instead")
    args = ap.parse_args()
    if args.huge:
        huge()
        return
    print("| case | size | MB | seconds | peak RSS MB | time ratio / size ratio |")
    print("|---|---:|---:|---:|---:|---:|")
    for case, sizes in CASES.items():
        times = []
        for n in (int(s * args.scale) for s in sizes):
            path = make(case, n)
            seconds, rss = measure([sys.executable, "-m", "bibkit", "check", str(path), "-q"],
                                   check=False)
            times.append(seconds)
            ratio = ""
            if len(times) == 2:
                ratio = f"{(times[1] / times[0]) / (sizes[1] / sizes[0]):.2f}"
            print(f"| {case} | {n:,} | {path.stat().st_size / 1e6:.1f} | {seconds:.2f} | "
                  f"{rss / 1024:.0f} | {ratio} |", flush=True)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
