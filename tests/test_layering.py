"""Dependencies point one way (DESIGN.md): the graph needs only the standard library,
Qt lives only in `netbuilder/ui/`, and the command line never pulls Qt in.

The package order itself is import-linter's (pyproject.toml, tests/test_import_contracts.py).
These checks see what its contracts do not: every module (top-level ones such as
`netbuilder/screenshots.py` included), imports by literal name (`importlib.import_module`), and
what importing the graph actually loads."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "netbuilder"
HEAVY = ["keras", "tensorflow", "PySide6", "numpy", "h5py", "pyqtgraph"]
QT = {"PySide6", "shiboken6", "pyqtgraph"}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(source: str, module: str, is_package: bool = False) -> list[tuple[int, str]]:
    """(line, dotted name) of everything `source` imports, relative imports resolved.

    `from a import b` yields both `a` and `a.b` (b may be a module), and
    `importlib.import_module("x")` / `__import__("x")` with a literal name count too.
    """
    package = module if is_package else module.rpartition(".")[0]
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.append((node.lineno, base))
            found += [(node.lineno, f"{base}.{alias.name}") for alias in node.names if alias.name != "*"]
        elif isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in {"import_module", "__import__"} and isinstance(node.args[0].value, str):
                found.append((node.lineno, node.args[0].value))
    return found


def all_imports():
    """(relative path, line, imported name) for every import in every netbuilder module."""
    rows = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE.parent).as_posix()
        source = path.read_text(encoding="utf-8")
        for line, name in imported_modules(source, module_name(path), path.name == "__init__.py"):
            rows.append((rel, line, name))
    return rows


def is_under(name: str, package: str) -> bool:
    return name == package or name.startswith(package + ".")


def top(name: str) -> str:
    return name.partition(".")[0]


def test_importing_the_graph_loads_nothing_heavy():
    code = "import json, sys, netbuilder.graph; print(json.dumps(sorted(sys.modules)))"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout)
    assert [m for m in loaded if top(m) in HEAVY] == []
    ours = [m for m in loaded if top(m) == "netbuilder"]
    assert [m for m in ours if m != "netbuilder" and not is_under(m, "netbuilder.graph")] == []


def test_the_scan_sees_the_graph_package():
    files = {rel for rel, _, _ in all_imports()}
    assert {"netbuilder/graph/model.py", "netbuilder/graph/commands.py", "netbuilder/cli.py"} <= files


def test_only_the_ui_imports_qt():
    offenders = [f"{rel}:{line} imports {name}" for rel, line, name in all_imports()
                 if top(name) in QT and not rel.startswith("netbuilder/ui/")]
    assert offenders == []


def test_the_graph_imports_only_the_standard_library_and_itself():
    offenders = [f"{rel}:{line} imports {name}" for rel, line, name in all_imports()
                 if rel.startswith("netbuilder/graph/")
                 and top(name) not in sys.stdlib_module_names
                 and not is_under(name, "netbuilder.graph")]
    assert offenders == []


def _lines_of_function(path: Path, name: str) -> range:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef) and node.name == name:
            return range(node.lineno, (node.end_lineno or node.lineno) + 1)
    raise AssertionError(f"{path} has no function {name}")


def test_the_command_line_never_imports_qt_or_the_ui():
    # The one way in to the GUI is `_open_editor` (no subcommand: `netbuilder`,
    # `netbuilder P.nbproj`, `netbuilder --example NAME`); subcommands never reach it.
    editor = _lines_of_function(PACKAGE / "cli.py", "_open_editor")
    offenders = [f"{rel}:{line} imports {name}" for rel, line, name in all_imports()
                 if rel.startswith("netbuilder/cli") and (top(name) in QT or is_under(name, "netbuilder.ui"))
                 and not (line in editor and name in ("netbuilder.ui.app", "netbuilder.ui.app.run"))]
    assert offenders == []


@pytest.mark.parametrize("source, expected", [
    ("import PySide6.QtCore", ["PySide6.QtCore"]),
    ("from pyqtgraph import PlotWidget", ["pyqtgraph", "pyqtgraph.PlotWidget"]),
    ("from . import events", ["netbuilder.graph", "netbuilder.graph.events"]),
    ("from .. import ui", ["netbuilder", "netbuilder.ui"]),
    ("from ..catalog.spec import LayerSpec", ["netbuilder.catalog.spec", "netbuilder.catalog.spec.LayerSpec"]),
    ("def f():\n    import keras", ["keras"]),
    ("import importlib\nimportlib.import_module('netbuilder.ui.app')", ["importlib", "netbuilder.ui.app"]),
    ("__import__('numpy')", ["numpy"]),
])
def test_the_scan_finds_every_kind_of_import(source, expected):
    assert [name for _, name in imported_modules(source, "netbuilder.graph.model")] == expected


def test_relative_imports_in_a_package_init_resolve_to_the_package():
    assert imported_modules("from .model import Graph", "netbuilder.graph", is_package=True) == [
        (1, "netbuilder.graph.model"), (1, "netbuilder.graph.model.Graph")
    ]
