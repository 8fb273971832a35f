"""How far a run has got, as a fraction for the progress bar and a line a user reads at a glance.

"epoch 3/20 · batch 12/40 · 0:14 left". The time left is what the batches
still to run cost at the pace of the recent ones, plus what each epoch still
to end costs on top of its batches (the validation pass, mostly). Scaling the
time spent so far would count the first batch, where TensorFlow traces the
model and which takes many times longer than the others, against every batch
to come, and would forget validation until the first epoch ends. Until two
batches of one epoch have run there is no pace to go by, and it says nothing
rather than guess. Once the run has ended the line says how long it took.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

# Batches the pace is measured over: recent enough to follow a machine that slows
# down, long enough not to jump with every batch.
PACE_WINDOW = 30


def clock(seconds: float) -> str:
    """0:14, 3:07, 1:02:05."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass
class Progress:
    """Where a run is: `epoch` counts from 1, `batch` is batches done in it; `steps` may be unknown.

    Fed by `batch_ended` and `epoch_ended` with the run's training seconds
    (time paused left out), in the order the session reports them.
    """

    epochs: int
    steps: int | None = None
    epoch: int = 1
    batch: int = 0
    elapsed: float = 0.0
    ended: bool = False
    _epochs_done: int = field(default=0, init=False, repr=False)
    _last_batch_at: float | None = field(default=None, init=False, repr=False)  # the latest batch of this epoch
    # (seconds, batches) between batch reports of one epoch; a report may cover several batches.
    _batch_seconds: deque[tuple[float, int]] = field(default_factory=lambda: deque(maxlen=PACE_WINDOW),
                                                     init=False, repr=False)
    _epoch_overhead: float | None = field(default=None, init=False, repr=False)  # an epoch's time beyond its batches

    def batch_ended(self, epoch: int, batch: int, elapsed: float) -> None:
        if epoch == self.epoch and self._last_batch_at is not None and batch > self.batch:
            # Only gaps between batches of one epoch: the first batch of the run (tracing) and the
            # gap across an epoch's end (validation) are no batch's pace.
            self._batch_seconds.append((elapsed - self._last_batch_at, batch - self.batch))
        self.epoch, self.batch, self.elapsed, self._last_batch_at = epoch, batch, elapsed, elapsed

    def epoch_ended(self, epoch: int, elapsed: float) -> None:
        if self._last_batch_at is not None:
            self._epoch_overhead = max(0.0, elapsed - self._last_batch_at)
        self.steps = self.steps or self.batch or None  # known once an epoch has run
        self.epoch, self.batch, self.elapsed, self._epochs_done = epoch, self.steps or 0, elapsed, epoch
        self._last_batch_at = None

    def end(self) -> None:
        """The run is over: no more time left to tell."""
        self.ended = True

    @property
    def fraction(self) -> float:
        if self.epochs <= 0:
            return 0.0
        within = min(self.batch / self.steps, 1.0) if self.steps else 0.0
        return min(((self.epoch - 1) + within) / self.epochs, 1.0)

    def seconds_left(self) -> float | None:
        """The estimate of the time to the end of the last epoch; None while there is no pace yet."""
        if self.ended or not self.steps or not self._batch_seconds:
            return None
        seconds = sum(s for s, _ in self._batch_seconds)
        per_batch = seconds / sum(n for _, n in self._batch_seconds)
        in_this_epoch = self.batch if self._epochs_done < self.epoch else 0
        batches_left = (self.epochs - self._epochs_done) * self.steps - in_this_epoch
        return batches_left * per_batch + (self.epochs - self._epochs_done) * (self._epoch_overhead or 0.0)

    def text(self) -> str:
        parts = [f"epoch {self.epoch}/{self.epochs}"]
        if self.batch:
            parts.append(f"batch {self.batch}/{self.steps}" if self.steps else f"batch {self.batch}")
        left = self.seconds_left()
        if self.ended:
            parts.append(f"took {clock(self.elapsed)}")
        elif left is not None:
            parts.append(f"{clock(left)} left")
        return " · ".join(parts)
