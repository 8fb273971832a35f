"""The model's answers beside the dataset: a table of chosen rows, and a sentence for one row.

The Predict view lists rows of a split with their features, targets and the
model's predictions as text (classes by name, with the probability, and
whether each row is right), and says what the model answers for values the
user typed. Inputs too wide to list (images, long vectors) show by shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from netbuilder.training.datasets.loaded import LoadedData
from netbuilder.training.model_outputs import (
    SPLIT_WORDS, Predictor, SplitName, class_probabilities, predict_outputs, split_of, target_of, true_classes)

# Inputs with more values per row than this are shown by shape, not value by value.
MAX_SHOWN_FEATURES = 32


@dataclass(frozen=True)
class PredictionTable:
    """Rows of the dataset with the model's predictions beside the targets, as text.

    `correct[i]` says whether row i's predicted class matches its target (first
    output of a classifier); it is empty for regression.
    """

    columns: list[str]
    rows: list[list[str]]
    correct: list[bool] = field(default_factory=list)


def shown_by_shape(values: np.ndarray) -> bool:
    """Images and long vectors are summarised by their shape rather than listed value by value."""
    return values.ndim > 2 or (values.ndim == 2 and values.shape[1] > MAX_SHOWN_FEATURES)


def column_names(names: list[str] | None, prefix: str, count: int) -> list[str]:
    return list(names) if names and len(names) == count else [f"{prefix}[{i}]" for i in range(count)]


def predict_rows(model: Predictor, data: LoadedData, split: SplitName, rows: list[int]) -> PredictionTable:
    """Features, targets and predictions of the given rows of `split`, side by side, as text."""
    part = split_of(data, split)
    bad = [r for r in rows if not 0 <= r < len(part)]
    if bad:
        raise ValueError(f"row {bad[0]} is out of range: the {SPLIT_WORDS[split]} split has rows 0 to {len(part) - 1}")
    chosen = part.rows(np.asarray(rows, dtype=np.int64))
    predictions = predict_outputs(model, chosen.model_x())
    columns = ["row"]
    cells: list[list[str]] = [[str(r)] for r in rows]
    for name, values in chosen.features.items():
        _add_feature_columns(columns, cells, name, values, data.feature_columns.get(name), len(chosen.features) > 1)
    correct: list[bool] = []
    for index, (name, guess) in enumerate(predictions.items()):
        label = f"{name}: " if len(predictions) > 1 else ""
        truth = target_of(chosen, name, len(predictions))
        if data.task == "classification":
            hits = _add_class_columns(columns, cells, label, truth, guess, data.class_names)
            if index == 0:
                correct = hits
        else:
            _add_value_columns(columns, cells, label, truth, guess, data.target_columns.get(name))
    return PredictionTable(columns, cells, correct)


def _add_feature_columns(columns: list[str], cells: list[list[str]], name: str, values: np.ndarray,
                         names: list[str] | None, several_inputs: bool) -> None:
    if shown_by_shape(values):
        columns.append(name)
        shape = "×".join(str(d) for d in values.shape[1:])
        for row in cells:
            row.append(f"{shape} values")
        return
    flat = values.reshape(len(values), -1)
    prefix = f"{name}." if several_inputs else ""
    columns += [prefix + c for c in column_names(names, name, flat.shape[1])]
    for row, line in zip(cells, flat):
        row += [format_number(v) for v in line]


def _add_value_columns(columns: list[str], cells: list[list[str]], label: str, truth: np.ndarray | None,
                       guess: np.ndarray, names: list[str] | None) -> None:
    flat = guess.reshape(len(guess), -1)
    targets = column_names(names, "target", flat.shape[1])
    if truth is not None:
        columns += [label + t for t in targets]
        for row, line in zip(cells, truth.reshape(len(truth), -1)):
            row += [format_number(v) for v in line]
    columns += [f"{label}predicted {t}" for t in targets]
    for row, line in zip(cells, flat):
        row += [format_number(v) for v in line]


def _add_class_columns(columns: list[str], cells: list[list[str]], label: str, truth: np.ndarray | None,
                       guess: np.ndarray, class_names: list[str] | None) -> list[bool]:
    probabilities = class_probabilities(guess)
    predicted = probabilities.argmax(axis=1)
    names = class_names or [str(i) for i in range(probabilities.shape[1])]

    def name_of(i: int) -> str:
        return names[i] if 0 <= i < len(names) else str(i)

    hits: list[bool] = []
    if truth is not None:
        actual = true_classes(truth)
        columns.append(f"{label}actual")
        for row, cls in zip(cells, actual):
            row.append(name_of(int(cls)))
        hits = [bool(a == p) for a, p in zip(actual, predicted)]
    columns += [f"{label}predicted", f"{label}probability"]
    for row, cls, p in zip(cells, predicted, probabilities):
        row += [name_of(int(cls)), f"{p[cls]:.2f}"]
    return hits


def format_number(value: Any) -> str:
    """A number to 4 significant digits; a document fed raw (a text folder's) as it is, on one line."""
    if isinstance(value, (str, bytes)):
        return " ".join((value.decode("utf-8", "replace") if isinstance(value, bytes) else value).split())
    return f"{float(value):.4g}"


def describe_prediction(model: Predictor, data: LoadedData, x: Any) -> str:
    """The model's answer for one row: "species: virginica (0.91)", then the runners-up on a line of their own."""
    lines = []
    for name, guess in predict_outputs(model, x).items():
        if data.task == "classification":
            p = class_probabilities(guess)[0]
            order = np.argsort(p)[::-1][:3]
            names = data.class_names or [str(i) for i in range(len(p))]
            ranked = [f"{names[i] if i < len(names) else i} ({p[i]:.2f})" for i in order]
            target = data.target_columns.get(name) or [name]
            lines.append(f"{target[0]}: {ranked[0]}")
            if len(ranked) > 1:
                lines.append(f"  next: {', '.join(ranked[1:])}")
        else:
            targets = column_names(data.target_columns.get(name), name, guess.reshape(1, -1).shape[1])
            lines += [f"{t}: {format_number(v)}" for t, v in zip(targets, guess.reshape(-1))]
    return "\n".join(lines)
