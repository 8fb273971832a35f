"""A dataset once loaded: numpy arrays keyed by the model's input and output names.

Every kind of source (CSV, `.npz`, image folders, bundled sets) ends up here,
so the training session, the pre-flight check and the evaluation views deal
with one shape of data. `tf_dataset` is how Keras is fed: a `tf.data` pipeline
that shuffles with the run's seed, batches and prefetches.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

Task = Literal["regression", "classification"]


@dataclass
class Split:
    """One part of the data (training or validation); every array has the same number of rows."""

    features: dict[str, np.ndarray]
    targets: dict[str, np.ndarray]

    def __len__(self) -> int:
        first = next(iter(self.features.values()), None)
        return 0 if first is None else int(first.shape[0])

    def rows(self, index: np.ndarray | slice) -> Split:
        return Split({k: v[index] for k, v in self.features.items()}, {k: v[index] for k, v in self.targets.items()})

    def model_x(self) -> Any:
        """What `model(...)`/`predict` takes: the array itself for a one-input model, else the dict."""
        return next(iter(self.features.values())) if len(self.features) == 1 else self.features

    def model_y(self) -> Any:
        return next(iter(self.targets.values())) if len(self.targets) == 1 else self.targets


@dataclass
class LoadedData:
    """Training and validation splits plus what the columns mean.

    `feature_columns[input]` names the columns of that input's array after
    one-hot encoding (e.g. `day=Sun`); `target_columns[output]` likewise.
    `class_names` is set for classification (the label of class index i).
    """

    train: Split
    validation: Split | None
    task: Task
    feature_columns: dict[str, list[str]] = field(default_factory=dict)
    target_columns: dict[str, list[str]] = field(default_factory=dict)
    class_names: list[str] | None = None
    source_name: str = ""

    # Whether `train` begins with the split's first rows, encoded as `tf_dataset` yields them: so for data
    # held in memory, and for a CSV stream's sample; other streams' samples are their own.
    train_is_head = True

    def head(self, rows: int) -> tuple[Any, Any] | None:
        """The first `rows` training examples, (x, y) as `tf_dataset("train", rows, shuffle=False)` yields
        its first batch, where they are at hand without building a pipeline (which costs a tenth of a
        second of tracing); None elsewhere."""
        if not self.train_is_head or not len(self.train):
            return None
        head = self.train.rows(slice(0, rows))
        return head.model_x(), head.model_y()

    def input_shapes(self) -> dict[str, tuple[int, ...]]:
        """Per-sample shape of each input (without the batch dimension)."""
        return {k: tuple(int(d) for d in v.shape[1:]) for k, v in self.train.features.items()}

    def target_shapes(self) -> dict[str, tuple[int, ...]]:
        return {k: tuple(int(d) for d in v.shape[1:]) for k, v in self.train.targets.items()}

    def n_rows(self, which: Literal["train", "validation"]) -> int:
        """Rows in a split (0 for a missing one); a streamed file counts more rows than it holds."""
        split = self.train if which == "train" else self.validation
        return 0 if split is None else len(split)

    def target_values(self, name: str) -> np.ndarray:
        """Output `name`'s targets in both splits: what the pre-flight check judges them by."""
        parts = [self.train.targets[name]]
        if self.validation is not None and name in self.validation.targets:
            parts.append(self.validation.targets[name])
        return np.concatenate(parts)

    def failure_cause(self, exc: BaseException) -> str | None:
        """A sentence naming the file at fault when reading the data failed during training, else None.

        Data held in memory was checked whole before training; a streamed
        dataset was checked only as far as its scan reaches (a damaged image
        or record further on fails inside TensorFlow), so streamed kinds say
        which file it was.
        """
        return None

    def tf_dataset(self, which: Literal["train", "validation"], batch_size: int, *,
                   shuffle: bool = True, seed: int | None = None) -> Any:
        """A batched, prefetching `tf.data.Dataset` of (features, targets) for `fit`."""
        import tensorflow as tf

        split = self.train if which == "train" else self.validation
        if split is None:
            raise ValueError("this dataset has no validation split")
        ds = tf.data.Dataset.from_tensor_slices((split.model_x(), split.model_y()))
        if shuffle and which == "train":
            ds = ds.shuffle(len(split), seed=seed, reshuffle_each_iteration=True)
        return ds.batch(batch_size).prefetch(tf.data.AUTOTUNE)
