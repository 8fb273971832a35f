"""The tips example with its preprocessing block, trained briefly: every export carries the block (adapted
`Normalization`s, `StringLookup`s) and answers raw rows like `netbuilder predict` — the SavedModel through
`saved_model_cli` and through TensorFlow alone, the `.keras` file reloaded with safe_mode, the TFLite file."""

import csv
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
from test_serving_raw_rows import ISOLATED, numbers_as_floats
from tips_run import FEATURES, tips_rows, write_rows

from netbuilder.cli import main
from netbuilder.graph import UndoStack, project_file
from netbuilder.graph.preprocessing_block import add_preprocessing_command
from netbuilder.resources import example_path
from netbuilder.training.datasets.raw_columns import raw_columns

pytestmark = pytest.mark.slow
ROWS = 3
TEXT = ("sex", "smoker", "day", "time")


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """(folder, project, run, predict's tips for the first ROWS rows) of the tips example with its block."""
    folder = tmp_path_factory.mktemp("preprocessed")
    project = project_file.load(example_path("tips_regression"))
    UndoStack().push(add_preprocessing_command(project, raw_columns(project)))
    path = project_file.save(project, folder / "tips.nbproj")
    run = folder / "tips.runs" / "20260101-093000"
    assert main(["train", str(path), "--epochs", "2", "--out", str(run)]) == 0
    rows = write_rows(folder / "rows.csv", tips_rows(ROWS, drop=("tip",)))
    assert main(["predict", str(path), "--run", str(run), "--data", str(rows), "-o", str(folder / "out.csv")]) == 0
    with (folder / "out.csv").open(newline="", encoding="utf-8") as fh:
        predicted = np.array([float(row["tip"]) for row in csv.DictReader(fh)])
    return folder, path, run, predicted


def _batch(rows: list[dict]) -> dict[str, np.ndarray]:
    """Rows as the model's own Inputs take them: (n, 1) float32 numbers and strings."""
    return {c: np.array([[row[c]] for row in rows], dtype=object if c in TEXT else np.float32) for c in FEATURES}


def test_training_adapted_the_block_and_predict_uses_it(trained):
    _, _, run, predicted = trained
    model = keras.saving.load_model(run / "model.keras", safe_mode=True)
    block = model.get_layer("preprocessing")
    assert float(block.get_layer("total_bill_normalized").mean.numpy().ravel()[0]) == pytest.approx(19.8, abs=1.5)
    rows = [numbers_as_floats(r) for r in tips_rows(ROWS, drop=("tip",))]
    np.testing.assert_allclose(np.asarray(model(_batch(rows))).ravel(), predicted, rtol=1e-5, atol=1e-5)


def test_the_saved_model_takes_each_raw_column_and_answers_like_predict(trained):
    folder, path, run, predicted = trained
    assert main(["export", str(path), "--run", str(run), "--format", "savedmodel", "-o", str(folder / "serving")]) == 0
    (version,) = (folder / "serving").iterdir()
    signature = tf.saved_model.load(str(version)).signatures["serving_default"]
    specs = signature.structured_input_signature[1]
    assert {name: spec.dtype for name, spec in specs.items()} == {
        "total_bill": tf.float32, "size": tf.float32, **{c: tf.string for c in TEXT}}
    # The model encodes the text itself: the front adds no one-hot layer of its own.
    columns = json.loads((version / "columns.json").read_text(encoding="utf-8"))["columns"]
    assert [(c["name"], c["dtype"]) for c in columns] == [
        ("total_bill", "float32"), ("sex", "string"), ("smoker", "string"), ("day", "string"),
        ("time", "string"), ("size", "float32")]
    # ... and lists the categories its own lookups know (the block's vocabularies).
    assert {c["name"]: c.get("categories") for c in columns if c["dtype"] == "string"} == {
        "sex": ["Female", "Male"], "smoker": ["No", "Yes"], "day": ["Fri", "Sat", "Sun", "Thur"],
        "time": ["Dinner", "Lunch"]}

    rows = tips_rows(ROWS, drop=("tip",))
    exprs = ";".join(f"{c}={[float(r[c]) if c not in TEXT else r[c] for r in rows]!r}" for c in FEATURES)
    cli = Path(sys.executable).with_name("saved_model_cli")
    done = subprocess.run([str(cli), "run", "--dir", str(version), "--tag_set", "serve", "--signature_def",
                           "serving_default", "--input_exprs", exprs], capture_output=True, text=True, timeout=120,
                          env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"})
    assert done.returncode == 0, done.stderr[-2000:]
    answered = [float(x) for x in re.findall(r"-?\d+\.\d*(?:e[-+]?\d+)?",
                                             done.stdout.split("Result for output key tip:", 1)[1])]
    np.testing.assert_allclose(answered, predicted, rtol=1e-5, atol=1e-5)

    site = [p for p in sys.path if p.endswith("site-packages")]
    code = f"import sys; sys.path[:0] = {site!r}\n" + ISOLATED
    floats = [numbers_as_floats(row) for row in rows]
    done = subprocess.run([sys.executable, "-I", "-S", "-c", code, str(version), json.dumps(floats)], cwd=folder,
                          capture_output=True, text=True, timeout=120,
                          env={"TF_CPP_MIN_LOG_LEVEL": "3", "PATH": os.environ.get("PATH", "")})
    assert done.returncode == 0, done.stderr[-2000:]
    answers = json.loads(done.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(answers["rows"], predicted, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(answers["example"], predicted[:len(answers["example"])], rtol=1e-5, atol=1e-5)


def test_the_keras_file_reloads_safely_and_the_tflite_file_answers_alike(trained):
    folder, path, run, predicted = trained
    rows = [numbers_as_floats(r) for r in tips_rows(ROWS, drop=("tip",))]
    assert main(["export", str(path), "--run", str(run), "--format", "keras", "-o", str(folder / "m.keras")]) == 0
    model = keras.saving.load_model(folder / "m.keras", safe_mode=True)
    np.testing.assert_allclose(np.asarray(model(_batch(rows))).ravel(), predicted, rtol=1e-5, atol=1e-5)

    assert main(["export", str(path), "--run", str(run), "--format", "tflite", "-o", str(folder / "m.tflite")]) == 0
    interpreter = tf.lite.Interpreter(model_path=str(folder / "m.tflite"))
    runner = interpreter.get_signature_runner()
    batch = _batch(rows)
    answered = []
    for i in range(ROWS):  # the converted signature takes one row at a time
        out = runner(**{c: v[i:i + 1].astype(np.bytes_) if c in TEXT else v[i:i + 1] for c, v in batch.items()})
        answered.append(float(next(iter(out.values())).ravel()[0]))
    np.testing.assert_allclose(answered, predicted, rtol=1e-5, atol=1e-5)


def test_the_python_script_feeds_text_as_written_and_adapts_the_block_itself(trained):
    import runpy

    folder, path, run, _ = trained
    assert main(["export", str(path), "--format", "python", "-o", str(folder / "tips_script.py")]) == 0
    script = runpy.run_path(str(folder / "tips_script.py"), run_name="exported")
    model = script["train"](epochs=1).model
    assert model.count_params() == keras.saving.load_model(run / "model.keras", safe_mode=True).count_params()
    normalized = model.get_layer("preprocessing").get_layer("total_bill_normalized")
    assert float(normalized.mean.numpy().ravel()[0]) == pytest.approx(19.8, abs=1.5)  # not the unadapted 0
    rows = [numbers_as_floats(r) for r in tips_rows(ROWS, drop=("tip",))]
    assert np.isfinite(np.asarray(model(_batch(rows)))).all()
