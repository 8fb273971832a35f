"""The training package (`netbuilder export --format package`): a folder that trains the project with TensorFlow alone.

Every package here runs as a user would run it, `python DIR/train.py`, in a
fresh interpreter in which netbuilder cannot be imported, and its history is
compared with `netbuilder train` on the same project: the same seed gives the
same losses. With `TF_CONFIG` it trains under MultiWorkerMirroredStrategy, on
one worker and on two real loopback workers of which only the chief writes.
"""

import ast
import csv
import os
import subprocess
import sys
import warnings

import keras
import numpy as np
import pytest
import tensorflow as tf

from netbuilder.cli import main
from netbuilder.graph.project_file import load
from netbuilder.export import package_data
from netbuilder.keras_bridge.build import build_model
from netbuilder.export.training_package import write_package
from netbuilder.keras_bridge.weights import save_weights
from netbuilder.resources import example_path
from netbuilder.training.local_cluster import free_ports, tf_config
from netbuilder.training.runs import read_history

EPOCHS = "2"


def run_package(folder, *args, env=None, wait=True):
    """`python folder/train.py ARGS` where netbuilder cannot be imported, started from another folder."""
    argv = [str(folder / "train.py"), *args]
    code = (f"import runpy, sys; sys.modules['netbuilder'] = None; sys.argv = {argv!r}; "
            "runpy.run_path(sys.argv[0], run_name='__main__')")
    environment = {**os.environ, **(env or {})}
    process = subprocess.Popen([sys.executable, "-c", code], cwd=folder.parent, env=environment, text=True,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return finished(process) if wait else process


def finished(process):
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err[-3000:]
    return out, err


def history_of(folder):
    with open(folder / "history.csv", newline="") as fh:
        return list(csv.reader(fh))


def assert_same_losses(package_history, run_dir):
    header, *rows = package_history
    expected = read_history(run_dir)
    assert header == list(expected) and len(rows) == int(EPOCHS)
    for i, column in enumerate(header[1:], start=1):
        np.testing.assert_allclose([float(r[i]) for r in rows], expected[column], rtol=1e-5, err_msg=column)


@pytest.fixture(scope="module")
def tips(tmp_path_factory):
    """The tips example's package, trained for two epochs by its own train.py: (folder, stdout, stderr)."""
    folder = tmp_path_factory.mktemp("export") / "tips_package"
    write_package(load(example_path("tips_regression")), folder)
    return (folder, *run_package(folder, "--epochs", EPOCHS))


def test_the_package_trains_with_train_py_alone_and_writes_model_and_history(tips):
    folder, out, err = tips
    assert sorted(p.name for p in folder.iterdir()) == ["README.md", "data", "dataset.json", "netbuilder_runtime",
                                                        "output", "train.py"]
    assert (folder / "data" / "tips.csv").is_file()
    assert "Strategy: default" in out and "shuffle=True" not in err
    header, *rows = history_of(folder / "output")
    assert header == ["epoch", "loss", "val_loss", "rmse", "val_rmse"] and [r[0] for r in rows] == ["1", "2"]
    trained = keras.saving.load_model(folder / "output" / "model.keras")
    assert trained.count_params() == build_model(load(example_path("tips_regression"))).model.count_params()


def test_train_py_imports_only_the_standard_library_numpy_tensorflow_keras_and_its_runtime(tips):
    folder, _, _ = tips
    tops = set()
    for file in [folder / "train.py", *(folder / "netbuilder_runtime").glob("*.py")]:
        tree = ast.parse(file.read_text(encoding="utf-8"))
        modules = {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
        # Top-level imports only: a few function-local ones sit on paths a package never takes.
        modules |= {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
        tops |= {name.split(".")[0] for name in modules}
    assert tops - set(sys.stdlib_module_names) == {"keras", "numpy", "tensorflow", "netbuilder_runtime"}


def test_train_py_reproduces_netbuilder_s_run_with_the_same_seed(tips, tmp_path, capsys):
    folder, _, _ = tips
    assert main(["train", str(example_path("tips_regression")), "--epochs", EPOCHS, "--out", str(tmp_path)]) == 0
    capsys.readouterr()
    assert_same_losses(history_of(folder / "output"), tmp_path)


def test_an_image_folder_package_reproduces_netbuilder_s_run(tmp_path, capsys):
    folder = tmp_path / "digits_package"
    export = write_package(load(example_path("digits_cnn")), folder)
    assert export.data_copied and "data/digits" in export.files
    assert len(list((folder / "data" / "digits").glob("*/*.png"))) == 800
    _, err = run_package(folder, "--epochs", EPOCHS)
    assert "shuffle=True" not in err
    run = tmp_path / "run"
    assert main(["train", str(example_path("digits_cnn")), "--epochs", EPOCHS, "--out", str(run)]) == 0
    capsys.readouterr()
    assert_same_losses(history_of(folder / "output"), run)


def test_tf_config_makes_it_train_under_multi_worker_mirrored_strategy(tips, tmp_path):
    folder, _, _ = tips
    out, _ = run_package(folder, "--epochs", "1", "--output-dir", str(tmp_path / "out"),
                         env={"TF_CONFIG": tf_config(free_ports(1), 0)})
    assert f"Strategy: multi-worker ({tf.distribute.MultiWorkerMirroredStrategy.__name__})" in out
    assert "1 replica(s) in sync" in out
    assert len(history_of(tmp_path / "out")) == 2


def test_the_multi_worker_fix_stops_on_a_keras_it_was_not_tested_with(tips, tmp_path):
    folder, _, _ = tips
    copy = tmp_path / "pkg"
    copy.mkdir()
    for item in folder.iterdir():
        if item.is_file():
            (copy / item.name).write_bytes(item.read_bytes())
    (copy / "data").symlink_to(folder / "data")
    (copy / "netbuilder_runtime").mkdir()
    for item in (folder / "netbuilder_runtime").glob("*.py"):
        (copy / "netbuilder_runtime" / item.name).write_bytes(item.read_bytes())
    runtime = copy / "netbuilder_runtime" / "distribute.py"
    script = runtime.read_text(encoding="utf-8")
    assert 'MULTI_WORKER_KERAS = ("3.15",)' in script  # the package runs netbuilder's own check
    runtime.write_text(script.replace('MULTI_WORKER_KERAS = ("3.15",)', 'MULTI_WORKER_KERAS = ("0.1",)'),
                       encoding="utf-8")
    process = run_package(copy, "--epochs", "1", env={"TF_CONFIG": tf_config(free_ports(1), 0)}, wait=False)
    out, err = process.communicate(timeout=300)
    assert process.returncode == 1
    assert f"tested with Keras 0.1.x only, and this is Keras {keras.__version__}" in err


def test_two_workers_train_together_and_only_the_chief_writes(tips, tmp_path):
    folder, _, _ = tips
    ports = free_ports(2)
    workers = [run_package(folder, "--epochs", "1", "--output-dir", str(tmp_path / f"worker{i}"),
                           env={"TF_CONFIG": tf_config(ports, i)}, wait=False) for i in (1, 0)]
    outputs = [finished(w)[0] for w in workers]
    assert all("2 replica(s) in sync" in out for out in outputs)
    assert sorted(p.name for p in (tmp_path / "worker0").iterdir()) == ["history.csv", "model.keras"]
    assert not (tmp_path / "worker1").exists()


def test_the_command_line_writes_a_package_and_refuses_a_folder_with_files(tmp_path, capsys):
    out = tmp_path / "pkg"
    assert main(["export", str(example_path("tips_regression")), "--format", "package", "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == (f"wrote {out} (train.py, netbuilder_runtime/…, dataset.json, README.md, data/tips.csv); "
                                               f"run: python {out / 'train.py'}")
    assert main(["export", str(example_path("tips_regression")), "--format", "package", "-o", str(out)]) == 1
    assert capsys.readouterr().err.strip() == (f"{out}: is in the way; a training package goes into a new or "
                                               "empty folder")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pkg"]  # no temporary folder left behind


def test_a_project_without_a_dataset_is_refused_and_nothing_is_written(tmp_path):
    project = load(example_path("tips_regression"))
    del project.sections["dataset"]
    with pytest.raises(ValueError, match="has no dataset"):
        write_package(project, tmp_path / "pkg")
    assert list(tmp_path.iterdir()) == []


def test_a_big_dataset_is_read_where_it_is(tmp_path, monkeypatch):
    monkeypatch.setattr(package_data, "BIG_DATA_BYTES", 0)
    export = write_package(load(example_path("tips_regression")), tmp_path / "pkg")
    assert not export.data_copied and not (tmp_path / "pkg" / "data").exists()
    namespace = _namespace(tmp_path / "pkg")
    assert namespace["DATA_PATH"].is_file() and namespace["DATA_PATH"].is_absolute()
    assert "too big to copy" in (tmp_path / "pkg" / "README.md").read_text(encoding="utf-8")


def test_training_starts_from_the_project_s_own_weights(tmp_path):
    project_path = tmp_path / "tips.nbproj"
    project_path.write_bytes(example_path("tips_regression").read_bytes())
    project = load(project_path)
    built = build_model(project)
    built.model.set_weights([np.full_like(w, 0.25) for w in built.model.get_weights()])
    save_weights(project.weights_path, built.checker.node_layers())
    export = write_package(project, tmp_path / "pkg")
    assert "initial.weights.h5" in export.files
    namespace = _namespace(tmp_path / "pkg")
    model = namespace["build_model"]()
    model.load_weights(namespace["INITIAL_WEIGHTS"])
    assert all(np.all(w == 0.25) for w in model.get_weights())


def test_the_python_script_of_an_image_project_trains_without_keras_shuffle_warning(tmp_path):
    from netbuilder.export.python_code import python_code

    script = tmp_path / "digits.py"
    script.write_text(python_code(load(example_path("digits_cnn"))), encoding="utf-8")
    namespace = _namespace_of(script)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        namespace["train"](epochs=1)
    assert not [w for w in caught if "shuffle" in str(w.message)]


def test_the_export_dialog_writes_a_package(editor, qtbot, tmp_path):
    assert editor.files.open_path(example_path("tips_regression"))
    editor.actions["export"].trigger()
    dialog = editor.export_dialog
    dialog.select_format("package")
    assert dialog.destination.text().endswith("tips_regression_package") and not dialog.weights_box.isEnabled()
    destination = tmp_path / "tips_package"
    dialog.ask_destination = lambda fmt, suggestion: destination
    dialog.browse_button.click()
    dialog.export_button.click()
    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=60_000)
    assert dialog.result.text().startswith(f"Wrote {destination} (train.py")
    assert f"Run: python {destination / 'train.py'}" in dialog.result.text()
    assert (destination / "train.py").is_file() and (destination / "data" / "tips.csv").is_file()


def _namespace(folder):
    return _namespace_of(folder / "train.py")


def _namespace_of(script):
    """The generated script's names without running its command line (it is our own output)."""
    import runpy

    return runpy.run_path(str(script), run_name="generated")
