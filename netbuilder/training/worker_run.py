"""A run on a daemon worker thread, or on the caller's: its events, and Stop, Pause and Resume from any thread.

The GUI calls `start()` and drains `events` from its own thread; the command
line calls `run()` and gets the events through a listener. Training sessions
and the learning-rate finder are such runs: each says in `_execute` what the
run does, and returns how it ended as one `RunFinished`, which is also posted
as the last event.
"""

from __future__ import annotations

import logging
import queue
import threading
from abc import ABC, abstractmethod
from typing import Callable

from netbuilder.training.events import Event, RunFinished
from netbuilder.training.run_control import RunControl

log = logging.getLogger(__name__)


class WorkerRun(ABC):
    """One run, done once: `start()` on a worker thread or `run()` here; events go to the queue and `listener`.

    `listener` is called on the training side, never on the caller's thread
    when started with `start()`; `queue_events=False` hands events only to it,
    for a caller that never drains the queue.
    """

    def __init__(self, listener: Callable[[Event], None] | None, queue_events: bool) -> None:
        self.listener = listener
        self.events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self.result: RunFinished | None = None
        self._queue_events = queue_events
        self._control = RunControl()
        self._thread: threading.Thread | None = None
        self._active = False

    # -- control, from any thread ------------------------------------------------------------

    def start(self) -> None:
        """Run on a daemon worker thread; events tell how it goes."""
        if self._active or self.result is not None:
            raise RuntimeError("a training session runs once")
        self._active = True
        self._thread = threading.Thread(target=self.run, name="netbuilder-training", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """End the run after the batch under way; weights and history so far are kept."""
        self._control.stop()

    def pause(self) -> None:
        self._control.pause()

    def resume(self) -> None:
        self._control.resume()

    @property
    def is_running(self) -> bool:
        return self._active

    @property
    def is_paused(self) -> bool:
        return self._active and self._control.paused

    def drain(self) -> list[Event]:
        """Every event posted since the last drain, oldest first."""
        found: list[Event] = []
        while True:
            try:
                found.append(self.events.get_nowait())
            except queue.Empty:
                return found

    def wait(self, timeout: float | None = None) -> RunFinished | None:
        """Block until a started run ends (or `timeout` passes); its result, or None if still running."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.result

    def run(self) -> RunFinished:
        """Do the run in the calling thread and return how it ended (also posted as the last event)."""
        self._active = True
        try:
            result = self._execute()
        finally:
            self._active = False
        self.result = result
        try:
            self._post(result)
        except Exception:  # noqa: BLE001 — a listener failing on the last event must not kill the worker
            log.info("the listener failed on %s", result, exc_info=True)
        return result

    def _post(self, event: Event) -> None:
        if self._queue_events:
            self.events.put(event)
        if self.listener is not None:
            self.listener(event)

    @abstractmethod
    def _execute(self) -> RunFinished:
        """Do the run in the calling thread; how it ended, as a sentence a user can act on."""
