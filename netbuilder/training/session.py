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
import logging
import math
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from netbuilder.graph.project_file import Project, from_dict
from netbuilder.training.datasets.spec import DatasetSpec
from netbuilder.training.events import Event, Preparing, RunFinished, RunStarted, Status, ordered_keys
from netbuilder.training.fit_callbacks import folder_callbacks, health_callbacks, keras_callbacks, outcome
from netbuilder.training.run_failures import Refused, failure_message, first_line, joined
from netbuilder.training.run_record import keep_run, run_record
from netbuilder.training.runs import RunFolder
from netbuilder.training.settings import TrainingSettings
from netbuilder.training.tensorboard_logs import RECORD_KEY as TENSORBOARD_RECORD_KEY, log_dir
from netbuilder.training.worker_run import WorkerRun

if TYPE_CHECKING:
    import keras

    from netbuilder.training.callbacks import ProgressCallback
    from netbuilder.training.datasets.loaded import LoadedData

log = logging.getLogger(__name__)


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


class TrainingSession(WorkerRun):
    """One training run of a snapshot of `project` on `dataset` with `settings`.

    The run folder is a new time-stamped folder under `run_root`, or `run_dir`
    itself when given (the command line's `--out`). `data` skips loading and
    trains on arrays already at hand (tests, benchmarks, a second run on the
    same data). `listener` and `queue_events` are `WorkerRun`'s (BatchEnd may
    come from Keras' helper thread).
    """

    def __init__(self, project: Project, dataset: DatasetSpec | None, settings: TrainingSettings,
                 run_root: Path, *, base_dir: Path | None = None, data: LoadedData | None = None,
                 run_dir: Path | None = None, listener: Callable[[Event], None] | None = None,
                 queue_events: bool = True) -> None:
        super().__init__(listener, queue_events)
        self.project = from_dict(copy.deepcopy(project.to_dict()), project.name)
        self.project.path = project.path
        self.dataset = copy.deepcopy(dataset)
        self.settings = copy.deepcopy(settings)
        self.run_root = run_root
        self.base_dir = base_dir if base_dir is not None else (project.path.parent if project.path else None)
        self.data = data
        self.model: keras.Model | None = None
        self.run_dir: Path | None = None
        self._requested_dir = run_dir
        self._progress: ProgressCallback | None = None
        self.replicas = 1  # devices training in sync, all workers together; known once the strategy is made

    @property
    def batches_done(self) -> int:
        """Training batches the worker has finished so far, as it counts them (events reach the GUI later)."""
        return self._progress.batches_done if self._progress is not None else 0

    # -- the run itself ------------------------------------------------------------------------

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
        record = run_record(self.project, self.dataset, self.data, self.settings, started)
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
        status, message = keep_run(folder, self.project.name, self.model, status, message, history, epochs_done,
                                   trained)
        record.update(status=status, message=message, finished=datetime.now().isoformat(timespec="seconds"),
                      duration_seconds=round(time.perf_counter() - clock, 3), fit_seconds=round(fit_seconds, 4),
                      epochs_done=epochs_done, final={k: v[-1] for k, v in history.items() if v},
                      strategy=self.settings.strategy, replicas=self.replicas)
        try:
            folder.write_settings(record)
        except OSError as exc:
            status, message = "failed", joined(message, f"Cannot write {folder.path}: {exc.strerror or exc}.")
        return RunFinished(status, message, history, folder.path, epochs_done)

    def _prepared_or_ended(self) -> _Prepared | RunFinished:
        """What `fit` needs, or how the run ended before it could begin: refused, or stopped meanwhile."""
        try:
            ready = self._prepare()
        except Refused as exc:
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
            callbacks = [*ready.callbacks, *folder_callbacks(self.settings, self.project.path, folder)]
            callbacks += health_callbacks(self.settings, self.model, self.data, self._post, folder)
            self._post(RunStarted(self.settings.fit_epochs, ready.steps, folder.path, ready.keys))
            fit_began = time.perf_counter()
            try:
                # Our callback goes last so it sees what the others add to the logs (ReduceLR's learning_rate).
                ready.model.fit(ready.train, validation_data=ready.validation, epochs=self.settings.fit_epochs,
                                steps_per_epoch=ready.fit_steps, validation_steps=ready.validation_steps,
                                callbacks=[*callbacks, progress], shuffle=False, verbose=0)
            finally:
                fit_seconds = time.perf_counter() - fit_began
            return (*outcome(progress, callbacks), fit_seconds)
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
            raise Refused("The training settings cannot be used: " + "; ".join(problems) + ".")
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
            raise Refused("The training split has no rows; use a lower validation split or more data.")
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
        return _Prepared(model, keras_callbacks(settings, has_validation), train, validation,
                         settings.fit_steps_per_epoch or batches,
                         expected_keys(list(outputs), settings.metrics, has_validation), fit_steps, validation_steps)

    def _adapt(self, model: Any, data: LoadedData) -> None:
        """Give preprocessing layers without state (a Normalization's mean, a vocabulary) the training split's."""
        from netbuilder.training.adapt import adapt_batch_size, adapt_preprocessing, adaptable_layers, cache_path
        from netbuilder.training.datasets.fingerprint import dataset_fingerprint

        try:
            if not adaptable_layers(model):
                return
        except ValueError as exc:
            raise Refused(f"The preprocessing layers cannot be fed from the model's inputs: {first_line(exc)}")
        settings = self.settings
        fingerprint = "" if self.dataset is None else dataset_fingerprint(
            self.dataset, self.base_dir, validation_split=settings.validation_split, seed=settings.seed)
        batch = adapt_batch_size(data.train.features, settings.batch_size)
        features = data.tf_dataset("train", batch, shuffle=False).map(lambda x, y: x)
        weights = self.project.weights_path
        try:
            adapt_preprocessing(model, features, cache=cache_path(self.project.path), fingerprint=fingerprint,
                                weights_loaded=weights is not None and weights.exists(),
                                note=lambda text: self._post(Preparing(text)))
        except (ValueError, TypeError) as exc:
            raise Refused(f"The preprocessing layers could not learn from the training data: {first_line(exc)}")

    def _strategy(self) -> Any:
        """The run's tf.distribute strategy; says on which devices it trains when there is more than one."""
        from netbuilder.training.distribute import DistributeError, make_strategy

        try:
            strategy = make_strategy(self.settings.strategy)
        except DistributeError as exc:
            raise Refused(str(exc)) from None
        self.replicas = int(strategy.num_replicas_in_sync)
        if self.settings.strategy != "default":
            devices = ", ".join(d.rsplit("/", 1)[-1].removeprefix("device:") for d in strategy.extended.worker_devices)
            self._post(Preparing(f"Training with the {self.settings.strategy} strategy: {self.replicas} "
                                 f"replica{'s' if self.replicas != 1 else ''} in sync ({devices} on this worker)."))
        return strategy

    def _load(self, input_names: list[str], output_names: list[str]) -> LoadedData:
        if self.dataset is None:
            raise Refused("No dataset is chosen; pick a file, a folder or a bundled dataset.")
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
            raise Refused(" ".join(m if m.endswith(".") else m + "." for m in mismatches))


def expected_keys(outputs: list[str], metrics: list[str], validation: bool) -> list[str]:
    """The history keys Keras will log: loss, the metrics, and their val_ twins (see `ordered_keys`)."""
    if len(outputs) > 1:
        keys = ["loss", *(f"{o}_loss" for o in outputs), *(f"{o}_{m}" for o in outputs for m in metrics)]
    else:
        keys = ["loss", *metrics]
    return ordered_keys(keys + ([f"val_{k}" for k in keys] if validation else []))
