"""A wire between an output port and an input port, labelled with the shape it carries.

The curve leaves the source downwards and enters the target from above,
matching the top-to-bottom flow of the automatic layout. The label is drawn
by the wire itself (not a child item) so it can hide when zoomed far out.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netbuilder.graph import Edge
from netbuilder.ui.canvas import theme

_LABEL_FONT = theme.font(7.5)


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A smooth S-curve from `start` (leaving downwards) to `end` (arriving from above)."""
    bend = max(40.0, abs(end.y() - start.y()) * 0.5)
    path = QPainterPath(start)
    path.cubicTo(start + QPointF(0, bend), end - QPointF(0, bend), end)
    return path


class WireItem(QGraphicsItem):
    """One edge of the graph on the canvas."""

    def __init__(self, edge: Edge) -> None:
        super().__init__()
        self.edge = edge
        self.label = ""
        self.bad = False
        # Where along the curve the label sits: wires fanning out of one port share
        # their first half, so their labels go near the targets, where they part.
        self.label_at = 0.5
        self._path = QPainterPath()
        self._label_rect = QRectF()
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)

    def set_ends(self, start: QPointF, end: QPointF) -> None:
        self.prepareGeometryChange()
        self._path = wire_path(start, end)
        self._place_label()

    def set_label(self, label: str, bad: bool = False) -> None:
        if (label, bad) != (self.label, self.bad):
            self.prepareGeometryChange()
            self.label, self.bad = label, bad
            self._place_label()
            self.setToolTip(f"{self.edge.source} → {self.edge.target}: {label}" if label else "")

    def _place_label(self) -> None:
        if not self.label:
            self._label_rect = QRectF()
            return
        metrics = QFontMetricsF(_LABEL_FONT)
        w, h = metrics.horizontalAdvance(self.label) + 8, metrics.height() + 2
        mid = self._path.pointAtPercent(self.label_at)
        self._label_rect = QRectF(mid.x() - w / 2, mid.y() - h / 2, w, h)

    def boundingRect(self) -> QRectF:
        return self._path.boundingRect().adjusted(-4, -4, 4, 4).united(self._label_rect)

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        return stroker.createStroke(self._path)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if lod < 0.15:  # far out: a straight hairline reads the same and costs far less than a curve
            painter.setPen(QPen(theme.WIRE_SELECTED if self.isSelected() else theme.WIRE, 0))
            painter.drawLine(self._path.pointAtPercent(0), self._path.currentPosition())
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod > 0.3)
        colour = theme.WIRE_SELECTED if self.isSelected() else (theme.ERROR if self.bad else theme.WIRE)
        painter.setPen(QPen(colour, 2.6 if self.isSelected() else 1.6))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawPath(self._path)
        if self.label and lod >= 0.55:
            painter.setPen(QPen(colour, 0.8))
            painter.setBrush(QBrush(theme.LABEL_FILL))
            painter.drawRoundedRect(self._label_rect, 4, 4)
            painter.setFont(_LABEL_FONT)
            painter.setPen(theme.ERROR if self.bad else theme.SUBTLE_TEXT)
            painter.drawText(self._label_rect, Qt.AlignmentFlag.AlignCenter, self.label)
