"""How well a trained model does on data it did not train on: the scores the Evaluate view shows.

After a run the user wants a score at a glance: RMSE/MAE and residuals for
regression; a confusion matrix and per-class precision/recall for
classification. This module computes them as plain numpy so the Qt view only
draws, and so it can be tested without a window; what the model answers for
particular rows or typed values is in `prediction_table` and `typed_values`.
Keras is never imported here: the trained model is only asked for its outputs
(`model_outputs`). The scores of a dataset streamed from its file cover its
whole split, read a batch at a time (`tf_dataset`), so memory stays bounded;
the plots keep the first `PLOTTED_ROWS` rows.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np

from netbuilder.training.datasets.loaded import LoadedData, Split
from netbuilder.training.model_outputs import (
    SPLIT_WORDS, Predictor, SplitName, class_probabilities, predict_outputs, split_of, target_of, true_classes)

PLOTTED_ROWS = 10_000  # of a streamed split: the scatter and histogram need no more to show the shape
STREAM_BATCH = 1_024


@dataclass(frozen=True)
class RegressionReport:
    """Scores of the first output on one split; arrays are flattened over its columns.

    The scores cover `rows` rows; the arrays (what the plots draw) may hold only the first of them.
    """

    output: str
    split: SplitName
    y_true: np.ndarray
    y_pred: np.ndarray
    rmse: float
    mae: float
    residuals: np.ndarray  # y_pred - y_true
    note: str = ""
    covered: int | None = None  # rows the scores cover, when more than the arrays hold

    @property
    def rows(self) -> int:
        return len(self.y_true) if self.covered is None else self.covered


@dataclass(frozen=True)
class ClassificationReport:
    """Scores of the first output on one split.

    `confusion[i, j]` counts rows of true class i predicted as class j.
    A class never predicted has precision 0; a class absent from the split has recall 0.
    """

    output: str
    split: SplitName
    class_names: list[str]
    confusion: np.ndarray
    precision: list[float]
    recall: list[float]
    support: list[int]
    accuracy: float
    note: str = ""

    @property
    def rows(self) -> int:
        return int(self.confusion.sum())


Evaluation = RegressionReport | ClassificationReport


def evaluate(model: Predictor, data: LoadedData, split: SplitName = "validation") -> Evaluation:
    """Score the model's first output on `split`, or on the training data when there is no validation split.

    A split held in memory is scored at once; a streamed one (more rows than its sample holds) is read
    through in batches, so the scores cover every row of it.
    """
    note = ""
    if split == "validation" and data.validation is None:
        split = "train"
        note = "No validation split: these scores are on the training data, which flatters the model."
    rows = split_of(data, split)
    if len(rows) == 0:
        raise ValueError(f"the {SPLIT_WORDS[split]} split has no rows to evaluate")
    if data.n_rows(split) <= len(rows):
        output, y_true, y_pred = _first_output(model, rows)
        if data.task == "classification":
            return _classification_report(output, split, y_true, y_pred, data.class_names, note)
        return _regression_report(output, split, y_true, y_pred, note)
    totals = _Totals()
    for part in _batches(data, split, rows):
        output, y_true, y_pred = _first_output(model, part)
        totals.add(data.task, output, y_true, y_pred)
    if data.task == "classification":
        return totals.classification(output, split, data.class_names, note)
    return totals.regression(output, split, note)


def _first_output(model: Predictor, rows: Split) -> tuple[str, np.ndarray, np.ndarray]:
    """(name, targets, predictions) of the model's first output on `rows`."""
    predictions = predict_outputs(model, rows.model_x())
    output = next(iter(predictions))
    y_true = target_of(rows, output, len(predictions))
    if y_true is None:
        raise ValueError(f"the dataset has no targets for output '{output}'")
    return output, y_true, predictions[output]


def _batches(data: LoadedData, split: SplitName, sample: Split) -> Iterator[Split]:
    """The whole split, a batch at a time, keyed like its sample."""
    inputs, outputs = list(sample.features), list(sample.targets)
    for x, y in data.tf_dataset(split, STREAM_BATCH, shuffle=False):
        features = {k: np.asarray(v) for k, v in x.items()} if isinstance(x, dict) else {inputs[0]: np.asarray(x)}
        targets = {k: np.asarray(v) for k, v in y.items()} if isinstance(y, dict) else {outputs[0]: np.asarray(y)}
        yield Split(features, targets)


class _Totals:
    """What the scores of a streamed split need, summed batch by batch, and the first rows for the plots."""

    def __init__(self) -> None:
        self.count = 0
        self.squares = self.absolutes = 0.0
        self.kept: list[tuple[np.ndarray, np.ndarray]] = []
        self.kept_rows = 0
        self.confusion = np.zeros((0, 0), dtype=np.int64)

    def add(self, task: str, output: str, y_true: np.ndarray, y_pred: np.ndarray) -> None:
        if task == "classification":
            truth = true_classes(y_true)
            probabilities = class_probabilities(y_pred)
            guess = probabilities.argmax(axis=1)
            k = max(self.confusion.shape[0], probabilities.shape[1], int(truth.max(initial=0)) + 1)
            grown = np.zeros((k, k), dtype=np.int64)
            grown[:self.confusion.shape[0], :self.confusion.shape[1]] = self.confusion
            np.add.at(grown, (truth, guess), 1)
            self.confusion = grown
            return
        truth = y_true.astype(np.float64).reshape(-1)
        guess = y_pred.astype(np.float64).reshape(-1)
        if truth.shape != guess.shape:
            raise ValueError(f"output '{output}' gives {guess.size} values for {truth.size} targets")
        residuals = guess - truth
        self.count += truth.size
        self.squares += float(np.sum(residuals ** 2))
        self.absolutes += float(np.sum(np.abs(residuals)))
        if self.kept_rows < PLOTTED_ROWS:
            room = PLOTTED_ROWS - self.kept_rows
            self.kept.append((truth[:room], guess[:room]))
            self.kept_rows += min(room, truth.size)

    def regression(self, output: str, split: SplitName, note: str) -> RegressionReport:
        truth = np.concatenate([t for t, _ in self.kept]) if self.kept else np.zeros(0)
        guess = np.concatenate([g for _, g in self.kept]) if self.kept else np.zeros(0)
        count = max(1, self.count)
        return RegressionReport(output, split, truth, guess, rmse=float(np.sqrt(self.squares / count)),
                                mae=self.absolutes / count, residuals=guess - truth, note=note, covered=self.count)

    def classification(self, output: str, split: SplitName, class_names: list[str] | None,
                       note: str) -> ClassificationReport:
        k = max(self.confusion.shape[0], len(class_names or []))
        confusion = np.zeros((k, k), dtype=np.int64)
        confusion[:self.confusion.shape[0], :self.confusion.shape[1]] = self.confusion
        return _scores(output, split, confusion, class_names, note)


def _regression_report(output: str, split: SplitName, y_true: np.ndarray, y_pred: np.ndarray,
                       note: str) -> RegressionReport:
    truth = y_true.astype(np.float64).reshape(-1)
    guess = y_pred.astype(np.float64).reshape(-1)
    if truth.shape != guess.shape:
        raise ValueError(f"output '{output}' gives {guess.size} values for {truth.size} targets")
    residuals = guess - truth
    return RegressionReport(output, split, truth, guess, rmse=float(np.sqrt(np.mean(residuals ** 2))),
                            mae=float(np.mean(np.abs(residuals))), residuals=residuals, note=note)


def _classification_report(output: str, split: SplitName, y_true: np.ndarray, y_pred: np.ndarray,
                           class_names: list[str] | None, note: str) -> ClassificationReport:
    truth = true_classes(y_true)
    probabilities = class_probabilities(y_pred)
    guess = probabilities.argmax(axis=1)
    k = max(len(class_names or []), probabilities.shape[1], int(truth.max(initial=0)) + 1)
    confusion = np.zeros((k, k), dtype=np.int64)
    np.add.at(confusion, (truth, guess), 1)
    return _scores(output, split, confusion, class_names, note)


def _scores(output: str, split: SplitName, confusion: np.ndarray, class_names: list[str] | None,
            note: str) -> ClassificationReport:
    """Accuracy, precision and recall from a confusion matrix (rows: true classes)."""
    k = confusion.shape[0]
    names = [class_names[i] if class_names and i < len(class_names) else str(i) for i in range(k)]
    hits = np.diag(confusion).astype(np.float64)
    predicted, support = confusion.sum(axis=0), confusion.sum(axis=1)
    precision = np.divide(hits, predicted, out=np.zeros(k), where=predicted > 0)
    recall = np.divide(hits, support, out=np.zeros(k), where=support > 0)
    return ClassificationReport(output, split, names, confusion, precision.tolist(), recall.tolist(),
                                support.astype(int).tolist(), accuracy=float(hits.sum() / max(1, confusion.sum())),
                                note=note)
