"""Start the desktop application: the window first, TensorFlow behind it.

The order matters for how fast the app feels: Qt and the cached catalog load
in well under a second, the window is shown, and only then does TensorFlow
start importing on a background thread (shapes appear when it is done), with
the Training tab's libraries (pyqtgraph, numpy) on another, so that opening a
project later does not wait for them. Before any of it, a probe checks that Qt
can open a window here at all (see qt_platform.py).
"""

from __future__ import annotations

import importlib
import os
import sys
import time
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication

from netbuilder.catalog import load_catalog
from netbuilder.ui.keras_loader import KerasLoader
from netbuilder.ui.main_window import open_window
from netbuilder.ui.training_tab import TRAINING_PANEL_MODULE
from netbuilder.ui.worker import BackgroundCall
from netbuilder.qt_platform import PlatformProbe

# For the start-up benchmark and the launch test: print a line once the window
# is usable, and quit after a while instead of waiting for the user.
READY_ENV = "NETBUILDER_REPORT_READY"
QUIT_ENV = "NETBUILDER_QUIT_AFTER_MS"


def run(path: Path | None = None, example: str | None = None, probe: PlatformProbe | None = None) -> int:
    """Show the editor until it is closed; 1 with a sentence on stderr when Qt cannot open a window here."""
    started = time.perf_counter()
    problem = (probe or PlatformProbe()).problem() if QApplication.instance() is None else None
    if problem:
        print(problem, file=sys.stderr)
        return 1
    app = QApplication.instance() or QApplication(sys.argv[:1])
    QGuiApplication.setApplicationName("netbuilder")
    QGuiApplication.setOrganizationName("netbuilder")
    QGuiApplication.setApplicationDisplayName("netbuilder")
    loader = KerasLoader()
    window = open_window(load_catalog(), loader, path=path, example=example)
    window.show()
    app.processEvents()
    _report_ready(started)
    loader.start()
    BackgroundCall(lambda: importlib.import_module(TRAINING_PANEL_MODULE), window).start()
    quit_after = os.environ.get(QUIT_ENV, "")
    if quit_after.isdigit():
        QTimer.singleShot(int(quit_after), app.quit)
    status = app.exec()
    release_clipboard()
    return status


def release_clipboard() -> None:
    """Take our layers off the clipboard before Python tears Qt down.

    With PySide6 6.11, a QMimeData made in Python and still owned by the
    clipboard when the interpreter exits crashes the process (exit 139).
    Other applications' clipboard content is left alone.
    """
    from netbuilder.ui.editing import FRAGMENT_MIME

    clipboard = QApplication.clipboard()
    mime = clipboard.mimeData()
    if mime is not None and mime.hasFormat(FRAGMENT_MIME):
        clipboard.clear()


def _report_ready(started: float) -> None:
    if os.environ.get(READY_ENV):
        print(f"window-ready {time.perf_counter() - started:.4f} {time.time():.4f}", flush=True)
