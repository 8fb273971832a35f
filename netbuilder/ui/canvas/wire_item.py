"""A wire between an output port and an input port, labelled with the shape it carries.

The curve leaves the source downwards and enters the target from above,
matching the top-to-bottom flow of the automatic layout. The label is drawn
by the wire itself (not a child item) so it can hide when zoomed far out.
A very long wire (thousands of units, as into a Concatenate of thousands of
layers) is drawn and hit-tested as a polyline of a few dozen points: Qt would
otherwise flatten and stroke the whole curve, a fraction of which is on
screen, on every paint and every hover. The wires of a crowded port (thousands
into one Concatenate) are painted together by a `WireBundle`; each wire item
stays for selection, tooltips, menus and drops, and paints only its highlight
when selected.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QLineF, QPointF, QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QFontMetricsF, QPainter, QPainterPath, QPainterPathStroker, QPen, QPolygonF
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netbuilder.graph import Edge
from netbuilder.ui.canvas import theme

if TYPE_CHECKING:
    from netbuilder.ui.canvas.wire_bundle import WireBundle

_LABEL_FONT = theme.font(7.5)
LONG_WIRE = 10_000.0  # scene units across (seven windows at 100%): longer wires are drawn as a polyline
_SAMPLES = 32  # segments of that polyline
LABEL_ZOOM = 0.55  # shape labels are drawn from this zoom in
_NO_CONTENTS = QGraphicsItem.GraphicsItemFlag.ItemHasNoContents


def wire_bend(y0: float, y3: float) -> float:
    """How far the curve runs straight down from its start (and into its end) before it turns."""
    return max(40.0, abs(y3 - y0) * 0.5)


def wire_path(start: QPointF, end: QPointF) -> QPainterPath:
    """A smooth S-curve from `start` (leaving downwards) to `end` (arriving from above)."""
    bend = wire_bend(start.y(), end.y())
    path = QPainterPath(start)
    path.cubicTo(start + QPointF(0, bend), end - QPointF(0, bend), end)
    return path


# Where along the curve the polyline's points are: closer together near the ends, where it bends.
POLYLINE_T = tuple(0.5 - 0.5 * math.cos(math.pi * k / _SAMPLES) for k in range(_SAMPLES + 1))


def wire_polyline(start: QPointF, end: QPointF) -> QPolygonF:
    """`wire_path` as a polyline through the points at `POLYLINE_T`."""
    (x0, y0), (x3, y3) = start.toTuple(), end.toTuple()
    bend = wire_bend(y0, y3)
    y1, y2 = y0 + bend, y3 - bend
    points = []
    for t in POLYLINE_T:
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3
        points.append(QPointF((a + b) * x0 + (c + d) * x3, a * y0 + b * y1 + c * y2 + d * y3))
    return QPolygonF(points)


def draw_label(painter: QPainter, rect: QRectF, text: str, bad: bool, colour: QColor) -> None:
    """A wire's shape label: `text` in a rounded box outlined in the wire's `colour`."""
    painter.setPen(QPen(colour, 0.8))
    painter.setBrush(QBrush(theme.LABEL_FILL))
    painter.drawRoundedRect(rect, 4, 4)
    painter.setFont(_LABEL_FONT)
    painter.setPen(theme.ERROR if bad else theme.SUBTLE_TEXT)
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)


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
        self._placed: tuple[Any, ...] = ()  # the ends and label position last laid out
        self._far = False
        self.bundle: WireBundle | None = None  # paints this wire along with the others of a crowded port
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemIsSelectable)
        self.setZValue(0)

    def set_ends(self, start: QPointF, end: QPointF) -> None:
        """Lay the wire from `start` to `end` (nothing to do when that is where it already lies)."""
        placed = (start.x(), start.y(), end.x(), end.y(), self.label_at)
        if placed == self._placed:
            return
        self._placed = placed
        self.prepareGeometryChange()
        was = QRectF(self._bounds)
        self._path = wire_path(start, end)
        long = max(abs(end.x() - start.x()), abs(end.y() - start.y())) > LONG_WIRE
        self._polyline = wire_polyline(start, end) if long else None
        self._shape = None
        self._chord = QLineF(start, end)
        self.ends = placed[:4]
        self._place_label()
        if self.bundle is not None:
            self.bundle.changed(self, was)

    def set_label(self, label: str, bad: bool = False) -> None:
        if (label, bad) != (self.label, self.bad):
            self.prepareGeometryChange()
            was = QRectF(self._bounds)
            self.label, self.bad = label, bad
            self._place_label()
            self.setToolTip(f"{self.edge.source} → {self.edge.target}: {label}" if label else "")
            if self.bundle is not None:
                self.bundle.changed(self, was)

    def set_bundle(self, bundle: WireBundle | None) -> None:
        """Be painted by `bundle` (None: by this item again)."""
        self.bundle = bundle
        self._sync_contents()

    def set_far(self, far: bool) -> None:
        """Far out the overview draws the wire; the item stays selectable but draws nothing."""
        self._far = far
        if self.bundle is None or self.isSelected():  # else it draws nothing either way
            self._sync_contents()

    def _sync_contents(self) -> None:
        """Draw nothing far out, nor in a bundle unless selected (the bundle draws the wire itself)."""
        hidden = self._far or (self.bundle is not None and not self.isSelected())
        if hidden != bool(self.flags() & _NO_CONTENTS):
            scene = self.scene()
            if hidden and scene is not None:
                scene.update(self.sceneBoundingRect())  # the highlight it drew must go: Qt repaints only items with contents
            self.setFlag(_NO_CONTENTS, hidden)

    def itemChange(self, change: QGraphicsItem.GraphicsItemChange, value: Any) -> Any:
        if change == QGraphicsItem.GraphicsItemChange.ItemSelectedHasChanged:
            self._sync_contents()
        return super().itemChange(change, value)

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
        if self.label and lod >= LABEL_ZOOM:
            draw_label(painter, self._label_rect, self.label, self.bad, colour)
