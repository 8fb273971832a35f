"""The Messages panel: every problem of the project, one row each, with the node it is about.

It is where a user looks to learn why the model will not build: each row names
the node (in bold, behind the sub-model it lives in) and says what is wrong,
problems of the graph on the canvas first. Activating a row (double-click or
Enter) asks the window to show that node. With nothing wrong it says so in
green, and while TensorFlow is still loading it says that shapes are not
checked yet, so "valid" is never claimed for more than was checked.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QBrush, QFont
from PySide6.QtWidgets import QLabel, QStyle, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from netbuilder.graph import Problem
from netbuilder.ui.canvas.theme import PORT_VALID
from netbuilder.ui.document import EditorDocument

VALID_TEXT = "✓ The model is valid"
NOT_YET_CHECKED = " — shapes are checked once TensorFlow has loaded"
SCOPE_MARK = " ▸ "
_TARGET_ROLE = Qt.ItemDataRole.UserRole


def where_text(problem: Problem) -> str:
    """The node a problem is about, behind its sub-model: "encoder ▸ dense_2"."""
    parts = [part for part in (problem.scope, problem.node_id) if part]
    return SCOPE_MARK.join(parts)


def problems_header(count: int) -> str:
    if count == 0:
        return "No problems"
    return "1 problem" if count == 1 else f"{count:,} problems"


class MessagesPanel(QWidget):
    """A list of the document's problems that follows every re-check."""

    problem_activated = Signal(str, str)  # (scope, node_id); node_id is "" for a sub-model as a whole

    def __init__(self, document: EditorDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.header = QLabel()
        self.list = QTreeWidget()
        self.list.setColumnCount(2)
        self.list.setHeaderHidden(True)
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.itemActivated.connect(self._on_activated)  # double-click and Enter alike
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addWidget(self.header)
        layout.addWidget(self.list)
        self._bold = QFont(self.list.font())
        self._bold.setBold(True)
        self._icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        self._document = document
        document.checked.connect(self.refresh)
        self.refresh()

    def messages(self) -> list[str]:
        """The rows as the user reads them: "encoder ▸ dense_2: units must be at least 1, got 0"."""
        rows = []
        for i in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(i)
            where, what = item.text(0), item.text(1)
            rows.append(f"{where}: {what}" if where and what else where or what)
        return rows

    def refresh(self) -> None:
        document = self._document
        # Stable sort: the canvas' own problems first, the rest keep the checker's order.
        problems = sorted(document.problems, key=lambda p: p.scope != document.scope)
        self.header.setText(problems_header(len(problems)))
        self.list.setUpdatesEnabled(False)
        self.list.clear()
        if problems:
            self.list.addTopLevelItems([self._problem_item(p) for p in problems])
        else:
            valid = self._valid_item(document.keras_ready)
            self.list.addTopLevelItem(valid)
            valid.setFirstColumnSpanned(True)  # only takes effect once the item is in the tree
        self.list.resizeColumnToContents(0)
        self.list.setUpdatesEnabled(True)

    def _problem_item(self, problem: Problem) -> QTreeWidgetItem:
        item = QTreeWidgetItem([where_text(problem), problem.message])
        item.setIcon(0, self._icon)
        item.setFont(0, self._bold)
        item.setToolTip(0, str(problem))
        item.setToolTip(1, str(problem))
        item.setData(0, _TARGET_ROLE, (problem.scope, problem.node_id or ""))
        return item

    def _valid_item(self, keras_ready: bool) -> QTreeWidgetItem:
        item = QTreeWidgetItem([VALID_TEXT + ("" if keras_ready else NOT_YET_CHECKED), ""])
        item.setForeground(0, QBrush(PORT_VALID))
        return item

    def _on_activated(self, item: QTreeWidgetItem) -> None:
        target = item.data(0, _TARGET_ROLE)
        if target and any(target):  # a graph-wide problem of the main graph has nowhere to go
            self.problem_activated.emit(*target)
