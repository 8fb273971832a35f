"""The Training tab: live curves, Train/Pause/Stop, failures shown where the user looks,
settings and dataset edits that undo, the runs list and its exports."""

import math

import pytest

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
    assert plots.legend_names("loss") == ["loss", "val_loss"]
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
    assert "20250101-090000 loss" in plots.legend_names("loss")
    plots.set_overlay("20250101-090000", None)
    assert plots.curve("loss", owner="20250101-090000") == ([], [])
    assert list(plots.plots) == ["loss"]


def test_progress_reads_epoch_batch_and_time_left():
    progress = Progress(epochs=20, steps=40, epoch=3, batch=12, elapsed=10.0)
    # 2.3 of 20 epochs took 10 s, so about 77 s remain.
    assert progress.text() == "epoch 3/20 · batch 12/40 · 1:17 left"
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
        EpochEnd(1, {"loss": 8.0, "rmse": 2.8, "val_loss": 8.5, "val_rmse": 2.9}, 1.0),
        BatchEnd(2, 1, {"loss": 7.0, "rmse": 2.6}, 3.0),
    ])
    panel._set_state("preparing")
    panel.drain()
    assert panel.plots.curve("loss") == ([1.0], [8.0])
    assert panel.plots.curve("rmse", "batch")[1] == [3.0, 2.8, 2.6]
    assert panel.controls.progress_text() == "epoch 2/4 · batch 1/2 · 0:05 left"  # 1.5 of 4 epochs took 3 s
    assert "val_rmse 2.9" in panel.controls.latest.text()
    assert panel.controls.pause_button.isEnabled() and editor.actions["stop"].isEnabled()
    assert not panel.controls.train_button.isEnabled()

    panel.session.events = [Paused()]
    panel.drain()
    assert panel.controls.pause_button.text() == "Resume" and editor.actions["pause"].text() == "&Resume"
    panel.session.events = [Resumed(), RunFinished("failed", "Out of memory while training.", {}, None, 1)]
    panel.drain()
    assert not panel.is_running
    assert "Out of memory while training." in panel.controls.message.text()
    assert panel.controls.train_button.isEnabled()


def test_train_is_off_with_the_reason_when_the_model_is_not_valid(editor, write_project):
    doc = tips_project()
    doc["graph"]["edges"] = doc["graph"]["edges"][1:]  # the Dense 'h' has no input
    editor.files.open_path(write_project(doc))
    editor.document.flush_check()
    panel = editor.training
    assert not panel.controls.train_button.isEnabled()
    assert "problem" in panel.controls.train_button.toolTip()
    assert not editor.actions["train"].isEnabled()
    editor.actions["train"].trigger()
    assert panel.session is None


def test_train_is_off_until_a_dataset_is_chosen(editor, write_project):
    doc = tips_project()
    del doc["dataset"]
    editor.files.open_path(write_project(doc))
    editor.document.flush_check()
    assert editor.training.controls.train_button.toolTip() == "Choose a dataset in the Data tab first"
    data = editor.training.data_form
    data.source.setCurrentIndex(data.source.findData("bundled:tips"))
    assert editor.document.project.sections["dataset"] == {"source": "bundled:tips", "target": ["tip"]}
    assert editor.training.controls.train_button.isEnabled()
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
    qtbot.waitUntil(lambda: panel.views.indexOf(panel.evaluate_view) > 0)


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


@pytest.mark.slow
def test_a_nan_run_says_so_and_is_still_listed(editor, open_tips, qtbot):
    panel = open_tips(optimizer="sgd", learning_rate=1e12, epochs=5)
    panel.train()
    finish(qtbot, panel)
    text = panel.controls.message.text()
    # A learning rate this large sends the loss to infinity (or NaN) within a batch or two.
    assert text.startswith("The loss became ") and "try a lower learning rate" in text
    assert panel.runs.tree.topLevelItem(0).text(HEADERS.index("Status")) == "nan"


def test_a_preflight_mismatch_shows_the_exact_sentence(editor, open_tips, qtbot):
    panel = open_tips(shape=(5,))
    panel.train()
    finish(qtbot, panel)
    assert "Input 'x' expects (5,), the dataset gives (2,)" in panel.controls.message.text()
    assert panel.controls.message.text().startswith("Training failed: ")
    assert len(panel.runs.names()) == 1


@pytest.mark.slow
def test_closing_the_window_stops_a_run(editor, open_tips, qtbot):
    panel = open_tips(epochs=500)
    panel.train()
    session = panel.session
    qtbot.waitUntil(lambda: len(panel.plots.curve("loss")[0]) >= 1, timeout=60_000)
    editor.close()
    assert not session.is_running
    assert session.result.status == "stopped"


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
    exported = panel.export_history()
    assert exported == tmp_path / "run-2-history.csv"
    assert exported.read_text(encoding="utf-8") == (second / "history.csv").read_text(encoding="utf-8")
    assert exported.read_text(encoding="utf-8").splitlines()[0] == "epoch,loss,val_loss"
    png = panel.save_plot()
    assert png is not None and png.read_bytes()[:4] == b"\x89PNG"


def test_the_run_menu_has_train_pause_and_stop(editor, open_tips):
    open_tips()
    assert editor.actions["train"].shortcut().toString() == "F5"
    assert editor.actions["stop"].shortcut().toString() == "Shift+F5"
    assert editor.actions["train"].isEnabled() and not editor.actions["stop"].isEnabled()
    assert [editor.bottom.tabText(i) for i in range(editor.bottom.count())] == ["Messages", "Model summary", "Training"]
    editor.bottom.setCurrentIndex(2)
    assert editor.bottom_dock.windowTitle() == "Training"
