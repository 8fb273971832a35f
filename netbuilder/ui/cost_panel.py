"""The Model summary tab with costs: the summary table, the batch size and dtype its cost columns are for, and the chart.

The summary panel stays what it was (Keras' `model.summary()`, kept live);
this tab puts above it the choice of batch size and dtype (float32, mixed
float16, int8) that the MACs, FLOPs, weight and activation bytes columns are
figured for, with their totals, and beside it the chart of the heaviest
layers. The chart imports pyqtgraph, so it is made when the tab is first
shown, not while the window opens; costs are computed only while the tab or
the cards' badges show them (see `CostWatch.want`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QHideEvent, QShowEvent
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QSpinBox, QSplitter, QVBoxLayout, QWidget

from netbuilder.ui.canvas.cost_badge import short_count
from netbuilder.ui.cost_watch import DTYPES, CostWatch
from netbuilder.ui.model_summary import readable_size
from netbuilder.ui.summary_panel import SummaryPanel

if TYPE_CHECKING:
    from netbuilder.ui.cost_chart import CostChart

DTYPE_NAMES = {"float32": "float32", "mixed_float16": "mixed float16", "int8": "int8"}
MAX_BATCH = 1 << 20


class CostPanel(QWidget):
    """The summary table with cost columns, the batch size and dtype above it, the heaviest layers beside it."""

    node_clicked = Signal(str)  # a bar of the chart: select that card

    def __init__(self, summary: SummaryPanel, costs: CostWatch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = summary
        self.costs = costs
        self.chart: CostChart | None = None
        self.batch = QSpinBox()
        self.batch.setRange(1, MAX_BATCH)
        self.batch.setAccelerated(True)
        self.batch.setToolTip("MACs, FLOPs and activation bytes are for this many samples at once")
        self.dtype = QComboBox()
        for dtype in DTYPES:
            self.dtype.addItem(DTYPE_NAMES[dtype], dtype)
        self.dtype.setToolTip("Bytes per weight and activation: mixed float16 keeps float32 weights, "
                              "int8 is a fully quantised model")
        self.totals = QLabel()
        self.totals.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        controls = QHBoxLayout()
        controls.setContentsMargins(4, 4, 4, 0)
        controls.addWidget(QLabel("Costs for a batch of"))
        controls.addWidget(self.batch)
        controls.addWidget(QLabel("in"))
        controls.addWidget(self.dtype)
        controls.addSpacing(12)
        controls.addWidget(self.totals, 1)
        self.split = QSplitter(Qt.Orientation.Horizontal)
        self.split.addWidget(summary)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addLayout(controls)
        layout.addWidget(self.split, 1)
        summary.model.show_costs(costs)
        self.batch.valueChanged.connect(self._scale_changed)
        self.dtype.currentIndexChanged.connect(self._scale_changed)
        costs.updated.connect(self._show_totals)

    def totals_text(self) -> str:
        return self.totals.text()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if self.chart is None:
            from netbuilder.ui.cost_chart import CostChart  # pyqtgraph: only once the tab is looked at

            self.chart = CostChart(self.costs)
            self.chart.node_clicked.connect(self.node_clicked)
            self.split.addWidget(self.chart)
            self.split.setStretchFactor(0, 3)
            self.split.setStretchFactor(1, 2)
            whole = max(self.split.width(), 500)
            self.split.setSizes([whole * 3 // 5, whole * 2 // 5])  # room for the cost columns, the chart beside
        self.costs.want("summary", True)

    def hideEvent(self, event: QHideEvent) -> None:
        super().hideEvent(event)
        self.costs.want("summary", False)

    def _scale_changed(self) -> None:
        self.costs.set_scale(self.batch.value(), self.dtype.currentData())

    def _show_totals(self) -> None:
        total = self.costs.total
        if not total:
            self.totals.setText("")
            return
        self.totals.setText(f"Total: {short_count(total['macs'])} MACs ({total['macs']:,}) · "
                            f"{short_count(total['flops'])} FLOPs · weights {readable_size(total['weight_bytes'])}"
                            f" · activations {readable_size(total['activation_bytes'])}")
