"""What is under a point of the canvas: a card (or one of its ports), a wire, or nothing.

Context menus, drops from the palette and quick-add all ask this, and must
agree: a card drawn over a wire wins, because that is what the user sees.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QGraphicsScene

from netbuilder.ui.canvas.node_item import NodeItem
from netbuilder.ui.canvas.wire_item import WireItem


def card_at(scene: QGraphicsScene, pos: QPointF) -> NodeItem | None:
    """The card under `pos` (a port counts as its card)."""
    for item in scene.items(pos):  # topmost first
        while item is not None and not isinstance(item, NodeItem):
            item = item.parentItem()
        if item is not None:
            return item
    return None


def wire_at(scene: QGraphicsScene, pos: QPointF) -> WireItem | None:
    """The wire under `pos`, unless a card covers it there."""
    if card_at(scene, pos) is not None:
        return None
    return next((item for item in scene.items(pos) if isinstance(item, WireItem)), None)
