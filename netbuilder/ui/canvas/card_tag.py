"""Tags in a card's header — deployment ("⚠ TFLite"), training health ("♥ Health") — with one look and one life.

A tag is a small rounded label at the header's top right, straddling its top
edge (just above it on an output card, whose "output" label it would cover;
`NodeItem.tag_top`). Tags of a lower `rank` sit rightmost and the others line
up to their left, so re-placing them in any order never makes them swap. The
tag's tooltip says why it is there, and the card's own tooltip repeats that
line, where the user hovers most; a card rewrites its tooltip when its look
changes, so `attach` puts the line back each time the marks are brought up to
date, and `detach` takes it off with the tag.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import TypeVar

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QBrush, QColor, QPainter, QPen
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netbuilder.ui.canvas import theme
from netbuilder.ui.canvas.card_text import SMALL_FONT, metrics
from netbuilder.ui.canvas.node_item import NodeItem

GAP = 4.0  # between two tags on one card
HEIGHT = 16.0
Tag = TypeVar("Tag", bound="CardTag")


class CardTag(QGraphicsItem):
    """One tag on `card`: `text` on `colour`, `tooltip` (rich text) on hover, `tip_line` added to the card's;
    `says` is what it tells (a tag that should tell something else is made anew)."""

    rank = 0  # lower ranks sit further right

    def __init__(self, card: NodeItem, text: str, colour: QColor, tooltip: str, tip_line: str,
                 says: Hashable) -> None:
        super().__init__(card)
        self.text, self.colour, self._tip_line, self.says = text, colour, tip_line, says
        self._width = metrics(SMALL_FONT).horizontalAdvance(text) + 10
        self.setToolTip(tooltip)
        self.setZValue(2)
        self.place()

    def tip_line(self) -> str:
        """The line this tag adds to its card's tooltip."""
        return self._tip_line

    def place(self) -> None:
        """Top right of the header, left of the card's tags of a lower rank."""
        card = self.parentItem()
        assert isinstance(card, NodeItem)
        right = card.width - 4
        for other in card.childItems():
            if isinstance(other, CardTag) and other.rank < self.rank and other.isVisible():
                right = min(right, other.x() - GAP)
        self.setPos(right - self._width, card.tag_top())

    def attach(self) -> None:
        """Place the tag (its card may have grown, or got another tag) and put its line in the card's tooltip."""
        self.place()
        card = self.parentItem()
        if isinstance(card, NodeItem) and self._tip_line not in card.toolTip():
            card.setToolTip(card.toolTip().removesuffix("</div>") + self._tip_line + "</div>")

    def detach(self) -> None:
        """Take the tag off its card, and its line out of the card's tooltip."""
        card = self.parentItem()
        if isinstance(card, NodeItem):
            card.setToolTip(card.toolTip().replace(self._tip_line, ""))
        if self.scene() is not None:
            self.scene().removeItem(self)

    def boundingRect(self) -> QRectF:
        return QRectF(0, 0, self._width, HEIGHT)

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(theme.NODE_FILL, 1.2))
        painter.setBrush(QBrush(self.colour))
        painter.drawRoundedRect(self.boundingRect(), HEIGHT / 2, HEIGHT / 2)
        painter.setPen(theme.NODE_FILL)
        painter.setFont(SMALL_FONT)
        painter.drawText(self.boundingRect(), Qt.AlignmentFlag.AlignCenter, self.text)


def sync_tags(tags: dict[str, Tag], cards: Mapping[str, NodeItem], wanted: Mapping[str, Hashable],
              make: Callable[[NodeItem, Hashable], Tag]) -> None:
    """Bring `tags` (node id → tag) in line with `wanted` (node id → what its tag says) on `cards`.

    A tag whose card is gone or was made anew by the scene, or that says something else, comes off; a card
    that wants one and has none gets one from `make`; every tag is attached again (placed, its tooltip line
    put back), since its card may have grown, got another tag, or rewritten its tooltip.
    """
    for node_id, tag in list(tags.items()):
        card = cards.get(node_id)
        if card is None or tag.parentItem() is not card or tag.says != wanted.get(node_id):
            tag.detach()
            del tags[node_id]
    for node_id, says in wanted.items():
        card = cards.get(node_id)
        if card is None:
            continue
        tag = tags.get(node_id)
        if tag is None:
            tag = tags[node_id] = make(card, says)
        tag.attach()
