"""The package order of pyproject.toml's `[tool.importlinter]` holds, as CI checks it.

CI runs the README's pytest command, so `lint-imports` runs here: graph → catalog →
keras_bridge → training → export → ui / command line, the graph without Keras, NumPy or Qt,
Qt only in the ui, and the command line apart from the ui. A second test breaks the order in a
copy of the package to show the contracts do catch it.
"""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).parent / "lint-imports"


def lint_imports(cwd: Path, *, pythonpath: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, COLUMNS="200")  # rich wraps its report at the terminal's width
    if pythonpath is not None:
        # Ahead of the installed (editable) netbuilder, so grimp scans the copy.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(pythonpath), env.get("PYTHONPATH")]))
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def contracts() -> list[dict]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]["contracts"]


def test_lint_imports_keeps_every_contract():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


def test_every_command_line_module_is_named_by_the_contracts():
    # A new cli_*.py module left out of the lists would escape the "no Qt, no ui" contracts.
    cli_modules = {f"netbuilder.{path.stem}" for path in (ROOT / "netbuilder").glob("cli*.py")}
    layers = next(c for c in contracts() if c["type"] == "layers")["layers"]
    top_layer = {name.strip() for name in layers[0].split(":")}
    assert cli_modules <= top_layer
    for contract in contracts():
        if contract["type"] == "forbidden" and "netbuilder.cli" in contract["source_modules"]:
            assert cli_modules <= set(contract["source_modules"]), contract["name"]


def test_keras_bridge_importing_training_breaks_the_layers_contract(tmp_path):
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    shutil.copytree(ROOT / "netbuilder", tmp_path / "netbuilder", ignore=shutil.ignore_patterns("__pycache__"))
    errors = tmp_path / "netbuilder" / "keras_bridge" / "errors.py"
    errors.write_text(errors.read_text(encoding="utf-8") + "\nfrom netbuilder.training import settings\n",
                      encoding="utf-8")
    result = lint_imports(tmp_path, pythonpath=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "netbuilder.keras_bridge.errors -> netbuilder.training.settings" in result.stdout
    assert "1 broken" in result.stdout
