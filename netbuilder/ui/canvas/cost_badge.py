"""Cost badges: a short line on each card saying what its layer costs, and a mark on the heaviest ones.

Users look for where the computation goes before they look at totals, so
each card shows its "1.2 M MACs" and "4.7 k params" on its bottom line, in
place of the output shape (which the labels of its wires and its tooltip still
show; under the card the badge would hide those labels), or under the card
when that line says what is wrong with it. A card doing a large share of the
model's multiply-accumulates (see `CostWatch.is_dominant`) gets a warm band
down its left edge and its badge in the same colour. A badge is a child item
of its card: it moves and goes with it, and the card's own drawing and layout
are left alone. Badges are drawn only while the View menu's toggle is on.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QGraphicsItem, QStyleOptionGraphicsItem, QWidget

from netbuilder.ui.canvas import theme
from netbuilder.ui.canvas.card_text import PAD, SMALL_FONT, metrics
from netbuilder.ui.canvas.node_item import NodeItem
from netbuilder.ui.canvas.scene import GraphScene
from netbuilder.ui.cost_watch import CostWatch

HEAVY = QColor("#e8710a")  # warm, apart from the categories' colours and the red of errors
BADGE_FILL = QColor(255, 255, 255, 230)
BAND_WIDTH = 5.0
_PAD = 5.0
_HEIGHT = 16.0
_LINE_TOP = theme.HEADER_HEIGHT + 22.0  # the card's bottom line (see NodeItem.paint), where the badge goes
_SUFFIXES = ((10**12, "T"), (10**9, "G"), (10**6, "M"), (10**3, "k"))


def short_count(n: int) -> str:
    """A count as people read it on a card: 1234 -> "1.2 k", 4_700_000 -> "4.7 M"."""
    for size, suffix in _SUFFIXES:
        if abs(n) >= size:
            value = n / size
            return f"{value:.0f} {suffix}" if value >= 100 else f"{value:.1f} {suffix}"
    return str(n)


def badge_text(macs: int, params: int) -> str:
    return f"{short_count(macs)} MACs · {short_count(params)} params"


class CostBadge(QGraphicsItem):
    """The cost line of one card; `dominant` adds the band on the card's left edge."""

    def __init__(self, card: NodeItem) -> None:
        super().__init__(card)
        self._card = card  # kept: asking Qt for the parent item costs more than all the rest of an update
        self.text = ""
        self.dominant = False
        self.share = 0.0
        self.on_card = True  # where it was laid out last (the card's look decides)
        self.setAcceptedMouseButtons(Qt.MouseButton.NoButton)  # clicks go to the card

    def set_cost(self, text: str, share: float, dominant: bool) -> None:
        on_card = self._on_card()
        if (text, dominant, share, on_card) == (self.text, self.dominant, self.share, self.on_card):
            return
        self.prepareGeometryChange()
        self.text, self.share, self.dominant, self.on_card = text, share, dominant, on_card
        self.setToolTip(f"{share:.0%} of the model's multiply-accumulates" if share else "")
        self.update()

    def _card_width(self) -> float:
        return self._card.width

    def _on_card(self) -> bool:
        """Over the card's bottom line, unless that line says what is wrong or missing with it."""
        look = self._card.look
        return not look.problems and not look.hints

    def _pills(self) -> list[tuple[QRectF, str]]:
        """The MACs and the parameters, and where each goes: the ends of the card's bottom line, else below it."""
        width = self._card_width()
        texts = self.text.partition(" · ")[::2]
        sizes = [metrics(SMALL_FONT).horizontalAdvance(text) + 2 * _PAD for text in texts]
        if self.on_card:
            top, lefts = _LINE_TOP, (PAD - _PAD, width - PAD + _PAD - sizes[1])
        else:  # either side of the output port, clear of it
            centre, gap = width / 2, theme.PORT_RADIUS + 3
            top, lefts = theme.NODE_HEIGHT + 3, (centre - gap - sizes[0], centre + gap)
        return [(QRectF(x, top, size, _HEIGHT), text) for x, size, text in zip(lefts, sizes, texts)]

    def boundingRect(self) -> QRectF:
        rect = QRectF(-1, -1, self._card_width() + 2, theme.NODE_HEIGHT + 2)
        for pill, _ in self._pills():
            rect = rect.united(pill.adjusted(-1, -1, 1, 1))
        return rect

    def paint(self, painter: QPainter, option: QStyleOptionGraphicsItem, widget: QWidget | None = None) -> None:
        if not self.text or option.levelOfDetailFromTransform(painter.worldTransform()) < 0.35:
            return  # far out the cards' colours are all one can read
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        if self.dominant:
            band = QRectF(0, theme.HEADER_HEIGHT, BAND_WIDTH, theme.NODE_HEIGHT - theme.HEADER_HEIGHT - theme.CORNER)
            painter.fillRect(band, HEAVY)
        if self.on_card:  # the output shape the line held is on the card's wires and in its tooltip
            painter.fillRect(QRectF(BAND_WIDTH, _LINE_TOP - 1, self._card_width() - 2 * BAND_WIDTH, _HEIGHT + 2),
                             theme.NODE_FILL)
        painter.setFont(SMALL_FONT)
        for pill, text in self._pills():
            painter.setPen(HEAVY if self.dominant else theme.NODE_BORDER)
            painter.setBrush(HEAVY if self.dominant else BADGE_FILL)
            painter.drawRoundedRect(pill, _HEIGHT / 2, _HEIGHT / 2)
            painter.setPen(QColor("white") if self.dominant else theme.SUBTLE_TEXT)
            painter.drawText(pill, Qt.AlignmentFlag.AlignCenter, text)


class CostBadges:
    """Puts a badge on every card of the main graph while shown, following the costs as they change."""

    def __init__(self, scene: GraphScene, costs: CostWatch) -> None:
        self._scene = scene
        self._costs = costs
        self.shown = False
        # node id -> (its card, the badge on it); asking a card for its children costs more than the badge.
        self._badges: dict[str, tuple[NodeItem, CostBadge]] = {}
        costs.updated.connect(self._update)
        # A big graph's cards are drawn a slice at a time, after its costs may have come.
        scene.load_progress.connect(lambda built, total: built == total and self._update())

    def set_shown(self, shown: bool) -> None:
        self.shown = shown
        self._costs.want("badges", shown)
        self._update()

    def badge(self, node_id: str) -> CostBadge | None:
        """The badge on `node_id`'s card, if it has one shown."""
        item = self._scene.nodes.get(node_id)
        held = self._badges.get(node_id)
        if item is None or held is None or held[0] is not item:
            return None
        return held[1] if held[1].isVisible() else None

    def _update(self) -> None:
        rows = self._costs.rows if self.shown and not self._scene.document.scope else {}
        cards = self._scene.nodes
        # Cards gone (deleted, or another graph shown) took their badges with them.
        self._badges = {node_id: held for node_id, held in self._badges.items() if cards.get(node_id) is held[0]}
        for node_id, item in cards.items():
            held = self._badges.get(node_id)
            row = rows.get(node_id)
            if row is None:
                if held is not None:
                    held[1].hide()
                continue
            if held is None:
                held = self._badges[node_id] = (item, CostBadge(item))
            held[1].set_cost(badge_text(row.macs, row.params), self._costs.share(node_id),
                             self._costs.is_dominant(node_id))
            held[1].show()
