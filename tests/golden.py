"""Golden cases, found in the samples tree: every input under samples/<reader>/ converted by
every registered writer must equal samples/<reader>/<name>.expected/<writer><suffix>.

Regenerate after an intended change with `python tests/golden.py`, then review the diff.
"""

from __future__ import annotations

import sys
from pathlib import Path

from bibkit import registry
from bibkit.api import dump, load

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
    return [name for name, spec in registry.formats().items() if spec.writer]


def expected_path(input_path: Path, writer: str) -> Path:
    spec = registry.formats()[writer]
    suffix = spec.suffixes[0] if spec.suffixes else ".txt"
    return input_path.with_name(input_path.stem + ".expected") / f"{writer}{suffix}"


def render(reader: str, input_path: Path, writer: str) -> str:
    lib = load(input_path, reader, as_of=AS_OF)
    return dump(lib.citations, writer) or ""


def main() -> None:
    for reader, path in inputs():
        for writer in writers():
            target = expected_path(path, writer)
            target.parent.mkdir(exist_ok=True)
            text = render(reader, path, writer)
            old = target.read_bytes().decode("utf-8") if target.exists() else None
            if old != text:
                target.write_text(text, encoding="utf-8", newline="")
                print(f"updated {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
