"""What the window does with gestures on the canvas: quick-add, drops on wires, refused wires, grouping.

The canvas scene and view only report what the user did (a wire dropped on
empty space, a refused connection, a double-click on a sub-model card); this
object turns each report into an edit through the window's `EditController`,
or, when the edit is refused, into a toast where the user is looking and a
status line that names the layers involved. Kept apart from the window so the
window only builds and swaps the parts of a project.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPointF

from netbuilder.graph import SUBMODEL_LAYER, Edge
from netbuilder.graph.validation import Verdict
from netbuilder.ui.canvas.hit import wire_at

if TYPE_CHECKING:
    from netbuilder.ui.main_window import MainWindow


class CanvasGestures:
    """The window's answers to canvas gestures, and the Edit and View menu entries aimed at the canvas."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        # Where quick-add puts its layer: (scene position, output port to wire from, wire to insert into).
        self._quick_add_target: tuple[QPointF, tuple[str, int] | None, Edge | None] = (QPointF(), None, None)
        window.quick_add.chosen.connect(self._quick_add_chosen)

    def add_at_centre(self, layer: str, submodel: str | None) -> None:
        """A layer activated in the palette: added in the middle of what the canvas shows."""
        window = self.window
        if window.edits is not None and window.view is not None:
            window.edits.add_layer(layer, submodel, window.view.centre_scene_pos())

    def request_quick_add(self, at: QPointF, connect_from: tuple[str, int] | None = None,
                          wire: Edge | None = None) -> None:
        """Quick-add at `at`: wired from `connect_from`, or inserted into `wire` (by default the one under `at`)."""
        window = self.window
        if window.document is None or window.view is None or window.scene is None:
            return
        if connect_from is None and wire is None:
            under = wire_at(window.scene, at)
            wire = under.edge if under is not None else None
        self._quick_add_target = (at, connect_from, wire)
        global_pos = window.view.viewport().mapToGlobal(window.view.mapFromScene(at))
        prompt = f"Insert layer on {wire.source} → {wire.target}…" if wire is not None else "Add layer…"
        window.quick_add.popup_at(global_pos, [n for n in window.document.project.submodels
                                               if n != window.document.scope], prompt)

    def _quick_add_chosen(self, layer: str, submodel: str | None) -> None:
        at, connect_from, wire = self._quick_add_target
        if wire is not None:
            self.insert_on_wire(layer, submodel, wire, at)
        elif self.window.edits is not None:
            self.window.edits.add_layer(layer, submodel, at, connect_from)

    def insert_on_wire(self, layer: str, submodel: str | None, edge: Edge, at: QPointF, force: bool = False) -> None:
        """Insert a layer into a wire (a drop or quick-add on it); refused as a drawn wire would be."""
        window = self.window
        if window.edits is None or window.view is None:
            return
        refusal = window.edits.insert_on_wire(layer, submodel, edge, at, force)
        if refusal is None:
            return
        message = refusal.verdict.problem or ""
        actions = [("Insert anyway", lambda: self.insert_on_wire(layer, submodel, edge, at, True))] \
            if refusal.verdict.overridable else []
        window.view.show_toast(window.view.mapFromScene(at), refusal.title, message, actions)
        window.show_status(f"{refusal.title}: {message}", about=(edge.source, edge.target))

    def wire_dropped_on_empty(self, source: str, port: int, at: QPointF) -> None:
        self.request_quick_add(at, (source, port))

    def connection_refused(self, message: str, at: QPointF, verdict: Verdict, edge: Edge) -> None:
        window = self.window
        if window.view is None or window.edits is None:
            return
        edits = window.edits
        actions = []
        if verdict.fix:
            actions.append((f"Insert {verdict.fix}", lambda: edits.connect_through(verdict.fix, edge)))
        if verdict.overridable:
            actions.append(("Connect anyway", lambda: edits.connect_anyway(edge)))
        target = window.document.graph.get(edge.target) if window.document else None
        title = f"Cannot connect to {target.layer} '{target.name}'" if target else "Cannot connect"
        window.view.show_toast(window.view.mapFromScene(at), title, message, actions)
        window.show_status(f"{title}: {message}", about=(edge.source, edge.target))

    def node_activated(self, node_id: str) -> None:
        """A double-click on a card: a sub-model's card opens the sub-model."""
        document = self.window.document
        if document is None:
            return
        node = document.graph.get(node_id)
        if node is not None and node.layer == SUBMODEL_LAYER and node.config.get("submodel") in document.project.submodels:
            self.window.set_scope(node.config["submodel"])

    def open_selected_submodel(self) -> None:
        scene = self.window.scene
        if scene is not None:
            ids = scene.selected_node_ids()
            if len(ids) == 1:
                self.node_activated(ids[0])

    def reveal_node(self, scope: str, node_id: str) -> None:
        """Select and centre a node, switching to its sub-model first (from the messages list)."""
        window = self.window
        if window.document is None or window.scene is None or window.view is None:
            return
        if scope != window.document.scope and (not scope or scope in window.document.project.submodels):
            window.set_scope(scope)
        item = window.scene.nodes.get(node_id)
        if item is not None:
            window.scene.select_nodes([node_id])
            window.view.centerOn(item.centre())

    def paste(self) -> None:
        if self.window.edits is not None:
            problem = self.window.edits.paste()
            if problem:
                self.window.show_status(problem)

    def group(self) -> None:
        if self.window.edits is not None:
            problem = self.window.edits.group()
            if problem:
                self._say_at_pointer("Cannot group", problem)

    def ungroup(self) -> None:
        if self.window.edits is not None:
            problem = self.window.edits.ungroup()
            if problem:
                self._say_at_pointer("Cannot ungroup", problem)

    def toggle_preprocessing(self) -> None:
        from netbuilder.ui.preprocessing_action import toggle_preprocessing

        if self.window.document is not None:
            problem = toggle_preprocessing(self.window.document)
            if problem:
                self.window.show_status(problem)

    def arrange(self) -> None:
        if self.window.edits is not None and self.window.view is not None:
            self.window.edits.arrange()
            self.window.view.fit_all()

    def _say_at_pointer(self, title: str, text: str) -> None:
        view = self.window.view
        if view is not None:
            view.show_toast(view.mapFromScene(view.pointer_scene_pos()), title, text)
        self.window.show_status(f"{title}: {text}")

    def find_layer(self) -> None:
        """Edit ▸ Find Layer: the palette shown, its search field ready for typing."""
        window = self.window
        window.panels.set_shown(window.palette_dock, True)
        window.palette.search.setFocus()
        window.palette.search.selectAll()
