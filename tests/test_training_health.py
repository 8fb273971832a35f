"""Training health as users meet it: per-layer norms in health.csv, warnings in sentences.

The warnings must fire on models built to go wrong (a Dense whose large negative
bias kills its ReLU; a deep linear stack with large weights and a high learning
rate) and stay silent on every bundled example that ships its data.
"""

import copy
import csv
import json
import tempfile
from pathlib import Path

import pytest

from helpers import EXAMPLES
from netbuilder.cli import main
from netbuilder.graph import project_file
from netbuilder.graph.project_file import from_dict
from netbuilder.training.datasets import DatasetSpec
from netbuilder.training.events import HealthCheck, HealthWarning, LayerHealth
from netbuilder.training import health
from netbuilder.training.health_rules import PATIENCE, HealthWatch
from netbuilder.training.session import TrainingSession
from netbuilder.training.settings import TrainingSettings
from test_training_session import TINY, tiny_data, train

DEAD_BIAS = {"class_name": "Constant", "config": {"value": -50.0}}
EXAMPLES_WITH_DATA = ["co2_forecast", "digits_cnn", "iris_classifier", "language_id", "tips_regression"]


def dead_relu_project():
    doc = copy.deepcopy(TINY)
    doc["graph"]["nodes"][1]["config"]["bias_initializer"] = DEAD_BIAS
    return doc


def exploding_project(depth=6):
    """A deep stack of linear Dense layers with weights far too large for their width."""
    nodes = [{"id": "x", "layer": "Input", "config": {"shape": [4]}}]
    big = {"class_name": "RandomNormal", "config": {"stddev": 1.0}}
    for i in range(depth):
        nodes.append({"id": f"d{i}", "layer": "Dense", "config": {"units": 32, "kernel_initializer": big}})
    nodes.append({"id": "y", "layer": "Dense", "config": {"units": 1}})
    edges = [{"source": a["id"], "target": b["id"]} for a, b in zip(nodes, nodes[1:])]
    return {"format": "netbuilder", "version": 1, "name": "exploding", "graph": {"nodes": nodes, "edges": edges}}


def warnings_of(events):
    return [e for e in events if isinstance(e, HealthWarning)]


def test_a_dead_relu_is_named_with_what_to_try_and_recorded_in_health_csv(tmp_path):
    result, _, events = train(tmp_path, project=from_dict(dead_relu_project()), epochs=2, seed=1)
    assert result.status == "completed"
    [warning] = warnings_of(events)
    assert (warning.kind, warning.layer) == ("dead_relu", "h")
    assert warning.message.startswith("Layer 'h' outputs only zeros for a sample batch")
    assert all(remedy in warning.message for remedy in ("lower learning rate", "LeakyReLU", "he_normal"))
    rows = list(csv.DictReader((result.run_dir / "health.csv").open()))
    assert {r["layer"] for r in rows} == {"h", "y"}
    assert all(float(r["active_fraction"]) == 0 for r in rows if r["layer"] == "h")
    assert all(float(r["grad_norm"]) == 0 for r in rows if r["layer"] == "h")  # nothing flows back through it


def test_exploding_gradients_are_reported_before_the_run_ends_on_nan(tmp_path):
    result, _, events = train(tmp_path, project=from_dict(exploding_project()), epochs=3, seed=1,
                              optimizer="sgd", learning_rate=0.1)
    assert result.status == "nan"
    kinds = [w.kind for w in warnings_of(events)]
    assert "exploding" in kinds
    message = next(w.message for w in warnings_of(events) if w.kind == "exploding")
    assert message.startswith("Exploding gradients") and "lower learning rate" in message


def test_a_healthy_run_is_silent_and_checks_every_layer(tmp_path):
    result, _, events = train(tmp_path, epochs=3, seed=1)
    assert result.status == "completed" and warnings_of(events) == []
    checks = [e for e in events if isinstance(e, HealthCheck)]
    assert len(checks) >= 2 and checks[0].step == 0
    assert set(checks[0].layers) == {"h", "y"} and checks[0].layers["h"].update_ratio is None
    assert checks[-1].layers["y"].update_ratio > 0  # the weights moved


def test_netbuilder_train_prints_the_warning_as_a_line(tmp_path, capsys):
    data = tiny_data()
    path = tmp_path / "rows.csv"
    with path.open("w", newline="") as fh:
        out = csv.writer(fh)
        out.writerow(["a", "b", "c", "d", "y"])
        out.writerows([*row, target] for row, target in zip(data.train.features["x"].tolist(),
                                                            data.train.targets["y"][:, 0].tolist()))
    project = tmp_path / "dead.nbproj"
    project.write_text(json.dumps(dead_relu_project()))
    assert main(["train", str(project), "--data", str(path), "--target", "y", "--epochs", "1",
                 "--out", str(tmp_path / "run")]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert any(line.startswith("warning: Layer 'h' outputs only zeros") for line in lines)
    assert (tmp_path / "run" / "health.csv").exists()


# -- the rules on their own --------------------------------------------------------------------------

def check(step, **layers):
    return HealthCheck(1, step + 1, step, {name: LayerHealth(*values) for name, values in layers.items()})


def test_gradients_growing_a_thousandfold_are_exploding():
    watch = HealthWatch()
    assert watch.observe(check(0, a=(1.0, 0.5), b=(1.0, 0.5))) == []
    assert watch.observe(check(10, a=(2.0, 50.0, 0.1), b=(2.0, 50.0, 0.1))) == []
    [warning] = watch.observe(check(20, a=(9.0, 900.0, 0.5), b=(9.0, 5.0, 0.5)))
    assert warning.kind == "exploding" and "'a'" in warning.message


def test_vanishing_and_still_layers_need_several_checks_in_a_row():
    watch = HealthWatch()
    readings = dict(a=(1.0, 1e-9, 0.0), b=(1.0, 1.0, 0.1), c=(1.0, 2.0, 0.1))
    found = [w for step in range(PATIENCE - 1) for w in watch.observe(check(step, **readings))]
    assert found == []  # a layer may stall for a check or two
    found = watch.observe(check(PATIENCE, **readings))
    assert sorted((w.kind, w.layer) for w in found) == [("not_learning", "a"), ("vanishing", "a")]
    assert watch.observe(check(PATIENCE + 1, **readings)) == []  # each said once


# -- silence on the bundled examples ------------------------------------------------------------------

@pytest.mark.slow
@pytest.mark.parametrize("name", EXAMPLES_WITH_DATA)
def test_bundled_examples_train_without_a_health_warning(name, monkeypatch):
    # Checked far more often than the budget allows (a few seconds of fit would get one or two checks):
    # every rule then has many readings in a row to be wrong about.
    monkeypatch.setattr(health, "BUDGET", 0.5)
    project = project_file.load(EXAMPLES / f"{name}.nbproj")
    spec = DatasetSpec.from_section(project.sections["dataset"])
    settings = TrainingSettings.from_section({**project.sections["training"], "epochs": 3})
    events = []
    with tempfile.TemporaryDirectory() as runs:
        result = TrainingSession(project, spec, settings, Path(runs), listener=events.append,
                                 queue_events=False).run()
    assert result.status == "completed", result.message
    assert warnings_of(events) == []
    assert sum(isinstance(e, HealthCheck) for e in events) >= 2 + PATIENCE


def test_the_first_readings_are_eager_and_read_what_the_compiled_check_reads():
    # A short run never pays for compiling the check, and compiling changes no figure.
    import keras
    import numpy as np

    from netbuilder.training.health_probe import EAGER_READS, HealthProbe

    inputs = keras.Input((4,))
    model = keras.Model(inputs, keras.layers.Dense(1)(keras.layers.Dense(8, activation="relu")(inputs)))
    x, y = np.random.default_rng(0).normal(size=(16, 4)).astype("float32"), np.ones((16, 1), "float32")
    probe = HealthProbe(model, (x, y), keras.losses.mean_squared_error)
    eager = [probe.read() for _ in range(EAGER_READS)]
    assert probe._measure.experimental_get_tracing_count() == 0
    assert probe.compiles_next
    probe.read(compile=False)  # the last check of a run: never compiled for itself
    assert probe._measure.experimental_get_tracing_count() == 0
    compiled = probe.read()
    assert probe._measure.experimental_get_tracing_count() == 1
    for name, reading in compiled.items():
        assert reading.weight_norm == pytest.approx(eager[-1][name].weight_norm, rel=1e-5)
        assert reading.grad_norm == pytest.approx(eager[-1][name].grad_norm, rel=1e-5)


def _watched(tmp_path, rows):
    """A small model, `rows` rows of data and a HealthCallback watching it, made as a run makes them."""
    import keras
    import numpy as np

    from netbuilder.training.datasets.loaded import LoadedData, Split
    from netbuilder.training.health import HealthCallback

    inputs = keras.Input((4,), name="x")
    model = keras.Model(inputs, keras.layers.Dense(1, name="y")(keras.layers.Dense(8, activation="relu")(inputs)))
    model.compile(optimizer="adam", loss="mean_squared_error")
    rng = np.random.default_rng(0)
    data = LoadedData(Split({"x": rng.normal(size=(rows, 4)).astype("float32")},
                            {"y": rng.normal(size=(rows, 1)).astype("float32")}), None, "regression")
    events = []
    watch = HealthCallback(model, data, keras.losses.mean_squared_error, events.append, tmp_path / "health.csv")
    return model, data, watch, events


def test_the_check_after_the_last_batch_is_never_the_one_that_compiles(tmp_path, monkeypatch):
    """Compiling the check pays off over the checks after it; after the last batch there are none."""
    from netbuilder.training.health_probe import EAGER_READS

    monkeypatch.setattr(health, "BUDGET", 1.0)  # a check before every batch but the first
    model, data, watch, events = _watched(tmp_path, 24)
    model.fit(data.tf_dataset("train", 8, seed=0), epochs=1, callbacks=[watch], verbose=0)
    assert [e.step for e in events if isinstance(e, HealthCheck)] == [0, 1, 2, 3]
    assert watch._probe._reads == EAGER_READS + 1  # the last reading was the one that would compile
    assert watch._probe._measure.experimental_get_tracing_count() == 0


def test_a_short_fit_never_compiles_the_check_yet_is_checked_along_the_way(tmp_path):
    """Compiling the check costs more than a short fit's whole budget for checks: it stays eager, and the
    eager checks it can afford still come, before the last one."""
    model, data, watch, events = _watched(tmp_path, 512)
    watch._compile_cost = 60.0  # as if compiling took a minute: no fit of a few seconds affords it
    model.fit(data.tf_dataset("train", 8, seed=0), epochs=2, callbacks=[watch], verbose=0)
    assert watch._probe._measure.experimental_get_tracing_count() == 0
    steps = [e.step for e in events if isinstance(e, HealthCheck)]
    assert steps[:2] == [0, 1] and steps[-1] == 128  # before, during (eager) and after fit
