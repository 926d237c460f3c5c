"""Time BibTeX -> CSL-JSON and BibTeX -> RIS as whole processes against named peers.

Corpora: .bib files of N entries made from the listing corpus (benchmarks/corpus.py) and
written with `--ascii`, so accents are LaTeX commands the readers must decode, and every
entry has a long abstract. Contenders, interleaved, medians of --repeat runs:

  bibkit-csl    bibkit convert X.bib --to csljson       (full LaTeX -> Unicode decoding)
  bibkit-ris    bibkit convert X.bib --to ris
  bibkit-csl@REV  the first, from an earlier revision's source (--old REV): the gain
  pandoc        pandoc 3 -f bibtex -t csljson           (pypandoc-binary)
  citation.js   node benchmarks/js/convert.js X.bib     (when node and `npm install` are there)
  bibtexparser  bibtexparser v2 parse_file + write_string (no LaTeX decoding)

A peer slower than --budget seconds on a size is not run on larger sizes (its time is
reported as "skipped"): citation.js grows quadratically on this corpus.

Every bibkit tree is byte-compiled first, as an installed package is.

    python benchmarks/formats.py --sizes 1000,10000,100000 --repeat 3 --old HEAD~1
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
from pathlib import Path

from run import CORPUS, HERE, Contender, generate, measure, old_source, publish


def bib_corpus(n: int) -> Path:
    listing, _ = generate(n)
    bib = CORPUS / f"ascii-{n}.bib"
    if not bib.exists():
        subprocess.run([sys.executable, "-m", "bibkit", "convert", str(listing), "--ascii",
                        "-o", str(bib), "-q", "--as-of", "2026-11-27"], check=True)
    return bib


def contenders(bib: Path, old: dict[str, str] | None, rev: str | None
               ) -> dict[str, Contender]:
    out = CORPUS / "out"
    csl = [sys.executable, "-m", "bibkit", "convert", str(bib), "--to", "csljson",
           "-o", f"{out}.json", "-q"]
    peers: dict[str, Contender] = {
        "bibkit-csl": (csl, None),
        "bibkit-ris": ([sys.executable, "-m", "bibkit", "convert", str(bib), "--to", "ris",
                        "-o", f"{out}.ris", "-q"], None),
    }
    if old is not None:
        peers[f"bibkit-csl@{rev}"] = (csl, old)
    try:
        import pypandoc

        peers["pandoc"] = ([pypandoc.get_pandoc_path(), "-f", "bibtex", "-t", "csljson",
                            str(bib), "-o", f"{out}.pandoc.json"], None)
    except ImportError:
        print("pypandoc-binary not installed: pandoc skipped", file=sys.stderr)
    node = shutil.which("node")
    if node and (HERE / "js/node_modules/@citation-js/core").is_dir():
        peers["citation.js"] = (["sh", "-c", f'"{node}" "{HERE}/js/convert.js" "{bib}" csl '
                                 f'> "{out}.cjs.json"'], None)
    else:
        print("citation.js skipped: run `npm install` in benchmarks/js", file=sys.stderr)
    peers["bibtexparser"] = ([sys.executable, "-c", "import bibtexparser; "
                              "bibtexparser.write_string("
                              f"bibtexparser.parse_file({str(bib)!r}))"], None)
    return peers


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--budget", type=float, default=120.0,
                    help="seconds; a slower peer is not run on larger sizes")
    ap.add_argument("--old", metavar="REV", help="also run this revision's bibkit (git)")
    ap.add_argument("--markdown", type=Path)
    args = ap.parse_args()
    too_slow: set[str] = set()
    rows = []
    with old_source(args.old) as old_env:
        for n in (int(s) for s in args.sizes.split(",")):
            bib = bib_corpus(n)
            mb = bib.stat().st_size / 1e6
            peers = {k: v for k, v in contenders(bib, old_env, args.old).items()
                     if k not in too_slow}
            runs: dict[str, list[tuple[float, int]]] = {k: [] for k in peers}
            for i in range(args.repeat):
                for name, (argv, env) in peers.items():
                    if i and name in too_slow:
                        continue  # one run of a slow peer is enough
                    runs[name].append(measure(argv, env=env))
                    if runs[name][-1][0] > args.budget:
                        too_slow.add(name)
            base = statistics.median(t for t, _ in runs["bibkit-csl"])
            for name, samples in runs.items():
                med = statistics.median(t for t, _ in samples)
                rows.append((n, mb, name, med, mb / med, max(r for _, r in samples) / 1024,
                             med / base))
                print(f"{n} entries {mb:.1f} MB {name}: {med:.2f}s {mb / med:.2f} MB/s "
                      f"{max(r for _, r in samples) / 1024:.0f} MB", file=sys.stderr)
            for name in too_slow - set(peers):
                rows.append((n, mb, name, None, None, None, None))
    lines = ["| entries | MB | tool | median s | MB/s | peak RSS MB | time / bibkit-csl |",
             "|---:|---:|---|---:|---:|---:|---:|"]
    for n, mb, name, med, rate, rss, ratio in rows:
        if med is None:
            lines.append(f"| {n:,} | {mb:.1f} | {name} | skipped (over budget on a smaller "
                         "size) | | | |")
        else:
            lines.append(f"| {n:,} | {mb:.1f} | {name} | {med:.2f} | {rate:.2f} | {rss:.0f} | "
                         f"{ratio:.2f} |")
    publish(lines, args.markdown)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
