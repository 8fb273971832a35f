"""The Help menu's windows: Getting Started, Keyboard Shortcuts and About, one of each, kept open beside the work.

Each is made on first use (their module is imported only then) and kept for
next time, so a second Help ▸ Shortcuts raises the same window. None is modal:
the user reads them while drawing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QDialog

if TYPE_CHECKING:
    from netbuilder.ui.main_window import MainWindow


class HelpWindows:
    """The help windows of one main window, by kind ("getting_started", "shortcuts", "about")."""

    def __init__(self, window: MainWindow) -> None:
        self.window = window  # their parent; the shortcuts they list are read from its live actions
        self.windows: dict[str, QDialog] = {}

    def show_getting_started(self) -> QDialog:
        from netbuilder.ui.help_dialogs import GettingStartedDialog

        return self._show("getting_started", lambda: GettingStartedDialog(self.window.actions, self.window))

    def show_shortcuts(self) -> QDialog:
        from netbuilder.ui.help_dialogs import ShortcutsDialog

        return self._show("shortcuts", lambda: ShortcutsDialog(self.window.actions, self.window))

    def show_about(self) -> QDialog:
        from netbuilder.ui.help_dialogs import AboutDialog

        return self._show("about", lambda: AboutDialog(self.window))

    def _show(self, key: str, make: Callable[[], QDialog]) -> QDialog:
        dialog = self.windows.get(key)
        if dialog is None:
            dialog = self.windows[key] = make()
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()
        return dialog
