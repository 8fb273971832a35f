"""What a training session reports while it runs: small immutable event objects.

The worker thread puts these on a queue (and hands them to an optional
listener); the GUI drains the queue on its own thread and the command line
prints them, so neither ever touches Keras objects that training is using.
Epochs and batches are counted from 1, as a user counts them and as
`history.csv` writes them. `elapsed` is seconds of training since `fit`
began, time spent paused left out, so "time left" estimates stay honest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, Union

# "refused": the run never started (bad data, a model that does not fit it, bad settings), so
# nothing was recorded; "failed": it started and then broke, and its run folder says why.
Status = Literal["completed", "stopped", "nan", "failed", "refused"]


@dataclass(frozen=True)
class Preparing:
    """A step before training (loading the data, building the model) that may take a moment."""

    message: str


@dataclass(frozen=True)
class RunStarted:
    """`fit` is about to begin. `metrics` are the history keys, e.g. loss, rmse, val_loss, val_rmse."""

    epochs: int
    steps_per_epoch: int | None
    run_dir: Path
    metrics: list[str]


@dataclass(frozen=True)
class BatchEnd:
    """A training batch finished; `logs` are the running means of this epoch so far."""

    epoch: int
    batch: int
    logs: dict[str, float]
    elapsed: float


@dataclass(frozen=True)
class EpochEnd:
    """An epoch finished, validation included; an epoch cut short by Stop or a NaN loss is not reported."""

    epoch: int
    logs: dict[str, float]
    elapsed: float


@dataclass(frozen=True)
class Paused:
    """The run is waiting after a batch until it is resumed or stopped."""


@dataclass(frozen=True)
class Resumed:
    """The run goes on after a pause."""


@dataclass(frozen=True)
class RunFinished:
    """The run is over. `history` maps each key of `RunStarted.metrics` to one value per epoch done.

    `message` says why a run did not complete (or how early stopping ended it);
    `run_dir` is the run folder, None when the run never reached `fit` (refused,
    stopped while preparing) or not even the folder could be made.
    """

    status: Status
    message: str
    history: dict[str, list[float]] = field(default_factory=dict)
    run_dir: Path | None = None
    epochs_done: int = 0


@dataclass(frozen=True)
class LayerHealth:
    """One layer's reading at a health check (see `training.health`).

    `update_ratio` is how far the weights moved since the previous check over
    their size (None at the first check); `active_fraction` the share of a
    ReLU layer's units that output something for the sample batch (None for
    other layers).
    """

    weight_norm: float
    grad_norm: float
    update_ratio: float | None = None
    active_fraction: float | None = None


@dataclass(frozen=True)
class HealthCheck:
    """Per-layer weight and gradient norms, measured before training batch `batch` of `epoch` (0: at the end)."""

    epoch: int
    batch: int
    step: int
    layers: dict[str, LayerHealth]


@dataclass(frozen=True)
class HealthWarning:
    """Something wrong with training, in a sentence; `layer` is the layer concerned ("" for the whole model)."""

    kind: str
    layer: str
    message: str


Event = Union[Preparing, RunStarted, BatchEnd, EpochEnd, Paused, Resumed, RunFinished, HealthCheck, HealthWarning]


def ordered_keys(keys: list[str]) -> list[str]:
    """Log keys as people read them: loss first, then the metrics, then the same for validation.

    Keras hands its logs over sorted alphabetically (accuracy before loss);
    events, histories and printed lines all use this one order instead.
    """
    train = sorted((k for k in keys if not k.startswith("val_")), key=lambda k: (k != "loss", k))
    return train + [f"val_{k}" for k in train if f"val_{k}" in keys] + sorted(
        k for k in keys if k.startswith("val_") and k[4:] not in train)
