"""The Help menu's windows: every shortcut (searchable), a first-steps page, and the versions in use.

The shortcut list is built from the action table (`actions.MENUS`, with the
shortcuts the live actions really have) and the gestures beside it, so it can
never disagree with what the keys do. The versions are read without importing
TensorFlow: while it is still loading in the background, an import on the GUI
thread would freeze the window for seconds, so the installed package's
metadata answers instead.
"""

from __future__ import annotations

import importlib.metadata
import platform
import sys
from collections.abc import Callable
from dataclasses import dataclass

import PySide6
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QFont, QKeySequence
from PySide6.QtWidgets import (
    QDialog, QDialogButtonBox, QHeaderView, QLabel, QLineEdit, QTextBrowser, QTreeWidget, QTreeWidgetItem,
    QVBoxLayout, QWidget,
)

import netbuilder
from netbuilder.ui.actions import GESTURES, MENUS

NO_MATCHES = "No matches"
# Where TensorFlow may come from: the usual wheel, then the other names it is published under.
_TENSORFLOW_DISTRIBUTIONS = ("tensorflow", "tensorflow-cpu", "tensorflow-macos", "tf-nightly")


@dataclass(frozen=True)
class ShortcutRow:
    """One line of the shortcut list: what it does, the keys, and where (a menu or a panel)."""

    what: str
    keys: str
    where: str

    def matches(self, query: str) -> bool:
        """Every word of `query` appears somewhere in the row ("ctrl z", "zoom wheel")."""
        text = f"{self.what} {self.keys} {self.where}".lower()
        return all(word in text for word in query.lower().split())


def shortcut_rows(actions: dict[str, QAction]) -> list[ShortcutRow]:
    """Every action in menu order with its shortcut as this platform writes it, then the gestures."""
    rows = []
    for title, specs in MENUS.items():
        for spec in specs:
            if spec is None:
                continue
            keys = actions[spec.key].shortcut().toString(QKeySequence.SequenceFormat.NativeText)
            rows.append(ShortcutRow(spec.text.replace("&", "").rstrip("…"), keys, title.replace("&", "")))
    rows.extend(ShortcutRow(what, keys, where) for where, keys, what in GESTURES)
    return rows


class ShortcutsDialog(QDialog):
    """Help ▸ Keyboard Shortcuts: rows grouped by menu or panel, narrowed to those holding every word typed."""

    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard Shortcuts")
        self.resize(720, 640)
        self.search = QLineEdit(placeholderText="Search actions, keys or panels…", clearButtonEnabled=True)
        self.table = QTreeWidget()
        self.table.setHeaderLabels(["Action", "Keys"])
        self.table.setRootIsDecorated(False)
        self.table.setUniformRowHeights(True)
        self.table.setItemsExpandable(False)  # the groups are headings, not folders
        self.table.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.header().setStretchLastSection(False)
        self.table.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.empty = QLabel(NO_MATCHES)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setEnabled(False)  # greyed: it is a remark, not content
        self.empty.hide()
        layout = QVBoxLayout(self)
        layout.addWidget(self.search)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.empty)
        self._rows: list[tuple[QTreeWidgetItem, ShortcutRow]] = []
        groups: dict[str, QTreeWidgetItem] = {}
        heading = QFont(self.table.font())
        heading.setBold(True)
        for row in shortcut_rows(actions):
            group = groups.get(row.where)
            if group is None:
                group = groups[row.where] = QTreeWidgetItem(self.table, [row.where])
                group.setFont(0, heading)
                group.setFlags(Qt.ItemFlag.ItemIsEnabled)
                group.setFirstColumnSpanned(True)
            self._rows.append((QTreeWidgetItem(group, [row.what, row.keys]), row))
        self.table.expandAll()
        self.search.textChanged.connect(self._filter)
        self.search.setFocus()

    def visible_rows(self) -> list[ShortcutRow]:
        """The rows the search lets through, top to bottom."""
        return [row for item, row in self._rows if not item.isHidden()]

    def _filter(self, text: str) -> None:
        shown = 0
        for item, row in self._rows:
            item.setHidden(not row.matches(text))
            shown += not item.isHidden()
        for i in range(self.table.topLevelItemCount()):
            group = self.table.topLevelItem(i)
            group.setHidden(all(group.child(j).isHidden() for j in range(group.childCount())))
        self.empty.setText(f"{NO_MATCHES} for \u201c{text.strip()}\u201d")
        self.empty.setVisible(shown == 0)


def getting_started_html(keys: Callable[[str], str]) -> str:
    """The first steps, with the shortcuts as `keys(action)` gives them (so they follow the table)."""
    def key(name: str) -> str:
        text = keys(name)
        return f" (<b>{text}</b>)" if text else ""

    return f"""
<h2>Getting started</h2>
<p>A netbuilder project is a drawing of a Keras model: each card is a layer, each wire a tensor.</p>
<ol>
<li><b>Add an Input.</b> Drag <i>Input</i> from the <b>Layers</b> palette onto the canvas, or press <b>Tab</b>
(or tap <b>Space</b>) on the canvas, type <i>input</i> and press Enter. Give it the shape of one example in the
<b>Inspector</b>, such as <code>28x28x1</code> or <code>10</code> (<code>None</code> for a size that varies).</li>
<li><b>Add layers and connect them.</b> Add a layer the same way, then drag from the dot under one card to the
dot on top of the next. Drop a wire on empty canvas to pick the next layer right there.</li>
<li><b>Watch the shapes.</b> Every wire shows the shape it carries. A card with a dashed grey outline is not
finished yet and says what it misses; a red card has an error, with the reason on it and in the
<b>Messages</b> tab (double-click a message to go to its card).</li>
<li><b>Train.</b> In the <b>Training</b> tab choose a dataset (a bundled one to begin with), then press
Train{key("train")}. Loss curves grow as it learns; Stop{key("stop")} keeps what it learned so far.</li>
<li><b>Export.</b> File ▸ Export…{key("export")} writes a TensorFlow SavedModel, a <code>.keras</code> file or a
Python script that rebuilds the model.</li>
</ol>
<p>To see a finished model first, open one from <b>File ▸ Open Example</b>. Undo{key("undo")} takes back any
edit. Every shortcut is listed in <b>Help ▸ Keyboard Shortcuts</b>{key("shortcuts")}.</p>
"""


class GettingStartedDialog(QDialog):
    """Help ▸ Getting Started: what to do first, one short page."""

    def __init__(self, actions: dict[str, QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Getting Started")
        self.resize(560, 440)
        self.page = QTextBrowser()
        self.page.setOpenLinks(False)
        self.page.setHtml(getting_started_html(
            lambda name: actions[name].shortcut().toString(QKeySequence.SequenceFormat.NativeText)))
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.page, 1)
        layout.addWidget(buttons)


def _installed(*distributions: str) -> str:
    for name in distributions:
        try:
            return importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            continue
    return "not installed"


def _loaded_or_installed(module: str, *distributions: str) -> str:
    """A module's own version when it is imported already, else its package metadata (no import)."""
    loaded = sys.modules.get(module)
    version = getattr(loaded, "__version__", None)
    return version if isinstance(version, str) else _installed(*distributions)


def versions() -> list[tuple[str, str]]:
    """(component, version) for what a bug report needs."""
    return [
        ("netbuilder", netbuilder.__version__),
        ("Keras", _loaded_or_installed("keras", "keras")),
        ("TensorFlow", _loaded_or_installed("tensorflow", *_TENSORFLOW_DISTRIBUTIONS)),
        ("Qt", qVersion()),
        ("PySide6", PySide6.__version__),
        ("Python", platform.python_version()),
    ]


class AboutDialog(QDialog):
    """Help ▸ About netbuilder: what it is and the versions of what it runs on (selectable, to paste)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About netbuilder")
        rows = "".join(f"<tr><td>{name}</td><td>&nbsp;&nbsp;<b>{version}</b></td></tr>" for name, version in versions())
        self.text = QLabel(
            "<h2>netbuilder</h2><p>Build neural networks by drawing them:<br>the drawing is a Keras model.</p>"
            f"<table>{rows}</table>")
        self.text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(self.text)
        layout.addWidget(buttons)
