"""Thousands of line segments drawn in one call: those that cross the area being painted.

The wire bundles and the far-out overview hold tens of thousands of long
lines, of which a repaint of a strip or of one changed card needs a few
hundred. A Python loop (or Qt walking a path) over all of them costs a
millisecond per few thousand on every paint; numpy picks the ones that cross
the area, and Qt draws them from the array's memory with one `drawLines` call
(its array-of-QLineF form: four doubles a line, no QLineF objects made).
numpy is imported with TensorFlow long before a graph has this many lines;
importing it with the canvas would add to the launch time of every window.
"""

from __future__ import annotations

from typing import Any

import shiboken6
from PySide6.QtCore import QLineF, QRectF
from PySide6.QtGui import QPainter


def line_array(lines: list[tuple[float, float, float, float]]) -> Any:
    """(n, 4) x1, y1, x2, y2 per line, as numpy floats: QLineF's layout."""
    import numpy as np

    return np.array(lines, dtype=np.float64).reshape(-1, 4)


def extent_of(segments: Any) -> Any:
    """(n, 4) left, top, right, bottom of each line."""
    import numpy as np

    return np.stack([np.minimum(segments[:, 0], segments[:, 2]), np.minimum(segments[:, 1], segments[:, 3]),
                     np.maximum(segments[:, 0], segments[:, 2]), np.maximum(segments[:, 1], segments[:, 3])], axis=1)


def crossing(extent: Any, area: QRectF) -> Any:
    """Which lines' extents meet `area` (a boolean array)."""
    return ((extent[:, 2] >= area.left()) & (extent[:, 0] <= area.right())
            & (extent[:, 3] >= area.top()) & (extent[:, 1] <= area.bottom()))


def draw_lines(painter: QPainter, segments: Any, chosen: Any) -> None:
    """Draw the `chosen` rows of `segments` with the painter's pen, in one call."""
    lines = segments[chosen]  # a fresh contiguous copy, which Qt reads as QLineF[]
    if len(lines):
        painter.drawLines(shiboken6.wrapInstance(lines.ctypes.data, QLineF), len(lines))
