"""The whole graph drawn by one item when zoomed far out: a coloured box per card, a line per wire.

Far out, cards are a few pixels each and thousands are on screen; painting them
one item at a time costs a Python call each, far more than a frame at 10,000
layers. There the scene stops the cards and wires painting themselves (they
stay selectable and keep their tooltips) and this item draws them all in a few
batched calls. Qt keeps its picture between frames (device-coordinate cache),
so panning only paints the strip that scrolls into view; the boxes and lines
are filed in a grid so that strip touches only a few cells.

The scene files each card and wire here as it builds, moves, recolours or
removes it (also while the overview is hidden), so an edit costs the few
boxes and lines it changes and zooming out costs nothing: reading all 10,000
cards again took a quarter of a second.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Hashable

from PySide6.QtCore import QLineF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netbuilder.ui.canvas import theme
from netbuilder.ui.canvas.exposed import exposed_area
from netbuilder.ui.canvas.line_batch import crossing, draw_lines, extent_of, line_array

CELL = 4096.0  # scene units a side of one grid cell
_MOST_CELLS = 4  # a box or line spanning more cells than this is drawn whatever is exposed
# Changes between two paints past which the whole picture is painted again: Qt would
# otherwise clip the next paint to the union of thousands of small areas.
_MOST_AREAS = 32
_MANY_LINES = 1000  # lines spanning many cells beyond which only those crossing the painted area are drawn


@dataclass
class _Cell:
    boxes: dict[int, dict[Hashable, QRectF]] = field(default_factory=dict)  # by colour (QRgb), then card
    lines: dict[Hashable, QLineF] = field(default_factory=dict)  # by wire


class OverviewItem(QGraphicsItem):
    """Draws the cards and wires filed with it; hidden, it keeps them filed but paints nothing."""

    def __init__(self) -> None:
        super().__init__()
        self._rect = QRectF()
        self._cells: dict[tuple[int, int], _Cell] = {}
        self._everywhere = _Cell()  # what spans too many cells to file
        self._colours: dict[int, QColor] = {}
        self._cards: dict[Hashable, tuple[QRectF, int, list[_Cell]]] = {}
        self._wires: dict[Hashable, tuple[QLineF, list[_Cell]]] = {}
        self._long: dict[Hashable, tuple[float, float, float, float]] = {}  # the lines filed everywhere, as numbers
        self._long_arrays: tuple[Any, Any] | None = None  # numpy (lines, extents) of them; None: to be made
        self._areas = 0  # changed areas since the last paint
        self.setZValue(-1)  # under the cards: the pointer finds them, not this
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)
        self.setFlag(QGraphicsItem.GraphicsItemFlag.ItemUsesExtendedStyleOption)  # for the exposed strip
        self.setCacheMode(QGraphicsItem.CacheMode.DeviceCoordinateCache)
        self.setVisible(False)

    def set_shown(self, shown: bool) -> None:
        self.setVisible(shown)
        if shown:
            self.update()  # its cached picture is from before the changes made while hidden

    # -- filing ------------------------------------------------------------------
    def set_card(self, key: Hashable, x: float, y: float, width: float, height: float, colour: QColor) -> None:
        """File (or move, or recolour) the box of card `key`."""
        rgba = colour.rgba()
        box = QRectF(x, y, width, height)
        old = self._cards.get(key)
        if old is not None and old[0] == box and old[1] == rgba:
            return
        self.remove_card(key)
        self._colours.setdefault(rgba, colour)
        cells = self._cells_for(x, y, x + width, y + height)
        for cell in cells:
            cell.boxes.setdefault(rgba, {})[key] = box
        self._cards[key] = (box, rgba, cells)
        self._changed(box)

    def remove_card(self, key: Hashable) -> None:
        old = self._cards.pop(key, None)
        if old is not None:
            box, rgba, cells = old
            for cell in cells:
                del cell.boxes[rgba][key]
            self._changed(box)

    def set_wire(self, key: Hashable, x1: float, y1: float, x2: float, y2: float) -> None:
        """File (or move) the line of wire `key`."""
        line = QLineF(x1, y1, x2, y2)
        old = self._wires.get(key)
        if old is not None and old[0] == line:
            return
        self.remove_wire(key)
        cells = self._cells_for(min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
        for cell in cells:
            cell.lines[key] = line
        self._wires[key] = (line, cells)
        if cells[0] is self._everywhere:
            self._long[key] = (x1, y1, x2, y2)
            self._long_arrays = None
        self._changed(_line_rect(line))

    def remove_wire(self, key: Hashable) -> None:
        old = self._wires.pop(key, None)
        if old is not None:
            line, cells = old
            for cell in cells:
                del cell.lines[key]
            if self._long.pop(key, None) is not None:
                self._long_arrays = None
            self._changed(_line_rect(line))

    def _changed(self, area: QRectF) -> None:
        area = area.adjusted(-2, -2, 2, 2)
        if not self._rect.contains(area):
            self.prepareGeometryChange()  # room only grows: shrinking would mean reading every box again
            self._rect = area if self._rect.isNull() else self._rect.united(area)
        if self.isVisible():
            self._areas += 1
            if self._areas <= _MOST_AREAS:
                self.update(area)  # only that part of the cached picture is painted again
            elif self._areas == _MOST_AREAS + 1:
                self.update()

    # -- drawing -------------------------------------------------------------------
    def boundingRect(self) -> QRectF:
        return self._rect

    def shape(self) -> QPainterPath:
        return QPainterPath()  # never under the pointer: clicks, drops and tooltips belong to the cards

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        self._areas = 0
        area = exposed_area(painter, option)
        cells = [self._everywhere, *self._cells_in(area)]
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        painter.setPen(QPen(theme.WIRE, 0))
        many = len(self._long) > _MANY_LINES  # the 20,000 wires of a 10,000-input fan cross every cell
        if many:
            self._draw_long_lines(painter, area)
        for cell in cells[1:] if many else cells:
            if cell.lines:
                painter.drawLines(list(cell.lines.values()))
        for rgba, colour in self._colours.items():
            painter.setPen(QPen(colour, 0))  # a cosmetic outline keeps a sub-pixel card one pixel big
            painter.setBrush(colour)
            for cell in cells:
                boxes = cell.boxes.get(rgba)
                if boxes:
                    painter.drawRects(list(boxes.values()))

    def _draw_long_lines(self, painter: QPainter, area: QRectF) -> None:
        if self._long_arrays is None:
            lines = line_array(list(self._long.values()))
            self._long_arrays = (lines, extent_of(lines))
        lines, extent = self._long_arrays
        draw_lines(painter, lines, crossing(extent, area))

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


def _line_rect(line: QLineF) -> QRectF:
    return QRectF(line.p1(), line.p2()).normalized()
