"""`netbuilder_runtime/`: netbuilder's own data loading, splitting, strategy and preprocessing code, for a package.

A training package must run where netbuilder is not installed, yet train the
way netbuilder trains. Rather than keep a second version of that code in
string templates, which drifts from the real one, the package carries copies
of the real, tested modules: `load_dataset` and every loader it reaches (CSV,
text, time series, TFRecord, images, `.npz`, with the seeded `held_out`
split), `training.distribute` (strategy, sharding, the multi-worker Keras
fixes), `training.adapt` and the settings they read. Each is written as
`netbuilder_runtime/<module>.py` with its `netbuilder.…` imports pointed at
the copies. The copied set must be self-contained: `runtime_sources` refuses
any import of netbuilder that is not carried, except the few function-local
ones in `NOT_CARRIED`, which sit on paths a package never takes.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import Path

from netbuilder import __version__

RUNTIME = "netbuilder_runtime"

# What train.py calls; everything they import from netbuilder is carried with them.
ROOTS = ("netbuilder.training.datasets.load", "netbuilder.training.distribute", "netbuilder.training.adapt",
         "netbuilder.training.history_table")

# Function-local imports that are not carried, and why the package never runs them.
NOT_CARRIED = {
    "netbuilder": "adapt.cache_path: a package keeps no adapted-state cache beside a project",
    "netbuilder.training.datasets.bundled": "a package's dataset section names its copy of the data, "
                                            "never a bundled set",
    "netbuilder.catalog.cache": "distribute falls back to keras.__version__ where the catalog is not installed",
}

_FROM = re.compile(r"^(\s*)from (netbuilder(?:\.\w+)*) import ", re.MULTILINE)


class RuntimeCopyError(ValueError):
    """The modules a package carries import netbuilder code that is not carried with them."""


def runtime_sources() -> dict[str, str]:
    """`{file name: source}` of `netbuilder_runtime/`: the modules `ROOTS` need, imports rewritten.

    Raises:
        RuntimeCopyError: a carried module imports, at module level, a netbuilder module not carried.
    """
    carried = _closure()
    names = {module: module.rsplit(".", 1)[-1] for module in carried}
    clashes = {n for n in names.values() if list(names.values()).count(n) > 1}
    if clashes:
        raise RuntimeCopyError(f"two carried modules would share the file name(s) {', '.join(sorted(clashes))}")

    def rewrite(match: re.Match[str]) -> str:
        module = match.group(2)
        if module in names:
            return f"{match.group(1)}from {RUNTIME}.{names[module]} import "
        return match.group(0)  # one of NOT_CARRIED: left as it is, never reached in a package

    files = {"__init__.py": f'"""netbuilder\'s own training code, copied from netbuilder {__version__}."""\n'}
    for module in sorted(carried):
        files[f"{names[module]}.py"] = _FROM.sub(rewrite, _source(module))
    return files


def write_runtime(folder: Path) -> None:
    """Write `netbuilder_runtime/` into `folder`."""
    target = folder / RUNTIME
    target.mkdir()
    for name, text in runtime_sources().items():
        (target / name).write_text(text, encoding="utf-8")


def _closure() -> set[str]:
    """`ROOTS` and every netbuilder module they import, at module level or inside functions."""
    found: set[str] = set()
    todo = list(ROOTS)
    while todo:
        module = todo.pop()
        if module in found:
            continue
        found.add(module)
        for node in ast.walk(ast.parse(_source(module))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("netbuilder"):
                continue
            module_name = node.module or ""
            if module_name in NOT_CARRIED:
                if node.col_offset == 0:
                    raise RuntimeCopyError(f"{module} imports {module_name} at module level, which a package "
                                           "does not carry")
                continue
            imported = [f"{module_name}.{a.name}" for a in node.names if _is_module(f"{module_name}.{a.name}")]
            if imported:
                raise RuntimeCopyError(f"{module} imports the module(s) {', '.join(imported)}; a carried module "
                                       "imports names from modules, so its copy can point at theirs")
            todo.append(module_name)
    return found


def _is_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def _source(module: str) -> str:
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:
        raise RuntimeCopyError(f"{module}: cannot find its source")
    return Path(spec.origin).read_text(encoding="utf-8")

