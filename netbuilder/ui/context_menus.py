"""Right-click menus on the canvas: for a card, for a wire, for an empty spot.

Each entry is one of the window's own actions (Delete, Duplicate, Group…,
Arrange, Fit) or one of its gestures aimed at what was clicked (rename the
card, insert a layer on the wire, add or paste at the spot), so an edit made
from a menu is the same single undo step as with its shortcut. Right-clicking
a card that is not selected selects it alone; one that is keeps the selection,
so a group of cards can be grouped or deleted from the menu of any of them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QPoint, QPointF
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from netbuilder.graph import SUBMODEL_LAYER, Edge
from netbuilder.graph.validation import shown_name
from netbuilder.ui.canvas.hit import card_at, wire_at
from netbuilder.ui.canvas.rename_editor import InlineRename

if TYPE_CHECKING:
    from netbuilder.ui.main_window import MainWindow


class CanvasMenus:
    """Builds and shows the menu for what is under a right-click; one menu open at a time."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window
        self.menu: QMenu | None = None  # the one showing (a popup must be kept alive)
        self.rename_editor: InlineRename | None = None

    def open(self, at: QPointF, global_pos: QPoint) -> QMenu | None:
        """Show the menu for scene position `at` at screen position `global_pos`."""
        scene = self.window.scene
        if scene is None or self.window.view is None:
            return None
        card = card_at(scene, at)
        wire = wire_at(scene, at) if card is None else None
        if card is not None:
            if not card.isSelected():
                scene.select_nodes([card.node_id])
            menu = self._card_menu(card.node_id)
        elif wire is not None:
            scene.clearSelection()
            wire.setSelected(True)  # Delete acts on the selection
            menu = self._wire_menu(wire.edge, at)
        else:
            scene.clearSelection()  # as a left click there would: the menu is about the spot
            menu = self._canvas_menu(at)
        if self.menu is not None:
            self.menu.deleteLater()
        self.menu = menu
        menu.popup(global_pos)
        return menu

    def _new_menu(self) -> QMenu:
        return QMenu(self.window)  # not the view: it goes when another project opens, the window stays

    def _entry(self, menu: QMenu, text: str, handler: Callable[[], object], tip: str = "") -> QAction:
        action = menu.addAction(text)
        action.setStatusTip(tip)
        action.triggered.connect(lambda _=False: handler())
        return action

    def _card_menu(self, node_id: str) -> QMenu:
        window, actions = self.window, self.window.actions
        menu = self._new_menu()
        self._entry(menu, "&Rename", lambda: self.rename(node_id), "Type a new name on the card")
        menu.addAction(actions["delete"])
        menu.addAction(actions["duplicate"])
        menu.addSeparator()
        menu.addAction(actions["group"])
        node = window.document.graph.get(node_id) if window.document is not None else None
        if node is not None and node.layer == SUBMODEL_LAYER:
            menu.addAction(actions["ungroup"])
            menu.addAction(actions["open_submodel"])
        menu.addSeparator()
        self._entry(menu, "Show in &Inspector", lambda: self.show_in_inspector(node_id), "Edit its settings")
        return menu

    def _wire_menu(self, edge: Edge, at: QPointF) -> QMenu:
        menu = self._new_menu()
        menu.addAction(self.window.actions["delete"])
        source, target = edge.source, edge.target
        if self.window.document is not None:
            graph = self.window.document.graph
            source, target = shown_name(graph, source), shown_name(graph, target)
        self._entry(menu, "&Insert Layer Here…", lambda: self.window.gestures.request_quick_add(at, wire=edge),
                    f"Put a new layer between '{source}' and '{target}'")
        return menu

    def _canvas_menu(self, at: QPointF) -> QMenu:
        window, actions = self.window, self.window.actions
        menu = self._new_menu()
        self._entry(menu, "&Add Layer Here…", lambda: window.gestures.request_quick_add(at),
                    "Type a layer's name to add it here")
        self._entry(menu, "&Paste Here", lambda: self.paste_at(at), "Paste the copied layers here")
        menu.addSeparator()
        menu.addAction(actions["arrange"])
        menu.addAction(actions["fit"])
        return menu

    def paste_at(self, at: QPointF) -> None:
        """Paste the copied layers with their top-left corner at `at` (or the next free spot)."""
        if self.window.edits is not None:
            problem = self.window.edits.paste(at)
            if problem:
                self.window.show_status(problem)

    # -- what the card entries do --------------------------------------------------
    def rename(self, node_id: str) -> InlineRename | None:
        """Open the in-place editor on the card's name."""
        window = self.window
        if window.view is None or window.scene is None or window.document is None:
            return None
        card, node = window.scene.nodes.get(node_id), window.document.graph.get(node_id)
        if card is None or node is None:
            return None
        window.view.ensureVisible(card.sceneBoundingRect())
        self.rename_editor = InlineRename(window.view, card, node.name)
        self.rename_editor.finished.connect(self._renamed)
        return self.rename_editor

    def _renamed(self, node_id: str, text: str) -> None:
        window = self.window
        if window.edits is None or window.view is None or window.scene is None:
            return
        problem = window.edits.rename(node_id, text)
        card = window.scene.nodes.get(node_id)
        if problem and card is not None:
            title = f"Cannot rename '{card.look.name}'"
            window.view.show_toast(window.view.mapFromScene(card.pos()), title, problem)
            window.show_status(f"{title}: {problem}")

    def show_in_inspector(self, node_id: str) -> None:
        """Select the node and put the cursor in the inspector's name field, ready to type."""
        window = self.window
        if window.scene is None:
            return
        window.scene.select_nodes([node_id])
        window.inspector_dock.show()
        window.inspector_dock.raise_()
        window.inspector.field("name").setFocus()
