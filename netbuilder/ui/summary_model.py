"""The Model summary as a Qt table model: rows made when the view shows them, updated edit by edit.

A tree widget holding one item per layer has to be refilled after every edit:
0.7 s for 10,000 layers, during which the window is frozen. This model hands
the view rows from a `SummaryTable`, which makes a row only when it is first
shown and forgets only the rows an edit touched; a refresh tells the view
which rows changed (or that some were appended or dropped at the end) so it
repaints those alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt
from PySide6.QtGui import QBrush, QFont, QFontDatabase

from netbuilder.ui.canvas.theme import ERROR
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.model_summary import Totals
from netbuilder.ui.summary_table import SummaryTable

HEADERS = ("Layer", "Type", "Output shape", "Param #", "Connected to")
_SHAPE, _PARAMS = 2, 3
_RIGHT = Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
_ROLE = Qt.ItemDataRole
Index = QModelIndex | QPersistentModelIndex


class SummaryModel(QAbstractTableModel):
    """Rows of `model.summary()` for the graph on the canvas; `refresh` follows the document's last check."""

    def __init__(self, document: EditorDocument) -> None:
        super().__init__()
        self._document = document
        self._table: SummaryTable | None = None
        self._mono: QFont = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self._error = QBrush(ERROR)

    @property
    def table(self) -> SummaryTable | None:
        """What the rows are read from (None before TensorFlow has loaded)."""
        return self._table

    def totals(self) -> Totals | None:
        return None if self._table is None else self._table.totals()

    def refresh(self) -> bool:
        """Follow the document's last check; True when the rows were laid out from scratch."""
        document = self._document
        if not document.keras_ready:
            if self._table is not None:
                self.beginResetModel()
                self._table = None
                self.endResetModel()
            return False
        troubles: dict[str, list[str]] = {}
        for problem in document.scope_problems():
            if problem.node_id is not None:
                troubles.setdefault(problem.node_id, []).append(problem.message)
        fresh = self._table is None or self._table.graph is not document.graph
        if fresh:
            self.beginResetModel()
            self._table = SummaryTable(document.graph, document.shapes, document.layer_of)
            self._table.apply(self._table.refresh(self._results(), troubles))  # reads every node the first time
            self.endResetModel()
            return True
        table = self._table
        assert table is not None
        plan = table.refresh(self._results(), troubles)
        old = len(table)
        if plan.moved:
            self.beginResetModel()
            table.apply(plan)
            self.endResetModel()
            return True
        if plan.appended:
            self.beginInsertRows(QModelIndex(), old, old + plan.appended - 1)
            table.apply(plan)
            self.endInsertRows()
        elif plan.dropped:
            self.beginRemoveRows(QModelIndex(), old - plan.dropped, old - 1)
            table.apply(plan)
            self.endRemoveRows()
        else:
            table.apply(plan)
        rows = [row for row in map(table.row_of, plan.changed) if row is not None]
        if rows:  # one signal: the view repaints what of that span it shows
            self.dataChanged.emit(self.index(min(rows), 0), self.index(max(rows), len(HEADERS) - 1))
        return False

    def _results(self) -> Mapping[str, object] | None:
        """The check's result per node, to tell which nodes it redid; None in a sub-model (re-read whole).

        Only the main graph's results come with the report; sub-models are small.
        """
        report = self._document.report
        if self._document.scope or report is None:
            return None
        return report.results

    # -- QAbstractTableModel -----------------------------------------------------------
    def rowCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() or self._table is None else len(self._table)

    def columnCount(self, parent: Index = QModelIndex()) -> int:
        return 0 if parent.isValid() else len(HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _ROLE.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == _ROLE.DisplayRole:
            return HEADERS[section]
        if role == _ROLE.TextAlignmentRole and section == _PARAMS:
            return _RIGHT
        return None

    def data(self, index: Index, role: int = _ROLE.DisplayRole) -> Any:
        table = self._table
        if table is None or not index.isValid():
            return None
        column = index.column()
        if role == _ROLE.DisplayRole:
            return table.row(index.row()).cells()[column]
        if role == _ROLE.FontRole and column in (_SHAPE, _PARAMS):
            return self._mono
        if role == _ROLE.TextAlignmentRole and column == _PARAMS:
            return _RIGHT
        if column == 0 and role in (_ROLE.ForegroundRole, _ROLE.ToolTipRole):
            # The summary is often read to find out why a count is "?".
            troubles = table.troubles.get(table.row(index.row()).node_id)
            if troubles:
                return self._error if role == _ROLE.ForegroundRole else "\n".join(troubles)
        return None
