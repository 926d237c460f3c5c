"""Time `bibkit convert` as whole processes against named peers, in the same run.

For each size N (cards), generate a listing (benchmarks/corpus.py) and the equivalent .bib,
then run, each `--repeat` times, interleaved so machine noise hits every contender alike:

  cat          `cat LISTING > /dev/null`: the I/O floor
  split        benchmarks/split.py: a bare Python split of the listing into cards, with the
               listing reader's own header rule: the floor for any Python reader
  bibkit       `bibkit convert LISTING --to bibtex -o OUT`: parse, infer, escape, write
  bibkit@REV   the same, from an earlier revision's source (--old REV): the gain, same run
  bibtexparser bibtexparser v2 `parse_file` of the equivalent .bib: the reference parser
               users reach for (parse only, no LaTeX decoding, no writing)

and report medians: seconds, MB/s of the listing, cards/s, peak RSS (from wait4, per
process), and ratios. Machines here are shared; read the ratios, not the absolute times.
Every bibkit tree is byte-compiled first, as an installed package is, so no run pays for
compiling its source (PYTHONDONTWRITEBYTECODE would otherwise make every run do it).

    python benchmarks/run.py --sizes 1000,10000,100000 --repeat 3 --old HEAD~1
"""

from __future__ import annotations

import argparse
import contextlib
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
CORPUS = HERE / "corpus"
Contender = tuple[list[str], dict[str, str] | None]  # argv, environment (None: this one's)


def compiled(src: Path) -> None:
    """Byte-compile a source tree, as `pip install` does for an installed package."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(src)], check=True,
                   stdout=subprocess.DEVNULL)


@contextlib.contextmanager
def old_source(rev: str | None) -> Iterator[dict[str, str] | None]:
    """An environment that runs bibkit from revision `rev`'s source (a git worktree), or
    None without a revision."""
    compiled(ROOT / "src")
    if not rev:
        yield None
        return
    with tempfile.TemporaryDirectory() as tmp:
        tree = Path(tmp) / "old"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "-q", "--detach", str(tree),
                        rev], check=True)
        try:
            compiled(tree / "src")
            yield {**os.environ, "PYTHONPATH": str(tree / "src")}
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(tree)],
                           check=False)


def generate(n: int) -> tuple[Path, Path]:
    """The listing of n cards and its .bib (made by bibkit once; both cached)."""
    sys.path.insert(0, str(HERE))
    from corpus import cards

    CORPUS.mkdir(exist_ok=True)
    listing, bib = CORPUS / f"listing-{n}.txt", CORPUS / f"listing-{n}.bib"
    if not listing.exists():
        with listing.open("w", encoding="utf-8") as fh:
            for chunk in cards(n):
                fh.write(chunk)
    if not bib.exists():
        subprocess.run([sys.executable, "-m", "bibkit", "convert", str(listing), "-o",
                        str(bib), "-q", "--as-of", "2026-11-27"], check=True)
    return listing, bib


def measure(argv: list[str], check: bool = True,
            env: dict[str, str] | None = None) -> tuple[float, int]:
    """Wall seconds and peak RSS (KiB) of one process (check: fail on a non-zero exit).

    The process is started with posix_spawn, not fork: a forked child starts with a copy of
    this (possibly large) process's resident pages, which would count in its peak RSS.
    """
    with tempfile.TemporaryFile() as err:
        actions = [(os.POSIX_SPAWN_OPEN, 1, os.devnull, os.O_WRONLY, 0),
                   (os.POSIX_SPAWN_DUP2, err.fileno(), 2)]
        start = time.perf_counter()
        pid = os.posix_spawnp(argv[0], argv, os.environ if env is None else env,
                              file_actions=actions)
        _, status, usage = os.wait4(pid, 0)
        elapsed = time.perf_counter() - start
        code = os.waitstatus_to_exitcode(status)
        if check and code != 0:
            err.seek(0)
            raise SystemExit(f"{argv[:4]} failed ({code}): {err.read().decode()[-500:]}")
    return elapsed, usage.ru_maxrss


def publish(lines: list[str], markdown: Path | None) -> None:
    """Print a Markdown table (and write it to `markdown` when asked)."""
    table = "\n".join(lines)
    print(table)
    if markdown:
        markdown.write_text(table + "\n", encoding="utf-8")


def contenders(listing: Path, bib: Path, out: Path, old: dict[str, str] | None,
               rev: str | None) -> dict[str, Contender]:
    convert = [sys.executable, "-m", "bibkit", "convert", str(listing), "--to", "bibtex",
               "-o", str(out), "-q", "--as-of", "2026-11-27"]
    peers: dict[str, Contender] = {
        "cat": (["sh", "-c", f'cat "{listing}" > /dev/null'], None),
        "split": ([sys.executable, str(HERE / "split.py"), str(listing)], None),
        "bibkit": (convert, None),
    }
    if old is not None:
        peers[f"bibkit@{rev}"] = (convert, old)
    try:
        import bibtexparser  # noqa: F401

        peers["bibtexparser"] = ([sys.executable, "-c", "import bibtexparser; "
                                  f"bibtexparser.parse_file({str(bib)!r})"], None)
    except ImportError:
        print("bibtexparser not installed: that peer is skipped", file=sys.stderr)
    return peers


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="1000,10000,100000")
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--old", metavar="REV", help="also run this revision's bibkit (git)")
    ap.add_argument("--markdown", type=Path, help="also write the table here")
    args = ap.parse_args()
    rows = []
    with old_source(args.old) as old_env:
        for n in (int(s) for s in args.sizes.split(",")):
            listing, bib = generate(n)
            mb = listing.stat().st_size / 1e6
            peers = contenders(listing, bib, CORPUS / f"out-{n}.bib", old_env, args.old)
            runs: dict[str, list[tuple[float, int]]] = {name: [] for name in peers}
            for _ in range(args.repeat):
                for name, (argv, env) in peers.items():  # interleaved: noise hits all alike
                    runs[name].append(measure(argv, env=env))
            med = {k: statistics.median(t for t, _ in v) for k, v in runs.items()}
            rss = {k: max(r for _, r in v) for k, v in runs.items()}
            for name in peers:
                rows.append({
                    "cards": n, "MB": mb, "tool": name, "s": med[name],
                    "MB/s": mb / med[name], "cards/s": n / med[name],
                    "RSS MB": rss[name] / 1024, "vs split": med[name] / med["split"],
                    "vs bibkit": med[name] / med["bibkit"],
                })
            print(f"{n} cards ({mb:.1f} MB): " + ", ".join(
                f"{k} {med[k]:.2f}s {mb / med[k]:.1f} MB/s {rss[k] / 1024:.0f} MB"
                for k in peers), file=sys.stderr)
    lines = ["| cards | MB | tool | median s | MB/s | cards/s | peak RSS MB | time / split | "
             "time / bibkit |", "|---:|---:|---|---:|---:|---:|---:|---:|---:|"]
    for r in rows:
        lines.append(f"| {r['cards']:,} | {r['MB']:.1f} | {r['tool']} | {r['s']:.2f} | "
                     f"{r['MB/s']:.1f} | {r['cards/s']:,.0f} | {r['RSS MB']:.0f} | "
                     f"{r['vs split']:.2f} | {r['vs bibkit']:.2f} |")
    publish(lines, args.markdown)
    shutil.rmtree(CORPUS / "tmp", ignore_errors=True)


if __name__ == "__main__":
    main()
