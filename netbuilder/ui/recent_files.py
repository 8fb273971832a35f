"""The recently opened projects, most recent first, remembered between sessions.

The start page lists them and the File menu offers them, so both read one
`RecentFiles` and follow its `changed` signal. The list lives in `QSettings`
(key `recent_files`) as resolved paths, so the same file reached through two
different relative paths or a symbolic link is listed once. Files that have
since been moved or deleted are left out when the list is read rather than
offered and then refused.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, QSettings, Signal

KEY = "recent_files"


class RecentFiles(QObject):
    """Most-recent-first list of project paths, persisted in `QSettings`."""

    changed = Signal()

    def __init__(self, settings: QSettings | None = None, limit: int = 10) -> None:
        super().__init__()
        self._settings = settings if settings is not None else QSettings("netbuilder", "netbuilder")
        self._limit = limit

    def paths(self) -> list[Path]:
        """The remembered projects that still exist, most recent first."""
        return [p for p in self._stored() if p.is_file()]

    def add(self, path: Path) -> None:
        """Put `path` first (once), keeping at most `limit` entries."""
        path = Path(path).resolve()
        self._store([path, *(p for p in self.paths() if p != path)][: self._limit])

    def remove(self, path: Path) -> None:
        path = Path(path).resolve()
        self._store([p for p in self._stored() if p != path])

    def clear(self) -> None:
        self._store([])

    def _stored(self) -> list[Path]:
        raw = self._settings.value(KEY, [])
        # INI files give a one-item list back as a plain string and an empty one as None.
        items = [raw] if isinstance(raw, str) else list(raw or [])
        return [Path(item) for item in items if isinstance(item, str) and item]

    def _store(self, paths: list[Path]) -> None:
        self._settings.setValue(KEY, [str(p) for p in paths])
        # Written now so a second window, or a crash a moment later, sees the list.
        self._settings.sync()
        self.changed.emit()
