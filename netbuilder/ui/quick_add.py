"""The quick-add popup: type a few letters where the node should go, press Enter.

Like Blender's and Unreal's "add node" search, it is a frameless popup with a
line edit over a short list that re-ranks on every keystroke (name prefixes,
then substrings, then near-misses for typos). It offers the same entries as the
palette, including Input and the project's sub-models, and never needs
TensorFlow, so it works while Keras is still loading.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence

from PySide6.QtCore import QEvent, QObject, QPoint, Qt, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QFrame, QLineEdit, QListWidget, QListWidgetItem, QVBoxLayout, QWidget

from netbuilder.catalog import Catalog
from netbuilder.ui.palette import LayerEntry, catalog_entries, submodel_entry

MAX_ROWS = 12
FUZZY_LIMIT = 5
_WIDTH = 280
_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)
PROMPT = "Add layer\u2026"


class QuickAddPopup(QFrame):
    """A search line over a ranked list of layers; emits `chosen` and hides on Enter or click."""

    chosen = Signal(str, object)  # (layer name, sub-model name or None)

    def __init__(self, catalog: Catalog, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Popup)
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setFixedWidth(_WIDTH)
        self.edit = QLineEdit(placeholderText=PROMPT)
        self.list = QListWidget(uniformItemSizes=True)
        # Focus stays in the edit so typing never stops; the list only shows the choice.
        self.list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(2, 2, 2, 2)
        layout.setSpacing(2)
        layout.addWidget(self.edit)
        layout.addWidget(self.list)
        self._catalog_entries = [e for entries in catalog_entries(catalog).values() for e in entries]
        self._entries: list[LayerEntry] = []
        self._by_key: dict[str, LayerEntry] = {}
        self._shown: list[LayerEntry] = []  # row i of the list shows _shown[i]
        self._set_entries(())
        self.edit.textChanged.connect(self._refilter)
        self.edit.installEventFilter(self)
        self.list.itemClicked.connect(lambda item: self._choose(self.list.row(item)))

    def popup_at(self, global_pos: QPoint, submodels: Sequence[str] = (), prompt: str = PROMPT) -> None:
        """Show at a screen position with an empty search, offering these sub-models too.

        `prompt` (the empty search line's hint) says what the choice will do, e.g.
        that it goes into the wire under the pointer rather than beside it.
        """
        self._set_entries(submodels)
        self.edit.setPlaceholderText(prompt)
        self.edit.clear()
        self._refilter("")  # the entries changed even when the text did not
        self.move(self._on_screen(global_pos))
        self.show()
        self.raise_()
        self.activateWindow()
        self.edit.setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.edit and event.type() == QEvent.Type.KeyPress:
            key = event.key()
            if key in (Qt.Key.Key_Up, Qt.Key.Key_Down):
                self._step(-1 if key == Qt.Key.Key_Up else 1)
                return True
            if key in _ENTER_KEYS:
                self._choose(self.list.currentRow())
                return True
            if key == Qt.Key.Key_Escape:
                self.hide()
                return True
        return super().eventFilter(watched, event)

    def _set_entries(self, submodels: Sequence[str]) -> None:
        self._entries = self._catalog_entries + [submodel_entry(name) for name in submodels]
        self._by_key = {}
        for entry in self._entries:
            for key in entry.keys:
                self._by_key.setdefault(key, entry)

    def _ranked(self, query: str) -> list[LayerEntry]:
        if not query:
            return list(self._entries)
        scored = [(rank, entry.label.lower(), entry) for entry in self._entries
                  if (rank := entry.rank(query, use_doc=False)) is not None]
        ranked = [entry for _, _, entry in sorted(scored, key=lambda s: s[:2])]
        # Near-misses come last and only for what no name contains: "dnese" still finds Dense.
        close = difflib.get_close_matches(query, list(self._by_key), n=FUZZY_LIMIT * 2, cutoff=0.6)
        fuzzy = [self._by_key[key] for key in close]
        return ranked + [e for e in dict.fromkeys(fuzzy) if e not in ranked][:FUZZY_LIMIT]

    def _refilter(self, text: str) -> None:
        self._shown = self._ranked(text.strip().lower())
        self.list.setUpdatesEnabled(False)
        self.list.clear()
        for entry in self._shown:
            item = QListWidgetItem(entry.label, self.list)
            item.setToolTip(entry.tooltip)
        if not self._shown:
            item = QListWidgetItem(f"No layer matches \u201c{text.strip()}\u201d", self.list)
            item.setFlags(Qt.ItemFlag.NoItemFlags)
        else:
            self.list.setCurrentRow(0)
        self.list.setUpdatesEnabled(True)
        rows = min(self.list.count(), MAX_ROWS)
        self.list.setFixedHeight(rows * self.list.sizeHintForRow(0) + 2 * self.list.frameWidth())
        # Not adjustSize(): that keeps a window at least 100 px tall, leaving a gap.
        self.layout().activate()
        self.resize(self.sizeHint())

    def _step(self, delta: int) -> None:
        if self._shown:
            row = self.list.currentRow() + delta
            self.list.setCurrentRow(max(0, min(row, len(self._shown) - 1)))

    def _choose(self, row: int) -> None:
        if 0 <= row < len(self._shown):
            entry = self._shown[row]
            self.hide()
            self.chosen.emit(entry.layer, entry.submodel)

    def _on_screen(self, pos: QPoint) -> QPoint:
        """Where the popup's top-left goes so that all of it stays on the screen under `pos`."""
        screen = QGuiApplication.screenAt(pos) or self.screen()
        area = screen.availableGeometry()
        x = max(area.left(), min(pos.x(), area.right() - self.width()))
        y = max(area.top(), min(pos.y(), area.bottom() - self.height()))
        return QPoint(x, y)
