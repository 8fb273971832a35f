"""The Keras callback that reports progress and obeys Stop, Pause and the NaN guard.

It is built to cost `fit` nothing measurable. Keras runs `on_train_batch_end`
of callbacks marked `async_safe` on a helper thread, after turning the logs
into floats there, so the training loop never waits for a tensor to become a
number; this callback is marked so, and that is where it posts `BatchEnd`
and checks that the loss is finite. What must happen *on* the training loop
is cheap and needs no tensor: Pause blocks in `on_train_batch_begin`, and
Stop sets `model.stop_training` directly (from whichever thread asks), which
Keras reads after every batch — so Stop ends the run when the batch under
way finishes. A NaN loss stops the run the same way, at most one batch after
the one that produced it, and the message names that batch.
"""

from __future__ import annotations

import math
import threading
import time
from typing import TYPE_CHECKING, Any, Callable

import keras

from netbuilder.training.events import BatchEnd, EpochEnd, Event, Paused, Resumed, ordered_keys

if TYPE_CHECKING:
    from netbuilder.training.run_control import RunControl


class ProgressCallback(keras.callbacks.Callback):
    """Posts batch and epoch events and keeps the history; says how the run ended.

    `history` holds one value per complete epoch for every log key. An epoch
    cut short by Stop or a NaN loss is left out, and no `EpochEnd` is posted
    for it: its training mean covers only some batches, its validation pass
    was cut short too, and a row of it would sit among real epochs as if it
    were one. Its batches were still reported, and trained the weights a
    stopped run keeps; `cut_at` says where it ended.
    """

    async_safe = True  # Keras may call on_train_batch_end on its helper thread

    def __init__(self, control: RunControl, post: Callable[[Event], None]) -> None:
        super().__init__()
        self.control = control
        self.post = post
        self.history: dict[str, list[float]] = {}
        self.nan_message: str | None = None
        self.stopped_by_user = False
        self.epochs_done = 0
        self.batches_done = 0  # every epoch's together, the cut one's included
        self._epoch = 0
        self._last_batch = 0
        self._start = 0.0
        self._paused_for = 0.0
        self._lock = threading.Lock()  # the helper thread may run several batch ends at once
        self._posted = threading.Condition(self._lock)

    def elapsed(self) -> float:
        return time.perf_counter() - self._start - self._paused_for

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._start = time.perf_counter()
        self.control.on_stop = self._stop_now
        if self.control.stop_requested.is_set():
            self._stop_now()

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        self.control.on_stop = None

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch, self._last_batch = epoch + 1, 0

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self.control.paused:
            began = time.perf_counter()
            with self._posted:
                # Let the helper thread report the batch just done first, so Paused is the last event.
                self._posted.wait_for(lambda: self._last_batch >= batch, timeout=1.0)
            self.post(Paused())
            self.control.wait_while_paused()
            self._paused_for += time.perf_counter() - began
            if not self.control.stop_requested.is_set():
                self.post(Resumed())

    def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        logs = logs or {}
        with self._lock:
            if batch + 1 <= self._last_batch or self.nan_message:
                return  # a later batch was reported first, or the run is already over
            self.batches_done += batch + 1 - self._last_batch
            self._last_batch = batch + 1
            self._posted.notify_all()
            loss = logs.get("loss")
            if loss is not None and not math.isfinite(loss):
                kind = "NaN" if math.isnan(loss) else "infinite"
                self.nan_message = (f"The loss became {kind} at epoch {self._epoch}, batch {batch + 1}; try a "
                                    "lower learning rate or check the data for extreme values")
                self._stop_now()
            self.post(BatchEnd(self._epoch, batch + 1, logs, self.elapsed()))

    def on_test_begin(self, logs: dict[str, Any] | None = None) -> None:
        if self.control.stop_requested.is_set() or self.nan_message:
            self._stop_now()  # evaluate() has just cleared stop_evaluating

    def on_epoch_end(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        if self.control.stop_requested.is_set() or self.nan_message:
            self.stopped_by_user = self.nan_message is None
            return  # cut short: not an epoch of the history (see the class docstring)
        logs = {k: float(logs[k]) for k in ordered_keys(list(logs or {}))}
        for key, value in logs.items():
            self.history.setdefault(key, [math.nan] * self.epochs_done).append(value)
        self.epochs_done += 1
        self.post(EpochEnd(epoch + 1, logs, self.elapsed()))

    @property
    def cut_at(self) -> tuple[int, int]:
        """(epoch, batches done in it) where the run was cut short, both counted from 1."""
        return self._epoch, self._last_batch

    def _stop_now(self) -> None:
        # Plain attributes Keras reads after every training and validation batch; safe to set from any thread.
        self.model.stop_training = True
        self.model.stop_evaluating = True
