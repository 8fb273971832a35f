"""Regenerate `screenshots/`: the real application, driven the way a user would, captured as PNGs.

Run `python -m netbuilder.screenshots [OUT_DIR]`. It uses a throw-away settings
file and recovery folder, so it never touches the user's recent files, and it
builds NASNetMobile (weights=None, nothing downloaded) for the large-model shot.
The training shots train the `tips_regression` example for real, with its runs
kept in the scratch folder.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QPointF, QSettings, Qt  # noqa: E402
from PySide6.QtGui import QPainter  # noqa: E402
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget  # noqa: E402

from netbuilder.catalog import load_catalog  # noqa: E402
from netbuilder.graph import Connect, Edge, Graph, Node, Project, SetConfig, project_file  # noqa: E402
from netbuilder.ui.keras_loader import KerasLoader  # noqa: E402
from netbuilder.ui.main_window import MainWindow  # noqa: E402
from netbuilder.resources import example_path  # noqa: E402

SIZE = (1440, 900)


def _settle(app: QApplication, window: MainWindow) -> None:
    for _ in range(5):
        app.processEvents()
    if window.scene is not None:
        window.scene.finish_loading()  # a big graph's cards are otherwise drawn a slice per turn
    if window.document is not None:
        window.document.flush_check()
    app.processEvents()


def _save(widget: QWidget, out: Path, name: str) -> Path:
    path = out / f"{name}.png"
    widget.grab().save(str(path))
    print(f"wrote {path}")
    return path


# Scenes kept in modules of their own, in the order they run after the editor and training scenes here.
SCENES = {"data": "screenshots_data", "cost": "screenshots_cost", "previews": "screenshots_previews",
          "deploy": "screenshots_deploy", "health": "screenshots_health", "lr": "screenshots_lr"}


def main(argv: list[str] | None = None) -> int:
    """`[OUT_DIR] [SCENE ...]`: every screenshot, or only the named scenes of `SCENES`."""
    args = sys.argv[1:] if argv is None else argv
    out = Path(args[0]) if args else Path("screenshots")
    only = args[1:]
    unknown = [name for name in only if name not in SCENES]
    if unknown:
        print(f"unknown scene {unknown[0]!r}; the scenes are: {', '.join(SCENES)}", file=sys.stderr)
        return 2
    out.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="netbuilder-shots-"))
    os.environ["NETBUILDER_RECOVERY_DIR"] = str(scratch / "recovery")
    os.environ["NETBUILDER_RUNS_DIR"] = str(scratch / "runs")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    loader = KerasLoader()
    loader.wait()
    app.processEvents()
    settings = QSettings(str(scratch / "settings.ini"), QSettings.Format.IniFormat)
    window = MainWindow(load_catalog(), loader, settings)
    # Scenes switch projects without saving: answer "Discard" instead of a user.
    window.files.ask_save_changes = lambda name: QMessageBox.StandardButton.Discard
    window.resize(*SIZE)
    window.show()
    if only:
        _scenes(app, window, out, only)
        window.close()
        return 0

    # Start page, with a few recent projects.
    for name in ("mlp_128_10", "autoencoder", "wide_and_deep"):
        project = project_file.load(example_path(name))
        window.recent.add(project_file.save(project, scratch / f"{name}.nbproj"))
    _settle(app, window)
    _save(window, out, "01_start_page")

    # An example in the editor, its output layer selected so the inspector shows.
    window.files.open_path(scratch / "wide_and_deep.nbproj")
    _settle(app, window)
    assert window.scene is not None and window.view is not None
    window.scene.select_nodes(["h1"])
    window.bottom.setCurrentIndex(1)
    _settle(app, window)
    _save(window, out, "02_editor_wide_and_deep")

    # A refused connection, with its fix offered: Dense straight after an image.
    window.files.new()
    doc, edits = window.document, window.edits
    assert doc is not None and edits is not None and window.view is not None and window.scene is not None
    image = edits.add_layer("Input", None, QPointF(0, 0))
    dense = edits.add_layer("Dense", None, QPointF(0, 330))
    assert image is not None and dense is not None
    doc.push(SetConfig(doc.graph, image, {"shape": [28, 28, 1], "name": "image"}))
    doc.push(SetConfig(doc.graph, dense, {"units": 10, "activation": "softmax", "name": "classes"}))
    _refuse(app, window, Edge(image, dense))
    _save(window, out, "03_refused_connection")

    # Two shapes that cannot be added.
    a = edits.add_layer("Input", None, QPointF(400, 0))
    b = edits.add_layer("Input", None, QPointF(650, 0))
    add = edits.add_layer("Add", None, QPointF(520, 330))
    assert a is not None and b is not None and add is not None
    doc.push(SetConfig(doc.graph, a, {"shape": [4], "name": "prices"}))
    doc.push(SetConfig(doc.graph, b, {"shape": [5], "name": "volumes"}))
    doc.push(Connect(doc.graph, Edge(a, add)))
    _refuse(app, window, Edge(b, add, 0, 1))
    _save(window, out, "04_refused_shapes")

    # The inspector on a convolution, with a value refused at its field.
    window.files.open_example("mlp_128_10")
    _settle(app, window)
    doc = window.document
    assert doc is not None and window.edits is not None and window.view is not None
    conv = window.edits.add_layer("Conv2D", None, window.view.centre_scene_pos() + QPointF(260, 0))
    assert conv is not None
    window.scene.select_nodes([conv])  # type: ignore[union-attr]
    _settle(app, window)
    field = window.inspector.field("filters")
    if hasattr(field, "setText"):
        field.setText("0")
        field.editingFinished.emit()
    _settle(app, window)
    _save(window, out, "05_inspector")

    # A sub-model opened for editing.
    window.files.open_example("autoencoder")
    _settle(app, window)
    window.set_scope("encoder")
    _settle(app, window)
    _save(window, out, "06_submodel")

    # NASNetMobile imported and laid out automatically.
    import keras

    model_path = scratch / "nasnet_mobile.keras"
    keras.applications.NASNetMobile(weights=None).save(model_path)
    call = window.files.import_model(model_path, scratch / "nasnet_mobile.nbproj")
    assert call is not None
    call.wait()
    _settle(app, window)
    window.bottom.setCurrentIndex(1)
    _settle(app, window)
    _save(window, out, "07_imported_nasnet")
    assert window.view is not None and window.scene is not None and window.document is not None
    window.view.set_zoom(0.45)
    middle = window.document.graph.nodes[len(window.document.graph) // 3].id
    window.view.centerOn(window.scene.nodes[middle].centre())
    _settle(app, window)
    _save(window, out, "08_imported_nasnet_zoomed")
    window.document.stack.set_clean()  # type: ignore[union-attr]

    _training_shots(app, window, out)
    _shortcuts_shot(app, window, out)
    _unfinished_and_error_shot(app, window, out)
    _card_menu_shot(app, window, out)
    _inserted_on_wire_shot(app, window, out)
    _big_graph_shot(app, window, out)
    _scenes(app, window, out, list(SCENES))
    window.close()
    return 0


def _scenes(app: QApplication, window: MainWindow, out: Path, names: list[str]) -> None:
    import importlib

    for name in names:
        importlib.import_module(f"netbuilder.ui.{SCENES[name]}").shots(app, window, out)


TRAINING_DOCK_HEIGHT = 420  # taller than in use, so the plots read well at screenshot size


def _train(app: QApplication, window: MainWindow, until_epoch: int | None = None) -> None:
    """Train the open project, returning once `until_epoch` is drawn (or the run has ended)."""
    panel = window.training
    assert panel is not None
    window.train()
    deadline = time.monotonic() + 300
    while panel.is_running and time.monotonic() < deadline:
        app.processEvents()
        if until_epoch is not None and len(panel.plots.curve("loss")[0]) >= until_epoch:
            panel.drain()
            return
        time.sleep(0.01)


def _set_learning_rate(window: MainWindow, rate: float) -> None:
    assert window.training is not None
    field = window.training.settings_form.field("learning_rate")
    field.setText(repr(rate))
    field.editingFinished.emit()


def _training_shots(app: QApplication, window: MainWindow, out: Path) -> None:
    """The Training tab mid-run on the tips example, then three runs' curves laid over each other."""
    window.files.open_example("tips_regression")
    _settle(app, window)
    panel = window.training
    assert panel is not None and window.scene is not None
    window.bottom.setCurrentWidget(panel)
    window.resizeDocks([window.bottom_dock], [TRAINING_DOCK_HEIGHT], Qt.Orientation.Vertical)
    panel.forms.setCurrentIndex(1)  # the Settings tab: what the run uses
    _settle(app, window)
    window.view.fit_all()  # type: ignore[union-attr]
    _train(app, window, until_epoch=24)
    _save(window, out, "09_training_live")
    panel.stop()
    _train(app, window)  # let the stopped run finish and be listed

    # Two more learning rates to compare with, then the example's own rate in full, live.
    for rate in (0.001, 0.05, 0.01):
        _set_learning_rate(window, rate)
        _settle(app, window)
        _train(app, window)
    for name in panel.runs.names()[1:3]:
        panel.runs.set_ticked(name, True)
    panel.views.setCurrentWidget(panel.plots)
    panel.forms.setCurrentIndex(0)  # the Data tab, for a change
    _settle(app, window)
    _save(window, out, "10_training_compare_runs")
    _show_evaluation(app, window)
    _save(window, out, "11_training_evaluate_regression")
    _export_shot(app, window, out)
    _strategy_shot(app, window, out)
    window.document.stack.set_clean()  # type: ignore[union-attr]

    window.files.open_example("iris_classifier")
    _settle(app, window)
    window.bottom.setCurrentWidget(window.training)
    window.resizeDocks([window.bottom_dock], [TRAINING_DOCK_HEIGHT], Qt.Orientation.Vertical)
    window.view.fit_all()  # type: ignore[union-attr]
    _train(app, window)
    _show_evaluation(app, window)
    _save(window, out, "12_training_evaluate_classification")
    window.document.stack.set_clean()  # type: ignore[union-attr]


def _strategy_shot(app: QApplication, window: MainWindow, out: Path) -> None:
    """A run under the mirrored strategy: the Strategy setting, the devices line, the runs list's column."""
    panel = window.training
    assert panel is not None
    strategy = panel.settings_form.field("strategy")
    strategy.setCurrentIndex(strategy.findText("mirrored"))
    for name in panel.runs.names()[1:3]:
        panel.runs.set_ticked(name, False)
    panel.views.setCurrentWidget(panel.plots)
    panel.forms.setCurrentIndex(1)  # the Settings tab, where the Strategy is chosen
    _settle(app, window)
    _train(app, window)
    _settle(app, window)
    _save(window, out, "14_training_strategy")


def _export_shot(app: QApplication, window: MainWindow, out: Path) -> None:
    """The Export dialog after a verified SavedModel export of the latest tips run."""
    dialog = window.export()
    assert dialog is not None
    dialog.select_format("savedmodel")
    dialog.destination.setText(str(Path(tempfile.mkdtemp(prefix="netbuilder-export-")) / "tips_savedmodel"))
    call = dialog.start_export()
    assert call is not None
    call.wait()
    deadline = time.monotonic() + 60
    while dialog.is_busy and time.monotonic() < deadline:  # the outcome arrives through the event loop
        app.processEvents()
        time.sleep(0.01)
    _settle(app, window)
    _save(dialog, out, "13_export_dialog")
    dialog.close()


def _show_evaluation(app: QApplication, window: MainWindow) -> None:
    """The Evaluate tab of the last run, once its scores have been computed off the GUI thread."""
    panel = window.training
    assert panel is not None
    deadline = time.monotonic() + 60
    while panel.results.evaluate_view is None and time.monotonic() < deadline:  # created a turn after the run ends
        app.processEvents()
        time.sleep(0.01)
    view = panel.results.evaluate_view
    assert view is not None
    panel.views.setCurrentWidget(view)
    while view.pages.currentIndex() == 0 and time.monotonic() < deadline:  # page 0: nothing scored yet
        app.processEvents()
        time.sleep(0.01)
    _settle(app, window)


def _shortcuts_shot(app: QApplication, window: MainWindow, out: Path) -> None:
    """Help ▸ Keyboard Shortcuts, every action and gesture listed."""
    dialog = window.help.show_shortcuts()
    dialog.resize(800, 760)
    _settle(app, window)
    _save(dialog, out, "15_keyboard_shortcuts")
    dialog.close()


def _unfinished_and_error_shot(app: QApplication, window: MainWindow, out: Path) -> None:
    """A graph being drawn: unfinished cards (dashed, grey) beside one real error (red)."""
    window.files.new()
    doc, edits = window.document, window.edits
    assert doc is not None and edits is not None and window.view is not None
    placed = {}
    for name, layer, x, y, config in [
        ("image", "Input", 130, 0, {"shape": [28, 28, 1]}),
        ("flat", "Flatten", 130, 130, {}),
        ("rows", "Reshape", 0, 270, {"target_shape": [5, 100]}),
        ("hidden", "Dense", 260, 270, {"units": 64, "activation": "relu"}),
        ("extra", "Input", 520, 270, {"shape": [10]}),
        ("join", "Concatenate", 260, 410, {}),
    ]:
        node_id = edits.add_layer(layer, None, QPointF(x, y))
        assert node_id is not None
        doc.push(SetConfig(doc.graph, node_id, {**doc.graph.node(node_id).config, **config, "name": name}))
        placed[name] = node_id
    for source, target in (("image", "flat"), ("flat", "rows"), ("flat", "hidden"), ("hidden", "join")):
        doc.push(Connect(doc.graph, Edge(placed[source], placed[target])))
    assert window.scene is not None
    window.scene.clearSelection()  # a selected card is drawn blue, which would hide its grey outline
    window.bottom.setCurrentIndex(0)
    _settle(app, window)
    window.view.fit_all()
    _settle(app, window)
    _save(window, out, "16_unfinished_and_error")
    doc.stack.set_clean()


def _card_menu_shot(app: QApplication, window: MainWindow, out: Path) -> None:
    """A right-click on a card: its menu, open over the canvas."""
    window.files.open_example("wide_and_deep")
    _settle(app, window)
    assert window.view is not None and window.scene is not None
    at = window.scene.nodes["h1"].centre()
    click = window.view.viewport().mapToGlobal(window.view.mapFromScene(at))
    menu = window.menus.open(at, click)
    assert menu is not None
    menu.setActiveAction(menu.actions()[0])  # the pointer on the first entry, as just after the click
    _settle(app, window)
    # The menu is a window of its own: paint it onto the main window's picture at the click
    # (not at menu.pos(): the headless screen is smaller than the window and pushes it aside).
    shot = window.grab()
    painter = QPainter(shot)
    painter.drawPixmap(window.mapFromGlobal(click), menu.grab())
    painter.end()
    path = out / "17_card_context_menu.png"
    shot.save(str(path))
    print(f"wrote {path}")
    menu.hide()


def _inserted_on_wire_shot(app: QApplication, window: MainWindow, out: Path) -> None:
    """A Dropout dropped on the wire wide → cat: inserted between them, checked and selected."""
    window.files.open_example("wide_and_deep")
    _settle(app, window)
    assert window.view is not None and window.scene is not None and window.document is not None
    edge = Edge("wide", "cat", 0, 0)
    window.gestures.insert_on_wire("Dropout", None, edge, QPointF(100, 150))  # where the drop lands, on the wire
    assert any(n.layer == "Dropout" for n in window.document.graph.nodes)
    _settle(app, window)  # checked first, so the summary shown next has the new layer's shape
    window.bottom.setCurrentIndex(1)
    window.view.fit_all()
    _settle(app, window)
    _save(window, out, "18_layer_inserted_on_wire")
    window.document.stack.set_clean()


def _refuse(app: QApplication, window: MainWindow, edge: Edge) -> None:
    """Drop a wire the way the canvas does, so the refusal shows where it was dropped."""
    assert window.document is not None and window.scene is not None and window.view is not None
    window.document.flush_check()
    window.view.fit_all()
    _settle(app, window)
    at = window.scene.port_position(edge.target, True, edge.target_port) or QPointF()
    window.scene.drag.start(window.scene.nodes[edge.source].outputs[edge.source_port], at)
    window.scene.drag.move(at)
    window.scene.drag.finish(at)
    window.scene.select_nodes([edge.target])
    window.bottom.setCurrentIndex(0)
    _settle(app, window)


def _towers_project(towers: int, depth: int) -> Project:
    """`towers` chains of `depth` layers (Dense, BatchNormalization, Activation, Dropout, over and over)
    from one Input into one Concatenate; left unplaced, so opening it lays it out."""
    graph = Graph()
    graph.add_node(Node("input", "Input", {"shape": [32]}))
    cycle = (("Dense", {"units": 32}), ("BatchNormalization", {}), ("Activation", {"activation": "relu"}),
             ("Dropout", {"rate": 0.1}))
    for tower in range(towers):
        previous = "input"
        for step in range(depth):
            layer, config = cycle[step % len(cycle)]
            graph.add_node(Node(f"t{tower}_{step}", layer, dict(config)))
            graph.add_edge(Edge(previous, f"t{tower}_{step}"))
            previous = f"t{tower}_{step}"
    graph.add_node(Node("concat", "Concatenate", {}))
    for tower in range(towers):
        graph.add_edge(Edge(f"t{tower}_{depth - 1}", "concat", 0, tower))
    return Project(name=f"towers_{towers * depth}", graph=graph)


def _big_graph_shot(app: QApplication, window: MainWindow, out: Path) -> None:
    """10,000 layers fitted to the window: checked off the GUI thread, drawn far out by the overview."""
    project = _towers_project(towers=40, depth=250)
    window.show_project(project)
    deadline = time.monotonic() + 900
    # The project shown before stays until the big one's first check is done off the GUI thread.
    while window.document is None or window.document.project is not project or window.scene is None \
            or window.scene.is_loading:
        if time.monotonic() > deadline:
            raise TimeoutError("the 10,000-layer project did not open in 15 minutes")
        app.processEvents()
        time.sleep(0.01)
    assert window.view is not None and window.document is not None
    window.view.fit_all()
    _settle(app, window)
    _save(window, out, "19_big_graph_10000_layers")
    window.document.stack.set_clean()
