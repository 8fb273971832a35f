"""SavedModel export: TF Serving's version-folder layout, the user's names in the signature, a checked reload."""

import re

import keras
import numpy as np
import tensorflow as tf

from netbuilder.cli import main
from netbuilder.graph import project_file
from netbuilder.keras_bridge import build_model
from netbuilder.export.savedmodel import export_savedmodel
from netbuilder.resources import example_path


def test_a_version_folder_whose_signature_speaks_the_node_names_and_answers_like_keras(tmp_path):
    model = build_model(project_file.load(example_path("wide_and_deep"))).model
    result = export_savedmodel(model, tmp_path / "serving")
    assert re.fullmatch(r"\d{14}", result.path.name) and (result.path / "saved_model.pb").is_file()
    assert [p.name for p in (tmp_path / "serving").iterdir()] == [result.path.name]  # no partial folder left
    signature = tf.saved_model.load(str(result.path)).signatures["serving_default"]
    assert set(signature.structured_input_signature[1]) == {"wide", "deep"}
    assert list(signature.structured_outputs) == ["out"]
    rng = np.random.default_rng(3)
    wide, deep = rng.normal(size=(5, 10)).astype("float32"), rng.normal(size=(5, 8)).astype("float32")
    served = signature(wide=tf.constant(wide), deep=tf.constant(deep))["out"].numpy()
    np.testing.assert_allclose(served, model([wide, deep]).numpy(), atol=1e-5)
    assert result.verified


def test_a_second_export_gets_a_newer_version(tmp_path):
    model = build_model(project_file.load(example_path("tips_regression"))).model
    first = export_savedmodel(model, tmp_path)
    second = export_savedmodel(model, tmp_path)
    assert int(second.path.name) > int(first.path.name)


def test_the_command_line_exports_a_run_s_weights_and_says_it_checked_them(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NETBUILDER_RUNS_DIR", str(tmp_path / "runs"))
    project = example_path("tips_regression")
    run = tmp_path / "run"
    assert main(["train", str(project), "--epochs", "1", "--out", str(run)]) == 0
    capsys.readouterr()
    assert main(["export", str(project), "--run", str(run), "--format", "savedmodel", "-o", str(tmp_path / "sm")]) == 0
    out = capsys.readouterr().out
    # Trained on a CSV file, it serves raw rows (see test_serving_raw_rows.py).
    assert "inputs total_bill, sex, smoker, day, time, size; outputs tip" in out
    assert "verified: reloaded with tf.saved_model.load" in out
    (version,) = (tmp_path / "sm").iterdir()
    trained = keras.saving.load_model(run / "model.keras")
    x = np.zeros((1, 12), "float32")
    x[0, [0, 1, 3, 7, 9, 11]] = [16.99, 1, 1, 1, 1, 2]  # the loader's encoding of the first row of tips.csv
    row = {"total_bill": [16.99], "sex": ["Female"], "smoker": ["No"], "day": ["Sun"], "time": ["Dinner"], "size": [2.0]}
    served = tf.saved_model.load(str(version)).signatures["serving_default"](**{k: tf.constant(v) for k, v in row.items()})
    np.testing.assert_allclose(served["tip"].numpy().ravel(), trained(x).numpy().ravel(), atol=1e-5)

    assert main(["export", str(example_path("iris_classifier")), "--run", str(run), "--format", "keras",
                 "-o", str(tmp_path / "iris.keras")]) == 1
    assert "the run's weights do not fit the project's model any more" in capsys.readouterr().err
    assert main(["export", str(project), "--run", str(tmp_path), "--format", "savedmodel", "-o", str(tmp_path / "x")]) == 1
    assert "not a finished training run (no model.keras)" in capsys.readouterr().err


def test_an_unwritable_destination_is_one_line_not_a_traceback(tmp_path, capsys):
    blocker = tmp_path / "file"
    blocker.write_text("in the way")
    assert main(["export", str(example_path("tips_regression")), "--format", "savedmodel", "-o", str(blocker)]) == 1
    err = capsys.readouterr().err
    assert "cannot write the SavedModel" in err and "Traceback" not in err


def test_weights_alone_go_to_a_weights_h5_file_that_keras_loads(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("NETBUILDER_RUNS_DIR", str(tmp_path / "runs"))
    project = example_path("tips_regression")
    run = tmp_path / "run"
    assert main(["train", str(project), "--epochs", "1", "--out", str(run)]) == 0
    out = tmp_path / "tips.weights.h5"
    assert main(["export", str(project), "--run", str(run), "--format", "keras", "-o", str(out)]) == 0
    model = build_model(project_file.load(project)).model
    model.load_weights(out)
    trained = keras.saving.load_model(run / "model.keras")
    for loaded, saved in zip(model.get_weights(), trained.get_weights()):
        np.testing.assert_array_equal(loaded, saved)
    assert main(["export", str(project), "--format", "keras", "-o", str(tmp_path / "tips.h5")]) == 1
    assert ".keras (or .weights.h5 for the weights alone)" in capsys.readouterr().err


def test_without_run_the_latest_run_beside_the_project_is_exported(tmp_path, capsys):
    import shutil

    project = tmp_path / "tips.nbproj"
    shutil.copy(example_path("tips_regression"), project)
    for name in ("20260101-000000", "20260102-000000"):  # the second is the latest
        assert main(["train", str(project), "--epochs", "1", "--seed", name[-8:-7], "--out",
                     str(tmp_path / "tips.runs" / name)]) == 0
    capsys.readouterr()
    assert main(["export", str(project), "--format", "keras", "-o", str(tmp_path / "latest.keras")]) == 0
    assert "tips.runs/20260102-000000" in capsys.readouterr().err
    exported = keras.saving.load_model(tmp_path / "latest.keras").get_weights()
    latest = keras.saving.load_model(tmp_path / "tips.runs" / "20260102-000000" / "model.keras").get_weights()
    for a, b in zip(exported, latest):
        np.testing.assert_array_equal(a, b)
    assert main(["export", str(project), "--untrained", "--format", "keras", "-o", str(tmp_path / "fresh.keras")]) == 0
    fresh = keras.saving.load_model(tmp_path / "fresh.keras").get_weights()
    assert not all(np.array_equal(a, b) for a, b in zip(fresh, latest))
    assert main(["export", str(project), "--untrained", "--run", str(tmp_path / "tips.runs" / "20260101-000000"),
                 "--format", "keras", "-o", str(tmp_path / "x.keras")]) == 1
    assert "choose one" in capsys.readouterr().err


def test_named_outputs_and_inputs_keep_their_names_in_the_signature(tmp_path):
    """A model with `outputs={"priority": …, "department": …}` serves them by those names."""
    from netbuilder.keras_bridge import import_model_file

    title, tags = keras.Input((4,), name="title"), keras.Input((3,), name="tags")
    x = keras.layers.Concatenate()([title, tags])
    model = keras.Model({"title": title, "tags": tags},
                        {"priority": keras.layers.Dense(1, name="p")(x), "department": keras.layers.Dense(2, name="d")(x)})
    model.save(tmp_path / "tickets.keras")
    project = import_model_file(tmp_path / "tickets.keras", tmp_path / "tickets.nbproj")
    assert project.sections["io"]["outputs"] == {"priority": "p", "department": "d"}
    result = export_savedmodel(build_model(project).model, tmp_path / "serving")
    signature = tf.saved_model.load(str(result.path)).signatures["serving_default"]
    assert set(signature.structured_input_signature[1]) == {"title", "tags"}
    assert set(signature.structured_outputs) == {"priority", "department"}
    assert result.verified
