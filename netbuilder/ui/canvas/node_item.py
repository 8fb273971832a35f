"""How one node looks on the canvas: a card with its layer, name, key settings and output shape.

The card is drawn from a `NodeLook` the scene computes from the document, so
the item holds no document state of its own. Its text is laid out (and cut
at a word, see card_text.py) when the look changes, not on every paint. Far
zoomed out the scene's overview draws the cards instead (see overview.py).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Callable

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netbuilder.ui.canvas import theme
from netbuilder.ui.canvas.card_text import GAP, LAYER_FONT, NAME_FONT, PAD, SMALL_FONT, CardText, lay_out, metrics
from netbuilder.ui.canvas.port_item import PortItem
from netbuilder.ui.problem_look import INCOMPLETE_COLOUR

_PORT_SPACING = 26.0


@dataclass
class NodeLook:
    """Everything a node card shows; equality lets the scene skip needless repaints."""

    layer: str
    name: str
    category: str
    settings: str = ""
    shapes: str = ""
    problems: list[str] = field(default_factory=list)  # errors: the card turns red
    hints: list[str] = field(default_factory=list)  # what is missing yet: a soft dashed outline
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
        self._text = CardText(self._width, "", "", "", "")
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

    def tag_top(self) -> float:
        """Where tags at the header's top right (deployment, health) sit: straddling its top edge, or just
        above it on an output card, whose "output" label they would otherwise cover (moving them left
        instead would cover the input port)."""
        return -18.0 if self.look.is_output else -9.0

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
        """Show `look`; the card grows to fit its text, ports are rebuilt only when their number or names change."""
        if look == self.look and not force:
            return
        ports_changed = force or look.inputs != self.look.inputs or look.outputs != self.look.outputs
        self.look = look
        self._text = self._lay_out_text(look)
        if self._text.width != self._width:
            self.prepareGeometryChange()
            self._width = self._text.width
            ports_changed = True  # they are spread along the width
        if ports_changed:
            self._rebuild_ports()
        tip = f"<b>{html.escape(look.layer)}</b> '{html.escape(look.name)}'"
        for line in (look.settings, look.shapes):  # the card may have had to cut them short
            if line:
                tip += f"<br>{html.escape(line)}"
        if look.doc:
            tip += f"<br>{look.doc}"
        if look.problems:
            tip += "".join(f"<br><span style='color:#d93025'>⚠ {p}</span>" for p in look.problems)
        tip += "".join(f"<br><span style='color:{INCOMPLETE_COLOUR.name()}'>◌ {h}</span>" for h in look.hints)
        self.setToolTip(f"<div style='max-width: 360px'>{tip}</div>")
        self.update()

    @staticmethod
    def _lay_out_text(look: NodeLook) -> CardText:
        bad, unfinished = bool(look.problems), not look.problems and bool(look.hints)
        bottom = look.problems[0] if bad else f"◌ {look.hints[0]}" if unfinished else look.shapes
        most_ports = max(len(look.inputs), look.outputs, 1)
        return lay_out(("⚠ " if bad else "") + look.layer, "output" if look.is_output else "", look.name,
                       look.settings, bottom, bottom_grows=not (bad or unfinished),
                       least_width=max(theme.NODE_WIDTH, most_ports * _PORT_SPACING + 24))

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
        if lod < theme.FAR_ZOOM:  # hundreds of cards on screen: a flat coloured block each (the overview draws them)
            selected = self.isSelected()
            painter.fillRect(rect, theme.SELECTED_BORDER if selected else (theme.ERROR if bad else colour))
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod > 0.3)
        unfinished = not bad and bool(look.hints)
        border = theme.SELECTED_BORDER if self.isSelected() else (theme.ERROR if bad else theme.NODE_BORDER)
        pen = QPen(border, 2.4 if self.isSelected() or bad else 1.2)
        if unfinished:  # not wrong, just not done: dashed like a sketch, never red
            pen = QPen(border if self.isSelected() else INCOMPLETE_COLOUR, 2.4 if self.isSelected() else 1.6,
                       Qt.PenStyle.DashLine)
        painter.setPen(pen)
        painter.setBrush(QBrush(theme.ERROR_FILL if bad else theme.NODE_FILL))
        painter.drawRoundedRect(rect, theme.CORNER, theme.CORNER)
        header = QPainterPath()
        header.setFillRule(Qt.FillRule.WindingFill)  # the two shapes overlap; odd-even would cut a hole
        header.addRoundedRect(QRectF(0, 0, self._width, theme.HEADER_HEIGHT), theme.CORNER, theme.CORNER)
        header.addRect(QRectF(0, theme.HEADER_HEIGHT / 2, self._width, theme.HEADER_HEIGHT / 2))
        painter.fillPath(header.simplified(), theme.ERROR if bad else colour)
        if lod < 0.35:
            return  # too small to read: the coloured card is the information
        text = self._text  # laid out and cut to fit when the look changed
        left = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignLeft
        right = Qt.AlignmentFlag.AlignVCenter | Qt.AlignmentFlag.AlignRight
        painter.setPen(QColor("white"))
        painter.setFont(LAYER_FONT)
        head = QRectF(PAD, 0, self._width - 2 * PAD, theme.HEADER_HEIGHT)
        painter.drawText(head, left, text.title)
        if look.is_output:
            painter.drawText(head, right, "output")
        body = QRectF(PAD, theme.HEADER_HEIGHT + 3, self._width - 2 * PAD, 18)
        painter.setPen(theme.TEXT)
        painter.setFont(NAME_FONT)
        painter.drawText(body, left, text.name)
        if text.settings:
            painter.setFont(SMALL_FONT)
            painter.setPen(theme.SUBTLE_TEXT)
            beside_name = body.adjusted(metrics(NAME_FONT).horizontalAdvance(text.name) + GAP, 0, 0, 0)
            painter.drawText(beside_name, right, text.settings)
        line = QRectF(PAD, body.bottom(), self._width - 2 * PAD, 18)
        painter.setFont(SMALL_FONT)
        painter.setPen(theme.ERROR if bad else INCOMPLETE_COLOUR if unfinished else theme.SUBTLE_TEXT)
        painter.drawText(line, left, text.bottom)

    @property
    def card_text(self) -> CardText:
        """The lines the card shows, as cut to fit (for tests)."""
        return self._text
