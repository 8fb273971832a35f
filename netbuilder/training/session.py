"""A training session: load the data, build and compile the model, `fit`, keep the run.

The GUI calls `start()` and the work happens on a daemon worker thread; the
command line calls `run()` and it happens right there. Either way progress
arrives as `events` objects (on a thread-safe queue the GUI drains, and to an
optional listener), Stop/Pause/Resume may be called from any thread, and
every ending — completed, stopped, NaN loss, any error at all — becomes one
`RunFinished` with a sentence a user can act on, never a traceback (that goes
to the Python logger). The run folder is made only once the model is built,
the data loaded and checked against it and `fit` is about to begin: a run
refused before that (bad data, a pre-flight mismatch, bad settings) leaves
nothing behind, while one that starts and then fails keeps its folder and the
reason. The project is copied when the session is made, so
editing the graph while it trains races with nothing. Keras is imported only
once the run begins, so the GUI can import this module before TensorFlow.
Virtual epochs (`train_examples`) repeat the data and cut it into
`fit_epochs` epochs of `fit_steps_per_epoch` batches, one evaluation each.
"""

from __future__ import annotations

import copy
import importlib.util
import logging
import math
import queue
import re
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from netbuilder import __version__
from netbuilder.graph.project_file import Project, from_dict
from netbuilder.training.datasets.spec import DatasetError, DatasetSpec
from netbuilder.training.events import Event, Preparing, RunFinished, RunStarted, Status, ordered_keys
from netbuilder.training.runs import RunFolder
from netbuilder.training.settings import SettingsError, TrainingSettings
from netbuilder.training.tensorboard_logs import RECORD_KEY as TENSORBOARD_RECORD_KEY, log_dir

if TYPE_CHECKING:
    import keras

    from netbuilder.training.callbacks import ProgressCallback
    from netbuilder.training.datasets.loaded import LoadedData

log = logging.getLogger(__name__)


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


class _Refused(Exception):
    """A reason not to train that is already a user-facing sentence."""


@dataclass
class _Prepared:
    """A compiled model and what `fit` gets, plus what `RunStarted` announces."""

    model: Any
    callbacks: list[Any]
    train: Any
    validation: Any
    steps: int
    keys: list[str]
    fit_steps: int | None = None  # None: each epoch runs through the data once
    validation_steps: int | None = None


class TrainingSession:
    """One training run of a snapshot of `project` on `dataset` with `settings`.

    The run folder is a new time-stamped folder under `run_root`, or `run_dir`
    itself when given (the command line's `--out`). `data` skips loading and
    trains on arrays already at hand (tests, benchmarks, a second run on the
    same data). `listener` is called on the training side, never on the
    caller's thread when started with `start()` (BatchEnd may come from
    Keras' helper thread); `queue_events=False` hands events only to it, for
    a caller that never drains the queue.
    """

    def __init__(self, project: Project, dataset: DatasetSpec | None, settings: TrainingSettings,
                 run_root: Path, *, base_dir: Path | None = None, data: LoadedData | None = None,
                 run_dir: Path | None = None, listener: Callable[[Event], None] | None = None,
                 queue_events: bool = True) -> None:
        self.project = from_dict(copy.deepcopy(project.to_dict()), project.name)
        self.project.path = project.path
        self.dataset = copy.deepcopy(dataset)
        self.settings = copy.deepcopy(settings)
        self.run_root = run_root
        self.base_dir = base_dir if base_dir is not None else (project.path.parent if project.path else None)
        self.data = data
        self.listener = listener
        self.events: queue.SimpleQueue[Event] = queue.SimpleQueue()
        self.model: keras.Model | None = None
        self.run_dir: Path | None = None
        self.result: RunFinished | None = None
        self._requested_dir = run_dir
        self._queue_events = queue_events
        self._control = RunControl()
        self._progress: ProgressCallback | None = None
        self._thread: threading.Thread | None = None
        self._active = False
        self.replicas = 1  # devices training in sync, all workers together; known once the strategy is made

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

    @property
    def batches_done(self) -> int:
        """Training batches the worker has finished so far, as it counts them (events reach the GUI later)."""
        return self._progress.batches_done if self._progress is not None else 0

    def wait(self, timeout: float | None = None) -> RunFinished | None:
        """Block until a started run ends (or `timeout` passes); its result, or None if still running."""
        if self._thread is not None:
            self._thread.join(timeout)
        return self.result

    # -- the run itself ------------------------------------------------------------------------

    def run(self) -> RunFinished:
        """Train in the calling thread and return how it ended (also posted as the last event)."""
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

    def _execute(self) -> RunFinished:
        started, clock = datetime.now(), time.perf_counter()
        ready = self._prepared_or_ended()
        if isinstance(ready, RunFinished):
            return ready  # nothing trained, nothing recorded
        try:
            folder = RunFolder.at(self._requested_dir) if self._requested_dir else RunFolder.create(self.run_root)
        except OSError as exc:
            where = self._requested_dir or self.run_root
            return RunFinished("failed", f"Cannot create the run folder in {where}: {exc.strerror or exc}.")
        self.run_dir = folder.path
        record = self._record(started)
        logs = log_dir(self.settings.tensorboard_dir, self.project.path, folder.path)
        if logs is not None:
            record[TENSORBOARD_RECORD_KEY] = str(logs)  # what "Open in TensorBoard" opens for this run
        try:
            folder.write_settings({**record, "status": "running"})  # a run in progress shows in the run list
        except OSError:
            pass  # reported below, when the final record cannot be written either
        status, message, fit_seconds = self._train(folder, ready)
        progress = self._progress
        history = progress.history if progress is not None else {}
        epochs_done = progress.epochs_done if progress is not None else 0
        trained = progress is not None and progress.batches_done > 0
        status, message = self._keep(folder, status, message, history, epochs_done, trained)
        record.update(status=status, message=message, finished=datetime.now().isoformat(timespec="seconds"),
                      duration_seconds=round(time.perf_counter() - clock, 3), fit_seconds=round(fit_seconds, 4),
                      epochs_done=epochs_done, final={k: v[-1] for k, v in history.items() if v},
                      strategy=self.settings.strategy, replicas=self.replicas)
        try:
            folder.write_settings(record)
        except OSError as exc:
            status, message = "failed", _joined(message, f"Cannot write {folder.path}: {exc.strerror or exc}.")
        return RunFinished(status, message, history, folder.path, epochs_done)

    def _prepared_or_ended(self) -> _Prepared | RunFinished:
        """What `fit` needs, or how the run ended before it could begin: refused, or stopped meanwhile."""
        try:
            ready = self._prepare()
        except _Refused as exc:
            return RunFinished("stopped" if self._control.stop_requested.is_set() else "refused", str(exc))
        except KeyboardInterrupt:
            return RunFinished("stopped", "Stopped from the keyboard before training began.")
        except Exception as exc:  # noqa: BLE001 — every failure must end as a message, the app stays up
            # INFO, not ERROR: the message is the report; Python's last-resort handler would print
            # the traceback on the command line's stderr, which promises none.
            log.info("preparing a training run failed", exc_info=True)
            return RunFinished("refused", failure_message(exc, self.data, self.model))
        if self._control.stop_requested.is_set():
            return RunFinished("stopped", "Stopped before training began.")
        return ready

    def _train(self, folder: RunFolder, ready: _Prepared) -> tuple[Status, str, float]:
        """Fit; how it ended, in a sentence, and the seconds `fit` took."""
        fit_seconds = 0.0
        try:
            from netbuilder.training.callbacks import ProgressCallback

            progress = self._progress = ProgressCallback(self._control, self._post)
            callbacks = [*ready.callbacks, *self._folder_callbacks(folder)]
            callbacks += self._health_callbacks(folder)
            self._post(RunStarted(self.settings.fit_epochs, ready.steps, folder.path, ready.keys))
            fit_began = time.perf_counter()
            try:
                # Our callback goes last so it sees what the others add to the logs (ReduceLR's learning_rate).
                ready.model.fit(ready.train, validation_data=ready.validation, epochs=self.settings.fit_epochs,
                                steps_per_epoch=ready.fit_steps, validation_steps=ready.validation_steps,
                                callbacks=[*callbacks, progress], shuffle=False, verbose=0)
            finally:
                fit_seconds = time.perf_counter() - fit_began
            return (*self._outcome(progress, callbacks), fit_seconds)
        except KeyboardInterrupt:
            return "stopped", "Stopped from the keyboard; the weights and the history so far are kept.", fit_seconds
        except Exception as exc:  # noqa: BLE001 — every failure must end as a message, the app stays up
            log.info("training run in %s failed", folder.path, exc_info=True)
            return "failed", failure_message(exc, self.data, self.model), fit_seconds

    def _prepare(self) -> _Prepared:
        """Build the model, load the data, check they fit, compile; each failure raises with a sentence."""
        settings = self.settings
        problems = settings.problems()
        if problems:
            raise _Refused("The training settings cannot be used: " + "; ".join(problems) + ".")
        self._post(Preparing("Building the model…"))
        import keras

        from netbuilder.keras_bridge import build_model
        from netbuilder.training.keras_objects import make_loss, make_metrics, make_optimizer

        strategy = self._strategy()
        # Before the model is built: the seed fixes the initial weights as well as the shuffling.
        if settings.seed is not None:
            keras.utils.set_random_seed(settings.seed)
        with strategy.scope():  # variables made here are mirrored on every replica
            built = build_model(self.project)
        for note in built.notes:
            self._post(Preparing(note))
        model = self.model = built.model
        inputs = {t.name: tuple(t.shape[1:]) for t in model.inputs}
        outputs = dict(zip(model.output_names, (tuple(t.shape[1:]) for t in model.outputs)))
        if self.data is None:
            self._post(Preparing("Loading the data…"))
            self.data = self._load(list(inputs), list(outputs))
        data = self.data
        self._preflight(inputs, outputs, data)
        if data.n_rows("train") == 0:
            raise _Refused("The training split has no rows; use a lower validation split or more data.")
        self._adapt(model, data)

        with strategy.scope():  # metric variables too: made outside, each worker would keep its own
            if len(outputs) > 1:
                metrics: Any = {name: make_metrics(settings.metrics) for name in outputs}
            else:
                metrics = make_metrics(settings.metrics)
            model.compile(optimizer=make_optimizer(settings.optimizer, settings.learning_rate),
                          loss=make_loss(settings.loss), metrics=metrics)

        # The batch size is the global one: a strategy splits each batch between its replicas.
        batches = math.ceil(data.n_rows("train") / settings.batch_size)
        train = data.tf_dataset("train", settings.batch_size, shuffle=settings.shuffle, seed=settings.seed)
        has_validation = data.validation is not None and data.n_rows("validation") > 0
        validation = data.tf_dataset("validation", settings.batch_size, shuffle=False) if has_validation else None
        fit_steps, validation_steps = settings.fit_steps_per_epoch, None
        if settings.strategy == "multi-worker":
            # Every worker must take the same number of steps or the collectives wait for ever, so
            # epochs are counted in whole global batches of a repeated, data-sharded stream.
            from netbuilder.training.distribute import mend_keras_for_multi_worker, shard_by_data

            mend_keras_for_multi_worker(model, strategy, train)
            batches = max(1, data.n_rows("train") // settings.batch_size)
            fit_steps = settings.fit_steps_per_epoch or batches
            train = shard_by_data(train.repeat())
            if validation is not None:
                validation_steps = max(1, data.n_rows("validation") // settings.batch_size)
                validation = shard_by_data(validation.repeat())
        elif settings.fit_steps_per_epoch:
            train = train.repeat()  # epochs of a fixed number of steps may span the data more than once
        return _Prepared(model, self._keras_callbacks(has_validation), train, validation,
                         settings.fit_steps_per_epoch or batches,
                         expected_keys(list(outputs), settings.metrics, has_validation), fit_steps, validation_steps)

    def _adapt(self, model: Any, data: LoadedData) -> None:
        """Give preprocessing layers without state (a Normalization's mean, a vocabulary) the training split's."""
        from netbuilder.training.adapt import adapt_preprocessing, adaptable_layers, cache_path
        from netbuilder.training.datasets.fingerprint import dataset_fingerprint

        try:
            if not adaptable_layers(model):
                return
        except ValueError as exc:
            raise _Refused(f"The preprocessing layers cannot be fed from the model's inputs: {_first_line(exc)}")
        settings = self.settings
        fingerprint = "" if self.dataset is None else dataset_fingerprint(
            self.dataset, self.base_dir, validation_split=settings.validation_split, seed=settings.seed)
        features = data.tf_dataset("train", settings.batch_size, shuffle=False).map(lambda x, y: x)
        weights = self.project.weights_path
        try:
            adapt_preprocessing(model, features, cache=cache_path(self.project.path), fingerprint=fingerprint,
                                weights_loaded=weights is not None and weights.exists(),
                                note=lambda text: self._post(Preparing(text)))
        except (ValueError, TypeError) as exc:
            raise _Refused(f"The preprocessing layers could not learn from the training data: {_first_line(exc)}")

    def _strategy(self) -> Any:
        """The run's tf.distribute strategy; says on which devices it trains when there is more than one."""
        from netbuilder.training.distribute import DistributeError, make_strategy

        try:
            strategy = make_strategy(self.settings.strategy)
        except DistributeError as exc:
            raise _Refused(str(exc)) from None
        self.replicas = int(strategy.num_replicas_in_sync)
        if self.settings.strategy != "default":
            devices = ", ".join(d.rsplit("/", 1)[-1].removeprefix("device:") for d in strategy.extended.worker_devices)
            self._post(Preparing(f"Training with the {self.settings.strategy} strategy: {self.replicas} "
                                 f"replica{'s' if self.replicas != 1 else ''} in sync ({devices} on this worker)."))
        return strategy

    def _load(self, input_names: list[str], output_names: list[str]) -> LoadedData:
        if self.dataset is None:
            raise _Refused("No dataset is chosen; pick a file, a folder or a bundled dataset.")
        from netbuilder.training.datasets import load_dataset
        from netbuilder.training.preflight import SPARSE_LOSSES, loss_key

        # A sparse loss says the numbers in the target column are class labels, not amounts.
        task = "classification" if loss_key(self.settings.loss) in SPARSE_LOSSES else None
        # A string Input (a preprocessing block's) takes its column's cells as written.
        text_inputs = [t.name for t in self.model.inputs if t.dtype == "string"] if self.model is not None else []
        return load_dataset(self.dataset, self.base_dir, input_names=input_names, output_names=output_names,
                            validation_split=self.settings.validation_split, seed=self.settings.seed, task=task,
                            text_inputs=text_inputs)

    def _preflight(self, inputs: dict[str, tuple[Any, ...]], outputs: dict[str, tuple[Any, ...]],
                   data: LoadedData) -> None:
        from netbuilder.training.datasets.text_folder import raw_text_problems
        from netbuilder.training.preflight import preflight

        mismatches = preflight(inputs, outputs, data, self.settings.loss)
        if self.model is not None:  # a Dense fed documents would fail deep in TensorFlow ("Cast string to float")
            mismatches += raw_text_problems({t.name: str(t.dtype) for t in self.model.inputs}, data)
        if mismatches:
            raise _Refused(" ".join(m if m.endswith(".") else m + "." for m in mismatches))

    def _keras_callbacks(self, has_validation: bool) -> list[Any]:
        import keras

        settings, made = self.settings, []

        def watched(monitor: str) -> str:
            # Without validation data there is no val_loss: watch the training value instead.
            return monitor.removeprefix("val_") if not has_validation else monitor

        if settings.early_stopping is not None:
            es = settings.early_stopping
            made.append(keras.callbacks.EarlyStopping(monitor=watched(es.monitor), patience=es.patience,
                                                      restore_best_weights=es.restore_best_weights))
        if settings.reduce_lr is not None:
            rl = settings.reduce_lr
            made.append(keras.callbacks.ReduceLROnPlateau(monitor=watched(rl.monitor), factor=rl.factor,
                                                          patience=rl.patience, min_lr=rl.min_lr))
        if settings.tensorboard_dir and importlib.util.find_spec("tensorboard") is None:
            # Keras would only fail at the end of the first epoch, deep inside tf.summary.
            raise _Refused("TensorBoard logging needs the tensorboard package (pip install tensorboard); "
                           "clear the TensorBoard folder setting to train without it.")
        return made

    def _folder_callbacks(self, folder: RunFolder) -> list[Any]:
        """Callbacks that write beside the run: TensorBoard's logs, in a folder of this run's own (`log_dir`)."""
        logs = log_dir(self.settings.tensorboard_dir, self.project.path, folder.path)
        if logs is None:
            return []
        import keras

        return [keras.callbacks.TensorBoard(log_dir=str(logs))]

    def _health_callbacks(self, folder: RunFolder) -> list[Any]:
        """Per-layer health checks written to health.csv (see `training.health`); one device only,
        since a strategy's mirrored variables cannot be read outside its step."""
        if self.settings.strategy != "default" or self.model is None or self.data is None:
            return []
        from netbuilder.training.health import HEALTH_CSV, HealthCallback
        from netbuilder.training.keras_objects import make_loss

        return [HealthCallback(self.model, self.data, make_loss(self.settings.loss), self._post,
                               folder.path / HEALTH_CSV)]

    def _outcome(self, progress: ProgressCallback, callbacks: list[Any]) -> tuple[Status, str]:
        if progress.nan_message:
            return "nan", progress.nan_message
        if progress.stopped_by_user:
            epoch, batches = progress.cut_at
            done = progress.epochs_done
            where = f"Stopped during epoch {epoch}, after {batches} batch{'' if batches == 1 else 'es'}"
            if not done:
                return "stopped", f"{where}, before any epoch completed; the weights so far are kept."
            return "stopped", (f"{where}; the weights so far are kept, and the history of the {done} complete "
                               f"epoch{'' if done == 1 else 's'}.")
        for cb in callbacks:
            if type(cb).__name__ == "EarlyStopping" and cb.stopped_epoch > 0:
                return "completed", (f"Early stopping ended the run after epoch {cb.stopped_epoch + 1}: {cb.monitor} "
                                     f"had not improved for {cb.patience} epochs.")
        done = progress.epochs_done
        return "completed", f"Trained for {done} epoch{'' if done == 1 else 's'}."

    def _keep(self, folder: RunFolder, status: Status, message: str, history: dict[str, list[float]],
              epochs_done: int, trained: bool) -> tuple[Status, str]:
        """Write history, curves and (for a usable model) model.keras; a write that fails fails the run.

        A run stopped before its first epoch ended has no history, but its weights
        have trained (`trained`) and are kept, as Stop promises.
        """
        title = f"{self.project.name} — {folder.path.name} ({status})"
        writes: list[tuple[str, Callable[[], Any]]] = []
        if epochs_done:
            writes += [("history.csv", lambda: folder.write_history(history)),
                       ("curves.svg", lambda: folder.write_curves(history, title))]
        if status in ("completed", "stopped") and self.model is not None and trained:
            writes.append(("model.keras", lambda: folder.write_model(self.model)))
        for name, write in writes:
            try:
                write()
            except Exception as exc:  # noqa: BLE001 — a disk or Keras save error must not lose the run record
                log.info("writing %s failed", name, exc_info=True)
                status, message = "failed", _joined(message, f"Cannot write {folder.path / name}: {_first_line(exc)}.")
        return status, message

    def _record(self, started: datetime) -> dict[str, Any]:
        """settings.json: what was trained, on what, how; status and times are filled in at the end."""
        dataset = self.dataset.to_section() if self.dataset is not None else None
        if dataset is None and self.data is not None:
            dataset = {"source": self.data.source_name}
        return {
            "project": self.project.name,
            "project_file": str(self.project.path) if self.project.path else None,
            "status": "running",
            "message": "",
            "started": started.isoformat(timespec="seconds"),
            "training": self.settings.to_section(),
            "dataset": dataset,
            "netbuilder": __version__,
        }


def expected_keys(outputs: list[str], metrics: list[str], validation: bool) -> list[str]:
    """The history keys Keras will log: loss, the metrics, and their val_ twins (see `ordered_keys`)."""
    if len(outputs) > 1:
        keys = ["loss", *(f"{o}_loss" for o in outputs), *(f"{o}_{m}" for o in outputs for m in metrics)]
    else:
        keys = ["loss", *metrics]
    return ordered_keys(keys + ([f"val_{k}" for k in keys] if validation else []))


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_NOISE = ("Exception encountered when calling", "Arguments received", "Traceback", "File ", "•", "Call arguments")


def _first_line(exc: BaseException) -> str:
    """The line of an exception's text that says what went wrong, without Keras' call-site decoration."""
    lines = [line.strip() for line in _ANSI.sub("", str(exc)).splitlines()]
    useful = [line for line in lines if line and not line.startswith(_NOISE)]
    text = (useful or [type(exc).__name__])[0]
    return text if len(text) <= 300 else text[:297] + "…"


def _joined(first: str, second: str) -> str:
    return f"{first} {second}".strip()


def failure_message(exc: BaseException, data: LoadedData | None, model: Any) -> str:
    """One paragraph for a failed run: what happened and what to try."""
    import tensorflow as tf

    from netbuilder.keras_bridge.errors import BridgeError

    if isinstance(exc, (MemoryError, tf.errors.ResourceExhaustedError)):
        return ("Out of memory: try a smaller batch size, a smaller model or smaller images, "
                "or close other programs that use the memory.")
    if isinstance(exc, BridgeError):
        return "The model cannot be built: " + "; ".join(str(p) for p in exc.problems) + "."
    if isinstance(exc, (DatasetError, SettingsError)):
        return " ".join(str(exc).splitlines())
    cause = data.failure_cause(exc) if data is not None else None
    if cause is not None:
        return f"Training stopped on a damaged file: {cause}."
    text = _first_line(exc)
    if isinstance(exc, ValueError) and "shape" in text.lower() and data is not None and model is not None:
        wanted = ", ".join(f"'{t.name}' expects {tuple(t.shape[1:])}" for t in model.inputs)
        given = ", ".join(f"'{k}' {v}" for k, v in data.input_shapes().items())
        return (f"The data does not fit the model: input {wanted}; the dataset gives {given}. "
                f"Keras said: {text}")
    return f"Training failed: {text} ({type(exc).__name__})."
