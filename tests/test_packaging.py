"""How the project is installed and tested: every package listed in pyproject.toml, CI running the README's
test command, and a test suite that starts the same however pytest is invoked."""

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from helpers import REPO


def test_every_package_is_installed():
    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    listed = set(config["tool"]["setuptools"]["packages"])
    on_disk = {
        ".".join(init.parent.relative_to(REPO).parts)
        for init in (REPO / "netbuilder").rglob("__init__.py")
        if "__pycache__" not in init.parts
    }
    assert on_disk <= listed, f"add to pyproject.toml packages: {sorted(on_disk - listed)}"


def _quick_start_commands() -> list[str]:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", section, re.S)]


def test_ci_runs_the_readme_test_command_verbatim():
    install_and_run, install_and_test = _quick_start_commands()
    assert "--example" in install_and_run
    ci = (REPO / ".ci" / "run").read_text(encoding="utf-8")
    assert install_and_test in ci.splitlines()
    assert "-m slow" in install_and_test  # CI runs the slow tests too; plain `pytest` stays lean


@pytest.mark.parametrize("runner", ["pytest", "python -m pytest"])
@pytest.mark.parametrize("where", ["repository", "elsewhere"])
def test_the_suite_starts_the_same_however_pytest_is_run(runner, where, tmp_path):
    """`pytest tests/x.py` and `python -m pytest tests/x.py` both import the helpers, from any folder."""
    command = [sys.executable, "-m", "pytest"] if runner != "pytest" else [str(Path(sys.executable).with_name("pytest"))]
    target = "tests/test_packaging.py" if where == "repository" else str(REPO / "tests" / "test_packaging.py")
    result = subprocess.run([*command, target, "-q", "-p", "no:cacheprovider", "-k", "every_package"],
                            cwd=REPO if where == "repository" else tmp_path, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout


def test_tests_import_helpers_by_one_name_and_never_skip_a_hard_dependency():
    """No `tests.` or `conftest` imports (they load a second copy), no importorskip of what netbuilder needs."""
    for path in sorted((REPO / "tests").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom | ast.Import):
                names = [node.module or ""] if isinstance(node, ast.ImportFrom) else [a.name for a in node.names]
                assert not any(n == "conftest" or n.startswith("tests") for n in names), f"{path.name}:{node.lineno}"
            if isinstance(node, ast.Attribute) and node.attr == "importorskip":
                raise AssertionError(f"{path.name}:{node.lineno}: a missing dependency must fail, not skip")


def _pins() -> dict[str, str]:
    pins = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, _, version = line.partition("==")
            pins[_normal(name)] = version.strip()
    return pins


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def test_constraints_pin_every_dependency_and_the_installed_versions_are_the_pinned_ones():
    """The README's commands install through constraints.txt, so this environment is what a fresh machine gets."""
    from importlib import metadata

    config = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    wanted = [*config["dependencies"], *config["optional-dependencies"]["test"]]
    pins = _pins()
    names = {_normal(re.match(r"[A-Za-z0-9_.-]+", requirement).group(0)) for requirement in wanted}
    assert names <= set(pins), f"pin these in constraints.txt: {sorted(names - set(pins))}"
    installed = {name: metadata.version(name) for name in pins}
    assert installed == pins, "the environment differs from constraints.txt: reinstall with -c constraints.txt"
