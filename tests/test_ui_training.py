"""The Training tab: live curves, Train/Pause/Stop, failures shown where the user looks,
settings and dataset edits that undo, the runs list and its exports."""

import json
import math

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from netbuilder.training.events import BatchEnd, EpochEnd, Paused, Preparing, Resumed, RunFinished, RunStarted
from netbuilder.training.runs import RunFolder
from netbuilder.ui.training.live_plots import LivePlots, families
from netbuilder.ui.training.progress import Progress
from netbuilder.ui.training.runs_list import HEADERS

from helpers import finish, tips_project

KEYS = ["loss", "rmse", "val_loss", "val_rmse"]


class FakeSession:
    """Stands in for a TrainingSession: hands the panel events the test wrote."""

    def __init__(self, events):
        self.events = list(events)
        self.stopped = self.paused = False

    def drain(self):
        events, self.events = self.events, []
        return events

    def stop(self):
        self.stopped = True

    def pause(self):
        self.paused = True

    def resume(self):
        self.paused = False

    def wait(self, timeout=None):
        return None


# -- the plots on their own -------------------------------------------------------------------------

def test_live_plot_receives_batch_and_epoch_points(qtbot):
    plots = LivePlots()
    qtbot.addWidget(plots)
    plots.start_run(KEYS, epochs=5, steps_per_epoch=4)
    for epoch in (1, 2):
        for batch in range(1, 5):
            plots.add_batch(epoch, batch, {"loss": 10.0 / epoch - batch / 10, "rmse": 3.0 / epoch})
        plots.add_epoch(epoch, {"loss": 10.0 / epoch, "rmse": 3.0 / epoch, "val_loss": 11.0 / epoch, "val_rmse": 1.0})
    assert plots.curve("loss") == ([], [])  # nothing is drawn before the timer's flush
    plots.flush()
    assert plots.curve("loss") == ([1.0, 2.0], [10.0, 5.0])
    assert plots.curve("val_rmse") == ([1.0, 2.0], [1.0, 1.0])
    xs, ys = plots.curve("loss", "batch")
    assert xs == [0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 1.75, 2.0]  # the faint line meets each epoch's point
    assert ys[0] == pytest.approx(9.9)
    assert plots.curve("val_loss", "batch") == ([], [])  # validation comes once per epoch only
    assert list(plots.plots) == ["loss", "rmse"]
    assert plots.legend_names() == ["training", "validation"]  # one legend: the same colours in every plot
    assert plots.plots["loss"].getAxis("bottom").labelText == "epoch"


def test_every_other_metric_gets_a_plot_of_its_own():
    assert families(["loss", "mae", "rmse", "val_loss", "val_mae", "val_rmse"]) == ["loss", "rmse", "mae"]


def test_an_overlaid_run_is_drawn_beside_the_live_one_and_can_be_taken_away(qtbot):
    plots = LivePlots()
    qtbot.addWidget(plots)
    plots.start_run(["loss", "val_loss"], epochs=2, steps_per_epoch=None)
    plots.set_overlay("20250101-090000", {"epoch": [1, 2, 3], "loss": [3, 2, 1], "val_loss": [4, 3, 2],
                                          "accuracy": [0.5, 0.6, 0.7]})
    assert plots.curve("val_loss", owner="20250101-090000") == ([1.0, 2.0, 3.0], [4.0, 3.0, 2.0])
    assert "accuracy" in plots.plots  # a quantity only the past run has still gets its plot
    assert plots.legend_names() == ["training", "validation", "20250101-090000", "past runs' validation"]
    plots.set_overlay("20250101-090000", None)
    assert plots.curve("loss", owner="20250101-090000") == ([], [])
    assert list(plots.plots) == ["loss"]


def test_the_legend_sits_above_the_plots_and_covers_no_curve(qtbot):
    plots = LivePlots()
    qtbot.addWidget(plots)
    plots.resize(700, 260)
    plots.show()
    plots.start_run(KEYS, epochs=3, steps_per_epoch=2)
    plots.set_overlay("run-1", {"epoch": [1, 2], "loss": [3, 2], "val_loss": [4, 3]}, "baseline, lr 0.01")

    def clear_of_the_curves():
        legend = plots.legend.sceneBoundingRect()
        areas = [plot.getViewBox().sceneBoundingRect() for plot in plots.plots.values()]
        return legend.height() > 0 and all(a.height() > 0 and legend.bottom() <= a.top() for a in areas)

    qtbot.waitUntil(clear_of_the_curves, timeout=2000)  # once laid out, the legend is above every plot area
    assert "baseline, lr 0.01" in plots.legend_names()  # a run is called by its title


def test_progress_reads_epoch_batch_and_time_left():
    progress = Progress(epochs=3, steps=10)
    progress.batch_ended(1, 1, 5.0)  # the first batch traces the model: slow, and no measure of the rest
    assert progress.text() == "epoch 1/3 · batch 1/10"  # no pace yet: no guess
    for batch in range(2, 11):
        progress.batch_ended(1, batch, 5.0 + 0.1 * (batch - 1))  # then 0.1 s a batch
    progress.epoch_ended(1, 7.9)  # and 2 s of validation
    for batch in range(1, 5):
        progress.batch_ended(2, batch, 8.0 + 0.1 * (batch - 1))
    # 16 batches at 0.1 s and 2 validation passes of 2 s; scaling the 8.3 s so far would say 0:09.
    assert progress.text() == "epoch 2/3 · batch 4/10 · 0:06 left"
    progress.end()
    assert progress.text() == "epoch 2/3 · batch 4/10 · took 0:08"  # over: no time left to tell
    assert Progress(epochs=4).text() == "epoch 1/4"


# -- the panel fed by hand --------------------------------------------------------------------------

def test_the_panel_shows_what_the_session_reports(editor, open_tips, tmp_path, qtbot):
    panel = open_tips()
    run_dir = tmp_path / "p.runs" / "r1"
    panel.session = FakeSession([
        Preparing("Loading the data…"),
        RunStarted(epochs=4, steps_per_epoch=2, run_dir=run_dir, metrics=KEYS),
        BatchEnd(1, 1, {"loss": 9.0, "rmse": 3.0}, 0.5),
        BatchEnd(1, 2, {"loss": 8.0, "rmse": 2.8}, 1.0),
        EpochEnd(1, {"loss": 8.0, "rmse": 2.8, "val_loss": 8.5, "val_rmse": 2.9}, 1.5),
        BatchEnd(2, 1, {"loss": 7.0, "rmse": 2.6}, 3.0),
    ])
    panel._set_state("preparing")
    panel.drain()
    assert panel.plots.curve("loss") == ([1.0], [8.0])
    assert panel.plots.curve("rmse", "batch")[1] == [3.0, 2.8, 2.6]
    # 0.5 s a batch and 0.5 s of validation an epoch: 5 batches and 3 validation passes to go.
    assert panel.controls.progress_text() == "epoch 2/4 · batch 1/2 · 0:04 left"
    assert "val_rmse 2.9" in panel.controls.latest.text()
    assert panel.controls.pause_button.isEnabled() and editor.actions["stop"].isEnabled()
    assert not panel.controls.train_button.isEnabled()

    panel.session.events = [Paused()]
    panel.drain()
    assert panel.controls.pause_button.text() == "Resume" and editor.actions["pause"].text() == "&Resume"
    panel.session.events = [Resumed(), RunFinished("failed", "Out of memory while training.", {}, run_dir, 1)]
    panel.drain()
    assert not panel.is_running
    assert panel.controls.message.text() == "Training failed: Out of memory while training."
    assert panel.controls.progress_text() == "epoch 2/4 · batch 1/2 · took 0:03"  # no time left once it is over
    assert panel.controls.train_button.isEnabled()


def test_f5_on_a_model_that_is_not_valid_says_why_it_does_not_train(editor, write_project, tmp_path):
    doc = tips_project()
    doc["graph"]["edges"] = doc["graph"]["edges"][1:]  # the Dense 'h' has no input
    editor.files.open_path(write_project(doc))
    editor.document.flush_check()
    panel = editor.training
    why = panel.why_not_train()
    assert why and "Cannot train yet: " + why in panel.controls.train_button.toolTip()
    assert editor.actions["train"].isEnabled()  # pressable: pressing is how a user asks why
    QTest.keyClick(editor.view, Qt.Key.Key_F5)
    assert panel.session is None
    assert panel.controls.message.text() == why and "d93025" in panel.controls.message.styleSheet()
    assert editor.status_text.text() == f"Cannot train: {why}"
    assert editor.bottom.currentWidget() is panel
    assert not (tmp_path / "p.runs").exists()


def test_train_without_a_dataset_shows_where_to_choose_one(editor, write_project, qtbot):
    doc = tips_project()
    del doc["dataset"]
    editor.files.open_path(write_project(doc))
    editor.document.flush_check()
    panel = editor.training
    panel.forms.setCurrentIndex(1)  # the Settings tab is up: the fix is elsewhere
    assert panel.controls.train_button.isEnabled()
    qtbot.mouseClick(panel.controls.train_button, Qt.MouseButton.LeftButton)
    assert panel.session is None
    assert panel.controls.message.text().startswith("Choose a dataset in the Data tab: a bundled one")
    assert editor.status_text.text().startswith("Cannot train: Choose a dataset in the Data tab")
    assert panel.forms.tabText(panel.forms.currentIndex()) == "Data"
    data = editor.training.data_form
    data.source.setCurrentIndex(data.source.findData("bundled:tips"))
    assert editor.document.project.sections["dataset"] == {"source": "bundled:tips", "target": ["tip"]}
    assert panel.why_not_train() == "" and panel.controls.train_button.toolTip() == "Train the model on the dataset (F5)"
    # No mapping: every other column feeds the only input (text ones one-hot), and the table says so.
    assert data.roles() == {"total_bill": "input x", "tip": "target", "sex": "input x", "smoker": "input x",
                            "day": "input x", "time": "input x", "size": "input x"}


# -- settings and dataset edits -------------------------------------------------------------------

def test_a_settings_edit_goes_to_the_project_and_undoes(editor, open_tips):
    panel = open_tips()
    field = panel.settings_form.field("epochs")
    field.setText("7")
    field.editingFinished.emit()
    assert editor.document.project.sections["training"]["epochs"] == 7
    assert editor.isWindowModified()
    editor.actions["undo"].trigger()
    assert editor.document.project.sections["training"]["epochs"] == 3
    assert field.text() == "3"


def test_a_bad_setting_is_refused_at_its_field_with_the_reason(editor, open_tips):
    panel = open_tips()
    field = panel.settings_form.field("epochs")
    field.setText("0")
    field.editingFinished.emit()
    assert panel.settings_form.error("epochs") == "epochs must be at least 1, got 0"
    assert editor.document.project.sections["training"]["epochs"] == 3
    optimizer = panel.settings_form.field("optimizer")
    optimizer.setEditText("adamm")
    optimizer.lineEdit().editingFinished.emit()
    assert "'adamm' is not a Keras optimizer" in panel.settings_form.error("optimizer")
    assert not editor.document.is_modified


def test_switching_early_stopping_on_enables_its_fields(editor, open_tips):
    panel = open_tips()
    form = panel.settings_form
    assert not form.rows[("early_stopping", "patience")].isEnabled()
    form.field("early_stopping").click()
    assert editor.document.project.sections["training"]["early_stopping"]["patience"] == 5
    assert form.rows[("early_stopping", "patience")].isEnabled()


def test_the_column_mapping_shows_the_default_and_an_edit_undoes(editor, open_tips):
    panel = open_tips()
    data = panel.data_form
    roles = data.roles()
    assert roles["tip"] == "target"
    assert roles["total_bill"] == "input x" and roles["size"] == "input x"
    assert roles["day"] == "not used"
    assert panel.views.indexOf(data.preview_table) >= 0 and data.preview_table.rowCount() > 0
    data.set_role("day", "input x")
    assert editor.document.project.sections["dataset"]["inputs"] == {"x": ["total_bill", "day", "size"]}
    editor.actions["undo"].trigger()
    assert editor.document.project.sections["dataset"]["inputs"] == {"x": ["total_bill", "size"]}
    assert data.roles()["day"] == "not used"


def test_an_opened_csv_is_stored_relative_to_the_project(editor, open_tips, tmp_path):
    panel = open_tips()
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "fares.csv").write_text("km,fare\n1,3.5\n2,5.0\n", encoding="utf-8")
    panel.ask_data_file = lambda: tmp_path / "data" / "fares.csv"
    panel.data_form._ask_file = panel.ask_data_file
    panel.data_form.open_file.click()
    assert editor.document.project.sections["dataset"] == {"source": "data/fares.csv"}
    assert list(panel.data_form.roles()) == ["km", "fare"]
    assert "Choose the target column" in panel.data_form.note.text()


# -- real runs --------------------------------------------------------------------------------------

def test_a_real_run_grows_the_curves_and_is_listed(editor, open_tips, tmp_path, qtbot):
    panel = open_tips()
    panel.controls.train_button.click()
    assert panel.is_running and not panel.controls.train_button.isEnabled()
    finish(qtbot, panel)
    xs, ys = panel.plots.curve("val_rmse")
    assert xs == [1.0, 2.0, 3.0] and all(math.isfinite(y) for y in ys)
    assert len(panel.plots.curve("loss", "batch")[0]) == 3 * 7  # 195 training rows in batches of 32
    assert panel.controls.message.text() == "✓ Trained for 3 epochs."
    assert panel.controls.progress.value() == panel.controls.progress.maximum()
    run_dir = panel.run_dir
    qtbot.waitUntil(lambda: (run_dir / "curves.png").exists(), timeout=30_000)  # written a turn after the end
    assert (run_dir / "curves.png").stat().st_size > 0
    assert panel.runs.names() == [run_dir.name]
    qtbot.waitUntil(lambda: panel.views.indexOf(panel.results.evaluate_view) > 0)


def test_pause_holds_the_run_and_stop_ends_it_without_another_batch(editor, open_tips, qtbot):
    panel = open_tips(epochs=500)
    panel.train()
    qtbot.waitUntil(lambda: len(panel.plots.curve("loss")[0]) >= 1, timeout=60_000)
    editor.actions["pause"].trigger()
    qtbot.waitUntil(lambda: panel.is_paused, timeout=30_000)
    panel.drain()
    batches = len(panel.plots.curve("loss", "batch")[0])
    qtbot.wait(300)
    panel.drain()
    assert len(panel.plots.curve("loss", "batch")[0]) == batches  # paused: nothing trains
    editor.actions["pause"].trigger()  # resume
    qtbot.waitUntil(lambda: len(panel.plots.curve("loss", "batch")[0]) > batches + 3, timeout=30_000)
    session = panel.session
    at_stop = int(session.model.optimizer.iterations)  # what the worker has done, drawn or not yet
    editor.actions["stop"].trigger()
    finish(qtbot, panel, 10_000)
    assert int(session.model.optimizer.iterations) <= at_stop + 1  # the batch under way, no more
    assert panel.controls.message.text().startswith("Stopped during epoch")
    assert panel.controls.state == "idle" and editor.actions["train"].isEnabled()
    assert panel.runs.tree.topLevelItem(0).text(HEADERS.index("Status")) == "stopped"
    # The epoch Stop cut short is no epoch: not drawn, not in history.csv (no NaN, no empty cell).
    record = json.loads((panel.run_dir / "settings.json").read_text(encoding="utf-8"))
    rows = (panel.run_dir / "history.csv").read_text(encoding="utf-8").splitlines()[1:]
    assert len(rows) == record["epochs_done"] >= 1 and all("nan" not in row and ",," not in row for row in rows)
    assert len(panel.plots.curve("loss")[0]) == len(panel.plots.curve("val_loss")[0]) == record["epochs_done"]
    assert "left" not in panel.controls.progress_text()


@pytest.mark.slow
def test_a_nan_run_says_so_and_is_still_listed(editor, open_tips, qtbot):
    panel = open_tips(optimizer="sgd", learning_rate=1e12, epochs=5)
    panel.train()
    finish(qtbot, panel)
    text = panel.controls.message.text()
    # A learning rate this large sends the loss to infinity (or NaN) within a batch or two.
    assert text.startswith("The loss became ") and "try a lower learning rate" in text
    assert panel.runs.tree.topLevelItem(0).text(HEADERS.index("Status")) == "nan"


def test_a_preflight_refusal_is_shown_in_full_and_records_no_run(editor, open_tips, qtbot, tmp_path):
    panel = open_tips(shape=(5,), loss="binary_crossentropy")  # two mismatches: a long message
    QTest.keyClick(editor.view, Qt.Key.Key_F5)
    finish(qtbot, panel)
    message = panel.controls.message
    assert message.text().startswith("Training did not start: Input 'x' expects (5,), the dataset gives (2,)")
    assert "binary_crossentropy needs targets between 0 and 1" in message.text()
    assert editor.status_text.text() == message.text()
    # All of it in view, wrapped, and selectable to copy.
    assert message.wordWrap() and message.textInteractionFlags() & Qt.TextInteractionFlag.TextSelectableByMouse
    qtbot.waitUntil(lambda: message.height() >= message.heightForWidth(message.width()))
    assert message.visibleRegion().boundingRect().height() >= message.heightForWidth(message.width())
    # Refused before training began: no run folder, nothing in the runs list, no time left shown.
    assert panel.runs.names() == [] and not (tmp_path / "p.runs").exists()
    assert panel.run_dir is None and panel.controls.progress_text() == ""


@pytest.mark.slow
def test_closing_the_window_stops_a_run(editor, open_tips, qtbot):
    panel = open_tips(epochs=500)
    panel.train()
    session = panel.session
    qtbot.waitUntil(lambda: len(panel.plots.curve("loss")[0]) >= 1, timeout=60_000)
    editor.close()
    assert not session.is_running
    assert session.result.status == "stopped"


def test_f5_gives_the_curves_most_of_the_training_tab(editor, open_tips, qtbot):
    panel = open_tips()
    editor.bottom.setCurrentIndex(0)  # the Messages tab is up
    QTest.keyClick(editor.view, Qt.Key.Key_F5)
    assert editor.bottom.currentWidget() is panel
    qtbot.waitUntil(lambda: editor.bottom_dock.height() >= 0.43 * editor.height())
    finish(qtbot, panel)
    # The curves take the middle of the dock and most of its height; the forms beside them scroll.
    assert panel.views.width() > max(panel.forms.width(), panel.controls.width())
    qtbot.waitUntil(lambda: panel.plots.plots["loss"].getViewBox().sceneBoundingRect().height() > 0)
    plot_area = panel.plots.plots["loss"].getViewBox().sceneBoundingRect()
    assert plot_area.height() >= 0.6 * editor.bottom_dock.height()


def test_train_while_tensorflow_loads_says_so(qtbot):
    from netbuilder.catalog import load_catalog
    from netbuilder.graph.project_file import from_dict
    from netbuilder.ui.document import EditorDocument
    from netbuilder.ui.training.panel import TrainingPanel

    document = EditorDocument(from_dict(tips_project()), load_catalog())  # Keras not attached yet
    panel = TrainingPanel(document)
    qtbot.addWidget(panel)
    said = []
    panel.status.connect(said.append)
    qtbot.mouseClick(panel.controls.train_button, Qt.MouseButton.LeftButton)
    assert panel.session is None
    assert panel.controls.message.text() == ("TensorFlow is still loading; Train works once the status bar "
                                             "says Keras is ready.")
    assert said == [f"Cannot train: {panel.controls.message.text()}"]


def write_images(folder, size=(6, 4)):
    """Two classes of two PNG pictures each, in class sub-folders."""
    import tensorflow as tf

    for label, shade in (("cat", 40), ("dog", 200)):
        for i in range(2):
            path = folder / label / f"{i}.png"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(tf.io.encode_png(np.full((*size, 3), shade + i, np.uint8)).numpy())


def test_an_image_folder_starts_at_the_size_and_colours_of_the_models_input(editor, write_project, tmp_path, qtbot):
    write_images(tmp_path / "pets")
    doc = tips_project(shape=(28, 28, 1))
    del doc["dataset"]
    editor.files.open_path(write_project(doc))
    form = editor.training.data_form
    form._ask_folder = lambda: tmp_path / "pets"
    qtbot.mouseClick(form.open_folder, Qt.MouseButton.LeftButton)
    assert editor.document.project.sections["dataset"] == {"source": "pets", "image_size": [28, 28],
                                                           "color_mode": "grayscale"}
    assert form.image_size.text() == "28, 28" and form.color_mode.currentText() == "grayscale"
    assert "loaded as 28×28 grayscale" in form.note.text()


# -- past runs ---------------------------------------------------------------------------------------

def past_run(root, name, losses):
    folder = RunFolder.at(root / name)
    folder.write_history({"loss": losses, "val_loss": [v + 0.5 for v in losses]})
    folder.write_settings({"status": "completed", "started": f"2025-01-0{name[-1]}T09:00:00",
                           "epochs_done": len(losses)})
    return folder.path


def test_a_past_run_can_be_overlaid_and_exported(editor, open_tips, tmp_path):
    panel = open_tips()
    root = tmp_path / "p.runs"
    past_run(root, "run-1", [4.0, 3.0])
    second = past_run(root, "run-2", [5.0, 2.0, 1.0])
    panel.refresh_runs()
    assert panel.runs.names() == ["run-2", "run-1"]
    panel.runs.set_ticked("run-2", True)
    assert panel.plots.curve("val_loss", owner="run-2") == ([1.0, 2.0, 3.0], [5.5, 2.5, 1.5])
    panel.runs.set_ticked("run-2", False)
    assert panel.plots.overlay_names() == []

    panel.runs.select("run-2")
    panel.ask_save_path = lambda title, suggestion, filter_: tmp_path / suggestion
    exported = panel.past.export_history()
    assert exported == tmp_path / "run-2-history.csv"
    assert exported.read_text(encoding="utf-8") == (second / "history.csv").read_text(encoding="utf-8")
    assert exported.read_text(encoding="utf-8").splitlines()[0] == "epoch,loss,val_loss"
    png = panel.save_plot()
    assert png is not None and png.read_bytes()[:4] == b"\x89PNG"


def test_the_runs_list_compares_every_run_by_one_chosen_quantity(editor, open_tips, tmp_path):
    panel = open_tips()
    root = tmp_path / "p.runs"
    histories = {"run-1": {"loss": [2.0, 1.5], "val_loss": [2.5, 1.75], "rmse": [1.4, 1.2], "val_rmse": [1.6, 1.3]},
                 "run-2": {"loss": [3.0], "rmse": [1.7]},  # no validation data
                 "run-3": {"loss": [0.9], "val_loss": [1.1]}}  # no metric beyond the loss
    for day, (name, history) in enumerate(histories.items(), start=1):
        folder = RunFolder.at(root / name)
        folder.write_history(history)
        folder.write_settings({"status": "completed", "started": f"2025-01-0{day}T09:00:00"})
    panel.refresh_runs()
    runs = panel.runs
    assert runs.metric.currentText() == "rmse"  # the error in the target's own units, when runs have it
    assert runs.tree.headerItem().text(HEADERS.index("Result")) == "rmse"
    assert [runs.result(n) for n in ("run-1", "run-2", "run-3")] == ["1.3 val", "1.7 train", ""]
    QTest.keyClick(runs.metric, Qt.Key.Key_Up)  # the quantity before rmse: loss
    assert runs.tree.headerItem().text(HEADERS.index("Result")) == "loss"
    assert [runs.result(n) for n in ("run-1", "run-2", "run-3")] == ["1.75 val", "3 train", "1.1 val"]
    panel.refresh_runs()
    assert runs.metric.currentText() == "loss"  # the choice outlives a refresh


def title_editor(tree):
    """The line edit open on a run's name, if one is (a closed one may linger until deleted)."""
    return next((e for e in tree.findChildren(QLineEdit) if e.isVisible()), None)


def test_a_run_is_renamed_in_place_and_carries_a_note(editor, open_tips, tmp_path, qtbot):
    panel = open_tips()
    path = past_run(tmp_path / "p.runs", "run-1", [4.0, 3.0])
    panel.refresh_runs()
    tree = panel.runs.tree
    row = tree.visualItemRect(tree.topLevelItem(0))
    name_at = QPoint(tree.columnViewportPosition(0) + tree.columnWidth(0) - 8, row.center().y())
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, name_at)
    QTest.keyClick(tree, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: title_editor(tree) is not None)
    QTest.keyClicks(title_editor(tree), "baseline")
    QTest.keyClick(title_editor(tree), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.runs.labels() == ["baseline"])
    record = json.loads((path / "settings.json").read_text(encoding="utf-8"))
    assert record["title"] == "baseline" and record["status"] == "completed"  # the rest of the record kept
    assert panel.runs.names() == ["run-1"] and path.is_dir()  # the folder keeps its name

    note = panel.runs.note
    QTest.mouseClick(note, Qt.MouseButton.LeftButton)
    QTest.keyClicks(note, "lr 0.01, two hidden layers")
    QTest.keyClick(note, Qt.Key.Key_Return)
    assert json.loads((path / "settings.json").read_text(encoding="utf-8"))["note"] == "lr 0.01, two hidden layers"
    assert tree.topLevelItem(0).text(HEADERS.index("Note")) == "lr 0.01, two hidden layers"

    panel.refresh_runs()  # read back from the folder
    assert panel.runs.labels() == ["baseline"] and panel.runs.note.text() == "lr 0.01, two hidden layers"
    panel.runs.set_ticked("run-1", True)
    assert "baseline" in panel.plots.legend_names()

    # A double-click as the mouse sends it: a click, then the second press that makes it double.
    QTest.mouseClick(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, name_at)
    QTest.mouseDClick(tree.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier, name_at)
    qtbot.waitUntil(lambda: title_editor(tree) is not None)
    QTest.keyClicks(title_editor(tree), "wider")
    QTest.keyClick(title_editor(tree), Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: panel.runs.labels() == ["wider"])
    assert "wider" in panel.plots.legend_names()  # the overlay follows the new name


def test_the_run_menu_has_train_pause_and_stop(editor, open_tips):
    open_tips()
    assert editor.actions["train"].shortcut().toString() == "F5"
    assert editor.actions["stop"].shortcut().toString() == "Shift+F5"
    assert editor.actions["train"].isEnabled() and not editor.actions["stop"].isEnabled()
    assert [editor.bottom.tabText(i) for i in range(editor.bottom.count())] == ["Messages", "Model summary", "Training"]
    editor.bottom.setCurrentIndex(2)
    assert editor.bottom_dock.windowTitle() == "Training"
