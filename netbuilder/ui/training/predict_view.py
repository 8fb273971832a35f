"""The Predict view: run the trained model on rows of the dataset or on values typed in.

"Rows" shows a range of rows with their features, the targets and the model's
predictions side by side (for classifiers the predicted class is green when
right and red when wrong). "Type values" is a form with one field per feature
column — a drop-down for one-hot encoded categories — that starts from a real
training row; a bad value is explained under its field and nothing is run.
Images cannot be typed, so models with an image input offer rows only. The
model is only ever asked to `predict`, so this module needs no Keras import.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QScrollArea,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from netbuilder.training.datasets.loaded import LoadedData
from netbuilder.training.model_outputs import SPLIT_WORDS, Predictor, split_of
from netbuilder.training.prediction_table import describe_prediction, predict_rows
from netbuilder.training.typed_values import TypedValuesError, parse_typed_values, typed_fields, typed_values_of_row

ROWS_TAB, TYPED_TAB = 0, 1
MAX_ROWS = 1000
DEFAULT_ROWS = 20
FIELD_WIDTH = 180
ERROR_STYLE = "color: #d93025;"
RIGHT_FILL = QColor("#e3f4e9")
WRONG_FILL = QColor("#fdecea")
NO_MODEL_TEXT = "Train a model to run it on rows of the dataset or on values you type."

FieldEditor = QLineEdit | QComboBox


class PredictView(QWidget):
    """Predictions of one trained model; `set_model` gives it the model and the data it was trained on."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model: Predictor | None = None
        self.data: LoadedData | None = None
        self.editors: dict[tuple[str, str], FieldEditor] = {}
        self.errors: dict[tuple[str, str], QLabel] = {}
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.tabs.addTab(self._rows_page(), "Rows")
        self.tabs.addTab(self._typed_page(), "Type values")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.tabs)
        self.set_model(None, None)

    def _rows_page(self) -> QWidget:
        self.split = QComboBox()
        self.first_row = QSpinBox()
        self.count = QSpinBox()
        self.count.setRange(1, MAX_ROWS)
        self.count.setValue(DEFAULT_ROWS)
        self.predict_rows_button = QPushButton("Predict")
        self.predict_rows_button.clicked.connect(self.show_rows)
        self.split.currentIndexChanged.connect(self._on_split_changed)
        self.rows_status = QLabel()
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(22)
        bar = QHBoxLayout()
        for label, widget in (("Data", self.split), ("First row", self.first_row), ("Rows", self.count)):
            bar.addWidget(QLabel(label))
            bar.addWidget(widget)
        bar.addWidget(self.predict_rows_button)
        bar.addWidget(self.rows_status, 1)
        page = QWidget()
        layout = QVBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(bar)
        layout.addWidget(self.table, 1)
        return page

    def _typed_page(self) -> QWidget:
        self.form = QWidget()
        self.form_layout = QGridLayout(self.form)
        self.form_layout.setColumnStretch(2, 1)  # fields keep a number's width; the rest stays blank
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setWidget(self.form)
        self.predict_typed_button = QPushButton("Predict")
        self.predict_typed_button.clicked.connect(self.show_typed)
        self.result = QLabel()
        self.result.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.result.setWordWrap(True)
        self.result.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        font = self.result.font()
        font.setPointSizeF(font.pointSizeF() * 1.15)
        self.result.setFont(font)
        side = QVBoxLayout()
        side.addWidget(self.predict_typed_button, 0, Qt.AlignmentFlag.AlignLeft)
        side.addWidget(self.result, 1)
        page = QWidget()
        layout = QHBoxLayout(page)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addLayout(side, 1)
        return page

    def set_model(self, model: Predictor | None, data: LoadedData | None) -> None:
        """Show predictions of `model` on `data` (None, None: nothing trained yet)."""
        self.model, self.data = model, data
        ready = model is not None and data is not None
        self.split.blockSignals(True)
        self.split.clear()
        if data is not None:
            for key in ("validation", "train"):
                if key == "train" or data.validation is not None:
                    self.split.addItem(SPLIT_WORDS[key].capitalize(), key)
        self.split.blockSignals(False)
        for widget in (self.split, self.first_row, self.count, self.predict_rows_button):
            widget.setEnabled(ready)
        self._on_split_changed()
        self._build_form()
        self.table.setRowCount(0)
        self.table.setColumnCount(0)
        self._set_status("" if ready else NO_MODEL_TEXT)
        if ready:
            self.show_rows()

    def _on_split_changed(self) -> None:
        key = self.split.currentData()
        rows = len(split_of(self.data, key)) if self.data is not None and key else 0
        self.first_row.setRange(0, max(rows - 1, 0))

    def _set_status(self, text: str, error: bool = False) -> None:
        self.rows_status.setText(text)
        self.rows_status.setStyleSheet(ERROR_STYLE if error else "")

    def show_rows(self) -> None:
        """Predict the chosen rows and fill the table; a failure is shown, never raised."""
        if self.model is None or self.data is None:
            return
        key = self.split.currentData()
        total = len(split_of(self.data, key))
        first = self.first_row.value()
        rows = list(range(first, min(first + self.count.value(), total)))
        try:
            table = predict_rows(self.model, self.data, key, rows)
        except Exception as error:  # the model is the user's: any failure is a message, not a crash
            self._set_status(f"Could not predict: {error}", error=True)
            return
        self.table.setColumnCount(len(table.columns))
        self.table.setHorizontalHeaderLabels(table.columns)
        self.table.setRowCount(len(table.rows))
        predicted = table.columns.index("predicted") if "predicted" in table.columns else -1
        for i, cells in enumerate(table.rows):
            for j, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if j == predicted and table.correct:
                    item.setBackground(QBrush(RIGHT_FILL if table.correct[i] else WRONG_FILL))
                self.table.setItem(i, j, item)
        self.table.resizeColumnsToContents()
        shown = f"rows {rows[0]}–{rows[-1]}" if len(rows) > 1 else f"row {rows[0]}" if rows else "no rows"
        summary = f"{shown} of {total:,} {SPLIT_WORDS[key]} rows"
        if self.data.n_rows(key) > total:  # a streamed split: its first rows are held to be listed here
            summary = f"{shown} of the first {total:,} of {self.data.n_rows(key):,} {SPLIT_WORDS[key]} rows"
        if table.correct:
            summary += f" · {sum(table.correct)} of {len(table.correct)} right"
        self._set_status(summary)

    def _build_form(self) -> None:
        while self.form_layout.count():
            item = self.form_layout.takeAt(0)
            if item.widget() is not None:
                item.widget().deleteLater()
        self.editors.clear()
        self.errors.clear()
        self.result.clear()
        self.tabs.setTabEnabled(TYPED_TAB, False)
        self.tabs.setTabToolTip(TYPED_TAB, "")
        if self.data is None:
            return
        try:
            forms = {name: typed_fields(self.data, name) for name in self.data.train.features}
        except ValueError as why:
            self.tabs.setTabToolTip(TYPED_TAB, str(why))
            self.tabs.setCurrentIndex(ROWS_TAB)
            return
        row = 0
        for input_name, fields in forms.items():
            if len(forms) > 1:
                heading = QLabel(f"<b>{input_name}</b>")
                self.form_layout.addWidget(heading, row, 0, 1, 3)
                row += 1
            start = typed_values_of_row(self.data, input_name) if len(self.data.train) else {}
            for field in fields:
                editor = self._editor(field.choices, start.get(field.name, ""))
                error = QLabel()
                error.setStyleSheet(ERROR_STYLE)
                error.hide()
                self.form_layout.addWidget(QLabel(field.name), row, 0)
                self.form_layout.addWidget(editor, row, 1)
                self.form_layout.addWidget(error, row + 1, 1, 1, 2)
                self.editors[(input_name, field.name)] = editor
                self.errors[(input_name, field.name)] = error
                row += 2
        self.form_layout.setRowStretch(row, 1)
        self.tabs.setTabEnabled(TYPED_TAB, self.model is not None)

    def _editor(self, choices: list[str] | None, start: str) -> FieldEditor:
        if choices is not None:
            combo = QComboBox()
            combo.addItems(choices)
            combo.setCurrentText(start)
            combo.setMinimumWidth(FIELD_WIDTH)
            return combo
        edit = QLineEdit(start)
        edit.setFixedWidth(FIELD_WIDTH)
        edit.returnPressed.connect(self.show_typed)
        return edit

    def editor(self, field: str, input_name: str | None = None) -> FieldEditor:
        """The form field for a feature column (of `input_name`, or of whichever input has it)."""
        return next(e for (i, f), e in self.editors.items() if f == field and input_name in (None, i))

    def error(self, field: str, input_name: str | None = None) -> QLabel:
        return next(e for (i, f), e in self.errors.items() if f == field and input_name in (None, i))

    def show_typed(self) -> None:
        """Predict from the form; bad fields get their message underneath and nothing runs."""
        if self.model is None or self.data is None:
            return
        inputs: dict[str, np.ndarray] = {}
        problems: dict[tuple[str, str], str] = {}
        for input_name in self.data.train.features:
            typed = {f: self._text(e) for (i, f), e in self.editors.items() if i == input_name}
            try:
                inputs[input_name] = parse_typed_values(typed, self.data, input_name)
            except TypedValuesError as bad:
                problems.update({(input_name, f): message for f, message in bad.problems.items()})
        for key, label in self.errors.items():
            label.setText(problems.get(key, ""))
            label.setVisible(key in problems)
        if problems:
            self.result.setText("Fix the values marked in red.")
            self.result.setStyleSheet(ERROR_STYLE)
            return
        x: Any = next(iter(inputs.values())) if len(inputs) == 1 else inputs
        try:
            text = describe_prediction(self.model, self.data, x)
        except Exception as error:  # the model is the user's: any failure is a message, not a crash
            self.result.setText(f"Could not predict: {error}")
            self.result.setStyleSheet(ERROR_STYLE)
            return
        self.result.setStyleSheet("")
        self.result.setText(text)

    @staticmethod
    def _text(editor: FieldEditor) -> str:
        return editor.currentText() if isinstance(editor, QComboBox) else editor.text()
