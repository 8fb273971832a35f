"""The Model summary panel: Keras' `model.summary()` table for the graph on the canvas, kept live.

Users check a design against the parameter counts they expect, so the panel
shows what `model.summary()` would, row for row and with the same totals, but
read from the shape checker's results (see `model_summary`) instead of
building a model, which is too slow to do after every edit of a big graph.
The table is a view of `SummaryModel`, which makes only the rows on screen and
after an edit repaints only those it touched, so a 10,000-layer project is
summarised as quickly as a small one. Edits come in bursts (a drag, a paste,
undo held down), so refreshes are coalesced on a short timer and skipped
entirely while the panel is hidden.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QLabel, QTableView, QVBoxLayout, QWidget

from netbuilder.ui.canvas.theme import SUBTLE_TEXT
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.project_loading import is_big
from netbuilder.ui.summary_model import HEADERS, SummaryModel

WAITING_TEXT = "Shapes and parameter counts appear once TensorFlow has loaded…"
REFRESH_DELAY_MS = 150


class SummaryPanel(QWidget):
    """A read-only table of layers, output shapes, parameter counts and inputs, plus totals."""

    def __init__(self, document: EditorDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.waiting = QLabel(WAITING_TEXT)
        self.waiting.setStyleSheet(f"color: {SUBTLE_TEXT.name()};")
        self.waiting.setWordWrap(True)
        self.model = SummaryModel(document)
        # A table view, not a tree view: a tree asks the model for every row's index whenever
        # rows come or go (20 ms at 10,000 layers); a table asks for the rows it shows.
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.table.setSortingEnabled(False)  # the order is Keras': inputs before their users
        rows = self.table.verticalHeader()
        rows.hide()
        rows.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)  # one height for every row: none is measured
        rows.setDefaultSectionSize(self.table.fontMetrics().height() + 6)
        columns = self.table.horizontalHeader()
        columns.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        columns.setStretchLastSection(True)
        columns.setResizeContentsPrecision(0)  # columns fit the rows on screen, not rows made just to be measured
        self._fit_pending = False
        self.totals = QLabel()
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.waiting)
        layout.addWidget(self.table)
        layout.addWidget(self.totals)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self._refresh_if_visible)
        self._stale = True
        self._filled = False
        self._document = document
        document.checked.connect(self._schedule)
        # Filled once even while hidden (its totals are read); a big project's a moment later, on its
        # own: reading its every layer takes a tenth of a second, on top of showing the project.
        if is_big(document.project):
            QTimer.singleShot(REFRESH_DELAY_MS, self, self._fill_once)
        else:
            self.refresh()

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """(name, layer type, output shape, params, connected to) of each row as the view reads it (makes them all)."""
        model = self.model
        return [tuple(model.index(r, c).data() for c in range(len(HEADERS)))  # type: ignore[misc]
                for r in range(model.rowCount())]

    def totals_text(self) -> str:
        return self.totals.text()

    def refresh(self) -> None:
        """Bring the table up to the document's latest check, now."""
        self._timer.stop()
        self._stale = False
        self._filled = True
        ready = self._document.keras_ready
        self.waiting.setVisible(not ready)
        self.table.setVisible(ready)
        self.totals.setVisible(ready)
        before = self.model.table.graph if self.model.table is not None else None
        scroll = self.table.verticalScrollBar().value()
        if self.model.refresh():  # laid out from scratch: fit the columns to the rows now on screen
            self._fit_pending = True
            self._fit_columns()
            if self.model.table is not None and self.model.table.graph is before:
                self.table.verticalScrollBar().setValue(scroll)  # the same graph, reordered: stay put
        totals = self.model.totals()
        self.totals.setText("" if totals is None else totals.text())

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()
        self._fit_columns()

    def _fit_columns(self) -> None:
        """Fit the columns to the rows on screen, once shown: hidden, Qt would measure every row."""
        if self._fit_pending and self.table.isVisible():
            self._fit_pending = False
            for column in range(len(HEADERS) - 1):  # the last column stretches
                self.table.resizeColumnToContents(column)

    def _fill_once(self) -> None:
        if not self._filled:
            self.refresh()

    def _schedule(self) -> None:
        self._stale = True
        self._timer.start()

    def _refresh_if_visible(self) -> None:
        if self.isVisible():
            self.refresh()
