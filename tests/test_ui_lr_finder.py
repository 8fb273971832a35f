"""The learning-rate finder in the Training tab: the button under the learning rate runs the range test,
the curve is drawn on a log axis, and Use puts the suggestion in the settings as one undoable edit."""

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netbuilder.ui.training.lr_finder_view import FIND, STOP


def click(qtbot, widget):
    """Move the pointer onto `widget`, then press and release there, as a user's click does."""
    centre = widget.rect().center()
    QTest.mouseMove(widget, centre)
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton, pos=centre)


def test_find_plots_the_range_test_and_use_sets_the_learning_rate_undoably(editor, open_tips, qtbot):
    panel = open_tips(learning_rate=0.001)
    panel.forms.show_form(panel.settings_form)
    view, form = panel.lr_finder, panel.settings_form
    button = view.find_button
    qtbot.waitUntil(button.isVisible)
    assert form.isAncestorOf(button)  # it sits in the Settings form, under the learning rate
    click(qtbot, button)
    assert panel.views.currentWidget() is view and button.text() == STOP
    # One thing trains at a time: Train says why it waits.
    assert "learning-rate finder is running" in panel.controls.train_button.toolTip()
    qtbot.waitUntil(view.use_button.isEnabled, timeout=60_000)
    xs, ys = view.smooth_curve.getData()
    assert len(xs) >= 10 and view.plot.getPlotItem().ctrl.logXCheck.isChecked()
    suggested = view.suggested
    assert suggested is not None and view.marker.isVisible()
    assert view.message.text().endswith(f"Suggested learning rate: {suggested:.3g}.")
    assert view.use_button.text() == f"Use {suggested:.3g}"
    assert button.text() == FIND and panel.why_not_train() == ""
    assert not editor.document.is_modified  # the test itself changed nothing

    click(qtbot, view.use_button)
    wanted = float(f"{suggested:.3g}")
    assert editor.document.project.sections["training"]["learning_rate"] == wanted
    assert float(form.field("learning_rate").text()) == wanted

    editor.activateWindow()  # shortcuts answer only in the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is editor)
    QTest.keyClick(editor.view, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert editor.document.project.sections["training"]["learning_rate"] == 0.001
    assert form.field("learning_rate").text() == "0.001"
    assert not editor.document.is_modified  # one edit, one undo


def test_find_without_a_dataset_says_so_in_its_tab(editor, write_project, qtbot):
    doc = {"format": "netbuilder", "version": 1, "name": "bare",
           "graph": {"nodes": [{"id": "x", "layer": "Input", "config": {"shape": [2]}},
                               {"id": "y", "layer": "Dense", "config": {"units": 1}}],
                     "edges": [{"source": "x", "target": "y"}]}}
    editor.files.open_path(write_project(doc))
    editor.document.flush_check()
    panel = editor.training
    editor.bottom.setCurrentWidget(panel)
    panel.forms.show_form(panel.settings_form)
    qtbot.waitUntil(panel.lr_finder.find_button.isVisible)
    click(qtbot, panel.lr_finder.find_button)
    assert panel.views.currentWidget() is panel.lr_finder
    assert panel.lr_finder.message.text().startswith("The learning-rate finder did not start: Choose a dataset")
    assert not panel.lr_finder.is_running and panel.lr_finder.find_button.text() == FIND


def test_the_find_button_stops_a_test_under_way(editor, open_tips, qtbot):
    panel = open_tips()
    panel.forms.show_form(panel.settings_form)
    view = panel.lr_finder
    qtbot.waitUntil(view.find_button.isVisible)
    click(qtbot, view.find_button)
    click(qtbot, view.find_button)  # now it reads "Stop the learning-rate test"
    qtbot.waitUntil(lambda: not view.is_running, timeout=60_000)
    assert view.message.text().startswith("The learning-rate finder ended: Stopped")
    assert not view.use_button.isEnabled() and view.find_button.text() == FIND
    assert editor.document.project.sections["training"].get("learning_rate") is None  # nothing was set
