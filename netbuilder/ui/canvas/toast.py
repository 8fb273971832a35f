"""A message bubble shown on the canvas where something happened (a refused wire, say).

It sits on the view's viewport at the drop point, says why in plain words,
offers the obvious fixes as buttons, and goes away on its own, on Esc, or
when the user clicks elsewhere: it never blocks the work the way a dialog would.
"""

from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QPoint, Qt, QTimer
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

_STYLE = """
QFrame#toast { background: #fff7f6; border: 1px solid #d93025; border-radius: 8px; }
QLabel#toastTitle { color: #b3261e; font-weight: bold; }
QLabel#toastText { color: #1f2328; }
QPushButton { padding: 3px 10px; }
"""


class Toast(QFrame):
    """One message at a time; `show_at` replaces whatever was shown before."""

    def __init__(self, parent: QWidget) -> None:
        super().__init__(parent)
        self.setObjectName("toast")
        self.setStyleSheet(_STYLE)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 8)
        self.title = QLabel(self)
        self.title.setObjectName("toastTitle")
        self.text = QLabel(self)
        self.text.setObjectName("toastText")
        self.text.setWordWrap(True)
        # A fixed width lets the wrapped text ask for the height it needs
        # (a free-width wrapped label under-reports it and gets cut off).
        self.text.setFixedWidth(340)
        self.buttons = QHBoxLayout()
        self.buttons.addStretch(1)
        layout.addWidget(self.title)
        layout.addWidget(self.text)
        layout.addLayout(self.buttons)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.hide)
        self.hide()

    def show_at(self, pos: QPoint, title: str, text: str,
                actions: Sequence[tuple[str, Callable[[], None]]] = (), seconds: float = 8.0) -> None:
        self.title.setText(title)
        self.text.setText(text)
        while self.buttons.count() > 1:
            item = self.buttons.takeAt(1)
            if item.widget() is not None:
                item.widget().deleteLater()
        for label, action in actions:
            button = QPushButton(label, self)
            button.clicked.connect(lambda _=False, act=action: (self.hide(), act()))
            self.buttons.addWidget(button)
        close = QPushButton("Dismiss", self)
        close.setFlat(True)
        close.clicked.connect(self.hide)
        self.buttons.addWidget(close)
        self.layout().activate()
        self.adjustSize()
        parent = self.parentWidget()
        x = min(max(4, pos.x() + 12), max(4, parent.width() - self.width() - 4))
        y = min(max(4, pos.y() + 12), max(4, parent.height() - self.height() - 4))
        self.move(x, y)
        self.show()
        self.raise_()
        self._timer.start(int(seconds * 1000))

    def keyPressEvent(self, event) -> None:  # noqa: ANN001 (Qt signature)
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
        else:
            super().keyPressEvent(event)

    def button_labels(self) -> list[str]:
        """The offered actions, for tests."""
        return [self.buttons.itemAt(i).widget().text() for i in range(1, self.buttons.count())
                if self.buttons.itemAt(i).widget() is not None]

    def click(self, label: str) -> None:
        """Press the button with this label (tests and keyboard users)."""
        for i in range(1, self.buttons.count()):
            widget = self.buttons.itemAt(i).widget()
            if isinstance(widget, QPushButton) and widget.text() == label:
                widget.click()
                return
        raise KeyError(label)
