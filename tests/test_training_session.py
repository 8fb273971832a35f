"""The training session as the GUI and the command line use it: real (tiny) Keras runs.

Data is handed over as arrays (`data=`), so these tests are about the engine —
events, Stop, Pause, NaN, failures, reproducibility, the run folder — not
about reading files.
"""

import copy
import csv
import importlib.util
import json
import math
import re
import time

import keras
import numpy as np
import pytest
import tensorflow as tf

from netbuilder.graph.project_file import from_dict
from netbuilder.training.datasets.loaded import LoadedData, Split
from netbuilder.training.events import BatchEnd, EpochEnd, Paused, Preparing, Resumed, RunFinished, RunStarted
from netbuilder.training.session import TrainingSession
from netbuilder.training.settings import EarlyStopping, ReduceLR, TrainingSettings

TINY = {
    "format": "netbuilder", "version": 1, "name": "tiny",
    "graph": {
        "nodes": [
            {"id": "x", "layer": "Input", "config": {"shape": [4]}},
            {"id": "h", "layer": "Dense", "config": {"units": 8, "activation": "relu"}},
            {"id": "y", "layer": "Dense", "config": {"units": 1}},
        ],
        "edges": [{"source": "x", "target": "h"}, {"source": "h", "target": "y"}],
    },
}


def tiny_project(**dense):
    doc = copy.deepcopy(TINY)
    doc["graph"]["nodes"][1]["config"].update(dense)
    return from_dict(doc)


def tiny_data(rows=200, features=4, extreme=None):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, features)).astype("float32")
    y = (x @ np.linspace(-1, 1, features).astype("float32"))[:, None] + 3
    if extreme is not None:
        x[0, 0] = extreme
    cut = rows * 4 // 5
    return LoadedData(Split({"x": x[:cut]}, {"y": y[:cut]}), Split({"x": x[cut:]}, {"y": y[cut:]}), "regression")


def train(tmp_path, *, project=None, data=None, listener=None, **settings):
    """Run a session to the end in this thread; (result, session, every event)."""
    events = []

    def listen(event):
        events.append(event)
        if listener is not None:
            listener(event)

    session = TrainingSession(project or tiny_project(), None,
                              TrainingSettings(**{"epochs": 2, "batch_size": 16, **settings}),
                              tmp_path / "runs", data=data or tiny_data(), listener=listen)
    return session.run(), session, events


def test_a_run_reports_its_progress_and_keeps_everything_in_its_folder(tmp_path):
    result, session, events = train(tmp_path)
    assert result.status == "completed" and result.message == "Trained for 2 epochs."
    kinds = [type(e) for e in events]
    assert kinds[0] is Preparing and kinds[-1] is RunFinished
    started = next(e for e in events if isinstance(e, RunStarted))
    assert (started.epochs, started.steps_per_epoch) == (2, 10)  # 160 rows in batches of 16
    assert started.metrics == ["loss", "rmse", "val_loss", "val_rmse"]
    batches = [(e.epoch, e.batch) for e in events if isinstance(e, BatchEnd)]
    assert batches == [(epoch, b) for epoch in (1, 2) for b in range(1, 11)]
    epochs = [e for e in events if isinstance(e, EpochEnd)]
    assert [e.epoch for e in epochs] == [1, 2] and epochs[0].elapsed < epochs[1].elapsed
    assert list(result.history) == started.metrics
    assert result.history["loss"] == [e.logs["loss"] for e in epochs]
    assert session.drain() == events  # the queue holds the same events the listener saw

    folder = result.run_dir
    assert folder.parent == tmp_path / "runs" and re.fullmatch(r"\d{8}-\d{6}", folder.name)
    assert {p.name for p in folder.iterdir()} == {"history.csv", "settings.json", "model.keras", "curves.svg",
                                                  "health.csv"}
    rows = list(csv.reader((folder / "history.csv").open()))
    assert rows[0] == ["epoch", "loss", "val_loss", "rmse", "val_rmse"]
    assert [float(v) for v in rows[2][1:]] == [result.history[k][1] for k in rows[0][1:]]  # exact, repr precision
    record = json.loads((folder / "settings.json").read_text())
    assert record["status"] == "completed" and record["epochs_done"] == 2 and record["fit_seconds"] > 0
    assert record["training"]["batch_size"] == 16 and record["project"] == "tiny"
    loaded = keras.saving.load_model(folder / "model.keras")
    x = tiny_data().validation.features["x"]
    np.testing.assert_allclose(loaded.predict(x, verbose=0), session.model.predict(x, verbose=0), rtol=1e-6)


def stopped_run(tmp_path, at):
    """A run of 3 epochs of 20 batches, stopped when batch `at` = (epoch, batch) has been reported."""
    session, events = None, []

    def stop_there(event):
        events.append(event)
        if isinstance(event, BatchEnd) and (event.epoch, event.batch) == at:
            session.stop()

    session = TrainingSession(tiny_project(), None, TrainingSettings(epochs=3, batch_size=8), tmp_path / "runs",
                              data=tiny_data(), listener=stop_there)
    return session.run(), session, events


def test_stop_ends_the_run_after_the_batch_under_way_and_keeps_what_was_learned(tmp_path):
    result, session, events = stopped_run(tmp_path, (2, 3))
    assert result.status == "stopped"
    assert int(session.model.optimizer.iterations) in (23, 24)  # at most one more batch ran
    batches = int(session.model.optimizer.iterations) - 20
    assert session.batches_done == int(session.model.optimizer.iterations)  # the worker's own count
    assert result.message == (f"Stopped during epoch 2, after {batches} batches; the weights so far are kept, "
                              "and the history of the 1 complete epoch.")
    # The cut epoch is no epoch of the history: one row per complete epoch, every value measured.
    assert result.epochs_done == 1 and [e.epoch for e in events if isinstance(e, EpochEnd)] == [1]
    assert all(len(values) == 1 and math.isfinite(values[0]) for values in result.history.values())
    lines = (result.run_dir / "history.csv").read_text().splitlines()
    assert len(lines) == 2 and "nan" not in lines[1] and lines[1].startswith("1,")
    record = json.loads((result.run_dir / "settings.json").read_text())
    assert (record["status"], record["epochs_done"]) == ("stopped", 1)
    assert record["final"] == {k: v[0] for k, v in result.history.items()}
    keras.saving.load_model(result.run_dir / "model.keras")


def test_a_run_stopped_in_its_first_epoch_keeps_its_weights_but_no_history(tmp_path):
    result, session, _ = stopped_run(tmp_path, (1, 3))
    assert result.status == "stopped" and result.epochs_done == 0 and result.history == {}
    assert result.message.endswith(", before any epoch completed; the weights so far are kept.")
    assert sorted(p.name for p in result.run_dir.iterdir()) == ["health.csv", "model.keras", "settings.json"]
    loaded = keras.saving.load_model(result.run_dir / "model.keras")
    np.testing.assert_array_equal(loaded.get_weights()[0], session.model.get_weights()[0])


def events_until(session, wanted, timeout=30.0):
    """Drain the session's events until one satisfies `wanted`; every event seen, or fail at the deadline."""
    seen, deadline = [], time.monotonic() + timeout
    while not any(wanted(e) for e in seen):
        assert time.monotonic() < deadline, f"still waiting after {timeout} s; seen {seen[-5:]}"
        seen += session.drain()
        time.sleep(0.005)  # a poll interval, not a guess at how long training takes
    return seen


def test_pause_holds_the_run_until_resumed_and_stop_wakes_a_paused_run(tmp_path):
    session = TrainingSession(tiny_project(), None, TrainingSettings(epochs=50, batch_size=8), tmp_path / "runs",
                              data=tiny_data())
    session.start()
    events_until(session, lambda e: isinstance(e, BatchEnd))
    session.pause()
    seen = events_until(session, lambda e: e == Paused())
    assert session.is_paused and session.is_running
    assert seen[seen.index(Paused()) + 1:] == []  # Paused is the last word until Resume
    iterations = int(session.model.optimizer.iterations)
    quiet_until = time.monotonic() + 0.3  # absence can only be watched for a while
    while time.monotonic() < quiet_until:
        assert session.drain() == [] and int(session.model.optimizer.iterations) == iterations

    session.resume()
    resumed = events_until(session, lambda e: isinstance(e, BatchEnd))
    assert resumed[0] == Resumed()
    assert int(session.model.optimizer.iterations) > iterations

    session.pause()
    events_until(session, lambda e: e == Paused())
    session.stop()
    result = session.wait(30)
    assert result is not None and result.status == "stopped" and not session.is_running


def test_a_nan_loss_stops_the_run_at_once_with_a_message(tmp_path):
    result, _, events = train(tmp_path, epochs=5, learning_rate=1e6)
    assert result.status == "nan"
    assert re.fullmatch(r"The loss became (NaN|infinite) at epoch 1, batch \d+; try a lower learning rate or "
                        r"check the data for extreme values", result.message)
    # The epoch the loss broke in is cut short: it is no row of the history, and no NaN is recorded.
    assert result.epochs_done == 0 and EpochEnd not in [type(e) for e in events] and result.history == {}
    record = json.loads((result.run_dir / "settings.json").read_text())
    assert (record["status"], record["message"]) == ("nan", result.message)
    # Its weights are not numbers: no model; health.csv records how they blew up, and the warning about it is kept.
    assert sorted(p.name for p in result.run_dir.iterdir()) == ["health.csv", "health_warnings.csv", "settings.json"]
    assert "exploding" in (result.run_dir / "health_warnings.csv").read_text(encoding="utf-8").lower()


def test_extreme_values_in_the_data_end_the_run_as_nan_too(tmp_path):
    result, _, _ = train(tmp_path, data=tiny_data(extreme=1e30), shuffle=False)
    assert result.status == "nan" and "at epoch 1, batch 1;" in result.message


def test_a_refusal_is_a_message_and_leaves_no_run_behind(tmp_path):
    result, _, events = train(tmp_path, data=tiny_data(features=3))
    assert result.status == "refused"
    assert "Input 'x' expects (4,), the dataset gives (3,)" in result.message
    assert "Traceback" not in result.message
    assert result.run_dir is None and RunStarted not in [type(e) for e in events]
    assert not (tmp_path / "runs").exists()  # no folder claims a run that never started

    broken, _, _ = train(tmp_path, project=tiny_project(units=-1))
    assert broken.status == "refused" and broken.message.startswith("The model cannot be built: ")
    assert "units" in broken.message
    assert not (tmp_path / "runs").exists()


def test_a_failure_once_training_began_keeps_the_run_and_the_next_run_works(tmp_path):
    def boom(event):
        if isinstance(event, BatchEnd) and event.batch == 2:
            raise RuntimeError("the listener broke\nwith a second line")

    crashed, _, _ = train(tmp_path, listener=boom)
    assert (crashed.status, crashed.message) == ("failed", "Training failed: the listener broke (RuntimeError).")
    record = json.loads((crashed.run_dir / "settings.json").read_text())
    assert (record["status"], record["message"]) == ("failed", crashed.message)

    again, _, _ = train(tmp_path)
    assert again.status == "completed" and len(again.history["loss"]) == 2


@pytest.mark.parametrize("error", [MemoryError(), tf.errors.ResourceExhaustedError(None, None, "OOM when allocating")])
def test_running_out_of_memory_says_what_to_try(tmp_path, monkeypatch, error):
    def fit(*args, **kwargs):
        raise error

    monkeypatch.setattr(keras.Model, "fit", fit)
    result, _, _ = train(tmp_path)
    assert result.status == "failed"
    assert result.message.startswith("Out of memory: try a smaller batch size")


def test_a_fixed_seed_repeats_the_run_exactly(tmp_path):
    first, _, _ = train(tmp_path, seed=7)
    second, _, _ = train(tmp_path, seed=7)
    other, _, _ = train(tmp_path, seed=8)
    assert first.history == second.history
    assert first.history["loss"] != other.history["loss"]


def test_early_stopping_and_reduce_lr_come_from_the_settings(tmp_path):
    result, _, _ = train(tmp_path, epochs=6, learning_rate=1e-12, early_stopping=EarlyStopping(patience=1),
                         reduce_lr=ReduceLR(patience=1))
    assert result.status == "completed"
    assert result.message == "Early stopping ended the run after epoch 2: val_loss had not improved for 1 epochs."
    assert result.history["learning_rate"][0] == pytest.approx(1e-12)


def test_tensorboard_logs_beside_the_run_or_says_what_it_needs(tmp_path):
    result, _, _ = train(tmp_path, epochs=1, tensorboard_dir="tb")
    if importlib.util.find_spec("tensorboard") is None:
        assert (result.status, result.message) == ("refused", (
            "TensorBoard logging needs the tensorboard package (pip install tensorboard); "
            "clear the TensorBoard folder setting to train without it."))
    else:
        assert result.status == "completed"
        assert (result.run_dir / "tb" / "train").is_dir()  # relative to the run folder: the project is unsaved


def test_fixed_steps_per_epoch_and_no_validation_data(tmp_path):
    data = tiny_data()
    data.validation = None
    result, _, events = train(tmp_path, data=data, steps_per_epoch=3, epochs=2)
    started = next(e for e in events if isinstance(e, RunStarted))
    assert (started.steps_per_epoch, started.metrics) == (3, ["loss", "rmse"])
    assert [(e.epoch, e.batch) for e in events if isinstance(e, BatchEnd)] == [(1, 1), (1, 2), (1, 3),
                                                                             (2, 1), (2, 2), (2, 3)]
    assert (result.run_dir / "history.csv").read_text().splitlines()[0] == "epoch,loss,rmse"
