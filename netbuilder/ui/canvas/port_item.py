"""A connection point on a node: inputs along its top edge, outputs along its bottom edge.

Ports carry their node id, side and index so the wire interaction can turn a
drop into an `Edge` without asking the node. During a wire drag each input
port shows whether the wire may end there (green) or not (grey, red when hovered).
"""

from __future__ import annotations

from enum import Enum

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QPainter, QPen
from PySide6.QtWidgets import QGraphicsEllipseItem, QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netbuilder.ui.canvas import theme


class PortHint(Enum):
    NONE = 0
    VALID = 1
    INVALID = 2


class PortItem(QGraphicsEllipseItem):
    """One input or output port of a node (a child of its NodeItem).

    An ellipse item only for its bounds, which Qt then reads without calling
    Python: it asks every child of a card on screen for them on each paint, and
    a Concatenate of 10,000 layers has 10,000 ports (15 ms a frame when each
    question was a Python call). `paint` draws the port itself.
    """

    def __init__(self, node_id: str, is_input: bool, index: int, name: str, parent: QGraphicsItem) -> None:
        r = theme.PORT_RADIUS + 3  # room for the hovered, larger circle and its border
        super().__init__(-r, -r, 2 * r, 2 * r, parent)
        self.setPen(Qt.PenStyle.NoPen)  # the bounds are the rect itself
        self.node_id = node_id
        self.is_input = is_input
        self.index = index
        self.name = name
        self.connected = False
        self.hint = PortHint.NONE
        self.reason = ""  # why a wire may not end here, during a drag
        self.hovered = False
        self.setAcceptHoverEvents(True)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setZValue(2)
        self._update_tooltip()

    def set_hint(self, hint: PortHint, reason: str = "") -> None:
        if (hint, reason) != (self.hint, self.reason):
            self.hint, self.reason = hint, reason
            self._update_tooltip()
            self.update()

    def set_connected(self, connected: bool) -> None:
        if connected != self.connected:
            self.connected = connected
            self.update()

    def _update_tooltip(self) -> None:
        side = "input" if self.is_input else "output"
        tip = f"{self.name or side} ({side} {self.index})"
        if self.reason:
            tip += f"\n{self.reason}"
        elif not self.is_input:
            tip += "\nDrag from here to an input port to connect"
        self.setToolTip(tip)

    def hoverEnterEvent(self, event) -> None:  # noqa: ANN001 (Qt signature)
        self.hovered = True
        self.update()

    def hoverLeaveEvent(self, event) -> None:  # noqa: ANN001
        self.hovered = False
        self.update()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        radius = theme.PORT_RADIUS + (2 if self.hovered or self.hint is PortHint.VALID else 0)
        border, fill = theme.NODE_BORDER, theme.PORT_FILL
        if self.connected:
            fill = theme.WIRE
        if self.hint is PortHint.VALID:
            border, fill = theme.PORT_VALID, theme.PORT_VALID
        elif self.hint is PortHint.INVALID:
            border = theme.PORT_HOVER_INVALID if self.hovered else theme.PORT_INVALID
            fill = theme.PORT_INVALID
        elif self.hovered:
            border = theme.SELECTED_BORDER
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(border, 1.6))
        painter.setBrush(QBrush(fill))
        painter.drawEllipse(QRectF(-radius, -radius, 2 * radius, 2 * radius))
