"""Start-up: `bibkit convert` of the bundled 50-card sample, against `python -c pass` (the
interpreter's own start) in the same run, with hyperfine (Debian/Ubuntu: `apt install
hyperfine`). With --old REV, the same command from an earlier revision's source as well.

Every bibkit tree is byte-compiled first, as an installed package is: start-up is what a user
who installed bibkit waits for, not the compiling of its source.

    python benchmarks/startup.py --runs 40 --old HEAD~1
"""

from __future__ import annotations

import argparse
import json
import shlex
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from run import ROOT, old_source, publish

SAMPLE = ROOT / "samples" / "listing" / "profile-listing.txt"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--runs", type=int, default=40)
    ap.add_argument("--old", metavar="REV", help="also run this revision's bibkit (git)")
    ap.add_argument("--markdown", type=Path, help="also write the table here")
    args = ap.parse_args()
    hyperfine = shutil.which("hyperfine")
    if hyperfine is None:
        raise SystemExit("hyperfine is not installed (apt install hyperfine)")
    with tempfile.TemporaryDirectory() as tmp, old_source(args.old) as old_env:
        # the installed `bibkit` command, as a user types it (else python -m bibkit)
        script = Path(sys.executable).with_name("bibkit")
        program = [str(script)] if script.exists() else [sys.executable, "-m", "bibkit"]
        convert = shlex.join([*program, "convert", str(SAMPLE), "--to", "bibtex", "-o",
                              f"{tmp}/out.bib", "-q", "--as-of", "2026-11-27"])
        commands = {"python -c pass": shlex.join([sys.executable, "-c", "pass"]),
                    "bibkit convert (50 cards)": convert}
        if old_env is not None:  # PYTHONPATH chooses the old source (env adds ~1 ms)
            path = shlex.quote(old_env["PYTHONPATH"])
            commands[f"bibkit@{args.old}"] = f"env PYTHONPATH={path} {convert}"
        report = Path(tmp) / "hyperfine.json"
        argv = [hyperfine, "-N", "--warmup", "5", "--runs", str(args.runs), "--export-json",
                str(report), "--style", "none"]
        for name, command in commands.items():
            argv += ["--command-name", name, command]
        subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
        results = json.loads(report.read_text())["results"]
    base = next(r for r in results if r["command"] == "python -c pass")
    lines = ["| command | median ms | mean ± σ ms | over `python -c pass` ms |",
             "|---|---:|---:|---:|"]
    for r in results:
        lines.append(f"| {r['command']} | {r['median'] * 1000:.0f} | {r['mean'] * 1000:.0f} ± "
                     f"{r['stddev'] * 1000:.0f} | {(r['median'] - base['median']) * 1000:.0f} |")
    publish(lines, args.markdown)


if __name__ == "__main__":
    main()
