"""A message bubble shown on the canvas where something happened (a refused wire, say).

It sits on the view's viewport at the drop point, says why in plain words and
offers the obvious fixes as buttons; it never blocks the work the way a dialog
would. A bubble that offers a fix stays until the user answers it: a button,
Enter (the first fix), Esc, a click anywhere else, or another edit — never a
timer, since the user may still be reading or reaching for the button. A bubble
that only informs fades after a while, but not while the pointer is over it.
"""

from __future__ import annotations

from typing import Callable, Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, QTimer
from PySide6.QtGui import QEnterEvent
from PySide6.QtWidgets import QApplication, QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

FADE_SECONDS = 8.0  # how long a bubble without buttons stays once the pointer is off it

_STYLE = """
QFrame#toast { background: #fff7f6; border: 1px solid #d93025; border-radius: 8px; }
QLabel#toastTitle { color: #b3261e; font-weight: bold; }
QLabel#toastText { color: #1f2328; }
QPushButton { padding: 3px 10px; }
"""

Action = tuple[str, Callable[[], None]]


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
        self._actions: list[Action] = []
        self._fade = QTimer(self)
        self._fade.setSingleShot(True)
        self._fade.timeout.connect(self.dismiss)
        self.hide()

    @property
    def offers_actions(self) -> bool:
        return bool(self._actions)

    def show_at(self, pos: QPoint, title: str, text: str, actions: Sequence[Action] = ()) -> None:
        """Show at `pos` (parent coordinates); the first of `actions` is the one Enter applies."""
        self.title.setText(title)
        self.text.setText(text)
        self._actions = list(actions)
        while self.buttons.count() > 1:
            item = self.buttons.takeAt(1)
            if item.widget() is not None:
                item.widget().deleteLater()
        for index, (label, _) in enumerate(self._actions):
            button = QPushButton(label, self)
            button.setDefault(index == 0)
            button.clicked.connect(lambda _=False, i=index: self._apply(i))
            self.buttons.addWidget(button)
        close = QPushButton("Dismiss", self)
        close.setFlat(True)
        close.clicked.connect(self.dismiss)
        self.buttons.addWidget(close)
        for button in self.findChildren(QPushButton):
            # Keyboard focus stays on the canvas (Enter and Esc answer the bubble there):
            # a focused button would take the Space meant for quick-add as a click.
            button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.layout().activate()
        self.adjustSize()
        parent = self.parentWidget()
        x = min(max(4, pos.x() + 12), max(4, parent.width() - self.width() - 4))
        y = min(max(4, pos.y() + 12), max(4, parent.height() - self.height() - 4))
        self.move(x, y)
        self.show()
        self.raise_()
        QApplication.instance().installEventFilter(self)
        if not self._actions and not self.underMouse():
            self._fade.start(int(FADE_SECONDS * 1000))

    def apply_main(self) -> bool:
        """Apply the first fix offered (what Enter does); False when there is none."""
        if not self._actions or not self.isVisible():
            return False
        self._apply(0)
        return True

    def dismiss(self) -> None:
        """Close without applying anything."""
        self._fade.stop()
        QApplication.instance().removeEventFilter(self)
        self.hide()

    def _apply(self, index: int) -> None:
        action = self._actions[index][1]
        self.dismiss()  # first: the fix is an edit, and an edit closes the bubble anyway
        action()

    # -- answering the user ------------------------------------------------------
    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        # A press anywhere outside the bubble means the user has moved on.
        if event.type() == QEvent.Type.MouseButtonPress and isinstance(watched, QWidget) \
                and watched is not self and not self.isAncestorOf(watched):
            self.dismiss()
        return False

    def enterEvent(self, event: QEnterEvent) -> None:
        self._fade.stop()  # the user is reading it
        super().enterEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if not self._actions and self.isVisible():
            self._fade.start(int(FADE_SECONDS * 1000))
        super().leaveEvent(event)

    def keyPressEvent(self, event) -> None:  # noqa: ANN001 (Qt signature)
        if event.key() == Qt.Key.Key_Escape:
            self.dismiss()
        elif event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.offers_actions:
            self.apply_main()
        else:
            super().keyPressEvent(event)

    # -- for tests -----------------------------------------------------------------
    def button_labels(self) -> list[str]:
        """The offered actions, for tests."""
        return [self.buttons.itemAt(i).widget().text() for i in range(1, self.buttons.count())
                if self.buttons.itemAt(i).widget() is not None]

    def button(self, label: str) -> QPushButton:
        """The button with this label (KeyError if none)."""
        for i in range(1, self.buttons.count()):
            widget = self.buttons.itemAt(i).widget()
            if isinstance(widget, QPushButton) and widget.text() == label:
                return widget
        raise KeyError(label)

    def click(self, label: str) -> None:
        """Press the button with this label (tests and keyboard users)."""
        self.button(label).click()
