"""Time-series datasets: windows of a CSV series forecast a later row, streamed, split in time order."""

import json
import os

import numpy as np
import pytest

from helpers import EXAMPLES, REPO
from netbuilder.training.datasets import DatasetError, DatasetSpec, load_dataset, preview_dataset
from netbuilder.training.datasets import timeseries_windows
from memory_limit import peak_bytes, train_limited


def _series(path, rows: int, extra: str = "") -> None:
    """`t` counts the rows, `y` is 10·t (so every window says which rows it holds), `day` is text."""
    lines = ["day,t,y" + extra] + [f"d{i},{i},{10 * i}" for i in range(rows)]
    path.write_text("\n".join(lines) + "\n")


def _load(path, validation_split=0.25, **fields):
    spec = DatasetSpec.from_section({"source": str(path), "kind": "timeseries", "target": "y", **fields})
    return load_dataset(spec, None, input_names=["history"], output_names=["next"],
                        validation_split=validation_split, seed=3)


def _all(data, which):
    x, y = zip(*[(x.numpy(), y.numpy()) for x, y in data.tf_dataset(which, 64, shuffle=False)])
    return np.concatenate(x), np.concatenate(y)


def test_window_and_horizon_round_trip_with_defaults_left_out():
    spec = DatasetSpec.from_section({"source": "s.csv", "kind": "timeseries", "window": 8, "horizon": 3})
    assert (spec.window, spec.horizon) == (8, 3)
    assert DatasetSpec.from_section(spec.to_section()) == spec
    assert "window" not in DatasetSpec(source="s.csv").to_section()
    with pytest.raises(DatasetError) as err:
        DatasetSpec.from_section({"source": "s.csv", "window": 0, "horizon": "2"})
    assert "dataset.window: expected a whole number of time steps above 0, got 0" in str(err.value)
    assert "dataset.horizon" in str(err.value)


def test_windows_forecast_the_row_horizon_steps_on_and_validation_is_the_end_of_the_series(tmp_path):
    _series(tmp_path / "s.csv", 103)
    data = _load(tmp_path / "s.csv", window=3, horizon=2)
    windows = 103 - 5 + 1
    assert data.n_rows("train") + data.n_rows("validation") == windows
    assert data.n_rows("validation") == int(windows * 0.25)
    assert data.input_shapes() == {"history": (3, 2)}  # every numeric column, the target's past included
    assert data.feature_columns == {"history": ["t", "y"]}
    x, y = _all(data, "train")
    np.testing.assert_array_equal(x[0], [[0, 0], [1, 10], [2, 20]])
    np.testing.assert_array_equal(y[:, 0], 10 * (x[:, -1, 0] + 2))  # two steps after each window's last row
    vx, vy = _all(data, "validation")
    assert len(vx) == data.n_rows("validation") and vy.min() > y.max()  # no training target in its period
    np.testing.assert_array_equal(vx[:, 0, 0], np.arange(len(x), windows))


def test_windows_that_straddle_chunks_are_all_there(tmp_path, monkeypatch):
    monkeypatch.setattr(timeseries_windows, "MAX_CHUNK_ROWS", 64)
    _series(tmp_path / "s.csv", 1000)
    data = _load(tmp_path / "s.csv", validation_split=0, window=50, inputs={"history": ["t"]})
    x, _ = _all(data, "train")
    np.testing.assert_array_equal(x[:, :, 0], np.lib.stride_tricks.sliding_window_view(np.arange(999), 50))


def test_windows_of_a_file_with_windows_line_ends_and_blank_lines(tmp_path):
    lines = ["t,y"] + [f"{i},{10 * i}" for i in range(40)]
    lines.insert(20, "")
    (tmp_path / "s.csv").write_bytes("\r\n".join(lines).encode() + b"\r\n")
    data = _load(tmp_path / "s.csv", validation_split=0, window=4)
    x, y = _all(data, "train")
    assert len(x) == 36
    np.testing.assert_array_equal(y[:, 0], 10 * np.arange(4, 40))


def test_training_windows_are_shuffled_by_the_seed(tmp_path):
    _series(tmp_path / "s.csv", 300)
    data = _load(tmp_path / "s.csv", window=4)

    def order(seed):
        return np.concatenate([x.numpy()[:, 0, 0] for x, _ in data.tf_dataset("train", 32, seed=seed)])

    first, again, other = order(1), order(1), order(2)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, other) and not np.array_equal(first, np.sort(first))
    np.testing.assert_array_equal(np.sort(first), np.arange(data.n_rows("train")))


@pytest.mark.parametrize("content, fields, message", [
    ("day,t,y\nd0,0,0\nd1,1,10\n", {"window": 2}, "s.csv: has 2 rows, but a window of 2 rows and a target 1 step "
                                                  "after it need at least 3 rows"),
    ("day,t,y\nd0,0,0\nd1,x1,10\nd2,2,20\n", {"window": 1}, "column 't' holds text ('x1' in row 3)"),
    ("day,t,y\nd0,0,0\nd1,,10\nd2,2,20\n", {"window": 1}, "column 't' has no value (empty or NaN) in row 3"),
    ("day,t,y\nd0,0,0\nd1,1,10\nd2,2,20\n", {"window": 1, "inputs": {"history": ["t", "speed"]}},
     "s.csv: has no column 'speed' (its columns: day, t, y)"),
    ("day,t,y\nd0,0,0\nd1,1,10\nd2,2,20\n", {"window": 1, "inputs": {"history": ["day"]}},
     "column 'day' holds text ('d0' in row 2)"),
    ("t,y\n" + "".join(f"{i},{i}\n" for i in range(20)), {"window": 16, "validation_split": 0.2},
     "s.csv: a validation split of 0.2 of its 4 windows (20 rows, 17 to a window and its target) leaves no "
     "validation windows"),
])
def test_a_series_that_cannot_be_windowed_is_refused_naming_the_culprit(tmp_path, content, fields, message):
    (tmp_path / "s.csv").write_text(content)
    with pytest.raises(DatasetError) as err:
        _load(tmp_path / "s.csv", **{"validation_split": 0, **fields})
    assert message in str(err.value)


def test_a_validation_file_gives_every_window_of_its_own_series(tmp_path):
    _series(tmp_path / "s.csv", 50)
    _series(tmp_path / "later.csv", 30)
    data = _load(tmp_path / "s.csv", window=5, validation_file=str(tmp_path / "later.csv"))
    assert (data.n_rows("train"), data.n_rows("validation")) == (45, 25)
    np.testing.assert_array_equal(_all(data, "validation")[0][:, 0, 0], np.arange(25))


def test_text_far_down_a_big_series_is_named_by_row(tmp_path, monkeypatch):
    from netbuilder.training.datasets import csv_scan

    monkeypatch.setattr(csv_scan, "SLICE_BYTES", 1 << 10)  # the scan reads numbers first, the text slices later
    lines = ["t,y"] + [f"{i},{i}" for i in range(500)] + ["7,seven"] + [f"{i},{i}" for i in range(50)]
    (tmp_path / "s.csv").write_text("\n".join(lines) + "\n")
    with pytest.raises(DatasetError) as err:
        _load(tmp_path / "s.csv", validation_split=0, window=4)
    assert "s.csv: column 'y' holds text ('seven' in row 502)" in str(err.value)


def test_the_preview_shows_the_first_rows_of_the_series():
    # No kind given: the bundled set's index says it is a series.
    spec = DatasetSpec.from_section({"source": "bundled:co2", "target": "co2", "window": 26})
    preview = preview_dataset(spec, None)
    assert preview.columns == ["date", "co2"] and preview.rows[0] == ["1958-03-29", "316.1"]
    assert "2,284 rows" in preview.note and "windows of 26 rows" in preview.note


@pytest.mark.slow
def test_the_co2_example_forecasts_better_than_last_weeks_value(tmp_path):
    from netbuilder.graph import project_file
    from netbuilder.training.session import TrainingSession
    from netbuilder.training.settings import TrainingSettings

    project = project_file.load(EXAMPLES / "co2_forecast.nbproj")
    spec = DatasetSpec.from_section(project.sections["dataset"])
    settings = TrainingSettings.from_section({**project.sections["training"], "epochs": 6})
    session = TrainingSession(project, spec, settings, EXAMPLES, run_dir=tmp_path / "run", queue_events=False)
    result = session.run()
    assert result.status == "completed", result.message
    windows, targets = _all(session.data, "validation")
    same_as_last_week = float(np.sqrt(np.mean((windows[:, -1, 0] - targets[:, 0]) ** 2)))
    assert result.history["val_rmse"][-1] < same_as_last_week, (result.history["val_rmse"], same_as_last_week)


def test_the_savedmodel_of_a_series_model_takes_windows_not_raw_rows(tmp_path):
    import tensorflow as tf

    from netbuilder.graph import project_file
    from netbuilder.keras_bridge import build_model
    from netbuilder.export.raw_serving import export_for_serving

    project = project_file.load(EXAMPLES / "co2_forecast.nbproj")
    model = build_model(project).model
    export = export_for_serving(project, model, None, tmp_path / "served")
    assert not export.raw_rows and export.result.verified
    assert export.note == ("bundled:co2: a time-series model forecasts from windows of 26 rows, not from one raw row "
                           "at a time; it takes arrays of shape (N, 26, 1); the SavedModel takes the model's own "
                           "inputs, not raw columns")
    signature = tf.saved_model.load(str(export.result.path)).signatures["serving_default"]
    (spec,) = signature.structured_input_signature[1].values()
    assert spec.shape.as_list() == [None, 26, 1] and spec.dtype == tf.float32


def test_predict_refuses_single_rows_for_a_series_model_in_a_sentence(capsys):
    from netbuilder.cli import main

    code = main(["predict", str(EXAMPLES / "co2_forecast.nbproj"), "--data", str(REPO / "resources" / "datasets" /
                                                                                "co2.csv")])
    assert code == 1
    assert capsys.readouterr().err.strip().endswith(
        "bundled:co2: a time-series model forecasts from windows of 26 rows, not from one raw row at a time; it "
        "takes arrays of shape (N, 26, 1)")


@pytest.mark.slow
def test_the_exported_script_trains_on_the_same_windows(tmp_path):
    from netbuilder.graph import project_file
    from test_export_python import _run_script

    namespace = _run_script(project_file.load(EXAMPLES / "co2_forecast.nbproj"), tmp_path)
    x, y = namespace["load_data"](namespace["DATA_PATH"])
    assert x.shape == (2284 - 26, 26, 1) and y.shape == (2284 - 26, 1)
    np.testing.assert_array_equal(y[:-1, 0], x[1:, -1, 0])  # next week's value is the next window's last
    history = namespace["train"](epochs=1)
    assert "val_rmse" in history.history


@pytest.mark.slow
def test_the_training_package_trains_on_the_series(tmp_path):
    from netbuilder.graph import project_file
    from netbuilder.export.training_package import write_package
    from test_export_package import history_of, run_package

    folder = tmp_path / "co2_package"
    write_package(project_file.load(EXAMPLES / "co2_forecast.nbproj"), folder)
    run_package(folder, "--epochs", "2")
    header, *rows = history_of(folder / "output")
    assert "val_rmse" in header and len(rows) == 2
    losses = [float(row[header.index("loss")]) for row in rows]
    assert losses[1] < losses[0]


@pytest.mark.slow
def test_a_series_bigger_than_memory_allows_trains(tmp_path):
    """A series takes the same address space whatever its length: 40× the rows train under the limit
    that the short one needed (plus a margin far smaller than the long file, let alone its windows)."""

    def project(rows: int) -> str:
        data = tmp_path / f"s{rows}.csv"
        rng = np.random.default_rng(0)
        values = np.cumsum(rng.normal(size=(rows, 4)), axis=0)
        np.savetxt(data, values, delimiter=",", fmt="%.4f", header="a,b,c,y", comments="")
        path = tmp_path / f"p{rows}.nbproj"
        path.write_text(json.dumps({
            "format": "netbuilder", "version": 1, "name": "series",
            "graph": {"nodes": [{"id": "x", "layer": "Input", "config": {"shape": [64, 4]}},
                                {"id": "h", "layer": "Conv1D", "config": {"filters": 4, "kernel_size": 8,
                                                                          "strides": 8}},
                                {"id": "f", "layer": "Flatten", "config": {}},
                                {"id": "y", "layer": "Dense", "config": {"units": 1}}],
                      "edges": [{"source": "x", "target": "h"}, {"source": "h", "target": "f"},
                                {"source": "f", "target": "y"}]},
            "dataset": {"source": str(data), "kind": "timeseries", "target": "y", "window": 64},
        }))
        return str(path)

    def train(path: str, limit: int, run: str):
        args = ["train", path, "--batch-size", "64", "--train-examples", "2048", "--evaluations", "1",
                "--validation-split", "0.1", "--out", str(tmp_path / run)]
        return train_limited(args, limit)

    small = train(project(20_000), 0, "small")
    assert small.returncode == 0, small.stderr[-2000:]
    limit = peak_bytes(small) + (100 << 20)
    big = project(800_000)  # ~32 MB of text; its windows as float32 would take 800,000 × 64 × 4 × 4 B = 820 MB
    assert os.path.getsize(tmp_path / "s800000.csv") > 25 << 20
    streamed = train(big, limit, "big")
    assert streamed.returncode == 0, streamed.stderr[-2000:]
    assert (tmp_path / "big" / "model.keras").exists()


def test_train_with_another_series_file_keeps_reading_it_as_a_series(tmp_path, capsys):
    from netbuilder.cli import main

    data = tmp_path / "my_series.csv"
    data.write_text("level\n" + "".join(f"{np.sin(i / 5):.4f}\n" for i in range(300)))
    project = json.loads((EXAMPLES / "co2_forecast.nbproj").read_text())
    project["training"]["epochs"] = 1
    path = tmp_path / "p.nbproj"
    path.write_text(json.dumps(project))
    code = main(["train", str(path), "--data", str(data), "--target", "level", "--out", str(tmp_path / "run")])
    assert code == 0, capsys.readouterr().err  # windows of 26 rows, not one row per sample
