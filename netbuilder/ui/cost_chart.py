"""The heaviest layers as a bar chart: which cards do most of the model's multiply-accumulates.

A table of 771 rows does not say where the computation goes; a chart of the
few heaviest layers does, at a glance. One horizontal bar per layer, the
heaviest on top, labelled with the node's name and its share of the model's
MACs; a layer marked as heavy (see `CostWatch.is_dominant`) is drawn in the
badges' warm colour. Clicking a bar (anywhere along its row) asks for that
card to be selected on the canvas.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from netbuilder.ui.canvas.cost_badge import HEAVY, short_count
from netbuilder.ui.canvas.theme import CATEGORY_COLOURS
from netbuilder.ui.cost_watch import CostWatch
from netbuilder.ui.training.pyqtgraph_setup import pg

BARS = 12
_BAR_HEIGHT = 0.7
_PLAIN = CATEGORY_COLOURS["Core"]


class CostChart(QWidget):
    """Horizontal bars of the heaviest layers' MACs, following a `CostWatch`."""

    node_clicked = Signal(str)

    def __init__(self, costs: CostWatch, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._costs = costs
        self.names: list[str] = []  # node ids, heaviest first, as the bars show them
        self.plot = pg.PlotWidget()
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.setMouseEnabled(x=False, y=False)  # a click selects; nothing to pan or zoom
        item = self.plot.getPlotItem()
        item.invertY(True)  # the heaviest on top
        item.setLabel("bottom", "MACs")
        item.setTitle("Heaviest layers")
        self._bars = pg.BarGraphItem(x0=[0.0], y=[0.0], height=_BAR_HEIGHT, width=[0.0], pen=pg.mkPen(None))
        item.addItem(self._bars)
        self.plot.scene().sigMouseClicked.connect(self._clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.plot)
        costs.updated.connect(self.refresh)
        self.refresh()

    def refresh(self) -> None:
        rows = self._costs.heaviest(BARS)
        self.names = [row.name for row in rows]
        widths = [float(row.macs) for row in rows]
        brushes = [pg.mkBrush(HEAVY if self._costs.is_dominant(row.name) else _PLAIN) for row in rows]
        self._bars.setVisible(bool(rows))
        if rows:  # pyqtgraph cannot draw an empty list of bars
            self._bars.setOpts(x0=[0.0] * len(rows), y=list(range(len(rows))), width=widths,
                               height=_BAR_HEIGHT, brushes=brushes)
        ticks = [(i, f"{row.name}  {self._costs.share(row.name):.0%}") for i, row in enumerate(rows)]
        item = self.plot.getPlotItem()
        item.getAxis("left").setTicks([ticks, []])
        item.getAxis("bottom").tickStrings = _count_ticks  # type: ignore[method-assign]
        if rows:
            item.setYRange(-0.5, len(rows) - 0.5, padding=0.02)
            item.setXRange(0, max(widths), padding=0.02)

    def bar_centre(self, node_id: str) -> QPointF:
        """Where `node_id`'s bar is, in the plot's viewport coordinates (for tests and screenshots)."""
        index = self.names.index(node_id)
        width = self._costs.rows[node_id].macs
        box = self.plot.getPlotItem().getViewBox()
        return self.plot.mapFromScene(box.mapViewToScene(QPointF(width / 2, index)))

    def _clicked(self, event: object) -> None:
        box = self.plot.getPlotItem().getViewBox()
        at = event.scenePos()  # type: ignore[attr-defined]
        if not box.sceneBoundingRect().contains(at):
            return
        y = box.mapSceneToView(at).y()
        index = round(y)
        if 0 <= index < len(self.names) and abs(y - index) <= _BAR_HEIGHT / 2:
            self.node_clicked.emit(self.names[index])


def _count_ticks(values: list[float], scale: float, spacing: float) -> list[str]:
    return [short_count(int(v)) for v in values]
