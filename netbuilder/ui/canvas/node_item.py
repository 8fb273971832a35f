"""How one node looks on the canvas: a card with its layer, name, key settings and output shape.

The card is drawn from a `NodeLook` the scene computes from the document, so
the item holds no document state of its own. Far zoomed out (hundreds of
nodes on screen) it draws only its coloured outline, which keeps large
imported models readable as a shape and fast to pan.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netbuilder.ui.canvas import theme
from netbuilder.ui.canvas.port_item import PortItem

_LAYER_FONT = theme.font(8.5, bold=True)
_NAME_FONT = theme.font(9.5, bold=True)
_SMALL_FONT = theme.font(8.0)
_PORT_SPACING = 26.0


@dataclass
class NodeLook:
    """Everything a node card shows; equality lets the scene skip needless repaints."""

    layer: str
    name: str
    category: str
    settings: str = ""
    shapes: str = ""
    problems: list[str] = field(default_factory=list)
    doc: str = ""
    inputs: list[str] = field(default_factory=list)  # one name per input port ("" when unnamed)
    outputs: int = 1
    is_output: bool = False


class NodeItem(QGraphicsItem):
    """A movable, selectable card with its ports as children."""

    def __init__(self, node_id: str, look: NodeLook, on_moved: Callable[["NodeItem"], None]) -> None:
        super().__init__()
        self.node_id = node_id
        self.look = look
        self._on_moved = on_moved
        self.inputs: list[PortItem] = []
        self.outputs: list[PortItem] = []
        self._width = theme.NODE_WIDTH
        self._ports_shown = True
        self.setFlags(
            QGraphicsItem.GraphicsItemFlag.ItemIsMovable
            | QGraphicsItem.GraphicsItemFlag.ItemIsSelectable
            | QGraphicsItem.GraphicsItemFlag.ItemSendsScenePositionChanges
        )
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setZValue(1)
        self.apply(look, force=True)

    # -- geometry --------------------------------------------------------------
    @property
    def width(self) -> float:
        return self._width

    def boundingRect(self) -> QRectF:
        return QRectF(-2, -2, self._width + 4, theme.NODE_HEIGHT + 4)

    def shape(self) -> QPainterPath:
        path = QPainterPath()
        path.addRoundedRect(QRectF(0, 0, self._width, theme.NODE_HEIGHT), theme.CORNER, theme.CORNER)
        return path

    def centre(self) -> QPointF:
        return self.pos() + QPointF(self._width / 2, theme.NODE_HEIGHT / 2)

    # -- state -------------------------------------------------------------------
    def apply(self, look: NodeLook, force: bool = False) -> None:
        """Show `look`; ports are rebuilt only when their number or names change."""
        if look == self.look and not force:
            return
        ports_changed = force or look.inputs != self.look.inputs or look.outputs != self.look.outputs
        self.look = look
        if ports_changed:
            self.prepareGeometryChange()
            most = max(len(look.inputs), look.outputs, 1)
            self._width = max(theme.NODE_WIDTH, most * _PORT_SPACING + 24)
            self._rebuild_ports()
        tip = f"<b>{look.layer}</b> '{look.name}'"
        if look.doc:
            tip += f"<br>{look.doc}"
        if look.problems:
            tip += "".join(f"<br><span style='color:#d93025'>⚠ {p}</span>" for p in look.problems)
        self.setToolTip(f"<div style='max-width: 360px'>{tip}</div>")
        self.update()

    def _rebuild_ports(self) -> None:
        for port in self.inputs + self.outputs:
            port.setParentItem(None)
            if port.scene() is not None:
                port.scene().removeItem(port)
        self.inputs = [PortItem(self.node_id, True, i, n, self) for i, n in enumerate(self.look.inputs)]
        self.outputs = [PortItem(self.node_id, False, i, "", self) for i in range(self.look.outputs)]
        for port in self.inputs + self.outputs:
            port.setVisible(self._ports_shown)
        for ports, y in ((self.inputs, 0.0), (self.outputs, theme.NODE_HEIGHT)):
            step = self._width / (len(ports) + 1)
            for i, port in enumerate(ports):
                port.setPos(step * (i + 1), y)

    def set_ports_shown(self, shown: bool) -> None:
        self._ports_shown = shown
        for port in self.inputs + self.outputs:
            port.setVisible(shown)

    def port(self, is_input: bool, index: int) -> PortItem | None:
        ports = self.inputs if is_input else self.outputs
        return ports[index] if 0 <= index < len(ports) else None

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemScenePositionHasChanged:
            self._on_moved(self)
        return super().itemChange(change, value)

    # -- drawing ---------------------------------------------------------------
    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        look = self.look
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        rect = QRectF(0, 0, self._width, theme.NODE_HEIGHT)
        colour = theme.category_colour(look.category)
        bad = bool(look.problems)
        if lod < 0.15:  # hundreds of cards on screen: a flat coloured block each, cheap to pan
            selected = self.isSelected()
            painter.fillRect(rect, theme.SELECTED_BORDER if selected else (theme.ERROR if bad else colour))
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod > 0.3)
        border = theme.SELECTED_BORDER if self.isSelected() else (theme.ERROR if bad else theme.NODE_BORDER)
        painter.setPen(QPen(border, 2.4 if self.isSelected() or bad else 1.2))
        painter.setBrush(QBrush(theme.ERROR_FILL if bad else theme.NODE_FILL))
        painter.drawRoundedRect(rect, theme.CORNER, theme.CORNER)
        header = QPainterPath()
        header.setFillRule(Qt.FillRule.WindingFill)  # the two shapes overlap; odd-even would cut a hole
        header.addRoundedRect(QRectF(0, 0, self._width, theme.HEADER_HEIGHT), theme.CORNER, theme.CORNER)
        header.addRect(QRectF(0, theme.HEADER_HEIGHT / 2, self._width, theme.HEADER_HEIGHT / 2))
        painter.fillPath(header.simplified(), theme.ERROR if bad else colour)
        if lod < 0.35:
            return  # too small to read: the coloured card is the information
        pad = 10.0
        painter.setPen(QColor("white"))
        painter.setFont(_LAYER_FONT)
        head = QRectF(pad, 0, self._width - 2 * pad, theme.HEADER_HEIGHT)
        title = ("⚠ " if bad else "") + look.layer
        painter.drawText(head, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, _elide(title, _LAYER_FONT, head.width() * 0.6))
        if look.is_output:
            painter.drawText(head, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, "output")
        body = QRectF(pad, theme.HEADER_HEIGHT + 3, self._width - 2 * pad, 18)
        painter.setPen(theme.TEXT)
        painter.setFont(_NAME_FONT)
        name_width = QFontMetricsF(_NAME_FONT).horizontalAdvance(look.name)
        painter.drawText(body, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, _elide(look.name, _NAME_FONT, body.width()))
        if look.settings and name_width < body.width() - 40:
            painter.setFont(_SMALL_FONT)
            painter.setPen(theme.SUBTLE_TEXT)
            rest = QRectF(body.left() + name_width + 8, body.top(), body.width() - name_width - 8, body.height())
            painter.drawText(rest, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight, _elide(look.settings, _SMALL_FONT, rest.width()))
        line = QRectF(pad, body.bottom(), self._width - 2 * pad, 18)
        painter.setFont(_SMALL_FONT)
        painter.setPen(theme.ERROR if bad else theme.SUBTLE_TEXT)
        text = look.problems[0] if bad else look.shapes
        painter.drawText(line, Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft, _elide(text, _SMALL_FONT, line.width()))


def _elide(text: str, font: Any, width: float) -> str:
    return QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, max(width, 10))
