"""Training health: the callback that checks every layer every N batches, records it, and warns.

Every check reads per-layer weight and gradient norms on a fixed sample batch
(`health_probe`), posts them as a `HealthCheck` event, appends them to the
run folder's `health.csv` (one row per layer and check) and posts a
`HealthWarning` for anything `health_rules` finds wrong, also kept in the
run folder's `health_warnings.csv` (both files: `health_record`). It runs in
`on_train_batch_begin`, which Keras always calls on the training thread
between two steps: `fit` and its compiled step stay untouched, and the
callback's presence does not stop Keras from reporting batch ends on its
helper thread (it has no `on_train_batch_end`).

The probe is read once before `fit` begins (when the callback is made). Its
first readings run eagerly, later ones compiled with `tf.function` (see
`health_probe`), after which a check costs about one training step. During
`fit` a check is made whenever the time saved up for checks, `BUDGET` of the
time `fit` has run less what checks took so far, covers a recent check's cost
(for the check that would compile the probe, at least what the first reading
cost: a short fit never saves up for it, and stays eager); so N, the batches
between two checks, settles at about a check's cost over `BUDGET` times a
batch's, whatever the model and machine. One more check after the last batch
records the state the run ends in, a blow-up included; it is never the one
that compiles the probe, which would cost more than it saves.
"""

from __future__ import annotations

import csv
import logging
import statistics
import time
from collections import deque
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

import keras

from netbuilder.training.events import Event, HealthCheck, LayerHealth
from netbuilder.training.health_probe import HealthProbe
from netbuilder.training.health_record import COLUMNS, append_warning
from netbuilder.training.health_rules import HealthWatch

if TYPE_CHECKING:
    from netbuilder.training.datasets.loaded import LoadedData

log = logging.getLogger(__name__)

BUDGET = 0.03  # the share of fit's time that checks may take (under the 5 % asked, with room for noise)
SAMPLE_ROWS = 64  # rows of the fixed sample batch: enough for a stable norm, cheap to push through


class HealthCallback(keras.callbacks.Callback):
    """Checks `model`'s health whenever the time budget allows and posts what it finds.

    Made just before `fit`: that is when the probe is compiled and the first
    reading (the untrained model's) taken; it is posted once training begins.
    A model the probe cannot read (or data it cannot sample) trains unwatched.
    """

    def __init__(self, model: keras.Model, data: LoadedData, loss: Callable[..., Any],
                 post: Callable[[Event], None], csv_path: Path | None = None) -> None:
        super().__init__()
        self.post = post
        self.csv_path = csv_path
        self.watch = HealthWatch()
        self.checks = 0
        self.check_seconds = 0.0  # time checks took during fit
        self._step = 0
        self._epoch = 1
        self._fit_began = 0.0
        self._costs: deque[float] = deque(maxlen=5)  # of the last checks: one slow check (a busy machine) is no trend
        self._last_check_step = -1
        self._probe: HealthProbe | None = None
        self._first: dict[str, LayerHealth] | None = None
        self._compile_cost = 0.0
        began = time.perf_counter()
        try:
            self._probe = HealthProbe(model, sample_batch(data), loss)
            read_began = time.perf_counter()
            self._first = self._probe.read()
            # What compiling the probe may cost: the first reading, eager, pays a first call's set-up too.
            self._compile_cost = time.perf_counter() - read_began
        except Exception:  # noqa: BLE001 — a model the probe cannot read still trains, unwatched
            log.info("training health checks are off for this model", exc_info=True)
            self._probe = None
        self.setup_seconds = time.perf_counter() - began

    def on_train_begin(self, logs: dict[str, Any] | None = None) -> None:
        self._fit_began = time.perf_counter()
        if self._first is None:
            return
        if self.csv_path is not None:
            with self.csv_path.open("w", newline="", encoding="utf-8") as f:
                csv.writer(f).writerow(COLUMNS)
        self._report(HealthCheck(1, 1, 0, self._first))

    def on_epoch_begin(self, epoch: int, logs: dict[str, Any] | None = None) -> None:
        self._epoch = epoch + 1

    def on_train_batch_begin(self, batch: int, logs: dict[str, Any] | None = None) -> None:
        if self._step and self._affordable():
            self._check(batch + 1)
        self._step += 1

    def on_train_end(self, logs: dict[str, Any] | None = None) -> None:
        if self._last_check_step != self._step:
            self._check(0, last=True)

    def _affordable(self) -> bool:
        fit_seconds = time.perf_counter() - self._fit_began - self.check_seconds
        cost = statistics.median(self._costs) if self._costs else 0.0
        if self._probe is not None and self._probe.compiles_next:
            cost = max(cost, self._compile_cost)  # a short fit never saves up for it, and stays eager
        return BUDGET * fit_seconds - self.check_seconds >= cost

    def _check(self, batch: int, *, last: bool = False) -> None:
        if self._probe is None:
            return
        began = time.perf_counter()
        try:
            readings = self._probe.read(compile=not last)  # compiling for one reading costs more than it saves
        except Exception:  # noqa: BLE001 — a check that fails must not fail the run it watches
            log.info("a training health check failed; no more checks this run", exc_info=True)
            self._probe = None
            return
        self._report(HealthCheck(self._epoch, batch, self._step, readings))
        cost = time.perf_counter() - began
        self._costs.append(cost)
        self.check_seconds += cost

    def _report(self, check: HealthCheck) -> None:
        self._last_check_step = check.step
        self.checks += 1
        self.post(check)
        self._write(check)
        for warning in self.watch.observe(check):
            self.post(warning)
            if self.csv_path is not None:
                append_warning(self.csv_path.parent, warning)

    def _write(self, check: HealthCheck) -> None:
        if self.csv_path is None:
            return
        with self.csv_path.open("a", newline="", encoding="utf-8") as f:
            out = csv.writer(f)
            for name, h in check.layers.items():
                out.writerow([check.epoch, check.batch, check.step, name, f"{h.weight_norm:.6g}", f"{h.grad_norm:.6g}",
                              "" if h.update_ratio is None else f"{h.update_ratio:.6g}",
                              "" if h.active_fraction is None else f"{h.active_fraction:.4g}"])


def sample_batch(data: LoadedData, rows: int = SAMPLE_ROWS) -> tuple[Any, Any]:
    """The first `rows` training examples, unshuffled: the fixed batch every check reads (taken from the
    data's own first rows where it holds them, else from a pipeline of its own)."""
    import tensorflow as tf

    head = data.head(rows)
    if head is not None:
        return tf.nest.map_structure(tf.convert_to_tensor, head)
    return next(iter(data.tf_dataset("train", rows, shuffle=False)))

