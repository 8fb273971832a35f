"""The learning-rate finder: Leslie Smith's range test on a throw-away copy of the project's model.

The model is built, the data loaded and checked, and the model compiled
exactly as a training run does it (this is a `TrainingSession` whose run is
the range test instead of `fit` over epochs), then it trains for at most
`steps` batches while the learning rate rises exponentially from `min_lr` to
`max_lr`, one value per batch. The test stops early once the smoothed loss
exceeds `DIVERGED` times its lowest value or the loss is no longer a number:
past that point every learning rate is too high. Nothing is written and the
trained weights are dropped, so the next run starts from the initial weights.
A streamed dataset is read for `steps` batches at most; a small one repeats.

Suggested value (`suggest`): a tenth of the learning rate at which the
smoothed loss is lowest. At that minimum the rate is already on the edge of
diverging; one tenth of it is still in the steep, fast-learning part of the
curve and far enough from the edge to stay stable for a whole run. The rule
the fastai library calls "steepest descent" (the largest negative slope) is
more aggressive and, on the ~100 noisy batches of a short test, jumps between
runs; the minimum of the smoothed curve moves much less. The curve is
smoothed with a centred moving average once the test is over: the running
(exponential) average that decides when to stop lags by about 50 batches,
which on 100 batches from 1e-7 to 1 puts its minimum a decade too high.
"""

from __future__ import annotations

import dataclasses
import logging
import math
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from netbuilder.graph.project_file import Project
from netbuilder.training.datasets.spec import DatasetSpec
from netbuilder.training.events import Event, Preparing, RunFinished
from netbuilder.training.run_control import RunControl
from netbuilder.training.run_failures import failure_message
from netbuilder.training.session import TrainingSession
from netbuilder.training.settings import TrainingSettings

if TYPE_CHECKING:
    from netbuilder.training.datasets.loaded import LoadedData

log = logging.getLogger(__name__)

MIN_LR, MAX_LR, STEPS = 1e-7, 1.0, 100
SMOOTHING = 0.98  # the running average's weight of the past, for the stop rule (fastai's and Smith's choice)
WINDOW = 20  # the centred average of the drawn curve spans 1/WINDOW of the batches each side
DIVERGED = 4.0  # the test ends once the smoothed loss exceeds this many times its lowest value
SUGGESTION_FACTOR = 0.1  # of the learning rate at the lowest smoothed loss
WARM_UP = 10  # the suggestion ignores the first 1/WARM_UP of the curve


def range_problems(min_lr: float, max_lr: float, steps: int) -> list[str]:
    """What is wrong with a range test's bounds, one sentence each (none: they can be used)."""
    found = []
    if not (math.isfinite(min_lr) and min_lr > 0):
        found.append(f"the lowest learning rate must be a number above 0, got {min_lr:g}")
    if not (math.isfinite(max_lr) and max_lr > min_lr):
        found.append(f"the highest learning rate must be above the lowest ({min_lr:g}), got {max_lr:g}")
    if steps < 2:
        found.append(f"the steps must be at least 2, got {steps}")
    return found


def schedule(min_lr: float, max_lr: float, steps: int) -> list[float]:
    """`steps` learning rates rising exponentially from `min_lr` to `max_lr`, both included."""
    ratio = max_lr / min_lr
    return [min_lr * ratio ** (i / (steps - 1)) for i in range(steps)]


class DivergenceWatch:
    """Decides, batch by batch, when the test has gone past every useful learning rate.

    It keeps the bias-corrected exponential moving average of the losses (the
    first values are not pulled towards 0), which depends only on the batches
    already seen, and says stop once that exceeds `DIVERGED` times its lowest
    value or a loss is no number.
    """

    def __init__(self, beta: float = SMOOTHING) -> None:
        self.beta = beta
        self.average = 0.0
        self.lowest = math.inf
        self.seen = 0
        self.diverged = False

    def add(self, loss: float) -> bool:
        """Take one batch's loss; whether the test should go on."""
        if not math.isfinite(loss):
            self.diverged = True
            return False
        self.seen += 1
        self.average = self.beta * self.average + (1 - self.beta) * loss
        current = self.average / (1 - self.beta**self.seen)
        self.lowest = min(self.lowest, current)
        # A loss that can go below 0 (cosine similarity) has no "times its lowest": it never diverges here.
        self.diverged = 0 < self.lowest < current / DIVERGED
        return not self.diverged


def smoothed(losses: list[float]) -> list[float]:
    """The centred moving average of `losses`, over 1/`WINDOW` of them each side (fewer at the ends):
    the curve drawn and read for the suggestion, whose valley sits where the raw losses' does."""
    half = max(1, len(losses) // WINDOW)
    found = []
    for i in range(len(losses)):
        around = losses[max(0, i - half):i + half + 1]
        found.append(sum(around) / len(around))
    return found


def suggest(lrs: list[float], losses: list[float]) -> float | None:
    """A tenth of the learning rate at the lowest smoothed loss (see the module's docstring for why);
    None when the curve says nothing: too short, or the loss never fell below where it began."""
    finite = [(lr, loss) for lr, loss in zip(lrs, losses) if math.isfinite(loss)]
    if len(finite) < 5:
        return None
    curve = smoothed([loss for _, loss in finite])
    # The first tenth is the average warming up on a few noisy batches: a dip there means nothing.
    start = len(curve) // WARM_UP
    lowest = min(range(start, len(curve)), key=curve.__getitem__)
    if lowest == start:
        return None
    return finite[lowest][0] * SUGGESTION_FACTOR


@dataclass(frozen=True)
class RangeTest:
    """What the range test found: one (learning rate, loss of that batch) pair per batch, and the suggestion."""

    lrs: list[float]
    losses: list[float]
    suggested: float | None

    def as_json(self) -> dict[str, Any]:
        """The result for `json.dumps`; a loss that is no number (the batch that blew up) is null, as JSON has no NaN."""
        losses = [loss if math.isfinite(loss) else None for loss in self.losses]
        return {"suggested": self.suggested, "lrs": self.lrs, "losses": losses}


def _range_callback(rates: list[float], control: RunControl, record: Callable[[float, float], bool]) -> Any:
    """A Keras callback that sets the learning rate before each batch and records that batch's loss after it.

    Made here rather than at import, so importing this module (the command line's parser, the GUI)
    does not start TensorFlow.
    """
    import keras

    class RangeCallback(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            self.model.optimizer.learning_rate = rates[batch]
            # Keras logs the epoch's running mean; reset, the logged loss is this batch's alone.
            self.model.reset_metrics()

        def on_train_batch_end(self, batch: int, logs: dict[str, Any] | None = None) -> None:
            loss = float((logs or {}).get("loss", math.nan))
            if not record(rates[batch], loss) or control.stop_requested.is_set():
                self.model.stop_training = True

    return RangeCallback()


class LearningRateFinder(TrainingSession):
    """The range test of a snapshot of `project` on `dataset` with `settings`; `start()` or `run()` it.

    `points` grows as batches end (the GUI may read it from its own thread
    while the test runs); `found` holds the result once the test completed.
    Only the learning rate varies: optimizer, loss, batch size, seed and
    shuffling are the settings' own, so the suggestion fits the run it is for.
    """

    def __init__(self, project: Project, dataset: DatasetSpec | None, settings: TrainingSettings, *,
                 base_dir: Path | None = None, data: LoadedData | None = None, min_lr: float = MIN_LR,
                 max_lr: float = MAX_LR, steps: int = STEPS, listener: Callable[[Event], None] | None = None,
                 queue_events: bool = True) -> None:
        # One device and plain epochs: the callbacks, logs and virtual epochs of a run have no part here.
        settings = dataclasses.replace(settings, strategy="default", tensorboard_dir=None, early_stopping=None,
                                       reduce_lr=None, train_examples=None, evaluations=None, steps_per_epoch=None)
        # The run root is never used: `_execute` below makes no run folder.
        super().__init__(project, dataset, settings, Path(), base_dir=base_dir, data=data, listener=listener,
                         queue_events=queue_events)
        self.min_lr, self.max_lr, self.steps = min_lr, max_lr, steps
        self.points: list[tuple[float, float]] = []
        self.found: RangeTest | None = None
        self._lock = threading.Lock()

    def snapshot(self) -> list[tuple[float, float]]:
        """The (learning rate, loss) pairs so far, safe to read from any thread."""
        with self._lock:
            return list(self.points)

    def _execute(self) -> RunFinished:
        problems = range_problems(self.min_lr, self.max_lr, self.steps)
        if problems:
            return RunFinished("refused", "The learning-rate range cannot be used: " + "; ".join(problems) + ".")
        ready = self._prepared_or_ended()
        if isinstance(ready, RunFinished):
            return ready
        self._post(Preparing(f"Trying {self.steps} learning rates from {self.min_lr:g} to {self.max_lr:g}…"))
        watch = DivergenceWatch()

        def record(lr: float, loss: float) -> bool:
            with self._lock:
                self.points.append((lr, loss))
            return watch.add(loss)

        callback = _range_callback(schedule(self.min_lr, self.max_lr, self.steps), self._control, record)
        try:
            ready.model.fit(ready.train.repeat(), epochs=1, steps_per_epoch=self.steps, callbacks=[callback],
                            shuffle=False, verbose=0)
        except KeyboardInterrupt:
            return RunFinished("stopped", "Stopped from the keyboard; the learning-rate test has no result.")
        except Exception as exc:  # noqa: BLE001 — every failure must end as a message, the app stays up
            log.info("the learning-rate range test failed", exc_info=True)
            return RunFinished("failed", failure_message(exc, self.data, ready.model))
        finally:
            self.model = None  # the trained weights are thrown away: the next run starts afresh
        if self._control.stop_requested.is_set() and not watch.diverged:
            return RunFinished("stopped", "Stopped; the learning-rate test has no result.")
        points = self.snapshot()
        lrs, losses = [p[0] for p in points], [p[1] for p in points]
        self.found = RangeTest(lrs, losses, suggest(lrs, losses))
        return RunFinished("completed", _summary(self.found, watch.diverged, self.min_lr))


def _summary(found: RangeTest, diverged: bool, min_lr: float) -> str:
    """One sentence: how far the test went and what it suggests."""
    tried = f"Tried {len(found.lrs)} learning rates from {min_lr:.3g} to {found.lrs[-1]:.3g}"
    if diverged:
        tried += f", where the loss diverged (over {DIVERGED:g}× its lowest)"
    if found.suggested is None:
        return f"{tried}. No suggestion: the loss never fell; try a wider range, or check the data and the loss."
    return f"{tried}. Suggested learning rate: {found.suggested:.3g}."
