"""The learning-rate finder's view: loss against learning rate, the suggestion, and Use.

The Settings form carries the "Find…" button (`find_button`, placed there by
the panel); the curve is shown here, in a tab beside the training curves. A
`LearningRateFinder` runs on its own thread like a training run; a 100 ms
timer reads the points it has recorded so far and the events it posted, so
the curve grows live and no widget is touched from the worker. The x axis is
logarithmic, as the rates rise exponentially; the raw batch losses are drawn
faint under their smoothed curve, which is what the suggestion is read from.
"Use" hands the suggestion to the panel, which sets it as one undoable edit.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from netbuilder.training.events import Preparing, RunFinished
from netbuilder.ui.training.live_plots import TRAIN_COLOR, VAL_COLOR, finite_points
from netbuilder.ui.training.pyqtgraph_setup import pg

if TYPE_CHECKING:
    from netbuilder.training.lr_finder import LearningRateFinder

POLL_MS = 100
FIND, STOP = "Find a learning rate…", "Stop the learning-rate test"
RAW_ALPHA = 70


class LRFinderView(QWidget):
    """Runs one range test at a time and shows it; `used(lr)` when the user takes the suggestion."""

    used = Signal(float)
    finished = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.finder: LearningRateFinder | None = None
        self.suggested: float | None = None
        self.find_button = QPushButton(FIND)
        self.find_button.setToolTip("Train briefly while the learning rate rises from 1e-7 to 1, plot the loss "
                                    "against it and suggest a learning rate. The model's weights are not kept.")
        self.message = QLabel("Find a learning rate… (under the learning rate in Settings) tries learning rates from low to high "
                              "and suggests one.")
        self.message.setWordWrap(True)
        self.use_button = QPushButton("Use")
        self.use_button.setEnabled(False)
        self.use_button.setToolTip("Put the suggested learning rate in the training settings (undoable)")
        self.use_button.clicked.connect(self._use)
        self.plot = pg.PlotWidget()
        self.plot.setLogMode(x=True, y=False)
        self.plot.setLabel("bottom", "learning rate")
        self.plot.setLabel("left", "loss")
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        raw = pg.mkColor(TRAIN_COLOR)
        raw.setAlpha(RAW_ALPHA)
        self.raw_curve = self.plot.plot([], [], pen=pg.mkPen(raw, width=1))
        self.smooth_curve = self.plot.plot([], [], pen=pg.mkPen(TRAIN_COLOR, width=2))
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen(VAL_COLOR, width=2, style=pg.QtCore.Qt.PenStyle.DashLine))
        self.marker.hide()
        self.plot.addItem(self.marker)
        top = QHBoxLayout()
        top.addWidget(self.message, 1)
        top.addWidget(self.use_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(top)
        layout.addWidget(self.plot, 1)
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self.poll)

    @property
    def is_running(self) -> bool:
        return self.finder is not None

    def refuse(self, why: str) -> None:
        """Say why no test starts."""
        self.message.setText(f"The learning-rate finder did not start: {why}")

    def start(self, finder: LearningRateFinder) -> None:
        """Run `finder` on its thread and follow it."""
        self.finder = finder
        self.suggested = None
        self.use_button.setEnabled(False)
        self.use_button.setText("Use")
        self.find_button.setText(STOP)  # the same button, so Stop is where the user just clicked
        self.marker.hide()
        self.raw_curve.setData([], [])
        self.smooth_curve.setData([], [])
        self.message.setText("Preparing…")
        finder.start()
        self._timer.start()

    def stop(self) -> None:
        """End the test after the batch under way; it then has no result."""
        if self.finder is not None:
            self.finder.stop()
            self.message.setText("Stopping after this batch…")

    def poll(self) -> None:
        """Draw the points recorded so far and show what the finder said (the timer calls this)."""
        finder = self.finder
        if finder is None:
            self._timer.stop()
            return
        self._draw(finder.snapshot())
        for event in finder.drain():
            if isinstance(event, Preparing):
                self.message.setText(event.message)
            elif isinstance(event, RunFinished):
                self._finished(finder, event)

    def _draw(self, points: list[tuple[float, float]]) -> None:
        from netbuilder.training.lr_finder import smoothed

        lrs, losses = finite_points([p[0] for p in points], [p[1] for p in points])
        self.raw_curve.setData(lrs, losses)
        self.smooth_curve.setData(lrs, smoothed(losses))

    def _finished(self, finder: LearningRateFinder, event: RunFinished) -> None:
        self._timer.stop()
        self.finder = None
        self.find_button.setText(FIND)
        found = finder.found
        if event.status != "completed" or found is None:
            self.message.setText(f"The learning-rate finder ended: {event.message}")
        else:
            self.message.setText(event.message)
            self.suggested = found.suggested
            if found.suggested is not None:
                self.marker.setValue(math.log10(found.suggested))  # the axis is in log10 units
                self.marker.show()
                self.use_button.setText(f"Use {found.suggested:.3g}")
                self.use_button.setEnabled(True)
        self.finished.emit()

    def _use(self) -> None:
        if self.suggested is not None:
            self.used.emit(float(f"{self.suggested:.3g}"))  # a value a user would type, not 0.008709636

    def shutdown(self, timeout: float = 5.0) -> None:
        """Stop a test under way and wait for its thread (the window closes or switches project)."""
        finder = self.finder
        if finder is not None:
            finder.stop()
            finder.wait(timeout)
        self._timer.stop()
        self.finder = None
        self.find_button.setText(FIND)
