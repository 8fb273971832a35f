"""The inspector's editor widgets, one per kind of setting, and which kind gets which.

Every editor shows a value (`show_value`) and reports what the user settled
on: `committed(value)` with the parsed value when editing finishes (Enter,
focus out, a menu pick, a click), `refused(message)` when the text cannot be
read, and `reverted()` when Esc put the shown value back. Editors never judge
whether a value is allowed; the form does, with the catalog's checks. They
are subclasses of the plain Qt widgets, so tests and users drive them as such.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCheckBox, QComboBox, QLineEdit, QWidget

from netbuilder.catalog import ParamSpec
from netbuilder.ui.inspector import text_values as tv

Parse = Callable[[str, Any], Any]  # (text, current value) → value, or raises ParseError
_MIN_COMBO_CHARS = 6


def _shrinkable(combo: QComboBox) -> None:
    # Menus size to their longest entry by default ("orthogonal_regularizer"),
    # which would push a narrow panel wider than its window.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(_MIN_COMBO_CHARS)


class LineField(QLineEdit):
    """A line of text read by a parser: numbers, tuples, text and JSON settings."""

    committed = Signal(object)
    refused = Signal(str)
    reverted = Signal()

    def __init__(self, parse: Parse, format_value: Callable[[Any], str], placeholder: str = "",
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._parse = parse
        self._format = format_value
        self._value: Any = None
        self._shown = ""
        self.setPlaceholderText(placeholder)
        self.editingFinished.connect(self._finish)

    def show_value(self, value: Any) -> None:
        self._value = value
        self._shown = self._format(value)
        if self.text() != self._shown:  # an unchanged text keeps the cursor where it is
            self.setText(self._shown)

    def _finish(self) -> None:
        if self.text() == self._shown:
            # Untouched text stands for the value exactly (a Keras config shown by
            # its short name stays that config); committing it clears an old refusal.
            self.committed.emit(self._value)
            return
        try:
            value = self._parse(self.text(), self._value)
        except tv.ParseError as error:
            self.refused.emit(str(error))
            return
        self.committed.emit(value)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_Escape:
            self.setText(self._shown)
            self.reverted.emit()
            event.accept()
            return
        super().keyPressEvent(event)


class CheckField(QCheckBox):
    """An on/off setting; every click is an edit."""

    committed = Signal(object)
    refused = Signal(str)
    reverted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._showing = False
        self.toggled.connect(self._toggled)

    def show_value(self, value: Any) -> None:
        self._showing = True
        self.setChecked(value is True)
        self._showing = False

    def _toggled(self, checked: bool) -> None:
        if not self._showing:
            self.committed.emit(checked)


class ChoiceField(QComboBox):
    """One of a fixed list of values (padding, data_format, the sub-model to run).

    A value outside the list (from a damaged or hand-edited file) is shown as
    an extra entry, so opening a node never silently changes its settings.
    """

    committed = Signal(object)
    refused = Signal(str)
    reverted = Signal()

    def __init__(self, choices: list[Any], nullable: bool = False,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._nullable = nullable
        self._given: list[Any] = []
        self._choices: list[Any] = []
        self._values: list[Any] = []
        self._value: Any = None
        self._showing = False
        self._take_choices(choices)
        _shrinkable(self)
        self.currentIndexChanged.connect(self._picked)

    def set_choices(self, choices: list[Any]) -> None:
        """Offer a new list (the project's sub-models changed); the shown value stays."""
        if not tv.same_value(list(choices), self._given):
            self._take_choices(choices)
            self.show_value(self._value)

    def _take_choices(self, choices: list[Any]) -> None:
        self._given = list(choices)
        self._choices = list(choices)
        if self._nullable and None not in self._choices:
            self._choices.insert(0, None)

    def show_value(self, value: Any) -> None:
        self._value = value
        values = list(self._choices)
        if not any(tv.same_value(value, c) for c in values):
            values.append(value)
        self._showing = True
        if len(values) != len(self._values) or not all(map(tv.same_value, values, self._values)):
            self.clear()
            labels = [tv.choice_label(v) for v in values]
            if len(values) > len(self._choices):
                labels[-1] += " (unavailable)"
            self.addItems(labels)
            self._values = values
        self.setCurrentIndex(next(i for i, v in enumerate(values) if tv.same_value(v, value)))
        self._showing = False

    def _picked(self, index: int) -> None:
        if not self._showing and 0 <= index < len(self._values):
            self.committed.emit(self._values[index])


class NamedObjectField(QComboBox):
    """An activation, initializer, regularizer, constraint or dtype: pick a name or type one.

    A Keras config (`{"class_name": "GlorotUniform", …}`) shows as its short
    name and is stored back untouched unless the user changes the field.
    """

    committed = Signal(object)
    refused = Signal(str)
    reverted = Signal()

    def __init__(self, name: str, choices: list[str], nullable: bool,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._choices = list(choices)
        self._nullable = nullable
        self._value: Any = None
        self._shown = ""
        self._showing = False
        self.setEditable(True)
        self.setInsertPolicy(QComboBox.InsertPolicy.NoInsert)
        _shrinkable(self)
        self.addItems(([tv.NONE_TEXT] if nullable else []) + self._choices)
        self.currentIndexChanged.connect(self._picked)
        self.lineEdit().editingFinished.connect(self._finish)

    def show_value(self, value: Any) -> None:
        self._value = value
        self._shown = tv.object_label(value, self._choices)
        self._showing = True
        self.setCurrentIndex(self.findText(self._shown, Qt.MatchFlag.MatchExactly))
        self.setEditText(self._shown)
        self._showing = False

    def _picked(self, index: int) -> None:
        if not self._showing and index >= 0:
            self._commit(self.itemText(index))

    def _finish(self) -> None:
        self._commit(self.currentText())

    def _commit(self, text: str) -> None:
        if text == self._shown:
            self.committed.emit(self._value)
            return
        try:
            self.committed.emit(tv.parse_object_name(self._name, text, self._nullable))
        except tv.ParseError as error:
            self.refused.emit(str(error))

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt's name)
        if event.key() == Qt.Key.Key_Escape:
            self.setEditText(self._shown)
            self.reverted.emit()
            event.accept()
            return
        super().keyPressEvent(event)


Field = LineField | CheckField | ChoiceField | NamedObjectField
_NAMED_KINDS = ("activation", "initializer", "regularizer", "constraint", "dtype")


def _ints_parser(param: ParamSpec, open_dims: bool) -> Parse:
    def parse(text: str, current: Any) -> Any:
        # A lone number stays a number where it was one or where Keras takes one
        # (kernel_size=3); elsewhere it is a tuple of one (Reshape's target_shape).
        bare_int = (isinstance(current, int) and not isinstance(current, bool)) \
            or tv.takes_one_int(param)
        return tv.parse_ints(param.name, text, nullable=param.nullable, open_dims=open_dims,
                             bare_int=bare_int)
    return parse


def _ignoring_current(parse: Callable[[str, str, bool], Any], param: ParamSpec) -> Parse:
    return lambda text, _current: parse(param.name, text, param.nullable)


def editor_for(param: ParamSpec, open_dims: bool = False) -> Field:
    """The editor for one setting, chosen by its kind."""
    placeholder = tv.NONE_TEXT if param.nullable else ""
    kind = param.kind
    if kind == "bool":
        return CheckField()
    if kind == "choice":
        return ChoiceField(list(param.choices or []), param.nullable)
    if kind in _NAMED_KINDS:
        return NamedObjectField(param.name, list(param.choices or []), param.nullable)
    if kind == "int":
        return LineField(_ignoring_current(tv.parse_int, param), tv.format_number, placeholder)
    if kind == "float":
        return LineField(_ignoring_current(tv.parse_float, param), tv.format_number, placeholder)
    if kind == "ints":
        hint = "e.g. 28x28x1, or None, 3 for a size that varies" if open_dims else "e.g. 3x3 or 3, 3"
        return LineField(_ints_parser(param, open_dims), tv.format_ints, placeholder or hint)
    if kind == "str":
        return LineField(_ignoring_current(tv.parse_text, param), tv.format_text, placeholder)
    return LineField(_ignoring_current(tv.parse_json, param), tv.format_json,
                     placeholder or "JSON")


def name_editor(node_id: str) -> LineField:
    """The node's Keras name; left empty, the node id is used."""
    return LineField(lambda text, _current: tv.parse_layer_name(text), tv.format_text,
                     f"{node_id} (the node id)")

