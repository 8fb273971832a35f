"""Stop, Pause and Resume of a run, asked from any thread and obeyed by the callback inside `fit`.

The GUI's buttons and the command line's Ctrl+C ask; the training callback
(see `callbacks.ProgressCallback`) waits while paused and tells Keras to stop
after the batch under way. A paused run asked to stop wakes up to stop.
"""

from __future__ import annotations

import threading
from typing import Callable


class RunControl:
    """Stop and pause requests, made from any thread and obeyed by the training callback."""

    def __init__(self) -> None:
        self.stop_requested = threading.Event()
        # Set by the training callback while `fit` runs: tells Keras to stop after the batch under way.
        self.on_stop: Callable[[], None] | None = None
        self._running = threading.Event()  # cleared while paused
        self._running.set()

    def stop(self) -> None:
        self.stop_requested.set()
        hook = self.on_stop
        if hook is not None:
            hook()
        self._running.set()  # a paused run must wake up to stop

    def pause(self) -> None:
        if not self.stop_requested.is_set():
            self._running.clear()

    def resume(self) -> None:
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def wait_while_paused(self) -> None:
        self._running.wait()
