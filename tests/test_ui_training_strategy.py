"""The Training tab and tf.distribute: the Strategy menu edits the project and undoes, the devices
TensorFlow sees are listed, a mirrored run trains here and is listed with its strategy, and the
multi-worker strategy is refused at Train with the command that runs it."""

import json

from PySide6.QtCore import Qt

from netbuilder.training.distribute import Device
from netbuilder.training.runs import RunFolder
from netbuilder.ui.training.devices_line import LOADING, DevicesLine, devices_text
from netbuilder.ui.training.runs_list import HEADERS

from helpers import finish

STRATEGY = HEADERS.index("Strategy")


def pick(menu, text):
    menu.setCurrentIndex(menu.findText(text))


def said(panel):
    """Every sentence the panel puts in its message area from now on."""
    sentences = []
    say = panel.controls.say

    def recording(text, tone="info"):
        sentences.append(text)
        say(text, tone)

    panel.controls.say = recording
    return sentences


def test_picking_a_strategy_is_an_undoable_edit_of_the_project(editor, open_tips):
    panel = open_tips()
    menu = panel.settings_form.field("strategy")
    assert menu.currentText() == "default"
    assert [menu.itemText(i) for i in range(menu.count())] == ["default", "mirrored", "multi-worker"]
    pick(menu, "mirrored")
    assert editor.document.project.sections["training"]["strategy"] == "mirrored"
    assert editor.isWindowModified()
    editor.actions["undo"].trigger()
    assert "strategy" not in editor.document.project.sections["training"]  # the default is not written
    assert menu.currentText() == "default"
    editor.actions["redo"].trigger()
    assert menu.currentText() == "mirrored"


def test_a_project_saved_with_a_strategy_shows_it(editor, open_tips):
    panel = open_tips(strategy="multi-worker")
    assert panel.settings_form.field("strategy").currentText() == "multi-worker"
    assert not editor.document.is_modified


def test_each_strategy_says_what_it_trains_on(editor, open_tips):
    menu = open_tips().settings_form.field("strategy")
    tips = {menu.itemText(i): menu.itemData(i, Qt.ItemDataRole.ToolTipRole) for i in range(menu.count())}
    assert "One device" in tips["default"]
    assert "every local GPU" in tips["mirrored"] and "On this machine: " in tips["mirrored"]
    assert "CPU:0" in tips["mirrored"]
    assert "TF_CONFIG" in tips["multi-worker"] and "command line" in tips["multi-worker"]


def test_the_devices_line_waits_for_tensorflow_then_lists_the_devices(editor, open_tips, qtbot):
    line = DevicesLine()
    qtbot.addWidget(line)
    assert line.text() == LOADING == "Devices: (TensorFlow loading…)"
    assert devices_text([Device("CPU", "CPU:0"), Device("GPU", "GPU:0", "NVIDIA H100")]) == \
        "Devices: CPU:0 · GPU:0 (NVIDIA H100)"
    panel = open_tips()
    assert panel.devices_line.text().startswith("Devices: CPU:0")
    assert panel.devices_line.isVisible()


def test_a_mirrored_run_trains_here_and_the_runs_list_says_so(editor, open_tips, qtbot):
    panel = open_tips(strategy="mirrored", epochs=2)
    sentences = said(panel)
    panel.controls.train_button.click()
    finish(qtbot, panel)
    assert any(s.startswith("Training with the mirrored strategy: 1 replica in sync (CPU:0") for s in sentences)
    assert panel.controls.message.text() == "✓ Trained for 2 epochs."
    record = json.loads((panel.run_dir / "settings.json").read_text(encoding="utf-8"))
    assert (record["strategy"], record["replicas"]) == ("mirrored", 1)
    assert panel.runs.tree.topLevelItem(0).text(STRATEGY) == "mirrored ×1"


def test_multi_worker_is_refused_at_train_with_the_command_that_runs_it(editor, open_tips):
    panel = open_tips(strategy="multi-worker")
    assert panel.controls.train_button.isEnabled()  # the choice is valid: it is what the command line runs
    panel.controls.train_button.click()
    text = panel.controls.message.text()
    assert "cannot start inside the editor" in text
    assert "netbuilder train p.nbproj --strategy multi-worker --local-workers 2" in text
    assert "d93025" in panel.controls.message.styleSheet()  # red: it is a refusal
    assert not panel.is_running and panel.runs.names() == []
    assert panel.controls.train_button.isEnabled()  # picking another strategy is all it takes


def test_the_runs_list_shows_each_runs_strategy_and_old_runs_read_default(editor, open_tips, qtbot):
    panel = open_tips()
    root = panel.runs_root
    old = RunFolder.create(root)
    old.write_settings({"status": "completed", "started": "2024-01-01T09:00:00", "epochs_done": 3})
    pair = RunFolder.at(root / "20250101-090000")
    pair.write_settings({"status": "completed", "started": "2025-01-01T09:00:00", "epochs_done": 3,
                         "training": {"strategy": "multi-worker"}, "strategy": "multi-worker", "replicas": 2})
    running = RunFolder.at(root / "20250102-090000")
    running.write_settings({"status": "running", "started": "2025-01-02T09:00:00",
                            "training": {"strategy": "mirrored"}})
    panel.refresh_runs()
    shown = {panel.runs.tree.topLevelItem(i).text(0): panel.runs.tree.topLevelItem(i).text(STRATEGY)
             for i in range(panel.runs.tree.topLevelItemCount())}
    assert shown == {old.path.name: "default", "20250101-090000": "multi-worker ×2", "20250102-090000": "mirrored"}
