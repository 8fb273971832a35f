"""The bar above the canvas while a sub-model is edited: where the user is, and the way back to the main graph.

Editing a sub-model changes every node that uses it, so the bar says so in
the same line that names the sub-model; its back button returns to the main
graph.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QHBoxLayout, QLabel, QToolButton, QWidget


class Breadcrumb(QWidget):
    """"◀ Main graph" and "project ▸ sub-model"; shown only while a sub-model is the scope."""

    def __init__(self, back: Callable[[], None]) -> None:
        super().__init__()
        self.setObjectName("breadcrumb")
        self.setStyleSheet("#breadcrumb { background: #eef1f5; border-bottom: 1px solid #d0d5dc; }")
        row = QHBoxLayout(self)
        row.setContentsMargins(8, 3, 8, 3)
        self.back_button = QToolButton()
        self.back_button.setText("◀ Main graph")
        self.back_button.clicked.connect(back)
        self.scope_label = QLabel()
        row.addWidget(self.back_button)
        row.addWidget(self.scope_label, 1)

    def show_scope(self, display_name: str, scope: str) -> None:
        """Follow the scope the canvas shows ("" is the main graph: the bar hides)."""
        self.setVisible(bool(scope))
        self.scope_label.setText(f"  {display_name} ▸ <b>{scope}</b> (sub-model: edits change every node that uses it)")
