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


CV_SUFFIXES = {"markdown": ".md", "latex": ".tex", "html": ".html", "text": ".txt"}


def cv_cases() -> list[tuple[str, Path, str]]:
    """Every listing sample as each CV format (the listing names the owner to highlight)."""
    return [(r, p, f) for r, p in inputs() if r == "listing" for f in CV_SUFFIXES]


def cv_expected_path(input_path: Path, fmt: str) -> Path:
    return input_path.with_name(input_path.stem + ".expected") / f"cv{CV_SUFFIXES[fmt]}"


def render_cv(reader: str, input_path: Path, fmt: str) -> str:
    from bibkit.cv import CvOptions
    from bibkit.cv import render as render_cv_text

    lib = load(input_path, reader, as_of=AS_OF)
    return render_cv_text(lib.citations, CvOptions(fmt=fmt), lib.profile).text


def main() -> None:
    jobs = [(expected_path(p, w), lambda r=r, p=p, w=w: render(r, p, w))
            for r, p in inputs() for w in writers()]
    jobs += [(cv_expected_path(p, f), lambda r=r, p=p, f=f: render_cv(r, p, f))
             for r, p, f in cv_cases()]
    for target, make in jobs:
        target.parent.mkdir(exist_ok=True)
        text = make()
        old = target.read_bytes().decode("utf-8") if target.exists() else None
        if old != text:
            target.write_text(text, encoding="utf-8", newline="")
            print(f"updated {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
