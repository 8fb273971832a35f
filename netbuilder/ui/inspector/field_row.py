"""One setting in the inspector: its editor with the refusal message right under it.

A refused edit must be explained where the user is looking, so the message
sits below the field (and in its tooltip) and the field gets a red border
until the next good edit or Esc.
"""

from __future__ import annotations

import html

from PySide6.QtWidgets import QCheckBox, QComboBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from netbuilder.ui.inspector.fields import Field

ERROR_COLOR = "#d93025"
_STYLED_BASES = (QLineEdit, QComboBox, QCheckBox)


def rich_tooltip(text: str) -> str:
    """Plain text as a tooltip Qt wraps to a readable width (it never wraps plain text)."""
    if not text:
        return ""
    return "<qt>" + html.escape(text, quote=False).replace("\n\n", "<br><br>").replace("\n", " ") + "</qt>"


class FieldRow(QWidget):
    """An editor plus the message that says why the last edit was refused."""

    def __init__(self, editor: Field, help_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.editor = editor
        self._help = rich_tooltip(help_text)
        self._error = QLabel()
        self._error.setWordWrap(True)
        self._error.setStyleSheet(f"color: {ERROR_COLOR};")
        self._error.hide()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(editor)
        layout.addWidget(self._error)
        editor.setToolTip(self._help)

    def error(self) -> str:
        return self._error.text()

    def set_error(self, message: str) -> None:
        """Show `message` at the field, or clear the refusal with ""."""
        if message == self._error.text():
            return
        self._error.setText(message)
        self._error.setVisible(bool(message))
        self.editor.setProperty("invalid", bool(message))
        self.editor.setToolTip(rich_tooltip(message) if message else self._help)
        base = next(b.__name__ for b in _STYLED_BASES if isinstance(self.editor, b))
        self.editor.setStyleSheet(
            f"{base} {{ border: 1px solid {ERROR_COLOR}; border-radius: 3px; padding: 1px 2px; }}"
            if message else "")
