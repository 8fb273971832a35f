"""The View menu's entries that show and hide the docks and the toolbar, and what the user chose.

A dock closed with its × must always come back from the View menu, and it
must stay closed when the user opens another project: the window hides every
dock on the start page and shows them again with a project, which must not
undo the user's choice. So the choice is remembered here, apart from whether a
dock happens to be visible. It follows the widget's own toggle action, which
Qt keeps in step with explicit hides and shows (the × button, the docks'
context menu, `dock.hide()`), but not while the window swaps pages.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMainWindow, QMenu, QToolBar

Panel = QDockWidget | QToolBar


class PanelToggles(QObject):
    """One checkable View-menu action per dock or toolbar; docks show only beside a project."""

    def __init__(self, window: QMainWindow, menu: QMenu, panels: Sequence[tuple[str, Panel]]) -> None:
        super().__init__(window)
        self._editor_shown = True
        self._switching = False
        self.wanted: dict[Panel, bool] = {}
        self.actions: dict[Panel, QAction] = {}
        menu.addSeparator()
        for text, panel in panels:
            action = QAction(text, window, checkable=True, checked=True)
            action.setStatusTip(f"Show or hide {text.replace('&', '')}")
            action.triggered.connect(lambda checked, p=panel: self.set_shown(p, checked))
            menu.addAction(action)
            self.actions[panel] = action
            self.wanted[panel] = True
            panel.toggleViewAction().toggled.connect(lambda on, p=panel: self._followed(p, on))

    def set_shown(self, panel: Panel, shown: bool) -> None:
        """Show or hide `panel` as the user asked (a dock waits for a project to be open)."""
        self.wanted[panel] = shown
        self.actions[panel].setChecked(shown)
        if self._editor_shown or not isinstance(panel, QDockWidget):
            panel.setVisible(shown)

    def set_editor_shown(self, shown: bool) -> None:
        """The start page has the window to itself; the editor gets back the docks the user keeps open."""
        self._editor_shown = shown
        self._switching = True
        try:
            for panel, action in self.actions.items():
                if isinstance(panel, QDockWidget):
                    panel.setVisible(shown and self.wanted[panel])
                    action.setEnabled(shown)
        finally:
            self._switching = False

    def _followed(self, panel: Panel, on: bool) -> None:
        # Hiding the docks for the start page is the window's doing, not the user's choice.
        if self._switching or (isinstance(panel, QDockWidget) and not self._editor_shown):
            return
        self.wanted[panel] = on
        self.actions[panel].setChecked(on)
