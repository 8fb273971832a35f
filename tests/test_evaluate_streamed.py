"""Evaluating a streamed dataset scores its whole split, not the sample it keeps in memory.

A CSV file is streamed here whatever its size (the streaming size set to 0);
its validation file holds more rows than a streamed split keeps as its sample,
and the scores, the row counts and the confusion matrix must be those the
in-memory path gives on the same file.
"""

import keras
import numpy as np
import pytest

from netbuilder.training.datasets import DatasetSpec, load_dataset
from netbuilder.training.datasets import csv_scan, csv_stream
from netbuilder.training.datasets.csv_stream import SAMPLE_ROWS
from netbuilder.training import evaluate as evaluation
from netbuilder.training.evaluate import evaluate
from netbuilder.ui.training.evaluate_view import regression_summary

ROWS = 2_500  # more than a streamed split's sample


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(3)

    def write(name, rows):
        x = rng.normal(size=(rows, 3))
        kinds = np.array(["big", "small", "odd"])[rng.integers(0, 3, rows)]
        lines = ["a,b,c,kind,y"] + [f"{a:.5f},{b:.5f},{c:.5f},{k},{a + 2 * b - c + 0.1 * rng.normal():.5f}"
                                     for (a, b, c), k in zip(x, kinds)]
        (tmp_path / name).write_text("\n".join(lines) + "\n")

    write("train.csv", 200)
    write("check.csv", ROWS)
    return tmp_path


def _load(files, monkeypatch, streamed, target):
    monkeypatch.setattr(csv_stream, "STREAM_BYTES", 0 if streamed else 1 << 40)
    monkeypatch.delenv(csv_stream.STREAM_ENV, raising=False)
    csv_scan._scans.clear()
    spec = DatasetSpec(str(files / "train.csv"), target=[target], inputs={"x": ["a", "b", "c"]},
                       validation_file=str(files / "check.csv"))
    return load_dataset(spec, None, input_names=["x"], output_names=["y"])


def _model(units, activation=None):
    keras.utils.set_random_seed(0)
    inputs = keras.Input((3,), name="x")
    return keras.Model(inputs, keras.layers.Dense(units, activation=activation, name="y")(inputs))


def test_regression_scores_cover_the_whole_streamed_split(files, monkeypatch):
    model = _model(1)
    whole = evaluate(model, _load(files, monkeypatch, False, "y"))
    streamed_data = _load(files, monkeypatch, True, "y")
    assert len(streamed_data.validation) == SAMPLE_ROWS < ROWS  # what the scores came from before
    streamed = evaluate(model, streamed_data)
    assert whole.rows == streamed.rows == ROWS
    assert streamed.rmse == pytest.approx(whole.rmse, rel=1e-6)
    assert streamed.mae == pytest.approx(whole.mae, rel=1e-6)
    np.testing.assert_allclose(streamed.y_true, whole.y_true)  # every row plotted: fewer than PLOTTED_ROWS
    assert regression_summary(streamed).endswith("· 2,500 validation rows")


def test_the_plots_of_a_long_streamed_split_keep_its_first_rows(files, monkeypatch):
    monkeypatch.setattr(evaluation, "PLOTTED_ROWS", 100)
    report = evaluate(_model(1), _load(files, monkeypatch, True, "y"))
    assert report.rows == ROWS and len(report.y_true) == len(report.residuals) == 100
    assert "2,500 validation rows (plots: the first 100)" in regression_summary(report)


def test_the_confusion_matrix_counts_every_row_of_the_streamed_split(files, monkeypatch):
    model = _model(3, "softmax")
    whole = evaluate(model, _load(files, monkeypatch, False, "kind"))
    streamed = evaluate(model, _load(files, monkeypatch, True, "kind"))
    assert streamed.class_names == whole.class_names == ["big", "odd", "small"]
    np.testing.assert_array_equal(streamed.confusion, whole.confusion)
    assert streamed.rows == ROWS and streamed.accuracy == pytest.approx(whole.accuracy)
    assert streamed.precision == pytest.approx(whole.precision) and streamed.recall == pytest.approx(whole.recall)
