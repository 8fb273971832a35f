"""The welcome screen the main window shows while no project is open.

Like the welcome page of a good editor, it puts the next step one click away:
start a new project, open or import one, reopen a recent one, or learn from a
bundled example. When netbuilder died with unsaved work it first offers that
work back. It only emits signals and calls the callbacks it is given (the
main window does the opening), and reads the examples as plain JSON so it can
appear long before TensorFlow has loaded.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from functools import partial
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QMouseEvent, QPainter, QPaintEvent, QPalette, QShowEvent
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from netbuilder.resources import example_names, example_path, example_title
from netbuilder.ui.recent_files import RecentFiles
from netbuilder.ui.recovery import RecoveredWork

TAGLINE = "Draw a neural network, check it as you wire it, train it, export it."
CONTENT_WIDTH = 900
NO_RECENT = "No recent projects yet"

STYLE = """
#startCanvas { background: palette(base); }
QLabel#appName { font-size: 26pt; font-weight: 300; }
QLabel#tagline { font-size: 12pt; color: #7a7a7a; }
QLabel#heading { font-size: 13pt; font-weight: 600; padding: 14px 0 2px 11px; }
QLabel[muted="true"] { color: #7a7a7a; }
QLabel#empty { padding-left: 11px; }
QLabel#tileTitle { font-weight: 600; }
QPushButton#action { border: none; text-align: left; padding: 3px 11px; font-size: 11pt; color: palette(link); }
QPushButton#action:hover { text-decoration: underline; }
QFrame#tile { border: 1px solid transparent; border-radius: 6px; }
QFrame#tile[card="true"] { border-color: palette(midlight); }
QFrame#tile:hover, QFrame#tile:focus { border-color: palette(highlight); background: palette(alternate-base); }
QLabel#recoveryTitle { font-size: 13pt; font-weight: 600; }
QFrame#recovery { background: #fff4ce; border: 1px solid #e3c566; border-radius: 6px; }
QFrame#recovery QLabel { color: #3d3000; }
QFrame#recovery QLabel[muted="true"] { color: #6b5a1e; }
"""


def folder_text(path: Path) -> str:
    """The folder of `path`, with the home folder shortened to `~` as file dialogs do."""
    folder, home = path.parent, Path.home()
    return str(Path("~") / folder.relative_to(home)) if folder.is_relative_to(home) else str(folder)


class ElidedLabel(QLabel):
    """One line that gives up its middle ("~/pro…/nets") instead of widening the page."""

    def __init__(self, text: str, parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)

    def paintEvent(self, event: QPaintEvent) -> None:
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideMiddle, rect.width())
        painter = QPainter(self)
        self.style().drawItemText(painter, rect, int(Qt.AlignmentFlag.AlignVCenter), self.palette(),
                                  self.isEnabled(), text, QPalette.ColorRole.WindowText)
        painter.end()


class Tile(QFrame):
    """A clickable entry: a bold title with a grey line beside it (`stacked`: below it)."""

    clicked = Signal()

    def __init__(self, title: str, detail: str, stacked: bool, tooltip: str = "") -> None:
        super().__init__()
        self.setObjectName("tile")
        self.setProperty("card", stacked)
        self.setCursor(Qt.CursorShape.PointingHandCursor)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setAccessibleName(title)
        self.setToolTip(tooltip)
        self.title = QLabel(title)
        self.title.setObjectName("tileTitle")
        self.detail = QLabel(detail) if stacked else ElidedLabel(detail)
        self.detail.setProperty("muted", True)
        self.detail.setWordWrap(stacked)
        for label in (self.title, self.detail):
            label.setTextFormat(Qt.TextFormat.PlainText)  # a file named "<b>x</b>" is shown as named
        layout = QVBoxLayout(self) if stacked else QHBoxLayout(self)
        layout.setContentsMargins(10, 7, 10, 7)
        layout.setSpacing(3 if stacked else 10)
        layout.addWidget(self.title)
        layout.addWidget(self.detail, 1)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(event.position().toPoint()):
            self.clicked.emit()
        else:
            super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.clicked.emit()
        else:
            super().keyPressEvent(event)


class StartPage(QWidget):
    """Welcome screen: actions, recent projects, examples and unsaved work to recover."""

    new_requested = Signal()
    open_requested = Signal()
    open_path = Signal(Path)
    import_requested = Signal()
    help_requested = Signal()  # Help ▸ Getting Started, for whoever opens netbuilder the first time

    def __init__(self, recent: RecentFiles, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._recent = recent
        self.setStyleSheet(STYLE)

        column = QWidget()
        column.setMaximumWidth(CONTENT_WIDTH)
        body = QVBoxLayout(column)
        body.setContentsMargins(40, 36, 40, 36)
        body.setSpacing(6)
        name = QLabel("netbuilder")
        name.setObjectName("appName")
        tagline = QLabel(TAGLINE)
        tagline.setObjectName("tagline")
        tagline.setWordWrap(True)
        body.addWidget(name)
        body.addWidget(tagline)

        self.recovery = QFrame()
        self.recovery.setObjectName("recovery")
        self._recovery_rows = QVBoxLayout(self.recovery)
        self._recovery_rows.setContentsMargins(16, 12, 16, 12)
        self.recovery.hide()
        body.addSpacing(14)
        body.addWidget(self.recovery)

        columns = QHBoxLayout()
        columns.setSpacing(40)
        left = QVBoxLayout()
        left.setSpacing(6)  # a nested layout would otherwise take the 40 px between the columns
        left.addWidget(_heading("Start"))
        left.addLayout(self._actions())
        left.addWidget(_heading("Recent"))
        self._recent_list = QVBoxLayout()
        self._recent_list.setSpacing(0)
        left.addLayout(self._recent_list)
        left.addStretch(1)
        right = QVBoxLayout()
        right.setSpacing(8)
        right.addWidget(_heading("Examples"))
        for example in example_names():
            right.addWidget(self._example_tile(example))
        right.addStretch(1)
        columns.addLayout(left, 2)
        columns.addLayout(right, 3)
        body.addLayout(columns)
        body.addStretch(1)

        canvas = QWidget()
        canvas.setObjectName("startCanvas")
        centring = QHBoxLayout(canvas)
        centring.setContentsMargins(0, 0, 0, 0)
        # The column takes all width up to its maximum; the side stretches only take what is left.
        centring.addStretch(1)
        centring.addWidget(column, 1000)
        centring.addStretch(1)
        scroll = QScrollArea()
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidgetResizable(True)
        scroll.setWidget(canvas)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)

        recent.changed.connect(self._fill_recent)
        self._fill_recent()

    # -- recovered work --------------------------------------------------------------
    def set_recovered(self, items: list[RecoveredWork], on_restore: Callable[[RecoveredWork], None],
                      on_discard: Callable[[RecoveredWork], None]) -> None:
        """Offer `items` back on top of the page (hidden when there are none).

        A row goes away once its callback returns, whatever the callback did with it.
        """
        _clear(self._recovery_rows)
        title = QLabel("Recover unsaved work")
        title.setObjectName("recoveryTitle")
        note = QLabel("netbuilder closed before these projects were saved. Restore one to keep working on it.")
        note.setProperty("muted", True)
        note.setWordWrap(True)
        self._recovery_rows.addWidget(title)
        self._recovery_rows.addWidget(note)
        for work in items:
            self._recovery_rows.addWidget(self._recovery_row(work, on_restore, on_discard))
        self.recovery.setVisible(bool(items))

    def _recovery_row(self, work: RecoveredWork, on_restore: Callable[[RecoveredWork], None],
                      on_discard: Callable[[RecoveredWork], None]) -> QWidget:
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 8, 0, 0)
        text = QVBoxLayout()
        text.setSpacing(1)
        name = QLabel(work.name)
        name.setTextFormat(Qt.TextFormat.PlainText)
        name.setObjectName("tileTitle")
        where = ElidedLabel(str(work.original) if work.original is not None else "never saved")
        where.setProperty("muted", True)
        where.setToolTip(str(work.original or ""))
        when = QLabel(autosaved_text(work.saved_at))
        when.setProperty("muted", True)
        for label in (name, where, when):
            text.addWidget(label)
        layout.addLayout(text, 1)
        for caption, callback in (("Restore", on_restore), ("Discard", on_discard)):
            button = QPushButton(caption)
            button.setAccessibleName(f"{caption} {work.name}")
            button.clicked.connect(partial(self._settle, work, callback, row))
            layout.addWidget(button)
        return row

    def _settle(self, work: RecoveredWork, callback: Callable[[RecoveredWork], None], row: QWidget) -> None:
        callback(work)
        self._recovery_rows.removeWidget(row)
        row.setParent(None)
        row.deleteLater()
        # The title and the note stay; without rows the whole section goes.
        self.recovery.setVisible(self._recovery_rows.count() > 2)

    # -- the two columns ---------------------------------------------------------------
    def _actions(self) -> QGridLayout:
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(2)
        rows = [
            ("New project", QKeySequence.StandardKey.New, self.new_requested),
            ("Open…", QKeySequence.StandardKey.Open, self.open_requested),
            ("Import Keras model…", None, self.import_requested),
            ("Getting started", QKeySequence.StandardKey.HelpContents, self.help_requested),
        ]
        for row, (caption, key, signal) in enumerate(rows):
            button = QPushButton(caption)
            button.setObjectName("action")
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(signal)
            grid.addWidget(button, row, 0)
            if key is not None:
                shortcut = QLabel(QKeySequence(key).toString(QKeySequence.SequenceFormat.NativeText))
                shortcut.setProperty("muted", True)
                grid.addWidget(shortcut, row, 1)
        grid.setColumnStretch(2, 1)
        return grid

    def _fill_recent(self) -> None:
        _clear(self._recent_list)
        paths = self._recent.paths()
        if not paths:
            empty = QLabel(NO_RECENT)
            empty.setObjectName("empty")
            empty.setProperty("muted", True)
            self._recent_list.addWidget(empty)
        for path in paths:
            tile = Tile(path.name, folder_text(path), stacked=False, tooltip=str(path))
            tile.clicked.connect(partial(self.open_path.emit, path))
            self._recent_list.addWidget(tile)

    def _example_tile(self, example: str) -> Tile:
        path = example_path(example)
        try:
            with path.open(encoding="utf-8") as fh:
                doc = json.load(fh)
        except (OSError, ValueError):
            doc = {}  # still listed by its file name; opening it will say what is wrong
        description = doc.get("description") if isinstance(doc, dict) else None
        tile = Tile(example_title(example), description if isinstance(description, str) else "", stacked=True,
                    tooltip=str(path))
        tile.clicked.connect(partial(self.open_path.emit, path))
        return tile

    def showEvent(self, event: QShowEvent) -> None:
        # Projects may have been moved or deleted while the page was hidden.
        self._fill_recent()
        super().showEvent(event)


def autosaved_text(saved_at: datetime) -> str:
    """"autosaved today at 14:02", or with the date when it was another day."""
    local = saved_at.astimezone()
    day = "today" if local.date() == datetime.now().astimezone().date() else f"on {local:%d %b %Y}"
    return f"autosaved {day} at {local:%H:%M}"


def _heading(text: str) -> QLabel:
    label = QLabel(text)
    label.setObjectName("heading")
    label.setIndent(0)  # the style sheet's padding lines headings up with the entries below
    return label


def _clear(layout: QVBoxLayout) -> None:
    while layout.count():
        widget = layout.takeAt(0).widget()
        if widget is not None:
            widget.setParent(None)
            widget.deleteLater()
