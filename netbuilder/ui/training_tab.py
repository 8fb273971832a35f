"""The main window's Training tab: made off the launch path, and followed by the Run menu.

The Training panel's module pulls in pyqtgraph, numpy and the dataset readers
(half a second), and nothing of it shows in the first window, so at launch it
is imported on a worker thread and the tab added once that is done. Once
there, the panel's run state drives Run ▸ Train, Pause and Stop, and its
sentences go to the window's status line.
"""

from __future__ import annotations

import importlib
import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, QTimer

from netbuilder.graph.preprocessing_block import block_node
from netbuilder.ui.canvas.health_mark import HealthMarks
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.status_line import TRAINING
from netbuilder.ui.worker import BackgroundCall

if TYPE_CHECKING:
    from netbuilder.ui.main_window import MainWindow

TRAINING_PANEL_MODULE = "netbuilder.ui.training.panel"
TRAINING_DOCK_HEIGHT = 330  # the bottom dock grows to this when the Training tab shows, so plots can be read


class TrainingTab:
    """Adds the open project's Training panel to the window's bottom dock and keeps the Run menu in step with it."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        window.bottom.currentChanged.connect(self._bottom_tab_changed)

    def add_for(self, doc: EditorDocument) -> None:
        """Give `doc` its Training tab: now if the window shows or the module is loaded, else once imported."""
        if self.window.isVisible() or TRAINING_PANEL_MODULE in sys.modules:
            self._add(doc)
        else:  # launching: the window first; the Training tab, not on show yet, once imported off the GUI thread
            QTimer.singleShot(0, lambda: self._import(doc))

    def _import(self, doc: EditorDocument) -> None:
        window = self.window
        call = BackgroundCall(lambda: importlib.import_module(TRAINING_PANEL_MODULE), window).start()
        call.done.connect(lambda _: window.document is doc and window.training is None and self._add(doc))
        call.failed.connect(lambda _: window.document is doc and window.training is None and self._add(doc))

    def _add(self, doc: EditorDocument) -> None:
        from netbuilder.ui.training.panel import TrainingPanel

        window = self.window
        panel = window.training = TrainingPanel(doc)
        window.bottom.addTab(panel, "Training")
        panel.state_changed.connect(self._run_state_changed)
        panel.status.connect(lambda text: window.show_status(text, source=TRAINING))
        panel.epoch_ended.connect(window.previews.epoch_ended)
        if window.scene is not None:  # health warnings go on the cards they name, and lead to them
            marks = HealthMarks(window.scene)
            panel.health.warnings_changed.connect(marks.show)
            panel.health.layer_chosen.connect(lambda layer: self.reveal_layer(marks, layer))
        panel.data_form.preprocessing_requested.connect(window.gestures.toggle_preprocessing)
        panel.data_form.show_preprocessing(block_node(doc.project.graph) is not None)
        self.update_run_actions()

    def reveal_layer(self, marks: HealthMarks, layer: str) -> None:
        """Select and show the card of the layer named `layer` (a health warning was clicked)."""
        node_id = marks.node_of(layer)
        if node_id is not None:
            self.window.gestures.reveal_node("", node_id)

    def update_run_actions(self) -> None:
        """Run ▸ Train, Pause/Resume and Stop as the panel's state allows."""
        panel, actions = self.window.training, self.window.actions
        state = panel.controls.state if panel is not None else "idle"
        why = panel.why_not_train() if panel is not None else "Open a project first"
        train = actions["train"]
        # Pressable whenever no run is under way: a Train that cannot start says why and how to fix it.
        train.setEnabled(panel is not None and state == "idle")
        train.setToolTip(f"Cannot train yet: {why} (F5)" if why else "Train the model on the project's dataset (F5)")
        actions["pause"].setEnabled(state in ("running", "paused"))
        actions["pause"].setText("&Resume" if state == "paused" else "&Pause")
        actions["stop"].setEnabled(state in ("preparing", "running", "paused"))

    def _run_state_changed(self) -> None:
        panel = self.window.training
        if panel is not None and panel.controls.state == "preparing":
            self.window.status_line.forget(TRAINING)  # the last run's outcome is not news once the next one starts
        self.update_run_actions()

    def _bottom_tab_changed(self, index: int) -> None:
        window = self.window
        if index >= 0:  # the dock's title names what it shows, not always "Messages"
            window.bottom_dock.setWindowTitle(window.bottom.tabText(index))
        if window.training is not None and window.bottom.widget(index) is window.training \
                and window.bottom_dock.height() < TRAINING_DOCK_HEIGHT:
            window.resizeDocks([window.bottom_dock], [TRAINING_DOCK_HEIGHT], Qt.Orientation.Vertical)
