"""A card's activation preview: what its layer outputs for the chosen sample, drawn beside the card.

The picture arrives as a small uint8 array (see training/activations.py,
built off the GUI thread); here it only becomes an indexed `QImage` with a
colour map, which is cheap enough for the GUI thread even for hundreds of
cards. The item is a child of the card, so it moves with it, and sits to its
right, where the wires between cards above and below do not run. A click on
it asks for the large view.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Callable

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QFont, QImage, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QGraphicsSceneMouseEvent, QStyleOptionGraphicsItem, QWidget

from netbuilder.ui.canvas import theme

if TYPE_CHECKING:  # the module itself imports Keras; the canvas must not, at launch
    from netbuilder.training.activations import Picture

SIZE = theme.NODE_HEIGHT  # square, as tall as the card
GAP = 8.0
# Viridis at five stops: dark for low values, yellow for high, readable for colour-blind users.
_STOPS = [(68, 1, 84), (59, 82, 139), (33, 145, 140), (94, 201, 98), (253, 231, 37)]


def _colour_table() -> list[int]:
    table = []
    for i in range(256):
        at = i / 255 * (len(_STOPS) - 1)
        k = min(int(at), len(_STOPS) - 2)
        f = at - k
        r, g, b = (round(a + (c - a) * f) for a, c in zip(_STOPS[k], _STOPS[k + 1]))
        table.append(QColor(r, g, b).rgb())
    return table


COLOURS = _colour_table()


def to_image(picture: Picture) -> QImage | None:
    """The picture's pixels as an indexed image (None for a text picture)."""
    import numpy as np  # here, not at launch: the canvas shows no preview until asked

    if picture.pixels is None:
        return None
    pixels = np.ascontiguousarray(picture.pixels)
    height, width = pixels.shape
    image = QImage(pixels.data, width, height, width, QImage.Format.Format_Indexed8).copy()  # copy: own the bytes
    image.setColorTable(COLOURS)
    return image


def describe(picture: Picture) -> str:
    """One line saying what the picture shows, for the tooltip and the large view."""
    shape = "×".join(str(d) for d in picture.shape) or "scalar"
    what = {"grid": f"{picture.tiles} feature maps", "strip": "values", "histogram": "histogram of the values",
            "heatmap": "heat map (time across, features down)", "text": "values"}[picture.kind]
    span = f", from {picture.low:.3g} to {picture.high:.3g}" if picture.kind != "text" else ""
    return f"{shape}: {what}{span}"


class ActivationPreviewItem(QGraphicsItem):
    """The preview beside one card; `on_click` opens the large view."""

    def __init__(self, card: QGraphicsItem, on_click: Callable[[], None]) -> None:
        super().__init__(card)
        self._on_click = on_click
        self.picture: Picture | None = None
        self.image: QImage | None = None
        self.setAcceptedMouseButtons(Qt.MouseButton.LeftButton)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.place()

    def place(self) -> None:
        """Beside the card, whose width grows with its text."""
        card = self.parentItem()
        width = card.boundingRect().width() - 4 if card is not None else theme.NODE_WIDTH
        self.setPos(width + GAP, 0)

    def show_picture(self, picture: Picture) -> None:
        self.picture = picture
        self.image = to_image(picture)
        self.setToolTip(f"What this layer outputs for the sample: {describe(picture)}. Click to see it large.")
        self.place()
        self.update()

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, SIZE, SIZE)

    def mousePressEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        event.accept()  # the press is ours, not the card's (which would start a drag)

    def mouseReleaseEvent(self, event: QGraphicsSceneMouseEvent) -> None:
        if self.boundingRect().contains(event.pos()):
            self._on_click()

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        rect = self.boundingRect()
        painter.fillRect(rect, QColor("#20232a"))
        picture, image = self.picture, self.image
        if image is not None and picture is not None:
            target = _fit(rect.adjusted(2, 2, -2, -2), image.width(), image.height(), picture.kind)
            painter.drawImage(target, image)  # nearest-neighbour: a small map's pixels stay sharp
        elif picture is not None:
            painter.setPen(QColor("white"))
            painter.setFont(QFont(painter.font().family(), 7))
            painter.drawText(rect.adjusted(3, 3, -3, -3), Qt.TextFlag.TextWordWrap, picture.text)
        painter.setPen(QPen(theme.NODE_BORDER, 1))
        painter.setBrush(Qt.BrushStyle.NoBrush)  # the frame only: the painter may come with the last item's brush
        painter.drawRect(rect)


def _fit(rect: QRectF, width: int, height: int, kind: str) -> QRectF:
    """Where an image of this size goes in `rect`: strips and histograms fill it, maps keep their aspect."""
    if kind in ("strip", "histogram"):
        return rect
    scale = min(rect.width() / max(width, 1), rect.height() / max(height, 1))
    w, h = width * scale, height * scale
    return QRectF(rect.center().x() - w / 2, rect.center().y() - h / 2, w, h)
