"""The Training tab's Health view: per-layer weight and gradient norms over training, and the warnings.

Two plots side by side, weight norm and gradient norm against training
steps on a log scale (norms of different layers differ by orders of
magnitude, and a vanishing or exploding gradient is exactly such a gap), one
curve per layer in the same colour in both, with one legend above them.
Below, every health warning of the run as a sentence; a warning that names
a layer is a link, and clicking it asks (`layer_chosen`) for that layer's card
to be shown. Checks arrive as `HealthCheck` events and are drawn only in
`flush`, which the panel calls from its timer, so a burst of checks never
stalls the event loop. A past run is shown from its folder (`show_run`), and a
damaged record there is said in place of the warnings, naming the file.
"""

from __future__ import annotations

import html
import math
from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from netbuilder.training.events import HealthCheck, HealthWarning
from netbuilder.training.health_record import HealthRecordError, read_checks, read_warnings
from netbuilder.ui.training.live_plots import OVERLAY_COLORS, TRAIN_COLOR, VAL_COLOR
from netbuilder.ui.training.pyqtgraph_setup import pg

COLORS = (TRAIN_COLOR, VAL_COLOR, *OVERLAY_COLORS, "#d62728")
QUANTITIES = {"weight_norm": "Weight norm", "grad_norm": "Gradient norm"}
EMPTY_TEXT = "Per-layer weight and gradient norms appear here while a run trains."
QUIET_TEXT = "No health warnings: no dead ReLU, vanishing or exploding gradients, or layer that does not learn."
NO_RECORD_TEXT = "Run {run} recorded no training health (it trained on several devices, or before health was checked)."
WARNING_COLOUR = "#b3261e"


class HealthView(QWidget):
    """Weight and gradient norm curves per layer for the live run, and its health warnings."""

    layer_chosen = Signal(str)  # a warning's link was clicked: the name of the layer it is about
    warnings_changed = Signal(list)  # [(layer name, sentence)] of the warnings shown now (the cards' marks follow)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setMinimumHeight(160)
        self.legend = pg.LegendItem(labelTextSize="8pt", horSpacing=14, verSpacing=-6, colCount=6)
        self.legend.layout.setContentsMargins(40, 0, 0, 0)  # in line with the plots' left axes
        self.canvas.addItem(self.legend, row=0, col=0, colspan=len(QUANTITIES))
        self.plots: dict[str, pg.PlotItem] = {}
        for column, (key, title) in enumerate(QUANTITIES.items()):
            plot = self.canvas.addPlot(row=1, col=column, title=title)
            plot.setLogMode(y=True)
            plot.setLabel("bottom", "training step")
            plot.showGrid(x=True, y=True, alpha=0.2)
            self.plots[key] = plot
        self.message = QLabel(EMPTY_TEXT)
        self.message.setWordWrap(True)
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        self.message.linkActivated.connect(self._link_clicked)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.canvas, 1)
        layout.addWidget(self.message)
        self.warnings: list[str] = []
        self.warned_layers: list[str] = []  # the layer each warning is about ("" for none), beside `warnings`
        self.run: Path | None = None  # the past run shown (None: the live or last run)
        self._steps: list[float] = []
        self._values: dict[str, dict[str, list[float]]] = {}  # layer -> quantity -> one value per check
        self._items: dict[tuple[str, str], pg.PlotDataItem] = {}
        self._dirty = False

    def start_run(self) -> None:
        """Forget the previous run's curves and warnings."""
        for plot in self.plots.values():
            plot.clear()
        self.legend.clear()
        self._items.clear()
        self._steps, self._values, self.warnings, self.warned_layers = [], {}, [], []
        self.run = None
        self.message.setText(EMPTY_TEXT)
        self.message.setStyleSheet("")
        self.message.setToolTip("")
        self.warnings_changed.emit([])

    def show_run(self, run_dir: Path) -> bool:
        """Show the health a past run recorded in its folder; False, said in place of the warnings, when
        a file of it cannot be read (then no curves are drawn from it)."""
        self.start_run()
        self.run = run_dir
        try:
            checks, warnings = read_checks(run_dir), read_warnings(run_dir)
        except HealthRecordError as error:
            self.message.setText(html.escape(f"⚠ Cannot show this run's health: {error}", quote=False))
            self.message.setStyleSheet(f"color: {WARNING_COLOUR};")
            return False
        for check in checks:
            self.add_check(check)
        for warning in warnings:
            self.add_warning(warning)
        if not checks and not warnings:
            self.message.setText(html.escape(NO_RECORD_TEXT.format(run=run_dir.name), quote=False))
        self.flush()
        return True

    def add_check(self, check: HealthCheck) -> None:
        self._steps.append(float(check.step))
        for layer, health in check.layers.items():
            if health.weight_norm == 0 and health.update_ratio is None and health.grad_norm == 0:
                continue  # a ReLU layer without weights: watched for dead units, nothing to plot
            values = self._values.setdefault(layer, {key: [math.nan] * (len(self._steps) - 1) for key in QUANTITIES})
            values["weight_norm"].append(health.weight_norm)
            values["grad_norm"].append(health.grad_norm)
        for values in self._values.values():  # a layer missing from this check gets a gap, not a shift
            for ys in values.values():
                ys.extend([math.nan] * (len(self._steps) - len(ys)))
        if not self.warnings:
            self.message.setText(QUIET_TEXT)
        self._dirty = True

    def add_warning(self, warning: HealthWarning) -> None:
        self.warnings.append(warning.message)
        self.warned_layers.append(warning.layer)
        lines = []
        for index, (text, layer) in enumerate(zip(self.warnings, self.warned_layers)):
            line = html.escape(f"⚠ {text}", quote=False)
            # The link keeps the warnings' colour: the whole sentence is what the user clicks.
            lines.append(f"<a href='{index}' style='color: {WARNING_COLOUR}; text-decoration: none'>{line}</a>"
                         if layer else line)
        self.message.setText("<br>".join(lines))
        self.message.setStyleSheet(f"color: {WARNING_COLOUR};")
        self.message.setToolTip("Click a warning to show its layer's card" if any(self.warned_layers) else "")
        self.warnings_changed.emit(list(zip(self.warned_layers, self.warnings)))

    def _link_clicked(self, href: str) -> None:
        if href.isdigit() and int(href) < len(self.warned_layers):
            self.layer_chosen.emit(self.warned_layers[int(href)])

    def flush(self) -> None:
        """Hand the checks that arrived since the last flush to the curves (from the panel's timer)."""
        if not self._dirty:
            return
        self._dirty = False
        for index, (layer, values) in enumerate(self._values.items()):
            for key, ys in values.items():
                item = self._items.get((layer, key))
                if item is None:
                    pen = pg.mkPen(COLORS[index % len(COLORS)], width=2)
                    item = self._items[(layer, key)] = self.plots[key].plot([], [], pen=pen, name=layer)
                    if key == "weight_norm":
                        self.legend.addItem(item, layer)
                kept = [(x, y) for x, y in zip(self._steps, ys) if math.isfinite(y) and y > 0]
                item.setData([x for x, _ in kept], [y for _, y in kept])

    def layers(self) -> list[str]:
        """The layers with a curve, in the order they appear in the legend."""
        self.flush()
        return list(self._values)

    def curve(self, layer: str, quantity: str = "grad_norm") -> tuple[list[float], list[float]]:
        """The points the curve of `layer`'s `quantity` draws now (x: training step; y as given, not its log)."""
        self.flush()
        item = self._items.get((layer, quantity))
        if item is None:
            return [], []
        xs, ys = item.getOriginalDataset()
        return ([] if xs is None else [float(x) for x in xs]), ([] if ys is None else [float(y) for y in ys])
