"""The Data tab of the training panel: which dataset, and which columns feed which model input.

The user picks a bundled set or opens a CSV/`.npz` file or a folder of images,
sees the first rows in a preview table, and says per column what it is for:
the target, one of the model's inputs, or nothing. Every choice leaves through
`edited` as the whole new `dataset` section for the panel to push as one
undo-able command. With no explicit mapping the data layer feeds every column
but the target to the model's only input, and the table shows that; a mapping
equal to that default is stored as no mapping, so files stay short. A newly
chosen folder of images starts at the size and colour mode of the model's
Input (28×28 grayscale for an Input of (28, 28, 1)), so it fits without a
trip to the pre-flight message. A CSV file can be read as a time series
instead (its kind), with the window and horizon fields shown only then.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox, QFormLayout, QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableWidget, QTableWidgetItem,
    QVBoxLayout, QWidget,
)

from netbuilder.training.datasets import (
    BundledDataset, DatasetError, DatasetSpec, Preview, bundled_datasets, dataset_kind, preview_dataset,
)
from netbuilder.training.datasets.npz_loader import NPZ_FEATURES, NPZ_TARGET
from netbuilder.training.datasets.spec import images_for_input
from netbuilder.ui.inspector import text_values as tv
from netbuilder.ui.inspector.field_row import ERROR_COLOR, FieldRow
from netbuilder.ui.inspector.fields import ChoiceField, LineField

TARGET = "target"
UNUSED = "not used"
SUBTLE = "#5f6b7a"
_COLUMN, _KIND, _USE = range(3)


def input_role(name: str) -> str:
    return f"input {name}"


def relative_source(path: Path, base_dir: Path | None) -> str:
    """How a chosen file is stored: relative to the project's folder when it lies inside it."""
    if base_dir is not None:
        try:
            return path.resolve().relative_to(base_dir.resolve()).as_posix()
        except ValueError:
            pass
    return str(path)


class DataForm(QWidget):
    """Dataset picker, column mapping and preview; `edited(section)` carries the new `dataset` section."""

    edited = Signal(object)
    preprocessing_requested = Signal()  # the window adds (or removes) the model's preprocessing block

    def __init__(self, ask_file: Callable[[], Path | None], ask_folder: Callable[[], Path | None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._ask_file, self._ask_folder = ask_file, ask_folder
        self.spec: DatasetSpec | None = None
        self.preview: Preview | None = None
        self._preview_key: tuple[Any, ...] | None = None
        self._base_dir: Path | None = None
        self._inputs: list[str] = []
        self._input_shapes: dict[str, list[int | None] | None] = {}
        self._showing = False
        self._mapping_rows: tuple[list[tuple[str, str]], list[str]] | None = None
        self._bundled = {f"bundled:{b.name}": b for b in bundled_datasets()}

        self.source = QComboBox()
        self.source.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.source.setMinimumContentsLength(12)
        self.source.currentIndexChanged.connect(self._source_picked)
        self.open_file = QPushButton("Open file…")
        self.open_file.setToolTip("A .csv table or a NumPy .npz file")
        self.open_file.clicked.connect(lambda: self._opened(self._ask_file()))
        self.open_folder = QPushButton("Open folder…")
        self.open_folder.setToolTip("A folder of images, or of .txt files (one document each), in one sub-folder "
                                    "per class")
        self.open_folder.clicked.connect(lambda: self._opened(self._ask_folder()))
        self.note = QLabel()
        self.note.setWordWrap(True)
        self.mapping = QTableWidget(0, 3)
        self.mapping.setHorizontalHeaderLabels(["Column", "Kind", "Use"])
        self.mapping.verticalHeader().hide()
        header = self.mapping.horizontalHeader()
        header.setSectionResizeMode(_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(_KIND, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(_USE, QHeaderView.ResizeMode.Stretch)
        self.mapping.verticalHeader().setDefaultSectionSize(26)
        self.mapping.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.preprocessing = QPushButton("Add preprocessing block")
        self.preprocessing.setToolTip("Make the model take the raw columns: one Input per column, normalised or "
                                      "looked up by layers of the model (one undo step)")
        self.preprocessing.clicked.connect(self.preprocessing_requested.emit)
        self.categorical = ChoiceField(["onehot", "reject"])
        self.categorical.setToolTip("Text columns: one-hot encode them, or refuse them with a message")
        self.categorical.committed.connect(lambda value: self._emit(categorical=value))
        self.image_size = LineField(lambda text, _c: tv.parse_ints("image size", text, nullable=False, open_dims=False),
                                    tv.format_ints, "height, width")
        self.image_size_row = FieldRow(self.image_size, "Images are resized to this many pixels (height, width).")
        self.image_size.committed.connect(self._image_size_committed)
        self.image_size.refused.connect(self.image_size_row.set_error)
        self.color_mode = ChoiceField(["grayscale", "rgb", "rgba"])
        self.color_mode.committed.connect(lambda value: self._emit(color_mode=value))
        self.kind = ChoiceField(["csv", "timeseries"])
        self.kind.setToolTip("csv: each row is one example; timeseries: the rows are time steps in order, and "
                             "windows of them forecast a later row")
        self.kind.committed.connect(lambda value: self._emit(kind=None if value == "csv" else value))
        self.window_steps, self.window_row = self._steps_field(
            "window", "Rows (time steps) one example holds: the first dimension of the model's Input.")
        self.horizon_steps, self.horizon_row = self._steps_field(
            "horizon", "How many steps after a window's last row its target lies (1: the next row).")
        # The preview sits where there is room for it (the panel's centre); this form fills it.
        self.preview_table = QTableWidget()
        self.preview_table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)

        picker = QHBoxLayout()
        picker.addWidget(self.source, 1)
        picker.addWidget(self.open_file)
        picker.addWidget(self.open_folder)
        self.options = QFormLayout()
        self.options.addRow("Kind", self.kind)
        self.options.addRow("Window", self.window_row)
        self.options.addRow("Horizon", self.horizon_row)
        self.options.addRow("Text columns", self.categorical)
        self.options.addRow("Image size", self.image_size_row)
        self.options.addRow("Colours", self.color_mode)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(4)
        layout.addLayout(picker)
        layout.addWidget(self.note)
        layout.addWidget(self.mapping, 1)
        layout.addWidget(self.preprocessing)
        layout.addLayout(self.options)
        layout.addStretch(0)  # keeps the rows at the top when an image folder hides the mapping
        self._fill_sources(None)

    # -- showing the project's dataset --------------------------------------------------------
    def show_dataset(self, section: Any, base_dir: Path | None, inputs: dict[str, list[int | None] | None]) -> None:
        """Show the project's `dataset` section (None: nothing chosen yet) for a model with these inputs
        (name → the per-sample shape its Input declares)."""
        self._base_dir, self._inputs, self._input_shapes = base_dir, list(inputs), dict(inputs)
        problem = ""
        try:
            self.spec = DatasetSpec.from_section(section) if section is not None else None
        except DatasetError as error:
            self.spec, problem = None, str(error)
        self._fill_sources(self.spec)
        self._load_preview()
        if problem:
            self._say(f"The project's dataset settings cannot be used:\n{problem}", error=True)
        kind = self._kind()
        self._showing = True
        self.categorical.show_value(self.spec.categorical if self.spec else "onehot")
        self.image_size.show_value(list(self.spec.image_size) if self.spec else [64, 64])
        self.color_mode.show_value(self.spec.color_mode if self.spec else "rgb")
        self.kind.show_value(kind if kind == "timeseries" else "csv")
        self.window_steps.show_value(self.spec.window if self.spec else 16)
        self.horizon_steps.show_value(self.spec.horizon if self.spec else 1)
        self._showing = False
        self.options.setRowVisible(self.kind, kind in ("csv", "timeseries"))
        for widget in (self.window_row, self.horizon_row):
            self.options.setRowVisible(widget, kind == "timeseries")
        for widget in (self.image_size_row, self.color_mode):
            self.options.setRowVisible(widget, kind == "images")
        self.options.setRowVisible(self.categorical, kind == "csv")
        self.mapping.setVisible(kind in ("csv", "npz", "timeseries"))
        self.preprocessing.setVisible(kind == "csv")
        self._fill_mapping()

    def show_preprocessing(self, present: bool) -> None:
        """Say on the button what it does now: add the model's preprocessing block, or remove the one it has."""
        self.preprocessing.setText("Remove preprocessing block" if present else "Add preprocessing block")

    def roles(self) -> dict[str, str]:
        """What each column is used for, as the table shows it: "target", "input x" or "not used"."""
        return {self.mapping.item(r, _COLUMN).text(): self._use_box(r).currentText()
                for r in range(self.mapping.rowCount())}

    def set_role(self, column: str, role: str) -> None:
        """Choose what `column` is for, as a user would in its menu."""
        for r in range(self.mapping.rowCount()):
            if self.mapping.item(r, _COLUMN).text() == column:
                box = self._use_box(r)
                box.setCurrentIndex(box.findText(role))
                return
        raise KeyError(column)

    def _use_box(self, row: int) -> QComboBox:
        return self.mapping.cellWidget(row, _USE)  # type: ignore[return-value]

    def _kind(self) -> str | None:
        if self.spec is None:
            return None
        try:
            return dataset_kind(self.spec, self._base_dir)
        except DatasetError:
            return None

    def _fill_sources(self, spec: DatasetSpec | None) -> None:
        self._showing = True
        self.source.clear()
        self.source.addItem("— choose a dataset —", None)
        for source, bundled in self._bundled.items():
            self.source.addItem(f"{bundled.title} ({bundled.task})", source)
            self.source.setItemData(self.source.count() - 1, bundled.description, Qt.ItemDataRole.ToolTipRole)
        if spec is not None and self.source.findData(spec.source) < 0:
            self.source.addItem(spec.source, spec.source)
        self.source.setCurrentIndex(max(0, self.source.findData(spec.source)) if spec else 0)
        self._showing = False

    def _load_preview(self) -> None:
        spec = self.spec
        key = None if spec is None else (spec.source, spec.kind, self._base_dir, spec.image_size, spec.color_mode,
                                         spec.window, spec.horizon)
        if key == self._preview_key:
            self._describe()
            return
        self._preview_key = key
        self.preview = None
        self.preview_table.clear()
        self.preview_table.setRowCount(0)
        self.preview_table.setColumnCount(0)
        if spec is None:
            self._say("Choose a bundled dataset, or open a CSV or .npz file or a folder of images or text files.")
            return
        try:
            self.preview = preview_dataset(spec, self._base_dir)
        except DatasetError as error:
            self._say(str(error), error=True)
            return
        preview = self.preview
        self.preview_table.setColumnCount(len(preview.columns))
        self.preview_table.setHorizontalHeaderLabels(preview.columns)
        self.preview_table.setRowCount(len(preview.rows))
        for r, row in enumerate(preview.rows):
            for c, text in enumerate(row):
                self.preview_table.setItem(r, c, QTableWidgetItem(text))
        self.preview_table.resizeColumnsToContents()
        self._describe()

    def _describe(self) -> None:
        if self.preview is None or self.spec is None:
            return
        bundled: BundledDataset | None = self._bundled.get(self.spec.source)
        parts = [self.preview.note or f"{self.preview.n_rows:,} rows"]
        if self._kind() in ("csv", "timeseries") and not self.spec.target:
            parts.append("Choose the target column under Use.")
        self._say(" ".join(parts))
        # The long story of a bundled set waits in the tooltip; the form stays compact.
        self.note.setToolTip(f"{bundled.description}\n\nSource: {bundled.source}\nLicence: {bundled.licence}"
                             if bundled else "")

    def _say(self, text: str, error: bool = False) -> None:
        self.note.setText(text)
        self.note.setStyleSheet(f"color: {ERROR_COLOR if error else SUBTLE};")

    # -- the column mapping ----------------------------------------------------------------------
    def _columns(self) -> list[tuple[str, str]]:
        """(name, kind) of what can be mapped: CSV columns, or the arrays of an .npz file."""
        kind = self._kind()
        if self.preview is None or kind not in ("csv", "npz", "timeseries"):
            return []  # an image folder's classes come from its sub-folders, nothing to map
        if kind == "npz":
            return [(row[0], "array " + " ".join(row[1:])) for row in self.preview.rows if row]
        return [(c, self.preview.kinds.get(c, "")) for c in self.preview.columns]

    def _default_target(self) -> list[str]:
        """What the data layer predicts when the section names no target (an .npz file's `y`)."""
        return [NPZ_TARGET] if self._kind() == "npz" else []

    def _default_inputs(self, target: list[str]) -> dict[str, list[str]]:
        """What the data layer feeds the model's only input when the section maps nothing:
        every other CSV column (text ones one-hot encoded), or an .npz file's `x`."""
        if len(self._inputs) != 1:
            return {}
        if self._kind() == "npz":
            return {self._inputs[0]: [NPZ_FEATURES]}
        if self._kind() == "timeseries":  # the target's past feeds the model too
            return {self._inputs[0]: [c for c, kind in self._columns() if kind == "numeric"]}
        return {self._inputs[0]: [c for c, _ in self._columns() if c not in target]}

    def _fill_mapping(self) -> None:
        spec = self.spec
        columns = self._columns()
        target = (spec.target if spec else []) or self._default_target()
        inputs = spec.inputs if spec and spec.inputs else self._default_inputs(target)
        role_of = {c: input_role(name) for name, cs in inputs.items() for c in cs}
        role_of.update({c: TARGET for c in target})
        choices = [TARGET, *(input_role(n) for n in self._inputs), UNUSED]
        if (columns, choices) != self._mapping_rows:
            # New rows only when the columns or the model's inputs changed: an edit of the
            # mapping itself comes back here while its menu is still emitting, so keep the menus.
            self._mapping_rows = (columns, choices)
            self.mapping.setRowCount(len(columns))
            for r, (column, kind) in enumerate(columns):
                self.mapping.setItem(r, _COLUMN, QTableWidgetItem(column))
                self.mapping.setItem(r, _KIND, QTableWidgetItem(kind))
                box = QComboBox()
                box.addItems(choices)
                box.currentIndexChanged.connect(self._mapping_changed)
                self.mapping.setCellWidget(r, _USE, box)
        for r, (column, _) in enumerate(columns):
            box = self._use_box(r)
            box.blockSignals(True)
            box.setCurrentIndex(box.findText(role_of.get(column, UNUSED)))
            box.blockSignals(False)

    def _mapping_changed(self) -> None:
        roles = self.roles()
        target = [c for c, role in roles.items() if role == TARGET]
        inputs = {name: [c for c, role in roles.items() if role == input_role(name)] for name in self._inputs}
        if self._kind() == "timeseries" and len(self._inputs) == 1:  # a forecast reads the target's past too
            inputs[self._inputs[0]] = [c for c in roles if c in target or c in inputs[self._inputs[0]]]
        inputs = {name: cs for name, cs in inputs.items() if cs}
        self._emit(target=target, inputs={} if inputs == self._default_inputs(target) else inputs)

    # -- edits -------------------------------------------------------------------------------------
    def _source_picked(self, index: int) -> None:
        if self._showing:
            return
        source = self.source.itemData(index)
        if source is None or (self.spec is not None and source == self.spec.source):
            return
        bundled = self._bundled.get(source)
        self._chose(DatasetSpec(source=source, target=list(bundled.target) if bundled else [],
                                kind=bundled.kind if bundled else None))

    def _opened(self, path: Path | None) -> None:
        if path is not None:
            self._chose(DatasetSpec(source=relative_source(path, self._base_dir)))

    def _chose(self, spec: DatasetSpec) -> None:
        """A new source: a folder of images gets the size and colours of the model's only Input."""
        try:
            images = dataset_kind(spec, self._base_dir) == "images"
        except DatasetError:
            images = False  # the preview says what is wrong with the source
        if images and len(self._input_shapes) == 1:
            spec = images_for_input(spec, next(iter(self._input_shapes.values())))
        self.edited.emit(spec.to_section())

    def _steps_field(self, key: str, help_text: str) -> tuple[LineField, FieldRow]:
        """A whole number of time steps (the window, the horizon), refused below 1 where it is typed."""
        line = LineField(lambda text, _c: tv.parse_int(key, text, nullable=False), tv.format_number, "time steps")
        row = FieldRow(line, help_text)
        line.committed.connect(lambda value: self._steps_committed(key, value, row))
        line.refused.connect(row.set_error)
        return line, row

    def _steps_committed(self, key: str, value: Any, row: FieldRow) -> None:
        if not isinstance(value, int) or value < 1:
            row.set_error(f"{key} must be a whole number of time steps above 0")
            return
        row.set_error("")
        self._emit(**{key: value})

    def _image_size_committed(self, value: Any) -> None:
        size = [value, value] if isinstance(value, int) else value
        if not (isinstance(size, list) and len(size) == 2 and all(isinstance(v, int) and v > 0 for v in size)):
            self.image_size_row.set_error("image size must be two whole numbers above 0: height, width")
            return
        self.image_size_row.set_error("")
        self._emit(image_size=tuple(size))

    def _emit(self, **changes: Any) -> None:
        if self._showing or self.spec is None:
            return
        section = replace(self.spec, **changes).to_section()
        if section != self.spec.to_section():
            self.edited.emit(section)
