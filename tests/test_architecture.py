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
LAYERS = ["version", "data", "model", "tex", "infer", "io", "formats", "enrich", "profile", "cv",
          "reading", "pipeline", "api", "sync", "web", "testing", "cli", "__main__", "__init__"]


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


def _top_level_imports(name: str, path: Path, package: bool, modules: dict) -> set[str]:
    """The bibkit modules a module imports when it is loaded (not inside functions, not
    for type checking only)."""
    base = name.split(".") if package else name.split(".")[:-1]
    out = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom):
            if node.level:
                parts = base[: len(base) - (node.level - 1)]
                target = ".".join(parts + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            for alias in node.names:
                full = f"{target}.{alias.name}"
                out.add(full if full in modules else target)
        elif isinstance(node, ast.Import):
            out |= {alias.name for alias in node.names}
    return {m for m in out if m in modules and m != name}


def test_no_import_circle():
    modules = _modules()
    graph = {name: _top_level_imports(name, path, package, modules)
             for name, (path, package) in modules.items()}
    # a package's modules import the package (`from .. import RecordReader`) while it is
    # being loaded; that is Python's ordinary package loading, not a circle between modules
    done: set[str] = set()
    circles = []

    def visit(name: str, stack: list[str]) -> None:
        if name in stack:
            circle = [*stack[stack.index(name):], name]
            if not all(name.startswith(other + ".") or other.startswith(name + ".")
                       or other == name for other in circle):
                circles.append(" -> ".join(circle))
            return
        if name in done:
            return
        for target in sorted(graph[name]):
            if not name.startswith(target + "."):  # a module importing its own package
                visit(target, [*stack, name])
        done.add(name)

    for name in sorted(graph):
        visit(name, [])
    assert not circles, circles


def test_no_module_over_500_lines_and_no_function_over_60():
    """ARCHITECTURE.md's size rule: small modules with one job, functions that fit on a
    screen (a click command's decorators are declarations and do not count)."""
    big, long = [], []
    for path in sorted((SRC / "bibkit").rglob("*.py")):
        text = path.read_text(encoding="utf-8")
        if text.count("\n") > 500:
            big.append(f"{path.relative_to(SRC)}: {text.count(chr(10))} lines")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                lines = node.end_lineno - node.lineno + 1  # from `def`: decorators apart
                if lines > 60:
                    long.append(f"{path.relative_to(SRC)}:{node.name}: {lines} lines")
    assert not big and not long, big + long
