"""Asking a trained model for its outputs, and reading them as values or classes.

Evaluation, the prediction tables and the TensorFlow Lite check all feed rows
to a model and compare what comes out with the dataset's targets; this module
is what they share: which split, which targets go with which output, the
model called in chunks (see `predict_outputs`), and class indices and
probabilities read from whatever the output layer gives. Keras is never
imported here: the model is only called or asked to `predict`.
"""

from __future__ import annotations

from typing import Any, Literal, Protocol

import numpy as np

from netbuilder.training.datasets.loaded import LoadedData, Split

SplitName = Literal["train", "validation"]
SPLIT_WORDS: dict[str, str] = {"train": "training", "validation": "validation"}


class Predictor(Protocol):
    """What evaluation needs of a trained model (a `keras.Model` is one)."""

    output_names: list[str]

    def predict(self, x: Any, verbose: Any = ...) -> Any: ...


def split_of(data: LoadedData, split: SplitName) -> Split:
    chosen = data.train if split == "train" else data.validation
    if chosen is None:
        raise ValueError("this dataset has no validation split")
    return chosen


def target_of(split: Split, output: str, outputs: int) -> np.ndarray | None:
    """The targets of `output`; for a one-output model, the only targets whatever name they were given."""
    if output in split.targets:
        return np.asarray(split.targets[output])
    return np.asarray(next(iter(split.targets.values()))) if outputs == len(split.targets) == 1 else None


PREDICT_CHUNK = 1024


def predict_outputs(model: Predictor, x: Any) -> dict[str, np.ndarray]:
    """The model's predictions for `x`, keyed by output name, in the model's output order.

    A Keras model is called directly, eagerly, in chunks, rather than through
    `predict`: `predict` first traces and optimises a graph function, which holds
    Python's lock long enough (100-200 ms) to freeze the window while the
    evaluation runs on a worker thread. For the few thousand rows of a
    validation split the eager call is as fast.
    """
    raw = _call_in_chunks(model, x) if callable(model) else model.predict(x, verbose=0)
    names = list(model.output_names)
    if isinstance(raw, dict):
        return {name: np.asarray(raw[name]) for name in names}
    if isinstance(raw, (list, tuple)):
        return {name: np.asarray(value) for name, value in zip(names, raw)}
    return {names[0]: np.asarray(raw)}


def _call_in_chunks(model: Any, x: Any) -> Any:
    rows = len(next(iter(x.values()))) if isinstance(x, dict) else len(x)
    parts = []
    for start in range(0, rows, PREDICT_CHUNK):
        chunk = {k: v[start:start + PREDICT_CHUNK] for k, v in x.items()} if isinstance(x, dict) else x[start:start + PREDICT_CHUNK]
        out = model(chunk, training=False)
        parts.append({k: np.asarray(v) for k, v in out.items()} if isinstance(out, dict)
                     else [np.asarray(v) for v in out] if isinstance(out, (list, tuple)) else np.asarray(out))
    if not parts:
        return model.predict(x, verbose=0)
    first = parts[0]
    if isinstance(first, dict):
        return {k: np.concatenate([p[k] for p in parts]) for k in first}
    if isinstance(first, list):
        return [np.concatenate([p[i] for p in parts]) for i in range(len(first))]
    return np.concatenate(parts)


def true_classes(y_true: np.ndarray) -> np.ndarray:
    """Integer labels from class indices, 0/1 floats of shape (n, 1), or one-hot rows."""
    y = np.asarray(y_true)
    if y.ndim == 2 and y.shape[1] > 1:
        return y.argmax(axis=1)
    return np.rint(y.reshape(len(y))).astype(np.int64)


def class_probabilities(y_pred: np.ndarray) -> np.ndarray:
    """(n, classes) probabilities from the model's output.

    One sigmoid unit becomes two columns (1 - p, p). Outputs that are not
    probabilities already (a model that ends without softmax, trained
    `from_logits`) go through softmax or sigmoid, so that argmax and the
    probability shown agree.
    """
    p = np.asarray(y_pred, dtype=np.float64).reshape(len(y_pred), -1)
    if p.shape[1] == 1:
        if p.min(initial=0.0) < 0 or p.max(initial=0.0) > 1:
            p = 1.0 / (1.0 + np.exp(-p))
        return np.hstack([1.0 - p, p])
    if p.min(initial=0.0) < 0 or not np.allclose(p.sum(axis=1), 1.0, atol=1e-3):
        e = np.exp(p - p.max(axis=1, keepdims=True))
        p = e / e.sum(axis=1, keepdims=True)
    return p
