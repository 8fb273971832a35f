"""Autosave of unsaved work to a recovery folder, offered back after a crash.

While a document has unsaved changes, an `Autosaver` copies it every few
seconds to `<recovery folder>/<uuid>.nbproj`, with a small `<uuid>.json`
sidecar saying where the project really lives, what it is called, when it was
written and which process wrote it. Saving the project or closing it normally
deletes both, so whatever is left belongs to a netbuilder that died:
`find_recoverable` lists those (skipping files of processes still running, so
two open windows never offer each other's work) and `load_recovered` brings
one back, pointed at its original file so Save puts it where it belongs.
Autosave must never interrupt the user: a failure is reported once through a
signal and the editor carries on.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QStandardPaths, QTimer, Signal

from netbuilder.graph import Project, ProjectFileError, project_file
from netbuilder.graph.atomic_file import atomic_write_text

if TYPE_CHECKING:
    from netbuilder.ui.document import EditorDocument

ENV_DIR = "NETBUILDER_RECOVERY_DIR"


def recovery_dir() -> Path:
    """Where autosaves go: `$NETBUILDER_RECOVERY_DIR`, else the app's data folder; created on demand."""
    configured = os.environ.get(ENV_DIR)
    if configured:
        directory = Path(configured)
    else:
        directory = Path(QStandardPaths.writableLocation(QStandardPaths.StandardLocation.AppDataLocation)) / "recovery"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@dataclass
class RecoveredWork:
    """One autosave left behind by a netbuilder that did not close normally."""

    path: Path  # the recovery file
    original: Path | None  # the project file it was autosaved from; None if never saved
    name: str
    saved_at: datetime


class Autosaver(QObject):
    """Keeps a recovery copy of `document` while it has unsaved changes."""

    failed = Signal(str)  # a readable reason; sent once until an autosave succeeds again

    def __init__(self, document: EditorDocument, interval_ms: int = 5000, directory: Path | None = None) -> None:
        super().__init__(document)
        self._document = document
        self._directory = directory
        self._stem = uuid.uuid4().hex
        # A document handed over already modified (restored work) needs a copy before its first edit.
        self._pending = document.is_modified
        self._reported = False
        self._written: list[Path] = []
        document.changed.connect(self._on_changed)
        self._timer = QTimer(self)
        self._timer.setInterval(interval_ms)
        self._timer.timeout.connect(self._on_timeout)
        self._timer.start()

    def autosave_now(self) -> Path | None:
        """Write the recovery copy now; its path, or None if nothing was unsaved or writing failed."""
        if not self._document.is_modified:
            return None
        try:
            directory = self._directory if self._directory is not None else recovery_dir()
            text = project_file.dumps(self._document.project)
            path = directory / f"{self._stem}.nbproj"
            sidecar = path.with_suffix(".json")
            self._written = [sidecar, path]
            # The sidecar goes first: a project file without one would look abandoned to another window.
            atomic_write_text(sidecar, json.dumps(self._sidecar()))
            atomic_write_text(path, text)
        except (OSError, ValueError) as exc:
            if not self._reported:
                self._reported = True
                self.failed.emit(f"Autosave failed, unsaved changes are not backed up: {_reason(exc)}")
            return None
        self._pending = False
        self._reported = False
        return path

    def discard(self) -> None:
        """The document was closed normally: stop autosaving and delete the recovery copy."""
        if self._timer.isActive():  # the first discard; a second only deletes again
            self._timer.stop()
            self._document.changed.disconnect(self._on_changed)
        self._delete()

    def _sidecar(self) -> dict[str, Any]:
        original = self._document.project.path
        return {
            "original": None if original is None else str(original),
            "name": self._document.display_name,
            "saved_at": datetime.now().astimezone().isoformat(timespec="seconds"),
            "pid": os.getpid(),
        }

    def _on_changed(self) -> None:
        if self._document.is_modified:
            self._pending = True
        else:
            self._pending = False
            self._delete()  # saved (or undone back to the saved state): nothing left to recover

    def _on_timeout(self) -> None:
        if self._pending:
            self.autosave_now()

    def _delete(self) -> None:
        for path in self._written:
            # A copy that cannot be deleted is at worst offered once more; never worth an error.
            with contextlib.suppress(OSError):
                path.unlink(missing_ok=True)
        self._written = []


def find_recoverable(directory: Path | None = None) -> list[RecoveredWork]:
    """Autosaves whose writing process has ended, newest first; files that no longer load are skipped."""
    try:
        directory = directory if directory is not None else recovery_dir()
        candidates = sorted(directory.glob("*.nbproj"))
    except OSError:
        return []
    found = []
    for path in candidates:
        sidecar = _read_sidecar(path.with_suffix(".json"))
        pid = sidecar.get("pid")
        if isinstance(pid, int) and _is_running(pid):
            continue
        try:
            project = project_file.load(path)
            saved_at = _saved_at(sidecar, path)
        except (ProjectFileError, OSError):
            continue
        original = sidecar.get("original")
        name = sidecar.get("name")
        found.append(RecoveredWork(
            path=path,
            original=Path(original) if isinstance(original, str) and original else None,
            name=name if isinstance(name, str) and name else project.name,
            saved_at=saved_at,
        ))
    return sorted(found, key=lambda work: work.saved_at, reverse=True)


def load_recovered(work: RecoveredWork) -> Project:
    """The recovered project, pointed at its original file so Save writes there."""
    project = project_file.load(work.path)
    project.path = work.original
    return project


def forget(work: RecoveredWork) -> None:
    """Delete a recovery copy (restored and saved elsewhere, or discarded by the user)."""
    for path in (work.path, work.path.with_suffix(".json")):
        path.unlink(missing_ok=True)


def _read_sidecar(path: Path) -> dict[str, Any]:
    """The sidecar's fields; empty when it is missing or damaged (the project file still counts)."""
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return doc if isinstance(doc, dict) else {}


def _saved_at(sidecar: dict[str, Any], path: Path) -> datetime:
    stamp = sidecar.get("saved_at")
    if isinstance(stamp, str):
        with contextlib.suppress(ValueError):
            return datetime.fromisoformat(stamp).astimezone()
    return datetime.fromtimestamp(path.stat().st_mtime).astimezone()


def _is_running(pid: int) -> bool:
    """Is process `pid` alive (this one included)?"""
    if pid == os.getpid():
        return True
    if pid <= 0:
        return False  # 0 and negatives name process groups, not a writer
    if sys.platform == "win32":
        # os.kill(pid, 0) would terminate the process on Windows, so ask the kernel instead.
        import ctypes

        kernel32 = ctypes.windll.kernel32
        handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
        if not handle:
            return False
        code = ctypes.c_ulong()
        try:
            ok = kernel32.GetExitCodeProcess(handle, ctypes.byref(code))
        finally:
            kernel32.CloseHandle(handle)
        return bool(ok) and code.value == 259  # STILL_ACTIVE
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, OverflowError):
        return False
    except PermissionError:
        return True  # alive, owned by another user
    return True


def _reason(exc: Exception) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        return f"{exc.strerror}: {exc.filename}" if exc.filename else exc.strerror
    return str(exc)
