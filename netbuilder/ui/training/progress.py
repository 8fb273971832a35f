"""How far a run has got, as a fraction for the progress bar and a line a user reads at a glance.

"epoch 3/20 · batch 12/40 · 0:14 left": the time left is extrapolated from the
time spent so far, which is what users expect from a progress bar and is good
enough once the first few batches have run (before that it says nothing
rather than guess).
"""

from __future__ import annotations

from dataclasses import dataclass


def clock(seconds: float) -> str:
    """0:14, 3:07, 1:02:05."""
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


@dataclass
class Progress:
    """Where a run is: `epoch` counts from 1, `batch` is batches done in it; `steps` may be unknown."""

    epochs: int
    steps: int | None = None
    epoch: int = 1
    batch: int = 0
    elapsed: float = 0.0

    @property
    def fraction(self) -> float:
        if self.epochs <= 0:
            return 0.0
        within = min(self.batch / self.steps, 1.0) if self.steps else 0.0
        return min(((self.epoch - 1) + within) / self.epochs, 1.0)

    def text(self) -> str:
        parts = [f"epoch {self.epoch}/{self.epochs}"]
        if self.batch:
            parts.append(f"batch {self.batch}/{self.steps}" if self.steps else f"batch {self.batch}")
        fraction = self.fraction
        if fraction > 0 and self.elapsed > 0:
            parts.append(f"{clock(self.elapsed * (1 - fraction) / fraction)} left")
        return " · ".join(parts)
