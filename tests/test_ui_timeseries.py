"""The Data tab with a time series: the kind, window and horizon are set from the keyboard and saved."""

import shutil

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from helpers import REPO


def _type_into(field, text: str) -> None:
    """Select what the field holds and type `text` over it, then Return: as a user does."""
    field.setFocus()
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(field, text)
    QTest.keyClick(field, Qt.Key.Key_Return)


def test_a_csv_series_is_made_a_time_series_with_its_window_from_the_keyboard(editor, write_project, tmp_path):
    shutil.copy(REPO / "resources" / "datasets" / "co2.csv", tmp_path / "co2.csv")
    editor.files.open_path(write_project({
        "format": "netbuilder", "version": 1, "name": "co2",
        "graph": {"nodes": [{"id": "history", "layer": "Input", "config": {"shape": [26, 1], "name": "history"}},
                            {"id": "out", "layer": "Dense", "config": {"units": 1}}],
                  "edges": [{"source": "history", "target": "out"}]},
        "dataset": {"source": "co2.csv", "target": "co2"},
    }))
    editor.bottom.setCurrentWidget(editor.training)
    form = editor.training.data_form
    assert form.kind.isVisible() and form.kind.currentText() == "csv"
    assert not form.window_row.isVisible()  # a plain table has no windows

    form.kind.setFocus()
    QTest.keyClick(form.kind, Qt.Key.Key_Down)  # the next kind in the list: timeseries
    assert editor.document.project.sections["dataset"] == {"source": "co2.csv", "kind": "timeseries",
                                                           "target": ["co2"]}
    assert form.window_row.isVisible() and form.horizon_row.isVisible()
    assert form.window_steps.text() == "16"
    assert "windows of 16 rows forecast the target 1 step" in form.note.text()
    assert form.roles() == {"date": "not used", "co2": "target"}  # the date is text: no feature

    _type_into(form.window_steps, "26")
    assert editor.document.project.sections["dataset"]["window"] == 26
    assert "windows of 26 rows" in form.note.text()
    assert form.preview_table.item(0, 1).text() == "316.1"  # the series' first row

    _type_into(form.horizon_steps, "0")
    assert "horizon must be a whole number of time steps above 0" in form.horizon_row.error()
    assert "horizon" not in editor.document.project.sections["dataset"]

    editor.document.undo()
    assert "window" not in editor.document.project.sections["dataset"]
    assert form.window_steps.text() == "16"

    form.source.setCurrentIndex(form.source.findData("bundled:co2"))  # the bundled series is read as one
    assert editor.document.project.sections["dataset"] == {"source": "bundled:co2", "kind": "timeseries",
                                                           "target": ["co2"]}
    assert form.kind.currentText() == "timeseries" and form.window_row.isVisible()
