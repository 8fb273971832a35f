"""The settings form for one node: header, documentation, problems and one row per setting.

The form is built once per node and then only refreshed: when the document
changes, rows whose value changed are updated in place, so the field the user
is typing in keeps its focus, its text and any refusal message. An edit is
checked here (the schema's rules) before it leaves as the node's whole new
config; the form never touches the document itself.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from netbuilder.graph import Node
from netbuilder.ui.inspector.collapsible import CollapsibleSection
from netbuilder.ui.inspector.field_row import ERROR_COLOR, FieldRow, rich_tooltip
from netbuilder.ui.inspector.fields import ChoiceField, Field, editor_for, name_editor
from netbuilder.ui.inspector.node_schema import NAME_KEY, NodeSchema
from netbuilder.ui.inspector.text_values import same_value

SUBTLE_COLOR = "#5f6b7a"
NAME_HELP = ("The layer's name in the Keras model (letters, digits, _ and - are safest). "
             "Leave it empty to use the node id.")


def _form_layout() -> QFormLayout:
    form = QFormLayout()
    form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
    form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    return form


class NodeForm(QWidget):
    """Every setting of one node, editable where netbuilder knows the layer."""

    edited = Signal(object)  # the node's whole new config (a dict)

    def __init__(self, node: Node, schema: NodeSchema, problems: Sequence[str] = (),
                 advanced_open: bool = False, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.node_id = node.id
        self._schema = schema
        self._config = copy.deepcopy(node.config)
        self._rows: dict[str, FieldRow] = {}
        self._labels: dict[str, QLabel] = {}
        self.advanced: CollapsibleSection | None = None
        self._raw: QPlainTextEdit | None = None

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 10, 10, 10)
        layout.setSpacing(8)
        layout.addLayout(self._title_row(schema.title, node.id))
        header = _form_layout()
        name = name_editor(node.id)
        name.setReadOnly(not schema.known)
        self._add_row(header, NAME_KEY, name, NAME_HELP)
        layout.addLayout(header)

        doc = QLabel(schema.doc)
        doc.setWordWrap(True)
        doc.setTextFormat(Qt.TextFormat.PlainText)
        # A layer netbuilder does not know is a problem, not documentation.
        doc.setStyleSheet(f"color: {SUBTLE_COLOR if schema.known else ERROR_COLOR};")
        layout.addWidget(doc)
        # Only once it has a parent: shown before, it would open as a window of its
        # own for a moment and take the focus from the main window.
        doc.setVisible(bool(schema.doc))
        self._problems = QLabel()
        self._problems.setWordWrap(True)
        self._problems.setTextFormat(Qt.TextFormat.PlainText)
        self._problems.setStyleSheet(f"color: {ERROR_COLOR};")
        layout.addWidget(self._problems)
        line = QFrame()
        line.setFrameShape(QFrame.Shape.HLine)
        line.setFrameShadow(QFrame.Shadow.Sunken)
        layout.addWidget(line)

        if schema.known:
            self._add_settings(layout, schema, advanced_open)
        else:
            self._raw = QPlainTextEdit()
            self._raw.setObjectName("raw_config")
            self._raw.setReadOnly(True)
            self._raw.setMinimumHeight(160)
            layout.addWidget(self._raw)
        layout.addStretch(1)
        self._align_labels()
        self._fill(problems)

    # -- what others ask -------------------------------------------------------
    def field(self, name: str) -> QWidget:
        try:
            return self._rows[name].editor
        except KeyError:
            raise KeyError(f"the inspector shows no field {name!r} for node {self.node_id!r}") from None

    def field_error(self, name: str) -> str:
        row = self._rows.get(name)
        return row.error() if row is not None else ""

    def refresh(self, node: Node, schema: NodeSchema, problems: Sequence[str]) -> None:
        """Follow the document: update only the rows whose value changed."""
        old = self._config
        self._config = copy.deepcopy(node.config)
        self._schema = schema
        for key, row in self._rows.items():
            param = schema.param(key)
            if isinstance(row.editor, ChoiceField) and param is not None:
                row.editor.set_choices(list(param.choices or []))
            if not same_value(self._value_of(key, old), self._value_of(key, self._config)):
                row.set_error("")
                row.editor.show_value(self._value_of(key, self._config))
        self._show_problems(problems)
        self._show_raw()

    # -- building ---------------------------------------------------------------
    def _title_row(self, title: str, node_id: str) -> QHBoxLayout:
        row = QHBoxLayout()
        label = QLabel(title)
        font = label.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 1.25)
        label.setFont(font)
        # Long class names (ContrastLimitedAdaptiveHistogramEqualization) may be
        # cut off in a narrow panel rather than widen it; the tooltip has it all.
        label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        label.setToolTip(title)
        ident = QLabel(node_id)
        ident.setObjectName("node_id")
        ident.setToolTip("The node id (how the project file names this node)")
        ident.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        ident.setStyleSheet(f"color: {SUBTLE_COLOR}; font-size: small;")
        row.addWidget(label, 1)  # an Ignored-width label next to a stretch would get no room at all
        row.addWidget(ident)
        return row

    def _add_settings(self, layout: QVBoxLayout, schema: NodeSchema, advanced_open: bool) -> None:
        common = _form_layout()
        layout.addLayout(common)
        hidden = [p for p in schema.params if p.name in schema.advanced]
        if hidden:
            self.advanced = CollapsibleSection(f"Advanced ({len(hidden)})", advanced_open)
        for param in schema.params:
            target = self.advanced.form if self.advanced and param.name in schema.advanced else common
            editor = editor_for(param, param.name in schema.open_dims)
            self._add_row(target, param.name, editor, param.help)
        if self.advanced is not None:
            layout.addWidget(self.advanced)

    def _add_row(self, form: QFormLayout, key: str, editor: Field, help_text: str) -> None:
        row = FieldRow(editor, help_text)
        label = QLabel(key)
        label.setToolTip(rich_tooltip(help_text))
        label.setBuddy(editor)
        form.addRow(label, row)
        self._rows[key] = row
        self._labels[key] = label
        editor.committed.connect(lambda value, key=key: self._committed(key, value))
        editor.refused.connect(row.set_error)
        editor.reverted.connect(lambda row=row: row.set_error(""))

    def _align_labels(self) -> None:
        # The name, the common settings and the advanced ones sit in separate
        # form layouts; one label width lines all their fields up.
        labels = [self._labels[key] for key in self._rows]
        width = max((label.sizeHint().width() for label in labels), default=0)
        for label in labels:
            label.setMinimumWidth(width)

    def _fill(self, problems: Sequence[str]) -> None:
        for key, row in self._rows.items():
            row.editor.show_value(self._value_of(key, self._config))
        self._show_problems(problems)
        self._show_raw()

    # -- showing ------------------------------------------------------------------
    def _value_of(self, key: str, config: dict[str, Any]) -> Any:
        if key == NAME_KEY:
            return config.get(NAME_KEY)
        param = self._schema.param(key)
        return config.get(key, param.default if param is not None else None)

    def _show_problems(self, problems: Sequence[str]) -> None:
        self._problems.setText("\n".join(f"• {p}" for p in problems))
        self._problems.setVisible(bool(problems))

    def _show_raw(self) -> None:
        if self._raw is not None:
            text = json.dumps(self._config, indent=2, ensure_ascii=False, default=repr)
            if self._raw.toPlainText() != text:
                self._raw.setPlainText(text)

    # -- editing ------------------------------------------------------------------
    def _committed(self, key: str, value: Any) -> None:
        row = self._rows[key]
        current = self._value_of(key, self._config)
        param = self._schema.param(key)
        # A required setting missing from a damaged file shows its seed value;
        # confirming that value must still write it.
        missing = param is not None and param.required and key not in self._config
        if same_value(value, current) and not missing:
            row.set_error("")
            row.editor.show_value(current)
            return
        new_config = copy.deepcopy(self._config)
        if key == NAME_KEY and value is None:
            new_config.pop(NAME_KEY, None)  # an empty name means "use the node id"
        else:
            new_config[key] = value
        problem = self._schema.problem(key, value, new_config)
        if problem:
            row.set_error(problem)
            return
        row.set_error("")
        row.editor.show_value(value)
        # Edits build on each other even before the editor calls back with the
        # new node, so two quick edits never undo one another.
        self._config = new_config
        self.edited.emit(copy.deepcopy(new_config))
