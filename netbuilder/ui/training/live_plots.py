"""The training curves: one plot per quantity, growing live while a run trains, past runs laid over.

Loss and val_loss share the first plot, rmse and val_rmse the second, and every
other metric gets one more, so a user compares training with validation at a
glance. The live run shows bold points per epoch over a faint line per batch;
past runs the user ticks in the runs list are drawn as thinner lines in their
own colours (validation dashed) for comparison. Every plot uses the same
colours for the same things, so one legend in a row above the plots serves
them all: legends inside the plots would cover the curves they explain.
Points arrive as plain numbers; the curve items are updated only in `flush`,
which the panel calls from its timer, because redrawing on every batch would
stall the event loop.
"""

from __future__ import annotations

import math
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QVBoxLayout, QWidget

from netbuilder.ui.training.pyqtgraph_setup import pg

TRAIN_COLOR = "#1f77b4"
VAL_COLOR = "#ff7f0e"
OVERLAY_COLORS = ("#2ca02c", "#9467bd", "#8c564b", "#e377c2", "#17becf", "#bcbd22", "#7f7f7f")
BATCH_ALPHA = 60
PAST_VALIDATION_COLOR = "#7f7f7f"
LEGEND_ENTRY_WIDTH = 170  # pixels per legend entry, so entries go on as many rows as the width needs
LABEL_CHARS = 24  # a past run's title is cut to this in the legend
LIVE = ""  # owner of the live run's curves; overlays are keyed by run name
EPOCH, BATCH = "epoch", "batch"
_TITLES = {"loss": "Loss", "rmse": "RMSE", "mae": "MAE", "mse": "MSE", "accuracy": "Accuracy"}
_VAL = "val_"


def family(key: str) -> str:
    """The plot a history key belongs in: `val_rmse` goes with `rmse`."""
    return key[len(_VAL):] if key.startswith(_VAL) else key


def families(keys: list[str]) -> list[str]:
    """One plot per quantity, loss first and rmse second, the rest in the order given."""
    found = list(dict.fromkeys(family(k) for k in keys if k != "epoch"))
    first = [f for f in ("loss", "rmse") if f in found]
    return first + [f for f in found if f not in first]


def finite_points(xs: list[float], ys: list[float]) -> tuple[list[float], list[float]]:
    """The points worth drawing: a NaN or infinite value (a diverged or cut-short epoch) is left out,
    since it has no place on the axis and would spoil the automatic range."""
    kept = [(x, y) for x, y in zip(xs, ys) if math.isfinite(y)]
    return [x for x, _ in kept], [y for _, y in kept]


def title_of(name: str) -> str:
    return _TITLES.get(name, name.replace("_", " ").capitalize())


class LivePlots(QWidget):
    """A row of plots for the live run's history keys plus any overlaid past runs."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.canvas = pg.GraphicsLayoutWidget()
        self.canvas.setMinimumHeight(160)
        self.canvas.ci.setContentsMargins(4, 2, 10, 2)  # the height is the curves', not the frame's
        self.canvas.ci.layout.setVerticalSpacing(0)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.canvas)
        self.plots: dict[str, pg.PlotItem] = {}
        self.legend: pg.LegendItem | None = None
        self._keys: list[str] = []
        self._epochs = 0
        self._steps: int | None = None
        self._epoch_x: list[float] = []
        self._epoch_y: dict[str, list[float]] = {}
        self._batch_at: list[tuple[int, int]] = []  # (epoch, batch) of each batch point
        self._batch_y: dict[str, list[float]] = {}
        self._batches_seen = 0  # most batches seen in one epoch, while steps per epoch is unknown
        self._overlays: dict[str, dict[str, list[float]]] = {}
        self._labels: dict[str, str] = {}  # what the legend calls each overlaid run
        self._items: dict[tuple[str, str, str], pg.PlotDataItem] = {}
        self._dirty = False

    # -- the live run --------------------------------------------------------------------
    def start_run(self, keys: list[str], epochs: int, steps_per_epoch: int | None) -> None:
        """Forget the previous live curves and make room for a run logging `keys`."""
        keys = [k for k in keys if k != "epoch"]
        same_plots = bool(self.plots) and keys == self._keys
        self._keys = keys
        self._epochs, self._steps = epochs, steps_per_epoch
        self._epoch_x, self._batch_at, self._batches_seen = [], [], 0
        self._epoch_y = {k: [] for k in self._keys}
        self._batch_y = {k: [] for k in self._keys if not k.startswith(_VAL)}
        if not same_plots:
            self._rebuild()
            return
        # The same quantities as before: empty the live curves and keep the plots. Building
        # plots costs tens of milliseconds, many times that while the worker thread is busy.
        for (owner, _, _), item in self._items.items():
            if owner == LIVE:
                item.setData([], [])
        self._set_x_ranges()

    def add_batch(self, epoch: int, batch: int, logs: dict[str, float]) -> None:
        """A training batch ended; epochs and batches count from 1, as the session's events do."""
        self._batch_at.append((epoch, batch))
        self._batches_seen = max(self._batches_seen, batch)
        for key, ys in self._batch_y.items():
            ys.append(float(logs.get(key, math.nan)))
        self._dirty = True

    def add_epoch(self, epoch: int, logs: dict[str, float]) -> None:
        """An epoch ended (counted from 1), with its training and validation values."""
        new = [k for k in logs if k not in self._epoch_y and k != "epoch"]
        if new:  # a key the run did not announce (a callback's "learning_rate"): give it a place
            self._keys += new
            for key in new:
                self._epoch_y[key] = [math.nan] * len(self._epoch_x)
            self._rebuild()
        self._epoch_x.append(float(epoch))
        for key, ys in self._epoch_y.items():
            ys.append(float(logs.get(key, math.nan)))
        self._dirty = True

    def flush(self) -> None:
        """Hand the points that arrived since the last flush to the curves (from the panel's timer)."""
        if not self._dirty:
            return
        self._dirty = False
        for key, ys in self._epoch_y.items():
            item = self._items.get((LIVE, key, EPOCH))
            if item is not None:
                item.setData(*finite_points(self._epoch_x, ys))
        batch_x = self._batch_positions()
        for key, ys in self._batch_y.items():
            item = self._items.get((LIVE, key, BATCH))
            if item is not None:
                item.setData(*finite_points(batch_x, ys))

    def _batch_positions(self) -> list[float]:
        # Batch b of epoch e sits between e-1 and e, so the faint line meets the epoch point.
        steps = self._steps or max(self._batches_seen, 1)
        return [epoch - 1 + batch / steps for epoch, batch in self._batch_at]

    # -- past runs -------------------------------------------------------------------------
    def set_overlay(self, name: str, history: dict[str, list[float]] | None, label: str | None = None) -> None:
        """Lay a past run's history over the live curves, or take it away with None.

        `name` identifies the run (its folder's name); `label` is what the legend calls it (its title).
        """
        if history is None:
            self._labels.pop(name, None)
            if self._overlays.pop(name, None) is None:
                return
        else:
            self._overlays[name] = {k: [float(v) for v in vs] for k, vs in history.items()}
            self._labels[name] = label or name
        self._rebuild()

    def overlay_names(self) -> list[str]:
        return list(self._overlays)

    # -- what is drawn (tests, export) ------------------------------------------------------
    def curve(self, key: str, kind: str = EPOCH, owner: str = LIVE) -> tuple[list[float], list[float]]:
        """The points a curve draws now: the live run's by default, else a past run's (by name)."""
        item = self._items.get((owner, key, kind))
        if item is None:
            return [], []
        xs, ys = item.getData()
        return ([] if xs is None else [float(x) for x in xs]), ([] if ys is None else [float(y) for y in ys])

    def legend_names(self) -> list[str]:
        """The legend's entries, as shown: training, validation, then each past run."""
        return [] if self.legend is None else [label.text for _, label in self.legend.items]

    def export_png(self, path: Path, width: int = 1600) -> Path:
        """Save the plots as they are on screen (scaled to `width` pixels) to a PNG file."""
        self.flush()
        exporter = pg.exporters.ImageExporter(self.canvas.scene())
        exporter.parameters()["width"] = width
        exporter.export(str(path))
        return path

    # -- building the plots ------------------------------------------------------------------
    def _rebuild(self) -> None:
        """Lay out one plot per quantity and make every curve again (runs and overlays changed)."""
        self.canvas.clear()
        self.plots.clear()
        self._items.clear()
        keys = self._keys + [k for h in self._overlays.values() for k in h if k not in self._keys]
        names = families(keys)
        self.legend = self._make_legend(max(len(names), 1))
        for column, name in enumerate(names):
            self.plots[name] = self._make_plot(name, column)
        for index, (run, history) in enumerate(self._overlays.items()):
            self._add_overlay_items(run, history, OVERLAY_COLORS[index % len(OVERLAY_COLORS)])
        for key in self._keys:
            plot = self.plots[family(key)]
            if key in self._batch_y:
                faint = pg.mkColor(TRAIN_COLOR)
                faint.setAlpha(BATCH_ALPHA)
                self._items[(LIVE, key, BATCH)] = plot.plot(pen=pg.mkPen(faint, width=1))
            color = VAL_COLOR if key.startswith(_VAL) else TRAIN_COLOR
            self._items[(LIVE, key, EPOCH)] = plot.plot(**_epoch_style(color))
        self._fill_legend()
        self._set_x_ranges()
        self._dirty = True
        self.flush()

    def _set_x_ranges(self) -> None:
        longest = max([self._epochs, *(len(h.get("epoch", [])) for h in self._overlays.values())], default=0)
        for plot in self.plots.values():
            plot.setXRange(0, max(longest, 1), padding=0.02)
            plot.enableAutoRange(axis="y")

    def _make_plot(self, name: str, column: int) -> pg.PlotItem:
        # The quantity names the y axis instead of a title: the height goes to the curves.
        plot = self.canvas.addPlot(row=1, col=column)
        plot.setLabel("bottom", "epoch")
        plot.setLabel("left", title_of(name))
        plot.showGrid(x=True, y=True, alpha=0.2)
        plot.setClipToView(True)
        plot.setDownsampling(auto=True, mode="peak")
        plot.setMenuEnabled(False)
        return plot

    def _make_legend(self, columns: int) -> pg.LegendItem:
        legend = pg.LegendItem(labelTextSize="8pt", horSpacing=14, verSpacing=-6)
        legend.layout.setContentsMargins(40, 0, 0, 0)  # in line with the plots' left axes
        self.canvas.addItem(legend, row=0, col=0, rowspan=1, colspan=columns)
        return legend

    def _fill_legend(self) -> None:
        """One entry per thing drawn the same way in every plot: training, validation, each past run."""
        assert self.legend is not None
        entries: list[tuple[str, pg.PlotDataItem]] = []
        if any(not k.startswith(_VAL) for k in self._keys):
            entries.append(("training", pg.PlotDataItem(**_epoch_style(TRAIN_COLOR))))
        if any(k.startswith(_VAL) for k in self._keys):
            entries.append(("validation", pg.PlotDataItem(**_epoch_style(VAL_COLOR))))
        for index, run in enumerate(self._overlays):
            color = OVERLAY_COLORS[index % len(OVERLAY_COLORS)]
            entries.append((_short(self._labels.get(run, run)), pg.PlotDataItem(pen=pg.mkPen(color, width=1.5))))
        if any(k.startswith(_VAL) for h in self._overlays.values() for k in h):
            dashed = pg.mkPen(PAST_VALIDATION_COLOR, width=1.5, style=Qt.PenStyle.DashLine)
            entries.append(("past runs' validation", pg.PlotDataItem(pen=dashed)))
        for label, sample in entries:
            self.legend.addItem(sample, label)
        self._fit_legend()

    def _fit_legend(self) -> None:
        """As many entries to a row as the width takes, packed to the left in as few rows as they need."""
        legend = self.legend
        if legend is None:
            return
        legend.setColumnCount(max(1, self.canvas.width() // LEGEND_ENTRY_WIDTH))
        legend.setMaximumSize(legend.layout.preferredWidth(), legend.layout.preferredHeight())
        self.canvas.ci.layout.setAlignment(legend, Qt.AlignmentFlag.AlignLeft)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit_legend()

    def _add_overlay_items(self, run: str, history: dict[str, list[float]], color: str) -> None:
        xs = history.get("epoch") or [float(i + 1) for i in range(len(next(iter(history.values()), [])))]
        for key, ys in history.items():
            if key == "epoch" or family(key) not in self.plots:
                continue
            style = Qt.PenStyle.DashLine if key.startswith(_VAL) else Qt.PenStyle.SolidLine
            item = self.plots[family(key)].plot(*finite_points(xs, ys), pen=pg.mkPen(color, width=1.5, style=style))
            self._items[(run, key, EPOCH)] = item


def _epoch_style(color: str) -> dict[str, object]:
    """The live run's per-epoch curves: bold lines through round points."""
    return {"pen": pg.mkPen(color, width=2.5), "symbol": "o", "symbolSize": 6, "symbolBrush": color,
            "symbolPen": pg.mkPen(color)}


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"
