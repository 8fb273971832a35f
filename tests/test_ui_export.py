"""File ▸ Export…: each format written from the dialog loads back in TensorFlow/Keras, a SavedModel says it
was verified, a failure shows in red and leaves the earlier export alone, and the weights list names the runs."""

import shutil

import keras
import numpy as np
import pytest
import tensorflow as tf

from netbuilder.cli import main
from netbuilder.resources import example_path
from netbuilder.ui.export_dialog import PROJECT_WEIGHTS, UNTRAINED, ExportDialog


@pytest.fixture(scope="module")
def trained_tips(tmp_path_factory):
    """The tips example saved in a folder, with one real one-epoch run beside it (tips.runs/)."""
    folder = tmp_path_factory.mktemp("tips")
    project = folder / "tips.nbproj"
    shutil.copy(example_path("tips_regression"), project)
    run = folder / "tips.runs" / "20260101-093000"
    assert main(["train", str(project), "--epochs", "1", "--out", str(run)]) == 0
    return project, run


@pytest.fixture
def dialog(editor, trained_tips, qtbot):
    project, _ = trained_tips
    assert editor.files.open_path(project)
    editor.actions["export"].trigger()
    dialog = editor.export_dialog
    assert isinstance(dialog, ExportDialog) and dialog.isVisible()
    return dialog


def export(dialog, qtbot, fmt, destination):
    dialog.select_format(fmt)
    dialog.ask_destination = lambda fmt, suggestion: destination
    dialog.browse_button.click()
    dialog.export_button.click()
    assert dialog.progress.isVisible() and not dialog.export_button.isEnabled()
    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=60_000)
    assert not dialog.progress.isVisible()
    return dialog.result.text()


def run_model(run):
    return keras.saving.load_model(run / "model.keras", compile=False)


SAMPLE = np.random.default_rng(0).normal(size=(3, 12)).astype("float32")


def test_the_run_choice_lists_the_runs_and_defaults_to_the_latest(dialog, trained_tips):
    _, run = trained_tips
    texts = [dialog.weights_box.itemText(i) for i in range(dialog.weights_box.count())]
    assert texts[0].startswith(f"Latest run: Run {run.name}") and "1 epochs" in texts[0]
    assert dialog.weights_box.currentData() == run
    assert texts[-1].startswith("Untrained")


def test_a_savedmodel_from_the_latest_run_is_verified_and_answers_like_the_run(dialog, qtbot, tmp_path, trained_tips):
    _, run = trained_tips
    text = export(dialog, qtbot, "savedmodel", tmp_path / "serving")
    assert "Verified: tf.saved_model.load answers like the Keras model (largest difference" in text
    # Trained on a CSV file, it serves raw rows (see test_serving_raw_rows.py).
    assert "inputs total_bill, sex, smoker, day, time, size; outputs tip" in text and "example_request.json" in text
    (version,) = (tmp_path / "serving").iterdir()
    assert str(version) in text and dialog.result.styleSheet() == ""
    x = np.zeros((1, 12), "float32")
    x[0, [0, 1, 3, 7, 9, 11]] = [16.99, 1, 1, 1, 1, 2]  # the loader's encoding of the first row of tips.csv
    row = {"total_bill": [16.99], "sex": ["Female"], "smoker": ["No"], "day": ["Sun"], "time": ["Dinner"], "size": [2.0]}
    served = tf.saved_model.load(str(version)).signatures["serving_default"](**{k: tf.constant(v) for k, v in row.items()})
    np.testing.assert_allclose(served["tip"].numpy().ravel(), run_model(run)(x).numpy().ravel(), atol=1e-5)


def test_a_keras_file_and_weights_alone_load_back_with_the_run_s_weights(dialog, qtbot, tmp_path, trained_tips):
    _, run = trained_tips
    expected = run_model(run)(SAMPLE).numpy()
    out = tmp_path / "tips.keras"
    assert f"Wrote {out}" in export(dialog, qtbot, "keras", out)
    np.testing.assert_allclose(keras.saving.load_model(out)(SAMPLE).numpy(), expected, atol=1e-6)

    weights = tmp_path / "tips.weights.h5"
    assert f"Wrote {weights}" in export(dialog, qtbot, "weights", weights)
    model = run_model(run)
    model.set_weights([np.zeros_like(w) for w in model.get_weights()])
    model.load_weights(weights)
    np.testing.assert_allclose(model(SAMPLE).numpy(), expected, atol=1e-6)


def test_untrained_weights_differ_from_the_run_s(dialog, qtbot, tmp_path, trained_tips):
    _, run = trained_tips
    dialog.select_weights(UNTRAINED)
    out = tmp_path / "fresh.keras"
    export(dialog, qtbot, "keras", out)
    fresh = keras.saving.load_model(out).get_weights()
    assert any(not np.allclose(a, b) for a, b in zip(fresh, run_model(run).get_weights()))
    assert dialog.weights_box.findData(PROJECT_WEIGHTS) == -1  # the example has no weights saved beside it


def test_choosing_a_format_changes_the_destination_s_ending(dialog):
    dialog.destination.setText("/somewhere/mine.keras")
    dialog.select_format("weights")
    assert dialog.destination.text() == "/somewhere/mine.weights.h5"
    dialog.select_format("savedmodel")
    assert dialog.destination.text() == "/somewhere/mine_savedmodel"


def test_a_failed_export_is_shown_in_red_and_leaves_the_earlier_file_alone(dialog, qtbot, tmp_path):
    out = tmp_path / "tips.keras"
    export(dialog, qtbot, "keras", out)
    before = out.read_bytes()
    blocker = tmp_path / "in_the_way"
    blocker.write_text("a file, not a folder")
    text = export(dialog, qtbot, "savedmodel", blocker)
    assert text.startswith("Export failed") and "cannot write the SavedModel" in text
    assert "c0392b" in dialog.result.styleSheet()
    assert blocker.read_text() == "a file, not a folder"
    text = export(dialog, qtbot, "keras", blocker / "tips.keras")  # a file where a folder should be
    assert text.startswith("Export failed") and "c0392b" in dialog.result.styleSheet()
    assert out.read_bytes() == before
    assert dialog.export_button.isEnabled()


def test_a_run_whose_weights_no_longer_fit_is_refused_in_the_dialog(editor, qtbot, tmp_path, trained_tips):
    _, run = trained_tips
    editor.files.open_example("iris_classifier")
    dialog = ExportDialog(editor.document.project, editor.catalog, editor.loader, editor)
    qtbot.addWidget(dialog)
    dialog.show()
    dialog.weights_box.addItem("the tips run", run)
    dialog.select_weights(run)
    text = export(dialog, qtbot, "keras", tmp_path / "iris.keras")
    assert "the run's weights do not fit the project's model any more" in text
    assert not (tmp_path / "iris.keras").exists()


def test_the_python_script_is_offered_without_a_weights_choice(qtbot, tmp_path):
    from netbuilder.graph import project_file
    from netbuilder.resources import example_path
    from netbuilder.ui.export_dialog import ExportDialog

    dialog = ExportDialog(project_file.load(example_path("tips_regression")))
    qtbot.addWidget(dialog)
    dialog.select_format("python")
    assert not dialog.weights_box.isEnabled()
    dialog.destination.setText(str(tmp_path / "tips.py"))
    call = dialog.start_export()
    assert call is not None
    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=30000)
    assert (tmp_path / "tips.py").read_text().startswith(('"""', "#"))
    assert "Wrote" in dialog.result.text()


def test_an_onnx_file_from_the_latest_run_answers_like_the_run_under_onnxruntime(dialog, qtbot, tmp_path, trained_tips):
    import onnxruntime

    _, run = trained_tips
    text = export(dialog, qtbot, "onnx", tmp_path / "tips.onnx")
    assert "Verified: onnxruntime answers like the Keras model" in text and dialog.result.styleSheet() == ""
    session = onnxruntime.InferenceSession(str(tmp_path / "tips.onnx"), providers=["CPUExecutionProvider"])
    [served] = session.run(None, {session.get_inputs()[0].name: SAMPLE})
    np.testing.assert_allclose(served, run_model(run)(SAMPLE).numpy(), atol=1e-5)
