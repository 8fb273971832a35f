"""The Evaluate view: how well the trained model does on the validation data, at a glance.

For regression it shows predicted against actual values (points on the
dashed y = x line are perfect) beside a histogram of the residuals, under one
line of scores ("RMSE 0.91 · MAE 0.70 · 49 validation rows"). For
classification it shows the confusion matrix as a table of counts, with the
diagonal in blue and mistakes in red, each shaded by its share of the true
class's rows, beside per-class precision and recall. The numbers come from
`netbuilder.training.evaluate`; this module only draws them.
"""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStackedWidget,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netbuilder.training.evaluate import ClassificationReport, Evaluation, RegressionReport
from netbuilder.training.model_outputs import SPLIT_WORDS
from netbuilder.ui.training.pyqtgraph_setup import pg

EMPTY_TEXT = "Train a model to see how it does on the validation data."
POINT_COLOUR = QColor(47, 111, 222, 110)  # translucent, so dense clouds show where most points are
BAR_COLOUR = QColor("#2f6fde")
IDEAL_LINE = QColor("#8a929c")
RIGHT = QColor(47, 111, 222)
WRONG = QColor(217, 48, 37)
ZERO_TEXT = QColor("#b8bec6")
NOTE_STYLE = "color: #b26a00;"


def format_score(value: float) -> str:
    """Two decimals for everyday magnitudes, three significant digits for tiny or huge ones."""
    return f"{value:.2f}" if 0.01 <= abs(value) < 10_000 or value == 0 else f"{value:.3g}"


def rows_text(rows: int, split: str) -> str:
    return f"{rows:,} {SPLIT_WORDS[split]} row{'' if rows == 1 else 's'}"


def regression_summary(report: RegressionReport) -> str:
    plotted = len(report.y_true)
    # A streamed split is scored whole; its plots draw the first rows, enough to show the shape.
    drawn = f" (plots: the first {plotted:,})" if plotted < report.rows else ""
    return (f"RMSE {format_score(report.rmse)} · MAE {format_score(report.mae)} · "
            f"{rows_text(report.rows, report.split)}{drawn}")


def classification_summary(report: ClassificationReport) -> str:
    return f"Accuracy {report.accuracy:.2f} · {rows_text(report.rows, report.split)}"


def residual_bins(count: int) -> int:
    """About √n bins: enough to show the shape, few enough that each holds several rows."""
    return int(np.clip(np.sqrt(count), 5, 40))


def cell_colour(count: int, row_total: int, on_diagonal: bool) -> QColor:
    share = count / row_total if row_total else 0.0
    colour = QColor(RIGHT if on_diagonal else WRONG)
    colour.setAlphaF(0.08 + 0.82 * share if count else 0.0)
    return colour


def _plot(title: str, bottom: str, left: str) -> pg.PlotWidget:
    plot = pg.PlotWidget()
    plot.setTitle(title, size="9pt")
    plot.setLabel("bottom", bottom)
    plot.setLabel("left", left)
    plot.showGrid(x=True, y=True, alpha=0.15)
    plot.setMenuEnabled(False)
    plot.setMinimumSize(200, 150)
    return plot


def _table(columns: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(columns))
    table.setHorizontalHeaderLabels(columns)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
    table.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    table.verticalHeader().setDefaultSectionSize(22)
    return table


class EvaluateView(QWidget):
    """Shows one `Evaluation`; `show_evaluation` replaces whatever was shown before."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.summary = QLabel(EMPTY_TEXT)
        font = self.summary.font()
        font.setBold(True)
        self.summary.setFont(font)
        self.note = QLabel()
        self.note.setStyleSheet(NOTE_STYLE)
        self.note.setWordWrap(True)
        self.note.hide()
        self.pages = QStackedWidget()
        self.pages.addWidget(QWidget())
        self.pages.addWidget(self._regression_page())
        self.pages.addWidget(self._classification_page())
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.summary)
        layout.addWidget(self.note)
        layout.addWidget(self.pages, 1)

    def _regression_page(self) -> QWidget:
        self.scatter_plot = _plot("Predicted vs actual", "actual", "predicted")
        self.scatter = pg.ScatterPlotItem(size=6, pen=None, brush=pg.mkBrush(POINT_COLOUR))
        self.ideal = pg.PlotDataItem(pen=pg.mkPen(IDEAL_LINE, width=1.5, style=Qt.PenStyle.DashLine))
        self.scatter_plot.addItem(self.ideal)
        self.scatter_plot.addItem(self.scatter)
        self.histogram_plot = _plot("Residuals", "predicted − actual", "rows")
        self.histogram = pg.BarGraphItem(x0=[], x1=[], height=[], brush=pg.mkBrush(BAR_COLOUR),
                                         pen=pg.mkPen("w", width=0.5))
        self.histogram_plot.addItem(self.histogram)
        self.histogram_plot.addItem(pg.InfiniteLine(0, angle=90, pen=pg.mkPen(IDEAL_LINE, style=Qt.PenStyle.DashLine)))
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        row.addWidget(self.scatter_plot, 1)
        row.addWidget(self.histogram_plot, 1)
        return page

    def _classification_page(self) -> QWidget:
        self.confusion = _table([])
        self.confusion.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusion.horizontalHeader().setMinimumSectionSize(36)
        # Rows share the height, so three classes read as a heat map rather than a strip.
        self.confusion.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusion.verticalHeader().setMinimumSectionSize(18)
        self.per_class = _table(["class", "precision", "recall", "rows"])
        self.per_class.verticalHeader().hide()
        header = self.per_class.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        left = QVBoxLayout()
        left.setSpacing(2)
        left.addWidget(QLabel("Confusion matrix — rows: actual class, columns: predicted class"))
        left.addWidget(self.confusion, 1)
        right = QVBoxLayout()
        right.setSpacing(2)
        right.addWidget(QLabel("Per class"))
        right.addWidget(self.per_class, 1)
        page = QWidget()
        row = QHBoxLayout(page)
        row.setContentsMargins(0, 0, 0, 0)
        row.addLayout(left, 3)
        row.addLayout(right, 2)
        return page

    def show_evaluation(self, evaluation: Evaluation) -> None:
        self.note.setText(evaluation.note)
        self.note.setVisible(bool(evaluation.note))
        if isinstance(evaluation, RegressionReport):
            self._show_regression(evaluation)
        else:
            self._show_classification(evaluation)

    def clear(self) -> None:
        """Back to the empty state, e.g. when a new run starts and the old scores no longer apply."""
        self.summary.setText(EMPTY_TEXT)
        self.note.hide()
        self.pages.setCurrentIndex(0)

    def _show_regression(self, report: RegressionReport) -> None:
        self.summary.setText(regression_summary(report))
        self.scatter.setData(x=report.y_true, y=report.y_pred)
        both = np.concatenate([report.y_true, report.y_pred])
        finite = both[np.isfinite(both)]
        low, high = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        self.ideal.setData([low, high], [low, high])
        residuals = report.residuals[np.isfinite(report.residuals)]
        counts, edges = np.histogram(residuals, bins=residual_bins(len(residuals))) if residuals.size else ([], [0])
        self.histogram.setOpts(x0=edges[:-1], x1=edges[1:], height=counts)
        self.scatter_plot.autoRange()
        self.histogram_plot.autoRange()
        self.pages.setCurrentIndex(1)

    def _show_classification(self, report: ClassificationReport) -> None:
        self.summary.setText(classification_summary(report))
        names = report.class_names
        self.confusion.setRowCount(len(names))
        self.confusion.setColumnCount(len(names))
        self.confusion.setHorizontalHeaderLabels(names)
        self.confusion.setVerticalHeaderLabels(names)
        for i, actual in enumerate(names):
            row_total = int(report.confusion[i].sum())
            for j, predicted in enumerate(names):
                count = int(report.confusion[i, j])
                item = QTableWidgetItem(f"{count:,}")
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                colour = cell_colour(count, row_total, i == j)
                item.setBackground(QBrush(colour))
                if colour.alphaF() > 0.55:
                    item.setForeground(QBrush(Qt.GlobalColor.white))
                elif not count:
                    item.setForeground(QBrush(ZERO_TEXT))  # faint, so the mistakes stand out
                share = f" ({count / row_total:.0%})" if row_total else ""
                item.setToolTip(f"{count:,} of {row_total:,} actual {actual} predicted as {predicted}{share}")
                self.confusion.setItem(i, j, item)
        self.per_class.setRowCount(len(names))
        for i, name in enumerate(names):
            cells = [name, f"{report.precision[i]:.2f}", f"{report.recall[i]:.2f}", f"{report.support[i]:,}"]
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j:
                    item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                self.per_class.setItem(i, j, item)
        self.pages.setCurrentIndex(2)
