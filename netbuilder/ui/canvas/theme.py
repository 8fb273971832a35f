"""Sizes, colours and fonts of the canvas in one place, so items agree with each other.

Colours follow the palette category of a layer, muted enough that the red of
an invalid node and the green/grey of port hints during a drag stand out.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QFont

NODE_WIDTH = 190.0
# A card grows to this for a long name or settings, then elides (card_text.py); no wider,
# since the automatic layout puts cards 220 apart (graph/layout.py Spacing.column).
NODE_MAX_WIDTH = 212.0
NODE_HEIGHT = 66.0
HEADER_HEIGHT = 22.0
CORNER = 7.0
PORT_RADIUS = 6.0
GRID = 20.0
FAR_ZOOM = 0.15  # below this zoom the overview draws the graph (overview.py); the cards and wires draw nothing

BACKGROUND = QColor("#f4f5f7")
GRID_DOT = QColor("#d9dce1")
NODE_FILL = QColor("#ffffff")
NODE_BORDER = QColor("#9aa3ae")
SELECTED_BORDER = QColor("#2f6fde")
ERROR = QColor("#d93025")
ERROR_FILL = QColor("#fdecea")
TEXT = QColor("#1f2328")
SUBTLE_TEXT = QColor("#5f6b7a")
WIRE = QColor("#7d8794")
WIRE_SELECTED = QColor("#2f6fde")
LABEL_FILL = QColor(255, 255, 255, 225)
PORT_FILL = QColor("#ffffff")
PORT_VALID = QColor("#1e9e57")
PORT_INVALID = QColor("#c3c7cd")
PORT_HOVER_INVALID = ERROR

CATEGORY_COLOURS = {
    "Input": "#3d8f5a",
    "Core": "#3f6fb5",
    "Convolution": "#8a5cc2",
    "Pooling": "#5b8dbf",
    "Recurrent": "#c2771f",
    "Attention": "#b8457d",
    "Merge": "#2f8f8f",
    "Normalization": "#6b7d2f",
    "Regularization": "#7a7a7a",
    "Reshaping": "#9c6b3f",
    "Activation": "#c0533a",
    "Embedding": "#4d6fa0",
    "Sub-models": "#37474f",
}
DEFAULT_COLOUR = "#607080"


def category_colour(category: str) -> QColor:
    return QColor(CATEGORY_COLOURS.get(category, DEFAULT_COLOUR))


def font(point_size: float, bold: bool = False) -> QFont:
    f = QFont()
    f.setPointSizeF(point_size)
    f.setBold(bold)
    return f
