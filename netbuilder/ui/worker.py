"""Run one slow call (importing a model file, say) off the GUI thread and hear back on it.

Qt delivers the `done`/`failed` signals of an object living on the GUI thread
through the event loop, so the callbacks run on the GUI thread even though
the work ran on a plain Python thread.
"""

from __future__ import annotations

import threading
from typing import Any, Callable

from PySide6.QtCore import QObject, Signal


class BackgroundCall(QObject):
    done = Signal(object)
    failed = Signal(object)  # the exception

    def __init__(self, work: Callable[[], Any], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._work = work
        self._thread = threading.Thread(target=self._run, name="netbuilder-work", daemon=True)

    def start(self) -> "BackgroundCall":
        self._thread.start()
        return self

    def wait(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _run(self) -> None:
        try:
            result = self._work()
        except Exception as exc:  # reported to the user by whoever started the call
            self.failed.emit(exc)
            return
        self.done.emit(result)
