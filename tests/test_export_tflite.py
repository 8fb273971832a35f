"""TFLite export: every example becomes a `.tflite` file that tf.lite.Interpreter runs like Keras, inputs and
outputs keep the drawing's names, recurrent and Flex-only layers are explained, and the command line and the
Export dialog both say what they checked."""

import shutil
import warnings

import numpy as np
import pytest
import tensorflow as tf

from netbuilder.cli import main
from netbuilder.graph import project_file
from netbuilder.keras_bridge import BridgeError, build_model
from netbuilder.export.tflite import export_tflite
from netbuilder.resources import example_names, example_path


def interpreter(path):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # "tf.lite.Interpreter is deprecated"
        return tf.lite.Interpreter(model_path=str(path))


def sample(model, seed=7, batch=1):
    rng = np.random.default_rng(seed)
    return {t.name: rng.normal(size=(batch, *t.shape[1:])).astype("float32") for t in model.inputs}


def keras_outputs(model, x):
    result = model([x[t.name] for t in model.inputs] if len(model.inputs) > 1 else x[model.inputs[0].name])
    return dict(zip(model.output_names, result if isinstance(result, (list, tuple)) else [result]))


def project(write_project, nodes, edges, outputs=None):
    graph = {"nodes": nodes, "edges": [dict(zip(("source", "target", "target_port"), e)) for e in edges]}
    if outputs:
        graph["outputs"] = outputs
    return write_project({"format": "netbuilder", "version": 1, "name": "t", "graph": graph})


@pytest.fixture
def lstm_project(write_project):
    return project(write_project, [
        {"id": "sequence", "layer": "Input", "config": {"shape": [6, 3]}},
        {"id": "memory", "layer": "LSTM", "config": {"units": 4}},
        {"id": "score", "layer": "Dense", "config": {"units": 1}},
    ], [("sequence", "memory"), ("memory", "score")])


# The text example's TextVectorization needs TensorFlow ops (Flex) that tf.lite.Interpreter lacks:
# tests/test_serving_text.py checks that its export says so.
@pytest.mark.parametrize("name", [name for name in example_names() if name != "language_id"])
def test_every_example_runs_in_the_tflite_interpreter_like_keras(name, tmp_path):
    model = build_model(project_file.load(example_path(name)), with_weights=False).model
    out = tmp_path / f"{name}.tflite"
    result = export_tflite(model, out)
    assert result.verified and result.notes() == []
    assert result.size_bytes == out.stat().st_size and [p.name for p in tmp_path.iterdir()] == [out.name]

    runner = interpreter(out).get_signature_runner()
    x = sample(model, batch=3)  # another seed and batch than the export's own check
    served = runner(**x)
    assert set(served) == set(model.output_names)
    for output, expected in keras_outputs(model, x).items():
        np.testing.assert_allclose(served[output], np.asarray(expected), rtol=1e-4, atol=1e-5)


def test_several_inputs_and_outputs_are_matched_by_the_node_names(write_project, tmp_path):
    path = project(write_project, [
        {"id": "wide", "layer": "Input", "config": {"shape": [10]}},
        {"id": "deep", "layer": "Input", "config": {"shape": [8], "name": "deep-features"}},
        {"id": "h1", "layer": "Dense", "config": {"units": 16, "activation": "relu"}},
        {"id": "cat", "layer": "Concatenate", "config": {}},
        {"id": "price", "layer": "Dense", "config": {"units": 1}},
        {"id": "kind", "layer": "Dense", "config": {"units": 3, "activation": "softmax"}},
    ], [("deep", "h1"), ("wide", "cat", 0), ("h1", "cat", 1), ("cat", "price"), ("cat", "kind")],
        outputs=["kind", "price"])
    model = build_model(project_file.load(path)).model
    out = tmp_path / "two.tflite"
    assert export_tflite(model, out).verified

    signature = interpreter(out).get_signature_list()["serving_default"]
    assert sorted(signature["inputs"]) == ["deep-features", "wide"]
    assert sorted(signature["outputs"]) == ["kind", "price"]
    x = sample(model)
    served = interpreter(out).get_signature_runner()(**x)
    expected = keras_outputs(model, x)
    assert served["kind"].shape == (1, 3) and served["price"].shape == (1, 1)
    for name in ("kind", "price"):
        np.testing.assert_allclose(served[name], np.asarray(expected[name]), rtol=1e-4, atol=1e-5)


def test_named_outputs_keep_their_names_in_the_tflite_signature(write_project, tmp_path):
    """The project's `io` section names the outputs; the signature runner answers by those names."""
    path = write_project({"format": "netbuilder", "version": 1, "name": "t", "graph": {
        "nodes": [{"id": "x", "layer": "Input", "config": {"shape": [4]}},
                  {"id": "p", "layer": "Dense", "config": {"units": 1}},
                  {"id": "d", "layer": "Dense", "config": {"units": 2, "activation": "softmax"}}],
        "edges": [{"source": "x", "target": "p"}, {"source": "x", "target": "d"}]},
        "io": {"outputs": {"priority": "p", "department": "d"}}})
    model = build_model(project_file.load(path)).model
    out = tmp_path / "named.tflite"
    assert export_tflite(model, out).verified
    assert sorted(interpreter(out).get_signature_list()["serving_default"]["outputs"]) == ["department", "priority"]


def test_a_layer_tflite_lacks_is_named_and_needs_the_flex_delegate(write_project, tmp_path, capfd):
    path = project(write_project, [
        {"id": "volume", "layer": "Input", "config": {"shape": [4, 4, 4, 2]}},
        {"id": "pool", "layer": "AveragePooling3D", "config": {"pool_size": 2}},
        {"id": "head", "layer": "Dense", "config": {"units": 2}},
    ], [("volume", "pool"), ("pool", "head")])
    out = tmp_path / "pool.tflite"
    assert main(["export", str(path), "--untrained", "--format", "tflite", "-o", str(out)]) == 0
    captured = capfd.readouterr()
    assert f"wrote {out} (" in captured.out and "verified" not in captured.out
    assert ("note: layer pool (AveragePooling3D: AvgPool3D) uses TensorFlow ops TFLite lacks: an app needs the "
            "Flex delegate (tensorflow-lite-select-tf-ops)") in captured.err
    assert "so it was not checked" in captured.err
    assert out.stat().st_size > 0


def test_the_command_line_writes_a_recurrent_model_with_batch_one_and_no_converter_noise(lstm_project, tmp_path, capfd):
    out = tmp_path / "exports" / "lstm.tflite"
    assert main(["export", str(lstm_project), "--untrained", "--format", "tflite", "-o", str(out)]) == 0
    captured = capfd.readouterr()
    lines = captured.out.splitlines()
    assert lines[0] == f"wrote {out} ({out.stat().st_size:,} bytes)"
    assert lines[1].startswith("verified: reloaded with tf.lite.Interpreter, it answers like the Keras model")
    # The converter's failed first attempt prints MLIR diagnostics; the interpreter a deprecation and an INFO line.
    assert "note: the batch size is fixed at 1: TFLite's built-in ops cannot run this model" in captured.err
    assert interpreter(out).get_input_details()[0]["shape_signature"].tolist() == [1, 6, 3]  # LSTM: static loops
    for noise in ("loc(", "error:", "deprecated", "XNNPACK", "Traceback"):
        assert noise not in captured.err


def test_a_wrong_ending_or_an_unwritable_place_is_one_line(tmp_path, capsys):
    tips = str(example_path("tips_regression"))
    assert main(["export", tips, "--untrained", "--format", "tflite", "-o", str(tmp_path / "tips.keras")]) == 1
    assert capsys.readouterr().err.strip().endswith("tips.keras: a TFLite model file must end in .tflite")
    blocker = tmp_path / "in_the_way"
    blocker.write_text("a file, not a folder")
    assert main(["export", tips, "--untrained", "--format", "tflite", "-o", str(blocker / "tips.tflite")]) == 1
    err = capsys.readouterr().err
    assert "cannot write the TFLite file" in err and "Traceback" not in err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in_the_way"]
    with pytest.raises(BridgeError, match="must end in .tflite"):
        export_tflite(build_model(project_file.load(tips)).model, tmp_path / "tips.lite")


def test_the_export_dialog_writes_a_verified_tflite_file(qtbot, tmp_path):
    from netbuilder.ui.export_dialog import UNTRAINED, ExportDialog

    path = tmp_path / "tips.nbproj"
    shutil.copy(example_path("tips_regression"), path)
    dialog = ExportDialog(project_file.load(path))
    qtbot.addWidget(dialog)
    dialog.destination.setText(str(tmp_path / "mine.keras"))
    dialog.select_format("tflite")
    assert dialog.destination.text() == str(tmp_path / "mine.tflite") and dialog.weights_box.isEnabled()
    dialog.select_weights(UNTRAINED)
    out = tmp_path / "phone" / "tips.tflite"
    dialog.ask_destination = lambda fmt, suggestion: out
    dialog.browse_button.click()
    assert dialog.start_export() is not None
    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=60_000)
    text = dialog.result.text()
    assert text.startswith(f"Wrote {out} (") and "Verified: tf.lite.Interpreter answers like the Keras model" in text
    assert dialog.result.styleSheet() == ""
    assert interpreter(out).get_signature_list()["serving_default"] == {"inputs": ["features"], "outputs": ["tip"]}
