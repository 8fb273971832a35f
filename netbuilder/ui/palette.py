"""The layer palette: a searchable tree of every layer the user can drag onto the canvas.

It lists the catalog's layers by category (with the model-input node first in
"Core" and the project's sub-models in a group of their own), explains each one
in a tooltip from Keras' docstring, and filters as the user types: every word
typed must be found in a layer's name, an alias or its documentation, and when
nothing is left it says so. It works from the cached catalog alone, so it is
usable while TensorFlow is still loading. `LayerEntry` and its search ranking
live here too because the quick-add popup offers exactly the same entries.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import QEvent, QMimeData, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QLabel, QLineEdit, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from netbuilder.catalog import Catalog, LayerSpec
from netbuilder.graph import INPUT_LAYER, SUBMODEL_LAYER
from netbuilder.ui.layer_mime import LAYER_MIME, layer_mime_data

CORE = "Core"
SUBMODELS = "Sub-models"
INPUT_DOC = "The model's input: a tensor of the shape you give it (without the batch size)."
NO_MATCHES = "No matches"
# Ranks from `LayerEntry.rank`: lower is a better match.
PREFIX, SUBSTRING, DOC_WORD = 0, 1, 2
_SORT_ROLE = Qt.ItemDataRole.UserRole
_ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


@dataclass(frozen=True)
class LayerEntry:
    """One thing the user can add: a catalog layer, the Input node or a project sub-model."""

    layer: str
    submodel: str | None
    label: str
    category: str
    tooltip: str
    keys: tuple[str, ...]  # lower-cased name and aliases
    doc_words: frozenset[str]

    def rank(self, query: str, use_doc: bool = True) -> int | None:
        """How well a lower-cased query matches (PREFIX best); None when it does not.

        A query of several words ("max 2d", "element addition") matches when
        every word does, each in the name, an alias or the documentation.
        """
        if any(key.startswith(query) for key in self.keys):
            return PREFIX
        if any(query in key for key in self.keys):
            return SUBSTRING
        words = query.split()
        if all(self._named(word) for word in words):
            return SUBSTRING
        if use_doc and all(self._named(word) or self._documented(word) for word in words):
            return DOC_WORD
        return None

    def _named(self, word: str) -> bool:
        return any(word in key for key in self.keys)

    def _documented(self, word: str) -> bool:
        # Doc words only from three letters on: "a" or "co" would match nearly everything.
        return len(word) >= 3 and any(doc_word.startswith(word) for doc_word in self.doc_words)


def inputs_phrase(minimum: int, maximum: int | None, ports: Sequence[str] = ()) -> str:
    """How many inputs a layer takes, as the tooltip says it: "takes 2 or more inputs"."""
    if maximum is None:
        phrase = f"takes {minimum} or more inputs"
    elif maximum == 0:
        phrase = "takes no inputs"
    elif minimum == maximum:
        phrase = f"takes {minimum} input" + ("" if minimum == 1 else "s")
    else:
        phrase = f"takes {minimum} to {maximum} inputs"
    return f"{phrase} ({', '.join(ports)})" if ports else phrase


def layer_tooltip(title: str, category: str, doc: str, inputs: str) -> str:
    """Rich text, so Qt word-wraps it instead of drawing one screen-wide line."""
    return (f"<qt><b>{html.escape(title)}</b> &middot; {html.escape(category)}"
            f"<p>{html.escape(doc)}</p><i>{html.escape(inputs)}</i></qt>")


def _entry(layer: str, label: str, category: str, doc: str, inputs: str,
           keys: Sequence[str], submodel: str | None = None) -> LayerEntry:
    return LayerEntry(layer, submodel, label, category, layer_tooltip(label, category, doc, inputs),
                      tuple(k.lower() for k in keys), frozenset(re.findall(r"\w+", doc.lower())))


def spec_entry(spec: LayerSpec) -> LayerEntry:
    doc = spec.doc or "Keras gives no description for this layer."
    inputs = inputs_phrase(spec.min_inputs, spec.max_inputs, spec.port_names)
    return _entry(spec.name, spec.name, spec.category, doc, inputs, [spec.name, *spec.aliases])


def input_entry() -> LayerEntry:
    return _entry(INPUT_LAYER, INPUT_LAYER, CORE, INPUT_DOC, inputs_phrase(0, 0), [INPUT_LAYER])


def submodel_entry(name: str) -> LayerEntry:
    doc = f"This project's sub-model \u201c{name}\u201d, placed as one layer."
    inputs = "takes one input per Input node of the sub-model"
    return _entry(SUBMODEL_LAYER, name, SUBMODELS, doc, inputs, [name, "submodel", "sub-model"], name)


def catalog_entries(catalog: Catalog) -> dict[str, list[LayerEntry]]:
    """The catalog's entries by category in palette order, with Input first in "Core"."""
    groups = {category: [spec_entry(spec) for spec in map(catalog.get, names) if spec is not None]
              for category, names in catalog.categories().items()}
    groups = {CORE: [], **groups}  # Input needs a Core group even if the catalog had none
    groups[CORE].insert(0, input_entry())
    return groups


class _RankedItem(QTreeWidgetItem):
    """Sorts by a number in _SORT_ROLE: catalog order when idle, best match first when searching."""

    def __lt__(self, other: QTreeWidgetItem) -> bool:
        return self.data(0, _SORT_ROLE) < other.data(0, _SORT_ROLE)


class _LayerTree(QTreeWidget):
    """The tree itself: its drags carry a layer, and Enter activates the current item."""

    enter_pressed = Signal()

    def mimeTypes(self) -> list[str]:
        return [LAYER_MIME]

    def mimeData(self, items: Sequence[QTreeWidgetItem]) -> QMimeData:
        entry = items[0].data(0, _ENTRY_ROLE) if items else None
        return layer_mime_data(entry.layer, entry.submodel) if entry else QMimeData()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in _ENTER_KEYS:
            self.enter_pressed.emit()
        else:
            super().keyPressEvent(event)


class PaletteWidget(QWidget):
    """A search box over a tree of layer categories; drag, double-click or Enter to add one."""

    layer_activated = Signal(str, object)  # (layer name, sub-model name or None)

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.search = QLineEdit(placeholderText="Search layers\u2026", clearButtonEnabled=True)
        self.tree = _LayerTree(headerHidden=True, uniformRowHeights=True)
        self.tree.setDragEnabled(True)
        self.tree.setDragDropMode(QTreeWidget.DragDropMode.DragOnly)
        self.no_matches = QLabel(NO_MATCHES, wordWrap=True)
        self.no_matches.setEnabled(False)  # greyed: a remark about the search, not an entry
        self.no_matches.setContentsMargins(8, 6, 8, 6)
        self.no_matches.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.search)
        layout.addWidget(self.no_matches)
        layout.addWidget(self.tree)
        # Per group: (category item, [(layer item, entry)]); filled once, re-filtered in place.
        self._groups: dict[str, tuple[QTreeWidgetItem, list[tuple[QTreeWidgetItem, LayerEntry]]]] = {}
        self._submodel_names: list[str] = []
        for category, entries in {**catalog_entries(catalog), SUBMODELS: []}.items():
            group = _RankedItem(self.tree)
            group.setFlags(Qt.ItemFlag.ItemIsEnabled)
            group.setData(0, _SORT_ROLE, len(self._groups))
            self._groups[category] = (group, [])
            self._fill(category, entries)
            group.setExpanded(category in (CORE, SUBMODELS))
        self._idle_expansion: dict[str, bool] | None = None  # saved while a search is shown
        self.search.textChanged.connect(self._apply_filter)
        self.search.returnPressed.connect(self._activate_current)
        self.search.installEventFilter(self)
        self.tree.itemDoubleClicked.connect(self._activate)
        self.tree.enter_pressed.connect(self._activate_current)
        self._apply_filter("")

    def set_submodels(self, names: Sequence[str]) -> None:
        """List the project's sub-models (as "Submodel" layers); the group hides when empty.

        The window calls this after every edit; an unchanged list leaves the tree
        (and the user's selection and scroll position in it) alone.
        """
        if list(names) == self._submodel_names:
            return
        self._submodel_names = list(names)
        group, items = self._groups[SUBMODELS]
        group.takeChildren()
        items.clear()
        self._fill(SUBMODELS, [submodel_entry(name) for name in names])
        self._apply_filter(self.search.text())

    def set_filter(self, text: str) -> None:
        """Filter as if the user typed `text` in the search box."""
        self.search.setText(text)

    def visible_layers(self) -> list[str]:
        """Labels of the entries the filter lets through, top to bottom (collapsed groups too)."""
        root = self.tree.invisibleRootItem()
        groups = [root.child(i) for i in range(root.childCount())]
        return [group.child(j).text(0) for group in groups if not group.isHidden()
                for j in range(group.childCount()) if not group.child(j).isHidden()]

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.search and event.type() == QEvent.Type.KeyPress:
            if event.key() == Qt.Key.Key_Escape and self.search.text():
                self.search.clear()
                return True
            if event.key() == Qt.Key.Key_Down:
                self.tree.setFocus()
                return True
        return super().eventFilter(watched, event)

    def _fill(self, category: str, entries: Sequence[LayerEntry]) -> None:
        group, items = self._groups[category]
        for entry in entries:
            item = _RankedItem(group, [entry.label])
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
                          | Qt.ItemFlag.ItemIsDragEnabled)
            item.setToolTip(0, entry.tooltip)
            item.setData(0, _ENTRY_ROLE, entry)
            items.append((item, entry))

    def _apply_filter(self, text: str) -> None:
        query = text.strip().lower()
        if query and self._idle_expansion is None:
            self._idle_expansion = {c: g.isExpanded() for c, (g, _) in self._groups.items()}
        best: tuple[int, int, int, QTreeWidgetItem] | None = None
        for order, (category, (group, items)) in enumerate(self._groups.items()):
            shown = 0
            for index, (item, entry) in enumerate(items):
                rank = entry.rank(query) if query else PREFIX
                item.setHidden(rank is None)
                if rank is None:
                    continue
                shown += 1
                item.setData(0, _SORT_ROLE, rank * len(items) + index)
                if best is None or (rank, order, index) < best[:3]:
                    best = (rank, order, index, item)
            group.setText(0, f"{category} ({shown})")
            group.setHidden(shown == 0)
            if query:
                group.setExpanded(shown > 0)
            elif self._idle_expansion is not None:
                group.setExpanded(self._idle_expansion.get(category, False))
        if not query:
            self._idle_expansion = None
        self.no_matches.setText(f"{NO_MATCHES} for \u201c{text.strip()}\u201d")
        self.no_matches.setVisible(bool(query) and best is None)
        self.tree.sortItems(0, Qt.SortOrder.AscendingOrder)
        if query and best is not None:
            # Selecting the best match shows the user what Enter in the search box will add.
            self.tree.setCurrentItem(best[3])
            self.tree.scrollToItem(best[3])

    def _activate_current(self) -> None:
        item = self.tree.currentItem()
        if item is None or item.isHidden():
            return
        if isinstance(item.data(0, _ENTRY_ROLE), LayerEntry):
            self._activate(item)
        else:
            item.setExpanded(not item.isExpanded())

    def _activate(self, item: QTreeWidgetItem) -> None:
        # A double-clicked category needs nothing here: the tree already folds it.
        entry = item.data(0, _ENTRY_ROLE)
        if isinstance(entry, LayerEntry):
            self.layer_activated.emit(entry.layer, entry.submodel)
