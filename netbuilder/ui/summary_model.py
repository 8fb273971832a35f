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
from netbuilder.ui.cost_watch import CostWatch
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.model_summary import Totals, readable_size
from netbuilder.ui.summary_table import SummaryTable

HEADERS = ("Layer", "Type", "Output shape", "Param #", "Connected to")
# After the summary's own columns, once costs are shown (see `show_costs`): for the chosen batch and dtype.
COST_HEADERS = ("MACs", "FLOPs", "Weight bytes", "Activation bytes")
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
        self._costs: CostWatch | None = None

    @property
    def table(self) -> SummaryTable | None:
        """What the rows are read from (None before TensorFlow has loaded)."""
        return self._table

    def show_costs(self, costs: CostWatch) -> None:
        """Add the cost columns, filled from `costs` and repainted whenever they change."""
        self.beginInsertColumns(QModelIndex(), len(HEADERS), len(HEADERS) + len(COST_HEADERS) - 1)
        self._costs = costs
        self.endInsertColumns()
        costs.updated.connect(self._costs_changed)

    def _costs_changed(self) -> None:
        if self.rowCount():
            self.dataChanged.emit(self.index(0, len(HEADERS)), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def cost_text(self, node_id: str, column: int) -> str:
        """What a cost column shows for `node_id`: "" while it is not costed."""
        row = self._costs.rows.get(node_id) if self._costs is not None else None
        if row is None:
            return ""
        number = (row.macs, row.flops, row.weight_bytes, row.activation_bytes)[column - len(HEADERS)]
        return f"{number:,}" if column < len(HEADERS) + 2 else readable_size(number)

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
        return 0 if parent.isValid() else len(HEADERS) + (len(COST_HEADERS) if self._costs is not None else 0)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _ROLE.DisplayRole) -> Any:
        if orientation != Qt.Orientation.Horizontal:
            return None
        if role == _ROLE.DisplayRole:
            return (HEADERS + COST_HEADERS)[section]
        if role == _ROLE.TextAlignmentRole and section >= _PARAMS and section != len(HEADERS) - 1:
            return _RIGHT
        return None

    def data(self, index: Index, role: int = _ROLE.DisplayRole) -> Any:
        table = self._table
        if table is None or not index.isValid():
            return None
        column = index.column()
        if column >= len(HEADERS):  # a cost column: numbers, right-aligned like Param #
            if role == _ROLE.DisplayRole:
                return self.cost_text(table.row(index.row()).node_id, column)
            return self._mono if role == _ROLE.FontRole else _RIGHT if role == _ROLE.TextAlignmentRole else None
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
