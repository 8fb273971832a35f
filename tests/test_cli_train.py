"""`netbuilder train` as a user runs it: one line per epoch, a run folder, clean errors and exit codes."""

import csv
import json
import re
import subprocess
import sys

import numpy as np
import pytest

from netbuilder.cli import main

EPOCH_LINE = re.compile(r"epoch (\d+)/(\d+)  loss \d+\.\d{4}  rmse \d+\.\d{4}  val_loss \d+\.\d{4}  "
                        r"val_rmse \d+\.\d{4}  \(\d+\.\d+ s\)")


@pytest.fixture
def fares(tmp_path):
    """A small taxi-fare-like CSV and a project whose input takes its three feature columns."""
    rng = np.random.default_rng(1)
    x = rng.uniform(0, 10, size=(150, 3))
    fare = 2.5 + x @ [1.5, 0.2, 0.1] + rng.normal(0, 0.3, 150)
    data = tmp_path / "fares.csv"
    with data.open("w", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["km", "hour", "passengers", "fare"])
        writer.writerows([[*map(float, row), float(f)] for row, f in zip(x, fare)])
    project = {
        "format": "netbuilder", "version": 1, "name": "fares",
        "graph": {
            "nodes": [{"id": "trip", "layer": "Input", "config": {"shape": [3]}},
                      {"id": "h", "layer": "Dense", "config": {"units": 8, "activation": "relu"}},
                      {"id": "fare", "layer": "Dense", "config": {"units": 1}}],
            "edges": [{"source": "trip", "target": "h"}, {"source": "h", "target": "fare"}],
        },
    }
    path = tmp_path / "fares.nbproj"
    path.write_text(json.dumps(project))
    return path, data


def train(*args):
    return main(["train", *map(str, args)])


def test_train_end_to_end_in_a_fresh_process(fares, tmp_path):
    project, data = fares
    out = tmp_path / "run"
    result = subprocess.run(
        [sys.executable, "-m", "netbuilder", "train", str(project), "--data", str(data), "--target", "fare",
         "--epochs", "2", "--batch-size", "16", "--seed", "3", "--out", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert [EPOCH_LINE.fullmatch(line).groups() for line in lines[:2]] == [("1", "2"), ("2", "2")]
    assert lines[2:] == [f"run written to {out} (history.csv, model.keras, settings.json, curves.svg)"]
    rows = list(csv.reader((out / "history.csv").open()))
    assert rows[0] == ["epoch", "loss", "val_loss", "rmse", "val_rmse"] and len(rows) == 3
    record = json.loads((out / "settings.json").read_text())
    assert record["status"] == "completed"
    assert record["training"]["epochs"] == 2 and record["training"]["seed"] == 3
    assert record["dataset"] == {"source": str(data), "target": ["fare"]}


def test_the_project_sections_are_used_and_flags_override_them(fares, tmp_path, capsys):
    project, data = fares
    doc = json.loads(project.read_text())
    doc["dataset"] = {"source": data.name, "target": "fare"}  # relative to the project's folder
    doc["training"] = {"epochs": 1, "batch_size": 8, "metrics": ["rmse", "mae"], "loss": "mse"}
    project.write_text(json.dumps(doc))
    assert train(project, "--out", tmp_path / "a") == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("epoch 1/1  loss ") and "  mae " in out[0] and len(out) == 2
    assert train(project, "--epochs", "2", "--metrics", "rmse", "--out", tmp_path / "b") == 0
    assert [line.split()[1] for line in capsys.readouterr().out.splitlines()[:2]] == ["1/2", "2/2"]
    assert (tmp_path / "b" / "history.csv").read_text().startswith("epoch,loss,val_loss,rmse,val_rmse\n")


@pytest.mark.parametrize("flags, message", [
    (["--epochs", "0"], "--epochs must be at least 1, got 0\n"),
    (["--batch-size", "-4"], "--batch-size must be at least 1, got -4\n"),
    (["--validation-split", "1"], "--validation-split must be from 0 up to (not including) 1, got 1\n"),
])
def test_bad_numbers_exit_1_with_one_line(fares, tmp_path, capsys, flags, message):
    project, data = fares
    assert train(project, "--data", data, "--target", "fare", *flags, "--out", tmp_path / "run") == 1
    assert capsys.readouterr().err == message
    assert not (tmp_path / "run").exists()


def test_unknown_names_are_all_reported_with_the_choices(fares, tmp_path, capsys):
    project, data = fares
    assert train(project, "--data", data, "--target", "fare", "--optimizer", "adm", "--loss", "msee",
                 "--metrics", "rmse,acuracy", "--out", tmp_path / "run") == 1
    err = capsys.readouterr().err.splitlines()
    assert [line.split(";")[0] for line in err] == [
        "optimizer: 'adm' is not a Keras optimizer", "loss: 'msee' is not a Keras loss",
        "metric: 'acuracy' is not a Keras metric"]
    assert ", adam, " in err[0] and "mean_squared_error" in err[1] and "rmse" in err[2]


def test_bad_data_exits_1_and_records_no_run(fares, tmp_path, capsys):
    """Refused before training began: the message, and no run folder claiming a run."""
    project, data = fares
    missing = tmp_path / "nope.csv"
    assert train(project, "--data", missing, "--target", "fare", "--out", tmp_path / "r1") == 1
    captured = capsys.readouterr()
    assert captured.err == f"{missing}: no such file\n"
    assert captured.out == ""
    assert not (tmp_path / "r1").exists()

    assert train(project, "--data", data, "--target", "tip", "--out", tmp_path / "r2") == 1
    captured = capsys.readouterr()
    assert captured.err.count("\n") == 1 and "'tip'" in captured.err and "km, hour, passengers, fare" in captured.err
    assert "Traceback" not in captured.err
    assert captured.out == "" and not (tmp_path / "r2").exists()


def test_a_preflight_refusal_leaves_an_earlier_run_in_its_folder_alone(fares, tmp_path, capsys):
    project, data = fares
    assert train(project, "--data", data, "--target", "fare", "--epochs", "1", "--out", tmp_path / "run") == 0
    before = {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir()}
    doc = json.loads(project.read_text())
    doc["graph"]["nodes"][0]["config"]["shape"] = [5]
    project.write_text(json.dumps(doc))
    capsys.readouterr()
    assert train(project, "--data", data, "--target", "fare", "--out", tmp_path / "run") == 1
    captured = capsys.readouterr()
    assert captured.err.startswith("Input 'trip' expects (5,), the dataset gives (3,)") and captured.out == ""
    assert {p.name: p.read_bytes() for p in (tmp_path / "run").iterdir()} == before


def test_a_nan_run_exits_1_with_its_message(fares, tmp_path, capsys):
    project, data = fares
    assert train(project, "--data", data, "--target", "fare", "--learning-rate", "1e6", "--epochs", "5",
                 "--out", tmp_path / "run") == 1
    captured = capsys.readouterr()
    assert re.fullmatch(r"The loss became (NaN|infinite) at epoch 1, batch \d+; try a lower learning rate or "
                        r"check the data for extreme values\n", captured.err)
    # It began, so its folder says how it ended; the epoch the loss broke in is no row of a history.
    assert captured.out.splitlines()[-1] == f"run written to {tmp_path / 'run'} (settings.json)"
    assert json.loads((tmp_path / "run" / "settings.json").read_text())["status"] == "nan"


def test_a_folder_of_images_is_read_at_the_size_of_the_models_input(tmp_path, capsys):
    import tensorflow as tf

    for label, shade in (("dark", 30), ("light", 220)):
        for i in range(6):
            path = tmp_path / "pics" / label / f"{i}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(tf.io.encode_png(np.full((12, 10, 3), shade + i, np.uint8)).numpy())
    project = tmp_path / "pics.nbproj"
    project.write_text(json.dumps({
        "format": "netbuilder", "version": 1, "name": "pics",
        "graph": {"nodes": [{"id": "img", "layer": "Input", "config": {"shape": [8, 8, 1]}},
                            {"id": "flat", "layer": "Flatten", "config": {}},
                            {"id": "kind", "layer": "Dense", "config": {"units": 2, "activation": "softmax"}}],
                  "edges": [{"source": "img", "target": "flat"}, {"source": "flat", "target": "kind"}]},
        "training": {"loss": "sparse_categorical_crossentropy", "metrics": ["accuracy"], "epochs": 1},
    }))
    assert train(project, "--data", tmp_path / "pics", "--out", tmp_path / "run") == 0, capsys.readouterr().err
    dataset = json.loads((tmp_path / "run" / "settings.json").read_text())["dataset"]
    assert (dataset["image_size"], dataset["color_mode"]) == ([8, 8], "grayscale")


def test_a_project_without_a_dataset_needs_data(fares, tmp_path, capsys):
    project, _ = fares
    assert train(project, "--out", tmp_path / "run") == 1
    assert capsys.readouterr().err == f"{project}: no dataset; give --data FILE (and --target COLUMN)\n"


def test_bad_saved_settings_name_the_project(fares, tmp_path, capsys):
    project, data = fares
    doc = json.loads(project.read_text())
    doc["training"] = {"epochs": "ten"}
    project.write_text(json.dumps(doc))
    assert train(project, "--data", data, "--out", tmp_path / "run") == 1
    assert capsys.readouterr().err == f"{project}: training.epochs: expected a whole number, got 'ten'\n"


@pytest.mark.parametrize("argv", [["--data", "x.csv"], ["--epochs", "x", "--out", "o"], ["--bogus", "--out", "o"]])
def test_usage_errors_exit_2(fares, argv, capsys):
    project, _ = fares
    with pytest.raises(SystemExit) as caught:
        train(project, *argv)
    assert caught.value.code == 2
    assert capsys.readouterr().err.startswith("usage: netbuilder")


def test_a_relative_data_path_is_relative_to_where_the_user_is(fares, tmp_path, monkeypatch, capsys):
    """`--data` is typed in a shell: it means the file beside the user, not beside the project."""
    project, data = fares
    elsewhere = tmp_path / "projects"
    elsewhere.mkdir()
    moved = elsewhere / project.name
    project.rename(moved)
    monkeypatch.chdir(tmp_path)
    assert train(moved, "--data", data.name, "--target", "fare", "--epochs", "1", "--out", tmp_path / "run") == 0
    assert (tmp_path / "run" / "history.csv").exists()


def test_data_naming_the_saved_source_keeps_its_validation_file(fares, tmp_path, monkeypatch, capsys):
    """`--data` that names the file the project already uses is the same dataset, validation file and all."""
    project, data = fares
    valid = tmp_path / "valid.csv"
    valid.write_text(data.read_text().splitlines()[0] + "\n" + "\n".join(data.read_text().splitlines()[1:11]) + "\n")
    doc = json.loads(project.read_text())
    doc["dataset"] = {"source": data.name, "target": "fare", "validation_file": valid.name}
    doc["training"] = {"epochs": 1}
    project.write_text(json.dumps(doc))
    monkeypatch.chdir(tmp_path)
    assert train(project, "--data", data.name, "--out", tmp_path / "run") == 0
    settings = json.loads((tmp_path / "run" / "settings.json").read_text())
    assert settings["dataset"]["validation_file"] == "valid.csv"
