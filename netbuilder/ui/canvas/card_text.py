"""What fits on a node card: how wide it grows, and each line elided at a word boundary.

A card grows (up to `theme.NODE_MAX_WIDTH`) until its layer, name, key
settings and output shape fit. Past that a line is cut where a word ends —
`separable_conv_1_reduction…`, `3×3 · 16 filters…` — never in the middle of
one unless a single word is wider than the card; the card's tooltip has every
line in full. Worked out when the card's look changes, not on every paint.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontMetricsF

from netbuilder.ui.canvas import theme

PAD = 10.0  # left and right margin inside the card
GAP = 8.0  # between the name and the settings beside it
ELLIPSIS = "…"
# Where a word ends: spaces, the "·" between settings, and the separators in layer names.
_WORD_END = re.compile(r"[ _\-./,·]")

LAYER_FONT = theme.font(8.5, bold=True)
NAME_FONT = theme.font(9.5, bold=True)
SMALL_FONT = theme.font(8.0)


@cache
def metrics(font: QFont) -> QFontMetricsF:
    """One metrics object per font (made on first use: it needs the application's fonts)."""
    return QFontMetricsF(font)


@dataclass(frozen=True)
class CardText:
    """The lines a card draws, already elided to its width."""

    width: float
    title: str  # the layer, in the coloured header
    name: str
    settings: str  # right of the name; "" when there is no room for any of it
    bottom: str  # the output shape, or what is wrong


def elide_words(text: str, font: QFont, width: float) -> str:
    """`text` if it fits in `width`, else its longest start ending at a word, followed by "…"."""
    fm = metrics(font)
    if fm.horizontalAdvance(text) <= width:
        return text
    room = width - fm.horizontalAdvance(ELLIPSIS)
    ends = [m.start() for m in _WORD_END.finditer(text)]
    for end in reversed(ends):
        head = text[:end].rstrip(" ·,")
        if head and fm.horizontalAdvance(head) <= room:
            return head + ELLIPSIS
    # One word wider than the card: cut it, as Qt would.
    return fm.elidedText(text, Qt.TextElideMode.ElideRight, max(width, 0.0))


def lay_out(title: str, tag: str, name: str, settings: str, bottom: str, bottom_grows: bool,
            least_width: float) -> CardText:
    """Fit a card's lines: at least `least_width` wide (its ports), wider up to NODE_MAX_WIDTH if the text asks.

    `tag` is drawn right of the title ("output"); `bottom_grows` is False for a
    problem message, which is elided rather than widening the card.
    """
    title_w = metrics(LAYER_FONT).horizontalAdvance(title)
    tag_w = metrics(LAYER_FONT).horizontalAdvance(tag) + GAP if tag else 0.0
    name_w = metrics(NAME_FONT).horizontalAdvance(name)
    settings_w = metrics(SMALL_FONT).horizontalAdvance(settings) + GAP if settings else 0.0
    bottom_w = metrics(SMALL_FONT).horizontalAdvance(bottom) if bottom_grows else 0.0
    wanted = max(title_w + tag_w, name_w + settings_w, bottom_w) + 2 * PAD
    width = min(max(least_width, wanted), max(least_width, theme.NODE_MAX_WIDTH))
    room = width - 2 * PAD
    if name_w + settings_w > room and settings:
        # The name keeps at least 60% of the line; the settings take what is left, cut at a word.
        name = elide_words(name, NAME_FONT, max(room - settings_w, room * 0.6))
        left = room - metrics(NAME_FONT).horizontalAdvance(name) - GAP
        settings = elide_words(settings, SMALL_FONT, left)
        if settings == ELLIPSIS or metrics(SMALL_FONT).horizontalAdvance(settings) > left:
            settings = ""  # not even a word fits: the tooltip has it
    else:
        name = elide_words(name, NAME_FONT, room)
    return CardText(width=width, title=elide_words(title, LAYER_FONT, room - tag_w), name=name,
                    settings=settings, bottom=elide_words(bottom, SMALL_FONT, room))
