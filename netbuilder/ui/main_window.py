"""The main window: palette, canvas, inspector, messages and summary around one open project.

The window owns the long-lived parts (palette, inspector, actions, recent files,
the background TensorFlow import) and swaps the per-project parts (document,
scene, view, edit controller, autosaver, the Messages, Model summary and
Training panels) when a project is opened or closed; the old ones are deleted.
With no project it shows the start page. What it does with them lives beside
it: `project_parts` makes and unmakes a project's parts, `canvas_gestures`
answers the canvas, `training_tab` adds the Training tab and drives the Run
menu, `action_state` the other menus, `help_windows` the Help menu's windows.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import shiboken6
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QAction, QCloseEvent
from PySide6.QtWidgets import (
    QDialog, QDockWidget, QLabel, QMainWindow, QStackedWidget, QTabWidget, QToolBar, QVBoxLayout, QWidget,
)

from netbuilder.catalog import Catalog
from netbuilder.graph import Project, SetConfig
from netbuilder.ui.action_state import follow_document
from netbuilder.ui.actions import build_actions, submenu
from netbuilder.ui.activation_view import ActivationPreviews, SampleDialog
from netbuilder.ui.augmentation_preview import AugmentationPreview
from netbuilder.ui.breadcrumb import Breadcrumb
from netbuilder.ui.canvas.cost_badge import CostBadges
from netbuilder.ui.canvas.scene import GraphScene
from netbuilder.ui.canvas_gestures import CanvasGestures
from netbuilder.ui.canvas.view import GraphView
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.context_menus import CanvasMenus
from netbuilder.ui.deploy_target import DeployTarget
from netbuilder.ui.cost_panel import CostPanel
from netbuilder.ui.editing import EditController
from netbuilder.ui.file_ops import FileOps
from netbuilder.ui.help_windows import HelpWindows
from netbuilder.ui.inspector import InspectorPanel
from netbuilder.ui.keras_loader import KerasLoader
from netbuilder.ui.messages_panel import MessagesPanel
from netbuilder.ui.palette import PaletteWidget
from netbuilder.ui.panel_toggles import PanelToggles
from netbuilder.ui.project_loading import LoadProgress, check_off_thread, is_big
from netbuilder.ui.project_parts import drop_project_parts, make_project_parts
from netbuilder.ui.quick_add import QuickAddPopup
from netbuilder.ui.recent_files import RecentFiles
from netbuilder.ui.recovery import Autosaver
from netbuilder.ui.start_page import StartPage
from netbuilder.ui.status_line import StatusLine
from netbuilder.ui.summary_panel import SummaryPanel
from netbuilder.ui.training_tab import TrainingTab
from netbuilder.ui.worker import BackgroundCall

# Imported where first used, not at launch: nothing of them shows in the first window.
if TYPE_CHECKING:
    from netbuilder.ui.export_dialog import ExportDialog
    from netbuilder.ui.training.panel import TrainingPanel

APP_NAME = "netbuilder"
BADGES_SETTING = "view/cost_badges"


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
        self.resize(1400, 860)

        self._start_page: StartPage | None = None
        self.editor_page = QWidget()
        self.editor_layout = QVBoxLayout(self.editor_page)  # the breadcrumb, then the open project's canvas
        self.editor_layout.setContentsMargins(0, 0, 0, 0)
        self.editor_layout.setSpacing(0)
        self.breadcrumb = Breadcrumb(lambda: self.set_scope(""))
        self.editor_layout.addWidget(self.breadcrumb)
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
        self.palette_dock = self._dock("Layers", self.palette, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.inspector_dock = self._dock("Inspector", self.inspector, Qt.DockWidgetArea.RightDockWidgetArea)
        self.bottom_dock = self._dock("Messages", self.bottom, Qt.DockWidgetArea.BottomDockWidgetArea)
        self.resizeDocks([self.palette_dock, self.inspector_dock], [250, 330], Qt.Orientation.Horizontal)
        self.resizeDocks([self.bottom_dock], [190], Qt.Orientation.Vertical)
        self.quick_add = QuickAddPopup(catalog, self)
        self.menus = CanvasMenus(self)
        self.gestures = CanvasGestures(self)
        self.training_tab = TrainingTab(self)
        self.help = HelpWindows(self)

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
        self.status_line = StatusLine(self.statusBar())
        self.status_text = self.status_line.message  # what the status bar says now, read by the tests
        self.keras_label = QLabel("TensorFlow is loading…")
        self.zoom_label = QLabel()
        self.statusBar().addPermanentWidget(self.zoom_label)
        self.statusBar().addPermanentWidget(self.keras_label)
        self.load_bar = LoadProgress()
        self.statusBar().addPermanentWidget(self.load_bar)
        self._opening: BackgroundCall | None = None  # a big project's first check, running

        self.palette.layer_activated.connect(self.gestures.add_at_centre)
        self.inspector.config_edited.connect(self._config_edited)
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

    def _handlers(self) -> dict[str, object]:
        f, e, g, h = self.files, self._edit, self.gestures, self.help
        return {
            "new": f.new, "open": f.open, "import": f.import_model, "export": self.export, "save": f.save, "save_as": f.save_as,
            "close": f.close_project, "quit": self.close,
            "undo": lambda: self._step_history("undo"), "redo": lambda: self._step_history("redo"),
            "cut": e("cut"), "copy": e("copy"), "paste": g.paste, "duplicate": e("duplicate"),
            "delete": e("delete_selection"), "select_all": e("select_all"),
            "quick_add": lambda: self.view and g.request_quick_add(self.view.pointer_scene_pos()),
            "find_layer": g.find_layer,
            "fit": lambda: self.view and self.view.fit_all(),
            "zoom_in": lambda: self.view and self.view.set_zoom(self.view.zoom * 1.25),
            "zoom_out": lambda: self.view and self.view.set_zoom(self.view.zoom / 1.25),
            "zoom_reset": lambda: self.view and self.view.set_zoom(1.0),
            "arrange": g.arrange, "group": g.group, "ungroup": g.ungroup,
            "open_submodel": g.open_selected_submodel, "back_to_main": lambda: self.set_scope(""),
            "preprocessing": g.toggle_preprocessing,
            "check": lambda: self.document and self.document.run_check(),
            "activations": lambda: self.previews.set_enabled(self.actions["activations"].isChecked()),
            "activation_sample": self._pick_activation_sample, "augmentation": self.show_augmentation,
            "train": self.train, "pause": lambda: self.training and self.training.toggle_pause(),
            "stop": lambda: self.training and self.training.stop(),
            "getting_started": h.show_getting_started, "shortcuts": h.show_shortcuts, "about": h.show_about,
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
            page.help_requested.connect(self.help.show_getting_started)
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
        drop_project_parts(self)
        self.panels.set_editor_shown(project is not None)  # the start page has the window to itself
        if project is None:
            if self._start_page_wanted:
                self.show_start_page()
            self.inspector.show_node(None)
            self.palette.set_submodels([])
            self.update_window()
            self.status_line.show_verdict(None)
            return
        make_project_parts(self, project, modified, checker)

    def update_window(self) -> None:
        """The title, menus, palette and breadcrumb follow the open project (after any change to it)."""
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
            self.breadcrumb.show_scope(doc.display_name, doc.scope)
        present = follow_document(self.actions, doc)
        if self.training is not None:
            self.training.data_form.show_preprocessing(present)
        self.palette_dock.setEnabled(has)
        self.training_tab.update_run_actions()
        self.zoom_label.setText(f"{self.view.zoom:.0%}" if self.view is not None else "")

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

    def checked(self) -> None:
        """After the document's check: the inspector, the Run menu and the status line follow its verdict."""
        self.update_selection()
        self.training_tab.update_run_actions()
        self.status_line.show_verdict(self.document)

    def update_selection(self) -> None:
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

    # -- edits from the inspector --------------------------------------------------------
    def _config_edited(self, node_id: str, config: dict) -> None:
        if self.document is not None and node_id in self.document.graph:
            self.document.push(SetConfig(self.document.graph, node_id, config))

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
