"""The wires of a crowded port painted by one item, in one call.

A Concatenate of 10,000 layers is fed by 10,000 wires, and at close zoom most
of them cross the whole window: painted one item at a time they cost a Python
call each, a quarter of a second a frame. The scene hands the wires of a port
with more than `CROWDED` of them to a bundle, which keeps their segments (each
wire as the polyline of `wire_polyline`) in one array and paints those that
cross the area being painted with one `drawLines` call, one pixel wide and not
smoothed, as Qt draws thin lines fastest. Qt keeps the bundle's
picture between frames (device-coordinate cache), so a pan frame paints only
the strip scrolling into view: a few thousand segments of 300,000. (One
QPainterPath of every wire would be simpler, but Qt walks each element of a
path on every paint, on screen or not: 9 ms a strip for 10,000 wires, against
2 ms here.) The wire items stay, drawing nothing, for selection, tooltips,
menus and drops; a selected one draws its highlight over the bundle.
"""

from __future__ import annotations

import math
from typing import Any

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netbuilder.graph import Edge
from netbuilder.ui.canvas import theme
from netbuilder.ui.canvas.exposed import exposed_area
from netbuilder.ui.canvas.line_batch import crossing, draw_lines, extent_of
from netbuilder.ui.canvas.wire_item import LABEL_ZOOM, POLYLINE_T, WireItem, draw_label

CROWDED = 64  # wires at one port beyond which they are painted by a bundle
_LABEL_CELL = 2048.0  # scene units a side of the grid the labels are filed in
_FEW = 64  # wires changed since all were read together that are read alone, whatever their share
_PER_WIRE = len(POLYLINE_T) - 1  # segments
# Changed areas between two paints past which the whole picture is painted again: Qt would
# otherwise clip the next paint to the union of thousands of small areas (see overview.py).
_MOST_AREAS = 32

BundleKey = tuple[str, str, int]


def bundle_key(edge: Edge, fan_out: int, fan_in: int) -> BundleKey | None:
    """The bundle that paints `edge`, given how many wires leave its source port and enter its target.

    None for a wire that paints itself. A wire between two crowded ports goes
    with its source's.
    """
    if fan_out > CROWDED:
        return ("out", edge.source, edge.source_port)
    if fan_in > CROWDED:
        return ("in", edge.target, 0)
    return None


class _Chunk:
    """The segments of some of the wires, as numpy arrays (typed Any: numpy is imported late)."""

    segments: Any  # (n, 4) x1, y1, x2, y2: QLineF's layout
    extent: Any  # (n, 4) left, top, right, bottom of each segment
    bad: Any  # (n,) whether its wire is drawn red (the wire's target is wrong)
    alive: Any  # (n,) False once its wire has gone or changed (it is read again into a new chunk)

    def __init__(self, wires: list[WireItem]) -> None:
        import numpy as np  # late: see line_batch

        ends = np.array([wire.ends for wire in wires], dtype=np.float64)
        x0, y0, x3, y3 = ends.T
        bend = np.maximum(40.0, np.abs(y3 - y0) * 0.5)  # as wire_bend
        t = np.array(POLYLINE_T)
        a, b, c, d = (1 - t) ** 3, 3 * (1 - t) ** 2 * t, 3 * (1 - t) * t * t, t ** 3
        xs = np.outer(x0, a + b) + np.outer(x3, c + d)
        ys = np.outer(y0, a) + np.outer(y0 + bend, b) + np.outer(y3 - bend, c) + np.outer(y3, d)
        segments = np.stack([xs[:, :-1], ys[:, :-1], xs[:, 1:], ys[:, 1:]], axis=2).reshape(-1, 4)
        self.segments = np.ascontiguousarray(segments)
        self.extent = extent_of(segments)
        self.bad = np.repeat(np.array([wire.bad for wire in wires]), _PER_WIRE)
        self.alive = np.ones(len(segments), dtype=bool)

    def bounds(self) -> QRectF:
        left, top = self.extent[:, :2].min(axis=0)
        right, bottom = self.extent[:, 2:].max(axis=0)
        return QRectF(float(left), float(top), float(right - left), float(bottom - top))


class WireBundle(QGraphicsItem):
    """Paints its wires; a wire added, changed or removed is read again (alone) before the next paint.

    The wires are kept in two arrays: all of them as last read together, and
    those added or changed since (read again at each paint that follows a
    change, a handful after an edit). Once the second holds more than half as
    many as the first, all are read together again: loading 10,000 wires a
    slice at a time reads each a few times, an edit reads a few wires.
    """

    def __init__(self, key: BundleKey) -> None:
        super().__init__()
        self.key = key
        self._wires: dict[Edge, WireItem] = {}
        self._stale = False  # something to read before the next paint
        self._growing = False  # ... that makes the bounds grow: Qt has been told, and repaints it all
        self._all: _Chunk | None = None  # the wires as last read together
        self._in_all: dict[Edge, int] = {}  # a wire's first segment there, while it is drawn from there
        self._since: dict[Edge, WireItem] = {}  # wires added or changed since
        self._since_chunk: _Chunk | None = None
        self._rect = QRectF()
        self._labels: dict[tuple[int, int], dict[Edge, WireItem]] = {}
        self._label_cells: dict[Edge, list[tuple[int, int]]] = {}
        self._areas = 0  # changed areas since the last paint
        self.setZValue(-0.5)  # under the wire items (a selected one draws over it), over the overview
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)  # for the exposed strip
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)

    def __len__(self) -> int:
        return len(self._wires)

    def wires(self) -> list[WireItem]:
        return list(self._wires.values())

    def add(self, wire: WireItem) -> None:
        """Paint `wire` too (once routed and labelled)."""
        self._wires[wire.edge] = wire
        wire.set_bundle(self)
        self.changed(wire, QRectF())

    def remove(self, wire: WireItem) -> None:
        if self._wires.pop(wire.edge, None) is not None:
            wire.set_bundle(None)
            self._forget(wire.edge)
            self._since.pop(wire.edge, None)
            self._stale = True
            self._repaint(wire.boundingRect())

    def changed(self, wire: WireItem, was: QRectF) -> None:
        """`wire` moved or was relabelled (it covered `was`): it alone is read again before the next paint."""
        self._forget(wire.edge)
        self._since[wire.edge] = wire
        self._stale = True
        area = wire.boundingRect()
        if not self._rect.contains(area):
            self._grow()
        else:
            self._repaint(area if was.isNull() else area.united(was))

    def _forget(self, edge: Edge) -> None:
        """Stop drawing what was read of `edge`."""
        first = self._in_all.pop(edge, None)
        if first is not None and self._all is not None:
            self._all.alive[first:first + _PER_WIRE] = False
        for cell in self._label_cells.pop(edge, ()):
            del self._labels[cell][edge]

    def _repaint(self, area: QRectF) -> None:
        """Paint `area` again; only that part of the cached picture, unless many parts changed."""
        self._areas += 1
        if self._areas <= _MOST_AREAS:
            self.update(area)
        elif self._areas == _MOST_AREAS + 1:
            self.update()

    def _grow(self) -> None:
        if not self._growing:
            self.prepareGeometryChange()  # Qt reads the old bounds now, while they are still right
            self._growing = True
            self.update()

    # -- drawing -------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        self._read()
        return self._rect

    def shape(self) -> QPainterPath:
        return QPainterPath()  # the wire items are what the pointer finds

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        self._read()
        self._areas = 0
        area = exposed_area(painter, option)
        lod = option.levelOfDetailFromTransform(painter.worldTransform())
        # Not antialiased: at close zoom thousands of these lines cross the whole window, and
        # smoothing them doubles the time the first picture takes (an eighth of a second).
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        for chunk in (self._all, self._since_chunk):
            if chunk is None:
                continue
            shown = crossing(chunk.extent, area) & chunk.alive
            for bad, colour in ((False, theme.WIRE), (True, theme.ERROR)):
                # One screen pixel at any zoom (a cosmetic pen): Qt's fast path for thin lines.
                painter.setPen(QPen(colour, 0))
                draw_lines(painter, chunk.segments, shown & (chunk.bad == bad))
        if lod >= LABEL_ZOOM:
            for wire in self._labels_in(area):
                draw_label(painter, wire.label_rect(), wire.label, wire.bad, theme.ERROR if wire.bad else theme.WIRE)

    # -- reading the wires ---------------------------------------------------------
    def _read(self) -> None:
        """Read the wires changed since all were read together (or all of them, once those are many)."""
        if not self._stale:
            return
        self._stale = self._growing = False
        if len(self._since) > len(self._in_all) // 2 + _FEW:
            wires = list(self._wires.values())
            self._since, self._since_chunk = {}, None
            self._labels, self._label_cells = {}, {}
            self._all = _Chunk(wires) if wires else None
            self._in_all = {wire.edge: i * _PER_WIRE for i, wire in enumerate(wires)}
        else:
            wires = list(self._since.values())
            self._since_chunk = _Chunk(wires) if wires else None
        if not wires:
            return
        chunk = self._all if self._since_chunk is None else self._since_chunk
        assert chunk is not None
        rect = chunk.bounds()
        for wire in wires:
            for cell in self._label_cells.pop(wire.edge, ()):
                del self._labels[cell][wire.edge]
            if wire.label:
                box = wire.label_rect()
                rect = rect.united(box)
                cells = self._cells(box) or []
                for cell in cells:
                    self._labels.setdefault(cell, {})[wire.edge] = wire
                self._label_cells[wire.edge] = cells
        rect.adjust(-2, -2, 2, 2)
        # The bounds only grow (Qt was told, see _grow); shrinking them would need telling too.
        self._rect = rect if self._rect.isNull() else self._rect.united(rect)

    @staticmethod
    def _cells(area: QRectF, most: float = math.inf) -> list[tuple[int, int]] | None:
        """The grid cells `area` touches; None when there are more than `most`."""
        x0, x1 = math.floor(area.left() / _LABEL_CELL), math.floor(area.right() / _LABEL_CELL)
        y0, y1 = math.floor(area.top() / _LABEL_CELL), math.floor(area.bottom() / _LABEL_CELL)
        if (x1 - x0 + 1) * (y1 - y0 + 1) > most:
            return None
        return [(x, y) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]

    def _labels_in(self, area: QRectF) -> list[WireItem]:
        cells = self._cells(area, most=len(self._labels))
        filed = self._labels.values() if cells is None else (self._labels.get(cell, {}) for cell in cells)
        found = {edge: wire for wires in filed for edge, wire in wires.items()}  # a label on a cell border is in two
        return [wire for wire in found.values() if wire.label_rect().intersects(area)]
