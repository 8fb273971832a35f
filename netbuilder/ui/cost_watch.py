"""What each card of the open project costs, kept current as the user edits, for the badges, summary and chart.

Costing follows the document's shape check: once a check is done (the
checker has built every layer), the calls it traced are costed with one
`layer_cost.Analysis` kept for the whole session, so after an edit only the
nodes it touched are costed again (milliseconds even for NASNetMobile's 771
layers; the first analysis takes some tens). That is quick enough for the GUI
thread, so no Keras object is shared with another thread. Checks come in
bursts, so costing waits for a short pause; and nothing is costed while no
one shows the costs (badges off, summary hidden).

Figures are per node of the main graph: a sub-model's layers are summed into
the card that calls it. The batch size and dtype chosen above the summary
scale them exactly as `netbuilder analyze --batch-size N --dtype D` does.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal

from netbuilder.ui.document import EditorDocument

if TYPE_CHECKING:  # Keras loads in the background after the window shows; costing starts once it has
    from netbuilder.keras_bridge.layer_cost import Analysis, CostRow, LayerCost

COST_DELAY_MS = 120
DTYPES = ("float32", "mixed_float16", "int8")
DOMINANT_SHARE = 0.2  # a card doing at least this share of the model's MACs is marked,
TOP_MARKED, TOP_SHARE = 3, 0.05  # and so are the few heaviest, in a big model where none reaches it


class CostWatch(QObject):
    """The cost of every node of the main graph, recomputed after each check while someone shows it."""

    updated = Signal()

    def __init__(self, document: EditorDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._document = document
        self._analysis: Analysis | None = None
        self._layers: list[LayerCost] = []
        self.batch_size = 1
        self.dtype = DTYPES[0]
        self.rows: dict[str, CostRow] = {}  # node id -> its figures for the batch size and dtype
        self.total: dict[str, int] = {}
        self._marked: set[str] = set()
        self._wanted: set[str] = set()
        self._stale = True
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(COST_DELAY_MS)
        self._timer.timeout.connect(self.refresh)
        document.checked.connect(self._schedule)

    def want(self, who: str, wanted: bool) -> None:
        """`who` (badges, summary) shows the costs or stops; they are computed only while someone does."""
        if wanted:
            self._wanted.add(who)
            if self._stale:  # soon, not inside the show or toggle that asked
                self._timer.start()
        else:
            self._wanted.discard(who)

    def set_scale(self, batch_size: int, dtype: str) -> None:
        """Figures for `batch_size` samples in `dtype` (no re-analysis: the per-sample costs are kept)."""
        self.batch_size, self.dtype = batch_size, dtype
        self._scale()

    def refresh(self) -> None:
        """Cost the document's last check now (the layers it did not change are not costed again)."""
        self._timer.stop()
        document = self._document
        report = document.report
        if not self._wanted:
            self._stale = True
            return
        self._stale = False
        if not document.keras_ready or report is None:
            self._layers = []
        else:
            from netbuilder.keras_bridge.cost_project import checked_calls
            from netbuilder.keras_bridge.layer_cost import Analysis

            self._analysis = self._analysis or Analysis()
            self._layers = self._analysis.of_calls(checked_calls(document.project, report.results))
        self._scale()

    def share(self, node_id: str) -> float:
        """The fraction of the model's MACs done by `node_id` (0 when unknown)."""
        row, whole = self.rows.get(node_id), self.total.get("macs", 0)
        return row.macs / whole if row is not None and whole else 0.0

    def is_dominant(self, node_id: str) -> bool:
        """Whether `node_id`'s card is marked as one where the computation goes."""
        return node_id in self._marked

    def heaviest(self, count: int) -> list[CostRow]:
        """The `count` nodes with the most MACs, heaviest first (nodes that compute nothing left out)."""
        ranked = sorted(self.rows.values(), key=lambda row: row.macs, reverse=True)
        return [row for row in ranked[:count] if row.macs > 0]

    def _scale(self) -> None:
        if not self._layers:  # nothing costed yet (perhaps TensorFlow is still loading): nothing to import
            self.rows, self.total, self._marked = {}, {}, set()
            self.updated.emit()
            return
        from netbuilder.keras_bridge.layer_cost import NUMBERS, CostRow, table

        costs = table(self._layers, self.batch_size, self.dtype)
        rows: dict[str, CostRow] = {}
        for row in costs.rows:
            node_id = row.name.split("/", 1)[0]  # a sub-model's layers are named "node/inner"
            before = rows.get(node_id)
            if before is None:
                rows[node_id] = row if node_id == row.name else CostRow(
                    node_id, row.cls, row.output_shapes, *(getattr(row, k) for k in NUMBERS))
            else:
                rows[node_id] = CostRow(node_id, before.cls, before.output_shapes,
                                        *(getattr(before, k) + getattr(row, k) for k in NUMBERS))
        self.rows, self.total = rows, dict(costs.total)
        self._marked = {row.name for row in self.heaviest(TOP_MARKED) if self.share(row.name) >= TOP_SHARE}
        self._marked |= {node_id for node_id in rows if self.share(node_id) >= DOMINANT_SHARE}
        self.updated.emit()

    def _schedule(self) -> None:
        self._stale = True
        if self._wanted:
            self._timer.start()
