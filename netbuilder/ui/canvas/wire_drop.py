"""While a layer is dragged over the canvas, the wire it would be inserted into lights up.

Dropping a layer on a wire inserts it there (source → new layer → target);
the highlight shows, before the drop, which wire that is, and that the drop
will not just place the layer beside it.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import QGraphicsPathItem, QGraphicsScene

from netbuilder.graph import Edge
from netbuilder.ui.canvas import theme
from netbuilder.ui.canvas.hit import wire_at

_GLOW = QColor(theme.SELECTED_BORDER.red(), theme.SELECTED_BORDER.green(), theme.SELECTED_BORDER.blue(), 110)


class WireDropHighlight:
    """Follows a drag over the scene; `edge` is the wire a drop would go into, or None."""

    def __init__(self, scene: QGraphicsScene) -> None:
        self.scene = scene
        self.edge: Edge | None = None
        self._glow: QGraphicsPathItem | None = None

    def track(self, pos: QPointF) -> Edge | None:
        """The drag is at `pos` (scene coordinates): light up the wire under it, if any."""
        wire = wire_at(self.scene, pos)
        edge = wire.edge if wire is not None else None
        if edge != self.edge:
            self.clear()
            if wire is not None:
                # The wire's own hit area (a band along the curve) is exactly where a drop counts.
                self._glow = QGraphicsPathItem(wire.shape())
                self._glow.setPen(Qt.PenStyle.NoPen)
                self._glow.setBrush(QBrush(_GLOW))
                self._glow.setZValue(wire.zValue() + 0.5)  # over the wire, under the cards
                self.scene.addItem(self._glow)
                self.edge = edge
        return self.edge

    def clear(self) -> None:
        """The drag left, ended or moved off the wire."""
        if self._glow is not None and self._glow.scene() is self.scene:
            self.scene.removeItem(self._glow)
        self._glow = None
        self.edge = None
