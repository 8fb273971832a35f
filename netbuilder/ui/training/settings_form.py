"""The compile and fit settings of the training panel: one field per entry of the `training` section.

Each field commits when the user has settled on a value (Enter, focus out, a
pick, a click), never per keystroke, and the form sends the whole new section
out through `edited` for the panel to push as one undo-able command. A value
the settings would refuse (`epochs must be at least 1, got 0`), or a name
Keras does not know once TensorFlow has loaded, is refused at its field with
that sentence, as the inspector does. The form re-shows the project's settings
after undo without disturbing a field whose value did not change. Each
strategy in the Strategy menu says in its tooltip what it trains on, the
mirrored one naming this machine's devices once TensorFlow has listed them.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QVBoxLayout, QWidget

from netbuilder.training.settings import STRATEGIES, EarlyStopping, ReduceLR, TrainingSettings
from netbuilder.ui.inspector import text_values as tv
from netbuilder.ui.inspector.field_row import ERROR_COLOR, FieldRow, rich_tooltip
from netbuilder.ui.inspector.fields import CheckField, ChoiceField, Field, LineField

if TYPE_CHECKING:
    from netbuilder.training.distribute import Device

Path_ = tuple[str, ...]  # ("epochs",) or ("early_stopping", "patience")
_PARTS: dict[str, type[Any]] = {"early_stopping": EarlyStopping, "reduce_lr": ReduceLR}
_KERAS_NAMED = {"optimizer": "optimizer", "loss": "loss", "metrics": "metric"}
STRATEGY_TIPS = {
    "default": "One device: the first GPU, else the CPU.",
    "mirrored": "MirroredStrategy: a replica on every local GPU (on the CPU when there is none), "
                "each batch split between them.",
    "multi-worker": "MultiWorkerMirroredStrategy: the cluster described in TF_CONFIG. It runs in processes "
                    "of its own, started from the command line (netbuilder train … --strategy multi-worker) "
                    "or a training package, not inside the editor.",
}


class NameField(QComboBox):
    """A Keras name picked from a list (once TensorFlow has loaded) or typed: optimizers, losses."""

    committed = Signal(object)
    refused = Signal(str)
    reverted = Signal()

    def __init__(self, label: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._label = label
        self._value = ""
        self._showing = False
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        self.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.setMinimumContentsLength(10)
        self.currentIndexChanged.connect(self._picked)
        self.lineEdit().editingFinished.connect(lambda: self._commit(self.currentText()))

    def set_choices(self, names: list[str]) -> None:
        self._showing = True
        self.clear()
        self.addItems(names)
        self._showing = False
        self.show_value(self._value)

    def show_value(self, value: str) -> None:
        self._value = value
        self._showing = True
        self.setCurrentIndex(self.findText(value, Qt.MatchFlag.MatchExactly))
        self.setEditText(value)
        self._showing = False

    def _picked(self, index: int) -> None:
        if not self._showing and index >= 0:
            self._commit(self.itemText(index))

    def _commit(self, text: str) -> None:
        if self._showing:
            return
        try:
            self.committed.emit(tv.parse_object_name(self._label, text, False))
        except tv.ParseError as error:
            self.refused.emit(str(error))


def _names(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def _line(parse: Callable[[str, str, bool], Any], name: str, nullable: bool = False, placeholder: str = "",
          formatter: Callable[[Any], str] = tv.format_number) -> LineField:
    return LineField(lambda text, _current: parse(name, text, nullable), formatter, placeholder)


# (path, label, editor, help): the order is the order on screen.
def _fields() -> list[tuple[str, list[tuple[Path_, str, Field | NameField, str]]]]:
    def number(name: str) -> LineField:
        return _line(tv.parse_float, name)

    def whole(name: str, nullable: bool = False, placeholder: str = "") -> LineField:
        return _line(tv.parse_int, name, nullable, placeholder)

    def text(name: str, nullable: bool = False, placeholder: str = "") -> LineField:
        return _line(lambda n, t, null: tv.parse_text(n, t.strip(), null), name, nullable, placeholder, tv.format_text)

    metrics = LineField(lambda text_, _current: _names(text_), lambda v: ", ".join(v or []), "e.g. rmse, mae")
    return [
        ("Compile", [
            (("optimizer",), "Optimizer", NameField("optimizer"), "The keras.optimizers optimizer that updates the weights."),
            (("learning_rate",), "Learning rate", number("learning_rate"), "The optimizer's step size."),
            (("loss",), "Loss", NameField("loss"), "The keras.losses function training minimises."),
            (("metrics",), "Metrics", metrics, "Metric names, comma separated; rmse is always available."),
        ]),
        ("Fit", [
            (("epochs",), "Epochs", whole("epochs"), "Passes over the training data."),
            (("batch_size",), "Batch size", whole("batch_size"), "Rows per gradient step."),
            (("strategy",), "Strategy", ChoiceField(list(STRATEGIES)),
             "How training is spread over devices: default is one device, mirrored every local GPU, "
             "multi-worker the cluster in TF_CONFIG. The batch size is split between the replicas."),
            (("validation_split",), "Validation split", number("validation_split"),
             "Fraction of the rows held out for validation (0 for none; ignored with a validation file)."),
            (("steps_per_epoch",), "Steps per epoch", whole("steps_per_epoch", True, "all batches"),
             "Batches per epoch; empty means one pass over the data."),
            (("train_examples",), "Train examples", whole("train_examples", True, "off: whole epochs"),
             "Virtual epochs: train on this many examples in all (the data repeats as needed), "
             "evaluating Evaluations times (Epochs times if empty); leave Steps per epoch empty."),
            (("evaluations",), "Evaluations", whole("evaluations", True, "as many as epochs"),
             "Virtual epochs: evaluate this many times while training Train examples examples "
             "(each evaluation ends one epoch of the history)."),
            (("seed",), "Seed", whole("seed", True, "none: differs every run"),
             "Fixes shuffling and initial weights so a run can be repeated exactly."),
            (("shuffle",), "Shuffle", CheckField(), "Shuffle the training rows every epoch."),
            (("tensorboard_dir",), "TensorBoard folder", text("tensorboard_dir", True, "off"),
             "Write TensorBoard logs to this folder (relative to the project's folder)."),
        ]),
        ("Early stopping", [
            (("early_stopping",), "Stop early", CheckField(), "Stop when the monitored value stops improving."),
            (("early_stopping", "monitor"), "Monitor", text("monitor"), "The history key watched, e.g. val_loss."),
            (("early_stopping", "patience"), "Patience", whole("patience"), "Epochs without improvement before stopping."),
            (("early_stopping", "restore_best_weights"), "Keep best weights", CheckField(),
             "Go back to the weights of the best epoch when stopping."),
        ]),
        ("Reduce learning rate on plateau", [
            (("reduce_lr",), "Reduce LR", CheckField(), "Lower the learning rate when the monitored value stalls."),
            (("reduce_lr", "monitor"), "Monitor", text("monitor"), "The history key watched, e.g. val_loss."),
            (("reduce_lr", "factor"), "Factor", number("factor"), "Multiply the learning rate by this (between 0 and 1)."),
            (("reduce_lr", "patience"), "Patience", whole("patience"), "Epochs without improvement before lowering it."),
            (("reduce_lr", "min_lr"), "Lowest rate", number("min_lr"), "The learning rate never goes below this."),
        ]),
    ]


def value_at(settings: TrainingSettings, path: Path_) -> Any:
    value: Any = getattr(settings, path[0])
    if len(path) == 1:
        return value is not None if path[0] in _PARTS else value
    return None if value is None else getattr(value, path[1])


def with_value(settings: TrainingSettings, path: Path_, value: Any) -> TrainingSettings:
    """A copy of `settings` with the value at `path` replaced (a part switched on takes its defaults)."""
    head = path[0]
    if len(path) == 1:
        if head in _PARTS:
            current = getattr(settings, head)
            value = (current or _PARTS[head]()) if value else None
        return dataclasses.replace(settings, **{head: value})
    part = getattr(settings, head) or _PARTS[head]()
    return dataclasses.replace(settings, **{head: dataclasses.replace(part, **{path[1]: value})})


class SettingsForm(QWidget):
    """Compile, fit and callback settings; `edited(section)` carries the whole new `training` section."""

    edited = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.settings = TrainingSettings()
        self.rows: dict[Path_, FieldRow] = {}
        self._keras_ready = False
        self._strategy_tips = dict(STRATEGY_TIPS)
        self.unreadable = QLabel()
        self.unreadable.setWordWrap(True)
        self.unreadable.setStyleSheet(f"color: {ERROR_COLOR};")
        self.unreadable.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.setSpacing(2)
        layout.addWidget(self.unreadable)
        form = QFormLayout()  # one form for every group, so all fields line up
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.setVerticalSpacing(3)
        for title, fields in _fields():
            heading = QLabel(f"<b>{title}</b>")
            heading.setContentsMargins(0, 6, 0, 0)
            form.addRow(heading)
            for path, label, editor, help_text in fields:
                row = FieldRow(editor, help_text)  # type: ignore[arg-type]
                editor.committed.connect(lambda value, p=path: self._commit(p, value))
                editor.refused.connect(row.set_error)
                editor.reverted.connect(lambda r=row: r.set_error(""))
                form.addRow(label, row)
                self.rows[path] = row
        layout.addLayout(form)
        self._form = form
        layout.addStretch(1)
        self.show_settings(self.settings)

    def field(self, *path: str) -> Any:
        """The editor of one setting: `field("epochs")`, `field("early_stopping", "patience")`."""
        return self.rows[path].editor

    def error(self, *path: str) -> str:
        return self.rows[path].error()

    def add_below(self, path: Path_, widget: QWidget) -> None:
        """Put `widget` on a row of its own under the field of one setting (the learning-rate finder's button)."""
        row, _role = self._form.getWidgetPosition(self.rows[path])
        self._form.insertRow(row + 1, "", widget)

    def set_value(self, value: Any, *path: str) -> None:
        """Set one setting as if the user had entered `value` at its field: one undoable edit, or refused there."""
        self._commit(path, value)

    def set_keras_ready(self) -> None:
        """TensorFlow has loaded: offer Keras' own optimizer and loss names and check names on commit."""
        from netbuilder.training.keras_objects import loss_names, metric_names, optimizer_names

        self._keras_ready = True
        self.field("optimizer").set_choices(optimizer_names())
        self.field("loss").set_choices(loss_names())
        self.rows[("metrics",)].editor.setToolTip("Metric names, comma separated: " + ", ".join(metric_names()))

    def set_devices(self, devices: Sequence[Device]) -> None:
        """Name the devices the mirrored strategy would train on here in its tooltip."""
        used = [d for d in devices if d.kind == "GPU"] or [d for d in devices if d.kind == "CPU"]
        count = len(used)
        self._strategy_tips["mirrored"] = (f"{STRATEGY_TIPS['mirrored']} On this machine: {count} "
                                           f"replica{'s' if count != 1 else ''} "
                                           f"({', '.join(d.label() for d in used)}).")
        self._show_strategy_tips()

    def _show_strategy_tips(self) -> None:
        menu = self.field("strategy")
        for index in range(menu.count()):
            tip = rich_tooltip(self._strategy_tips.get(menu.itemText(index), ""))
            menu.setItemData(index, tip, Qt.ItemDataRole.ToolTipRole)

    def show_settings(self, settings: TrainingSettings, unreadable: str = "") -> None:
        """Show `settings` (the project's, or the defaults with `unreadable` saying why)."""
        self.settings = settings
        self.unreadable.setText(f"The project's training settings cannot be used:\n{unreadable}" if unreadable else "")
        self.unreadable.setVisible(bool(unreadable))
        for path, row in self.rows.items():
            row.editor.show_value(value_at(settings, path))
            if len(path) == 2:
                row.setEnabled(getattr(settings, path[0]) is not None)
        self._show_strategy_tips()  # the menu (re)builds its entries while showing a value

    def _commit(self, path: Path_, value: Any) -> None:
        row = self.rows[path]
        old = self.settings
        new = with_value(old, path, value)
        problems = [p for p in new.problems() if p not in old.problems()]
        if not problems and self._keras_ready and path[0] in _KERAS_NAMED and value != value_at(old, path):
            from netbuilder.training.keras_objects import check_names

            kind = _KERAS_NAMED[path[0]]
            problems = [p for p in check_names(new.optimizer, new.loss, new.metrics) if p.startswith(f"{kind}:")]
        if problems:
            row.set_error(problems[0])
            return
        row.set_error("")
        if new != old:
            self.edited.emit(new.to_section())
