"""One TensorBoard server per window, for "Open in TensorBoard", started on a free local port.

`open(log_dir)` starts `tensorboard --logdir LOG_DIR --port PORT --host 127.0.0.1`
as a child process (run with the app's own Python, so it is the TensorBoard
installed beside netbuilder whether or not its script is on PATH), polls the
port from a timer until it answers — the window never waits — and then opens
the browser with `QDesktopServices.openUrl`. Opening the same folder again
reuses the running server; another folder replaces it, since a server's log
folder is fixed when it starts. `stop()` ends it (the window calls it when it
closes or switches project). Every failure — TensorBoard not installed, a port
in use, a server that exits or never answers — is one sentence on `status`.
"""

from __future__ import annotations

import importlib.util
import socket
import sys
import time
from pathlib import Path

from PySide6.QtCore import QObject, QProcess, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices

HOST = "127.0.0.1"
POLL_MS = 100
# TensorBoard imports TensorFlow when it can, which takes seconds on a slow machine.
ANSWER_DEADLINE_S = 90.0
_STOP_WAIT_MS = 3000


def free_port() -> int:
    """A port nothing listens on now; the operating system picks it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return int(probe.getsockname()[1])


def port_in_use(port: int) -> bool:
    """Whether some program already holds `port` on the local address."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        try:
            probe.bind((HOST, port))
        except OSError:
            return True
    return False


def answers(port: int) -> bool:
    """Whether a server accepts connections on `port` (a refused local connection returns at once)."""
    try:
        with socket.create_connection((HOST, port), timeout=0.05):
            return True
    except OSError:
        return False


class TensorBoardServer(QObject):
    """The window's TensorBoard child process: started on demand, reused, stopped with the window.

    `status(sentence)` says what happened, for the status bar; `ready(url)`
    once the server answers and the browser was asked to show it.
    """

    status = Signal(str)
    ready = Signal(str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.process: QProcess | None = None
        self.log_dir: Path | None = None
        self.port: int | None = None
        self.url: str | None = None  # set once the server answers
        self._deadline = 0.0
        self._timer = QTimer(self)
        self._timer.setInterval(POLL_MS)
        self._timer.timeout.connect(self._poll)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.state() != QProcess.ProcessState.NotRunning

    def open(self, log_dir: Path, port: int | None = None) -> bool:
        """Show `log_dir` in TensorBoard on `port` (a free one when None); False when it cannot start.

        The server answers later: `ready` and `status` say when, or why not.
        """
        log_dir = log_dir.resolve()
        if self.running and self.log_dir == log_dir and (port is None or port == self.port):
            if self.url is not None:
                self._show()
            return True
        if importlib.util.find_spec("tensorboard") is None:
            return self._fail("Cannot open TensorBoard: the tensorboard package is not installed "
                              "(pip install tensorboard).")
        if not log_dir.is_dir():
            return self._fail(f"Cannot open TensorBoard: there are no logs in {log_dir}.")
        if port is not None and port_in_use(port):
            return self._fail(f"Cannot open TensorBoard: port {port} is already in use by another program.")
        self.stop()
        self.log_dir, self.port, self.url = log_dir, port or free_port(), None
        process = self.process = QProcess(self)
        process.setProcessChannelMode(QProcess.ProcessChannelMode.MergedChannels)
        process.finished.connect(self._ended)
        process.errorOccurred.connect(self._error)
        # --load_fast=false: no second, Rust data-server process that could outlive a killed server.
        process.start(sys.executable, ["-m", "tensorboard.main", "--logdir", str(log_dir), "--port", str(self.port),
                                       "--host", HOST, "--load_fast=false"])
        self._deadline = time.monotonic() + ANSWER_DEADLINE_S
        self._timer.start()
        self.status.emit(f"Starting TensorBoard for {log_dir}…")
        return True

    def stop(self) -> None:
        """End the server, if one runs; its port is free again when this returns."""
        self._timer.stop()
        process, self.process, self.url = self.process, None, None
        if process is None:
            return
        process.finished.disconnect(self._ended)
        process.errorOccurred.disconnect(self._error)
        if process.state() != QProcess.ProcessState.NotRunning:
            process.terminate()
            if not process.waitForFinished(_STOP_WAIT_MS):
                process.kill()
                process.waitForFinished(_STOP_WAIT_MS)
        process.deleteLater()

    def _poll(self) -> None:
        if self.port is None or not self.running:
            return
        if answers(self.port):
            self._timer.stop()
            self.url = f"http://{HOST}:{self.port}/"
            self._show()
        elif time.monotonic() > self._deadline:
            port = self.port
            self.stop()
            self._fail(f"TensorBoard did not answer on port {port} within {ANSWER_DEADLINE_S:.0f} s; "
                       "it was stopped.")

    def _show(self) -> None:
        assert self.url is not None
        QDesktopServices.openUrl(QUrl(self.url))
        self.status.emit(f"TensorBoard shows {self.log_dir} at {self.url}")
        self.ready.emit(self.url)

    def _ended(self, code: int, _status: QProcess.ExitStatus) -> None:
        process = self.process
        said = bytes(process.readAll().data()).decode(errors="replace") if process is not None else ""
        self._timer.stop()
        self.process, self.url = None, None
        last = next((line.strip() for line in reversed(said.splitlines()) if line.strip()), "")
        self._fail(f"TensorBoard stopped (exit code {code})" + (f": {last}" if last else "."))

    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._timer.stop()
            self.process = None
            self._fail(f"Cannot start TensorBoard with {sys.executable}: the program could not be run.")

    def _fail(self, sentence: str) -> bool:
        self.status.emit(sentence)
        return False
