"""One source for the code an export runs: packages carry netbuilder's own modules, not string copies of them.

The export code (`export.python_*`, `training_package`, `package_*`)
must not keep a second version of a project module in a string template; a
training package carries copies of the real modules (`netbuilder_runtime/`),
which import nothing of netbuilder. The slow tests export the tips CSV, the
`language_id` text, the `co2_forecast` time-series and the digits image
examples both ways and train each in a fresh `python -I` in which netbuilder
cannot be imported.
"""

import ast
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

import netbuilder
from netbuilder.cli import main
from netbuilder.graph.project_file import load
from netbuilder.export.package_runtime import NOT_CARRIED, RUNTIME, runtime_sources
from netbuilder.export.python_code import python_code
from netbuilder.export.training_package import write_package
from netbuilder.resources import example_path
from netbuilder.training import distribute
from netbuilder.training.datasets import csv_stream
from netbuilder.training.runs import read_history

PACKAGE = Path(netbuilder.__file__).parent
EXPORT_CODE = ["python_code.py", "python_training.py", "python_adapt.py", "python_calls.py", "python_layers.py",
               "training_package.py", "package_train.py", "package_data.py", "package_runtime.py"]
EXAMPLES = ["tips_regression", "language_id", "co2_forecast", "digits_cnn"]
ALLOWED = {*sys.stdlib_module_names, "numpy", "tensorflow", "keras", RUNTIME}


def _templates(path: Path) -> list[str]:
    """The string constants of a module, f-strings' literal parts included."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            found.append(node.value)
        elif isinstance(node, ast.JoinedStr):
            found += [v.value for v in node.values if isinstance(v, ast.Constant) and isinstance(v.value, str)]
    return found


def _project_functions() -> tuple[set[str], set[str]]:
    """(names, `def` lines) of the functions of netbuilder's training code, which packages and scripts need."""
    names, lines = set(), set()
    for path in (PACKAGE / "training").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for node in ast.walk(ast.parse(text)):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names.add(node.name)
                lines.add(text.splitlines()[node.lineno - 1].strip())
    return names, lines


def test_no_string_template_in_the_export_code_duplicates_a_module_of_the_project():
    names, def_lines = _project_functions()
    duplicated = []
    for module in EXPORT_CODE:
        for template in _templates(PACKAGE / "export" / module):
            for line in template.splitlines():
                match = re.match(r"\s*def (\w+)\(", line)
                if match and (match.group(1) in names or line.strip() in def_lines):
                    duplicated.append(f"{module}: {line.strip()}")
    assert duplicated == []


def test_the_runtime_a_package_carries_is_netbuilder_s_own_code_and_self_contained():
    runtime = runtime_sources()
    # The real functions, word for word, not a second version of them.
    assert inspect.getsource(distribute.make_strategy) in runtime["distribute.py"]
    assert inspect.getsource(distribute.mend_keras_for_multi_worker) in runtime["distribute.py"]
    assert inspect.getsource(csv_stream.held_out) in runtime["csv_stream.py"]
    for name, text in runtime.items():
        tree = ast.parse(text)
        top = {a.name for n in tree.body if isinstance(n, ast.Import) for a in n.names}
        top |= {n.module or "" for n in tree.body if isinstance(n, ast.ImportFrom)}
        assert {m.split(".")[0] for m in top} <= ALLOWED, name
        carried = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                   and (n.module or "").startswith(f"{RUNTIME}.")}
        assert {m.split(".")[1] + ".py" for m in carried} <= set(runtime), name
        local = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)
                 and (n.module or "").split(".")[0] == "netbuilder"}
        assert local <= set(NOT_CARRIED), name  # only on paths a package never takes


def _isolated(*runs: list[str]) -> subprocess.Popen[str]:
    """One `python -I` in which netbuilder cannot be imported, running each `[script, ARGS…]` in turn as `__main__`
    (one interpreter for both exports of an example: starting TensorFlow is most of the cost)."""
    code = (f"import runpy, sys\nsys.modules['netbuilder'] = None\nfor argv in {list(runs)!r}:\n"
            "    sys.argv = argv\n    runpy.run_path(argv[0], run_name='__main__')")
    # One thread each: two examples share the machine's cores without thrashing them.
    env = {**{k: v for k, v in os.environ.items() if k != "PYTHONPATH"},
           "TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1"}
    return subprocess.Popen([sys.executable, "-I", "-c", code], cwd=Path(runs[0][0]).parent.parent, text=True,
                            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Every example's package, then its script, exported and trained for one epoch: {name: (code, out, err)}."""
    root = tmp_path_factory.mktemp("runtime")
    running = {}
    for name in EXAMPLES:
        project = load(example_path(name))
        write_package(project, root / name)
        script = root / "scripts" / f"{name}.py"
        script.parent.mkdir(exist_ok=True)
        script.write_text(python_code(project), encoding="utf-8")
        running[name] = _isolated([str(root / name / "train.py"), "--epochs", "1"],
                                  [str(script), "--epochs", "1", "--save", str(root / f"{name}.keras")])
    results = {}
    for name, process in running.items():
        out, err = process.communicate(timeout=300)
        results[name] = (process.returncode, out, err)
    return root, results


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLES)
def test_the_package_of_each_kind_of_dataset_trains_without_netbuilder(trained, name):
    root, results = trained
    code, out, err = results[name]
    assert "Wrote model.keras and history.csv" in out, err[-3000:]
    header, *rows = (root / name / "output" / "history.csv").read_text(encoding="utf-8").splitlines()
    assert header.startswith("epoch,loss,val_loss") and len(rows) == 1


@pytest.mark.slow
@pytest.mark.parametrize("name", ["language_id", "co2_forecast"])  # tips and digits: test_export_package
def test_the_package_reproduces_netbuilder_s_run_on_text_and_time_series(trained, name, tmp_path, capsys):
    root, _ = trained
    assert main(["train", str(example_path(name)), "--epochs", "1", "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    header, *rows = (root / name / "output" / "history.csv").read_text(encoding="utf-8").splitlines()
    expected = read_history(tmp_path)
    assert header.split(",") == list(expected)
    for column, value in zip(header.split(",")[1:], rows[0].split(",")[1:]):
        assert float(value) == pytest.approx(expected[column][0], rel=1e-5), column


def test_the_text_example_s_script_reads_documents_and_adapts_its_vocabulary():
    script = python_code(load(example_path("language_id")))
    assert "keras.utils.text_dataset_from_directory(" in script
    assert "model.get_layer('words').adapt(train_data.map(lambda x, y: x))" in script


@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLES)
def test_the_python_script_of_each_kind_of_dataset_trains_without_netbuilder(trained, name):
    root, results = trained
    code, out, err = results[name]
    assert code == 0, err[-3000:]
    assert "val_loss" in out and (root / f"{name}.keras").is_file()
