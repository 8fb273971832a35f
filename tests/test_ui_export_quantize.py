"""File ▸ Export… ▸ TensorFlow Lite with a Quantization choice: picked with the mouse, it writes the file and its
report beside it, and the dialog shows the report's one-line summary."""

import json

from digits_run import trained_digits
from PySide6.QtCore import Qt
from ui_gestures import click, click_button, type_keys

from netbuilder.export.tflite_report import QuantizationReport
from netbuilder.ui.export_dialog import ExportDialog


def choose(combo, text):
    """Open the drop-down with a click and click the entry reading `text` in its list."""
    click(combo)
    view = combo.view()
    row = next(i for i in range(combo.count()) if combo.itemText(i) == text)
    click(view.viewport(), view.visualRect(view.model().index(row, 0)).center())
    assert combo.currentText() == text


def test_int8_chosen_in_the_dialog_writes_the_report_and_shows_its_summary(editor, qtbot, tmp_path):
    project, run = trained_digits(tmp_path)
    assert editor.files.open_path(project)
    editor.actions["export"].trigger()
    dialog = editor.export_dialog
    assert isinstance(dialog, ExportDialog) and dialog.isVisible()
    assert not dialog.form.isRowVisible(dialog.quantize_box)  # a SavedModel is not quantized

    choose(dialog.format_box, "TensorFlow Lite (.tflite)")
    assert dialog.form.isRowVisible(dialog.quantize_box)
    assert dialog.weights_box.currentData() == run
    choose(dialog.quantize_box, "Full integer (int8, calibrated on the training data)")
    out = tmp_path / "phone" / "digits_int8.tflite"
    click(dialog.destination)
    type_keys(dialog, key=Qt.Key.Key_A, modifiers=Qt.KeyboardModifier.ControlModifier)
    type_keys(dialog, str(out))
    assert dialog.destination.text() == str(out)
    click_button(dialog.export_button)
    qtbot.waitUntil(lambda: not dialog.is_busy, timeout=60_000)

    record = json.loads(out.with_suffix(".report.json").read_text(encoding="utf-8"))
    assert record["mode"] == "int8" and record["metric"] == "accuracy" and out.with_suffix(".report.txt").exists()
    record.pop("size_ratio")
    text = dialog.result.text()
    assert text.splitlines()[:3] == [f"Wrote {out}", QuantizationReport(**record).summary(),
                                     "Report: digits_int8.report.json, digits_int8.report.txt"]
    assert dialog.result.styleSheet() == ""
