"""The Model summary panel: Keras' `model.summary()` table for the graph on the canvas, kept live.

Users check a design against the parameter counts they expect, so the panel
shows what `model.summary()` would, row for row and with the same totals, but
read from the shape checker's results (see `model_summary`) instead of
building a model, which is too slow to do after every edit of a big graph.
Edits come in bursts (a drag, a paste, undo held down), so refreshes are
coalesced on a short timer and skipped entirely while the panel is hidden.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QFontDatabase, QShowEvent
from PySide6.QtWidgets import QLabel, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from netbuilder.ui.canvas.theme import ERROR, SUBTLE_TEXT
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.model_summary import SummaryRow, summary_rows

HEADERS = ("Layer", "Type", "Output shape", "Param #", "Connected to")
WAITING_TEXT = "Shapes and parameter counts appear once TensorFlow has loaded…"
REFRESH_DELAY_MS = 150
_SHAPE, _PARAMS = 2, 3
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter


class SummaryPanel(QWidget):
    """A read-only table of layers, output shapes, parameter counts and inputs, plus totals."""

    def __init__(self, document: EditorDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.waiting = QLabel(WAITING_TEXT)
        self.waiting.setStyleSheet(f"color: {SUBTLE_TEXT.name()};")
        self.waiting.setWordWrap(True)
        self.table = QTreeWidget()
        self.table.setHeaderLabels(list(HEADERS))
        self.table.headerItem().setTextAlignment(_PARAMS, _RIGHT)
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)  # lets Qt lay out hundreds of rows without measuring each
        self.table.setSortingEnabled(False)  # the order is Keras': inputs before their users
        self.totals = QLabel()
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.waiting)
        layout.addWidget(self.table)
        layout.addWidget(self.totals)
        self._mono = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REFRESH_DELAY_MS)
        self._timer.timeout.connect(self._refresh_if_visible)
        self._stale = True
        self._document = document
        document.checked.connect(self._schedule)
        self.refresh()

    def rows(self) -> list[tuple[str, str, str, str, str]]:
        """(name, layer type, output shape, params, connected to) of each row as shown."""
        return [tuple(self.table.topLevelItem(i).text(c) for c in range(len(HEADERS)))  # type: ignore[misc]
                for i in range(self.table.topLevelItemCount())]

    def totals_text(self) -> str:
        return self.totals.text()

    def refresh(self) -> None:
        """Rebuild the table from the document's latest check, now."""
        self._timer.stop()
        self._stale = False
        document = self._document
        ready = document.keras_ready
        self.waiting.setVisible(not ready)
        self.table.setVisible(ready)
        self.totals.setVisible(ready)
        self.table.setUpdatesEnabled(False)
        self.table.clear()
        if ready:
            rows, totals = summary_rows(document.graph, document.shapes, document.layer_of)
            troubles: dict[str | None, list[str]] = {}
            for problem in document.scope_problems():
                troubles.setdefault(problem.node_id, []).append(problem.message)
            self.table.addTopLevelItems([self._item(row, troubles.get(row.node_id, [])) for row in rows])
            self.totals.setText(totals.text())
            for column in range(len(HEADERS) - 1):  # the last column stretches
                self.table.resizeColumnToContents(column)
        else:
            self.totals.clear()
        self.table.setUpdatesEnabled(True)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self._stale:
            self.refresh()

    def _schedule(self) -> None:
        self._stale = True
        self._timer.start()

    def _refresh_if_visible(self) -> None:
        if self.isVisible():
            self.refresh()

    def _item(self, row: SummaryRow, troubles: list[str]) -> QTreeWidgetItem:
        item = QTreeWidgetItem(list(row.cells()))
        item.setFont(_SHAPE, self._mono)
        item.setFont(_PARAMS, self._mono)
        item.setTextAlignment(_PARAMS, _RIGHT)
        if troubles:  # the summary is often read to find out why a count is "?"
            item.setForeground(0, QBrush(ERROR))
            item.setToolTip(0, "\n".join(troubles))
        return item
