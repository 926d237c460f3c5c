"""ARCHITECTURE.md's invariants, checked on the code: each layer imports only the layers
below it (lazy imports inside functions too), no module imports another's private name, and
the codemap names every package and module that exists."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from conftest import ROOT

SRC = ROOT / "src"
# lowest first; a layer may import only layers listed before it (and itself)
LAYERS = ["version", "data", "model", "tex", "infer", "io", "formats", "enrich", "cv",
          "pipeline", "api", "sync", "testing", "cli", "__main__", "__init__"]


def _modules() -> dict[str, tuple[Path, bool]]:
    out = {}
    for path in SRC.rglob("*.py"):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        package = parts[-1] == "__init__"
        out[".".join(parts[:-1] if package else parts)] = (path, package)
    return out


def _imports(name: str, path: Path, package: bool) -> list[tuple[str, str]]:
    """(imported module, imported name) for every bibkit import in the module."""
    base = name.split(".") if package else name.split(".")[:-1]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = base[: len(base) - (node.level - 1)]
                target = ".".join(parts + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            out += [(target, alias.name) for alias in node.names if target.startswith("bibkit")]
        elif isinstance(node, ast.Import):
            out += [(alias.name, "") for alias in node.names if alias.name.startswith("bibkit")]
    return out


def _layer(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_each_layer_imports_only_the_layers_below_it():
    modules = _modules()
    wrong = []
    for name, (path, package) in modules.items():
        mine = LAYERS.index(_layer(name))
        for target, imported in _imports(name, path, package):
            full = f"{target}.{imported}"
            theirs = _layer(full if full in modules else target)
            if theirs != "__init__" and LAYERS.index(theirs) > mine:
                wrong.append(f"{name} imports {full}")
    assert not wrong, wrong


def test_no_module_imports_a_private_name_of_another():
    modules = _modules()
    private = [f"{name} imports {target}.{imported}"
               for name, (path, package) in modules.items()
               for target, imported in _imports(name, path, package)
               if re.fullmatch(r"_[^_].*", imported) and target != name]
    assert not private, private


def test_the_codemap_names_every_module():
    codemap = (ROOT / "ARCHITECTURE.md").read_text(encoding="utf-8")
    missing = [name for name in _modules() if name.count(".") >= 1
               and not name.endswith("__main__")
               and f"`{name.split('.', 1)[1].replace('.', '/')}" not in codemap]
    assert not missing, missing
