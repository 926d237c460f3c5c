"""A/B: this checkout's bibkit against an earlier revision's, on the same corpora, in the
same run (interleaved, medians), as whole processes: a change must not slow bibkit down.

    python benchmarks/ab.py --old e7df1f0 --sizes 10000,100000 --repeat 5

The old revision is checked out with `git worktree` into a temporary folder and run from
its source (PYTHONPATH), with the same interpreter and the same installed libraries; both
trees are byte-compiled first (benchmarks/run.py `old_source`).
Reports, per task and size, each side's median seconds and peak RSS, and new/old ratios
(time: below 1.0 is faster; speed ratio = old/new).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
from pathlib import Path

from run import CORPUS, generate, measure, old_source


def tasks(listing: Path, bib: Path, out: Path) -> dict[str, list[str]]:
    run = [sys.executable, "-m", "bibkit", "convert"]
    opts = ["-q", "--as-of", "2026-11-27", "-o"]
    return {
        "listing->bibtex": [*run, str(listing), "--to", "bibtex", *opts, str(out)],
        "bibtex->csljson": [*run, str(bib), "--to", "csljson", *opts, str(out)],
        "bibtex->ris": [*run, str(bib), "--to", "ris", *opts, str(out)],
        "listing->cv-html": [*run, str(listing), "--to", "cv-html", *opts, str(out)],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--old", required=True, help="the revision to compare against")
    ap.add_argument("--sizes", default="10000,100000")
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    with old_source(args.old) as old_env:
        assert old_env is not None
        envs = {"old": old_env, "new": None}
        print("| task | entries | old s | new s | speed new/old | old RSS MB | "
              "new RSS MB |\n|---|---:|---:|---:|---:|---:|---:|")
        for n in (int(s) for s in args.sizes.split(",")):
            listing, bib = generate(n)
            for name, argv in tasks(listing, bib, CORPUS / f"ab-out-{n}").items():
                if name.endswith("cv-html") and _lacks_cv_writer(old_env):
                    continue
                runs: dict[str, list[tuple[float, int]]] = {"old": [], "new": []}
                for _ in range(args.repeat):
                    for side in ("old", "new"):  # interleaved: noise hits both alike
                        runs[side].append(measure(argv, env=envs[side]))
                t = {k: statistics.median(s for s, _ in v) for k, v in runs.items()}
                rss = {k: max(r for _, r in v) / 1024 for k, v in runs.items()}
                print(f"| {name} | {n:,} | {t['old']:.2f} | {t['new']:.2f} | "
                      f"{t['old'] / t['new']:.3f} | {rss['old']:.0f} | {rss['new']:.0f} |",
                      flush=True)


def _lacks_cv_writer(env: dict[str, str]) -> bool:
    probe = [sys.executable, "-c", "try:\n from bibkit.formats import registry\n"
             "except ImportError:\n from bibkit import registry\n"
             "registry.get('cv-html', 'write')"]
    return subprocess.run(probe, env=env, capture_output=True).returncode != 0


if __name__ == "__main__":
    main()
