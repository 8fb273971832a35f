"""The Messages panel: every problem of the project, one row each, with the node it is about.

It is where a user looks to learn why the model will not build: each row names
the node as its card does (in bold, behind the sub-model it lives in) and says
what is wrong. Errors come first, with a red icon; work that is only
unfinished (a card not connected yet) follows in grey, so a half-drawn graph
does not read as a list of mistakes. Within each, the graph on the canvas
comes first. Activating a row (double-click or Enter) asks the window to show
that node. With nothing wrong it says so in green, and while TensorFlow is
still loading it says that shapes are not checked yet, so "valid" is never
claimed for more than was checked.
"""

from __future__ import annotations

from PySide6.QtCore import QPointF, Qt, Signal
from PySide6.QtGui import QBrush, QFont, QIcon, QPainter, QPen, QPixmap
from PySide6.QtWidgets import QLabel, QStyle, QTreeWidget, QTreeWidgetItem, QVBoxLayout, QWidget

from netbuilder.graph import Problem
from netbuilder.ui.canvas.theme import PORT_VALID
from netbuilder.ui.document import EditorDocument
from netbuilder.ui.problem_look import INCOMPLETE_COLOUR, counts_text, in_reading_order, problem_line, where_text

VALID_TEXT = "✓ The model is valid"
NOT_YET_CHECKED = " — shapes are checked once TensorFlow has loaded"
_TARGET_ROLE = Qt.ItemDataRole.UserRole
_ICON_SIZE = 16


def incomplete_icon() -> QIcon:
    """A dashed grey ring: the card of an unfinished node, drawn small."""
    pixmap = QPixmap(_ICON_SIZE, _ICON_SIZE)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(INCOMPLETE_COLOUR, 1.6, Qt.PenStyle.DashLine))
    painter.drawEllipse(QPointF(_ICON_SIZE / 2, _ICON_SIZE / 2), 5.5, 5.5)
    painter.end()
    return QIcon(pixmap)


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
        self._error_icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        self._incomplete_icon = incomplete_icon()
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
        problems = in_reading_order(document.problems, document.scope)
        self.header.setText(counts_text(problems))
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
        project = self._document.project
        item = QTreeWidgetItem([where_text(project, problem), problem.message])
        item.setIcon(0, self._error_icon if problem.is_error else self._incomplete_icon)
        item.setFont(0, self._bold)
        if not problem.is_error:
            for column in (0, 1):
                item.setForeground(column, QBrush(INCOMPLETE_COLOUR))
        line = problem_line(project, problem)
        item.setToolTip(0, line)
        item.setToolTip(1, line)
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
