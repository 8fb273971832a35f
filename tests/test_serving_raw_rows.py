"""A SavedModel of a model trained on a CSV takes raw rows: one input per column, named after it, encoded
inside the model exactly as the loader encodes them, answering like `netbuilder predict` for clients that
have only TensorFlow (saved_model_cli, a process that cannot import netbuilder, TF Serving's example request)."""

import csv
import io
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest
import tensorflow as tf
from tips_run import FEATURES, TIPS_CSV, tips_rows, trained_tips, write_rows

from netbuilder.cli import main
from netbuilder.graph import project_file
from netbuilder.resources import example_path
from netbuilder.training.datasets import DatasetSpec, load_dataset

ROWS = 3


def numbers_as_floats(row: dict[str, str]) -> dict[str, object]:
    """A tips row as a client sends it: the numeric columns as numbers."""
    return {c: float(v) if c in ("total_bill", "size", "tip") else v for c, v in row.items()}


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """(version folder, run, predict's tips for the first ROWS rows of tips.csv) of one trained tips run."""
    folder = tmp_path_factory.mktemp("served")
    project, run = trained_tips(folder)
    assert main(["export", str(project), "--format", "savedmodel", "-o", str(folder / "serving")]) == 0
    (version,) = (folder / "serving").iterdir()
    rows = write_rows(folder / "rows.csv", tips_rows(ROWS, drop=("tip",)))
    assert main(["predict", str(project), "--data", str(rows), "-o", str(folder / "predicted.csv")]) == 0
    with (folder / "predicted.csv").open(newline="", encoding="utf-8") as fh:
        predicted = [float(row["tip"]) for row in csv.DictReader(fh)]
    return version, run, np.array(predicted)


def test_the_signature_takes_each_raw_column_by_name_and_the_folder_says_which(served):
    version, _, _ = served
    signature = tf.saved_model.load(str(version)).signatures["serving_default"]
    specs = signature.structured_input_signature[1]
    assert {name: (spec.dtype, spec.shape.as_list()) for name, spec in specs.items()} == {
        "total_bill": (tf.float32, [None]), "size": (tf.float32, [None]), "sex": (tf.string, [None]),
        "smoker": (tf.string, [None]), "day": (tf.string, [None]), "time": (tf.string, [None])}
    assert list(signature.structured_outputs) == ["tip"]
    columns = json.loads((version / "columns.json").read_text(encoding="utf-8"))
    assert [(c["name"], c["dtype"]) for c in columns["columns"]] == [
        ("total_bill", "float32"), ("sex", "string"), ("smoker", "string"), ("day", "string"),
        ("time", "string"), ("size", "float32")]
    assert next(c for c in columns["columns"] if c["name"] == "day")["categories"] == ["Fri", "Sat", "Sun", "Thur"]
    request = json.loads((version / "example_request.json").read_text(encoding="utf-8"))
    assert request["instances"][0] == {"total_bill": 16.99, "sex": "Female", "smoker": "No", "day": "Sun",
                                       "time": "Dinner", "size": 2.0}


def test_the_front_encodes_every_row_of_the_dataset_as_the_loader_does(served):
    """The whole tips file through the raw front answers like the trained model on the loader's own matrix."""
    from netbuilder.export.raw_inputs import raw_input_model
    from netbuilder.export.raw_serving import raw_batch, trained_features

    _, run, _ = served
    trained = keras.saving.load_model(run / "model.keras")
    project = project_file.load(example_path("tips_regression"))
    features = trained_features(project, trained, run)
    with TIPS_CSV.open(newline="", encoding="utf-8") as fh:
        rows = [numbers_as_floats(row) for row in csv.DictReader(fh)]
    raw = raw_input_model(trained, features)
    through_front = raw({k: tf.constant(v) for k, v in raw_batch(features, rows).items()})["tip"]
    loaded = load_dataset(DatasetSpec(source="bundled:tips", target=["tip"]), None, input_names=["features"],
                          output_names=["tip"], validation_split=0)
    assert len(loaded.train) == len(rows) == 244
    np.testing.assert_allclose(through_front.numpy(), trained(loaded.train.model_x()).numpy(), atol=1e-5)


def test_saved_model_cli_answers_like_netbuilder_predict(served):
    version, _, predicted = served
    rows = tips_rows(ROWS, drop=("tip",))
    exprs = ";".join(f"{c}={[float(r[c]) if c in ('total_bill', 'size') else r[c] for r in rows]!r}" for c in FEATURES)
    cli = Path(sys.executable).with_name("saved_model_cli")
    done = subprocess.run([str(cli), "run", "--dir", str(version), "--tag_set", "serve", "--signature_def",
                           "serving_default", "--input_exprs", exprs], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    result = done.stdout.split("Result for output key tip:", 1)[1]
    answered = [float(x) for x in re.findall(r"-?\d+\.\d*(?:e[-+]?\d+)?", result)]
    np.testing.assert_allclose(answered, predicted, rtol=1e-5, atol=1e-5)


ISOLATED = r"""
import importlib.util, json, sys
assert importlib.util.find_spec("netbuilder") is None, "netbuilder is importable"
import tensorflow as tf
version, rows = sys.argv[1], json.loads(sys.argv[2])
serve = tf.saved_model.load(version).signatures["serving_default"]
def answer(instances):
    columns = {c: [row[c] for row in instances] for c in instances[0]}
    tensors = {c: tf.constant(v, dtype=tf.string if isinstance(v[0], str) else tf.float32) for c, v in columns.items()}
    return serve(**tensors)["tip"].numpy().ravel().tolist()
request = json.load(open(version + "/example_request.json"))
print(json.dumps({"rows": answer(rows), "example": answer(request["instances"])}))
"""


def test_tensorflow_alone_serves_raw_rows_and_its_example_request(served, tmp_path):
    """What a client without netbuilder does: load the folder with TensorFlow and send strings and numbers."""
    version, _, predicted = served
    rows = [numbers_as_floats(row) for row in tips_rows(ROWS, drop=("tip",))]
    site = [p for p in sys.path if p.endswith("site-packages")]
    # -I ignores PYTHONPATH and the current folder, -S the .pth files (an editable netbuilder); TensorFlow
    # is then found by its folder alone.
    code = f"import sys; sys.path[:0] = {site!r}\n" + ISOLATED
    done = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(version), json.dumps(rows)], cwd=tmp_path,
                          capture_output=True, text=True, timeout=120, env={"TF_CPP_MIN_LOG_LEVEL": "3",
                                                                            "PATH": os.environ.get("PATH", "")})
    assert done.returncode == 0, done.stderr[-2000:]
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(answers["rows"], predicted, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(answers["example"], predicted[:len(answers["example"])], rtol=1e-5, atol=1e-5)


def test_a_model_without_a_csv_dataset_exports_as_it_always_did(tmp_path, capsys):
    assert main(["export", str(example_path("wide_and_deep")), "--untrained", "--format", "savedmodel",
                 "-o", str(tmp_path / "serving")]) == 0
    assert "raw rows" not in capsys.readouterr().out
    (version,) = (tmp_path / "serving").iterdir()
    assert sorted(p.name for p in version.iterdir() if p.is_file()) == ["fingerprint.pb", "saved_model.pb"]
    signature = tf.saved_model.load(str(version)).signatures["serving_default"]
    assert set(signature.structured_input_signature[1]) == {"wide", "deep"}


TWO_INPUTS = {
    "format": "netbuilder", "version": 1, "name": "two",
    "graph": {"nodes": [{"id": "bill", "layer": "Input", "config": {"shape": [2]}},
                        {"id": "who", "layer": "Input", "config": {"shape": [10]}},
                        {"id": "cat", "layer": "Concatenate", "config": {}},
                        {"id": "tip", "layer": "Dense", "config": {"units": 1}}],
              "edges": [{"source": "bill", "target": "cat", "target_port": 0},
                        {"source": "who", "target": "cat", "target_port": 1}, {"source": "cat", "target": "tip"}]},
    "dataset": {"source": "bundled:tips", "target": ["tip"],
                "inputs": {"who": ["time", "sex", "smoker", "day"], "bill": ["size", "total_bill"]}},
}


def test_inputs_fed_by_chosen_columns_take_them_in_the_mapping_s_order(write_project, tmp_path):
    """Two inputs, each fed by columns in an order of its own: served by name, encoded as the loader does."""
    from netbuilder.keras_bridge import build_model

    project = project_file.load(write_project(TWO_INPUTS))
    model = build_model(project).model
    assert main(["export", str(project.path), "--untrained", "--format", "savedmodel", "-o",
                 str(tmp_path / "serving")]) == 0
    (version,) = (tmp_path / "serving").iterdir()
    columns = json.loads((version / "columns.json").read_text(encoding="utf-8"))
    assert [c["name"] for c in columns["columns"]] == ["time", "sex", "smoker", "day", "size", "total_bill"]

    from netbuilder.export.raw_inputs import raw_input_model
    from netbuilder.export.raw_serving import raw_batch, trained_features

    features = trained_features(project, model, None)
    with TIPS_CSV.open(newline="", encoding="utf-8") as fh:
        rows = [numbers_as_floats(row) for row in csv.DictReader(fh)]
    through_front = raw_input_model(model, features)({k: tf.constant(v) for k, v in raw_batch(features, rows).items()})
    loaded = load_dataset(DatasetSpec.from_section(TWO_INPUTS["dataset"]), None, input_names=["bill", "who"],
                          output_names=["tip"], validation_split=0)
    expected = model([loaded.train.features["bill"], loaded.train.features["who"]])
    np.testing.assert_allclose(through_front["tip"].numpy(), expected.numpy(), atol=1e-5)


def test_a_dataset_that_no_longer_reads_still_exports_the_model_as_it_is_and_says_why(write_project, tmp_path, capsys):
    doc = {**TWO_INPUTS, "dataset": {**TWO_INPUTS["dataset"], "source": "moved.csv"}}
    path = write_project(doc)
    assert main(["export", str(path), "--untrained", "--format", "savedmodel", "-o", str(tmp_path / "serving")]) == 0
    captured = capsys.readouterr()
    assert f"note: {tmp_path / 'moved.csv'}: no such file; the SavedModel takes the model's own inputs, not raw " \
           "columns" in captured.err
    assert "inputs bill, who; outputs tip" in captured.out


def test_columns_python_could_not_name_are_served_under_their_mapped_keys(write_project, tmp_path, capsys):
    """`total bill`, `class` and `day of week` go to inputs `total_bill`, `class_`, `day_of_week`; columns.json
    says which is which, and predict still reads the file by its own column names."""
    data = tmp_path / "bills.csv"
    data.write_text("total bill,class,day of week,tip\n10,a,Mon,1\n20,b,Tue,2\n30,a,Tue,3\n", encoding="utf-8")
    doc = {**TWO_INPUTS, "graph": {"nodes": [{"id": "x", "layer": "Input", "config": {"shape": [5]}},
                                             {"id": "tip", "layer": "Dense", "config": {"units": 1}}],
                                   "edges": [{"source": "x", "target": "tip"}]},
           "dataset": {"source": "bills.csv", "target": ["tip"]}}
    path = write_project(doc)
    assert main(["export", str(path), "--untrained", "--format", "savedmodel", "-o", str(tmp_path / "serving")]) == 0
    assert "inputs total_bill, class_, day_of_week; outputs tip" in capsys.readouterr().out
    (version,) = (tmp_path / "serving").iterdir()
    columns = json.loads((version / "columns.json").read_text(encoding="utf-8"))["columns"]
    assert [(c["name"], c["input"]) for c in columns] == [
        ("total bill", "total_bill"), ("class", "class_"), ("day of week", "day_of_week")]
    request = json.loads((version / "example_request.json").read_text(encoding="utf-8"))
    assert request["instances"][0] == {"total_bill": 10.0, "class_": "a", "day_of_week": "Mon"}
    assert main(["predict", str(path), "--data", str(data)]) == 0
    header, *body = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert header == ["total bill", "class", "day of week", "tip", "predicted_tip"] and len(body) == 3
