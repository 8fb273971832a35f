"""The inspector: the editor's right-hand panel with the settings of the selected node.

It shows a friendly hint when nothing is selected and otherwise a scrolling
form generated from the catalog. It never changes the document: an accepted
edit leaves as `config_edited(node_id, config)`, the editor pushes an undoable
command and calls `show_node` again, which refreshes the same form in place
(keeping focus and scroll position) as long as the node and its layer stay.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QScrollArea, QStackedWidget, QVBoxLayout, QWidget

from netbuilder.catalog import Catalog
from netbuilder.graph import Node
from netbuilder.ui.inspector.form import SUBTLE_COLOR, NodeForm
from netbuilder.ui.inspector.node_schema import schema_for

EMPTY_TEXT = "Select a layer to see its settings"


class InspectorPanel(QWidget):
    """The settings of one node, edited in place and checked at each field."""

    # (node_id, the node's whole new config); `object`, as a dict through Qt comes back with its keys sorted
    config_edited = Signal(str, object)

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._catalog = catalog
        self._form: NodeForm | None = None
        self._shown: tuple[str, str] | None = None  # (node id, layer) the form was built for
        self._advanced_open = False  # the user's choice carries over to the next node

        self.empty_label = QLabel(EMPTY_TEXT)
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setStyleSheet(f"color: {SUBTLE_COLOR}; padding: 24px;")
        self._scroll = QScrollArea()
        self._scroll.setWidgetResizable(True)
        self._scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        self._scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self._stack = QStackedWidget()
        self._stack.addWidget(self.empty_label)
        self._stack.addWidget(self._scroll)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._stack)
        self.setMinimumWidth(240)

    def show_node(self, node: Node | None, problems: Sequence[str] = (),
                  submodel_names: Sequence[str] = ()) -> None:
        """Show `node`'s settings (None: the empty hint); cheap to call after every change."""
        if node is None:
            self._drop_form()
            self._stack.setCurrentWidget(self.empty_label)
            return
        schema = schema_for(node, self._catalog, submodel_names)
        if self._form is not None and self._shown == (node.id, node.layer):
            self._form.refresh(node, schema, problems)
            return
        self._drop_form()
        form = NodeForm(node, schema, problems, self._advanced_open)
        form.edited.connect(lambda config, node_id=node.id: self.config_edited.emit(node_id, config))
        if form.advanced is not None:
            form.advanced.expanded_changed.connect(self._remember_advanced)
        self._form, self._shown = form, (node.id, node.layer)
        self._scroll.setWidget(form)
        self._stack.setCurrentWidget(self._scroll)

    def field(self, name: str) -> QWidget:
        """The editor widget for config key `name` of the shown node (KeyError if none)."""
        if self._form is None:
            raise KeyError(f"no node is shown, so there is no field {name!r}")
        return self._form.field(name)

    def field_error(self, name: str) -> str:
        """The refusal message shown at field `name` ("" if none)."""
        return self._form.field_error(name) if self._form is not None else ""

    def _remember_advanced(self, expanded: bool) -> None:
        self._advanced_open = expanded

    def _drop_form(self) -> None:
        # Forget the form before taking it away: losing focus may finish an edit
        # in it, and the editor may answer that by calling show_node again.
        form, self._form, self._shown = self._form, None, None
        if form is not None:
            self._scroll.takeWidget()
            form.deleteLater()
