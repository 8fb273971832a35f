"""The main window: palette, canvas, inspector, messages and summary around one open project.

The window owns the long-lived parts (palette, inspector, actions, recent files,
the background TensorFlow import) and swaps the per-project parts (document,
scene, view, edit controller, autosaver, the Messages, Model summary and
Training panels) when a project is opened or closed; the old ones are deleted.
With no project it shows the start page.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QDialog, QDockWidget, QHBoxLayout, QLabel, QMainWindow, QStackedWidget, QTabWidget, QToolBar, QToolButton,
    QVBoxLayout, QWidget,
)

from netbuilder.catalog import Catalog
from netbuilder.graph import SUBMODEL_LAYER, Edge, Project, SetConfig
from netbuilder.graph.preprocessing_block import block_node
from netbuilder.graph.validation import Verdict
from netbuilder.ui.actions import build_actions, submenu
from netbuilder.ui.activation_view import ActivationPreviews, SampleDialog
from netbuilder.ui.augmentation_preview import AugmentationPreview
from netbuilder.ui.canvas.cost_badge import CostBadges
from netbuilder.ui.canvas.hit import wire_at
from netbuilder.ui.canvas.scene import GraphScene
from netbuilder.ui.canvas.view import GraphView
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.context_menus import CanvasMenus
from netbuilder.ui.deploy_target import DeployTarget
from netbuilder.ui.cost_panel import CostPanel
from netbuilder.ui.cost_watch import CostWatch
from netbuilder.ui.editing import EditController
from netbuilder.ui.file_ops import FileOps
from netbuilder.ui.inspector import InspectorPanel
from netbuilder.ui.keras_loader import KerasLoader
from netbuilder.ui.messages_panel import MessagesPanel
from netbuilder.ui.palette import PaletteWidget
from netbuilder.ui.panel_toggles import PanelToggles
from netbuilder.ui.project_loading import LoadProgress, check_off_thread, is_big, release_frozen
from netbuilder.ui.quick_add import QuickAddPopup
from netbuilder.ui.recent_files import RecentFiles
from netbuilder.ui.recovery import Autosaver
from netbuilder.ui.start_page import StartPage
from netbuilder.ui.status_line import TRAINING, StatusLine
from netbuilder.ui.summary_panel import SummaryPanel
from netbuilder.ui.worker import BackgroundCall

# Imported where first used, not at launch: nothing of them shows in the first window.
if TYPE_CHECKING:
    from netbuilder.ui.export_dialog import ExportDialog
    from netbuilder.ui.training.panel import TrainingPanel

APP_NAME = "netbuilder"
# The Training tab's module pulls in pyqtgraph, numpy and the dataset readers: half a second.
TRAINING_PANEL_MODULE = "netbuilder.ui.training.panel"
RELEASE_AFTER_MS = 1000  # after closing a big project: its deferred deletions are done by then
BADGES_SETTING = "view/cost_badges"
TRAINING_DOCK_HEIGHT = 330  # the bottom dock grows to this when the Training tab shows, so plots can be read


class MainWindow(QMainWindow):
    """One window, at most one project open in it."""

    def __init__(self, catalog: Catalog, loader: KerasLoader, settings: QSettings | None = None,
                 start_page: bool = True) -> None:
        """`start_page=False` when a project is about to be opened: the start page is then made when first shown."""
        super().__init__()
        self.catalog = catalog
        self.loader = loader
        self.settings = settings if settings is not None else QSettings("netbuilder", "netbuilder")
        self.recent = RecentFiles(self.settings)
        self.document: EditorDocument | None = None
        self.scene: GraphScene | None = None
        self.view: GraphView | None = None
        self.edits: EditController | None = None
        self.autosaver: Autosaver | None = None
        self.export_dialog: ExportDialog | None = None
        # Where quick-add puts its layer: (scene position, output port to wire from, wire to insert into).
        self._quick_add_target: tuple[QPointF, tuple[str, int] | None, Edge | None] = (QPointF(), None, None)
        self.resize(1400, 860)

        self._start_page: StartPage | None = None
        self.editor_page = QWidget()
        self._editor_layout = QVBoxLayout(self.editor_page)
        self._editor_layout.setContentsMargins(0, 0, 0, 0)
        self._editor_layout.setSpacing(0)
        self.breadcrumb = self._make_breadcrumb()
        self._editor_layout.addWidget(self.breadcrumb)
        self.pages = QStackedWidget()
        self.pages.addWidget(self.editor_page)
        self.setCentralWidget(self.pages)

        self.palette = PaletteWidget(catalog)
        self.inspector = InspectorPanel(catalog)
        self.messages: MessagesPanel | None = None
        self.summary: SummaryPanel | None = None
        self.cost_panel: CostPanel | None = None  # the Model summary tab: the summary with costs and chart
        self.cost_badges: CostBadges | None = None
        self.training: TrainingPanel | None = None
        self.bottom = QTabWidget()
        self.bottom.currentChanged.connect(self._bottom_tab_changed)
        self.palette_dock = self._dock("Layers", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea)
        self.bottom_dock = self._dock("Messages", self.bottom, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.palette_dock, self.inspector_dock], [250, 330], Qt.Orientation.Horizontal)
        self.resizeDocks([self.bottom_dock], [190], Qt.Orientation.Vertical)
        self.quick_add = QuickAddPopup(catalog, self)
        self.menus = CanvasMenus(self)

        self.files = FileOps(self)
        self.actions = build_actions(self, self._handlers())
        self.panels = PanelToggles(self, submenu(self.actions, "view_menu"), [
            ("&Layers", self.palette_dock), ("&Inspector", self.inspector_dock),
            ("&Messages, Summary and Training", self.bottom_dock),
            ("&Toolbar", self.findChild(QToolBar, "main_toolbar")),
        ])
        self.badges_action = QAction("Cost &Badges on Cards", self, checkable=True,
                                     checked=bool(self.settings.value(BADGES_SETTING, False, type=bool)))
        self.badges_action.setStatusTip("Show on each card its MACs and parameters; the heaviest are marked")
        self.badges_action.toggled.connect(self._set_cost_badges)
        submenu(self.actions, "view_menu").addAction(self.badges_action)
        self.deploy = DeployTarget(self, submenu(self.actions, "view_menu"), loader)  # View ▸ Deployment Target
        self.previews = ActivationPreviews(self)
        self.augmentation: AugmentationPreview | None = None
        self.previews.failed.connect(self.show_status)
        self.actions["activations"].setCheckable(True)  # off by default: each refresh runs the model
        self.help_windows: dict[str, QDialog] = {}
        self.status_line = StatusLine(self.statusBar())
        self.status_text = self.status_line.message  # what the status bar says now, read by the tests
        self.keras_label = QLabel("TensorFlow is loading…")
        self.zoom_label = QLabel()
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.statusBar().addPermanentWidget(self.keras_label)
        self.load_bar = LoadProgress()
        self.statusBar().addPermanentWidget(self.load_bar)
        self._opening: BackgroundCall | None = None  # a big project's first check, running

        self.palette.layer_activated.connect(self._add_at_centre)
        self.inspector.config_edited.connect(self._config_edited)
        self.quick_add.chosen.connect(self._quick_add_chosen)
        loader.ready.connect(self._keras_ready)
        loader.failed.connect(lambda message: self.keras_label.setText("⚠ TensorFlow failed to load"))
        if loader.loaded:
            self._keras_ready()
        self.files.refresh_menus()
        self.recent.changed.connect(self.files.refresh_menus)
        self._start_page_wanted = start_page
        self.show_project(None)  # the state with no project: actions, panels and status to match
        self._start_page_wanted = True

    # -- building blocks -----------------------------------------------------------
    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(title.lower())
        dock.setWidget(widget)
        dock.setFeatures(QDockWidget.DockWidgetFeature.DockWidgetMovable | QDockWidget.DockWidgetFeature.DockWidgetClosable)
        self.addDockWidget(area, dock)
        return dock

    def _make_breadcrumb(self) -> QWidget:
        bar = QWidget()
        bar.setObjectName("breadcrumb")
        bar.setStyleSheet("#breadcrumb { background: #eef1f5; border-bottom: 1px solid #d0d5dc; }")
        row = QHBoxLayout(bar)
        row.setContentsMargins(8, 3, 8, 3)
        self.back_button = QToolButton()
        self.back_button.setText("◀ Main graph")
        self.back_button.clicked.connect(lambda: self.set_scope(""))
        self.scope_label = QLabel()
        row.addWidget(self.back_button)
        row.addWidget(self.scope_label, 1)
        return bar

    def _handlers(self) -> dict[str, object]:
        f, e = self.files, self._edit
        return {
            "new": f.new, "open": f.open, "import": f.import_model, "export": self.export, "save": f.save, "save_as": f.save_as,
            "close": f.close_project, "quit": self.close,
            "undo": lambda: self._step_history("undo"), "redo": lambda: self._step_history("redo"),
            "cut": e("cut"), "copy": e("copy"), "paste": self._paste, "duplicate": e("duplicate"),
            "delete": e("delete_selection"), "select_all": e("select_all"),
            "quick_add": lambda: self.view and self.request_quick_add(self.view.pointer_scene_pos()),
            "find_layer": self._find_layer,
            "fit": lambda: self.view and self.view.fit_all(),
            "zoom_in": lambda: self.view and self.view.set_zoom(self.view.zoom * 1.25),
            "zoom_out": lambda: self.view and self.view.set_zoom(self.view.zoom / 1.25),
            "zoom_reset": lambda: self.view and self.view.set_zoom(1.0),
            "arrange": self._arrange, "group": self._group, "ungroup": self._ungroup,
            "open_submodel": self._open_selected_submodel, "back_to_main": lambda: self.set_scope(""),
            "preprocessing": self._toggle_preprocessing,
            "check": lambda: self.document and self.document.run_check(),
            "activations": lambda: self.previews.set_enabled(self.actions["activations"].isChecked()),
            "activation_sample": self._pick_activation_sample, "augmentation": self.show_augmentation,
            "train": self.train, "pause": lambda: self.training and self.training.toggle_pause(),
            "stop": lambda: self.training and self.training.stop(),
            "getting_started": self.show_getting_started, "shortcuts": self.show_shortcuts, "about": self.show_about,
        }

    def _edit(self, name: str) -> object:
        return lambda: self.edits and getattr(self.edits, name)()

    def _step_history(self, direction: str) -> None:
        """Undo or redo; what the status line said was about the state being left."""
        if self.document is not None:
            self.show_status("")
            getattr(self.document, direction)()

    # -- the project shown -----------------------------------------------------------
    @property
    def start_page(self) -> StartPage:
        """The start page, made when first needed: a launch straight into a project shows it only on Close."""
        if self._start_page is None:
            page = self._start_page = StartPage(self.recent)
            self.pages.insertWidget(0, page)
            page.new_requested.connect(self.files.new)
            page.open_requested.connect(self.files.open)
            page.open_path.connect(self.files.open_path)
            page.import_requested.connect(self.files.import_model)
            page.help_requested.connect(self.show_getting_started)
            self.files.offer_recovery()
        return self._start_page

    def show_start_page(self) -> None:
        self.pages.setCurrentWidget(self.start_page)

    def show_project(self, project: Project | None, modified: bool = False, checker: object = None) -> None:
        """Replace whatever is open by `project` (the caller has asked about unsaved work).

        A big project is shown once its first shape check has run off the GUI thread.
        """
        self._opening = None  # this request wins over a big project still being checked
        if project is not None and checker is None and self.loader.loaded and is_big(project):
            call = self._opening = check_off_thread(self, project, self.catalog, lambda warm: (
                self._opening is call and self._show_now(project, modified, warm)))
            return
        self._show_now(project, modified, checker)

    def _show_now(self, project: Project | None, modified: bool, checker: object) -> None:
        self._opening = None
        if self.training is not None:
            self.training.shutdown()  # a run must not outlive its project
            self.training.deleteLater()
            self.training = None
        if self.autosaver is not None:
            self.autosaver.discard()
            self.autosaver = None
        if self.scene is not None:
            self.scene.selectionChanged.disconnect()
            self.scene.detach()
            self.scene.deleteLater()
        if self.document is not None:
            for signal in (self.document.changed, self.document.checked, self.document.scope_changed):
                signal.disconnect()
            self.document.deleteLater()
            if is_big(self.document.project):  # once it and everything showing it are deleted
                QTimer.singleShot(RELEASE_AFTER_MS, release_frozen)
        if self.view is not None:
            self._editor_layout.removeWidget(self.view)
            self.view.hide()  # deleteLater waits for the event loop; don't show it meanwhile
            self.view.deleteLater()
        for panel in (self.messages, self.summary, self.cost_panel):
            if panel is not None:  # each project gets panels of its own; the old ones must go with it
                panel.deleteLater()
        self.document = self.scene = self.view = self.edits = self.messages = self.summary = None
        self.previews.follow(None, None)
        if self.augmentation is not None:  # it shows the project being closed
            self.augmentation.close()
            self.augmentation.deleteLater()
            self.augmentation = None
        self.cost_panel = self.cost_badges = None
        self.bottom.clear()
        self.show_status("")
        self.deploy.follow(None, None)
        self.panels.set_editor_shown(project is not None)  # the start page has the window to itself
        if project is None:
            if self._start_page_wanted:
                self.show_start_page()
            self.inspector.show_node(None)
            self.palette.set_submodels([])
            self._update_window()
            self.status_line.show_verdict(None)
            return
        doc = EditorDocument(project, self.catalog, checker=checker)  # type: ignore[arg-type]
        if modified:
            doc.stack.mark_unsaved()  # recovered work: not saved anywhere yet
        self.document = doc
        self.scene = GraphScene(doc)
        self.load_bar.follow(self.scene)
        self.view = GraphView(self.scene)
        self.edits = EditController(doc, self.scene, self)
        self._editor_layout.addWidget(self.view, 1)
        self.messages = MessagesPanel(doc)
        self.summary = SummaryPanel(doc)
        self.bottom.addTab(self.messages, "Messages")
        costs = CostWatch(doc, doc)
        self.cost_panel = CostPanel(self.summary, costs)
        self.bottom.addTab(self.cost_panel, "Model summary")
        self.cost_badges = CostBadges(self.scene, costs)
        if self.isVisible() or TRAINING_PANEL_MODULE in sys.modules:
            self._add_training_panel(doc)
        else:  # launching: the window first; the Training tab, not on show yet, once imported off the GUI thread
            QTimer.singleShot(0, lambda: self._import_training_panel(doc))
        doc.changed.connect(self._update_window)
        doc.changed.connect(lambda: self.status_line.forget_gone_nodes(doc.project))
        doc.checked.connect(self._checked)
        doc.scope_changed.connect(lambda _: self._update_window())
        self.scene.selectionChanged.connect(self._update_selection)
        self.scene.connection_refused.connect(self._connection_refused)
        self.scene.wire_dropped_on_empty.connect(self._wire_dropped_on_empty)
        self.scene.hint.connect(self.show_status)
        self.scene.node_activated.connect(self._node_activated)
        self.view.layer_dropped.connect(lambda layer, sub, pos: self.edits and self.edits.add_layer(layer, sub, pos))
        self.view.quick_add_requested.connect(self.request_quick_add)
        self.view.layer_dropped_on_wire.connect(self.insert_on_wire)
        self.view.context_menu_requested.connect(self.menus.open)
        self.view.zoom_changed.connect(lambda zoom: self.zoom_label.setText(f"{zoom:.0%}"))
        self.messages.problem_activated.connect(self.reveal_node)
        self.deploy.follow(doc, self.scene)
        self.cost_panel.node_clicked.connect(lambda node_id: self.reveal_node("", node_id))
        self.cost_badges.set_shown(self.badges_action.isChecked())
        self.previews.follow(doc, self.scene)
        if self.loader.loaded:
            doc.attach_keras()
        self.autosaver = Autosaver(doc)
        self.pages.setCurrentWidget(self.editor_page)
        self._update_window()
        self._checked()
        self.view.fit_all()
        self.view.setFocus()

    def _import_training_panel(self, doc: EditorDocument) -> None:
        call = BackgroundCall(lambda: importlib.import_module(TRAINING_PANEL_MODULE), self).start()
        call.done.connect(lambda _: self.document is doc and self.training is None and self._add_training_panel(doc))
        call.failed.connect(lambda _: self.document is doc and self.training is None and self._add_training_panel(doc))

    def _add_training_panel(self, doc: EditorDocument) -> None:
        from netbuilder.ui.training.panel import TrainingPanel

        self.training = TrainingPanel(doc)
        self.bottom.addTab(self.training, "Training")
        self.training.state_changed.connect(self._run_state_changed)
        self.training.status.connect(lambda text: self.show_status(text, source=TRAINING))
        self.training.epoch_ended.connect(self.previews.epoch_ended)
        self.training.data_form.preprocessing_requested.connect(self._toggle_preprocessing)
        self.training.data_form.show_preprocessing(block_node(doc.project.graph) is not None)
        self._update_run_actions()

    def _update_window(self) -> None:
        doc = self.document
        has = doc is not None
        if doc is None:
            self.setWindowTitle(APP_NAME)
            self.setWindowModified(False)
        else:
            where = f" ▸ {doc.scope}" if doc.scope else ""
            self.setWindowTitle(f"{doc.display_name}{where}[*] — {APP_NAME}")
            self.setWindowModified(doc.is_modified)
            self.palette.set_submodels([n for n in doc.project.submodels if n != doc.scope])
            self.breadcrumb.setVisible(bool(doc.scope))
            self.scope_label.setText(f"  {doc.display_name} ▸ <b>{doc.scope}</b> (sub-model: edits change every node that uses it)")
        for key in ("save", "save_as", "export", "close", "cut", "copy", "paste", "duplicate", "delete", "select_all",
                    "quick_add", "fit", "zoom_in", "zoom_out", "zoom_reset", "arrange", "group", "ungroup",
                    "open_submodel", "preprocessing", "check"):
            self.actions[key].setEnabled(has)
        self.actions["back_to_main"].setEnabled(bool(has and doc.scope))
        undo, redo = self.actions["undo"], self.actions["redo"]
        undo.setEnabled(bool(has and doc.stack.can_undo))
        redo.setEnabled(bool(has and doc.stack.can_redo))
        undo.setText(f"&Undo {doc.stack.undo_text}" if has and doc.stack.can_undo else "&Undo")
        redo.setText(f"&Redo {doc.stack.redo_text}" if has and doc.stack.can_redo else "&Redo")
        present = has and block_node(doc.project.graph) is not None
        self.actions["preprocessing"].setText("Remove &Preprocessing Block" if present else "Add &Preprocessing Block")
        if self.training is not None:
            self.training.data_form.show_preprocessing(present)
        self.palette_dock.setEnabled(has)
        self._update_run_actions()
        self.zoom_label.setText(f"{self.view.zoom:.0%}" if self.view is not None else "")

    def _update_run_actions(self) -> None:
        panel = self.training
        state = panel.controls.state if panel is not None else "idle"
        why = panel.why_not_train() if panel is not None else "Open a project first"
        train = self.actions["train"]
        # Pressable whenever no run is under way: a Train that cannot start says why and how to fix it.
        train.setEnabled(panel is not None and state == "idle")
        train.setToolTip(f"Cannot train yet: {why} (F5)" if why else "Train the model on the project's dataset (F5)")
        self.actions["pause"].setEnabled(state in ("running", "paused"))
        self.actions["pause"].setText("&Resume" if state == "paused" else "&Pause")
        self.actions["stop"].setEnabled(state in ("preparing", "running", "paused"))

    def _run_state_changed(self) -> None:
        if self.training is not None and self.training.controls.state == "preparing":
            self.status_line.forget(TRAINING)  # the last run's outcome is not news once the next one starts
        self._update_run_actions()

    def train(self) -> None:
        """Show the Training tab, with room for its curves, and start a run or say why none starts (Run ▸ Train, F5)."""
        if self.training is not None:
            self.bottom_dock.show()  # a closed dock would hide the run, or the reason it did not start
            self.bottom.setCurrentWidget(self.training)
            wanted = self.training.wanted_height(self.height())
            if self.bottom_dock.height() < wanted:
                self.resizeDocks([self.bottom_dock], [wanted], Qt.Orientation.Vertical)
            self.training.train()

    def export(self) -> ExportDialog | None:
        """Open the Export dialog for the open project (File ▸ Export…, Ctrl+E)."""
        if self.document is None:
            return None
        if self.export_dialog is not None and not self.export_dialog.is_busy:
            self.export_dialog.deleteLater()  # its run list and weights may be out of date
        elif self.export_dialog is not None:
            self.export_dialog.raise_()
            return self.export_dialog
        from netbuilder.ui.export_dialog import ExportDialog

        self.export_dialog = ExportDialog(self.document.project, self.catalog, self.loader, self)
        self.export_dialog.setWindowModality(Qt.WindowModality.WindowModal)  # no edits while the model is read
        self.export_dialog.show()
        return self.export_dialog

    def _bottom_tab_changed(self, index: int) -> None:
        if index >= 0:  # the dock's title names what it shows, not always "Messages"
            self.bottom_dock.setWindowTitle(self.bottom.tabText(index))
        if self.training is not None and self.bottom.widget(index) is self.training \
                and self.bottom_dock.height() < TRAINING_DOCK_HEIGHT:
            self.resizeDocks([self.bottom_dock], [TRAINING_DOCK_HEIGHT], Qt.Orientation.Vertical)

    def show_augmentation(self) -> AugmentationPreview | None:
        """The augmentation grid of the open project (made on first use)."""
        if self.document is None:
            return None
        if self.augmentation is None:
            self.augmentation = AugmentationPreview(self.document, self)
        self.augmentation.show()
        self.augmentation.raise_()
        return self.augmentation

    def _pick_activation_sample(self) -> None:
        dialog = SampleDialog(self.previews.sample, self)
        if dialog.exec() == QDialog.DialogCode.Accepted:
            self.previews.set_sample(dialog.chosen())
            self.actions["activations"].setChecked(True)
            self.previews.set_enabled(True)

    def _set_cost_badges(self, shown: bool) -> None:
        self.settings.setValue(BADGES_SETTING, shown)
        if self.cost_badges is not None:
            self.cost_badges.set_shown(shown)

    def _checked(self) -> None:
        self._update_selection()
        self._update_run_actions()
        self.status_line.show_verdict(self.document)

    def _update_selection(self) -> None:
        doc, scene = self.document, self.scene
        if doc is None or scene is None or not shiboken6.isValid(scene):
            return  # also reached while Qt tears the scene down at exit
        ids = scene.selected_node_ids()
        node = doc.graph.get(ids[0]) if len(ids) == 1 else None
        # Unfinished work shows on the card; the inspector's red list is for what is wrong.
        errors = [p.message for p in doc.scope_problems() if node is not None and p.node_id == node.id and p.is_error]
        self.inspector.show_node(node, errors, list(doc.project.submodels))

    def set_scope(self, scope: str) -> None:
        if self.document is not None and scope != self.document.scope:
            self.document.set_scope(scope)
            if self.view is not None:
                self.view.fit_all()

    def show_status(self, text: str, about: tuple[str, ...] = (), source: str = "") -> None:
        """Say `text` in the status bar until it no longer applies (see StatusLine).

        `about`: ids of nodes on the canvas it is about, so it goes when they are
        deleted; `source` TRAINING: it goes when the next run starts. Undo, redo
        and opening another project clear it too.
        """
        self.status_line.say(text, self.document.scope if self.document is not None else "", about, source)

    def _keras_ready(self) -> None:
        import keras

        self.keras_label.setText(f"Keras {keras.__version__} ready")
        doc = self.document
        if doc is not None and is_big(doc.project) and not (doc.stack.can_undo or doc.stack.can_redo):
            self.show_project(doc.project, doc.is_modified)  # shown again once checked off the GUI thread
        elif doc is not None:
            doc.attach_keras()

    # -- gestures ----------------------------------------------------------------------
    def _add_at_centre(self, layer: str, submodel: str | None) -> None:
        if self.edits is not None and self.view is not None:
            self.edits.add_layer(layer, submodel, self.view.centre_scene_pos())

    def _config_edited(self, node_id: str, config: dict) -> None:
        if self.document is not None and node_id in self.document.graph:
            self.document.push(SetConfig(self.document.graph, node_id, config))

    def request_quick_add(self, at: QPointF, connect_from: tuple[str, int] | None = None,
                          wire: Edge | None = None) -> None:
        """Quick-add at `at`: wired from `connect_from`, or inserted into `wire` (by default the one under `at`)."""
        if self.document is None or self.view is None or self.scene is None:
            return
        if connect_from is None and wire is None:
            under = wire_at(self.scene, at)
            wire = under.edge if under is not None else None
        self._quick_add_target = (at, connect_from, wire)
        global_pos = self.view.viewport().mapToGlobal(self.view.mapFromScene(at))
        prompt = f"Insert layer on {wire.source} → {wire.target}…" if wire is not None else "Add layer…"
        self.quick_add.popup_at(global_pos, [n for n in self.document.project.submodels if n != self.document.scope],
                                prompt)

    def _quick_add_chosen(self, layer: str, submodel: str | None) -> None:
        at, connect_from, wire = self._quick_add_target
        if wire is not None:
            self.insert_on_wire(layer, submodel, wire, at)
        elif self.edits is not None:
            self.edits.add_layer(layer, submodel, at, connect_from)

    def insert_on_wire(self, layer: str, submodel: str | None, edge: Edge, at: QPointF, force: bool = False) -> None:
        """Insert a layer into a wire (a drop or quick-add on it); refused as a drawn wire would be."""
        if self.edits is None or self.view is None:
            return
        refusal = self.edits.insert_on_wire(layer, submodel, edge, at, force)
        if refusal is None:
            return
        message = refusal.verdict.problem or ""
        actions = [("Insert anyway", lambda: self.insert_on_wire(layer, submodel, edge, at, True))] \
            if refusal.verdict.overridable else []
        self.view.show_toast(self.view.mapFromScene(at), refusal.title, message, actions)
        self.show_status(f"{refusal.title}: {message}", about=(edge.source, edge.target))

    def _wire_dropped_on_empty(self, source: str, port: int, at: QPointF) -> None:
        self.request_quick_add(at, (source, port))

    def _connection_refused(self, message: str, at: QPointF, verdict: Verdict, edge: Edge) -> None:
        if self.view is None or self.edits is None:
            return
        edits = self.edits
        actions = []
        if verdict.fix:
            actions.append((f"Insert {verdict.fix}", lambda: edits.connect_through(verdict.fix, edge)))
        if verdict.overridable:
            actions.append(("Connect anyway", lambda: edits.connect_anyway(edge)))
        target = self.document.graph.get(edge.target) if self.document else None
        title = f"Cannot connect to {target.layer} '{target.name}'" if target else "Cannot connect"
        self.view.show_toast(self.view.mapFromScene(at), title, message, actions)
        self.show_status(f"{title}: {message}", about=(edge.source, edge.target))

    def _node_activated(self, node_id: str) -> None:
        if self.document is None:
            return
        node = self.document.graph.get(node_id)
        if node is not None and node.layer == SUBMODEL_LAYER and node.config.get("submodel") in self.document.project.submodels:
            self.set_scope(node.config["submodel"])

    def _open_selected_submodel(self) -> None:
        if self.scene is not None:
            ids = self.scene.selected_node_ids()
            if len(ids) == 1:
                self._node_activated(ids[0])

    def reveal_node(self, scope: str, node_id: str) -> None:
        """Select and centre a node, switching to its sub-model first (from the messages list)."""
        if self.document is None or self.scene is None or self.view is None:
            return
        if scope != self.document.scope and (not scope or scope in self.document.project.submodels):
            self.set_scope(scope)
        item = self.scene.nodes.get(node_id)
        if item is not None:
            self.scene.select_nodes([node_id])
            self.view.centerOn(item.centre())

    def _paste(self) -> None:
        if self.edits is not None:
            problem = self.edits.paste()
            if problem:
                self.show_status(problem)

    def _group(self) -> None:
        if self.edits is not None:
            problem = self.edits.group()
            if problem:
                self._say_at_pointer("Cannot group", problem)

    def _toggle_preprocessing(self) -> None:
        from netbuilder.ui.preprocessing_action import toggle_preprocessing

        if self.document is not None:
            problem = toggle_preprocessing(self.document)
            if problem:
                self.show_status(problem)

    def _ungroup(self) -> None:
        if self.edits is not None:
            problem = self.edits.ungroup()
            if problem:
                self._say_at_pointer("Cannot ungroup", problem)

    def _arrange(self) -> None:
        if self.edits is not None and self.view is not None:
            self.edits.arrange()
            self.view.fit_all()

    def _say_at_pointer(self, title: str, text: str) -> None:
        if self.view is not None:
            self.view.show_toast(self.view.mapFromScene(self.view.pointer_scene_pos()), title, text)
        self.show_status(f"{title}: {text}")

    def _find_layer(self) -> None:
        self.panels.set_shown(self.palette_dock, True)
        self.palette.search.setFocus()
        self.palette.search.selectAll()

    # -- help ------------------------------------------------------------------------
    def show_getting_started(self) -> QDialog:
        from netbuilder.ui.help_dialogs import GettingStartedDialog

        return self._help_window("getting_started", lambda: GettingStartedDialog(self.actions, self))

    def show_shortcuts(self) -> QDialog:
        from netbuilder.ui.help_dialogs import ShortcutsDialog

        return self._help_window("shortcuts", lambda: ShortcutsDialog(self.actions, self))

    def show_about(self) -> QDialog:
        from netbuilder.ui.help_dialogs import AboutDialog

        return self._help_window("about", lambda: AboutDialog(self))

    def _help_window(self, key: str, make: Callable[[], QDialog]) -> QDialog:
        """One window of each kind, kept for next time; never modal, so it can sit beside the work."""
        window = self.help_windows.get(key)
        if window is None:
            window = self.help_windows[key] = make()
        window.show()
        window.raise_()
        window.activateWindow()
        return window

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.files.confirm_discard():
            self.show_project(None)  # discards the autosave and lets go of the scene cleanly
            event.accept()
        else:
            event.ignore()


def open_window(catalog: Catalog, loader: KerasLoader, path: Path | None = None, example: str | None = None,
                settings: QSettings | None = None) -> MainWindow:
    window = MainWindow(catalog, loader, settings, start_page=example is None and path is None)
    if example is not None:
        window.files.open_example(example)
    elif path is not None:
        window.files.open_path(path)
    if window.document is None and not window.files.reading:  # it could not be opened
        window.show_start_page()
    return window
