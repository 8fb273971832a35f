"""The whole graph drawn by one item when zoomed far out: a coloured box per card, a line per wire.

Far out, cards are a few pixels each and thousands are on screen; painting them
one item at a time costs a Python call each, far more than a frame at 10,000
layers. There the scene stops the cards and wires painting themselves (they
stay selectable and keep their tooltips) and this item draws them all in a few
batched calls. Qt keeps its picture between frames (device-coordinate cache),
so panning only paints the strip that scrolls into view; the boxes and lines
are filed in a grid so that strip touches only a few cells.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable, Mapping

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netbuilder.graph import Edge
from netbuilder.ui.canvas import theme
from netbuilder.ui.canvas.looks import category_of
from netbuilder.ui.document import EditorDocument

if TYPE_CHECKING:
    from netbuilder.ui.canvas.node_item import NodeItem
    from netbuilder.ui.canvas.wire_item import WireItem

CELL = 4096.0  # scene units a side of one grid cell
_MOST_CELLS = 4  # a box or line spanning more cells than this is drawn whatever is exposed

Box = tuple[float, float, float, float, QColor]  # x, y, width, height, colour
Line = tuple[float, float, float, float]  # x1, y1, x2, y2
Shapes = Callable[[], tuple[list[Box], list[Line]]]


def graph_shapes(document: EditorDocument, items: Mapping[str, NodeItem], wires: Mapping[Edge, WireItem],
                 selected: set[str]) -> tuple[list[Box], list[Line]]:
    """Every card of the graph on the canvas as a box in its colour, every wire as a straight line.

    Cards not built yet (a big graph is drawn a slice at a time) are placed from the document.
    """
    graph, height = document.graph, theme.NODE_HEIGHT
    colours: dict[str, QColor] = {}
    boxes: list[Box] = []
    places: dict[str, tuple[float, float, float]] = {}
    for node in graph.nodes:
        item = items.get(node.id)
        if item is not None:
            pos = item.pos()
            x, y, width = pos.x(), pos.y(), item.width
        else:
            (x, y), width = node.position or (0.0, 0.0), theme.NODE_WIDTH
        places[node.id] = (x, y, width)
        if node.id in selected:
            colour = theme.SELECTED_BORDER
        elif item is not None and item.look.problems:
            colour = theme.ERROR
        else:
            colour = colours.get(node.layer) or colours.setdefault(
                node.layer, theme.category_colour(category_of(document, node.layer)))
        boxes.append((x, y, width, height, colour))
    lines: list[Line] = []
    for edge in graph.edges:
        wire = wires.get(edge)
        if wire is not None:
            lines.append(wire.ends)
        elif edge.source in places and edge.target in places:
            (sx, sy, sw), (tx, ty, tw) = places[edge.source], places[edge.target]
            lines.append((sx + sw / 2, sy + height, tx + tw / 2, ty))
    return boxes, lines


@dataclass
class _Cell:
    boxes: dict[int, list[QRectF]] = field(default_factory=dict)  # by colour (QRgb)
    lines: list[QLineF] = field(default_factory=list)


class OverviewItem(QGraphicsItem):
    """Draws what `shapes()` returns; the scene calls `invalidate` when any of it changes."""

    def __init__(self, shapes: Shapes) -> None:
        super().__init__()
        self._shapes = shapes
        self._dirty = False
        self._rect = QRectF()
        self._cells: dict[tuple[int, int], _Cell] = {}
        self._everywhere = _Cell()  # what spans too many cells to file
        self._colours: dict[int, QColor] = {}
        self.setZValue(-1)  # under the cards: the pointer finds them, not this
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)  # for the exposed strip
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setVisible(False)

    def set_shown(self, shown: bool) -> None:
        """Show (and re-read the graph) or hide; hidden, it ignores changes."""
        self.setVisible(shown)
        if shown:
            self._dirty = False
            self.invalidate()

    def invalidate(self) -> None:
        """The graph changed: re-read it before the next paint (once, however many changes come first)."""
        if self._dirty or not self.isVisible():
            return
        self.prepareGeometryChange()
        self._dirty = True
        self.update()

    def boundingRect(self) -> QRectF:
        self._read()
        return self._rect

    def shape(self) -> QPainterPath:
        return QPainterPath()  # never under the pointer: clicks, drops and tooltips belong to the cards

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        self._read()
        cells = [self._everywhere, *self._cells_in(option.exposedRect)]
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(QPen(theme.WIRE, 0))
        for cell in cells:
            if cell.lines:
                painter.drawLines(cell.lines)
        for rgba, colour in self._colours.items():
            painter.setPen(QPen(colour, 0))  # a cosmetic outline keeps a sub-pixel card one pixel big
            painter.setBrush(colour)
            for cell in cells:
                boxes = cell.boxes.get(rgba)
                if boxes:
                    painter.drawRects(boxes)

    # -- filing ----------------------------------------------------------------
    def _read(self) -> None:
        if not self._dirty:
            return
        self._dirty = False
        boxes, lines = self._shapes()
        self._cells, self._everywhere, self._colours = {}, _Cell(), {}
        if not boxes and not lines:
            self._rect = QRectF()
            return
        # Plain floats and ints here: 10,000 cards are read again after every edit far out.
        left = top = math.inf
        right = bottom = -math.inf
        for x, y, width, height, colour in boxes:
            rgba = colour.rgba()
            self._colours.setdefault(rgba, colour)
            box = QRectF(x, y, width, height)
            for cell in self._cells_for(x, y, x + width, y + height):
                cell.boxes.setdefault(rgba, []).append(box)
            left, top, right, bottom = min(left, x), min(top, y), max(right, x + width), max(bottom, y + height)
        for x1, y1, x2, y2 in lines:
            line = QLineF(x1, y1, x2, y2)
            x1, x2 = min(x1, x2), max(x1, x2)
            y1, y2 = min(y1, y2), max(y1, y2)
            for cell in self._cells_for(x1, y1, x2, y2):
                cell.lines.append(line)
            left, top, right, bottom = min(left, x1), min(top, y1), max(right, x2), max(bottom, y2)
        self._rect = QRectF(left - 2, top - 2, right - left + 4, bottom - top + 4)

    def _cells_for(self, left: float, top: float, right: float, bottom: float) -> list[_Cell]:
        x0, x1, y0, y1 = int(left // CELL), int(right // CELL), int(top // CELL), int(bottom // CELL)
        if x0 == x1 and y0 == y1:
            cell = self._cells.get((x0, y0))
            if cell is None:
                cell = self._cells[(x0, y0)] = _Cell()
            return [cell]
        if (x1 - x0 + 1) * (y1 - y0 + 1) > _MOST_CELLS:
            return [self._everywhere]
        return [self._cells.setdefault((x, y), _Cell()) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1)]

    def _cells_in(self, area: QRectF) -> list[_Cell]:
        x0, x1 = math.floor(area.left() / CELL), math.floor(area.right() / CELL)
        y0, y1 = math.floor(area.top() / CELL), math.floor(area.bottom() / CELL)
        if (x1 - x0 + 1) * (y1 - y0 + 1) > len(self._cells):
            return [cell for (x, y), cell in self._cells.items() if x0 <= x <= x1 and y0 <= y <= y1]
        found = (self._cells.get((x, y)) for x in range(x0, x1 + 1) for y in range(y0, y1 + 1))
        return [cell for cell in found if cell is not None]
