"""Renaming a card where it is: a line edit laid over the card's name.

Good editors rename in place (F2 in a file manager, a double-click in a
node editor): the user keeps looking at the card. Enter or clicking away
renames, Esc leaves the name as it was; the window turns the text into an
undoable edit and says why when the name cannot be used.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QFocusEvent, QKeyEvent
from PySide6.QtWidgets import QGraphicsView, QLineEdit

from netbuilder.ui.canvas import theme
from netbuilder.ui.canvas.node_item import NodeItem

_MIN_WIDTH = 140  # room to type, however far out the canvas is zoomed


class InlineRename(QLineEdit):
    """A one-shot editor over `card`'s name line; emits `finished` once, unless cancelled."""

    finished = Signal(str, str)  # (node id, the text typed)

    def __init__(self, view: QGraphicsView, card: NodeItem, name: str) -> None:
        super().__init__(view.viewport())
        self.node_id = card.node_id
        self._view = view
        self._original = name
        self._closed = False
        self.setObjectName("inline_rename")
        self.setText(name)
        self.setPlaceholderText(f"{card.node_id} (the node id)")
        line = QRectF(card.pos().x() + 6, card.pos().y() + theme.HEADER_HEIGHT + 2, card.width - 12, 20)
        rect = view.mapFromScene(line).boundingRect()
        height = max(rect.height(), self.sizeHint().height())
        self.setGeometry(rect.x(), rect.center().y() - height // 2, max(rect.width(), _MIN_WIDTH), height)
        self.selectAll()
        self.show()
        self.setFocus(Qt.FocusReason.OtherFocusReason)
        self.editingFinished.connect(self._finish)  # Enter, or focus gone elsewhere

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self._close()
            event.accept()
            return
        super().keyPressEvent(event)

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self._finish()  # a click elsewhere on the canvas does not always end editing by itself

    def _finish(self) -> None:
        if self._closed:
            return
        text = self.text()
        self._close()
        if text != self._original:
            self.finished.emit(self.node_id, text)

    def _close(self) -> None:
        self._closed = True
        if self.hasFocus():  # Enter or Esc: typing goes back to the canvas (Tab, Space, Del)
            self._view.setFocus()
        self.hide()
        self.deleteLater()
