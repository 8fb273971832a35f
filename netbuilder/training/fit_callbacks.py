"""The Keras callbacks a run's settings ask for beside our own, and how the run ended as they tell it.

Early stopping, learning-rate reduction, TensorBoard logs in the run's own
folder and the per-layer health checks are made here, each only when the
settings ask for it; Keras is imported only when a run is being prepared.
After `fit`, `outcome` reads our progress callback and the early-stopping one
to say in a sentence why the run ended.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable

from netbuilder.training.events import Event, Status
from netbuilder.training.run_failures import Refused
from netbuilder.training.runs import RunFolder
from netbuilder.training.settings import TrainingSettings
from netbuilder.training.tensorboard_logs import log_dir

if TYPE_CHECKING:
    from netbuilder.training.callbacks import ProgressCallback
    from netbuilder.training.datasets.loaded import LoadedData


def keras_callbacks(settings: TrainingSettings, has_validation: bool) -> list[Any]:
    """EarlyStopping and ReduceLROnPlateau as the settings ask; refused when TensorBoard logs cannot be written."""
    import keras

    made: list[Any] = []

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
        raise Refused("TensorBoard logging needs the tensorboard package (pip install tensorboard); "
                      "clear the TensorBoard folder setting to train without it.")
    return made


def folder_callbacks(settings: TrainingSettings, project_path: Path | None, folder: RunFolder) -> list[Any]:
    """Callbacks that write beside the run: TensorBoard's logs, in a folder of this run's own (`log_dir`)."""
    logs = log_dir(settings.tensorboard_dir, project_path, folder.path)
    if logs is None:
        return []
    import keras

    return [keras.callbacks.TensorBoard(log_dir=str(logs))]


def health_callbacks(settings: TrainingSettings, model: Any, data: LoadedData | None, post: Callable[[Event], None],
                     folder: RunFolder) -> list[Any]:
    """Per-layer health checks written to health.csv (see `training.health`); one device only,
    since a strategy's mirrored variables cannot be read outside its step."""
    if settings.strategy != "default" or model is None or data is None:
        return []
    from netbuilder.training.health import HealthCallback
    from netbuilder.training.health_record import HEALTH_CSV
    from netbuilder.training.keras_objects import make_loss

    return [HealthCallback(model, data, make_loss(settings.loss), post, folder.path / HEALTH_CSV)]


def outcome(progress: ProgressCallback, callbacks: list[Any]) -> tuple[Status, str]:
    """How `fit` ended, in a sentence: NaN loss, stopped by the user (where), early stopping, or completed."""
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
