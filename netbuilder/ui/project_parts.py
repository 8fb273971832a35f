"""The per-project parts of the main window: made and wired when a project opens, deleted when it closes.

A project gets a document, a scene, a view, an edit controller, an autosaver
and its own Messages, Model summary and Training panels; none of them may
outlive it (a run stopped, the autosave discarded, signals disconnected), so
the window's long-lived parts never see a closed project's events. A big
project's frozen objects are released once Qt has deleted what showed them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer

from netbuilder.graph import Project
from netbuilder.ui.canvas.cost_badge import CostBadges
from netbuilder.ui.canvas.scene import GraphScene
from netbuilder.ui.canvas.view import GraphView
from netbuilder.ui.cost_panel import CostPanel
from netbuilder.ui.cost_watch import CostWatch
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.editing import EditController
from netbuilder.ui.messages_panel import MessagesPanel
from netbuilder.ui.project_loading import is_big, release_frozen
from netbuilder.ui.recovery import Autosaver
from netbuilder.ui.summary_panel import SummaryPanel

if TYPE_CHECKING:
    from netbuilder.ui.main_window import MainWindow

RELEASE_AFTER_MS = 1000  # after closing a big project: its deferred deletions are done by then


def drop_project_parts(window: MainWindow) -> None:
    """Stop, disconnect and delete the open project's parts; the window shows no project afterwards."""
    if window.training is not None:
        window.training.shutdown()  # a run must not outlive its project
        window.training.deleteLater()
        window.training = None
    if window.autosaver is not None:
        window.autosaver.discard()
        window.autosaver = None
    if window.scene is not None:
        window.scene.selectionChanged.disconnect()
        window.scene.detach()
        window.scene.deleteLater()
    if window.document is not None:
        for signal in (window.document.changed, window.document.checked, window.document.scope_changed):
            signal.disconnect()
        window.document.deleteLater()
        if is_big(window.document.project):  # once it and everything showing it are deleted
            QTimer.singleShot(RELEASE_AFTER_MS, release_frozen)
    if window.view is not None:
        window.editor_layout.removeWidget(window.view)
        window.view.hide()  # deleteLater waits for the event loop; don't show it meanwhile
        window.view.deleteLater()
    for panel in (window.messages, window.summary, window.cost_panel):
        if panel is not None:  # each project gets panels of its own; the old ones must go with it
            panel.deleteLater()
    window.document = window.scene = window.view = window.edits = window.messages = window.summary = None
    window.previews.follow(None, None)
    if window.augmentation is not None:  # it shows the project being closed
        window.augmentation.close()
        window.augmentation.deleteLater()
        window.augmentation = None
    window.cost_panel = window.cost_badges = None
    window.bottom.clear()
    window.show_status("")
    window.deploy.follow(None, None)


def make_project_parts(window: MainWindow, project: Project, modified: bool, checker: object) -> None:
    """Make `project`'s document, canvas and panels, wire them to the window and show them."""
    doc = EditorDocument(project, window.catalog, checker=checker)  # type: ignore[arg-type]
    if modified:
        doc.stack.mark_unsaved()  # recovered work: not saved anywhere yet
    window.document = doc
    scene = window.scene = GraphScene(doc)
    window.load_bar.follow(scene)
    view = window.view = GraphView(scene)
    window.edits = EditController(doc, scene, window)
    window.editor_layout.addWidget(view, 1)
    window.messages = MessagesPanel(doc)
    window.summary = SummaryPanel(doc)
    window.bottom.addTab(window.messages, "Messages")
    costs = CostWatch(doc, doc)
    window.cost_panel = CostPanel(window.summary, costs)
    window.bottom.addTab(window.cost_panel, "Model summary")
    window.cost_badges = CostBadges(scene, costs)
    window.training_tab.add_for(doc)
    gestures = window.gestures
    doc.changed.connect(window.update_window)
    doc.changed.connect(lambda: window.status_line.forget_gone_nodes(doc.project))
    doc.checked.connect(window.checked)
    doc.scope_changed.connect(lambda _: window.update_window())
    scene.selectionChanged.connect(window.update_selection)
    scene.connection_refused.connect(gestures.connection_refused)
    scene.wire_dropped_on_empty.connect(gestures.wire_dropped_on_empty)
    scene.hint.connect(window.show_status)
    scene.node_activated.connect(gestures.node_activated)
    view.layer_dropped.connect(lambda layer, sub, pos: window.edits and window.edits.add_layer(layer, sub, pos))
    view.quick_add_requested.connect(gestures.request_quick_add)
    view.layer_dropped_on_wire.connect(gestures.insert_on_wire)
    view.context_menu_requested.connect(window.menus.open)
    view.zoom_changed.connect(lambda zoom: window.zoom_label.setText(f"{zoom:.0%}"))
    window.messages.problem_activated.connect(gestures.reveal_node)
    window.deploy.follow(doc, scene)
    window.cost_panel.node_clicked.connect(lambda node_id: gestures.reveal_node("", node_id))
    window.cost_badges.set_shown(window.badges_action.isChecked())
    window.previews.follow(doc, scene)
    if window.loader.loaded:
        doc.attach_keras()
    window.autosaver = Autosaver(doc)
    window.pages.setCurrentWidget(window.editor_page)
    window.update_window()
    window.checked()
    view.fit_all()
    view.setFocus()
