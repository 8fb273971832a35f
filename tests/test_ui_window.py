"""The main window end to end: files, import, every kind of edit undone and redone, sub-models."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import gc

import shiboken6
from PySide6.QtCore import QCoreApplication, QEvent, QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QMessageBox

from netbuilder.graph import Edge, project_file
from netbuilder.ui.canvas.scene import GraphScene
from netbuilder.ui.canvas.view import GraphView
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.messages_panel import MessagesPanel
from netbuilder.ui.summary_panel import SummaryPanel
from netbuilder.ui.training.panel import TrainingPanel

from helpers import EXAMPLES, REPO
from ui_gestures import double_click


def snapshot(window) -> str:
    return json.dumps(window.document.project.to_dict(), sort_keys=False)


def test_start_page_then_an_example_then_back(editor):
    assert editor.pages.currentWidget() is editor.start_page
    assert editor.windowTitle() == "netbuilder"
    editor.start_page.open_path.emit(EXAMPLES / "wide_and_deep.nbproj")
    assert editor.pages.currentWidget() is editor.editor_page
    assert editor.document.project.path is None  # an example opens as an unsaved copy
    assert editor.windowTitle() == "wide_and_deep[*] — netbuilder" and not editor.isWindowModified()
    assert set(editor.scene.nodes) == {"wide", "deep", "h1", "cat", "out"}
    editor.actions["close"].trigger()
    assert editor.pages.currentWidget() is editor.start_page


def _alive(kind: type) -> int:
    """How many objects of `kind` still exist in Qt (deleted ones linger only as Python wrappers)."""
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    gc.collect()
    return sum(1 for o in gc.get_objects() if isinstance(o, kind) and shiboken6.isValid(o))


def test_opening_project_after_project_keeps_one_set_of_panels_alive(editor):
    per_project = (MessagesPanel, SummaryPanel, TrainingPanel, GraphView, GraphScene, EditorDocument)
    for name in ("wide_and_deep", "mlp_128_10", "autoencoder", "tips_regression", "digits_cnn"):
        editor.files.open_path(EXAMPLES / f"{name}.nbproj")
        assert editor.document.display_name == name
        assert {kind.__name__: _alive(kind) for kind in per_project} == {kind.__name__: 1 for kind in per_project}
    editor.actions["close"].trigger()
    assert {kind.__name__: _alive(kind) for kind in per_project} == {kind.__name__: 0 for kind in per_project}


def test_save_then_open_gives_back_the_same_project(editor, tmp_path):
    editor.files.open_example("autoencoder")
    editor.edits.add_layer("Dropout", None, QPointF(300, 300))
    assert editor.isWindowModified()
    target = tmp_path / "mine.nbproj"
    editor.files.ask_save_path = lambda title, suggestion: target
    editor.actions["save"].trigger()  # no file yet: Save asks where, like Save As
    assert not editor.isWindowModified() and editor.document.project.path == target
    saved = snapshot(editor)
    assert json.loads(target.read_text()) == json.loads(saved)
    editor.files.open_path(EXAMPLES / "mlp_128_10.nbproj")
    editor.files.open_path(target)
    assert snapshot(editor) == saved
    assert editor.recent.paths()[0] == target.resolve()
    assert editor.actions["recent_menu"].actions()[0].text() == str(target.resolve())  # File ▸ Open Recent follows


def test_an_interrupted_save_leaves_the_previous_file_intact(editor, tmp_path, monkeypatch):
    target = tmp_path / "p.nbproj"
    editor.files.open_example("wide_and_deep")
    editor.files.ask_save_path = lambda title, suggestion: target
    editor.files.save()
    before = target.read_bytes()
    editor.edits.add_layer("Dense", None, QPointF(0, 0))

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)  # the new text is half on its way to the disk
    assert not editor.files.save()
    monkeypatch.undo()
    assert target.read_bytes() == before
    assert "No space left on device" in editor.files.told[-1] and editor.isWindowModified()
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith("p.nbproj")] == ["p.nbproj"]


def test_a_damaged_file_is_reported_with_its_problems_and_nothing_is_lost(editor, tmp_path):
    editor.files.open_example("wide_and_deep")
    bad = tmp_path / "bad.nbproj"
    bad.write_text('{"format": "netbuilder", "version": 99, "name": "x", "graph": {}}')
    assert not editor.files.open_path(bad)
    assert "version" in editor.files.told[-1] and "bad.nbproj" in editor.files.told[-1]
    assert editor.document.project.name == "wide_and_deep"


def test_closing_with_unsaved_changes_asks(editor):
    editor.files.open_example("wide_and_deep")
    editor.edits.add_layer("Dense", None, QPointF(0, 0))
    asked = []
    editor.files.ask_save_changes = lambda name: asked.append(name) or QMessageBox.StandardButton.Cancel
    assert not editor.close()
    assert asked == ["wide_and_deep"] and editor.document is not None
    editor.files.ask_save_changes = lambda name: QMessageBox.StandardButton.Discard
    assert editor.close()


def test_inspector_edits_recheck_shapes_and_undo(editor, qtbot):
    editor.files.open_example("wide_and_deep")
    editor.scene.select_nodes(["h1"])
    units = editor.inspector.field("units")
    units.selectAll()
    QTest.keyClicks(units, "64")
    QTest.keyClick(units, Qt.Key.Key_Return)
    editor.document.flush_check()
    assert editor.document.graph.node("h1").config["units"] == 64
    assert editor.scene.nodes["cat"].look.shapes == "→ (None, 74)"
    assert editor.actions["undo"].text() == "&Undo Change 'h1'"
    editor.actions["undo"].trigger()
    editor.document.flush_check()
    assert editor.document.graph.node("h1").config["units"] == 32
    assert editor.inspector.field("units").text() == "32"
    units = editor.inspector.field("units")
    units.selectAll()
    QTest.keyClicks(units, "-3")
    QTest.keyClick(units, Qt.Key.Key_Return)
    assert "at least 1" in editor.inspector.field_error("units")
    assert editor.document.graph.node("h1").config["units"] == 32


def test_every_kind_of_edit_undoes_and_redoes_exactly(editor, qtbot):
    editor.files.open_example("wide_and_deep")
    doc, scene, actions = editor.document, editor.scene, editor.actions
    history = [snapshot(editor)]

    def step():
        doc.flush_check()
        history.append(snapshot(editor))
        assert history[-1] != history[-2]

    editor.edits.add_layer("Dropout", None, QPointF(400, 0)); step()
    scene.select_nodes(["h1", "cat"]); actions["copy"].trigger(); actions["paste"].trigger(); step()
    scene.select_nodes(["out"]); actions["duplicate"].trigger(); step()
    scene.select_nodes(["dropout"]); actions["delete"].trigger(); step()
    editor.edits.connect_through("Dropout", Edge("h1", "out_1")); step()
    actions["arrange"].trigger(); step()
    editor._config_edited("h1", {"units": 7, "activation": "tanh"}); step()
    assert editor.edits.group_as(["h1"], "block") is None; step()
    scene.select_nodes(["block"]); actions["ungroup"].trigger(); step()
    scene.wires[Edge("cat", "out")].setSelected(True); actions["delete"].trigger(); step()
    for expected in reversed(history[:-1]):
        actions["undo"].trigger()
        assert snapshot(editor) == expected
    assert not actions["undo"].isEnabled() and not editor.isWindowModified()
    for expected in history[1:]:
        actions["redo"].trigger()
        assert snapshot(editor) == expected
    assert set(scene.nodes) == {n.id for n in doc.graph.nodes}
    assert set(scene.wires) == set(doc.graph.edges)


def test_group_into_a_submodel_then_open_and_edit_it(editor):
    project = project_file.load(EXAMPLES / "mlp_128_128_10.nbproj")
    editor.show_project(project)
    doc = editor.document
    hidden = [n.id for n in doc.graph.nodes if n.layer == "Dense"][:2]
    params = sum(1 for _ in doc.graph.nodes)
    assert editor.edits.group_as(hidden, "trunk") is None
    doc.flush_check()
    assert doc.problems == [] and "trunk" in doc.project.submodels
    assert "trunk" in editor.palette.visible_layers()
    editor.actions["fit"].trigger()
    card = editor.scene.nodes["trunk"]
    double_click(editor.view, card.sceneBoundingRect().center())
    assert doc.scope == "trunk" and editor.breadcrumb.isVisible()
    assert set(editor.scene.nodes) == {n.id for n in doc.project.submodels["trunk"].nodes}
    assert "▸ trunk" in editor.windowTitle()
    editor.actions["back_to_main"].trigger()
    assert doc.scope == "" and "trunk" in editor.scene.nodes
    editor.actions["undo"].trigger()
    assert "trunk" not in doc.project.submodels and len(doc.graph) == params


def test_the_open_submodel_action_opens_the_selected_one(editor):
    editor.files.open_example("autoencoder")
    encoder = next(n.id for n in editor.document.graph.nodes if n.config.get("submodel") == "encoder")
    editor.scene.select_nodes([encoder])
    editor.actions["open_submodel"].trigger()
    assert editor.document.scope == "encoder"


def test_reuse_a_submodel_as_a_layer_from_the_palette(editor):
    editor.files.open_example("autoencoder")
    doc = editor.document
    editor.palette.layer_activated.emit("Submodel", "decoder")
    new = doc.graph.nodes[-1]
    assert new.layer == "Submodel" and new.config == {"submodel": "decoder"}
    assert len(editor.scene.nodes[new.id].inputs) == 1


def test_import_a_keras_applications_model_onto_the_canvas(editor, tmp_path, qtbot):
    import keras

    model = keras.applications.MobileNetV2(weights=None, input_shape=(32, 32, 3), classes=10)
    source = tmp_path / "mobilenet.keras"
    model.save(source)
    call = editor.files.import_model(source, tmp_path / "mobilenet.nbproj")
    call.wait()
    qtbot.waitUntil(lambda: editor.document is not None and len(editor.scene.nodes) == len(model.layers), timeout=20000)
    doc = editor.document
    doc.flush_check()
    assert doc.problems == []
    assert editor.summary.totals_text().startswith(f"Total params: {model.count_params():,}")
    ys = {nid: item.pos().y() for nid, item in editor.scene.nodes.items()}
    assert all(ys[e.source] < ys[e.target] for e in doc.graph.edges)  # laid out top to bottom
    assert (tmp_path / "mobilenet.weights.h5").exists()
    assert editor.recent.paths()[0] == (tmp_path / "mobilenet.nbproj").resolve()


def test_recovered_work_is_offered_after_a_crash(editor, tmp_path):
    from netbuilder.ui.recovery import find_recoverable

    editor.files.open_example("stack_2_3_4")
    editor.edits.add_layer("Dense", None, QPointF(0, 0))
    editor.autosaver.autosave_now()
    crashed = snapshot(editor)
    # Pretend that process died: rewrite the sidecar with a pid that is not running.
    sidecar = next((tmp_path / "recovery").glob("*.json"))
    meta = json.loads(sidecar.read_text())
    meta["pid"] = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                                 capture_output=True, text=True).stdout.strip()
    meta["pid"] = int(meta["pid"])
    sidecar.write_text(json.dumps(meta))
    editor.autosaver = None  # as after a crash: nobody discards it
    editor.show_project(None)
    [work] = find_recoverable()
    editor.files.offer_recovery()
    editor.files._restore(work)
    assert snapshot(editor) == crashed and editor.isWindowModified()


def test_the_netbuilder_command_opens_the_editor_on_an_example(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", NETBUILDER_REPORT_READY="1",
               NETBUILDER_QUIT_AFTER_MS="100", NETBUILDER_RECOVERY_DIR=str(tmp_path), HOME=str(tmp_path),
               XDG_CONFIG_HOME=str(tmp_path), XDG_DATA_HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-m", "netbuilder", "--example", "wide_and_deep"],
                            capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.startswith("window-ready ")
    bad = subprocess.run([sys.executable, "-m", "netbuilder", "--example", "nope"],
                         capture_output=True, text=True, env=env, cwd=REPO, timeout=120)
    assert bad.returncode == 1 and "no example called 'nope'; there are: autoencoder," in bad.stderr


def test_save_as_takes_the_weights_along(qtbot, tmp_path):
    from netbuilder.catalog import load_catalog
    from netbuilder.ui.document import EditorDocument

    first = tmp_path / "a.nbproj"
    project = project_file.load(EXAMPLES / "mlp_128_10.nbproj")
    project_file.save(project, first)
    (tmp_path / "a.weights.h5").write_bytes(b"trained weights")
    doc = EditorDocument(project_file.load(first), load_catalog())
    doc.save(tmp_path / "elsewhere" / "b.nbproj")
    assert (tmp_path / "elsewhere" / "b.weights.h5").read_bytes() == b"trained weights"
    assert doc.project.weights_path == tmp_path / "elsewhere" / "b.weights.h5"
    assert sorted(p.name for p in (tmp_path / "elsewhere").iterdir()) == ["b.nbproj", "b.weights.h5"]  # no temp files left


def test_the_open_example_menu_lists_the_examples_by_their_titles(editor):
    from netbuilder.resources import example_names, example_title

    entries = [action.text() for action in editor.actions["examples_menu"].actions()]
    assert entries == [example_title(name) for name in example_names()]
    assert "MLP 128-10" in entries and not any("_" in entry for entry in entries)
    editor.actions["examples_menu"].actions()[entries.index("MLP 128-10")].trigger()
    assert editor.document.display_name == "mlp_128_10"


def test_a_launch_straight_into_a_project_makes_the_start_page_only_when_it_is_needed(qtbot, tmp_path, monkeypatch):
    """The start page costs a launch into a project nothing; Close, or a file that cannot be read, shows it."""
    from PySide6.QtCore import QSettings

    from netbuilder.catalog import load_catalog
    from netbuilder.ui.file_ops import FileOps
    from netbuilder.ui.keras_loader import KerasLoader
    from netbuilder.ui.main_window import open_window

    monkeypatch.setenv("NETBUILDER_RECOVERY_DIR", str(tmp_path / "recovery"))
    told = []
    monkeypatch.setattr(FileOps, "tell", lambda self, title, text: told.append(text))
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    window = open_window(load_catalog(), KerasLoader(), example="wide_and_deep", settings=settings)
    qtbot.addWidget(window)
    assert window._start_page is None and window.pages.currentWidget() is window.editor_page
    window.actions["close"].trigger()
    assert window.pages.currentWidget() is window.start_page

    broken = tmp_path / "broken.nbproj"
    broken.write_text("{")
    other = open_window(load_catalog(), KerasLoader(), path=broken, settings=settings)
    qtbot.addWidget(other)
    assert other.pages.currentWidget() is other.start_page and told and "broken.nbproj" in told[0]
