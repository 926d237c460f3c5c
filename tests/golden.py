"""Golden cases, found in the samples tree: every input under samples/<reader>/ converted by
every registered writer must equal samples/<reader>/<name>.expected/<writer><suffix>.

`python tests/golden.py` lists the files that differ; after an intended change,
`python tests/golden.py --update` rewrites them (and names each): then review the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bibkit.api import convert
from bibkit.formats import registry

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = ROOT / "samples"
sys.path.insert(0, str(Path(__file__).resolve().parent))
from conftest import AS_OF  # noqa: E402


def inputs() -> list[tuple[str, Path]]:
    """(reader name, input file) for each sample input; the folder names the reader."""
    cases = []
    for reader_dir in sorted(p for p in SAMPLES.iterdir() if p.is_dir()):
        spec = registry.formats().get(reader_dir.name)
        if spec is None or spec.reader is None:
            continue
        for path in sorted(reader_dir.iterdir()):
            if path.is_file() and not path.name.startswith("."):
                cases.append((reader_dir.name, path))
    return cases


def writers() -> list[str]:
    # a writer of a directory (cv-hugo) is checked by its own test, page by page
    return [name for name, spec in registry.formats().items()
            if spec.writer and not spec.directory]


def expected_path(input_path: Path, writer: str) -> Path:
    spec = registry.formats()[writer]
    suffix = spec.suffixes[0] if spec.suffixes else ".txt"
    return input_path.with_name(input_path.stem + ".expected") / f"{writer}{suffix}"


def render(reader: str, input_path: Path, writer: str) -> str:
    """The input through the whole pipeline, as `bibkit convert --to WRITER` runs it."""
    return convert(input_path, to=writer, from_=reader, as_of=AS_OF) or ""


def main() -> None:
    """Compare every golden file; with --update, rewrite those that differ. Prints each."""
    update = "--update" in sys.argv[1:]
    changed = 0
    for r, p in inputs():
        for w in writers():
            target = expected_path(p, w)
            text = render(r, p, w)
            old = target.read_bytes().decode("utf-8") if target.exists() else None
            if old == text:
                continue
            changed += 1
            if update:
                target.parent.mkdir(exist_ok=True)
                target.write_text(text, encoding="utf-8", newline="")
            print(f"{'updated' if update else 'differs'}: {target.relative_to(ROOT)}")
    if changed and not update:
        print(f"{changed} golden file(s) differ; review, then run with --update")
        sys.exit(1)


if __name__ == "__main__":
    main()
