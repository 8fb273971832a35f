"""A wire between an output port and an input port, labelled with the shape it carries.

The curve leaves the source downwards and enters the target from above,
matching the top-to-bottom flow of the automatic layout. The label is drawn
by the wire itself (not a child item) so it can hide when zoomed far out.
A very long wire (thousands of units, as into a Concatenate of thousands of
layers) is drawn and hit-tested as a polyline of a few dozen points: Qt would
otherwise flatten and stroke the whole curve, a fraction of which is on
screen, on every paint and every hover.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netbuilder.graph import Edge
from netbuilder.ui.canvas import theme

_LABEL_FONT = theme.font(7.5)
LONG_WIRE = 10_000.0  # scene units across (seven windows at 100%): longer wires are drawn as a polyline
_SAMPLES = 32  # segments of that polyline


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A smooth S-curve from `start` (leaving downwards) to `end` (arriving from above)."""
    bend = max(40.0, abs(end.y() - start.y()) * 0.5)
    path = QPainterPath(start)
    path.cubicTo(start + QPointF(0, bend), end - QPointF(0, bend), end)
    return path


def wire_polyline(start: QPointF, end: QPointF) -> QPolygonF:
    """`wire_path` as a polyline, its points closer together near the ends, where the curve bends."""
    bend = max(40.0, abs(end.y() - start.y()) * 0.5)
    (x0, y0), (x3, y3) = start.toTuple(), end.toTuple()
    y1, y2 = y0 + bend, y3 - bend
    points = []
    for k in range(_SAMPLES + 1):
        t = 0.5 - 0.5 * math.cos(math.pi * k / _SAMPLES)
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3
        points.append(QPointF((a + b) * x0 + (c + d) * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return QPolygonF(points)


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
        self._polyline: QPolygonF | None = None  # instead of the curve, for a long wire
        self._shape: QPainterPath | None = None  # a long wire's hit area, made once
        self._chord = QLineF()  # end to end: what the wire looks like far out
        self.ends = (0.0, 0.0, 0.0, 0.0)  # the same as plain numbers, for the far-out overview
        self._label_rect = QRectF()
        self._bounds = QRectF()  # kept, not recomputed: Qt asks for it several times a frame
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)

    def set_ends(self, start: QPointF, end: QPointF) -> None:
        self.prepareGeometryChange()
        self._path = wire_path(start, end)
        long = max(abs(end.x() - start.x()), abs(end.y() - start.y())) > LONG_WIRE
        self._polyline = wire_polyline(start, end) if long else None
        self._shape = None
        self._chord = QLineF(start, end)
        self.ends = (start.x(), start.y(), end.x(), end.y())
        self._place_label()

    def set_label(self, label: str, bad: bool = False) -> None:
        if (label, bad) != (self.label, self.bad):
            self.prepareGeometryChange()
            self.label, self.bad = label, bad
            self._place_label()
            self.setToolTip(f"{self.edge.source} → {self.edge.target}: {label}" if label else "")

    def label_rect(self) -> QRectF:
        """Where the shape label is drawn (empty without a label), so a layout can be checked against it."""
        return QRectF(self._label_rect)

    def _place_label(self) -> None:
        bounds = self._path.boundingRect().adjusted(-4, -4, 4, 4)
        if not self.label:
            self._label_rect = QRectF()
            self._bounds = bounds
            return
        metrics = QFontMetricsF(_LABEL_FONT)
        w, h = metrics.horizontalAdvance(self.label) + 8, metrics.height() + 2
        mid = self._path.pointAtPercent(self.label_at)
        self._label_rect = QRectF(mid.x() - w / 2, mid.y() - h / 2, w, h)
        self._bounds = bounds.united(self._label_rect)

    def boundingRect(self) -> QRectF:
        return self._bounds

    def shape(self) -> QPainterPath:
        stroker = QPainterPathStroker()
        stroker.setWidth(10)
        if self._polyline is None:
            return stroker.createStroke(self._path)
        if self._shape is None:
            line = QPainterPath()
            line.addPolygon(self._polyline)
            self._shape = stroker.createStroke(line)
        return self._shape

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        if lod < theme.FAR_ZOOM:  # far out: a straight hairline reads the same and costs far less than a curve
            painter.setPen(QPen(theme.WIRE_SELECTED if self.isSelected() else theme.WIRE, 0))
            painter.drawLine(self._chord)
            return
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, lod > 0.3)
        colour = theme.WIRE_SELECTED if self.isSelected() else (theme.ERROR if self.bad else theme.WIRE)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        if self._polyline is not None:
            # One screen pixel at any zoom (a cosmetic pen): Qt's fast path for thin lines,
            # five times quicker than a wider pen over a wire most of which lies off screen.
            painter.setPen(QPen(colour, 2.6 if self.isSelected() else 0))
            painter.drawPolyline(self._polyline)
        else:
            painter.setPen(QPen(colour, 2.6 if self.isSelected() else 1.6))
            painter.drawPath(self._path)
        if self.label and lod >= 0.55:
            painter.setPen(QPen(colour, 0.8))
            painter.setBrush(QBrush(theme.LABEL_FILL))
            painter.drawRoundedRect(self._label_rect, 4, 4)
            painter.setFont(_LABEL_FONT)
            painter.setPen(theme.ERROR if self.bad else theme.SUBTLE_TEXT)
            painter.drawText(self._label_rect, Qt.AlignmentFlag.AlignCenter, self.label)
